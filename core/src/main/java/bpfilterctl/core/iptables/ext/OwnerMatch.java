package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.uapi.XtOwnerMatchInfo.GID;
import static bpfilterctl.core.uapi.XtOwnerMatchInfo.SOCKET;
import static bpfilterctl.core.uapi.XtOwnerMatchInfo.SUPPL_GROUPS;
import static bpfilterctl.core.uapi.XtOwnerMatchInfo.UID;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;
import java.util.Optional;

/**
 * owner revision 1 (libxt_owner.c): struct xt_owner_match_info { u32 uid_min, uid_max, gid_min,
 * gid_max; u8 match, invert; }, 20 bytes.
 */
public final class OwnerMatch extends AbstractXtExtension {

  public static final List<XtExtension> ALL = List.of(new OwnerMatch());

  private OwnerMatch() {
    super(
        ExtensionKind.MATCH,
        "owner",
        1,
        20,
        List.of(
            XtOption.of("uid-owner", XtOptionType.STRING, 0, XtOption.INVERT),
            XtOption.of("gid-owner", XtOptionType.STRING, 1, XtOption.INVERT),
            XtOption.of("socket-exists", XtOptionType.NONE, 2, XtOption.INVERT),
            XtOption.of("suppl-groups", XtOptionType.NONE, 6, 0)));
  }

  /** owner_parse_range: n, n-m or n:m, each 0 to 2^32-2 (-1 is reserved). */
  private static long[] range(String s, String opt) throws RuleException {
    RuleException bad =
        RuleException.parameter("owner: Bad value for \"" + opt + "\" option: \"" + s + "\"");
    CNumbers.Parsed from = CNumbers.xtStrtoul(s, 0, 0, 0xfffffffeL);
    if (from == null) {
      throw bad;
    }
    long to = from.value();
    int end = from.end();
    if (end < s.length() && (s.charAt(end) == '-' || s.charAt(end) == ':')) {
      CNumbers.Parsed t = CNumbers.xtStrtoul(s, end + 1, 0, 0xfffffffeL);
      if (t == null) {
        throw bad;
      }
      to = t.value();
      end = t.end();
    }
    if (end != s.length()) {
      throw bad;
    }
    return new long[] {from.value(), to};
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    var b = d.data();
    int match = XtPrint.u8(b, 16);
    int invert = XtPrint.u8(b, 17);
    int flag;
    switch (a.id()) {
      case 0, 1 -> {
        boolean user = a.id() == 0;
        Optional<Long> id = user ? d.lookups().uid(a.arg()) : d.lookups().gid(a.arg());
        long[] r =
            id.isPresent()
                ? new long[] {id.get(), id.get()}
                : range(a.arg(), user ? "--uid-owner" : "--gid-owner");
        int at = user ? 0 : 8;
        b.putInt(at, (int) r[0]).putInt(at + 4, (int) r[1]);
        flag = user ? UID : GID;
      }
      case 2 -> flag = SOCKET;
      default -> {
        if ((match & GID) == 0) {
          throw RuleException.parameter(
              "owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner"
                  + " first\"");
        }
        flag = SUPPL_GROUPS;
      }
    }
    if (a.invert()) {
      invert |= flag;
    }
    b.put(16, (byte) (match | flag)).put(17, (byte) invert);
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter(
          "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required");
    }
  }

  private static void item(ExtData d, String label, int flag, boolean numeric, StringBuilder out) {
    var b = d.data();
    int match = XtPrint.u8(b, 16);
    if ((match & flag) == 0) {
      return;
    }
    if ((XtPrint.u8(b, 17) & flag) != 0) {
      out.append(" !");
    }
    out.append(' ').append(label);
    if (flag == UID || flag == GID) {
      int at = flag == UID ? 0 : 8;
      long min = XtPrint.u32(b, at);
      long max = XtPrint.u32(b, at + 4);
      if (min != max) {
        out.append(' ').append(min).append('-').append(max);
        return;
      }
      if (!numeric) {
        Optional<String> name =
            flag == UID ? d.lookups().userName(min) : d.lookups().groupName(min);
        if (name.isPresent()) {
          out.append(' ').append(name.get());
          return;
        }
      }
      out.append(' ').append(min);
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    item(d, "owner socket exists", SOCKET, numeric, out);
    item(d, "owner UID match", UID, numeric, out);
    item(d, "owner GID match", GID, numeric, out);
    item(d, "incl. suppl. groups", SUPPL_GROUPS, numeric, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    item(d, "--socket-exists", SOCKET, true, out);
    item(d, "--uid-owner", UID, true, out);
    item(d, "--gid-owner", GID, true, out);
    item(d, "--suppl-groups", SUPPL_GROUPS, true, out);
  }
}
