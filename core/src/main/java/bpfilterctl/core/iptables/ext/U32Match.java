package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * u32 (libxt_u32.c): struct xt_u32 { xt_u32_test tests[11]; u8 ntests, invert; }, 1984 bytes; a
 * test is location[11] {u32 number; u8 nextop} (8 bytes each), value[11] {u32 min, max}, u8 nnums,
 * nvalues: 180 bytes.
 */
public final class U32Match extends AbstractXtExtension {
  static final int MAXSIZE = 10;
  static final int TEST = 180;
  static final int VALUES = 88;
  static final int NNUMS = 176;
  static final int NVALUES = 177;
  static final int NTESTS = 11 * TEST;
  static final String[] OPS = {"&", "<<", ">>", "@"};

  public static final List<XtExtension> ALL = List.of(new U32Match());

  private U32Match() {
    super(
        ExtensionKind.MATCH,
        "u32",
        0,
        NTESTS + 4,
        List.of(XtOption.of("u32", XtOptionType.STRING, 0, XtOption.MAND | XtOption.INVERT)));
  }

  private static RuleException at(int pos, String what) {
    return RuleException.parameter("u32: at char " + pos + ": " + what);
  }

  /** parse_number: a number 0..2^32-1 (base 0) at the cursor; advances it. */
  private static long number(String s, int[] cur) throws RuleException {
    CNumbers.Parsed p = CNumbers.xtStrtoul(s, cur[0], 0, 0xffffffffL);
    if (p == null || p.end() == cur[0]) {
      throw at(cur[0], "not a number or out of range");
    }
    cur[0] = p.end();
    return p.value();
  }

  private static char c(String s, int i) {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    String s = a.arg();
    b.put(NTESTS + 1, (byte) (a.invert() ? 1 : 0));
    int test = 0;
    int loc = 0;
    int val = 0;
    int state = 0;
    int[] cur = {0};
    while (true) {
      while (CNumbers.isSpace(c(s, cur[0]))) {
        cur[0]++;
      }
      int t = test * TEST;
      if (c(s, cur[0]) == '\0') {
        if (state == 0) {
          throw RuleException.parameter("u32: abrupt end of input after location specifier");
        }
        if (val == 0) {
          throw RuleException.parameter("u32: test ended with no value specified");
        }
        b.put(t + NNUMS, (byte) loc).put(t + NVALUES, (byte) val);
        b.put(NTESTS, (byte) ++test);
        if (test > MAXSIZE) {
          throw at(cur[0], "too many \"&&\"s");
        }
        return;
      }
      if (state == 0) {
        if (c(s, cur[0]) == '=') {
          if (loc == 0) {
            throw at(cur[0], "location spec missing");
          }
          cur[0]++;
          state = 1;
          continue;
        }
        if (loc != 0) {
          char op = c(s, cur[0]);
          int code;
          if (op == '&') {
            code = 0;
          } else if (op == '<' || op == '>') {
            cur[0]++;
            if (c(s, cur[0]) != op) {
              throw at(cur[0], "a second '" + op + "' was expected");
            }
            code = op == '<' ? 1 : 2;
          } else if (op == '@') {
            code = 3;
          } else {
            throw at(cur[0], "operator expected");
          }
          b.put(t + loc * 8 + 4, (byte) code);
          cur[0]++;
        }
        b.putInt(t + loc * 8, (int) number(s, cur));
        if (++loc > MAXSIZE) {
          throw at(cur[0], "too many operators");
        }
      } else if (c(s, cur[0]) == '&') {
        cur[0]++;
        if (c(s, cur[0]) != '&') {
          throw at(cur[0], "a second '&' was expected");
        }
        if (val == 0) {
          throw at(cur[0], "value spec missing");
        }
        b.put(t + NNUMS, (byte) loc).put(t + NVALUES, (byte) val);
        if (++test > MAXSIZE) {
          throw at(cur[0], "too many \"&&\"s");
        }
        cur[0]++;
        state = 0;
        loc = 0;
        val = 0;
      } else {
        if (val > 0) {
          if (c(s, cur[0]) != ',') {
            throw at(cur[0], "expected \",\" or \"&&\"");
          }
          cur[0]++;
        }
        long min = number(s, cur);
        while (CNumbers.isSpace(c(s, cur[0]))) {
          cur[0]++;
        }
        long max = min;
        if (c(s, cur[0]) == ':') {
          cur[0]++;
          max = number(s, cur);
        }
        b.putInt(t + VALUES + val * 8, (int) min).putInt(t + VALUES + val * 8 + 4, (int) max);
        if (++val > MAXSIZE) {
          throw at(cur[0], "too many \",\"s");
        }
      }
    }
  }

  private static void dump(ByteBuffer b, StringBuilder out) {
    out.append(" \"");
    int n = Math.min(XtPrint.u8(b, NTESTS), MAXSIZE + 1);
    for (int i = 0; i < n; i++) {
      int t = i * TEST;
      if (i > 0) {
        out.append("&&");
      }
      out.append(XtPrint.hex(XtPrint.u32(b, t)));
      int nnums = Math.min(XtPrint.u8(b, t + NNUMS), MAXSIZE + 1);
      for (int k = 1; k < nnums; k++) {
        int op = XtPrint.u8(b, t + k * 8 + 4);
        out.append(op < 4 ? OPS[op] : "").append(XtPrint.hex(XtPrint.u32(b, t + k * 8)));
      }
      out.append('=');
      int nvalues = Math.min(XtPrint.u8(b, t + NVALUES), MAXSIZE + 1);
      for (int k = 0; k < nvalues; k++) {
        long min = XtPrint.u32(b, t + VALUES + k * 8);
        long max = XtPrint.u32(b, t + VALUES + k * 8 + 4);
        out.append(k > 0 ? "," : "").append(XtPrint.hex(min));
        if (min != max) {
          out.append(':').append(XtPrint.hex(max));
        }
      }
    }
    out.append('"');
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" u32").append(d.data().get(NTESTS + 1) != 0 ? " !" : "");
    dump(d.data(), out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(d.data().get(NTESTS + 1) != 0 ? " !" : "").append(" --u32");
    dump(d.data(), out);
  }
}
