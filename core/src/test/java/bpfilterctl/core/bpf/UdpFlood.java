package bpfilterctl.core.bpf;

import bpfilterctl.core.fixtures.Python3;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * UDP datagrams sent to 10.2.0.1:9 from inside a test namespace until stopped, in bursts of 16 back
 * to back with a 0.2 ms pause after each: counts those the kernel let out and those a DROP refused
 * (EPERM on LOCAL_OUT). Unpaced, the loop took a whole core for as long as the test ran (62 s of
 * CPU in one loaded suite run), which the tests beside it needed; paced, it still tries thousands
 * of times a second, so a gap in enforcement that recurs (a replace, a restart) cannot slip between
 * its bursts every time.
 */
public final class UdpFlood implements AutoCloseable {
  /** Prints "go" after the first try, then, once stdin has a line, the two counts. */
  private static final String FLOOD =
      String.join(
          "\n",
          "import socket, sys, select",
          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "ok = eperm = 0",
          "first = True",
          "while True:",
          "    try:",
          "        s.sendto(b'x' * 32, ('10.2.0.1', 9)); ok += 1",
          "    except PermissionError:",
          "        eperm += 1",
          "    if first:",
          "        print('go', flush=True); first = False",
          "    if (ok + eperm) % 16 == 0 and select.select([sys.stdin], [], [], 0.0002)[0]:",
          "        break",
          "print(ok, eperm, flush=True)");

  /** What the flood saw. */
  public record Counts(long sent, long dropped) {}

  private final Process process;
  private final BufferedReader out;

  private UdpFlood(Process process) {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts the flood in {@code ns} and returns once its first datagram was tried. */
  public static UdpFlood start(TestNetns ns) throws IOException {
    UdpFlood f =
        new UdpFlood(
            new ProcessBuilder("ip", "netns", "exec", ns.name, Python3.command(), "-c", FLOOD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
    String go = f.out.readLine();
    if (!"go".equals(go)) {
      f.close();
      throw new IOException("the flood did not start: " + go);
    }
    return f;
  }

  /** Stops the flood and returns its counts. */
  public Counts stop() throws IOException {
    process.getOutputStream().write('\n');
    process.getOutputStream().close();
    String[] counts = out.readLine().trim().split(" ");
    return new Counts(Long.parseLong(counts[0]), Long.parseLong(counts[1]));
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
