package bpfilterctl.core.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What a command run in the daemon asks its client to do in the caller's process, with the caller's
 * permissions (the body of an ASK frame): read stdin, read a file, take or drop the xtables lock.
 * Each is answered by one {@link Answer} (an ANSWER frame), in order.
 */
public sealed interface CallerAsk {
  /** At most {@code max} bytes of stdin, as many as one read gives; none at its end. */
  record Stdin(int max) implements CallerAsk {}

  /**
   * The file's bytes, at most {@code max} (more is an error); {@code regularOnly} refuses anything
   * but a regular file (a device would never end). A relative name is the caller's.
   */
  record ReadFile(String name, long max, boolean regularOnly) implements CallerAsk {}

  /**
   * flock the xtables lock at {@code file} for the caller, as XtablesLock.acquire(waitSeconds)
   * does.
   */
  record Lock(String file, int waitSeconds) implements CallerAsk {}

  /** Drop the lock taken by the last {@link Lock}. */
  record Unlock() implements CallerAsk {}

  /**
   * The answer to an ask: {@link #OK} and the bytes asked for, else a failure kind and its UTF-8
   * message.
   */
  record Answer(int status, byte[] data) {
    public static final int OK = 0;
    public static final int NO_SUCH_FILE = 1;
    public static final int ACCESS_DENIED = 2;
    public static final int FAILED = 3;

    public static Answer ok(byte[] data) {
      return new Answer(OK, data);
    }

    public static Answer failed(int status, String message) {
      return new Answer(status, message.getBytes(StandardCharsets.UTF_8));
    }

    public String message() {
      return new String(data, StandardCharsets.UTF_8);
    }

    public byte[] encode() {
      byte[] b = new byte[1 + data.length];
      b[0] = (byte) status;
      System.arraycopy(data, 0, b, 1, data.length);
      return b;
    }

    public static Answer decode(byte[] body) {
      if (body.length < 1) {
        throw new IllegalArgumentException("empty ANSWER");
      }
      byte[] d = new byte[body.length - 1];
      System.arraycopy(body, 1, d, 0, d.length);
      return new Answer(body[0] & 0xff, d);
    }
  }

  default byte[] encode() {
    byte[] name;
    ByteBuffer b;
    if (this instanceof Stdin s) {
      b = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 1).putInt(s.max());
    } else if (this instanceof ReadFile f) {
      name = f.name().getBytes(StandardCharsets.UTF_8);
      b = ByteBuffer.allocate(10 + name.length).order(ByteOrder.LITTLE_ENDIAN);
      b.put((byte) 2).putLong(f.max()).put((byte) (f.regularOnly() ? 1 : 0)).put(name);
    } else if (this instanceof Lock l) {
      name = l.file().getBytes(StandardCharsets.UTF_8);
      b = ByteBuffer.allocate(5 + name.length).order(ByteOrder.LITTLE_ENDIAN);
      b.put((byte) 3).putInt(l.waitSeconds()).put(name);
    } else {
      b = ByteBuffer.allocate(1).put((byte) 4);
    }
    return b.array();
  }

  static CallerAsk decode(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int op = b.get();
      switch (op) {
        case 1:
          return new Stdin(b.getInt());
        case 2:
          {
            long max = b.getLong();
            boolean regular = b.get() != 0;
            return new ReadFile(rest(b), max, regular);
          }
        case 3:
          {
            int wait = b.getInt();
            return new Lock(rest(b), wait);
          }
        case 4:
          return new Unlock();
        default:
          throw new IllegalArgumentException("unknown ASK " + op);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("ASK ends early", e);
    }
  }

  private static String rest(ByteBuffer b) {
    byte[] s = new byte[b.remaining()];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
