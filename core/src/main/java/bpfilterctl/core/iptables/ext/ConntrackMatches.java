package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtPrint.u16;
import static bpfilterctl.core.iptables.ext.XtPrint.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptIp;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * conntrack revisions 1-3 and state (libxt_conntrack.c): state is an alias of conntrack 1-3 that
 * sets XT_CONNTRACK_STATE_ALIAS so the rule prints back as "-m state", plus xt_state's own revision
 * 0. Revisions 1 and 2 hold single ports in network order, 3 holds host-order ranges; revision 1
 * has 8-bit state and status masks.
 */
public final class ConntrackMatches {
  private ConntrackMatches() {}

  static final int STATE = 1;
  static final int PROTO = 1 << 1;
  static final int ORIGSRC = 1 << 2;
  static final int ORIGDST = 1 << 3;
  static final int REPLSRC = 1 << 4;
  static final int REPLDST = 1 << 5;
  static final int STATUS = 1 << 6;
  static final int EXPIRES = 1 << 7;
  static final int ORIGSRC_PORT = 1 << 8;
  static final int ORIGDST_PORT = 1 << 9;
  static final int REPLSRC_PORT = 1 << 10;
  static final int REPLDST_PORT = 1 << 11;
  static final int DIRECTION = 1 << 12;
  static final int STATE_ALIAS = 1 << 13;

  static final int ST_INVALID = 1;
  static final int ST_ESTABLISHED = 1 << 1;
  static final int ST_RELATED = 1 << 2;
  static final int ST_NEW = 1 << 3;
  static final int ST_SNAT = 1 << 6;
  static final int ST_DNAT = 1 << 7;
  static final int ST_UNTRACKED = 1 << 8;

  static final String[] STATE_NAMES = {
    "INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT"
  };
  static final int[] STATE_BITS = {
    ST_INVALID, ST_NEW, ST_ESTABLISHED, ST_RELATED, ST_UNTRACKED, ST_SNAT, ST_DNAT
  };

  /** Print order: RELATED before ESTABLISHED. */
  static final String[] STATE_PRINT = {
    "INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"
  };

  static final int[] STATE_PRINT_BITS = {
    ST_INVALID, ST_NEW, ST_RELATED, ST_ESTABLISHED, ST_UNTRACKED, ST_SNAT, ST_DNAT
  };
  static final String[] STATUS_NAMES = {"NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"};
  static final int[] STATUS_BITS = {0, 1, 2, 4, 8};

  static final int O_CTSTATE = 0;
  static final int O_CTPROTO = 1;
  static final int O_CTORIGSRC = 2;
  static final int O_CTORIGDST = 3;
  static final int O_CTREPLSRC = 4;
  static final int O_CTREPLDST = 5;
  static final int O_CTORIGSRCPORT = 6;
  static final int O_CTORIGDSTPORT = 7;
  static final int O_CTREPLSRCPORT = 8;
  static final int O_CTREPLDSTPORT = 9;
  static final int O_CTSTATUS = 10;
  static final int O_CTEXPIRE = 11;
  static final int O_CTDIR = 12;

  private static final int INV = XtOption.INVERT;

  static final List<XtOption> CONNTRACK_OPTIONS =
      List.of(
          XtOption.of("ctstate", XtOptionType.STRING, O_CTSTATE, INV),
          XtOption.of("ctproto", XtOptionType.PROTOCOL, O_CTPROTO, INV),
          XtOption.of("ctorigsrc", XtOptionType.HOSTMASK, O_CTORIGSRC, INV),
          XtOption.of("ctorigdst", XtOptionType.HOSTMASK, O_CTORIGDST, INV),
          XtOption.of("ctreplsrc", XtOptionType.HOSTMASK, O_CTREPLSRC, INV),
          XtOption.of("ctrepldst", XtOptionType.HOSTMASK, O_CTREPLDST, INV),
          XtOption.of("ctstatus", XtOptionType.STRING, O_CTSTATUS, INV),
          XtOption.of("ctexpire", XtOptionType.UINT32RC, O_CTEXPIRE, INV),
          XtOption.of("ctorigsrcport", XtOptionType.PORTRC, O_CTORIGSRCPORT, INV),
          XtOption.of("ctorigdstport", XtOptionType.PORTRC, O_CTORIGDSTPORT, INV),
          XtOption.of("ctreplsrcport", XtOptionType.PORTRC, O_CTREPLSRCPORT, INV),
          XtOption.of("ctrepldstport", XtOptionType.PORTRC, O_CTREPLDSTPORT, INV),
          XtOption.of("ctdir", XtOptionType.STRING, O_CTDIR, 0));

