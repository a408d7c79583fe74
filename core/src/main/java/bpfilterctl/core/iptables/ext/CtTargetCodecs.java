package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.cString;
import static bpfilterctl.core.iptables.ext.XtText.putCString;
import static bpfilterctl.core.iptables.ext.XtText.u16;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * CT (libxt_CT, revisions 0-2) and the NOTRACK spellings of it: "-j NOTRACK" fills a CT struct
 * (real name CT) with the notrack flag, plus the alias flag at revision 2 so that it prints back as
 * NOTRACK; the old stand-alone NOTRACK target has no data at all.
 */
final class CtTargetCodecs {
  private CtTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(
          new Ct(0),
          new Ct(1),
          new Ct(2),
          new NotrackAlias(0),
          new NotrackAlias(1),
          new NotrackAlias(2),
          new PlainNotrack());

  private static final int NOTRACK = 1;
  private static final int NOTRACK_ALIAS = 1 << 1;
  private static final int ZONE_DIR_ORIG = 1 << 2;
  private static final int ZONE_DIR_REPL = 1 << 3;
  private static final int ZONE_MARK = 1 << 4;

  private static final int O_NOTRACK = 0;
  private static final int O_HELPER = 1;
  private static final int O_TIMEOUT = 2;
  private static final int O_CTEVENTS = 3;
  private static final int O_EXPEVENTS = 4;
  private static final int O_ZONE = 5;
  private static final int O_ZONE_ORIG = 6;
  private static final int O_ZONE_REPLY = 7;

  // struct xt_ct_target_info{,_v1}: u16 flags; u16 zone; u32 ct_events; u32 exp_events;
  // char helper[16]; (v1: char timeout[32];) then the kernel's pointer, 8-aligned.
  private static final int HELPER = 12;
  private static final int HELPER_SIZE = 16;
  private static final int TIMEOUT = 28;
  private static final int TIMEOUT_SIZE = 32;
  private static final int V0_SIZE = 40;
  private static final int V1_SIZE = 72;

  /** Conntrack events by bit number (enum ip_conntrack_events). */
  private static final String[] CT_EVENTS = {
    "new",
    "related",
    "destroy",
    "reply",
    "assured",
    "protoinfo",
    "helper",
    "mark",
    "natseqinfo",
    "secmark"
  };

  private static final String[] EXP_EVENTS = {"new"};

  static final class Ct extends AbstractXtExtension {
    Ct(int revision) {
      super(
          ExtensionKind.TARGET,
          "CT",
          revision,
          revision == 0 ? V0_SIZE : V1_SIZE,
          options(revision));
    }

    private static List<XtOption> options(int revision) {
      List<XtOption> o = new ArrayList<>();
      o.add(XtOption.flag("notrack", O_NOTRACK));
      o.add(XtOption.of("helper", XtOptionType.STRING, O_HELPER).withSize(HELPER_SIZE));
      if (revision > 0) {
        o.add(XtOption.of("timeout", XtOptionType.STRING, O_TIMEOUT).withSize(TIMEOUT_SIZE));
      }
      o.add(XtOption.of("ctevents", XtOptionType.STRING, O_CTEVENTS));
      o.add(XtOption.of("expevents", XtOptionType.STRING, O_EXPEVENTS));
      o.add(XtOption.of("zone-orig", XtOptionType.STRING, O_ZONE_ORIG));
      o.add(XtOption.of("zone-reply", XtOptionType.STRING, O_ZONE_REPLY));
      o.add(XtOption.of("zone", XtOptionType.STRING, O_ZONE));
      return o;
    }

    @Override
    public int userSpaceSize() {
      return dataSize() - 8; // up to the kernel's pointer
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_NOTRACK -> b.putShort(0, (short) (u16(b, 0) | NOTRACK));
        case O_HELPER -> putCString(b, HELPER, HELPER_SIZE, arg.arg());
        case O_TIMEOUT -> putCString(b, TIMEOUT, TIMEOUT_SIZE, arg.arg());
        case O_ZONE, O_ZONE_ORIG, O_ZONE_REPLY -> parseZone(arg, b);
        case O_CTEVENTS -> b.putInt(4, events(CT_EVENTS, arg.arg()));
        case O_EXPEVENTS -> b.putInt(8, events(EXP_EVENTS, arg.arg()));
        default -> {}
      }
    }

