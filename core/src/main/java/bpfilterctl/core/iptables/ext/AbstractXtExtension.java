package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The fixed facts of one extension revision (kind, name, revision, struct size, options), given
 * once to the constructor and final; subclasses add parse, print and save.
 */
public abstract non-sealed class AbstractXtExtension implements XtExtension {
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
  public final ExtensionKind kind() {
    return kind;
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
    return kind + " " + name + "/" + revision;
  }
}
