package bpfilterctl.cli;

import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.persist.OwnedDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Starts this same program as a daemon in its own session and waits until it answers. */
public final class DaemonLauncher {
  private DaemonLauncher() {}

  /** What was started: the daemon's pid and where it logs. */
  public record Started(long pid, Path log) {}

  /** 300 as "5 min", 90 as "90 s". */
  public static String humanSeconds(long seconds) {
    return seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
  }

  /**
   * The daemon's JVM flags, those the launcher scripts give a daemon started in the foreground: the
   * serial collector (a heap of table blobs, and no collector threads beside the request path) and
   * class-data sharing. The optimising compiler stays on: a daemon lives long.
   */
  static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xshare:auto");

  public static Started launch(Path socket, Path stateDir, List<String> extraArgs)
      throws IOException, InterruptedException {
    if (DaemonClient.answers(socket)) {
      throw new IOException("a daemon already answers on " + socket);
    }
    OwnedDir.prepare(stateDir, "rwx------", OwnedDir.processUid());
    Path log = stateDir.resolve("daemon.log");
    // In a directory only we can write, the log is ours unless we made it something else.
    if (Files.exists(log, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(log + " is not a regular file");
    }
    if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
      Files.createFile(
          log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(
        List.of("daemon", "--socket", socket.toString(), "--state-dir", stateDir.toString()));
    cmd.addAll(extraArgs);
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .start();
    // a JVM on a busy machine can take a while: 30 s before saying it did not come up
    long end = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < end && p.isAlive()) {
      if (DaemonClient.answers(socket) && p.isAlive()) {
        return new Started(p.pid(), log);
      }
      Thread.sleep(25);
    }
    if (!p.isAlive()) {
      throw new IOException(
          "the daemon exited at once (status " + p.exitValue() + "): " + lastLine(log));
    }
    throw new IOException("the daemon did not come up; see " + log);
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return lines.isEmpty() ? "see " + log : lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "see " + log;
    }
  }
}
