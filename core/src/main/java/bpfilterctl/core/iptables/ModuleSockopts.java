package bpfilterctl.core.iptables;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import java.util.function.Function;

/**
 * Sockopts over the mbox: each call is one request to the umh, as the kernel module forwards an
 * iptables getsockopt/setsockopt. Works with the module host (embedded or daemon) or directly with
 * a request handler such as the table engine.
 */
public final class ModuleSockopts implements Sockopts {
  /** One request, one reply. */
  public interface Channel {
    MboxReply call(MboxRequest request) throws ModuleException;
  }

  private final Channel channel;
  private final int pid;

  public ModuleSockopts(Channel channel, int pid) {
    this.channel = channel;
    this.pid = pid;
  }

  public static ModuleSockopts of(ModuleAccess module) {
    return new ModuleSockopts(module::call, (int) ProcessHandle.current().pid());
  }

  /** Straight to a handler, without a module in between (tests, benchmarks, dry runs). */
  public static ModuleSockopts direct(Function<MboxRequest, MboxReply> handler) {
    return new ModuleSockopts(handler::apply, (int) ProcessHandle.current().pid());
  }

  @Override
  public byte[] get(int cmd, byte[] in) throws SockoptError, ModuleException {
    return answer(channel.call(new MboxRequest(0, false, cmd, pid, in)));
  }

  @Override
  public byte[] set(int cmd, byte[] value) throws SockoptError, ModuleException {
    return answer(channel.call(new MboxRequest(0, true, cmd, pid, value)));
  }

  private static byte[] answer(MboxReply r) throws SockoptError {
    if (r.isError()) {
      throw new SockoptError(-r.status());
    }
    return r.payload();
  }
}
