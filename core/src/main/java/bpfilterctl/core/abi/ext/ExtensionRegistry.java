package bpfilterctl.core.abi.ext;

import bpfilterctl.core.mbox.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The matches and targets the umh knows, by kind, name and revision: what x_tables' lists hold.
 * Immutable once built.
 */
public final class ExtensionRegistry {
  private final Map<ExtensionKind, Map<String, List<KernelExtension>>> byName = new HashMap<>();

  public ExtensionRegistry(List<? extends KernelExtension> extensions) {
    for (ExtensionKind k : ExtensionKind.values()) {
      byName.put(k, new HashMap<>());
    }
    for (KernelExtension e : extensions) {
      byName.get(e.kind()).computeIfAbsent(e.name(), n -> new ArrayList<>()).add(e);
    }
  }

  /** Every extension this project implements. */
  public static ExtensionRegistry kernel() {
    return new ExtensionRegistry(KernelExtensions.all());
  }

  public Optional<KernelExtension> find(ExtensionKind kind, String name, int revision) {
    return revisions(kind, name).stream().filter(e -> e.revision() == revision).findFirst();
  }

  /** The errno x_tables gives when {@link #find} is empty for this name and revision. */
  public Errno lookupError(ExtensionKind kind, String name, int revision) {
    return Errno.ENOENT;
  }

  /**
   * The result of IPT_SO_GET_REVISION_MATCH/TARGET for this name and revision, as the getsockopt
   * return value the kernel gives (the best revision when the asked one exists) or -errno.
   */
  public int revisionAnswer(ExtensionKind kind, String name, int revision) {
    List<KernelExtension> revs = revisions(kind, name);
    if (revs.isEmpty()) {
      return Errno.ENOENT.status();
    }
    int best = revs.stream().mapToInt(KernelExtension::revision).max().orElseThrow();
    boolean have = revs.stream().anyMatch(e -> e.revision() == revision);
    return have ? best : Errno.EPROTONOSUPPORT.status();
  }

  public List<KernelExtension> revisions(ExtensionKind kind, String name) {
    return byName.get(kind).getOrDefault(name, List.of());
  }

  public List<String> names(ExtensionKind kind) {
    return byName.get(kind).keySet().stream().sorted().toList();
  }
}
