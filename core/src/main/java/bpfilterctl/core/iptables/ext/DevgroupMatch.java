package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The devgroup match (libxt_devgroup.c), struct xt_devgroup_info, 20 bytes: {@code u32 flags}, then
 * group and mask of the incoming ({@code src}) and outgoing ({@code dst}) device. Group names come
 * from /etc/iproute2/group.
 */
final class DevgroupMatch extends AbstractXtExtension {
  static final DevgroupMatch INSTANCE = new DevgroupMatch(Path.of("/etc/iproute2/group"));

  static final int MATCH_SRC = 0x1;
  static final int INVERT_SRC = 0x2;
  static final int MATCH_DST = 0x4;
  static final int INVERT_DST = 0x8;

  private static final int O_SRC = 0;
  private static final int O_DST = 1;

  private final Path groups;

  private DevgroupMatch(Path groups) {
    super(
        ExtensionKind.MATCH,
        "devgroup",
        0,
        20,
        List.of(
            XtOption.of("src-group", XtOptionType.STRING, O_SRC, XtOption.INVERT),
            XtOption.of("dst-group", XtOptionType.STRING, O_DST, XtOption.INVERT)));
    this.groups = groups;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    IdNameMap.ValMask vm = IdNameMap.load(groups).parse(arg.arg(), name(), arg.option().name());
    boolean src = arg.id() == O_SRC;
    ByteBuffer b = d.data();
    b.putInt(src ? 4 : 12, (int) vm.value());
    b.putInt(src ? 8 : 16, (int) vm.mask());
    int flags = src ? MATCH_SRC : MATCH_DST;
    if (arg.invert()) {
      flags |= src ? INVERT_SRC : INVERT_DST;
    }
    b.putInt(0, b.getInt(0) | flags);
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter(
          "devgroup match: You must specify either '--src-group' or '--dst-group'");
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    show("", !numeric, d.data(), out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    show("--", true, d.data(), out);
  }

  private void show(String prefix, boolean names, ByteBuffer b, StringBuilder out) {
    int flags = b.getInt(0);
    IdNameMap map = IdNameMap.load(groups);
    if ((flags & MATCH_SRC) != 0) {
      out.append((flags & INVERT_SRC) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("src-group");
      map.print(u32(b, 4), u32(b, 8), names, out);
    }
    if ((flags & MATCH_DST) != 0) {
      out.append((flags & INVERT_DST) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("dst-group");
      map.print(u32(b, 12), u32(b, 16), names, out);
    }
  }

  private static long u32(ByteBuffer b, int off) {
    return Integer.toUnsignedLong(b.getInt(off));
  }
}
