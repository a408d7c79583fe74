package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.uapi.XtRecentMtinfo.CHECK;
import static bpfilterctl.core.uapi.XtRecentMtinfo.NAME_LEN;
import static bpfilterctl.core.uapi.XtRecentMtinfo.OFF_MASK;
import static bpfilterctl.core.uapi.XtRecentMtinfo.OFF_NAME;
import static bpfilterctl.core.uapi.XtRecentMtinfo.OFF_SIDE;
import static bpfilterctl.core.uapi.XtRecentMtinfo.REAP;
import static bpfilterctl.core.uapi.XtRecentMtinfo.REMOVE;
import static bpfilterctl.core.uapi.XtRecentMtinfo.SET;
import static bpfilterctl.core.uapi.XtRecentMtinfo.TTL;
import static bpfilterctl.core.uapi.XtRecentMtinfo.UPDATE;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtRecentMtinfo;
import java.util.ArrayList;
import java.util.List;

/**
 * recent (libxt_recent.c): struct xt_recent_mtinfo { u32 seconds, hit_count; u8 check_set, invert;
 * char name[200]; u8 side; } (212 bytes), revision 1 adding an nf_inet_addr mask (228).
 */
public final class RecentMatch extends AbstractXtExtension {

  static final int O_SET = 0;
  static final int O_RCHECK = 1;
  static final int O_UPDATE = 2;
  static final int O_REMOVE = 3;
  static final int O_SECONDS = 4;
  static final int O_REAP = 5;
  static final int O_HITCOUNT = 6;
  static final int O_RTTL = 7;
  static final int O_NAME = 8;
  static final int O_RSOURCE = 9;
  static final int O_RDEST = 10;
  static final int O_MASK = 11;
  private static final int ANY_OP = 0x0f;

  public static final List<XtExtension> ALL = List.of(new RecentMatch(0), new RecentMatch(1));

  private RecentMatch(int revision) {
    super(
        ExtensionKind.MATCH,
        "recent",
        revision,
        revision == 0 ? XtRecentMtinfo.SIZE : XtRecentMtinfo.SIZE_V1,
        options(revision));
  }

  private static List<XtOption> options(int revision) {
    int inv = XtOption.INVERT;
    List<XtOption> o = new ArrayList<>();
    o.add(XtOption.of("set", XtOptionType.NONE, O_SET, inv).withExcl(ANY_OP));
    o.add(XtOption.of("rcheck", XtOptionType.NONE, O_RCHECK, inv).withExcl(ANY_OP));
    o.add(XtOption.of("update", XtOptionType.NONE, O_UPDATE, inv).withExcl(ANY_OP));
    o.add(XtOption.of("remove", XtOptionType.NONE, O_REMOVE, inv).withExcl(ANY_OP));
    o.add(XtOption.of("seconds", XtOptionType.UINT32, O_SECONDS, 0).withRange(1, 0));
    o.add(XtOption.of("reap", XtOptionType.NONE, O_REAP, 0).withAlso(1 << O_SECONDS));
    o.add(XtOption.of("hitcount", XtOptionType.UINT32, O_HITCOUNT, 0));
    o.add(
        XtOption.of("rttl", XtOptionType.NONE, O_RTTL, 0).withExcl((1 << O_SET) | (1 << O_REMOVE)));
    o.add(XtOption.of("name", XtOptionType.STRING, O_NAME, 0).withSize(NAME_LEN));
    o.add(XtOption.of("rsource", XtOptionType.NONE, O_RSOURCE, 0));
    o.add(XtOption.of("rdest", XtOptionType.NONE, O_RDEST, 0));
    if (revision == 1) {
      o.add(XtOption.of("mask", XtOptionType.HOST, O_MASK, 0));
    }
    return o;
  }

  @Override
  public void init(ExtData d) {
    XtPrint.putCString(d.data(), OFF_NAME, NAME_LEN, "DEFAULT");
    if (revision() == 1) {
      for (int i = 0; i < 16; i++) {
        d.data().put(OFF_MASK + i, (byte) -1);
      }
    }
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    var b = d.data();
    int check = XtPrint.u8(b, 8);
    switch (a.id()) {
      case O_SET, O_RCHECK, O_UPDATE, O_REMOVE -> {
        int[] bits = {SET, CHECK, UPDATE, REMOVE};
        check |= bits[a.id()];
        if (a.invert()) {
          b.put(9, (byte) 1);
        }
      }
      case O_SECONDS -> b.putInt(0, (int) a.val());
      case O_HITCOUNT -> b.putInt(4, (int) a.val());
      case O_RTTL -> check |= TTL;
      case O_REAP -> check |= REAP;
      // libxtables copies the name and one NUL over "DEFAULT": its tail stays in the blob.
      case O_NAME -> XtPrint.putCString(b, OFF_NAME, NAME_LEN, a.arg());
      case O_RSOURCE -> b.put(OFF_SIDE, (byte) XtRecentMtinfo.SOURCE);
      case O_RDEST -> b.put(OFF_SIDE, (byte) XtRecentMtinfo.DEST);
      default -> b.put(OFF_MASK, a.inetAddr());
    }
    b.put(8, (byte) check);
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if ((d.seen() & ANY_OP) == 0) {
      throw RuleException.parameter(
          "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    var b = d.data();
    int check = XtPrint.u8(b, 8);
    if (b.get(9) != 0) {
      out.append(" !");
    }
    out.append(" recent:");
    appendIf(out, check, SET, " SET");
    appendIf(out, check, CHECK, " CHECK");
    appendIf(out, check, UPDATE, " UPDATE");
    appendIf(out, check, REMOVE, " REMOVE");
    if (b.getInt(0) != 0) {
      out.append(" seconds: ").append(b.getInt(0));
    }
    appendIf(out, check, REAP, " reap");
    if (b.getInt(4) != 0) {
      out.append(" hit_count: ").append(b.getInt(4));
    }
    appendIf(out, check, TTL, " TTL-Match");
    out.append(" name: ").append(XtPrint.cString(b, OFF_NAME, NAME_LEN));
    int side = XtPrint.u8(b, OFF_SIDE);
    if (side == 0) {
      out.append(" side: source");
    } else if (side == 1) {
      out.append(" side: dest");
    }
    if (revision() == 1) {
      out.append(" mask: ").append(XtPrint.ip(XtPrint.be32(b, OFF_MASK)));
    }
  }

  private static void appendIf(StringBuilder out, int bits, int bit, String text) {
    if ((bits & bit) != 0) {
      out.append(text);
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    var b = d.data();
    int check = XtPrint.u8(b, 8);
    if (b.get(9) != 0) {
      out.append(" !");
    }
    appendIf(out, check, SET, " --set");
    appendIf(out, check, CHECK, " --rcheck");
    appendIf(out, check, UPDATE, " --update");
    appendIf(out, check, REMOVE, " --remove");
    if (b.getInt(0) != 0) {
      out.append(" --seconds ").append(b.getInt(0));
    }
    appendIf(out, check, REAP, " --reap");
    if (b.getInt(4) != 0) {
      out.append(" --hitcount ").append(b.getInt(4));
    }
    appendIf(out, check, TTL, " --rttl");
    out.append(" --name ").append(XtPrint.cString(b, OFF_NAME, NAME_LEN));
    if (revision() == 1) {
      out.append(" --mask ").append(XtPrint.ip(XtPrint.be32(b, OFF_MASK)));
    }
    int side = XtPrint.u8(b, OFF_SIDE);
    if (side == 0) {
      out.append(" --rsource");
    } else if (side == 1) {
      out.append(" --rdest");
    }
  }
}
