package bpfilterctl.cli.hook;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Replaces this process with another program (execve), as a shell's {@code exec} does: the program
 * inherits stdin, stdout, stderr and the terminal, and its exit status and signals reach our caller
 * unchanged. Everything else this JVM opened is closed on the way.
 */
public final class ProcessReplacer {
  /** A shell's exit statuses for a command it cannot find, or cannot run. */
  public static final int NOT_FOUND = 127;

  public static final int NOT_EXECUTABLE = 126;

  private static final int FD_CLOEXEC = 1;

  private ProcessReplacer() {}

  /**
   * Execs {@code argv} with {@code env}. Returns only on failure, with the status a shell gives
   * (126 or 127) after saying why on {@code err}.
   */
  public static int replaceWith(List<String> argv, Map<String, String> env, PrintWriter err) {
    String name = argv.get(0);
    Optional<Path> path = onPath(name, env.get("PATH"));
    if (path.isEmpty()) {
      err.println("bpfilterctl: exec: " + name + ": command not found");
      err.flush();
      return NOT_FOUND;
    }
    POSIX posix = POSIXFactory.getNativePOSIX();
    closeOnExec(posix);
    List<String> envp = new ArrayList<>();
    env.forEach((k, v) -> envp.add(k + "=" + v));
    posix.execve(path.get().toString(), argv.toArray(new String[0]), envp.toArray(new String[0]));
    err.println("bpfilterctl: exec: " + name + ": " + posix.strerror(posix.errno()));
    err.flush();
    return NOT_EXECUTABLE;
  }

  /** execvp's search: a name with a slash as it is, else the first executable on PATH. */
  public static Optional<Path> onPath(String name, String pathVar) {
    if (name.contains("/")) {
      Path p = Path.of(name);
      return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }
    String search = pathVar == null ? "/usr/local/bin:/usr/bin:/bin" : pathVar;
    for (String dir : search.split(":", -1)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Marks every descriptor above stderr close-on-exec: the JVM's jars and sockets stay here. */
  private static void closeOnExec(POSIX posix) {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.map(p -> p.getFileName().toString())
          .filter(s -> s.chars().allMatch(Character::isDigit))
          .mapToInt(Integer::parseInt)
          .filter(fd -> fd > 2)
          .forEach(fd -> posix.fcntlInt(fd, Fcntl.F_SETFD, FD_CLOEXEC));
    } catch (IOException e) {
      // Without /proc the descriptors stay open in the new program: untidy, not wrong.
    }
  }
}
