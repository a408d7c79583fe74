package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.TapSubscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The module host on a unix socket, so that every shell and script shares one loaded module. One
 * thread per client; the host serializes their requests.
 */
public final class DaemonServer implements AutoCloseable {
  private final ModuleHost host;
  private final Path socket;
  private final AccessPolicy policy;
  private final POSIX posix = POSIXFactory.getNativePOSIX();
  private final int selfPid = (int) ProcessHandle.current().pid();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private FileChannel lockFile;
  private FileLock lock;
  private ServerSocketChannel server;
  private volatile boolean closing;

  public DaemonServer(ModuleHost host, Path socket, AccessPolicy policy) {
    this.host = host;
    this.socket = socket;
    this.policy = policy;
  }

  /**
   * Takes the lock, clears a stale socket, binds (mode 0660) and starts accepting.
   *
   * @throws IOException when another daemon holds the lock, or binding fails
   */
  public void start() throws IOException {
    Files.createDirectories(socket.toAbsolutePath().getParent());
    Path lockPath = socket.resolveSibling(socket.getFileName() + ".lock");
    lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another server in this very JVM
    }
    if (lock == null) {
      lockFile.close();
      throw new IOException("another daemon is running on " + socket + " (lock " + lockPath + ")");
    }
    // We hold the lock, so a socket file left here belongs to a daemon that died: remove it.
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    Thread t = new Thread(this::acceptLoop, "daemon-accept");
    t.setDaemon(true);
    t.start();
  }

  public Path socket() {
    return socket;
  }

  /** Blocks until a client's stop or {@link #close()}. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  private void acceptLoop() {
    while (!closing) {
      try {
        SocketChannel ch = server.accept();
        Thread t = new Thread(() -> serve(ch), "daemon-client");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closing) {
          host.log().add(selfPid, LogLine.Source.HOST, "daemon: accept failed: " + e.getMessage());
        }
        return;
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch;
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch)) {
      DaemonFrame hello = DaemonFrame.read(in);
      if (hello == null) {
        return;
      }
      int announcedPid = checkHello(hello, out);
      if (announcedPid < 0) {
        return;
      }
      Peer peer = peerOf(ch, announcedPid);
      ByteBuffer w = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
      w.putShort((short) DaemonFrame.VERSION);
      new DaemonFrame(FrameType.WELCOME, w.array()).write(out);
      for (DaemonFrame f = DaemonFrame.read(in); f != null; f = DaemonFrame.read(in)) {
        if (f.type() == FrameType.CONTROL && f.bodyText().startsWith("subscribe ")) {
          subscribe(f.bodyText().substring(10).trim(), peer, out);
          return;
        }
        answer(f, peer).write(out);
        if (f.type() == FrameType.CONTROL && f.bodyText().equals("stop") && policy.mayWrite(peer)) {
          stopped.countDown();
          return;
        }
      }
    } catch (IOException e) {
      // The client went away or broke the framing: drop the connection, keep serving others.
    }
  }

  /**
   * Gives the connection over to a stream: one TEXT frame per traffic frame or log line, a JSON
   * object each, until the client hangs up. A slow client loses frames (counted by the tap), never
   * slows the module.
   */
  private void subscribe(String what, Peer peer, OutputStream out) throws IOException {
    if (!policy.mayRead(peer)) {
      denied(peer, "subscribe to " + what).write(out);
      return;
    }
    if (!what.equals("traffic") && !what.equals("log")) {
      fail(ModuleException.Kind.DAEMON, "nothing to subscribe to called " + what).write(out);
      return;
    }
    DaemonFrame.text(FrameType.TEXT, "subscribed " + what).write(out);
    if (what.equals("traffic")) {
      try (TapSubscription sub = host.tap().subscribe(4096)) {
        while (!closing) {
          Frame fr = sub.poll(200);
          if (fr != null) {
            DaemonFrame.text(FrameType.TEXT, fr.toJson()).write(out);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    ArrayBlockingQueue<LogLine> lines = new ArrayBlockingQueue<>(4096);
    Runnable stop = host.log().listen(lines::offer);
    try {
      while (!closing) {
        LogLine l = lines.poll(200, TimeUnit.MILLISECONDS);
        if (l != null) {
          DaemonFrame.text(FrameType.TEXT, l.toJson()).write(out);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stop.run();
    }
  }

  /** Returns the client's announced pid, or -1 after refusing its HELLO. */
  private static int checkHello(DaemonFrame hello, OutputStream out) throws IOException {
    byte[] b = hello.body();
    if (hello.type() != FrameType.HELLO
        || b.length < 10
        || !Arrays.equals(Arrays.copyOf(b, 4), DaemonFrame.MAGIC)) {
      fail(ModuleException.Kind.DAEMON, "expected a bpfilterctl HELLO").write(out);
      return -1;
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(bb.getShort(4));
    if (version != DaemonFrame.VERSION) {
      fail(
              ModuleException.Kind.DAEMON,
              "client speaks protocol version "
                  + version
                  + ", this daemon speaks "
                  + DaemonFrame.VERSION)
          .write(out);
      return -1;
    }
    return bb.getInt(6);
  }

  private Peer peerOf(SocketChannel ch, int announcedPid) throws IOException {
    UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
    int uid = idOf(p.user().getName(), true);
    int gid = idOf(p.group().getName(), false);
    return Peer.of(uid, gid, announcedPid);
  }

  /** The JDK names peers; an unnamed id comes as its number. */
  private int idOf(String name, boolean user) {
    if (name.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(name);
    }
    return user ? (int) posix.getpwnam(name).getUID() : (int) posix.getgrnam(name).getGID();
  }

  private DaemonFrame answer(DaemonFrame f, Peer peer) {
    try {
      return switch (f.type()) {
        case CALL -> call(f, peer);
        case CONTROL -> control(f.bodyText(), peer);
        default -> fail(ModuleException.Kind.DAEMON, "unexpected frame " + f.type());
      };
    } catch (ModuleException e) {
      return fail(e.kind(), e.getMessage());
    }
  }

  private DaemonFrame call(DaemonFrame f, Peer peer) throws ModuleException {
    byte[] b = f.body();
    if (b.length < MboxRequest.HEADER_BYTES) {
      return fail(ModuleException.Kind.DAEMON, "CALL shorter than an mbox header");
    }
    MboxRequest.Header h = MboxRequest.Header.decode(b);
    if (h.len() != b.length - MboxRequest.HEADER_BYTES) {
      return fail(ModuleException.Kind.DAEMON, "CALL length does not match its header");
    }
    boolean set = h.isSet() != 0;
    if (set ? !policy.mayWrite(peer) : !policy.mayRead(peer)) {
      return denied(peer, (set ? "set" : "get") + " option " + h.cmd());
    }
    byte[] payload = Arrays.copyOfRange(b, MboxRequest.HEADER_BYTES, b.length);
    // The umh sees the caller's real pid, as the kernel's bpfilter did.
    MboxReply r = host.call(new MboxRequest(h.addr(), set, h.cmd(), peer.pid(), payload));
    return new DaemonFrame(FrameType.REPLY, r.encode());
  }

  private DaemonFrame control(String command, Peer peer) throws ModuleException {
    List<String> words = List.of(command.trim().split("\\s+"));
    String verb = words.get(0);
    if (verb.equals("access")) {
      // Anyone may ask what they may do: the sockopt hook refuses a raw socket up front, as the
      // kernel does, to a caller that may do nothing.
      String access = policy.mayWrite(peer) ? "write" : policy.mayRead(peer) ? "read" : "none";
      return DaemonFrame.text(FrameType.TEXT, access);
    }
    boolean write = verb.equals("load") || verb.equals("unload") || verb.equals("stop");
    if (write ? !policy.mayWrite(peer) : !policy.mayRead(peer)) {
      return denied(peer, verb);
    }
    return switch (verb) {
      case "load" -> DaemonFrame.text(FrameType.TEXT, Integer.toString(host.load()));
      case "unload" -> {
        host.unload();
        yield DaemonFrame.text(FrameType.TEXT, "");
      }
      case "status" -> DaemonFrame.text(FrameType.TEXT, host.status().toJson());
      case "log" -> {
        int n = words.size() > 1 ? Integer.parseInt(words.get(1)) : 100;
        StringBuilder b = new StringBuilder();
        for (LogLine l : host.log(n)) {
          b.append(l.toJson()).append('\n');
        }
        yield DaemonFrame.text(FrameType.TEXT, b.toString());
      }
      case "traffic" -> {
        int n = words.size() > 1 ? Integer.parseInt(words.get(1)) : 100;
        StringBuilder b = new StringBuilder();
        for (Frame fr : host.tap().recent(n)) {
          b.append(fr.toJson()).append('\n');
        }
        yield DaemonFrame.text(FrameType.TEXT, b.toString());
      }
      case "stop" -> DaemonFrame.text(FrameType.TEXT, "stopping");
      default -> fail(ModuleException.Kind.DAEMON, "unknown control command " + verb);
    };
  }

  private DaemonFrame denied(Peer peer, String what) {
    String msg = "permission denied: uid " + peer.uid() + " pid " + peer.pid() + " may not " + what;
    host.log().add(selfPid, LogLine.Source.HOST, "daemon: " + msg);
    return fail(ModuleException.Kind.PERMISSION_DENIED, msg);
  }

  static DaemonFrame fail(ModuleException.Kind kind, String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[1 + m.length];
    b[0] = (byte) kind.ordinal();
    System.arraycopy(m, 0, b, 1, m.length);
    return new DaemonFrame(FrameType.FAIL, b);
  }

  @Override
  public void close() throws IOException {
    closing = true;
    stopped.countDown();
    if (server != null) {
      // Only a server that bound the socket removes it: one refused for the lock must leave the
      // running daemon's socket alone.
      server.close();
      Files.deleteIfExists(socket);
    }
    if (lock != null) {
      lock.release();
      lockFile.close();
    }
  }
}
