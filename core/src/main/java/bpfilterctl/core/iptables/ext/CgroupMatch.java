package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The cgroup match (libxt_cgroup.c) in its three revisions. Revision 0, 8 bytes: {@code u32 id, u32
 * invert}. Revisions 1 and 2: {@code u8 has_path, has_classid, invert_path, invert_classid}, then
 * the path at 4 (4096 bytes in revision 1, 512 in revision 2 where it shares its place with the
 * classid) and {@code u32 classid} (at 4100 in revision 1, at 4 in revision 2), and a kernel
 * pointer.
 */
final class CgroupMatch extends AbstractXtExtension {
  static final List<XtExtension> ALL =
      List.of(new CgroupMatch(0), new CgroupMatch(1), new CgroupMatch(2));

  private static final int O_CLASSID = 0;
  private static final int O_PATH = 1;

  private static final int OFF_PATH = 4;

  private CgroupMatch(int revision) {
    super(ExtensionKind.MATCH, "cgroup", revision, sizeOf(revision), optionsOf(revision));
  }

  private static int sizeOf(int revision) {
    return switch (revision) {
      case 0 -> 8;
      case 1 -> 4112;
      default -> 528;
    };
  }

  private static List<XtOption> optionsOf(int revision) {
    if (revision == 0) {
      return List.of(
          XtOption.of("cgroup", XtOptionType.UINT32, O_CLASSID, XtOption.INVERT | XtOption.MAND));
    }
    return List.of(
        XtOption.of("path", XtOptionType.STRING, O_PATH, XtOption.INVERT)
            .withSize(pathSize(revision)),
        XtOption.of("cgroup", XtOptionType.UINT32, O_CLASSID, XtOption.INVERT));
  }

  @Override
  public int userSpaceSize() {
    return switch (revision()) {
      case 0 -> 8;
      case 1 -> 4104;
      default -> 520;
    };
  }

  private static int pathSize(int revision) {
    return revision == 1 ? 4096 : 512;
  }

  private int classidOffset() {
    return revision() == 1 ? 4100 : OFF_PATH;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    if (revision() == 0) {
      b.putInt(0, (int) arg.val());
      if (arg.invert()) {
        b.putInt(4, 1);
      }
      return;
    }
    if (arg.id() == O_PATH) {
      putPath(b, arg.arg());
      b.put(0, (byte) 1);
      if (arg.invert()) {
        b.put(2, (byte) 1);
      }
    } else {
      b.putInt(classidOffset(), (int) arg.val());
      b.put(1, (byte) 1);
      if (arg.invert()) {
        b.put(3, (byte) 1);
      }
    }
  }

  /**
   * libxtables' string store: at most size-1 bytes and a NUL, the rest of the field untouched (in
   * revision 2 it may still hold a classid given before).
   */
  private void putPath(ByteBuffer b, String path) {
    byte[] raw = path.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(raw.length, pathSize(revision()) - 1);
    b.put(OFF_PATH, raw, 0, n);
    b.put(OFF_PATH + n, (byte) 0);
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    if (revision() == 0) {
      out.append(" cgroup ").append(b.getInt(4) != 0 ? "! " : "");
      out.append(Integer.toUnsignedString(b.getInt(0)));
      return;
    }
    out.append(" cgroup");
    if (b.get(0) != 0) {
      out.append(' ').append(b.get(2) != 0 ? "! " : "");
      out.append(XtText.cString(b, OFF_PATH, pathSize(revision())));
    }
    if (b.get(1) != 0) {
      out.append(' ').append(b.get(3) != 0 ? "! " : "");
      out.append(Integer.toUnsignedString(b.getInt(classidOffset())));
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    if (revision() == 0) {
      out.append(b.getInt(4) != 0 ? " !" : "").append(" --cgroup ");
      out.append(Integer.toUnsignedString(b.getInt(0)));
      return;
    }
    if (b.get(0) != 0) {
      out.append(b.get(2) != 0 ? " !" : "").append(" --path");
      XtText.saveString(XtText.cString(b, OFF_PATH, pathSize(revision())), out);
    }
    if (b.get(1) != 0) {
      out.append(b.get(3) != 0 ? " !" : "").append(" --cgroup ");
      out.append(Integer.toUnsignedString(b.getInt(classidOffset())));
    }
  }
}
