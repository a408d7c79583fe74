package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * time (libxt_time.c): struct xt_time_info { u32 date_start, date_stop, daytime_start,
 * daytime_stop, monthdays_match; u8 weekdays_match, flags; }, 24 bytes. Dates are UTC seconds.
 */
public final class TimeMatch extends AbstractXtExtension {
  static final int LOCAL_TZ = 1;
  static final int CONTIGUOUS = 2;
  static final long ALL_MONTHDAYS = 0xfffffffeL;
  static final int ALL_WEEKDAYS = 0xfe;
  static final int MAX_DAYTIME = 24 * 60 * 60 - 1;
  static final String[] WEEK_DAYS = {null, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

  static final int O_DATE_START = 0;
  static final int O_DATE_STOP = 1;
  static final int O_TIME_START = 2;
  static final int O_TIME_STOP = 3;
  static final int O_TIME_CONTIGUOUS = 4;
  static final int O_MONTHDAYS = 5;
  static final int O_WEEKDAYS = 6;
  static final int O_LOCAL_TZ = 7;
  static final int O_UTC = 8;
  static final int O_KERNEL_TZ = 9;

  public static final List<XtExtension> ALL = List.of(new TimeMatch());

  private TimeMatch() {
    super(
        ExtensionKind.MATCH,
        "time",
        0,
        24,
        List.of(
            XtOption.of("datestart", XtOptionType.STRING, O_DATE_START, 0),
            XtOption.of("datestop", XtOptionType.STRING, O_DATE_STOP, 0),
            XtOption.of("timestart", XtOptionType.STRING, O_TIME_START, 0),
            XtOption.of("timestop", XtOptionType.STRING, O_TIME_STOP, 0),
            XtOption.of("contiguous", XtOptionType.NONE, O_TIME_CONTIGUOUS, 0),
            XtOption.of("weekdays", XtOptionType.STRING, O_WEEKDAYS, XtOption.INVERT),
            XtOption.of("monthdays", XtOptionType.STRING, O_MONTHDAYS, XtOption.INVERT),
            XtOption.of("localtz", XtOptionType.NONE, O_LOCAL_TZ, 0).withExcl(1 << O_UTC),
            XtOption.of("utc", XtOptionType.NONE, O_UTC, 0)
                .withExcl((1 << O_LOCAL_TZ) | (1 << O_KERNEL_TZ)),
            XtOption.of("kerneltz", XtOptionType.NONE, O_KERNEL_TZ, 0).withExcl(1 << O_UTC)));
  }

  @Override
  public void init(ExtData d) {
    ByteBuffer b = d.data();
    b.putInt(16, (int) ALL_MONTHDAYS).put(20, (byte) ALL_WEEKDAYS);
    b.putInt(8, 0).putInt(12, MAX_DAYTIME).putInt(0, 0).putInt(4, Integer.MAX_VALUE);
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    switch (a.id()) {
      case O_DATE_START -> b.putInt(0, (int) date(a.arg()));
      case O_DATE_STOP -> b.putInt(4, (int) date(a.arg()));
      case O_TIME_START -> b.putInt(8, seconds(a.arg()));
      case O_TIME_STOP -> b.putInt(12, seconds(a.arg()));
      case O_TIME_CONTIGUOUS -> b.put(21, (byte) (XtPrint.u8(b, 21) | CONTIGUOUS));
      case O_LOCAL_TZ, O_KERNEL_TZ -> {
        if (a.id() == O_LOCAL_TZ) {
          d.warn(
              "WARNING: --localtz is being replaced by --kerneltz, since \"local\" is ambiguous."
                  + " Note the kernel timezone has caveats - see manpage for details.");
        }
        b.put(21, (byte) (XtPrint.u8(b, 21) | LOCAL_TZ));
      }
      case O_MONTHDAYS -> {
        long m = monthdays(a.arg());
        b.putInt(16, (int) (a.invert() ? m ^ ALL_MONTHDAYS : m));
      }
      case O_WEEKDAYS -> {
        int w = weekdays(a.arg());
        b.put(20, (byte) (a.invert() ? w ^ ALL_WEEKDAYS : w));
      }
      default -> {}
    }
  }

  /** strtoul(s, &e, 10) from an index: value and end. */
  private static long[] number(String s, int from, int base) {
    CNumbers.Parsed p = CNumbers.strtoull(s, from, base);
    return new long[] {p.value() & 0xffffffffL, p.end()};
  }

  private static char at(String s, int i) {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  /** time_parse_date: YYYY[-MM[-DD[Thh[:mm[:ss]]]]], UTC, normalized as mktime does. */
  static long date(String os) throws RuleException {
    RuleException bad =
        RuleException.parameter(
            "Invalid date \"" + os + "\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]");
    long[] f = {1, 1, 1, 0, 0, 0};
    char[] seps = {'-', '-', 'T', ':', ':', '\0'};
    long[] max = {2038, 12, 31, 23, 59, 59};
    int pos = 0;
    for (int k = 0; k < 6; k++) {
      long[] n = number(os, pos, 10);
      int e = (int) n[1];
      char c = at(os, e);
      if ((c != seps[k] && c != '\0') || n[0] > max[k] || (k == 0 && n[0] < 1970)) {
        throw bad;
      }
      f[k] = n[0];
      if (c == '\0') {
        break;
      }
      pos = e + 1;
    }
    LocalDateTime t =
        LocalDate.of((int) f[0], 1, 1)
            .plusMonths(f[1] - 1)
            .plusDays(f[2] - 1)
            .atStartOfDay()
            .plusHours(f[3])
            .plusMinutes(f[4])
            .plusSeconds(f[5]);
    return t.toEpochSecond(ZoneOffset.UTC);
  }

  /** time_parse_minutes: hh:mm[:ss]. */
  static int seconds(String s) throws RuleException {
    long[] h = number(s, 0, 10);
    int e = (int) h[1];
    long m = 0;
    long sec = 0;
    int failAt = 0;
    boolean ok = at(s, e) == ':' && h[0] <= 23;
    if (ok) {
      failAt = e + 1;
      long[] mm = number(s, e + 1, 10);
      e = (int) mm[1];
      m = mm[0];
      ok = (at(s, e) == ':' || at(s, e) == '\0') && m <= 59;
      if (ok && at(s, e) == ':') {
        failAt = e + 1;
        long[] ss = number(s, e + 1, 10);
        e = (int) ss[1];
        sec = ss[0];
        ok = at(s, e) == '\0' && sec <= 59;
      }
    }
    if (!ok) {
      // iptables quotes the text from the field it stopped at
      throw RuleException.parameter(
          "invalid time \""
              + s.substring(failAt)
              + "\" specified, should be hh:mm[:ss] format and within the boundaries");
    }
    return (int) (3600 * h[0] + 60 * m + sec);
  }

  /** my_strseg: comma fields, each cut to size-1 characters; null at the end. */
  private static List<String> fields(String arg, int size) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    String rest = arg;
    while (rest != null && !rest.isEmpty()) {
      int comma = rest.indexOf(',');
      String f = comma < 0 ? rest : rest.substring(0, comma);
      out.add(f.length() > size - 1 ? f.substring(0, size - 1) : f);
      rest = comma < 0 ? null : rest.substring(comma + 1);
    }
    return out;
  }

  static long monthdays(String arg) throws RuleException {
    long ret = 0;
    for (String day : fields(arg, 3)) {
      long[] n = number(day, 0, 0);
      char c = at(day, (int) n[1]);
      if ((c != ',' && c != '\0') || n[0] > 31) {
        throw RuleException.parameter(day + " is not a valid day for --monthdays");
      }
      ret |= 1L << n[0];
    }
    return ret & 0xffffffffL;
  }

  static int weekdays(String arg) throws RuleException {
    int ret = 0;
    for (String day : fields(arg, 4)) {
      long[] n = number(day, 0, 0);
      if (n[1] == day.length()) {
        if (n[0] == 0) {
          throw RuleException.parameter("No, the week does NOT begin with Sunday.");
        }
        ret |= 1 << (int) n[0];
        continue;
      }
      boolean valid = false;
      for (int i = 1; i < WEEK_DAYS.length; i++) {
        String p = day.length() >= 2 ? day.substring(0, 2) : day;
        if (WEEK_DAYS[i].startsWith(p) && p.length() == 2) {
          ret |= 1 << i;
          valid = true;
        }
      }
      if (!valid) {
        throw RuleException.parameter(day + " is not a valid day specifier");
      }
    }
    return ret;
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen(O_TIME_CONTIGUOUS) && XtPrint.u32(d.data(), 8) < XtPrint.u32(d.data(), 12)) {
      throw RuleException.parameter(
          "time: --contiguous only makes sense when stoptime is smaller than starttime");
    }
  }

