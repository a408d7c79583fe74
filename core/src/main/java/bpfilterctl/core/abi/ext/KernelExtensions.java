package bpfilterctl.core.abi.ext;

import java.util.List;

/** The list of every kernel-side extension implementation; one class per extension family. */
public final class KernelExtensions {
  private KernelExtensions() {}

  public static List<KernelExtension> all() {
    return List.of();
  }
}
