package bpfilterctl.cli.commands;

import bpfilterctl.core.inspect.ErrnoText;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;

/**
 * The umh (as the kernel would) answered an IPT_SO_* call with an errno. Not a host failure: the
 * module is fine, the call was refused; commands exit 1 and say why in the kernel's terms.
 */
public final class SockoptRefused extends Exception {
  private static final long serialVersionUID = 1L;

  private final Sockopt option;
  private final int errno;

  /**
   * @param subject what the call was about, for the message ("table 'nat'")
   * @param errno the positive errno code
   */
  public SockoptRefused(Sockopt option, String subject, int errno) {
    super(option.name() + " (" + subject + "): " + ErrnoText.describe(option, errno));
    this.option = option;
    this.errno = errno;
  }

  public Sockopt option() {
    return option;
  }

  /** The positive errno code. */
  public int errno() {
    return errno;
  }

  /** {@code {"error": {"option", "errno", "code", "message"}}}: what --json prints on stdout. */
  public String toJson() {
    return new JsonWriter()
        .beginObject()
        .name("error")
        .beginObject()
        .field("option", option.name())
        .field("errno", Errno.nameOf(errno))
        .field("code", errno)
        .field("message", getMessage())
        .endObject()
        .endObject()
        .toString();
  }
}