  static final List<XtOption> STATE_OPTIONS =
      List.of(XtOption.of("state", XtOptionType.STRING, O_CTSTATE, XtOption.MAND | INV));

  public static final List<XtExtension> ALL =
      List.of(
          new Conntrack(1),
          new Conntrack(2),
          new Conntrack(3),
          new StateAlias(1),
          new StateAlias(2),
          new StateAlias(3),
          new StateV0());

  /** sizeof(xt_conntrack_mtinfo1/2/3). */
  static int size(int revision) {
    return switch (revision) {
      case 1 -> 152;
      case 2 -> 156;
      default -> 164;
    };
  }

  /** xt_conntrack_mtinfo3's fields, read from and written back to any of revisions 1-3. */
  static final class Info {
    final byte[][] addr = new byte[8][];
    long expiresMin;
    long expiresMax;
    int l4proto;
    final int[] port = new int[4];
    final int[] portHigh = new int[4];
    int matchFlags;
    int invertFlags;
    int stateMask;
    int statusMask;

    static Info read(ByteBuffer b, int rev) {
      Info i = new Info();
      for (int k = 0; k < 8; k++) {
        i.addr[k] = new byte[16];
        b.get(k * 16, i.addr[k]);
      }
      i.expiresMin = XtPrint.u32(b, 128);
      i.expiresMax = XtPrint.u32(b, 132);
      i.l4proto = u16(b, 136);
      for (int k = 0; k < 4; k++) {
        i.port[k] = rev == 3 ? u16(b, 138 + 2 * k) : XtPrint.be16(b, 138 + 2 * k);
        i.portHigh[k] = rev == 3 ? u16(b, 154 + 2 * k) : i.port[k];
      }
      i.matchFlags = u16(b, 146);
      i.invertFlags = u16(b, 148);
      i.stateMask = rev == 1 ? u8(b, 150) : u16(b, 150);
      i.statusMask = rev == 1 ? u8(b, 151) : u16(b, 152);
      return i;
    }

    void write(ByteBuffer b, int rev) {
      for (int k = 0; k < 8; k++) {
        b.put(k * 16, addr[k]);
      }
      b.putInt(128, (int) expiresMin).putInt(132, (int) expiresMax);
      b.putShort(136, (short) l4proto);
      for (int k = 0; k < 4; k++) {
        if (rev == 3) {
          b.putShort(138 + 2 * k, (short) port[k]).putShort(154 + 2 * k, (short) portHigh[k]);
        } else {
          XtPrint.putBe16(b, 138 + 2 * k, port[k]);
        }
      }
      b.putShort(146, (short) matchFlags).putShort(148, (short) invertFlags);
      if (rev == 1) {
        b.put(150, (byte) stateMask).put(151, (byte) statusMask);
      } else {
        b.putShort(150, (short) stateMask).putShort(152, (short) statusMask);
      }
    }
  }

  /** A comma list of case-insensitive name prefixes (strncasecmp over the item's length). */
  private static int prefixItem(String item, String[] names, int[] bits) {
    for (int i = 0; i < names.length; i++) {
      if (item.length() <= names[i].length()
          && names[i].substring(0, item.length()).equalsIgnoreCase(item)) {
        return i;
      }
    }
    return -1;
  }

  /** conntrack_ps_states / conntrack_ps_statuses. */
  private static int parseList(String arg, String[] names, int[] bits, String what)
      throws RuleException {
    int mask = 0;
    String rest = arg;
    int comma;
    while ((comma = rest.indexOf(',')) >= 0) {
      int i = comma == 0 ? -1 : prefixItem(rest.substring(0, comma), names, bits);
      if (i < 0) {
        throw RuleException.parameter("Bad " + what + " \"" + rest + "\"");
      }
      mask |= bits[i];
      rest = rest.substring(comma + 1);
    }
    int i = rest.isEmpty() ? -1 : prefixItem(rest, names, bits);
    if (i < 0) {
      throw RuleException.parameter("Bad " + what + " \"" + rest + "\"");
    }
    return mask | bits[i];
  }

