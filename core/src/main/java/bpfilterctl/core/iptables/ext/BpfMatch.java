package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bpf match (libxt_bpf.c) with a classic BPF program given as nfbpf_compile prints it: "N,code
 * jt jf k,code jt jf k,...". Revision 0, 528 bytes: {@code u16 len}, 64 sock_filters of 8 bytes at
 * 4, a kernel pointer. Revision 1, 528 bytes: {@code u16 mode, u16 len, s32 fd}, the program or a
 * pinned object's path at 8, a kernel pointer.
 *
 * <p>--object-pinned needs a file descriptor from bpf(BPF_OBJ_GET) that the kernel module would
 * read in the caller's process; no such descriptor can reach the umh, so it is always refused with
 * iptables' message for an object it cannot get.
 */
final class BpfMatch extends AbstractXtExtension {
  static final List<XtExtension> ALL = List.of(new BpfMatch(0), new BpfMatch(1));

  static final int MAX_INSTR = 64;
  static final int MODE_BYTECODE = 0;
  static final int MODE_FD_PINNED = 1;
  private static final int PATH_MAX = MAX_INSTR * 8;

  private static final int O_BYTECODE = 0;
  private static final int O_PINNED = 1;

  private BpfMatch(int revision) {
    super(ExtensionKind.MATCH, "bpf", revision, 528, optionsOf(revision));
  }

  private static List<XtOption> optionsOf(int revision) {
    XtOption bytecode = XtOption.of("bytecode", XtOptionType.STRING, O_BYTECODE, 0);
    if (revision == 0) {
      return List.of(bytecode);
    }
    return List.of(
        bytecode,
        XtOption.of("object-pinned", XtOptionType.STRING, O_PINNED, 0).withSize(PATH_MAX));
  }

  @Override
  public int userSpaceSize() {
    return 520;
  }

  private int offLen() {
    return revision() == 0 ? 0 : 2;
  }

  private int offProgram() {
    return revision() == 0 ? 4 : 8;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    if (arg.id() == O_PINNED) {
      XtText.putCString(b, offProgram(), PATH_MAX, arg.arg());
      throw RuleException.parameter("bpf: failed to get bpf object");
    }
    parseProgram(arg.arg(), b);
    if (revision() == 1) {
      b.putShort(0, (short) MODE_BYTECODE);
    }
  }

  private void parseProgram(String text, ByteBuffer b) throws RuleException {
    // sscanf("%hu%c"): a number, then a comma right after it.
    Scan head = Scan.number(text, 0);
    if (head == null || head.end() >= text.length() || text.charAt(head.end()) != ',') {
      throw RuleException.parameter("bpf: error parsing program length");
    }
    int len = (int) (head.value() & 0xffff);
    if (len == 0) {
      throw RuleException.parameter("bpf: illegal zero length program");
    }
    if (len > MAX_INSTR) {
      throw RuleException.parameter("bpf: number of instructions exceeds maximum");
    }
    int i = 0;
    int token = 0;
    while (true) {
      int comma = text.indexOf(',', token);
      if (comma < 0 || comma + 1 >= text.length()) {
        break;
      }
      token = comma + 1;
      if (i >= len) {
        throw RuleException.parameter(
            "bpf: real program length exceeds the encoded length parameter");
      }
      // sscanf("%hu %hhu %hhu %u,"): four numbers, blanks between them optional.
      Scan code = Scan.number(text, token);
      Scan jt = code == null ? null : Scan.number(text, code.end());
      Scan jf = jt == null ? null : Scan.number(text, jt.end());
      Scan k = jf == null ? null : Scan.number(text, jf.end());
      if (k == null) {
        throw RuleException.parameter("bpf: error at instr " + i);
      }
      int at = offProgram() + 8 * i;
      b.putShort(at, (short) code.value());
      b.put(at + 2, (byte) jt.value());
      b.put(at + 3, (byte) jf.value());
      b.putInt(at + 4, (int) k.value());
      i++;
    }
    if (i != len) {
      throw RuleException.parameter(
          "bpf: parsed program length is less than the encoded length parameter");
    }
    b.putShort(offLen(), (short) len);
  }

  /** One scanf %u conversion: blanks, an optional sign, decimal digits (mod 2^64 on a '-'). */
  private record Scan(long value, int end) {
    static Scan number(String s, int from) {
      int i = from;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      int sign = i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-') ? 1 : 0;
      if (i + sign >= s.length() || !Character.isDigit(s.charAt(i + sign))) {
        return null;
      }
      CNumbers.Parsed p = CNumbers.strtoull(s, i, 10);
      return new Scan(p.value(), p.end());
    }
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    int flags = d.seen() & ((1 << O_BYTECODE) | (1 << O_PINNED));
    if (revision() == 0 && flags == 0) {
      throw RuleException.parameter("bpf: missing --bytecode parameter");
    }
    if (revision() == 1 && flags != 1 << O_BYTECODE && flags != 1 << O_PINNED) {
      throw RuleException.parameter("bpf: one of --bytecode or --pinned is required");
    }
  }

  private int mode(ByteBuffer b) {
    return revision() == 0 ? MODE_BYTECODE : b.getShort(0) & 0xffff;
  }

  /** "code jt jf k" joined by commas, the last one followed by {@code tail}. */
  private void code(ByteBuffer b, char tail, StringBuilder out) {
    int len = b.getShort(offLen()) & 0xffff;
    for (int i = 0; i < len && i < MAX_INSTR; i++) {
      int at = offProgram() + 8 * i;
      out.append(b.getShort(at) & 0xffff)
          .append(' ')
          .append(b.get(at + 2) & 0xff)
          .append(' ')
          .append(b.get(at + 3) & 0xff)
          .append(' ')
          .append(Integer.toUnsignedString(b.getInt(at + 4)))
          .append(len - i > 1 ? ',' : tail);
    }
  }

  // iptables prints no blank before "match" and ends the program with a NUL byte.
  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append("match bpf ");
    switch (mode(b)) {
      case MODE_BYTECODE -> code(b, '\0', out);
      case MODE_FD_PINNED -> out.append("pinned ").append(XtText.cString(b, 8, PATH_MAX));
      default -> out.append("unknown");
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    switch (mode(b)) {
      case MODE_BYTECODE -> {
        out.append(" --bytecode \"").append(b.getShort(offLen()) & 0xffff).append(',');
        code(b, '"', out);
      }
      case MODE_FD_PINNED -> out.append(" --object-pinned ").append(XtText.cString(b, 8, PATH_MAX));
      default -> {
        // iptables stops with "unknown bpf mode"; nothing can be saved.
      }
    }
  }
}
