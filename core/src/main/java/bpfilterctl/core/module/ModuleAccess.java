package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import java.util.List;

/**
 * What a front-end needs of a module, wherever it runs: embedded in this process ({@link
 * ModuleHost}) or in a daemon reached over its socket.
 */
public interface ModuleAccess {
  /** Loads the module; returns the healthy umh's pid. */
  int load() throws ModuleException;

  /**
   * Loads the module even though table files in the state dir are damaged: they are set aside
   * (renamed NAME.table.corrupt-MILLIS, logged) and their tables start empty. Plain {@link #load()}
   * refuses to start over damaged state.
   */
  int loadDiscardingDamaged() throws ModuleException;

  void unload() throws ModuleException;

  /**
   * Asks for the filter table to be enforced by BPF programs (on) or not (off), now and for every
   * later start of the umh; returns what the umh reports afterwards (docs/enforcement.md).
   */
  EnforcementStatus enforce(boolean on) throws ModuleException;

  MboxReply call(MboxRequest request) throws ModuleException;

  default MboxReply ping() throws ModuleException {
    return call(MboxRequest.handshake(0));
  }

  ModuleStatus status() throws ModuleException;

  /**
   * The module's state alone: what a command asks before it loads the module on first use, without
   * the rest of {@link #status} (the umh image's sha256 reads every byte it runs).
   */
  default ModuleState state() throws ModuleException {
    return status().state();
  }

  /** The last {@code n} lines of the module log, oldest first. */
  List<LogLine> log(int n) throws ModuleException;

  /** Where the module runs, for status output: "embedded" or "daemon at PATH". */
  String mode();
}
