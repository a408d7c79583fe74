package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * x_tables' xt_check_proc_name, for extensions that create a /proc entry from a user-given name
 * (recent, hashlimit): empty, ".", "..", or a '/' is EINVAL, no NUL in the field ENAMETOOLONG.
 */
final class ProcName {
  private ProcName() {}

  static Optional<Errno> check(ByteBuffer d, int offset, int size) {
    int len = 0;
    while (len < size && d.get(offset + len) != 0) {
      len++;
    }
    if (len == 0) {
      return Optional.of(Errno.EINVAL);
    }
    if (len == size) {
      return Optional.of(Errno.ENAMETOOLONG);
    }
    byte[] b = new byte[len];
    d.get(offset, b);
    String name = new String(b, StandardCharsets.ISO_8859_1);
    return Check.einvalIf(name.equals(".") || name.equals("..") || name.indexOf('/') >= 0);
  }

  /** The C string at {@code offset} in a field of {@code size} bytes (up to its NUL). */
  static String cString(ByteBuffer d, int offset, int size) {
    int len = 0;
    while (len < size && d.get(offset + len) != 0) {
      len++;
    }
    byte[] b = new byte[len];
    d.get(offset, b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
