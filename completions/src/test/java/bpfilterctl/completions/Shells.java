package bpfilterctl.completions;

import java.io.IOException;
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
}
