package bpfilterctl.core.uapi;

/** x_tables keeps matches and targets in two separate namespaces. */
public enum ExtensionKind {
  MATCH,
  TARGET
}
