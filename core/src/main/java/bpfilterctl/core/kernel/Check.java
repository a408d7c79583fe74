package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.Optional;

/** An extension's own checkentry: the errno the kernel gives, or empty when it accepts. */
@FunctionalInterface
public interface Check {
  Check ACCEPT = (ctx, data) -> Optional.empty();

  Optional<Errno> check(ExtensionContext ctx, ByteBuffer data);

  /** EINVAL when {@code bad}: most checkentry failures are a pr_info and -EINVAL. */
  static Optional<Errno> einvalIf(boolean bad) {
    return bad ? Optional.of(Errno.EINVAL) : Optional.empty();
  }

  static Optional<Errno> fail(Errno e) {
    return Optional.of(e);
  }

  /** The first failure of several checks, in the kernel's order. */
  static Check first(Check... checks) {
    return (ctx, data) -> {
      for (Check c : checks) {
        Optional<Errno> r = c.check(ctx, data);
        if (r.isPresent()) {
          return r;
        }
      }
      return Optional.<Errno>empty();
    };
  }
}
