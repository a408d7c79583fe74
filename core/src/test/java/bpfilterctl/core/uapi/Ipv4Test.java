package bpfilterctl.core.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one dotted-quad printer and mask-to-prefix rule, against the JDK and a brute force. */
class Ipv4Test {
  @Test
  void dottedIsTheJdksTextOfTheSameAddress() throws Exception {
    Random random = new Random(4);
    int[] edges = {0, -1, 0x0a000001, 0x7f000001, 0x80000000, 0x000000ff, 0xff000000};
    for (int i = 0; i < 2000; i++) {
      int a = i < edges.length ? edges[i] : random.nextInt();
      byte[] networkOrder = ByteBuffer.allocate(4).putInt(a).array();
      assertThat(Ipv4.dotted(a)).isEqualTo(InetAddress.getByAddress(networkOrder).getHostAddress());
    }
  }

  @Test
  void prefixLengthOfEveryContiguousMask() {
    for (int bits = 0; bits <= 32; bits++) {
      long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
      assertThat(Ipv4.prefixLength((int) mask)).as("/%d", bits).isEqualTo(bits);
    }
  }

  @Test
  void aMaskWithHolesHasNoPrefix() {
    Random random = new Random(5);
    for (int i = 0; i < 5000; i++) {
      int mask = random.nextInt();
      assertThat(Ipv4.prefixLength(mask)).isEqualTo(bruteForce(mask));
    }
    assertThat(Ipv4.prefixLength(0x00ffffff)).isEqualTo(-1);
    assertThat(Ipv4.prefixLength(0xff00ff00)).isEqualTo(-1);
    assertThat(Ipv4.prefixLength(1)).isEqualTo(-1);
  }

  /** xtables_ipmask_to_cidr's search: the prefix whose mask equals this one. */
  private static int bruteForce(int mask) {
    for (int bits = 32; bits >= 0; bits--) {
      long m = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
      if ((int) m == mask) {
        return bits;
      }
    }
    return -1;
  }
}
