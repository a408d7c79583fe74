package bpfilterctl.cli.hook;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A finished process of a hook test: its exit status and its stdout and stderr, merged. */
record ProcessResult(int rc, String output) {
  /** Runs a command in {@code dir} with exactly {@code env}, stdin empty, for 120 s at most. */
  static ProcessResult run(Path dir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Process p = start(dir, env, command);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(List.of(command) + " did not end within 120 s");
    }
    return new ProcessResult(p.exitValue(), out);
  }

  /** Starts a command in {@code dir} with exactly {@code env}, stdin empty, stderr into stdout. */
  static Process start(Path dir, Map<String, String> env, String... command) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }
}
