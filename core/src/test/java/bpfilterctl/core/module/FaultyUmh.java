package bpfilterctl.core.module;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A umh that misbehaves on purpose, started by tests in place of the real one. Request number 0 is
 * the handshake. Modes (args[0]):
 *
 * <ul>
 *   <li>{@code exit CODE}: exits at once with CODE, writing a line to stderr first
 *   <li>{@code silent}: never answers anything
 *   <li>{@code status S}: answers the handshake with S
 *   <li>{@code short}: answers the handshake with 2 bytes, then exits
 *   <li>{@code die N}: dies (exit 7) after reading request N
 *   <li>{@code hang N}: stops answering at request N
 *   <li>{@code toolong N}: announces a reply of len+100 bytes at request N
 *   <li>{@code flood}: writes 200,000 stderr lines, one of 100 kB, then behaves
 *   <li>{@code echo}: behaves, and answers every get with its own input buffer
 *   <li>{@code ignore-eof}: behaves, but does not exit on EOF
 * </ul>
 */
public final class FaultyUmh {
  private FaultyUmh() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = args.length > 1 ? Integer.parseInt(args[1]) : -1;
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    DataInputStream in = new DataInputStream(new FileInputStream(FileDescriptor.in));
    System.err.println("faulty umh mode " + mode);
    switch (mode) {
      case "exit" -> System.exit(n);
      case "silent" -> sleepForever();
      case "short" -> {
        readRequest(in);
        out.write(new byte[] {0, 0});
        out.flush();
        System.exit(3);
      }
      case "flood" -> {
        for (int i = 0; i < 200_000; i++) {
          System.err.println("flood line " + i);
        }
        System.err.println("x".repeat(100_000));
      }
      default -> {}
    }
    for (int i = 0; ; i++) {
      byte[] payload;
      try {
        payload = readRequest(in);
      } catch (EOFException e) {
        if (mode.equals("ignore-eof")) {
          sleepForever();
        }
        System.exit(0);
        return;
      }
      if (mode.equals("status") && i == 0) {
        reply(out, n, new byte[0]);
        continue;
      }
      if (i == n) {
        switch (mode) {
          case "die" -> System.exit(7);
          case "hang" -> sleepForever();
          case "toolong" -> {
            reply(out, payload.length + 100, new byte[0]);
            continue;
          }
          default -> {}
        }
      }
      reply(
          out,
          mode.equals("echo") ? payload.length : 0,
          mode.equals("echo") ? payload : new byte[0]);
    }
  }

  private static byte[] readRequest(DataInputStream in) throws IOException {
    byte[] h = new byte[24];
    in.readFully(h);
    int len = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    byte[] p = new byte[len];
    in.readFully(p);
    return p;
  }

  private static void reply(OutputStream out, int status, byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(status).put(payload);
    out.write(b.array());
    out.flush();
  }

  private static void sleepForever() throws InterruptedException {
    while (true) {
      Thread.sleep(1_000_000);
    }
  }
}
