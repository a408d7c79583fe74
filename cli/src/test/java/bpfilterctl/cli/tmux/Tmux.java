package bpfilterctl.cli.tmux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a program in a tmux pane as a person would: a session of a fixed size on a private tmux
 * server, keys sent, the screen read back with capture-pane. Tests wait for what a person would see
 * rather than sleeping.
 */
public final class Tmux implements AutoCloseable {
  private final String socket;
  private final String target;

  private Tmux(String socket, String target) {
    this.socket = socket;
    this.target = target;
  }

  /** Whether a tmux binary runs here; tests assume it (and skip with a message when not). */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
      return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts {@code command} in a new session of {@code width} x {@code height}, with {@code env}
   * added to its environment. The pane stays after the program exits so that its last screen can
   * still be read.
   */
  public static Tmux start(int width, int height, Map<String, String> env, List<String> command)
      throws IOException {
    String socket = "bpfctl-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    Tmux t = new Tmux(socket, "main");
    List<String> argv = new ArrayList<>(List.of("env"));
    env.forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(command);
    t.tmux(
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        Integer.toString(width),
        "-y",
        Integer.toString(height),
        "sh",
        "-c",
        // The pane outlives the program, showing its exit status; the wrapping sh shares the
        // program's process group, so it must survive the Ctrl-C a test sends to the program.
        "trap : INT; " + shellQuote(argv) + "; echo \"[exit $?]\"; sleep 600");
    return t;
  }

  /** tmux key names (Tab, Enter, Up, C-c, C-d) or text, as send-keys takes them. */
  public Tmux send(String... keys) throws IOException {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", target));
    args.addAll(List.of(keys));
    tmux(args.toArray(String[]::new));
    return this;
  }

  /** Text typed literally, no key names. */
  public Tmux type(String text) throws IOException {
    tmux("send-keys", "-t", target, "-l", "--", text);
    return this;
  }

  /** The visible screen, lines joined with newlines, trailing blanks trimmed. */
  public String screen() throws IOException {
    return tmux("capture-pane", "-p", "-t", target).replaceAll("(?m)[ \t]+$", "").stripTrailing();
  }

  /** The visible screen with its colours and attributes as SGR escapes (capture-pane -e). */
  public String screenWithEscapes() throws IOException {
    return tmux("capture-pane", "-p", "-e", "-t", target);
  }

  /**
   * Waits until the screen matches {@code regex} (find, multiline); returns the match. Each look is
   * a tmux process: the looks start 20 ms apart (most screens settle that fast) and back off to 200
   * ms, so that a wait for a slow start does not spend the suite's CPU on capture-pane.
   */
  public Matcher await(String regex, Duration timeout) throws IOException {
    Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 20;
    String last;
    do {
      last = screen();
      Matcher m = p.matcher(last);
      if (m.find()) {
        return m;
      }
      try {
        Thread.sleep(pause);
        pause = Math.min(200, pause * 3 / 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "screen did not match /" + regex + "/ within " + timeout + "; it shows:\n" + last);
  }

  private String tmux(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }

  static String shellQuote(List<String> argv) {
    StringBuilder b = new StringBuilder();
    for (String a : argv) {
      b.append(b.length() == 0 ? "" : " ")
          .append('\'')
          .append(a.replace("'", "'\\''"))
          .append('\'');
    }
    return b.toString();
  }

  /** Kills the session and its private server, and so whatever still runs in it. */
  @Override
  public void close() throws IOException {
    try {
      tmux("kill-server");
    } catch (IOException e) {
      // already gone
    }
  }
}
