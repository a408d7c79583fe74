package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.ReplyConntrack;
import bpfilterctl.core.bpf.compile.TargetEvent;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.RawSocket;

/**
 * The raw socket REJECT's replies leave from, which tells the LOCAL_OUT programs before each reply
 * what conntrack the kernel's reply would carry (ReplyConntrack): its cookie and the rejected
 * packet's relation, written to the channel's reply map just before the send, whose LOCAL_OUT runs
 * in this thread's syscall.
 */
public final class ReplySocket implements AutoCloseable, TargetActions.Replies {
  private static final byte[] KEY = new byte[4];

  private final Bpf bpf;
  private final Fd map;
  private final RawSocket socket;
  private final long cookie;

  private ReplySocket(Bpf bpf, Fd map, RawSocket socket, long cookie) {
    this.bpf = bpf;
    this.map = map;
    this.socket = socket;
    this.cookie = cookie;
  }

  /**
   * Opens the socket in the calling thread's network namespace and writes its cookie, with no
   * relation, to {@code map} (a socket of a previous umh is no longer recognised).
   */
  public static ReplySocket open(Bpf bpf, Fd map) throws BpfException {
    RawSocket socket = RawSocket.open();
    try {
      long cookie = socket.cookie();
      bpf.mapUpdate(map, KEY, ReplyConntrack.none(cookie));
      return new ReplySocket(bpf, map, socket, cookie);
    } catch (BpfException e) {
      socket.close();
      throw e;
    }
  }

  /** The socket's cookie, as the programs compare it. */
  public long cookie() {
    return cookie;
  }

  /** Sends {@code reply} to {@code rejected}; 0 or the errno of the map write or the send. */
  @Override
  public synchronized int send(byte[] reply, TargetEvent rejected) {
    try {
      bpf.mapUpdate(map, KEY, ReplyConntrack.value(cookie, rejected));
    } catch (BpfException e) {
      return e.errno();
    }
    return socket.send(reply);
  }

  @Override
  public void close() {
    socket.close();
  }
}
