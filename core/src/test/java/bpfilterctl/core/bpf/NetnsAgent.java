package bpfilterctl.core.bpf;

import bpfilterctl.core.fixtures.Python3;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A python process living in one test namespace for a whole test: it sends IPv4 packets on a raw
 * socket and keeps listening on capture sockets opened at its start, so that nothing arrives
 * between two rounds unseen. Commands on stdin, one answer line each on stdout.
 */
final class NetnsAgent implements AutoCloseable {
  /**
   * argv: the capture ("-": raw IPv4 sockets for protocols 1, 6, 17 and 253, which see what
   * LOCAL_IN delivered, after reassembly; else an interface name: an AF_PACKET socket for the IPv4
   * frames arriving there), then sysctl settings key=value written before "ready".
   *
   * <p>"send HEX...": each packet on an IPPROTO_RAW socket (the kernel fills in the IP checksum and
   * keeps the rest), answers 1 (sent) or 0 (EPERM: LOCAL_OUT dropped it) per packet. "sync A N" (an
   * end's agent): N rounds of an ARP probe for A on its interface and its answer. "collect S":
   * reads until S seconds pass with nothing new, answers the packets as hex ("-": none).
   */
  private static final String AGENT =
      """
      import os, select, socket, sys
      os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
      capture = sys.argv[1]
      for kv in sys.argv[2:]:
          key, value = kv.split("=", 1)
          with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
              f.write(value)
      out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
      caps = []
      if capture == "-":
          for proto in (1, 6, 17, 253):
              caps.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, proto))
      else:
          s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
          s.bind((capture, 0x0800))
          caps.append(s)
          arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
          arp.bind((capture, 0x0806))
          arp.settimeout(10)
      for s in caps:
          s.setsockopt(socket.SOL_SOCKET, 33, 1 << 22)  # SO_RCVBUFFORCE: no loss to a full buffer
          s.setblocking(False)
      print("ready", flush=True)
      for line in sys.stdin:
          cmd = line.split()
          if cmd[0] == "send":
              res = []
              for h in cmd[1:]:
                  p = bytes.fromhex(h)
                  try:
                      out.sendto(p, (socket.inet_ntoa(p[16:20]), 0))
                      res.append("1")
                  except PermissionError:
                      res.append("0")
              print("".join(res) or "-", flush=True)
          elif cmd[0] == "sync":
              # ARP probes for the router's address, each answer awaited (see sync())
              tpa = socket.inet_aton(cmd[1])
              mac = arp.getsockname()[4]
              probe = (bytes.fromhex("ffffffffffff") + mac + bytes.fromhex("08060001080006040001")
                       + mac + bytes(10) + tpa)
              for _ in range(int(cmd[2])):
                  arp.send(probe)
                  while True:
                      f = arp.recv(100)
                      if f[20:22] == bytes.fromhex("0002") and f[28:32] == tpa:
                          break
              print("synced", flush=True)
          elif cmd[0] == "collect":
              got = []
              while select.select(caps, [], [], float(cmd[1]))[0]:
                  for s in caps:
                      while True:
                          try:
                              data, addr = s.recvfrom(65535)
                          except BlockingIOError:
                              break
                          if capture == "-" or addr[2] != socket.PACKET_OUTGOING:
                              got.append(data.hex())
              print(" ".join(got) or "-", flush=True)
      """;

  private final String netns;
  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  private NetnsAgent(String netns, Process process) {
    this.netns = netns;
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts the agent in {@code netns}; {@code capture} as in {@link #AGENT}. */
  static NetnsAgent start(String netns, String capture, List<String> sysctls) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of("ip", "netns", "exec", netns, Python3.command(), "-c", AGENT, capture));
    argv.addAll(sysctls);
    NetnsAgent a =
        new NetnsAgent(
            netns, new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    String ready = a.out.readLine();
    if (!"ready".equals(ready)) {
      a.close();
      throw new IOException("agent in " + netns + " did not start: " + ready);
    }
    return a;
  }

  /** Sends the packets in order; true where the kernel let one out. */
  boolean[] send(List<byte[]> packets) throws IOException {
    if (packets.isEmpty()) {
      return new boolean[0];
    }
    StringBuilder line = new StringBuilder("send");
    for (byte[] p : packets) {
      line.append(' ').append(HexFormat.of().formatHex(p));
    }
    String answer = ask(line.toString());
    if (answer.length() != packets.size() || !answer.matches("[01]*")) {
      throw new IOException("agent in " + netns + " answered send with: " + answer);
    }
    boolean[] sent = new boolean[packets.size()];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = answer.charAt(i) == '1';
    }
    return sent;
  }

  /**
   * Returns once every packet sent so far, and every packet those made the router send, has reached
   * its capture. Every agent runs on one CPU, so every packet the test's namespaces send or pass on
   * (veth and lo hand them to that CPU's backlog, no RPS) is processed in order from one queue: an
   * ARP probe this end sends now is answered after everything queued before it was processed, and
   * the answer arrives after what that processing queued. Two rounds cover the router's answers to
   * its own packets (sent through lo, answered through lo).
   */
  void sync(String routerAddress) throws IOException {
    String answer = ask("sync " + routerAddress + " 2");
    if (!answer.equals("synced")) {
      throw new IOException("agent in " + netns + " answered sync with: " + answer);
    }
  }

  /** Asks for what was captured; read the answer with {@link #captured()}. */
  void collect(double quietSeconds) throws IOException {
    in.write("collect " + quietSeconds + "\n");
    in.flush();
  }

  /** The answer to {@link #collect}: every packet captured since the last one, in arrival order. */
  List<byte[]> captured() throws IOException {
    String answer = answer();
    List<byte[]> got = new ArrayList<>();
    if (!answer.equals("-")) {
      for (String h : answer.split(" ")) {
        got.add(HexFormat.of().parseHex(h));
      }
    }
    return got;
  }

  private String ask(String line) throws IOException {
    in.write(line + "\n");
    in.flush();
    return answer();
  }

  private String answer() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IOException("agent in " + netns + " ended");
    }
    return line.strip();
  }

  /** Ends the agent: stdin closed ends its loop; killed if it does not end. */
  @Override
  public void close() {
    try {
      in.close();
      if (process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        return;
      }
    } catch (IOException e) {
      // a broken pipe: it has ended or is ending; make sure below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
