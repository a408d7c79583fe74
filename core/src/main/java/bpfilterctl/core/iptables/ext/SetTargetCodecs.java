package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.u16;
import static bpfilterctl.core.iptables.ext.XtText.u32;
import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * SET (libxt_SET), revisions 0-3. Naming a set asks the kernel's ipset for its index; this module
 * host has no ipset, so every named set is one that does not exist, which is how iptables fails
 * when the set is missing. The option's second word (the src/dst flags) is therefore only checked
 * for being there. Printing shows a set by its index, since no name can be looked up for it.
 */
final class SetTargetCodecs {
  private SetTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(new SetTarget(0), new SetTarget(1), new SetTarget(2), new SetTarget(3));

  private static final int O_ADD = 0;
  private static final int O_DEL = 1;
  private static final int O_EXIST = 2;
  private static final int O_TIMEOUT = 3;
  private static final int O_MAP = 4;
  private static final int O_MAP_MARK = 5;
  private static final int O_MAP_PRIO = 6;
  private static final int O_MAP_QUEUE = 7;
  private static final int INVALID_ID = 0xffff;

  /**
   * libxt_SET parses with getopt itself: no generic once-only or inversion checks ("!" is ignored).
   */
  private static final int OLD_STYLE = XtOption.MULTI | XtOption.INVERT;

  private static final int MAX_NAME_LEN = 32;
  private static final int FLAG_EXIST = 1 << 0; // IPSET_FLAG_EXIST
  private static final int FLAG_MAP_SKBMARK = 1 << 4;
  private static final int FLAG_MAP_SKBPRIO = 1 << 5;
  private static final int FLAG_MAP_SKBQUEUE = 1 << 6;

  static final class SetTarget extends AbstractXtExtension {
    SetTarget(int revision) {
      super(ExtensionKind.TARGET, "SET", revision, sizeOf(revision), options(revision));
    }

    private static int sizeOf(int revision) {
      return switch (revision) {
        case 0 -> 64;
        case 1 -> 8;
        case 2 -> 16;
        default -> 20;
      };
    }

    private static List<XtOption> options(int revision) {
      List<XtOption> base = List.of(setOption("add-set", O_ADD), setOption("del-set", O_DEL));
      if (revision < 2) {
        return base;
      }
      List<XtOption> v2 =
          List.of(
              base.get(0),
              base.get(1),
              XtOption.of("exist", XtOptionType.NONE, O_EXIST, OLD_STYLE),
              XtOption.of("timeout", XtOptionType.STRING, O_TIMEOUT, OLD_STYLE));
      if (revision == 2) {
        return v2;
      }
      return List.of(
          v2.get(0),
          v2.get(1),
          v2.get(2),
          v2.get(3),
          setOption("map-set", O_MAP),
          XtOption.of("map-mark", XtOptionType.NONE, O_MAP_MARK, OLD_STYLE),
          XtOption.of("map-prio", XtOptionType.NONE, O_MAP_PRIO, OLD_STYLE),
          XtOption.of("map-queue", XtOptionType.NONE, O_MAP_QUEUE, OLD_STYLE));
    }

    /** "--add-set name flags": the set's name and the word after it. */
    private static XtOption setOption(String name, int id) {
      return XtOption.of(name, XtOptionType.STRING, id, OLD_STYLE | XtOption.NEXT_WORD);
    }

    /** Offsets of the xt_set_info (or v0 info) structs: add, del, and at revision 3 map. */
    private int[] sets() {
      return switch (revision()) {
        case 0 -> new int[] {0, 32};
        case 1, 2 -> new int[] {0, 4};
        default -> new int[] {0, 4, 8};
      };
    }

    /** v2: u32 flags, u32 timeout after two sets; v3: u16 flags, u32 timeout after three. */
    private int flagsAt() {
      return revision() == 2 ? 8 : 12;
    }

    private int timeoutAt() {
      return revision() == 2 ? 12 : 16;
    }

