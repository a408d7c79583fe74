package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.ArrayList;
import java.util.List;

/**
 * socket (libxt_socket.c): revision 0 without data; 1-3 with struct { u8 flags; } adding
 * --nowildcard (2) and --restore-skmark (3).
 */
public final class SocketMatch extends AbstractXtExtension {
  static final int TRANSPARENT = 1;
  static final int NOWILDCARD = 2;
  static final int RESTORESKMARK = 4;
  static final String[] OPTIONS = {"transparent", "nowildcard", "restore-skmark"};

  public static final List<XtExtension> ALL =
      List.of(new SocketMatch(0), new SocketMatch(1), new SocketMatch(2), new SocketMatch(3));

  private SocketMatch(int revision) {
    super(ExtensionKind.MATCH, "socket", revision, revision == 0 ? 0 : 1, options(revision));
  }

  private static List<XtOption> options(int revision) {
    List<XtOption> o = new ArrayList<>();
    int n = revision == 0 ? 0 : revision == 1 ? 1 : revision;
    for (int i = 0; i < n; i++) {
      o.add(XtOption.of(OPTIONS[i], XtOptionType.NONE, i, 0));
    }
    return o;
  }

  @Override
  public void parse(XtArg a, ExtData d) {
    d.data().put(0, (byte) (XtPrint.u8(d.data(), 0) | (1 << a.id())));
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" socket");
    save(d, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    if (revision() == 0) {
      return;
    }
    int flags = XtPrint.u8(d.data(), 0);
    for (int i = 0; i < options().size(); i++) {
      if ((flags & (1 << i)) != 0) {
        out.append(" --").append(OPTIONS[i]);
      }
    }
  }
}
