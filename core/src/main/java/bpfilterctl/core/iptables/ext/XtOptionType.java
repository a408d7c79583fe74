package bpfilterctl.core.iptables.ext;

/** libxtables' enum xt_option_type: how an option's argument is parsed. */
public enum XtOptionType {
  NONE,
  UINT8,
  UINT16,
  UINT32,
  UINT64,
  UINT8RC,
  UINT16RC,
  UINT32RC,
  UINT64RC,
  DOUBLE,
  STRING,
  TOSMASK,
  MARKMASK32,
  SYSLOGLEVEL,
  HOST,
  HOSTMASK,
  PROTOCOL,
  PORT,
  PORTRC,
  PLEN,
  PLENMASK,
  ETHERMAC
}
