package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.cString;
import static bpfilterctl.core.iptables.ext.XtText.putCString;
import static bpfilterctl.core.iptables.ext.XtText.saveString;
import static bpfilterctl.core.iptables.ext.XtText.u16;
import static bpfilterctl.core.iptables.ext.XtText.u32;
import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/** LOG (libxt_LOG) and NFLOG (libxt_NFLOG): the two logging targets. */
final class LogTargetCodecs {
  private LogTargetCodecs() {}

  static final List<XtExtension> ALL = List.of(new Log(), new Nflog());

  /** struct xt_log_info { u8 level; u8 logflags; char prefix[30]; }. */
  static final class Log extends AbstractXtExtension {
    private static final int DEFAULT_LEVEL = 4; // LOG_WARNING
    private static final int PREFIX = 2;
    private static final int PREFIX_SIZE = 30;
    // Option ids 0..5 are the logflags bit numbers (4, the old NFLOG bit, has no option).
    private static final int O_LEVEL = 6;
    private static final int O_PREFIX = 7;
    private static final String[] FLAG_WORDS = {
      "tcp-sequence", "tcp-options", "ip-options", "uid", null, "macdecode"
    };
    private static final int KNOWN_FLAGS = 0x2f;

    /** prioritynames of syslog.h in its order: the first name of a level is the one printed. */
    private static final String[] LEVEL_NAMES = {
      "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"
    };

    /** INTERNAL_NOPRI, which prioritynames calls "none". */
    private static final int NO_PRIORITY = 0x10;

    Log() {
      super(
          ExtensionKind.TARGET,
          "LOG",
          0,
          2 + PREFIX_SIZE,
          List.of(
              XtOption.of("log-level", XtOptionType.SYSLOGLEVEL, O_LEVEL),
              XtOption.of("log-prefix", XtOptionType.STRING, O_PREFIX)
                  .withRange(1, 0)
                  .withSize(PREFIX_SIZE),
              XtOption.flag("log-tcp-sequence", 0),
              XtOption.flag("log-tcp-options", 1),
              XtOption.flag("log-ip-options", 2),
              XtOption.flag("log-uid", 3),
              XtOption.flag("log-macdecode", 5)));
    }

    @Override
    public void init(ExtData d) {
      d.data().put(0, (byte) DEFAULT_LEVEL);
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_LEVEL -> b.put(0, (byte) arg.val());
        case O_PREFIX -> {
          putCString(b, PREFIX, PREFIX_SIZE, arg.arg());
          if (arg.arg().indexOf('\n') >= 0) {
            throw RuleException.parameter("Newlines not allowed in --log-prefix");
          }
        }
        default -> b.put(1, (byte) (u8(b, 1) | 1 << arg.id()));
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int level = u8(b, 0);
      int flags = u8(b, 1);
      out.append(" LOG");
      if (numeric) {
        out.append(" flags ").append(flags).append(" level ").append(level);
      } else {
        if (level < LEVEL_NAMES.length) {
          out.append(" level ").append(LEVEL_NAMES[level]);
        } else if (level == NO_PRIORITY) {
          out.append(" level none");
        } else {
          out.append(" UNKNOWN level ").append(level);
        }
        for (int bit = 0; bit < FLAG_WORDS.length; bit++) {
          if (FLAG_WORDS[bit] != null && (flags & 1 << bit) != 0) {
            out.append(' ').append(FLAG_WORDS[bit]);
          }
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
          out.append(" unknown-flags");
        }
      }
      String prefix = cString(b, PREFIX, PREFIX_SIZE);
      if (!prefix.isEmpty()) {
        out.append(" prefix \"").append(prefix).append('"');
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      String prefix = cString(b, PREFIX, PREFIX_SIZE);
      if (!prefix.isEmpty()) {
        out.append(" --log-prefix");
        saveString(prefix, out);
      }
      if (u8(b, 0) != DEFAULT_LEVEL) {
        out.append(" --log-level ").append(u8(b, 0));
      }
      int flags = u8(b, 1);
      String[] options = {
        "--log-tcp-sequence",
        "--log-tcp-options",
        "--log-ip-options",
        "--log-uid",
        null,
        "--log-macdecode"
      };
      for (int bit = 0; bit < options.length; bit++) {
        if (options[bit] != null && (flags & 1 << bit) != 0) {
          out.append(' ').append(options[bit]);
        }
      }
    }
  }

  /**
   * struct xt_nflog_info { u32 len; u16 group; u16 threshold; u16 flags; u16 pad; char prefix[64];
   * }.
   */
  static final class Nflog extends AbstractXtExtension {
    private static final int O_GROUP = 0;
    private static final int O_PREFIX = 1;
    private static final int O_RANGE = 2;
    private static final int O_SIZE = 3;
    private static final int O_THRESHOLD = 4;
    private static final int PREFIX = 12;
    private static final int PREFIX_SIZE = 64;
    private static final int F_COPY_LEN = 1;

    Nflog() {
      super(
          ExtensionKind.TARGET,
          "NFLOG",
          0,
          PREFIX + PREFIX_SIZE,
          List.of(
              XtOption.of("nflog-group", XtOptionType.UINT16, O_GROUP),
              XtOption.of("nflog-prefix", XtOptionType.STRING, O_PREFIX)
                  .withRange(1, 0)
                  .withSize(PREFIX_SIZE),
              XtOption.of("nflog-range", XtOptionType.UINT32, O_RANGE)
                  .withExcl(XtOption.mask(O_SIZE)),
              XtOption.of("nflog-size", XtOptionType.UINT32, O_SIZE)
                  .withExcl(XtOption.mask(O_RANGE)),
              XtOption.of("nflog-threshold", XtOptionType.UINT16, O_THRESHOLD)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_GROUP -> b.putShort(4, (short) arg.val());
        case O_PREFIX -> {
          putCString(b, PREFIX, PREFIX_SIZE, arg.arg());
          if (arg.arg().indexOf('\n') >= 0) {
            throw RuleException.parameter("Newlines not allowed in --log-prefix");
          }
        }
        case O_RANGE, O_SIZE -> b.putInt(0, (int) arg.val());
        case O_THRESHOLD -> b.putShort(6, (short) arg.val());
        default -> {}
      }
    }

    @Override
    public void finalCheck(ExtData d) {
      // --nflog-range only warns; --nflog-size sets the copy flag.
      if (d.seen(O_RANGE)) {
        d.warn(
            "warn: --nflog-range has never worked and is no longer supported, please use"
                + " --nflog-size instead");
      }
      if (d.seen(O_SIZE)) {
        d.data().putShort(8, (short) (u16(d.data(), 8) | F_COPY_LEN));
      }
    }

    private static void describe(ExtData d, String dashes, StringBuilder out) {
      ByteBuffer b = d.data();
      String prefix = cString(b, PREFIX, PREFIX_SIZE);
      if (!prefix.isEmpty()) {
        out.append(' ').append(dashes).append("nflog-prefix");
        saveString(prefix, out);
      }
      if (u16(b, 4) != 0) {
        out.append(' ').append(dashes).append("nflog-group ").append(u16(b, 4));
      }
      if ((u16(b, 8) & F_COPY_LEN) != 0) {
        out.append(' ').append(dashes).append("nflog-size ").append(u32(b, 0));
      } else if (u32(b, 0) != 0) {
        out.append(' ').append(dashes).append("nflog-range ").append(u32(b, 0));
      }
      if (u16(b, 6) != 0) {
        out.append(' ').append(dashes).append("nflog-threshold ").append(u16(b, 6));
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, "--", out);
    }
  }
}
