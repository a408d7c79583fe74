package bpfilterctl.core.module;

/** The umh could not be started at all: pipe() or posix_spawn failed. */
public final class SpawnException extends Exception {
  private static final long serialVersionUID = 1L;

  public SpawnException(String message) {
    super(message);
  }
}