    private void addFlag(ByteBuffer b, int flag) {
      b.putShort(flagsAt(), (short) (u16(b, flagsAt()) | flag));
    }

    @Override
    public void init(ExtData d) {
      for (int at : sets()) {
        d.data().putShort(at, (short) INVALID_ID);
      }
      if (revision() >= 2) {
        d.data().putInt(timeoutAt(), -1);
      }
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_ADD, O_DEL, O_MAP -> {
          int nul = arg.arg().indexOf('\0');
          if (nul < 0) {
            throw RuleException.parameter("--" + arg.option().name() + " requires two args.");
          }
          String name = arg.arg().substring(0, nul);
          if (name.length() > MAX_NAME_LEN - 1) {
            throw RuleException.parameter(
                "setname `" + name + "' too long, max " + (MAX_NAME_LEN - 1) + " characters.");
          }
          throw RuleException.parameter("Set " + name + " doesn't exist.\n");
        }
        case O_EXIST -> addFlag(b, FLAG_EXIST);
        case O_TIMEOUT -> {
          Long t = CNumbers.xtStrtoulStrict(arg.arg(), 0, 0xfffffffeL);
          if (t == null) {
            throw RuleException.parameter(
                "Invalid value for option --timeout or out of range 0-4294967294");
          }
          b.putInt(timeoutAt(), t.intValue());
        }
        case O_MAP_MARK -> addFlag(b, FLAG_MAP_SKBMARK);
        case O_MAP_PRIO -> addFlag(b, FLAG_MAP_SKBPRIO);
        case O_MAP_QUEUE -> addFlag(b, FLAG_MAP_SKBQUEUE);
        default -> {}
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      int seen = d.seen();
      if ((seen & XtOption.mask(O_ADD, O_DEL, O_MAP)) == 0) {
        throw RuleException.parameter(
            revision() == 3
                ? "You must specify either `--add-set' or `--del-set' or `--map-set'"
                : "You must specify either `--add-set' or `--del-set'");
      }
    }

    private void set(ByteBuffer b, int at, String prefix, StringBuilder out) {
      int index = u16(b, at);
      if (index == INVALID_ID) {
        return;
      }
      out.append(' ').append(prefix).append(" #").append(index);
      if (revision() == 0) {
        for (int i = 0; i < 6; i++) {
          long f = u32(b, at + 4 + 4 * i);
          if (f == 0) {
            break;
          }
          out.append(i == 0 ? " " : ",").append((f & 1) != 0 ? "src" : "dst");
        }
        return;
      }
      int dim = u8(b, at + 2);
      int flags = u8(b, at + 3);
      for (int i = 1; i <= dim; i++) {
        out.append(i == 1 ? " " : ",").append((flags & 1 << i) != 0 ? "src" : "dst");
      }
    }

    private void describe(ExtData d, String dashes, StringBuilder out) {
      ByteBuffer b = d.data();
      int[] at = sets();
      set(b, at[0], dashes + "add-set", out);
      if (revision() >= 2) {
        int flags = u16(b, flagsAt());
        long timeout = u32(b, timeoutAt());
        if ((flags & FLAG_EXIST) != 0) {
          out.append(' ').append(dashes).append("exist");
        }
        if (timeout != 0xffffffffL) {
          out.append(' ').append(dashes).append("timeout ").append(timeout);
        }
      }
      set(b, at[1], dashes + "del-set", out);
      if (revision() == 3) {
        set(b, at[2], dashes + "map-set", out);
        int flags = u16(b, flagsAt());
        if ((flags & FLAG_MAP_SKBMARK) != 0) {
          out.append(' ').append(dashes).append("map-mark");
        }
        if ((flags & FLAG_MAP_SKBPRIO) != 0) {
          out.append(' ').append(dashes).append("map-prio");
        }
        if ((flags & FLAG_MAP_SKBQUEUE) != 0) {
          out.append(' ').append(dashes).append("map-queue");
        }
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
