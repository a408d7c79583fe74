package bpfilterctl.cli.commands;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;

/**
 * Sends IPT_SO_* calls to the module as a process's get/setsockopt would, with this process's pid:
 * the reply's bytes on success, {@link SockoptRefused} for an errno, {@link ModuleException} when
 * the host could not deliver the call (module down: exit 3).
 */
public final class Sockopts {
  private final ModuleAccess module;
  private final int pid = (int) ProcessHandle.current().pid();

  public Sockopts(ModuleAccess module) {
    this.module = module;
  }

  /**
   * @param subject what the call is about, for an error message ("table 'filter'")
   * @return for a get the output buffer, for SET_REPLACE the old counters, else nothing
   */
  public byte[] call(Sockopt option, byte[] value, String subject)
      throws ModuleException, SockoptRefused {
    MboxReply r = module.call(new MboxRequest(0, option.isSet(), option.cmd(), pid, value));
    if (r.isError()) {
      throw new SockoptRefused(option, subject, -r.status());
    }
    return r.payload();
  }
}
