package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** The module in a daemon, reached over its unix socket: one connection, one call at a time. */
public final class DaemonClient implements ModuleAccess, AutoCloseable {
  private final Path socket;
  private final SocketChannel ch;
  private final InputStream in;
  private final OutputStream out;

  private DaemonClient(Path socket, SocketChannel ch) throws IOException {
    this.socket = socket;
    this.ch = ch;
    this.in = Channels.newInputStream(ch);
    this.out = Channels.newOutputStream(ch);
  }

  /** Connects and says HELLO; fails with the daemon's reason when it refuses us. */
  public static DaemonClient connect(Path socket) throws IOException, ModuleException {
    return connect(socket, DaemonFrame.VERSION);
  }

  /** True when a daemon of our protocol version answers on {@code socket}. */
  public static boolean answers(Path socket) {
    try {
      connect(socket).close();
      return true;
    } catch (IOException | ModuleException e) {
      return false;
    }
  }

  static DaemonClient connect(Path socket, int version) throws IOException, ModuleException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      DaemonClient c = new DaemonClient(socket, ch);
      ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      b.put(DaemonFrame.MAGIC)
          .putShort((short) version)
          .putInt((int) ProcessHandle.current().pid());
      new DaemonFrame(FrameType.HELLO, b.array()).write(c.out);
      c.expect(DaemonFrame.read(c.in), FrameType.WELCOME);
      return c;
    } catch (IOException | ModuleException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public synchronized int load() throws ModuleException {
    return Integer.parseInt(control("load"));
  }

  @Override
  public synchronized void unload() throws ModuleException {
    control("unload");
  }

  @Override
  public synchronized MboxReply call(MboxRequest request) throws ModuleException {
    DaemonFrame f = roundTrip(new DaemonFrame(FrameType.CALL, request.encode()), FrameType.REPLY);
    byte[] b = f.body();
    if (b.length < MboxReply.HEADER_BYTES) {
      throw new ModuleException(ModuleException.Kind.DAEMON, "short REPLY from the daemon");
    }
    int status = MboxReply.decodeStatus(b);
    return new MboxReply(status, Arrays.copyOfRange(b, MboxReply.HEADER_BYTES, b.length));
  }

  @Override
  public synchronized ModuleStatus status() throws ModuleException {
    return ModuleStatus.fromJson(control("status"));
  }

  @Override
  public synchronized List<LogLine> log(int n) throws ModuleException {
    List<LogLine> lines = new ArrayList<>();
    for (String l : control("log " + n).split("\n")) {
      if (!l.isEmpty()) {
        lines.add(LogLine.fromJson(l));
      }
    }
    return lines;
  }

  /** The daemon's most recent traffic frames, oldest first, at most {@code n}. */
  public synchronized List<Frame> recentFrames(int n) throws ModuleException {
    List<Frame> frames = new ArrayList<>();
    for (String l : control("traffic " + n).split("\n")) {
      if (!l.isEmpty()) {
        frames.add(Frame.fromJson(l));
      }
    }
    return frames;
  }

  /**
   * Turns this connection into a stream of the daemon's traffic frames ({@code "traffic"}) or log
   * lines ({@code "log"}), one JSON object each, handed to {@code sink} until it returns false or
   * the daemon hangs up. The connection is good for nothing else afterwards.
   */
  public void subscribe(String what, Predicate<String> sink) throws ModuleException {
    subscribe(what, () -> {}, sink);
  }

  /**
   * As {@link #subscribe(String, Predicate)}, calling {@code subscribed} once the daemon has
   * confirmed: from then on no line or frame is missed, so a caller can read the backlog over
   * another connection without a gap.
   */
  public void subscribe(String what, Runnable subscribed, Predicate<String> sink)
      throws ModuleException {
    DaemonFrame ok =
        roundTrip(DaemonFrame.text(FrameType.CONTROL, "subscribe " + what), FrameType.TEXT);
    if (!ok.bodyText().equals("subscribed " + what)) {
      throw new ModuleException(ModuleException.Kind.DAEMON, "unexpected answer " + ok.bodyText());
    }
    subscribed.run();
    try {
      for (DaemonFrame f = DaemonFrame.read(in); f != null; f = DaemonFrame.read(in)) {
        if (!sink.test(expect(f, FrameType.TEXT).bodyText())) {
          return;
        }
      }
    } catch (IOException e) {
      throw new ModuleException(
          ModuleException.Kind.DAEMON, "subscription ended: " + e.getMessage());
    }
  }

  /** Asks the daemon to stop (it unloads its module first). */
  public synchronized void stopDaemon() throws ModuleException {
    control("stop");
  }

  @Override
  public String mode() {
    return "daemon at " + socket;
  }

  private String control(String command) throws ModuleException {
    return roundTrip(DaemonFrame.text(FrameType.CONTROL, command), FrameType.TEXT).bodyText();
  }

  private DaemonFrame roundTrip(DaemonFrame request, FrameType expected) throws ModuleException {
    try {
      request.write(out);
      return expect(DaemonFrame.read(in), expected);
    } catch (IOException e) {
      throw new ModuleException(
          ModuleException.Kind.DAEMON, "daemon at " + socket + ": " + e.getMessage());
    }
  }

  private DaemonFrame expect(DaemonFrame f, FrameType expected) throws ModuleException {
    if (f == null) {
      throw new ModuleException(ModuleException.Kind.DAEMON, "daemon at " + socket + " hung up");
    }
    if (f.type() == FrameType.FAIL) {
      byte[] b = f.body();
      ModuleException.Kind[] kinds = ModuleException.Kind.values();
      ModuleException.Kind kind =
          b.length > 0 && (b[0] & 0xff) < kinds.length
              ? kinds[b[0] & 0xff]
              : ModuleException.Kind.DAEMON;
      String msg =
          new String(b, Math.min(1, b.length), Math.max(0, b.length - 1), StandardCharsets.UTF_8);
      throw new ModuleException(kind, msg);
    }
    if (f.type() != expected) {
      throw new ModuleException(
          ModuleException.Kind.DAEMON,
          "daemon sent " + f.type() + " where " + expected + " was due");
    }
    return f;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