  private static String hms(long t) {
    return String.format("%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  }

  /** time_print_date: nothing for 0 (LONG_MAX never occurs in a u32). */
  private static void date(long date, String command, StringBuilder out) {
    if (date == 0) {
      return;
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(date, 0, ZoneOffset.UTC);
    String day = String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
    String time = String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
    out.append(' ');
    if (command != null) {
      out.append(command).append(' ').append(day).append('T').append(time);
    } else {
      out.append(day).append(' ').append(time);
    }
  }

  private static void monthdays(long mask, boolean human, StringBuilder out) {
    out.append(' ');
    int n = 0;
    for (int i = 1; i <= 31; i++) {
      if ((mask & (1L << i)) != 0) {
        if (n++ > 0) {
          out.append(',');
        }
        out.append(i);
        if (human) {
          out.append(
              switch (i % 10) {
                case 1 -> "st";
                case 2 -> "nd";
                case 3 -> "rd";
                default -> "th";
              });
        }
      }
    }
  }

  private static void weekdays(int mask, StringBuilder out) {
    out.append(' ');
    int n = 0;
    for (int i = 1; i <= 7; i++) {
      if ((mask & (1 << i)) != 0) {
        out.append(n++ > 0 ? "," : "").append(WEEK_DAYS[i]);
      }
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append(" TIME");
    long start = XtPrint.u32(b, 8);
    long stop = XtPrint.u32(b, 12);
    if (start != 0 || stop != MAX_DAYTIME) {
      out.append(" from ").append(hms(start)).append(" to ").append(hms(stop));
    }
    int week = XtPrint.u8(b, 20);
    if (week != ALL_WEEKDAYS) {
      out.append(" on");
      weekdays(week, out);
    }
    long month = XtPrint.u32(b, 16);
    if (month != ALL_MONTHDAYS) {
      out.append(" on");
      monthdays(month, true, out);
    }
    if (b.getInt(0) != 0) {
      out.append(" starting from");
      date(XtPrint.u32(b, 0), null, out);
    }
    if (b.getInt(4) != Integer.MAX_VALUE) {
      out.append(" until date");
      date(XtPrint.u32(b, 4), null, out);
    }
    int flags = XtPrint.u8(b, 21);
    if ((flags & LOCAL_TZ) == 0) {
      out.append(" UTC");
    }
    if ((flags & CONTIGUOUS) != 0) {
      out.append(" contiguous");
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    long start = XtPrint.u32(b, 8);
    long stop = XtPrint.u32(b, 12);
    if (start != 0 || stop != MAX_DAYTIME) {
      out.append(" --timestart ").append(hms(start)).append(" --timestop ").append(hms(stop));
    }
    long month = XtPrint.u32(b, 16);
    if (month != ALL_MONTHDAYS) {
      out.append(" --monthdays");
      monthdays(month, false, out);
    }
    int week = XtPrint.u8(b, 20);
    if (week != ALL_WEEKDAYS) {
      out.append(" --weekdays");
      weekdays(week, out);
    }
    // the default stop date (INT_MAX) is no LONG_MAX: iptables saves it too
    date(XtPrint.u32(b, 0), "--datestart", out);
    date(XtPrint.u32(b, 4), "--datestop", out);
    int flags = XtPrint.u8(b, 21);
    if ((flags & LOCAL_TZ) != 0) {
      out.append(" --kerneltz");
    }
    if ((flags & CONTIGUOUS) != 0) {
      out.append(" --contiguous");
    }
  }
}
