package bpfilterctl.core.bpf.compile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration, where libbpf looks for it: /proc/config.gz, else
 * /boot/config-RELEASE. Only CONFIG_HZ is read (jiffies per second: the rate of xt_limit's
 * credits).
 */
final class KernelConfig {
  private KernelConfig() {}

  /** CONFIG_HZ, or 0 when no configuration is readable. */
  static int hz() {
    try {
      return hz(text());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  static int hz(String config) {
    for (String line : config.split("\n")) {
      if (line.startsWith("CONFIG_HZ=")) {
        return Integer.parseInt(line.substring("CONFIG_HZ=".length()).trim());
      }
    }
    return 0;
  }

  private static String text() throws IOException {
    Path gz = Path.of("/proc/config.gz");
    if (Files.isReadable(gz)) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(gz)))) {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      }
    }
    String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    return Files.readString(Path.of("/boot/config-" + release), StandardCharsets.US_ASCII);
  }
}
