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

  /** The lines of --help's "Exit status" that mean the same for every command (picocli's form). */
  public static final String USAGE_LINE = "2:usage error";

  public static final String MODULE_DOWN_LINE =
      "3:module not loaded, or its umh dead, failed or unresponsive";

  public static final String DENIED_LINE = "4:permission denied (the daemon refused this caller)";

  private ExitCodes() {}

  public static int of(ModuleException e) {
    return switch (e.kind()) {
      case NOT_LOADED, FAILED, RESTARTING, START_FAILED, UMH_DIED, TIMEOUT, PROTOCOL -> MODULE_DOWN;
      case PERMISSION_DENIED -> PERMISSION_DENIED;
      case DAEMON, REFUSED -> FAILURE;
    };
  }
}
