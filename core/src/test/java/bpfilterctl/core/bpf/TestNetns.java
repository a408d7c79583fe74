package bpfilterctl.core.bpf;

import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace this test created ({@code ip netns add}, unique name), with lo up and a veth
 * pair d0/d1 whose d0 takes every other destination: packets sent there leave through LOCAL_OUT and
 * end at d1, which neither forwards nor answers them. Deleted on close.
 */
public final class TestNetns implements AutoCloseable {
  private static final AtomicInteger SEQ = new AtomicInteger();

  /** Sends hex IPv4 packets (one a line) on a raw socket; prints 1 (sent) or 0 (EPERM) each. */
  private static final String SENDER =
      String.join(
          "\n",
          "import sys, socket",
          "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)",
          "out = []",
          "for line in sys.stdin:",
          "    p = bytes.fromhex(line.strip())",
          "    try:",
          "        s.sendto(p, (socket.inet_ntoa(p[16:20]), 0)); out.append('1')",
          "    except PermissionError:",
          "        out.append('0')",
          "print(''.join(out))");

  public final String name;

  private TestNetns(String name) {
    this.name = name;
  }

  public static TestNetns create() throws Exception {
    Require.that("root".equals(System.getProperty("user.name")), "network namespaces need root");
    String name = "bpft-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Result r = run(List.of("ip", "netns", "add", name), "");
    Require.that(r.rc == 0, "ip netns add refused: " + r.err);
    TestNetns ns = new TestNetns(name);
    try {
      ns.ip("link", "set", "lo", "up");
      ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
      ns.ip("link", "set", "d0", "up");
      ns.ip("link", "set", "d1", "up");
      ns.ip("route", "add", "default", "dev", "d0");
    } catch (Exception | AssertionError e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  public String path() {
    return "/run/netns/" + name;
  }

  public record Result(int rc, String out, String err) {}

  public static Result run(List<String> argv, String stdin)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + argv);
    }
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  public void ip(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
    argv.addAll(List.of(args));
    Result r = run(argv, "");
    if (r.rc != 0) {
      throw new IllegalStateException(argv + ": " + r.err);
    }
  }

  /** Runs a command inside the namespace. */
  public Result exec(String stdin, String... cmd) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
    argv.addAll(List.of(cmd));
    return run(argv, stdin);
  }

  /** Sends the packets from inside the namespace; true where the kernel let one out. */
  public boolean[] send(List<byte[]> packets) throws Exception {
    StringBuilder in = new StringBuilder();
    for (byte[] p : packets) {
      in.append(java.util.HexFormat.of().formatHex(p)).append('\n');
    }
    Result r = exec(in.toString(), Python3.command(), "-c", SENDER);
    if (r.rc != 0) {
      throw new IllegalStateException("sender: " + r.err);
    }
    String s = r.out.trim();
    boolean[] sent = new boolean[packets.size()];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = s.charAt(i) == '1';
    }
    return sent;
  }

  @Override
  public void close() throws IOException {
    try {
      run(List.of("ip", "netns", "del", name), "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted deleting netns " + name, e);
    }
  }
}
