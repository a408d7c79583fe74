package bpfilterctl.cli.commands;

import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.Sockopts;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;

/**
 * The raw get/set commands' IPT_SO_* calls: the front-end's {@link Sockopts} (this process's pid,
 * as its get/setsockopt would carry), with an errno answer turned into a {@link SockoptRefused}
 * that names what the call was about; {@link ModuleException} when the host could not deliver it
 * (module down: exit 3).
 */
final class CommandSockopts {
  private final Sockopts calls;

  CommandSockopts(ModuleAccess module) {
    this.calls = ModuleSockopts.of(module);
  }

  /**
   * @param subject what the call is about, for an error message ("table 'filter'")
   * @return for a get the output buffer, for SET_REPLACE the old counters, else nothing
   */
  byte[] call(Sockopt option, byte[] value, String subject) throws ModuleException, SockoptRefused {
    try {
      return option.isSet() ? calls.set(option.cmd(), value) : calls.get(option.cmd(), value);
    } catch (Sockopts.SockoptError e) {
      throw new SockoptRefused(option, subject, e.errno());
    }
  }
}
