package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** The fixed facts of one target revision; subclasses add parsing and printing. */
abstract class TargetCodec implements XtExtension {
  private final String name;
  private final int revision;
  private final int dataSize;
  private final List<XtOption> options;

  TargetCodec(String name, int revision, int dataSize, List<XtOption> options) {
    this.name = name;
    this.revision = revision;
    this.dataSize = dataSize;
    this.options = List.copyOf(options);
  }

  @Override
  public final ExtensionKind kind() {
    return ExtensionKind.TARGET;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int revision() {
    return revision;
  }

  @Override
  public final int dataSize() {
    return dataSize;
  }

  @Override
  public final List<XtOption> options() {
    return options;
  }

  @Override
  public String toString() {
    return name + " rev " + revision;
  }

  /** An option that takes no argument and cannot be inverted. */
  static XtOption flag(String name, int id) {
    return XtOption.of(name, XtOptionType.NONE, id, 0);
  }

  static XtOption opt(String name, XtOptionType type, int id) {
    return XtOption.of(name, type, id, 0);
  }

  static XtOption mandatory(String name, XtOptionType type, int id) {
    return XtOption.of(name, type, id, XtOption.MAND);
  }

  static int bits(int... ids) {
    int m = 0;
    for (int id : ids) {
      m |= 1 << id;
    }
    return m;
  }
}
