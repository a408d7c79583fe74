package bpfilterctl.completions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

final class Shells {
  private Shells() {}

  /** Whether {@code name} runs here. */
  static boolean has(String name) {
    try {
      Process p = new ProcessBuilder(name, "-c", "exit 0").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * An executable DIR/bpfilterctl that runs the tool under test (its classes and jars as surefire
   * gives them), for the scripts' calls of {@code bpfilterctl __complete}.
   */
  static Path tool(Path dir, Path stateDir) throws IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path bin = Files.createDirectories(dir).resolve("bpfilterctl");
    Files.writeString(
        bin,
        "#!/bin/sh\n"
            // its own socket and state: completion must not find this machine's daemon
            + "BPFILTERCTL_SOCKET='"
            + stateDir.resolve("none.sock")
            + "' BPFILTERCTL_STATE_DIR='"
            + stateDir
            + "' exec '"
            + java
            + "' -cp '"
            + cp
            + "' bpfilterctl.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }
}
