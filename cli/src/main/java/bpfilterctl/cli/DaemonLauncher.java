package bpfilterctl.cli;

import bpfilterctl.core.daemon.DaemonClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  public static Started launch(Path socket, Path stateDir, List<String> extraArgs)
      throws IOException, InterruptedException {
    Files.createDirectories(stateDir);
    Path log = stateDir.resolve("daemon.log");
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
      if (DaemonClient.answers(socket)) {
        return new Started(p.pid(), log);
      }
      Thread.sleep(25);
    }
    throw new IOException("the daemon did not come up; see " + log);
  }
}
