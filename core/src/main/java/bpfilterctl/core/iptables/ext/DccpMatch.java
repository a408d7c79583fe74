package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The dccp match (libxt_dccp.c), struct xt_dccp_info, 16 bytes: {@code u16 dpts[2]} at 0, {@code
 * u16 spts[2]} at 4, {@code u16 flags} at 8, {@code u16 invflags} at 10, {@code u16 typemask} at
 * 12, {@code u8 option} at 14.
 */
final class DccpMatch extends AbstractXtExtension {
  static final DccpMatch INSTANCE = new DccpMatch();

  static final int SRC_PORTS = 0x01;
  static final int DEST_PORTS = 0x02;
  static final int TYPE = 0x04;
  static final int OPTION = 0x08;

  static final int OFF_DPTS = 0;
  static final int OFF_SPTS = 4;
  static final int OFF_FLAGS = 8;
  static final int OFF_INVFLAGS = 10;
  static final int OFF_TYPEMASK = 12;
  static final int OFF_OPTION = 14;

  private static final int O_SOURCE_PORT = 0;
  private static final int O_DEST_PORT = 1;
  private static final int O_TYPES = 2;
  private static final int O_OPTION = 3;

  /** DCCP packet types by number; INVALID (10) also stands for the unassigned 11..15. */
  private static final List<String> TYPES =
      List.of(
          "REQUEST",
          "RESPONSE",
          "DATA",
          "ACK",
          "DATAACK",
          "CLOSEREQ",
          "CLOSE",
          "RESET",
          "SYNC",
          "SYNCACK",
          "INVALID");

  private static final int INVALID = 10;
  private static final int INVALID_OTHER_TYPES = 0xf800;

  private DccpMatch() {
    super(
        ExtensionKind.MATCH,
        "dccp",
        0,
        16,
        List.of(
            XtOption.of("source-port", XtOptionType.PORTRC, O_SOURCE_PORT, XtOption.INVERT),
            XtOption.of("sport", XtOptionType.PORTRC, O_SOURCE_PORT, XtOption.INVERT),
            XtOption.of("destination-port", XtOptionType.PORTRC, O_DEST_PORT, XtOption.INVERT),
            XtOption.of("dport", XtOptionType.PORTRC, O_DEST_PORT, XtOption.INVERT),
            XtOption.of("dccp-types", XtOptionType.STRING, O_TYPES, XtOption.INVERT),
            XtOption.of("dccp-option", XtOptionType.UINT8, O_OPTION, XtOption.INVERT)
                .withRange(1, 255)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int bit;
    switch (arg.id()) {
      case O_SOURCE_PORT, O_DEST_PORT -> {
        bit = arg.id() == O_SOURCE_PORT ? SRC_PORTS : DEST_PORTS;
        int off = bit == SRC_PORTS ? OFF_SPTS : OFF_DPTS;
        long lo = arg.nvals() >= 1 ? arg.val(0) : 0;
        long hi = arg.nvals() >= 2 ? arg.val(1) : lo;
        b.putShort(off, (short) lo);
        b.putShort(off + 2, (short) hi);
      }
      case O_TYPES -> {
        bit = TYPE;
        b.putShort(OFF_TYPEMASK, (short) typeMask(arg.arg()));
      }
      default -> {
        bit = OPTION;
        b.put(OFF_OPTION, (byte) arg.val());
      }
    }
    b.putShort(OFF_FLAGS, (short) (b.getShort(OFF_FLAGS) | bit));
    if (arg.invert()) {
      b.putShort(OFF_INVFLAGS, (short) (b.getShort(OFF_INVFLAGS) | bit));
    }
  }

  private static int typeMask(String text) throws RuleException {
    int mask = 0;
    for (String token : text.split(",")) {
      if (token.isEmpty()) {
        continue; // strtok skips empty fields
      }
      int i = 0;
      while (i < TYPES.size() && !TYPES.get(i).equalsIgnoreCase(token)) {
        i++;
      }
      if (i == TYPES.size()) {
        throw RuleException.parameter("Unknown DCCP type `" + token + "'");
      }
      mask |= 1 << i;
    }
    if ((mask & (1 << INVALID)) != 0) {
      mask |= INVALID_OTHER_TYPES;
    }
    return mask;
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getShort(OFF_FLAGS);
    int inv = b.getShort(OFF_INVFLAGS);
    out.append(" dccp");
    if ((flags & SRC_PORTS) != 0) {
      XtPrint.portRange("dccp", "spt", OFF_SPTS, (inv & SRC_PORTS) != 0, numeric, d, out);
    }
    if ((flags & DEST_PORTS) != 0) {
      XtPrint.portRange("dccp", "dpt", OFF_DPTS, (inv & DEST_PORTS) != 0, numeric, d, out);
    }
    if ((flags & TYPE) != 0) {
      printTypes(b.getShort(OFF_TYPEMASK) & 0xffff, (inv & TYPE) != 0, numeric, out);
    }
    if ((flags & OPTION) != 0) {
      int option = b.get(OFF_OPTION) & 0xff;
      if (option != 0 || (inv & OPTION) != 0) {
        out.append(" option=").append((inv & OPTION) != 0 ? "!" : "").append(option);
      }
    }
  }

  /** Lowest bit first; by name INVALID ends the list (it covers 11..15). */
  private static void printTypes(int types, boolean invert, boolean numeric, StringBuilder out) {
    if (invert) {
      out.append(" !");
    }
    out.append(' ');
    boolean first = true;
    while (types != 0) {
      int i = Integer.numberOfTrailingZeros(types);
      if (!first) {
        out.append(',');
      }
      first = false;
      if (numeric) {
        out.append(i);
      } else {
        // Bits 11..15 without INVALID have no name; glibc prints a null string so.
        out.append(i < TYPES.size() ? TYPES.get(i) : "(null)");
        if (i == INVALID) {
          break;
        }
      }
      types &= ~(1 << i);
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getShort(OFF_FLAGS);
    int inv = b.getShort(OFF_INVFLAGS);
    if ((flags & SRC_PORTS) != 0) {
      savePorts("--sport", OFF_SPTS, (inv & SRC_PORTS) != 0, b, out);
    }
    if ((flags & DEST_PORTS) != 0) {
      savePorts("--dport", OFF_DPTS, (inv & DEST_PORTS) != 0, b, out);
    }
    if ((flags & TYPE) != 0) {
      out.append((inv & TYPE) != 0 ? " !" : "").append(" --dccp-types");
      printTypes(b.getShort(OFF_TYPEMASK) & 0xffff, false, false, out);
    }
    if ((flags & OPTION) != 0) {
      out.append((inv & OPTION) != 0 ? " !" : "")
          .append(" --dccp-option ")
          .append(b.get(OFF_OPTION) & 0xff);
    }
  }

  private static void savePorts(
      String option, int off, boolean invert, ByteBuffer b, StringBuilder out) {
    int lo = b.getShort(off) & 0xffff;
    int hi = b.getShort(off + 2) & 0xffff;
    if (invert) {
      out.append(" !");
    }
    out.append(' ').append(option).append(' ').append(lo);
    if (lo != hi) {
      out.append(':').append(hi);
    }
  }
}
