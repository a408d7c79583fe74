package bpfilterctl.core.persist;

/** A state file that is not what we wrote: truncated, bit-flipped or foreign. */
public final class StateCorruptException extends Exception {
  private static final long serialVersionUID = 1L;

  public StateCorruptException(String message) {
    super(message);
  }
}
