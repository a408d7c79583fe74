package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The client extensions the front-end knows, what libxtables' registered match and target lists
 * are: candidates for a name given after -m/-j (highest revision first, to be probed against the
 * module like libxtables' compatible_revision), the extension that prints a blob's (name,
 * revision), and every option name for completion. Immutable; composed from per-area lists.
 */
public final class XtExtensions {
  private final List<XtExtension> all;

  private XtExtensions(List<XtExtension> all) {
    this.all = List.copyOf(all);
  }

  /** The union of some lists of extensions, in the order given. */
  @SafeVarargs
  public static XtExtensions of(List<? extends XtExtension>... lists) {
    List<XtExtension> joined = new ArrayList<>();
    for (List<? extends XtExtension> list : lists) {
      joined.addAll(list);
    }
    return new XtExtensions(joined);
  }

  /** Every extension this project implements: one line per area. */
  public static XtExtensions standard() {
    return of(ClassicMatches.ALL, SpecialMatches.ALL, Targets.ALL);
  }

  public List<XtExtension> all() {
    return all;
  }

  /**
   * The revisions of the extension named {@code name} after -m or -j, highest first: the front-end
   * takes the first the module supports (under its real name).
   */
  public List<XtExtension> candidates(ExtensionKind kind, String name) {
    return all.stream()
        .filter(e -> e.kind() == kind && e.name().equals(name))
        .sorted(Comparator.comparingInt(XtExtension::revision).reversed())
        .toList();
  }

  /**
   * The extension that prints a blob's match or target: its real name and revision, preferring the
   * extension registered under that name over an alias sharing it (conntrack over state).
   */
  public Optional<XtExtension> forBlob(ExtensionKind kind, String realName, int revision) {
    XtExtension alias = null;
    for (XtExtension e : all) {
      if (e.kind() != kind || e.revision() != revision || !e.realName().equals(realName)) {
        continue;
      }
      if (e.name().equals(realName)) {
        return Optional.of(e);
      }
      if (alias == null) {
        alias = e;
      }
    }
    return Optional.ofNullable(alias);
  }

  /** Whether anything goes by this name after -m or -j. */
  public boolean knows(ExtensionKind kind, String name) {
    return all.stream().anyMatch(e -> e.kind() == kind && e.name().equals(name));
  }

  /** The names usable after -m (MATCH) or -j (TARGET), sorted. */
  public List<String> names(ExtensionKind kind) {
    TreeSet<String> names = new TreeSet<>();
    all.stream().filter(e -> e.kind() == kind).forEach(e -> names.add(e.name()));
    return List.copyOf(names);
  }

  /** The long option names (without "--") of every revision of one extension, sorted. */
  public List<String> optionNames(ExtensionKind kind, String name) {
    TreeSet<String> names = new TreeSet<>();
    candidates(kind, name).forEach(e -> e.options().forEach(o -> names.add(o.name())));
    return List.copyOf(names);
  }

  /** Every long option name (without "--") of every extension, sorted, for completion. */
  public List<String> allOptionNames() {
    TreeSet<String> names = new TreeSet<>();
    all.forEach(e -> e.options().forEach(o -> names.add(o.name())));
    return List.copyOf(names);
  }
}
