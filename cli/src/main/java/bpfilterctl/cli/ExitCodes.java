package bpfilterctl.cli;

import bpfilterctl.core.module.ModuleException;

/** bpfilterctl's documented exit statuses. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  /** The module is not loaded, or its umh is dead, failed or unresponsive. */
  public static final int MODULE_DOWN = 3;

  public static final int PERMISSION_DENIED = 4;

  private ExitCodes() {}

  public static int of(ModuleException e) {
    return switch (e.kind()) {
      case NOT_LOADED, FAILED, RESTARTING, START_FAILED, UMH_DIED, TIMEOUT, PROTOCOL -> MODULE_DOWN;
      case PERMISSION_DENIED -> PERMISSION_DENIED;
      case DAEMON, REFUSED -> FAILURE;
    };
  }
}
