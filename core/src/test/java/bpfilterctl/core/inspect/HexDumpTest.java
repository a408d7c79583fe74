package bpfilterctl.core.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Both layouts of the one hex dump beside util-linux's {@code hexdump -v -C}. */
class HexDumpTest {
  private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 255};

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void canonicalLayoutIsHexdumpC() throws Exception {
    Random random = new Random(16);
    for (int length : LENGTHS) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      assertThat(HexDump.of(bytes)).as("%d bytes", length).isEqualTo(hexdumpC(bytes));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void trafficRowsAreHexdumpRowsWithShortOffsets() throws Exception {
    Random random = new Random(17);
    byte[] bytes = new byte[100];
    random.nextBytes(bytes);
    List<String> canonical = hexdumpC(bytes).lines().toList();
    List<String> rows = HexDump.lines(bytes, 100, 16);
    assertThat(rows).hasSize(canonical.size() - 1);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i)).isEqualTo(canonical.get(i).substring(4));
    }
  }

  @Test
  void trafficRowsStopAtTheLimitAndSayWhatIsLeft() {
    byte[] bytes = new byte[50];
    List<String> rows = HexDump.lines(bytes, 2, 8);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1)).startsWith("0008  ");
    assertThat(rows.get(2)).isEqualTo("... " + (50 - 16) + " more bytes");
  }

  @Test
  void eightByteRowsHaveNoGroupGap() {
    List<String> rows = HexDump.lines(new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}, 1, 8);
    assertThat(rows).containsExactly("0000  61 62 63 64 65 66 67 68  |abcdefgh|");
  }

  private static String hexdumpC(byte[] bytes) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/hexdump")), "no /usr/bin/hexdump here");
    Process p = new ProcessBuilder("/usr/bin/hexdump", "-v", "-C").start();
    p.getOutputStream().write(bytes);
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    assertThat(p.waitFor()).isZero();
    return out;
  }
}
