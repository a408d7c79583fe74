package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** The fixed facts of one extension revision; subclasses add parse, print and save. */
public abstract class AbstractXtExtension implements XtExtension {
  private final ExtensionKind kind;
  private final String name;
  private final int revision;
  private final int dataSize;
  private final List<XtOption> options;

  protected AbstractXtExtension(
      ExtensionKind kind, String name, int revision, int dataSize, List<XtOption> options) {
    this.kind = kind;
    this.name = name;
    this.revision = revision;
    this.dataSize = dataSize;
    this.options = List.copyOf(options);
  }

  @Override
  public ExtensionKind kind() {
    return kind;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int revision() {
    return revision;
  }

  @Override
  public int dataSize() {
    return dataSize;
  }

  @Override
  public List<XtOption> options() {
    return options;
  }

  @Override
  public String toString() {
    return kind + " " + name + "/" + revision;
  }
}
