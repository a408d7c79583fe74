package bpfilterctl.core.umh;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The umh's main loop: read a request, answer it, until EOF. A clean EOF between requests is the
 * host unloading us (exit 0); a short read inside a request is a broken host (exit 1).
 */
public final class UmhLoop {
  /** How the loop ended. */
  public enum End {
    EOF,
    SHORT_READ
  }

  private final InputStream in;
  private final OutputStream out;
  private final PrintStream log;
  private final SockoptHandler handler;
  private final long maxPayload;

  public UmhLoop(
      InputStream in, OutputStream out, PrintStream log, SockoptHandler handler, long maxPayload) {
    this.in = in;
    this.out = out;
    this.log = log;
    this.handler = handler;
    this.maxPayload = maxPayload;
  }

  public End run() throws IOException {
    byte[] header = new byte[MboxRequest.HEADER_BYTES];
    while (true) {
      int got = readFully(header, header.length);
      if (got == 0) {
        return End.EOF;
      }
      if (got < header.length) {
        log.println("short read of request header: " + got + " of " + header.length + " bytes");
        return End.SHORT_READ;
      }
      MboxRequest.Header h = MboxRequest.Header.decode(header);
      MboxReply reply;
      if (h.len() > maxPayload) {
        // Refuse before reading into memory, but consume the bytes so the stream stays in sync.
        if (!skipFully(h.len())) {
          log.println("short read while skipping an oversized payload of " + h.len() + " bytes");
          return End.SHORT_READ;
        }
        log.println("refused payload of " + h.len() + " bytes (limit " + maxPayload + ")");
        reply = MboxReply.error(Errno.E2BIG);
      } else {
        byte[] payload = new byte[(int) h.len()];
        if (readFully(payload, payload.length) < payload.length) {
          log.println("short read of request payload: expected " + h.len() + " bytes");
          return End.SHORT_READ;
        }
        reply = answer(h.withPayload(payload));
      }
      out.write(reply.encode());
      out.flush();
    }
  }

  private MboxReply answer(MboxRequest request) {
    if (request.isHandshake()) {
      return MboxReply.ok();
    }
    try {
      return handler.handle(request);
    } catch (RuntimeException | OutOfMemoryError e) {
      // A bug in one request must not take the tables down with it: report it and carry on.
      log.println("error answering " + request.optionName() + ": " + e);
      return MboxReply.error(Errno.EFAULT);
    }
  }

  private int readFully(byte[] buf, int n) throws IOException {
    int off = 0;
    while (off < n) {
      int r = in.read(buf, off, n - off);
      if (r < 0) {
        break;
      }
      off += r;
    }
    return off;
  }

  private boolean skipFully(long n) throws IOException {
    byte[] sink = new byte[64 * 1024];
    long left = n;
    while (left > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, left));
      if (r < 0) {
        return false;
      }
      left -= r;
    }
    return true;
  }
}
