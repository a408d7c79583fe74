package bpfilterctl.core.module;

/** Where the module is in its life. */
public enum ModuleState {
  /** No umh, nothing to talk to: load first. */
  UNLOADED,
  /** A umh is being spawned and health-checked. */
  LOADING,
  /** The umh answered its handshake and every request since. */
  HEALTHY,
  /** A request or ping got no reply in time: the umh is being killed. */
  UNRESPONSIVE,
  /** The umh died; it starts again on the next request (or at once with the watchdog on). */
  RESTARTING,
  /** The start limit was hit or the umh cannot start: nothing happens until an explicit load. */
  FAILED
}
