package bpfilterctl.core.bpf.compile;

/** The table uses something the compiler cannot turn into BPF; the message says what. */
public final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean extension;

  public Refusal(String what) {
    this(what, false);
  }

  private Refusal(String what, boolean extension) {
    super("cannot compile: " + what);
    this.extension = extension;
  }

  /** A match or target the compiler does not know (a kernel without its module refuses it). */
  static Refusal extension(String what) {
    return new Refusal(what, true);
  }

  /** True when an unknown match or target is the reason. */
  public boolean isExtension() {
    return extension;
  }
}
