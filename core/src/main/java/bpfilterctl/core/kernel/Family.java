package bpfilterctl.core.kernel;

/**
 * The x_tables list a registration lives in. ip_tables looks a name up in the IPv4 list first and
 * then in the family-independent one, and only the second search's "found with another revision"
 * survives as EPROTOTYPE: so the family decides the errno of a wrong revision.
 */
public enum Family {
  IPV4,
  UNSPEC
}