  /** state_parse_states: the states "--state" knows (no SNAT/DNAT). */
  static int stateStates(String arg) throws RuleException {
    String[] names = {"INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"};
    int[] bits = {ST_INVALID, ST_NEW, ST_ESTABLISHED, ST_RELATED, ST_UNTRACKED};
    int mask = 0;
    String rest = arg;
    int comma;
    while ((comma = rest.indexOf(',')) >= 0) {
      int i = comma == 0 ? -1 : prefixItem(rest.substring(0, comma), names, bits);
      if (i < 0) {
        throw RuleException.parameter("Bad state \"" + rest + "\"");
      }
      mask |= bits[i];
      rest = rest.substring(comma + 1);
    }
    if (rest.isEmpty()) {
      throw RuleException.parameter(
          "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED");
    }
    int i = prefixItem(rest, names, bits);
    if (i < 0) {
      throw RuleException.parameter("Bad state \"" + rest + "\"");
    }
    return mask | bits[i];
  }

  /** conntrack -m conntrack, revisions 1-3. */
  static final class Conntrack extends AbstractXtExtension {
    Conntrack(int revision) {
      super(ExtensionKind.MATCH, "conntrack", revision, size(revision), CONNTRACK_OPTIONS);
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      int rev = revision();
      Info info = Info.read(d.data(), rev);
      apply(a, info);
      if (rev != 3) {
        for (int k = 0; k < 4; k++) {
          if (info.port[k] != info.portHigh[k]) {
            throw RuleException.parameter("conntrack rev " + rev + " does not support port ranges");
          }
        }
      }
      info.write(d.data(), rev);
    }

