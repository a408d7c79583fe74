package bpfilterctl.core.umh.tables;

import bpfilterctl.core.abi.Abi;
import bpfilterctl.core.abi.FixedName;
import bpfilterctl.core.abi.IptEntry;
import bpfilterctl.core.abi.XtEntryMatch;
import bpfilterctl.core.abi.ext.ExtensionContext;
import bpfilterctl.core.abi.ext.ExtensionKind;
import bpfilterctl.core.abi.ext.KernelExtension;
import bpfilterctl.core.mbox.Errno;
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
  private final Extensions extensions;

  ExtensionChecks(Extensions extensions) {
    this.extensions = extensions;
  }

  EntryLayout check(EntryBlob blob, int e, String table) throws Rejection {
    ExtensionContext ctx =
        new ExtensionContext(
            table, blob.comefrom(e), blob.ipProto(e), blob.ipInvflags(e), blob.ipFlags(e));
    List<Placed> matches = new ArrayList<>();
    int end = e + blob.targetOffset(e);
    for (int m = e + IptEntry.SIZE; m < end; m += blob.u16(m + XtEntryMatch.OFF_SIZE)) {
      matches.add(new Placed(m - e, checked(blob, m, ExtensionKind.MATCH, ctx)));
    }
    Placed target = new Placed(end - e, checked(blob, end, ExtensionKind.TARGET, ctx));
    return new EntryLayout(e, matches, target);
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
    Optional<KernelExtension> found = extensions.find(kind, name, revision);
    if (found.isEmpty()) {
      throw new Rejection(extensions.lookupError(kind, name, revision));
    }
    KernelExtension ext = found.get();
    int dataBytes = blob.u16(at + XtEntryMatch.OFF_SIZE) - XtEntryMatch.HEADER_SIZE;
    if (ext.dataSize() != KernelExtension.ANY_SIZE && Abi.align(ext.dataSize()) != dataBytes) {
      throw new Rejection(Errno.EINVAL);
    }
    if (!ext.tables().isEmpty() && !ext.tables().contains(ctx.table())) {
      throw new Rejection(Errno.EINVAL);
    }
    if (ext.hooks() != 0 && (ctx.hookMask() & ~ext.hooks()) != 0) {
      throw new Rejection(Errno.EINVAL);
    }
    if (ext.proto() != 0
        && (ext.proto() != ctx.proto() || (ctx.invflags() & ExtensionContext.IPT_INV_PROTO) != 0)) {
      throw new Rejection(Errno.EINVAL);
    }
    // The extension sees (and may normalise, as kernel checkentry does) its own data in place.
    ByteBuffer data =
        ByteBuffer.wrap(blob.bytes(), at + XtEntryMatch.HEADER_SIZE, dataBytes)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    Optional<Errno> refused = ext.check(ctx, data);
    if (refused.isPresent()) {
      throw new Rejection(refused.get());
    }
    return ext;
  }
}
