package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/** The u32[NF_INET_NUMHOOKS] arrays (hook_entry, underflow) of the table structures. */
final class Hooks {
  private Hooks() {}

  static int[] copy(int[] a) {
    if (a.length != Abi.NUM_HOOKS) {
      throw new IllegalArgumentException("need " + Abi.NUM_HOOKS + " hook offsets");
    }
    return a.clone();
  }

  static int[] read(ByteBuffer b, int at) {
    int[] a = new int[Abi.NUM_HOOKS];
    for (int i = 0; i < a.length; i++) {
      a[i] = b.getInt(at + 4 * i);
    }
    return a;
  }

  static void write(ByteBuffer b, int at, int[] a) {
    for (int i = 0; i < a.length; i++) {
      b.putInt(at + 4 * i, a[i]);
    }
  }
}
