package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Constants shared by the iptables uapi structures, and the little-endian buffers they live in. */
public final class Abi {
  /** XT_TABLE_MAXNAMELEN. */
  public static final int TABLE_NAME_LEN = 32;

  /** XT_EXTENSION_MAXNAMELEN: a match or target name, NUL included. */
  public static final int EXTENSION_NAME_LEN = 29;

  /** NF_INET_NUMHOOKS. */
  public static final int NUM_HOOKS = 5;

  private Abi() {}

  /** XT_ALIGN: the alignment of every entry, match and target (that of a u64). */
  public static int align(int n) {
    return (n + 7) & ~7;
  }

  public static ByteBuffer wrap(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  public static ByteBuffer allocate(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
