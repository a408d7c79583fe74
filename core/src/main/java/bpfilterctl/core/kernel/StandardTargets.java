package bpfilterctl.core.kernel;

import java.util.List;

/**
 * The two targets ip_tables.c itself registers: the standard target (name "", an int verdict,
 * checked by mark_source_chains, not here) and ERROR (the user chain head, a 30-byte name).
 */
final class StandardTargets {
  static final int XT_FUNCTION_MAXNAMELEN = 30;

  static final List<KernelExtension> ALL =
      List.of(Xt.target("", 0, 4).ipv4(), Xt.target("ERROR", 0, XT_FUNCTION_MAXNAMELEN).ipv4());

  private StandardTargets() {}
}