    private static void parseZone(XtArg arg, ByteBuffer b) throws RuleException {
      int flags = u16(b, 0);
      if (arg.id() == O_ZONE_ORIG) {
        flags |= ZONE_DIR_ORIG;
      }
      if (arg.id() == O_ZONE_REPLY) {
        flags |= ZONE_DIR_REPL;
      }
      int zone = 0;
      if (arg.arg().equalsIgnoreCase("mark")) {
        flags |= ZONE_MARK;
      } else {
        Long v = CNumbers.xtStrtoulStrict(arg.arg(), 0, 0xffff);
        if (v == null) {
          b.putShort(0, (short) flags);
          b.putShort(2, (short) 0);
          throw RuleException.parameter("Cannot parse " + arg.arg() + " as a zone ID");
        }
        zone = v.intValue();
      }
      b.putShort(0, (short) flags);
      b.putShort(2, (short) zone);
    }

    /** A comma list of event names (strsep: empty items are unknown events too). */
    private static int events(String[] table, String list) throws RuleException {
      int mask = 0;
      for (String t : list.split(",", -1)) {
        int i = java.util.Arrays.asList(table).indexOf(t);
        if (i < 0) {
          throw RuleException.parameter("Unknown event type \"" + t + "\"");
        }
        mask |= 1 << i;
      }
      return mask;
    }

    private static void appendEvents(String pfx, String[] table, int mask, StringBuilder out) {
      out.append(' ').append(pfx).append(' ');
      String sep = "";
      for (int i = 0; i < table.length; i++) {
        if ((mask & 1 << i) != 0) {
          out.append(sep).append(table[i]);
          sep = ",";
        }
      }
    }

    private void describe(ExtData d, String dashes, StringBuilder out) {
      ByteBuffer b = d.data();
      int flags = u16(b, 0);
      if ((flags & NOTRACK) != 0) {
        out.append(' ').append(dashes).append("notrack");
      }
      String helper = cString(b, HELPER, HELPER_SIZE);
      if (!helper.isEmpty()) {
        out.append(' ').append(dashes).append("helper ").append(helper);
      }
      if (revision() > 0) {
        String timeout = cString(b, TIMEOUT, TIMEOUT_SIZE);
        if (!timeout.isEmpty()) {
          out.append(' ').append(dashes).append("timeout ").append(timeout);
        }
      }
      if (b.getInt(4) != 0) {
        appendEvents(dashes + "ctevents", CT_EVENTS, b.getInt(4), out);
      }
      if (b.getInt(8) != 0) {
        appendEvents(dashes + "expevents", EXP_EVENTS, b.getInt(8), out);
      }
      int zone = u16(b, 2);
      if ((flags & ZONE_MARK) != 0 || zone != 0) {
        out.append(' ').append(dashes).append("zone");
        int dir = flags & (ZONE_DIR_ORIG | ZONE_DIR_REPL);
        if (dir == ZONE_DIR_ORIG) {
          out.append("-orig");
        }
        if (dir == ZONE_DIR_REPL) {
          out.append("-reply");
        }
        out.append((flags & ZONE_MARK) != 0 ? " mark" : " " + zone);
      }
    }

    /** Revisions 1 and 2 print a NOTRACK-made struct as just " NOTRACK". */
    private boolean isAlias(ExtData d) {
      return revision() > 0 && (u16(d.data(), 0) & NOTRACK_ALIAS) != 0;
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      if (isAlias(d)) {
        out.append(" NOTRACK");
        return;
      }
      out.append(" CT");
      describe(d, "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      if ((u16(d.data(), 0) & NOTRACK_ALIAS) != 0) {
        return;
      }
      describe(d, "--", out);
    }

    @Override
    public String alias(ExtData d) {
      // Only revision 2 registers the alias() that names the target NOTRACK in save form.
      return revision() == 2 && (u16(d.data(), 0) & NOTRACK_ALIAS) != 0 ? "NOTRACK" : "CT";
    }
  }

  /** "-j NOTRACK" written as CT: no options, only the flags its init sets. */
  static final class NotrackAlias extends AbstractXtExtension {
    NotrackAlias(int revision) {
      super(
          ExtensionKind.TARGET, "NOTRACK", revision, revision == 0 ? V0_SIZE : V1_SIZE, List.of());
    }

    @Override
    public String realName() {
      return "CT";
    }

    @Override
    public int userSpaceSize() {
      return dataSize() - 8;
    }

    @Override
    public void init(ExtData d) {
      d.data().putShort(0, (short) (revision() == 2 ? NOTRACK | NOTRACK_ALIAS : NOTRACK));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {}

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {}

    @Override
    public void save(ExtData d, StringBuilder out) {}
  }

  /** The old NOTRACK target of its own (xt_NOTRACK), without data. */
  static final class PlainNotrack extends AbstractXtExtension {
    PlainNotrack() {
      super(ExtensionKind.TARGET, "NOTRACK", 0, 0, List.of());
    }

    @Override
    public void parse(XtArg arg, ExtData d) {}

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {}

    @Override
    public void save(ExtData d, StringBuilder out) {}
  }
}
