package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.ext.ExtData;
import bpfilterctl.core.iptables.ext.XtExtension;

/**
 * A match or target in use by the rule being parsed: the extension and its data. A match is
 * "completed" once the same match is loaded again, so later options go to the newer one.
 */
public final class LoadedExtension {
  private final XtExtension extension;
  private final ExtData data;
  private boolean completed;

  LoadedExtension(XtExtension extension, ExtData data) {
    this.extension = extension;
    this.data = data;
  }

  public XtExtension extension() {
    return extension;
  }

  public ExtData data() {
    return data;
  }

  boolean completed() {
    return completed;
  }

  void complete() {
    completed = true;
  }
}
