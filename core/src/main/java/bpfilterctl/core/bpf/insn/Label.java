package bpfilterctl.core.bpf.insn;

/** A place in the program that jumps and calls refer to before it is known (bound once). */
public final class Label {
  private final String name;
  int pc = -1;

  Label(String name) {
    this.name = name;
  }

  public boolean isBound() {
    return pc >= 0;
  }

  @Override
  public String toString() {
    return name + (pc >= 0 ? "@" + pc : "");
  }
}
