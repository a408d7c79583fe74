package bpfilterctl.core.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.fixtures.Python3;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one errno table beside this machine's: Python's errno module carries the kernel headers'
 * numbers (every alias, such as EOPNOTSUPP beside ENOTSUP) and os.strerror is glibc's strerror(3).
 */
class ErrnoTest {
  private static final String DUMP =
      "import errno, os\n"
          + "for name in dir(errno):\n"
          + "    code = getattr(errno, name)\n"
          + "    if name.startswith(\"E\") and isinstance(code, int):\n"
          + "        print(name, code, os.strerror(code), sep=\"\\t\")\n";

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyNameNumberAndTextIsTheSystems() throws Exception {
    Map<String, String[]> system = systemTable();
    for (Errno e : Errno.values()) {
      String[] row = system.get(e.name());
      assertThat(row).as(e.name() + " on this system").isNotNull();
      assertThat(e.code()).as(e.name()).isEqualTo(Integer.parseInt(row[0]));
      assertThat(e.text()).as(e.name()).isEqualTo(row[1]);
      assertThat(Errno.strerror(e.code())).isEqualTo(row[1]);
      assertThat(Errno.strerror(-e.code())).isEqualTo(row[1]);
    }
    assertThat(Errno.EMLINK.code()).isEqualTo(Integer.parseInt(system.get("EMLINK")[0]));
  }

  @Test
  void anUnknownCodeSaysSoWithItsNumber() {
    assertThat(Errno.of(4000)).isEmpty();
    assertThat(Errno.strerror(4000)).isEqualTo("Unknown error 4000");
    assertThat(Errno.nameOf(4000)).isEqualTo("E4000");
  }

  private static Map<String, String[]> systemTable() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Python3.command(), "-c", DUMP);
    pb.environment().put("LC_ALL", "C");
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no python3 to read the system's errno table: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    Map<String, String[]> byName = new HashMap<>();
    for (String line : out.lines().toList()) {
      String[] f = line.split("\t", 3);
      byName.put(f[0], new String[] {f[1], f[2]});
    }
    return byName;
  }
}
