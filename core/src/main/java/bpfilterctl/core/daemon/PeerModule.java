package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's module as one peer may use it, for a command the daemon runs on the peer's behalf:
 * the same checks as the peer's own frames (a set option, load and unload need write access; gets,
 * status and log read access), and the umh sees the peer's pid and command name.
 */
final class PeerModule implements ModuleAccess {
  private final ModuleHost host;
  private final AccessPolicy policy;
  private final Peer peer;
  private final Path socket;
  private final java.util.function.BiFunction<Peer, String, ModuleException> denied;

  PeerModule(
      ModuleHost host,
      AccessPolicy policy,
      Peer peer,
      Path socket,
      java.util.function.BiFunction<Peer, String, ModuleException> denied) {
    this.host = host;
    this.policy = policy;
    this.peer = peer;
    this.socket = socket;
    this.denied = denied;
  }

  private void mayWrite(String what) throws ModuleException {
    if (!policy.mayWrite(peer)) {
      throw denied.apply(peer, what);
    }
  }

  private void mayRead(String what) throws ModuleException {
    if (!policy.mayRead(peer)) {
      throw denied.apply(peer, what);
    }
  }

  @Override
  public int load() throws ModuleException {
    mayWrite("load");
    return host.load();
  }

  @Override
  public int loadDiscardingDamaged() throws ModuleException {
    mayWrite("load");
    return host.loadDiscardingDamaged();
  }

  @Override
  public void unload() throws ModuleException {
    mayWrite("unload");
    host.unload();
  }

  @Override
  public EnforcementStatus enforce(boolean on) throws ModuleException {
    mayWrite("enforce");
    return host.enforce(on);
  }

  @Override
  public MboxReply call(MboxRequest r) throws ModuleException {
    if (r.isSet()) {
      mayWrite("set option " + r.cmd());
    } else {
      mayRead("get option " + r.cmd());
    }
    return host.call(
        new MboxRequest(r.addr(), r.isSet(), r.cmd(), peer.pid(), r.payload()), peer.comm());
  }

  @Override
  public ModuleStatus status() throws ModuleException {
    mayRead("status");
    return host.status();
  }

  @Override
  public ModuleState state() throws ModuleException {
    mayRead("status");
    return host.state();
  }

  @Override
  public List<LogLine> log(int n) throws ModuleException {
    mayRead("log");
    return host.log(n);
  }

  @Override
  public String mode() {
    return "daemon at " + socket;
  }
}
