package bpfilterctl.core.umh.tables;

import bpfilterctl.core.abi.ext.ExtensionKind;
import bpfilterctl.core.abi.ext.ExtensionRegistry;
import bpfilterctl.core.abi.ext.KernelExtension;
import bpfilterctl.core.mbox.Errno;
import java.util.Optional;

/** The registry, completed by the two targets that ip_tables itself always has. */
final class Extensions {
  private final ExtensionRegistry registry;

  Extensions(ExtensionRegistry registry) {
    this.registry = registry;
  }

  ExtensionRegistry registry() {
    return registry;
  }

  Optional<KernelExtension> find(ExtensionKind kind, String name, int revision) {
    Optional<KernelExtension> found = registry.find(kind, name, revision);
    if (found.isPresent() || kind != ExtensionKind.TARGET || revision != 0) {
      return found;
    }
    if (name.equals(BuiltinTarget.STANDARD.name()) && registry.revisions(kind, name).isEmpty()) {
      return Optional.of(BuiltinTarget.STANDARD);
    }
    if (name.equals(BuiltinTarget.ERROR.name()) && registry.revisions(kind, name).isEmpty()) {
      return Optional.of(BuiltinTarget.ERROR);
    }
    return found;
  }

  /** xt_find_match/target's errno when {@link #find} is empty. */
  Errno lookupError(ExtensionKind kind, String name, int revision) {
    return registry.lookupError(kind, name, revision);
  }

  /** How many data bytes GET_ENTRIES copies back, and where it zeroes up to (xt_data_to_user). */
  static int copiedBytes(KernelExtension ext, int dataBytes) {
    // A userSize at or above the kernel's size means "no usersize": the whole data goes back.
    if (ext.dataSize() == KernelExtension.ANY_SIZE || ext.userSize() >= ext.dataSize()) {
      return dataBytes;
    }
    return Math.max(0, ext.userSize());
  }
}