    /** conntrack_mt_parse on the revision-3 view. */
    private static void apply(XtArg a, Info info) throws RuleException {
      int flag;
      switch (a.id()) {
        case O_CTSTATE -> {
          info.stateMask |= parseList(a.arg(), STATE_NAMES, STATE_BITS, "ctstate");
          flag = STATE;
        }
        case O_CTPROTO -> {
          info.l4proto = (int) a.val();
          // iptables tests ipt_ip's XT_INV_PROTO bit against conntrack's own flags here.
          if (info.l4proto == 0 && (info.invertFlags & IptIp.INV_PROTO) != 0) {
            throw RuleException.parameter("conntrack: rule would never match protocol");
          }
          flag = PROTO;
        }
        case O_CTORIGSRC, O_CTORIGDST, O_CTREPLSRC, O_CTREPLDST -> {
          int k = (a.id() - O_CTORIGSRC) * 2;
          info.addr[k] = a.inetAddr();
          info.addr[k + 1] = a.inetMask();
          flag = ORIGSRC << (a.id() - O_CTORIGSRC);
        }
        case O_CTSTATUS -> {
          info.statusMask |= parseList(a.arg(), STATUS_NAMES, STATUS_BITS, "ctstatus");
          flag = STATUS;
        }
        case O_CTEXPIRE -> {
          info.expiresMin = a.val(0);
          info.expiresMax = a.nvals() >= 2 ? a.val(1) : a.val(0);
          flag = EXPIRES;
        }
        case O_CTORIGSRCPORT, O_CTORIGDSTPORT, O_CTREPLSRCPORT, O_CTREPLDSTPORT -> {
          int k = a.id() - O_CTORIGSRCPORT;
          info.port[k] = (int) a.val(0);
          info.portHigh[k] = (int) a.val(a.nvals() >= 2 ? 1 : 0);
          flag = ORIGSRC_PORT << k;
        }
        default -> {
          if (a.arg().equalsIgnoreCase("ORIGINAL")) {
            info.matchFlags |= DIRECTION;
            info.invertFlags &= ~DIRECTION;
          } else if (a.arg().equalsIgnoreCase("REPLY")) {
            info.matchFlags |= DIRECTION;
            info.invertFlags |= DIRECTION;
          } else {
            throw RuleException.parameter(
                "conntrack: Bad value for \"--ctdir\" option: \"" + a.arg() + "\"");
          }
          return;
        }
      }
      info.matchFlags |= flag;
      if (a.invert()) {
        info.invertFlags |= flag;
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("conntrack: At least one option is required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      dump(Info.read(d.data(), revision()), "", numeric, revision() == 3, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      dump(Info.read(d.data(), revision()), "--", true, revision() == 3, out);
    }

    @Override
    public String alias(ExtData d) {
      return (u16(d.data(), 146) & STATE_ALIAS) != 0 ? "state" : "conntrack";
    }
  }

  /** conntrack_dump. */
  static void dump(Info info, String prefix, boolean numeric, boolean v3, StringBuilder out) {
    int m = info.matchFlags;
    int inv = info.invertFlags;
    if ((m & STATE) != 0) {
      out.append((inv & STATE) != 0 ? " !" : "")
          .append(' ')
          .append(prefix)
          .append((m & STATE_ALIAS) != 0 ? "state" : "ctstate");
      String sep = " ";
      for (int i = 0; i < STATE_PRINT.length; i++) {
        if ((info.stateMask & STATE_PRINT_BITS[i]) != 0) {
          out.append(sep).append(STATE_PRINT[i]);
          sep = ",";
        }
      }
    }
    if ((m & PROTO) != 0) {
      out.append((inv & PROTO) != 0 ? " !" : "")
          .append(' ')
          .append(prefix)
          .append("ctproto ")
          .append(info.l4proto);
    }
    String[] addrNames = {"ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst"};
    for (int k = 0; k < 4; k++) {
      int f = ORIGSRC << k;
      if ((m & f) == 0) {
        continue;
      }
      out.append((inv & f) != 0 ? " !" : "").append(' ').append(prefix).append(addrNames[k]);
      long addr = XtPrint.ip(info.addr[2 * k]);
      long mask = XtPrint.ip(info.addr[2 * k + 1]);
      if (!numeric && addr == 0) {
        out.append(" anywhere");
      } else {
        out.append(' ')
            .append(numeric ? XtPrint.ip(addr) : XtPrint.anyName(addr))
            .append(XtPrint.mask(mask));
      }
    }
    String[] portNames = {"ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport"};
    for (int k = 0; k < 4; k++) {
      int f = ORIGSRC_PORT << k;
      if ((m & f) == 0) {
        continue;
      }
      out.append((inv & f) != 0 ? " !" : "");
      int lo = info.port[k];
      int hi = v3 ? info.portHigh[k] : 0;
      out.append(' ').append(prefix).append(portNames[k]).append(' ').append(lo);
      if (hi != 0 && lo != hi) {
        out.append(':').append(hi);
      }
    }
    if ((m & STATUS) != 0) {
      out.append((inv & STATUS) != 0 ? " !" : "").append(' ').append(prefix).append("ctstatus");
      String sep = " ";
      for (int i = 1; i < STATUS_NAMES.length; i++) {
        if ((info.statusMask & STATUS_BITS[i]) != 0) {
          out.append(sep).append(STATUS_NAMES[i]);
          sep = ",";
        }
      }
      if (info.statusMask == 0) {
        out.append(sep).append("NONE");
      }
    }
    if ((m & EXPIRES) != 0) {
      out.append((inv & EXPIRES) != 0 ? " !" : "")
          .append(' ')
          .append(prefix)
          .append("ctexpire ")
          .append(info.expiresMin);
      if (info.expiresMax != info.expiresMin) {
        out.append(':').append(info.expiresMax);
      }
    }
    if ((m & DIRECTION) != 0) {
      out.append(' ')
          .append(prefix)
          .append("ctdir ")
          .append((inv & DIRECTION) != 0 ? "REPLY" : "ORIGINAL");
    }
  }

  /** -m state over conntrack revisions 1-3 (XTABLES_EXT_ALIAS). */
  static final class StateAlias extends AbstractXtExtension {
    StateAlias(int revision) {
      super(ExtensionKind.MATCH, "state", revision, size(revision), STATE_OPTIONS);
    }

    @Override
    public String realName() {
      return "conntrack";
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      Info info = Info.read(d.data(), revision());
      info.matchFlags = STATE | STATE_ALIAS;
      info.stateMask = stateStates(a.arg());
      if (a.invert()) {
        info.invertFlags |= STATE;
      }
      info.write(d.data(), revision());
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      printStates(" state ", d, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      printStates(" --state ", d, out);
    }

    /** state_print over a conntrack struct: its first word read as xt_state_info's statemask. */
    private static void printStates(String head, ExtData d, StringBuilder out) {
      out.append(head);
      StateV0.states((int) XtPrint.u32(d.data(), 0), out);
    }
  }

  /** xt_state revision 0: struct xt_state_info { unsigned int statemask; }. */
  static final class StateV0 extends AbstractXtExtension {
    StateV0() {
      super(ExtensionKind.MATCH, "state", 0, 4, STATE_OPTIONS);
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      int mask = stateStates(a.arg());
      d.data().putInt(0, a.invert() ? ~mask : mask);
    }

    static void states(int mask, StringBuilder out) {
      String sep = "";
      for (int i = 0; i < 5; i++) {
        if ((mask & STATE_PRINT_BITS[i]) != 0) {
          out.append(sep).append(STATE_PRINT[i]);
          sep = ",";
        }
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" state ");
      states(d.data().getInt(0), out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --state ");
      states(d.data().getInt(0), out);
    }
  }
}
