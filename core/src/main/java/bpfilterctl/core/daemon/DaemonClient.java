package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The module in a daemon, reached over its unix socket: one connection, one call at a time. Every
 * call has a deadline ({@link #DEFAULT_TIMEOUT} unless told otherwise): a daemon that does not
 * answer in time gives a TIMEOUT error, never a hang.
 */
public final class DaemonClient implements ModuleAccess, AutoCloseable {
  /** How long a call waits for its answer by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Path socket;
  private final SocketChannel ch;
  private final Selector selector;
  private final Duration timeout;

  private DaemonClient(Path socket, SocketChannel ch, Duration timeout) throws IOException {
    this.socket = socket;
    this.ch = ch;
    this.timeout = timeout;
    ch.configureBlocking(false);
    this.selector = Selector.open();
  }

  /** Connects and says HELLO; fails with the daemon's reason when it refuses us. */
  public static DaemonClient connect(Path socket) throws IOException, ModuleException {
    return connect(socket, DaemonFrame.VERSION, DEFAULT_TIMEOUT);
  }

  /** As {@link #connect(Path)}, each call waiting at most {@code timeout} for its answer. */
  public static DaemonClient connect(Path socket, Duration timeout)
      throws IOException, ModuleException {
    return connect(socket, DaemonFrame.VERSION, timeout);
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
    return connect(socket, version, DEFAULT_TIMEOUT);
  }

  static DaemonClient connect(Path socket, int version, Duration timeout)
      throws IOException, ModuleException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    DaemonClient c = null;
    try {
      // A unix connect does not wait for the daemon to accept: the backlog takes it.
      ch.connect(UnixDomainSocketAddress.of(socket));
      c = new DaemonClient(socket, ch, timeout);
      ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      b.put(DaemonFrame.MAGIC)
          .putShort((short) version)
          .putInt((int) ProcessHandle.current().pid());
      c.roundTrip(new DaemonFrame(FrameType.HELLO, b.array()), FrameType.WELCOME);
      return c;
    } catch (IOException | ModuleException | RuntimeException e) {
      if (c != null) {
        c.close();
      } else {
        ch.close();
      }
      throw e;
    }
  }

  @Override
  public synchronized int load() throws ModuleException {
    return Integer.parseInt(control("load"));
  }

  @Override
  public synchronized int loadDiscardingDamaged() throws ModuleException {
    return Integer.parseInt(control("load --discard-damaged"));
  }

  @Override
  public synchronized void unload() throws ModuleException {
    control("unload");
  }

  @Override
  public synchronized EnforcementStatus enforce(boolean on) throws ModuleException {
    return EnforcementStatus.fromJson(control(on ? "enforce on" : "enforce off"));
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
      for (DaemonFrame f = readFrame(0); f != null; f = readFrame(0)) {
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
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      writeFrame(request, deadline);
      return expect(readFrame(deadline), expected);
    } catch (IOException e) {
      throw new ModuleException(
          ModuleException.Kind.DAEMON, "daemon at " + socket + ": " + e.getMessage());
    }
  }

  /** Sends any frame and returns the answer as it comes, FAIL included (warm-up, tests). */
  synchronized DaemonFrame exchange(DaemonFrame f) throws IOException, ModuleException {
    long deadline = System.nanoTime() + timeout.toNanos();
    writeFrame(f, deadline);
    return readFrame(deadline);
  }

  private void writeFrame(DaemonFrame f, long deadline) throws IOException, ModuleException {
    ByteBuffer b = ByteBuffer.wrap(f.encode());
    while (b.hasRemaining()) {
      if (ch.write(b) == 0) {
        await(SelectionKey.OP_WRITE, deadline);
      }
    }
  }

  /** The next frame, or null at a clean EOF between frames; {@code deadline} 0 waits forever. */
  private DaemonFrame readFrame(long deadline) throws IOException, ModuleException {
    ByteBuffer header = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
    if (!fill(header, deadline)) {
      if (header.position() == 0) {
        return null;
      }
      throw new IOException("connection closed inside a frame");
    }
    long n = Integer.toUnsignedLong(header.getInt(0));
    if (n < 1 || n > DaemonFrame.MAX_BODY + 1L) {
      throw new IOException("bad frame length " + n);
    }
    ByteBuffer body = ByteBuffer.allocate((int) n - 1);
    if (!fill(body, deadline)) {
      throw new IOException("connection closed inside a frame");
    }
    try {
      return new DaemonFrame(FrameType.of(header.get(4) & 0xff), body.array());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Fills {@code b}; false at EOF first. */
  private boolean fill(ByteBuffer b, long deadline) throws IOException, ModuleException {
    while (b.hasRemaining()) {
      int r = ch.read(b);
      if (r < 0) {
        return false;
      }
      if (r == 0) {
        await(SelectionKey.OP_READ, deadline);
      }
    }
    return true;
  }

  private void await(int op, long deadline) throws IOException, ModuleException {
    SelectionKey key = ch.register(selector, op);
    try {
      while (true) {
        long left = deadline == 0 ? 0 : deadline - System.nanoTime();
        if (deadline != 0 && left <= 0) {
          throw new ModuleException(
              ModuleException.Kind.TIMEOUT,
              "daemon at " + socket + " did not answer within " + timeout.toMillis() + " ms");
        }
        int ready =
            deadline == 0
                ? selector.select()
                : selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
        if (ready > 0) {
          return;
        }
      }
    } finally {
      key.interestOps(0);
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
    try {
      selector.close();
    } finally {
      ch.close();
    }
  }
}
