package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel side of one revision of one match or target: what an x_tables module registers (struct
 * xt_match / xt_target), in the umh's terms. One implementation per extension family.
 */
public interface KernelExtension {
  /** A size that the kernel does not check against the blob (XT_ALIGN is still required). */
  int ANY_SIZE = -1;

  ExtensionKind kind();

  String name();

  int revision();

  /** The kernel's matchsize/targetsize before XT_ALIGN, or {@link #ANY_SIZE}. */
  int dataSize();

  /**
   * How many leading data bytes GET_ENTRIES copies back (xt_match.usersize); the rest is zeroed.
   * Defaults to the whole data.
   */
  default int userSize() {
    return dataSize();
  }

  /** Tables it may be used in; empty means any. */
  default Set<String> tables() {
    return Set.of();
  }

  /** Hooks (bitmask of 1 << NF_INET_*) it may be reached from; 0 means any. */
  default int hooks() {
    return 0;
  }

  /** The x_tables list it is registered in (decides ENOENT vs EPROTOTYPE for a wrong revision). */
  default Family family() {
    return Family.UNSPEC;
  }

  /** The IP protocol the rule must match, not inverted; 0 means any. */
  default int proto() {
    return 0;
  }

  /**
   * The extension's own checkentry, after the generic size/table/hook/proto checks passed. {@code
   * data} is a little-endian view of exactly the extension's data bytes (position 0). Returns the
   * errno the kernel would give, or empty when the kernel accepts it.
   */
  default Optional<Errno> check(ExtensionContext ctx, ByteBuffer data) {
    return Optional.empty();
  }

  /**
   * What the kernel's checkentry writes into the rule's data once it accepted it, in the part
   * GET_ENTRIES gives back (helper NUL-terminates its name, hashlimit revision 3 clamps its table
   * size): the engine calls it on its copy of the accepted data and stores the result. {@code data}
   * is little endian, position 0. Most extensions write nothing.
   */
  default void normalize(ByteBuffer data) {}
}
