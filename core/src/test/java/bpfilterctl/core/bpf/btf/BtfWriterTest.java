package bpfilterctl.core.bpf.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The blob's bytes as include/uapi/linux/btf.h lays them out (the kernel loads them in the map
 * tests).
 */
class BtfWriterTest {
  @Test
  void headerTypesAndStringsAreLaidOutAsBtfH() {
    byte[] blob =
        new BtfWriter()
            .integer("u32", 4, false)
            .struct("s", 1, 4)
            .member("v", 1, 0)
            .funcProto(1)
            .func("f", 3)
            .bytes();
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.nativeOrder());
    assertThat(b.getShort(0) & 0xffff).as("magic").isEqualTo(0xeb9f);
    assertThat(b.get(2)).as("version").isEqualTo((byte) 1);
    assertThat(b.getInt(4)).as("hdr_len").isEqualTo(24);
    int typeLen = 16 + 12 + 12 + 12 + 12;
    assertThat(new int[] {b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20)})
        .as("type_off, type_len, str_off, str_len")
        .containsExactly(0, typeLen, typeLen, 11);
    int[] types = new int[typeLen / 4];
    b.position(24).asIntBuffer().get(types);
    assertThat(types)
        .containsExactly(
            1,
            1 << 24,
            4,
            32, // u32: BTF_KIND_INT, 4 bytes, 32 bits unsigned
            5,
            4 << 24 | 1,
            4, // struct s, one member
            7,
            1,
            0, // v: type 1 at bit 0
            0,
            13 << 24,
            1, // an unnamed prototype returning type 1
            9,
            12 << 24,
            3); // f of prototype 3
    byte[] strings = new byte[11];
    b.position(24 + typeLen);
    b.get(strings);
    assertThat(strings).containsExactly(0, 'u', '3', '2', 0, 's', 0, 'v', 0, 'f', 0);
  }
}
