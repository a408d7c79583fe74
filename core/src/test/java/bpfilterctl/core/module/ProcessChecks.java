package bpfilterctl.core.module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Facts about processes and fds, read from /proc, for leak and zombie assertions. */
final class ProcessChecks {
  private ProcessChecks() {}

  /**
   * Pipe fds open in this JVM: the kind the host creates. Other fds come and go as the JVM opens
   * jars lazily, so counting all of them would measure class loading, not leaks.
   */
  static long openPipeCount() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.filter(ProcessChecks::isPipe).count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fd numbers of process {@code pid} that are pipes. */
  static java.util.List<Integer> pipeFdsOf(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return s.filter(ProcessChecks::isPipe)
          .map(p -> Integer.parseInt(p.getFileName().toString()))
          .sorted()
          .toList();
    }
  }

  private static boolean isPipe(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
    } catch (IOException e) {
      return false;
    }
  }

  /** The process state letter from /proc/PID/stat, or 0 when the pid no longer exists. */
  static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Gone for good: reaped (no /proc entry). A zombie still counts as present. */
  static boolean gone(long pid) {
    return state(pid) == 0;
  }

  static boolean waitGone(long pid, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      if (gone(pid)) {
        return true;
      }
      Thread.sleep(10);
    }
    return gone(pid);
  }
}
