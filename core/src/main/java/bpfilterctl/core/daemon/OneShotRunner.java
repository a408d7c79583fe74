package bpfilterctl.core.daemon;

import bpfilterctl.core.module.ModuleAccess;
import java.io.OutputStream;

/**
 * Runs one client's command line inside the daemon, where the code is warm (the front-end supplies
 * it: core knows no commands). Interrupting the thread is the client's Ctrl-C.
 */
public interface OneShotRunner {
  /**
   * @param module the daemon's module as this caller may use it (reads and writes checked against
   *     its credentials, as its own CALLs would be)
   * @param caller stdin, files and the xtables lock, in the caller's process
   * @return the exit status for the client
   */
  int run(
      RunRequest request, ModuleAccess module, CallerIo caller, OutputStream out, OutputStream err);
}
