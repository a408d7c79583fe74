package bpfilterctl.cli.complete;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.Iterator;

/**
 * The names of the registered matches or targets, for picocli's {@code completionCandidates} of a
 * parameter that names one extension (not a rule's -j, which also takes verdicts and chains), so
 * that the shell, bash and zsh all offer them.
 */
public final class ExtensionNames {
  private ExtensionNames() {}

  /** Every registered match. */
  public static final class Matches implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return ExtensionRegistry.kernel().names(ExtensionKind.MATCH).iterator();
    }
  }

  /** Every registered target but the standard ("") and ERROR ones, which exist in blobs only. */
  public static final class Targets implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return ExtensionRegistry.kernel().names(ExtensionKind.TARGET).stream()
          .filter(n -> !n.isEmpty() && !n.equals("ERROR"))
          .iterator();
    }
  }
}
