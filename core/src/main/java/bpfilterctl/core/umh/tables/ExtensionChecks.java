package bpfilterctl.core.umh.tables;

import bpfilterctl.core.kernel.ExtensionContext;
import bpfilterctl.core.kernel.ExtensionContext.EntryMatch;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.kernel.KernelExtension;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ip_tables' find_check_entry with x_tables' xt_find_match/target and xt_check_match/target: every
 * match of an entry, then its target, looked up by name and revision and checked for size, table,
 * hooks, protocol and by the extension itself.
 */
final class ExtensionChecks {
  private final ExtensionRegistry registry;

  ExtensionChecks(ExtensionRegistry registry) {
    this.registry = registry;
  }

  EntryLayout check(EntryBlob blob, int e, String table) throws Rejection {
    int end = e + blob.targetOffset(e);
    // Every check sees the entry's matches (a target's checkentry sees the whole entry: TCPMSS
    // looks for a tcp SYN match).
    List<EntryMatch> all = new ArrayList<>();
    for (int m = e + IptEntry.SIZE; m < end; m += blob.u16(m + XtEntryMatch.OFF_SIZE)) {
      all.add(
          new EntryMatch(
              FixedName.read(blob.buffer(), m + XtEntryMatch.OFF_NAME, Abi.EXTENSION_NAME_LEN),
              blob.u8(m + XtEntryMatch.OFF_REVISION),
              data(blob, m).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN)));
    }
    ExtensionContext ctx =
        new ExtensionContext(
            table, blob.comefrom(e), blob.ipProto(e), blob.ipInvflags(e), blob.ipFlags(e), all);
    List<Placed> matches = new ArrayList<>();
    for (int m = e + IptEntry.SIZE; m < end; m += blob.u16(m + XtEntryMatch.OFF_SIZE)) {
      matches.add(new Placed(m - e, checked(blob, m, ExtensionKind.MATCH, ctx)));
    }
    Placed target = new Placed(end - e, checked(blob, end, ExtensionKind.TARGET, ctx));
    return new EntryLayout(e, matches, target);
  }

  /** What a kernel checkentry writes into accepted data; only for a table that passed. */
  static void normalize(EntryBlob blob, EntryLayout entry) {
    for (Placed m : entry.matches()) {
      m.extension().normalize(data(blob, entry.offset() + m.offset()));
    }
    entry.target().extension().normalize(data(blob, entry.offset() + entry.target().offset()));
  }

  private KernelExtension checked(EntryBlob blob, int at, ExtensionKind kind, ExtensionContext ctx)
      throws Rejection {
    // Matches and targets share the header layout: u16 size, name[29], u8 revision.
    int nameAt = at + XtEntryMatch.OFF_NAME;
    if (!FixedName.isTerminated(blob.buffer(), nameAt, Abi.EXTENSION_NAME_LEN)) {
      throw new Rejection(Errno.EINVAL);
    }
    String name = FixedName.read(blob.buffer(), nameAt, Abi.EXTENSION_NAME_LEN);
    int revision = blob.u8(at + XtEntryMatch.OFF_REVISION);
    Optional<KernelExtension> found = registry.find(kind, name, revision);
    if (found.isEmpty()) {
      throw new Rejection(registry.lookupError(kind, name, revision));
    }
    KernelExtension ext = found.get();
    ByteBuffer data = data(blob, at);
    Optional<Errno> refused = ExtensionRegistry.genericCheck(ext, ctx, data.remaining());
    if (refused.isEmpty()) {
      // The extension sees (and may normalise, as a kernel checkentry does) its data in place.
      refused = ext.check(ctx, data);
    }
    if (refused.isPresent()) {
      throw new Rejection(refused.get());
    }
    return ext;
  }

  private static ByteBuffer data(EntryBlob blob, int at) {
    int dataBytes = blob.u16(at + XtEntryMatch.OFF_SIZE) - XtEntryMatch.HEADER_SIZE;
    return ByteBuffer.wrap(blob.bytes(), at + XtEntryMatch.HEADER_SIZE, dataBytes)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }
}
