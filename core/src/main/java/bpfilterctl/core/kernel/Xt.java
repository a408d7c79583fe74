package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

/**
 * One registration, declared the way a kernel module fills a struct xt_match/xt_target: {@code
 * Xt.match("tcp", 0, 12).ipv4().proto(Proto.TCP).check(TcpUdpMatch::checkTcp)}.
 */
public record Xt(
    ExtensionKind kind,
    String name,
    int revision,
    Family family,
    int dataSize,
    int userSize,
    Set<String> tables,
    int hooks,
    int proto,
    Check checker,
    java.util.function.Consumer<ByteBuffer> normalizer)
    implements KernelExtension {

  public Xt {
    tables = Set.copyOf(tables);
  }

  /** A match of {@code size} data bytes (sizeof the uapi struct), any table, hook and protocol. */
  public static Xt match(String name, int revision, int size) {
    return plain(ExtensionKind.MATCH, name, revision, size);
  }

  public static Xt target(String name, int revision, int size) {
    return plain(ExtensionKind.TARGET, name, revision, size);
  }

  private static Xt plain(ExtensionKind kind, String name, int revision, int size) {
    return new Xt(
        kind, name, revision, Family.UNSPEC, size, size, Set.of(), 0, 0, Check.ACCEPT, d -> {});
  }

  /** Registered for NFPROTO_IPV4 (the kernel's per-family list). */
  public Xt ipv4() {
    return new Xt(
        kind,
        name,
        revision,
        Family.IPV4,
        dataSize,
        userSize,
        tables,
        hooks,
        proto,
        checker,
        normalizer);
  }

  /** Only the first {@code n} bytes go back to user space (the rest are kernel pointers/state). */
  public Xt user(int n) {
    return new Xt(
        kind, name, revision, family, dataSize, n, tables, hooks, proto, checker, normalizer);
  }

  public Xt table(String... t) {
    return new Xt(
        kind,
        name,
        revision,
        family,
        dataSize,
        userSize,
        Set.of(t),
        hooks,
        proto,
        checker,
        normalizer);
  }

  public Xt hooks(int mask) {
    return new Xt(
        kind, name, revision, family, dataSize, userSize, tables, mask, proto, checker, normalizer);
  }

  public Xt proto(int p) {
    return new Xt(
        kind, name, revision, family, dataSize, userSize, tables, hooks, p, checker, normalizer);
  }

  public Xt check(Check c) {
    return new Xt(
        kind, name, revision, family, dataSize, userSize, tables, hooks, proto, c, normalizer);
  }

  /** The kernel rewrites part of the accepted data (see {@link KernelExtension#normalize}). */
  public Xt normalizes(java.util.function.Consumer<ByteBuffer> n) {
    return new Xt(
        kind, name, revision, family, dataSize, userSize, tables, hooks, proto, checker, n);
  }

  @Override
  public void normalize(ByteBuffer data) {
    normalizer.accept(data);
  }

  @Override
  public Optional<Errno> check(ExtensionContext ctx, ByteBuffer data) {
    return checker.check(ctx, data);
  }
}
