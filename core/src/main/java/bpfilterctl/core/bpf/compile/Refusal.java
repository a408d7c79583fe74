package bpfilterctl.core.bpf.compile;

/** The table uses something the compiler cannot turn into BPF; the message says what. */
public final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  public Refusal(String what) {
    super("cannot compile: " + what);
  }
}
