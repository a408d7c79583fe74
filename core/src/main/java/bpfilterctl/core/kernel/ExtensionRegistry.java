package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The matches and targets the umh knows, by kind, name and revision: what x_tables' lists hold,
 * with x_tables' lookup rules (net/netfilter/x_tables.c). Immutable once built.
 */
public final class ExtensionRegistry {
  /** XT_EXTENSION_MAXNAMELEN: a name that fills all 29 bytes has no NUL and is refused. */
  public static final int MAX_NAME_LEN = 29;

  private final Map<ExtensionKind, Map<String, List<KernelExtension>>> byName = new HashMap<>();

  /**
   * What {@link #find} answers for every kind, name and revision it can find: a replace of 50,000
   * rules asks it for every match and target, where a search of the name's list each time was a
   * quarter of the umh's work.
   */
  private final Map<Key, KernelExtension> found = new HashMap<>();

  private record Key(ExtensionKind kind, String name, int revision) {}

  public ExtensionRegistry(List<? extends KernelExtension> extensions) {
    for (ExtensionKind k : ExtensionKind.values()) {
      byName.put(k, new HashMap<>());
    }
    for (KernelExtension e : extensions) {
      byName.get(e.kind()).computeIfAbsent(e.name(), n -> new ArrayList<>()).add(e);
    }
    for (KernelExtension e : extensions) {
      Key k = new Key(e.kind(), e.name(), e.revision());
      searched(e.kind(), e.name(), e.revision()).ifPresent(x -> found.put(k, x));
    }
  }

  /** Every extension this project implements. */
  public static ExtensionRegistry kernel() {
    return new ExtensionRegistry(KernelExtensions.all());
  }

  /** xt_find_match/xt_find_target: the IPv4 list first, then the family-independent one. */
  public Optional<KernelExtension> find(ExtensionKind kind, String name, int revision) {
    return Optional.ofNullable(found.get(new Key(kind, name, revision)));
  }

  private Optional<KernelExtension> searched(ExtensionKind kind, String name, int revision) {
    Optional<KernelExtension> v4 = in(kind, name, Family.IPV4, revision);
    return v4.isPresent() ? v4 : in(kind, name, Family.UNSPEC, revision);
  }

  /**
   * The errno x_tables gives when {@link #find} is empty for this name and revision: EINVAL for a
   * name without room for its NUL, EPROTOTYPE when the family-independent list has the name at
   * another revision, else ENOENT (the IPv4 list's own "found something" is lost when the kernel
   * goes on to search the second list).
   */
  public Errno lookupError(ExtensionKind kind, String name, int revision) {
    if (name.length() >= MAX_NAME_LEN) {
      return Errno.EINVAL;
    }
    boolean unspecHasName =
        revisions(kind, name).stream().anyMatch(e -> e.family() == Family.UNSPEC);
    return unspecHasName ? Errno.EPROTOTYPE : Errno.ENOENT;
  }

  /**
   * The result of IPT_SO_GET_REVISION_MATCH/TARGET (xt_find_revision): 0 when the revision exists
   * (the kernel's getsockopt returns 0, not the best revision), -EPROTONOSUPPORT when only other
   * revisions exist, -ENOENT when the name is unknown.
   */
  public int revisionAnswer(ExtensionKind kind, String name, int revision) {
    if (bestRevision(kind, name).isEmpty()) {
      return Errno.ENOENT.status();
    }
    return has(kind, name, revision) ? 0 : Errno.EPROTONOSUPPORT.status();
  }

  /** The highest registered revision of a name, as xt_find_revision computes "best". */
  public OptionalInt bestRevision(ExtensionKind kind, String name) {
    return revisions(kind, name).stream().mapToInt(KernelExtension::revision).max();
  }

  /**
   * The whole of xt_check_match/xt_check_target for one extension of a rule: lookup, then data
   * size, table, hooks, protocol, then the extension's own checkentry. {@code data} holds the
   * extension's data bytes (match_size - 32 of them). Empty when the kernel accepts.
   */
  public Optional<Errno> validate(
      ExtensionKind kind, String name, int revision, ExtensionContext ctx, ByteBuffer data) {
    Optional<KernelExtension> ext = find(kind, name, revision);
    if (ext.isEmpty()) {
      return Optional.of(lookupError(kind, name, revision));
    }
    Optional<Errno> generic = genericCheck(ext.get(), ctx, data.remaining());
    if (generic.isPresent()) {
      return generic;
    }
    return ext.get().check(ctx, data.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN));
  }

  /** The checks x_tables makes of every extension before its checkentry, all EINVAL. */
  public static Optional<Errno> genericCheck(
      KernelExtension ext, ExtensionContext ctx, int dataLength) {
    boolean bad =
        (ext.dataSize() != KernelExtension.ANY_SIZE && xtAlign(ext.dataSize()) != dataLength)
            || (!ext.tables().isEmpty() && !ext.tables().contains(ctx.table()))
            || (ext.hooks() != 0 && (ctx.hookMask() & ~ext.hooks()) != 0)
            || (ext.proto() != 0 && !ctx.protoIs(ext.proto()));
    return Check.einvalIf(bad);
  }

  /** XT_ALIGN on x86-64: the data of every extension is padded to 8 bytes. */
  public static int xtAlign(int size) {
    return (size + 7) & ~7;
  }

  public List<KernelExtension> revisions(ExtensionKind kind, String name) {
    return byName.get(kind).getOrDefault(name, List.of());
  }

  public List<String> names(ExtensionKind kind) {
    return byName.get(kind).keySet().stream().sorted().toList();
  }

  /** match_revfn/target_revfn: does the IPv4 list, or failing it the generic list, have it. */
  private boolean has(ExtensionKind kind, String name, int revision) {
    return find(kind, name, revision).isPresent();
  }

  private Optional<KernelExtension> in(
      ExtensionKind kind, String name, Family family, int revision) {
    return revisions(kind, name).stream()
        .filter(e -> e.family() == family && e.revision() == revision)
        .findFirst();
  }
}
