package bpfilterctl.core.umh.tables;

import bpfilterctl.core.kernel.KernelExtension;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * ip_tables' copy_entries_to_user: writes each entry's 112-byte header with its current counters,
 * then, per match and target, the size, the extension's own name (strlen + 1 bytes), its revision,
 * and the data up to the extension's usersize, zeroing the rest. Bytes it does not write keep what
 * the caller's buffer held.
 */
final class EntriesWriter {
  private EntriesWriter() {}

  static void write(Table table, byte[] out, int at) {
    TranslatedTable t = table.entries();
    byte[] src = t.entries();
    ByteBuffer in = Abi.wrap(src);
    ByteBuffer o = Abi.wrap(out);
    java.util.List<bpfilterctl.core.uapi.XtCounters> counters = table.counters();
    for (int i = 0; i < t.number(); i++) {
      EntryLayout entry = t.layout().get(i);
      int e = entry.offset();
      System.arraycopy(src, e, out, at + e, IptEntry.SIZE);
      counters.get(i).encode(o, at + e + IptEntry.OFF_COUNTERS);
      for (Placed m : entry.matches()) {
        writeExtension(in, o, e + m.offset(), at + e + m.offset(), m);
      }
      writeExtension(
          in, o, e + entry.target().offset(), at + e + entry.target().offset(), entry.target());
    }
  }

  /**
   * xt_data_to_user: usersize bytes (matchsize when it declares none), then zeros up to the aligned
   * size, so the padding after the kernel's own size always reads back as zeros.
   */
  private static int copiedBytes(KernelExtension ext, int dataBytes) {
    if (ext.dataSize() == KernelExtension.ANY_SIZE) {
      return dataBytes;
    }
    int user = ext.userSize() > 0 ? ext.userSize() : ext.dataSize();
    return Math.min(dataBytes, Math.max(0, user));
  }

  private static void writeExtension(ByteBuffer in, ByteBuffer out, int from, int to, Placed p) {
    // Matches and targets share the header layout.
    int size = Short.toUnsignedInt(in.getShort(from + XtEntryMatch.OFF_SIZE));
    out.putShort(to + XtEntryMatch.OFF_SIZE, (short) size);
    byte[] name = p.extension().name().getBytes(StandardCharsets.ISO_8859_1);
    out.put(to + XtEntryMatch.OFF_NAME, name);
    out.put(to + XtEntryMatch.OFF_NAME + name.length, (byte) 0);
    out.put(to + XtEntryMatch.OFF_REVISION, (byte) p.extension().revision());
    int dataBytes = size - XtEntryMatch.HEADER_SIZE;
    int copied = copiedBytes(p.extension(), dataBytes);
    int data = XtEntryMatch.HEADER_SIZE;
    for (int i = 0; i < dataBytes; i++) {
      out.put(to + data + i, i < copied ? in.get(from + data + i) : 0);
    }
  }
}
