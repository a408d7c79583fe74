package bpfilterctl.core.umh;

import bpfilterctl.core.bpf.enforce.EnforcementUnavailable;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.enforce.Generation;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.BpfFs;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.umh.tables.Enforcement;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The umh's side of the host's control options (BPF_SO_GET_ENFORCEMENT, BPF_SO_SET_ENFORCE,
 * BPF_SO_SET_UNLOAD): turns enforcement of the filter table on and off, reports it, and ends it on
 * an explicit unload. Every other request goes to the table engine. An EOF without an unload (a
 * host that died or stopped) leaves a pinned table enforcing; only unload and enforce off remove
 * it.
 */
public final class UmhControl implements SockoptHandler {
  private static final String[] CHAINS = {
    "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"
  };

  private final SockoptHandler tables;
  private final TableEngine engine;
  private final PrintStream log;
  private Enforcer enforcer;
  private EnforcementStatus.State state = EnforcementStatus.State.OFF;
  private String reason = "";

  /**
   * @param tables what answers the iptables options
   * @param engine the same, when it is the table engine (null: nothing to enforce, the skeleton)
   */
  public UmhControl(SockoptHandler tables, TableEngine engine, PrintStream log) {
    this.tables = tables;
    this.engine = engine;
    this.log = log;
  }

  /**
   * The umh's start with --enforce: the engine already enforces with {@code started} (or null, and
   * {@code why} says why not).
   */
  public void startedWith(Enforcer started, String why) {
    enforcer = started;
    state = started != null ? EnforcementStatus.State.ON : EnforcementStatus.State.UNAVAILABLE;
    reason = why;
  }

  @Override
  public MboxReply handle(MboxRequest request) {
    Optional<Sockopt> o = Sockopt.of(request.isSet(), request.cmd());
    if (o.isEmpty()) {
      return tables.handle(request);
    }
    return switch (o.get()) {
      case BPF_SO_GET_ENFORCEMENT -> report(request.len());
      case BPF_SO_SET_ENFORCE -> {
        byte[] p = request.payload();
        if (p.length != 4) {
          yield MboxReply.error(Errno.EINVAL);
        }
        int on = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        yield on == 0 ? off("enforce off") : on();
      }
      case BPF_SO_SET_UNLOAD -> off("unload");
      default -> tables.handle(request);
    };
  }

  /** The end of the umh: a pinned generation goes on filtering; an unpinned one detaches. */
  public void exit() {
    if (enforcer != null) {
      enforcer.close();
    }
  }

  private MboxReply on() {
    if (engine == null) {
      state = EnforcementStatus.State.UNAVAILABLE;
      reason = "the skeleton engine holds no tables to enforce";
      return MboxReply.error(Errno.EOPNOTSUPP);
    }
    if (engine.enforcing()) {
      return MboxReply.ok();
    }
    Enforcer e;
    try {
      e = Enforcer.open();
    } catch (EnforcementUnavailable u) {
      state = EnforcementStatus.State.UNAVAILABLE;
      reason = u.getMessage();
      log.println("umh: enforcement unavailable, running unenforced: " + reason);
      return MboxReply.error(Errno.EOPNOTSUPP);
    }
    String note = pin(e);
    BpfEnforcement bpf = new BpfEnforcement(e, log);
    try {
      Optional<Errno> refused = engine.enforce(bpf);
      if (refused.isPresent()) {
        e.close(); // an adopted generation stays pinned: only enforce off or unload removes it
        state = EnforcementStatus.State.OFF;
        reason = "the filter table cannot be enforced: " + bpf.lastRefusal();
        return MboxReply.error(refused.get());
      }
    } catch (Enforcement.EnforcementFailure f) {
      e.close();
      state = EnforcementStatus.State.OFF;
      reason = "the filter table could not be attached: " + firstLine(f.getMessage());
      return MboxReply.error(Errno.ENOMEM);
    }
    enforcer = e;
    state = EnforcementStatus.State.ON;
    reason = note;
    log.println("umh: enforce on");
    return MboxReply.ok();
  }

  /** Pins under the default bpffs, adopting what is there; a note when it cannot pin. */
  static String pin(Enforcer e) {
    try {
      e.pinUnder(BpfFs.DEFAULT);
      return "";
    } catch (IOException | BpfException x) {
      return "cannot pin under "
          + BpfFs.DEFAULT
          + " ("
          + firstLine(x.getMessage())
          + "): enforcement ends with this umh";
    }
  }

  /**
   * Stops enforcing for good: the engine keeps the traffic counted so far, the pins go, the
   * programs detach. Without an enforcer of its own (a umh started unenforced) it still removes
   * what an earlier umh of this namespace left pinned.
   */
  private MboxReply off(String why) {
    Enforcer e = enforcer;
    if (e == null && state != EnforcementStatus.State.UNAVAILABLE) {
      e = leftBehind();
    }
    if (engine != null) {
      engine.stopEnforcing();
    }
    enforcer = null;
    state = EnforcementStatus.State.OFF;
    reason = "";
    if (e == null) {
      return MboxReply.ok();
    }
    try {
      e.stop();
      log.println("umh: " + why + ": enforcement stopped, pins removed");
      return MboxReply.ok();
    } catch (IOException x) {
      reason = "could not remove the pins: " + x.getMessage();
      log.println("umh: " + why + ": " + reason);
      return MboxReply.error(Errno.EIO);
    }
  }

  /** What an earlier umh left pinned in this namespace, adopted; null when nothing is. */
  private Enforcer leftBehind() {
    try {
      Enforcer e = Enforcer.open();
      if (BpfFs.isMounted(BpfFs.DEFAULT) && e.pinUnder(BpfFs.DEFAULT)) {
        return e;
      }
      e.close();
    } catch (EnforcementUnavailable | IOException | BpfException x) {
      // nothing can be pinned where nothing can enforce
    }
    return null;
  }

  private MboxReply report(int room) {
    byte[] json = status().toJson().getBytes(StandardCharsets.UTF_8);
    if (json.length > room) {
      return MboxReply.error(Errno.ERANGE);
    }
    return MboxReply.ok(Arrays.copyOf(json, room));
  }

  EnforcementStatus status() {
    Optional<Generation> live = enforcer == null ? Optional.empty() : enforcer.live();
    if (state != EnforcementStatus.State.ON || live.isEmpty()) {
      return new EnforcementStatus(state, reason, 0, 0, false, "", List.of(), -1);
    }
    Generation g = live.get();
    List<EnforcementStatus.Hook> hooks = new ArrayList<>();
    Map<Integer, Integer> sizes = g.instructions();
    try {
      for (var id : new TreeMap<>(g.programIds()).entrySet()) {
        hooks.add(
            new EnforcementStatus.Hook(
                CHAINS[id.getKey()], id.getValue(), sizes.getOrDefault(id.getKey(), -1)));
      }
    } catch (BpfException x) {
      log.println("umh: cannot read program ids: " + x.getMessage());
    }
    String pinDir = enforcer.pins().map(p -> p.dir().toString()).orElse("");
    long lost = -1;
    if (enforcer.targetChannel().isPresent()) {
      try {
        lost = enforcer.targetChannel().get().lost();
      } catch (BpfException x) {
        log.println("umh: cannot read the lost REJECT/LOG records: " + x.getMessage());
      }
    }
    return new EnforcementStatus(
        state, reason, g.number(), g.priority(), g.isAdopted(), pinDir, hooks, lost);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
