package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.cString;
import static bpfilterctl.core.iptables.ext.XtText.putCString;
import static bpfilterctl.core.iptables.ext.XtText.u32;
import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The small targets that share no struct with others: CLASSIFY, CHECKSUM, AUDIT, TRACE, IDLETIMER
 * (revisions 0, 1), LED and RATEEST.
 */
final class MiscTargetCodecs {
  private MiscTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(
          new Classify(),
          new Checksum(),
          new Audit(),
          new Trace(),
          new Idletimer(0),
          new Idletimer(1),
          new Led(),
          new Rateest());

  /** struct xt_classify_target_info { u32 priority; }: a tc handle major:minor. */
  static final class Classify extends AbstractXtExtension {
    Classify() {
      super(
          ExtensionKind.TARGET,
          "CLASSIFY",
          0,
          4,
          List.of(XtOption.mandatory("set-class", XtOptionType.STRING, 0)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      long[] majorMinor = scanHexPair(arg.arg());
      if (majorMinor == null) {
        throw RuleException.parameter("Bad class value \"" + arg.arg() + "\"");
      }
      d.data().putInt(0, (int) ((majorMinor[0] << 16) & 0xffff0000L | majorMinor[1] & 0xffff));
    }

    /** sscanf(s, "%x:%x"): two hex numbers around a colon; what follows does not matter. */
    private static long[] scanHexPair(String s) {
      int[] at = {0};
      Long major = scanHex(s, at);
      if (major == null || at[0] >= s.length() || s.charAt(at[0]) != ':') {
        return null;
      }
      at[0]++;
      Long minor = scanHex(s, at);
      return minor == null ? null : new long[] {major, minor};
    }

    private static Long scanHex(String s, int[] at) {
      int i = at[0];
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      boolean negative = false;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        negative = s.charAt(i) == '-';
        i++;
      }
      if (i + 1 < s.length()
          && s.charAt(i) == '0'
          && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
        i += 2;
      }
      int from = i;
      long v = 0;
      while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 128) {
        v = v * 16 + Character.digit(s.charAt(i), 16);
        v = Math.min(v, 0x1_0000_0000L); // beyond 32 bits the result is clamped
        i++;
      }
      if (i == from) {
        return null;
      }
      at[0] = i;
      return negative ? -v : v;
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      long p = u32(d.data(), 0);
      out.append(" CLASSIFY set ")
          .append(Long.toHexString(p >>> 16))
          .append(':')
          .append(Long.toHexString(p & 0xffff));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      long p = u32(d.data(), 0);
      out.append(String.format(" --set-class %04x:%04x", p >>> 16, p & 0xffff));
    }
  }

