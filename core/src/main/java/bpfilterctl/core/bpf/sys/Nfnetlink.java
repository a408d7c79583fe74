package bpfilterctl.core.bpf.sys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * A NETLINK_NETFILTER socket in the calling thread's network namespace, for nf_tables batches: each
 * message asks for an acknowledgement, and {@link #transact} returns the kernel's answer to each (0
 * or -errno), in order. Messages and attributes are built with {@link Message}.
 */
public final class Nfnetlink implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_NETFILTER = 12;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;

  public static final int NLM_F_REQUEST = 1;
  public static final int NLM_F_ACK = 4;
  public static final int NLM_F_CREATE = 0x400;
  public static final int NLM_F_APPEND = 0x800;
  public static final int NLA_F_NESTED = 0x8000;

  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NFNL_MSG_BATCH_BEGIN = 16;
  private static final int NFNL_MSG_BATCH_END = 17;
  private static final int HEADER = 16;

  /** The libc socket calls. */
  public interface Calls {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int setsockopt(int fd, int level, int name, Pointer value, int len);

    @SaveError
    long send(int fd, Pointer buf, long len, int flags);

    @SaveError
    long recv(int fd, Pointer buf, long len, int flags);

    @SaveError
    int close(int fd);
  }

  private final Calls calls;
  private final Runtime runtime;
  private final int fd;
  private int seq = (int) (System.nanoTime() & 0x3fffffff);

  private Nfnetlink(Calls calls, int fd) {
    this.calls = calls;
    this.runtime = Runtime.getRuntime(calls);
    this.fd = fd;
  }

  /** Opens the socket, with a 5 s receive timeout (a kernel that never answers is an error). */
  public static Nfnetlink open() throws BpfException {
    Calls calls = LibraryLoader.create(Calls.class).load("c");
    Runtime rt = Runtime.getRuntime(calls);
    int fd = calls.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) {
      throw new BpfException("socket(NETLINK_NETFILTER)", rt.getLastError());
    }
    Pointer tv = Memory.allocateDirect(rt, 16, true);
    tv.putLong(0, 5);
    if (calls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) != 0) {
      int err = rt.getLastError();
      calls.close(fd);
      throw new BpfException("setsockopt(SO_RCVTIMEO)", err);
    }
    return new Nfnetlink(calls, fd);
  }

  /**
   * Sends {@code messages} as one nfnetlink batch of subsystem {@code subsys} (all applied or none)
   * and returns each message's answer: 0, or -errno.
   */
  public int[] transact(int subsys, List<Message> messages) throws BpfException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int first = seq;
    out.writeBytes(new Message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 0, subsys).encode(seq++));
    for (Message m : messages) {
      out.writeBytes(m.encode(seq++));
    }
    out.writeBytes(new Message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, 0, subsys).encode(seq++));
    byte[] batch = out.toByteArray();
    Pointer buf = Memory.allocateDirect(runtime, batch.length);
    buf.put(0, batch, 0, batch.length);
    if (calls.send(fd, buf, batch.length, 0) != batch.length) {
      throw new BpfException("send(nfnetlink batch)", runtime.getLastError());
    }
    int[] answers = new int[messages.size()];
    boolean[] seen = new boolean[messages.size()];
    int left = messages.size();
    while (left > 0) {
      for (Reply r : receive()) {
        int i = r.seq() - first - 1;
        if (r.type() == NLMSG_ERROR && r.error() != 0 && (i < 0 || i >= answers.length)) {
          // the batch itself was refused (its begin or end message): no message will answer
          throw new BpfException("nfnetlink batch", -r.error());
        }
        if (r.type() == NLMSG_ERROR && i >= 0 && i < answers.length && !seen[i]) {
          seen[i] = true;
          answers[i] = r.error();
          left--;
        }
      }
    }
    return answers;
  }

  /**
   * Sends one request (not a batch) and returns its replies up to and including the
   * acknowledgement.
   */
  public List<Reply> request(Message m) throws BpfException {
    int mine = seq++;
    byte[] msg = m.encode(mine);
    Pointer buf = Memory.allocateDirect(runtime, msg.length);
    buf.put(0, msg, 0, msg.length);
    if (calls.send(fd, buf, msg.length, 0) != msg.length) {
      throw new BpfException("send(nfnetlink)", runtime.getLastError());
    }
    List<Reply> all = new ArrayList<>();
    while (true) {
      for (Reply r : receive()) {
        if (r.seq() != mine) {
          continue;
        }
        all.add(r);
        if (r.type() == NLMSG_ERROR || r.type() == NLMSG_DONE) {
          return all;
        }
      }
    }
  }

  private List<Reply> receive() throws BpfException {
    Pointer buf = Memory.allocateDirect(runtime, 65536);
    long n = calls.recv(fd, buf, 65536, 0);
    if (n < 0) {
      throw new BpfException("recv(nfnetlink)", runtime.getLastError());
    }
    byte[] got = new byte[(int) n];
    buf.get(0, got, 0, got.length);
    ByteBuffer b = ByteBuffer.wrap(got).order(ByteOrder.nativeOrder());
    List<Reply> replies = new ArrayList<>();
    int at = 0;
    while (at + HEADER <= got.length) {
      int len = b.getInt(at);
      if (len < HEADER || at + len > got.length) {
        break;
      }
      int type = Short.toUnsignedInt(b.getShort(at + 4));
      int seqNo = b.getInt(at + 8);
      int error = type == NLMSG_ERROR && len >= HEADER + 4 ? b.getInt(at + HEADER) : 0;
      byte[] body = new byte[len - HEADER];
      b.get(at + HEADER, body);
      replies.add(new Reply(type, seqNo, error, body));
      at += align(len);
    }
    return replies;
  }

  @Override
  public void close() {
    calls.close(fd);
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  /** One message of a reply: its type, sequence number, error (NLMSG_ERROR) and payload. */
  public record Reply(int type, int seq, int error, byte[] body) {}

  /**
   * An nfnetlink message: nlmsghdr, nfgenmsg (family, version 0, resource id) and attributes.
   *
   * @param type the nlmsg_type ((subsystem << 8) | command)
   * @param flags nlmsg_flags
   * @param family nfgenmsg.nfgen_family
   * @param resId nfgenmsg.res_id (the subsystem, for batch begin and end)
   */
  public record Message(int type, int flags, int family, int resId, byte[] attrs) {
    public Message(int type, int flags, int family, int resId) {
      this(type, flags, family, resId, new byte[0]);
    }

    byte[] encode(int seqNo) {
      int len = HEADER + 4 + attrs.length;
      ByteBuffer b = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
      b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seqNo).putInt(0);
      b.put((byte) family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resId);
      b.put(attrs);
      return b.array();
    }
  }

  /** Attributes, each padded to 4 bytes. */
  public static final class Attrs {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Attrs string(int type, String value) {
      byte[] s = value.getBytes(StandardCharsets.US_ASCII);
      byte[] z = new byte[s.length + 1];
      System.arraycopy(s, 0, z, 0, s.length);
      return raw(type, z);
    }

    /** A u32 in network order (what nf_tables takes). */
    public Attrs be32(int type, int value) {
      return raw(type, ByteBuffer.allocate(4).putInt(value).array());
    }

    public Attrs nested(int type, Attrs inner) {
      return raw(type | NLA_F_NESTED, inner.bytes());
    }

    public Attrs raw(int type, byte[] value) {
      ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
      h.putShort((short) (4 + value.length)).putShort((short) type);
      out.writeBytes(h.array());
      out.writeBytes(value);
      out.writeBytes(new byte[align(value.length) - value.length]);
      return this;
    }

    public byte[] bytes() {
      return out.toByteArray();
    }
  }
}
