package bpfilterctl.core.daemon;

import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import java.time.Duration;

/**
 * When a daemon may end by itself: once its module has been UNLOADED, with no request through it,
 * for {@code after}. A loaded module keeps its daemon, as a loaded kernel module stays; an unloaded
 * one has nothing in memory that its state dir does not hold (every committed table is saved before
 * its caller's reply), so ending then loses no table. Feed it the host's status now and then; it
 * answers whether the time has come.
 */
public final class IdleExit {
  private final Duration after;
  private long idleSinceMillis = -1;
  private long lastRequests = -1;

  public IdleExit(Duration after) {
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("idle time must be positive: " + after);
    }
    this.after = after;
  }

  public Duration after() {
    return after;
  }

  /** Whether the daemon should end, given the module's status at {@code nowMillis}. */
  public boolean due(ModuleStatus status, long nowMillis) {
    boolean quiet = status.state() == ModuleState.UNLOADED && status.requests() == lastRequests;
    lastRequests = status.requests();
    if (!quiet) {
      idleSinceMillis = status.state() == ModuleState.UNLOADED ? nowMillis : -1;
      return false;
    }
    if (idleSinceMillis < 0) {
      idleSinceMillis = nowMillis;
    }
    return nowMillis - idleSinceMillis >= after.toMillis();
  }
}