  /** struct xt_CHECKSUM_info { u8 operation; }: 1 fills in the checksum. */
  static final class Checksum extends AbstractXtExtension {
    Checksum() {
      super(
          ExtensionKind.TARGET,
          "CHECKSUM",
          0,
          1,
          List.of(XtOption.mandatory("checksum-fill", XtOptionType.NONE, 0)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      d.data().put(0, (byte) 1);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" CHECKSUM");
      if ((u8(d.data(), 0) & 1) != 0) {
        out.append(" fill");
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      if ((u8(d.data(), 0) & 1) != 0) {
        out.append(" --checksum-fill");
      }
    }
  }

  /** struct xt_audit_info { u8 type; }: accept, drop, reject. */
  static final class Audit extends AbstractXtExtension {
    private static final String[] TYPES = {"accept", "drop", "reject"};

    Audit() {
      super(
          ExtensionKind.TARGET,
          "AUDIT",
          0,
          1,
          List.of(XtOption.mandatory("type", XtOptionType.STRING, 0)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      for (int i = 0; i < TYPES.length; i++) {
        if (TYPES[i].equalsIgnoreCase(arg.arg())) {
          d.data().put(0, (byte) i);
          return;
        }
      }
      throw RuleException.parameter("Bad action type value \"" + arg.arg() + "\"");
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      int t = u8(d.data(), 0);
      out.append(" AUDIT ");
      if (t < TYPES.length) {
        out.append(TYPES[t]);
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      int t = u8(d.data(), 0);
      if (t < TYPES.length) {
        out.append(" --type ").append(TYPES[t]);
      }
    }
  }

  /** TRACE: no data, no options, prints nothing. */
  static final class Trace extends AbstractXtExtension {
    Trace() {
      super(ExtensionKind.TARGET, "TRACE", 0, 0, List.of());
    }

    @Override
    public void parse(XtArg arg, ExtData d) {}

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {}

    @Override
    public void save(ExtData d, StringBuilder out) {}
  }

  /**
   * struct idletimer_tg_info { u32 timeout; char label[28]; kernel pointer } and v1, which puts u8
   * send_nl_msg and u8 timer_type before the pointer.
   */
  static final class Idletimer extends AbstractXtExtension {
    private static final int O_TIMEOUT = 0;
    private static final int O_LABEL = 1;
    private static final int O_ALARM = 2;
    private static final int LABEL_SIZE = 28;
    private static final int TIMER_TYPE = 33;
    private static final int ALARM = 1;

    Idletimer(int revision) {
      super(
          ExtensionKind.TARGET, "IDLETIMER", revision, revision == 0 ? 40 : 48, options(revision));
    }

    private static List<XtOption> options(int revision) {
      XtOption timeout = XtOption.mandatory("timeout", XtOptionType.UINT32, O_TIMEOUT);
      XtOption label =
          XtOption.mandatory("label", XtOptionType.STRING, O_LABEL).withSize(LABEL_SIZE);
      return revision == 0
          ? List.of(timeout, label)
          : List.of(timeout, label, XtOption.flag("alarm", O_ALARM));
    }

    @Override
    public int userSpaceSize() {
      return dataSize() - 8; // up to the kernel's timer pointer
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      switch (arg.id()) {
        case O_TIMEOUT -> d.data().putInt(0, (int) arg.val());
        case O_LABEL -> putCString(d.data(), 4, LABEL_SIZE, arg.arg());
        case O_ALARM -> d.data().put(TIMER_TYPE, (byte) ALARM);
        default -> {}
      }
    }

    private void describe(ExtData d, String timeout, String label, String alarm, StringBuilder o) {
      o.append(timeout).append(u32(d.data(), 0));
      o.append(label).append(cString(d.data(), 4, LABEL_SIZE));
      if (revision() > 0 && u8(d.data(), TIMER_TYPE) == ALARM) {
        o.append(alarm);
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, " timeout:", " label:", " alarm", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, " --timeout ", " --label ", " --alarm", out);
    }
  }

  /** struct xt_led_info { char id[27]; u8 always_blink; u32 delay; kernel pointer }. */
  static final class Led extends AbstractXtExtension {
    private static final int O_TRIGGER_ID = 0;
    private static final int O_DELAY = 1;
    private static final int O_ALWAYS_BLINK = 2;
    private static final int ID_SIZE = 27;
    private static final String ID_PREFIX = "netfilter-";

    Led() {
      super(
          ExtensionKind.TARGET,
          "LED",
          0,
          40,
          List.of(
              XtOption.mandatory("led-trigger-id", XtOptionType.STRING, O_TRIGGER_ID)
                  .withRange(0, ID_SIZE - ID_PREFIX.length() - 1),
              XtOption.of("led-delay", XtOptionType.STRING, O_DELAY),
              XtOption.flag("led-always-blink", O_ALWAYS_BLINK)));
    }

    @Override
    public int userSpaceSize() {
      return 32;
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_TRIGGER_ID -> putCString(b, 0, ID_SIZE, ID_PREFIX + arg.arg());
        case O_DELAY -> {
          if (arg.arg().regionMatches(true, 0, "inf", 0, 3)) {
            b.putInt(28, -1);
          } else {
            Long v = CNumbers.xtStrtoulStrict(arg.arg(), 0, 0xffffffffL);
            if (v == null) {
              throw RuleException.parameter("Delay value must be within range 0..4294967295");
            }
            b.putInt(28, v.intValue());
          }
        }
        case O_ALWAYS_BLINK -> b.put(27, (byte) 1);
        default -> {}
      }
    }

    private static void quotedId(ByteBuffer b, StringBuilder out) {
      String id = cString(b, 0, ID_SIZE);
      id = id.length() >= ID_PREFIX.length() ? id.substring(ID_PREFIX.length()) : "";
      out.append('"');
      for (char c : id.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\');
        }
        out.append(c);
      }
      out.append('"');
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      out.append(" led-trigger-id:");
      quotedId(b, out);
      int delay = b.getInt(28);
      out.append(delay == -1 ? " led-delay:inf" : " led-delay:" + delay + "ms");
      if (u8(b, 27) != 0) {
        out.append(" led-always-blink");
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      out.append(" --led-trigger-id ");
      quotedId(b, out);
      int delay = b.getInt(28);
      if (delay > 0) {
        out.append(" --led-delay ").append(delay);
      } else if (delay == -1) {
        out.append(" --led-delay inf");
      }
      if (u8(b, 27) != 0) {
        out.append(" --led-always-blink");
      }
    }
  }

  /**
   * struct xt_rateest_target_info { char name[16]; s8 interval; u8 ewma_log; kernel pointer }. The
   * two times are parsed into the kernel pointer's bytes (zero in what iptables sends) and turned
   * into the exponents by the final check, which zeroes them again.
   */
  static final class Rateest extends AbstractXtExtension {
    private static final int O_NAME = 0;
    private static final int O_INTERVAL = 1;
    private static final int O_EWMALOG = 2;
    private static final int NAME_SIZE = 16;
    private static final int INTERVAL_US = 24;
    private static final int EWMALOG_US = 28;
    private static final int UNITS_PER_SEC = 1_000_000;

    Rateest() {
      super(
          ExtensionKind.TARGET,
          "RATEEST",
          0,
          32,
          List.of(
              XtOption.mandatory("rateest-name", XtOptionType.STRING, O_NAME).withSize(NAME_SIZE),
              XtOption.mandatory("rateest-interval", XtOptionType.STRING, O_INTERVAL),
              XtOption.mandatory("rateest-ewmalog", XtOptionType.STRING, O_EWMALOG)));
    }

    @Override
    public int userSpaceSize() {
      return 24;
    }

    /** RATEEST_get_time: a number with an optional s/ms/us unit, in microseconds. */
    private static Long time(String s) {
      double[] num = XtText.strtodPrefix(s);
      if (num == null) {
        return null;
      }
      double t = num[0];
      String unit = s.substring((int) num[1]).toLowerCase(java.util.Locale.ROOT);
      switch (unit) {
        case "" -> {}
        case "s", "sec", "secs" -> t *= UNITS_PER_SEC;
        case "ms", "msec", "msecs" -> t *= UNITS_PER_SEC / 1000;
        case "us", "usec", "usecs" -> t *= 1;
        default -> {
          return null;
        }
      }
      return toUnsignedInt(t);
    }

    /** The C conversion of a double to unsigned int, for values it defines. */
    private static long toUnsignedInt(double t) {
      if (!(t > -1) || t >= 4294967296.0) {
        return 0; // undefined in C; x86-64 gives 0 for most such values
      }
      return (long) t & 0xffffffffL;
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_NAME -> putCString(b, 0, NAME_SIZE, arg.arg());
        case O_INTERVAL, O_EWMALOG -> {
          Long t = time(arg.arg());
          String what = arg.id() == O_INTERVAL ? "interval" : "ewmalog";
          if (t == null) {
            throw RuleException.parameter("RATEEST: bad " + what + " value \"" + arg.arg() + "\"");
          }
          b.putInt(arg.id() == O_INTERVAL ? INTERVAL_US : EWMALOG_US, t.intValue());
        }
        default -> {}
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      long interval = u32(b, INTERVAL_US);
      long ewma = u32(b, EWMALOG_US);
      b.putLong(INTERVAL_US, 0);
      int exp = 0;
      while (exp <= 5 && interval > (long) (1 << exp) * (UNITS_PER_SEC / 4)) {
        exp++;
      }
      if (exp > 5) {
        throw RuleException.parameter("RATEEST: interval value is too large");
      }
      b.put(16, (byte) (exp - 2));
      int log = 1;
      for (; log < 32; log++) {
        double w = 1.0 - 1.0 / (1 << log);
        if (interval / -Math.log(w) > ewma) {
          break;
        }
      }
      log--;
      b.put(17, (byte) log);
      if (log == 0 || log >= 31) {
        throw RuleException.parameter("RATEEST: ewmalog value is out of range");
      }
    }

    private static void time(long us, StringBuilder out) {
      double t = us;
      if (t >= UNITS_PER_SEC) {
        out.append(' ').append(XtText.fixed1(t / UNITS_PER_SEC)).append('s');
      } else if (t >= UNITS_PER_SEC / 1000) {
        out.append(' ').append(XtText.fixed1(t / (UNITS_PER_SEC / 1000))).append("ms");
      } else {
        out.append(' ').append(us).append("us");
      }
    }

    private static void describe(ExtData d, String prefix, StringBuilder out) {
      ByteBuffer b = d.data();
      int interval = b.get(16);
      int ewmaLog = u8(b, 17);
      long localInterval = ((long) (UNITS_PER_SEC << (interval + 2)) / 4) & 0xffffffffL;
      long localEwma = (localInterval * (1L << ewmaLog)) & 0xffffffffL;
      out.append(' ').append(prefix).append("name ").append(cString(b, 0, NAME_SIZE));
      out.append(' ').append(prefix).append("interval");
      time(localInterval, out);
      out.append(' ').append(prefix).append("ewmalog");
      time(localEwma, out);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, "--rateest-", out);
    }
  }
}
