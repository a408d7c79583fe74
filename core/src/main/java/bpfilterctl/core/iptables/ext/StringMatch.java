package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * string revision 1 (libxt_string.c): struct xt_string_info { u16 from_offset, to_offset; char
 * algo[16]; char pattern[128]; u8 patlen; u8 flags; kernel pointer at 152 }, 160 bytes.
 */
public final class StringMatch extends AbstractXtExtension {
  static final int MAX_PATTERN = 128;
  static final int ALGO = 4;
  static final int PATTERN = 20;
  static final int PATLEN = 148;
  static final int FLAGS = 149;
  static final int INVERT = 1;
  static final int IGNORECASE = 2;
  static final int O_FROM = 0;
  static final int O_TO = 1;
  static final int O_ALGO = 2;
  static final int O_ICASE = 3;
  static final int O_STRING = 4;
  static final int O_HEX_STRING = 5;

  public static final List<XtExtension> ALL = List.of(new StringMatch());

  private StringMatch() {
    super(
        ExtensionKind.MATCH,
        "string",
        1,
        160,
        List.of(
            XtOption.of("from", XtOptionType.UINT16, O_FROM, 0),
            XtOption.of("to", XtOptionType.UINT16, O_TO, 0),
            XtOption.of("algo", XtOptionType.STRING, O_ALGO, XtOption.MAND).withSize(16),
            XtOption.of("string", XtOptionType.STRING, O_STRING, XtOption.INVERT)
                .withExcl(1 << O_HEX_STRING),
            XtOption.of("hex-string", XtOptionType.STRING, O_HEX_STRING, XtOption.INVERT)
                .withExcl(1 << O_STRING),
            XtOption.of("icase", XtOptionType.NONE, O_ICASE, 0)));
  }

  @Override
  public int userSpaceSize() {
    return 152;
  }

  @Override
  public void init(ExtData d) {
    d.data().putShort(2, (short) 0xffff);
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    switch (a.id()) {
      case O_FROM -> b.putShort(0, (short) a.val());
      case O_TO -> b.putShort(2, (short) a.val());
      case O_ALGO -> XtPrint.putCString(b, ALGO, 16, a.arg());
      case O_ICASE -> b.put(FLAGS, (byte) (XtPrint.u8(b, FLAGS) | IGNORECASE));
      default -> {
        byte[] pattern =
            a.id() == O_STRING
                ? plain(a.arg())
                : hex(a.arg().getBytes(StandardCharsets.UTF_8), a.arg());
        b.put(PATTERN, pattern).put(PATLEN, (byte) pattern.length);
        if (a.invert()) {
          b.put(FLAGS, (byte) (XtPrint.u8(b, FLAGS) | INVERT));
        }
      }
    }
  }

  private static byte[] plain(String s) throws RuleException {
    byte[] p = s.getBytes(StandardCharsets.UTF_8);
    if (p.length > MAX_PATTERN) {
      throw RuleException.parameter("STRING too long \"" + s + "\"");
    }
    return p;
  }

  /** parse_hex_string: literal text with |hex bytes| blocks and \-escaped literals. */
  static byte[] hex(byte[] s, String text) throws RuleException {
    int slen = s.length;
    if (slen == 0) {
      throw RuleException.parameter("STRING must contain at least one char");
    }
    byte[] out = new byte[MAX_PATTERN];
    int i = 0;
    int n = 0;
    boolean hexMode = false;
    boolean literal = false;
    while (i < slen) {
      if (n >= MAX_PATTERN) {
        throw RuleException.parameter("STRING too long \"" + text + "\"");
      }
      if (s[i] == '\\' && !hexMode) {
        literal = true;
      } else if (s[i] == '\\') {
        throw RuleException.parameter("Cannot include literals in hex data");
      } else if (s[i] == '|') {
        if (hexMode) {
          hexMode = false;
        } else {
          hexMode = true;
          while (i + 1 < slen && s[i + 1] == ' ') {
            i++;
          }
        }
        if (i + 1 >= slen) {
          break;
        }
        i++;
      }
      if (literal) {
        if (i + 1 >= slen) {
          throw RuleException.parameter("Bad literal placement at end of string");
        }
        out[n] = s[i + 1];
        i += 2;
        literal = false;
      } else if (hexMode) {
        if (i + 1 >= slen) {
          throw RuleException.parameter("Odd number of hex digits");
        }
        if (i + 2 >= slen) {
          throw RuleException.parameter("Invalid hex block");
        }
        for (int k = 0; k < 2; k++) {
          if (Character.digit(s[i + k], 16) < 0 || s[i + k] < 0) {
            throw RuleException.parameter("Invalid hex char '" + (char) (s[i + k] & 0xff) + "'");
          }
        }
        out[n] = (byte) (Character.digit(s[i], 16) * 16 + Character.digit(s[i + 1], 16));
        i += s[i + 2] == ' ' ? 3 : 2;
      } else {
        out[n] = s[i];
        i++;
      }
      n++;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static boolean needsHex(byte[] p) {
    for (byte c : p) {
      if (c < 0x20 || c > 0x7e) {
        return true;
      }
    }
    return p.length > 0 && p[p.length - 1] == '\\';
  }

  private static void pattern(byte[] p, StringBuilder out) {
    if (needsHex(p)) {
      out.append(" \"|");
      for (byte c : p) {
        out.append(String.format("%02x", c & 0xff));
      }
      out.append("|\"");
      return;
    }
    out.append(" \"");
    for (byte c : p) {
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append((char) c);
    }
    out.append('"');
  }

  private static byte[] pattern(ByteBuffer b) {
    byte[] p = new byte[Math.min(XtPrint.u8(b, PATLEN), MAX_PATTERN)];
    b.get(PATTERN, p);
    return p;
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (!d.seen(O_STRING) && !d.seen(O_HEX_STRING)) {
      throw RuleException.parameter("STRING match: You must specify `--string' or `--hex-string'");
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = XtPrint.u8(b, FLAGS);
    out.append(" STRING match ").append((flags & INVERT) != 0 ? "!" : "");
    pattern(pattern(b), out);
    out.append(" ALGO name ").append(XtPrint.cString(b, ALGO, 16));
    if (XtPrint.u16(b, 0) != 0) {
      out.append(" FROM ").append(XtPrint.u16(b, 0));
    }
    if (XtPrint.u16(b, 2) != 0xffff) {
      out.append(" TO ").append(XtPrint.u16(b, 2));
    }
    if ((flags & IGNORECASE) != 0) {
      out.append(" ICASE");
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = XtPrint.u8(b, FLAGS);
    byte[] p = pattern(b);
    out.append((flags & INVERT) != 0 ? " !" : "")
        .append(needsHex(p) ? " --hex-string" : " --string");
    pattern(p, out);
    out.append(" --algo ").append(XtPrint.cString(b, ALGO, 16));
    if (XtPrint.u16(b, 0) != 0) {
      out.append(" --from ").append(XtPrint.u16(b, 0));
    }
    if (XtPrint.u16(b, 2) != 0xffff) {
      out.append(" --to ").append(XtPrint.u16(b, 2));
    }
    if ((flags & IGNORECASE) != 0) {
      out.append(" --icase");
    }
  }
}
