package bpfilterctl.core.module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What /proc says of a process: resident memory and CPU time. Zeroes when it cannot be read (the
 * process is gone, or there is no /proc).
 */
record ProcStats(long rssBytes, long cpuMillis) {
  /** Kernel clock ticks per second: USER_HZ, 100 on every Linux that ships today. */
  private static final long USER_HZ = 100;

  static ProcStats of(int pid) {
    return new ProcStats(rss(pid), cpu(pid));
  }

  private static long rss(int pid) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"));
      for (String l : lines) {
        if (l.startsWith("VmRSS:")) {
          String[] f = l.substring(6).trim().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone or unreadable: report 0
    }
    return 0;
  }

  private static long cpu(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1000 / USER_HZ;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
