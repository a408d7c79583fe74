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
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A umh that keeps tables the simplest way that still behaves like the kernel for the host's
 * persistence: SET_REPLACE stores the blob (num_counters must equal the current entry count, else
 * EAGAIN) and answers the old counters; SET_ADD_COUNTERS adds; GET_INFO tells num_entries (4 for a
 * table never set); get cmd 99 dumps a table: blob then its counters. With args {@code
 * die-after-counters MARKER} it applies the second SET_ADD_COUNTERS it gets and dies before
 * answering, once (MARKER, a file it creates, says it did).
 */
public final class TableFakeUmh {
  private TableFakeUmh() {}

  private record Table(byte[] blob, long[] counters) {}

  public static void main(String[] args) throws IOException {
    DataInputStream in = new DataInputStream(new FileInputStream(FileDescriptor.in));
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    Map<String, Table> tables = new HashMap<>();
    java.nio.file.Path dieMarker =
        args.length == 2 && args[0].equals("die-after-counters")
            ? java.nio.file.Path.of(args[1])
            : null;
    int countersCalls = 0;
    while (true) {
      byte[] h = new byte[24];
      try {
        in.readFully(h);
      } catch (EOFException e) {
        System.exit(0);
      }
      ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
      int len = hb.getInt(8);
      boolean set = hb.getInt(12) != 0;
      int cmd = hb.getInt(16);
      byte[] p = new byte[len];
      in.readFully(p);
      ByteBuffer pb = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
      String name =
          len >= 32 ? new String(p, 0, 32, StandardCharsets.US_ASCII).replace("\0", "") : "";
      Table t = tables.getOrDefault(name, new Table(null, new long[8]));
      byte[] reply;
      int status;
      if (cmd == 0 && !set) {
        status = 0;
        reply = new byte[0];
      } else if (set && cmd == 64) {
        int numCounters = pb.getInt(84);
        if (numCounters != t.counters().length / 2) {
          status = -11;
          reply = new byte[0];
        } else {
          reply = new byte[numCounters * 16];
          ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(t.counters());
          status = reply.length;
          // Like the kernel, keep the table, not the request: num_counters and the pointer go.
          byte[] kept = p.clone();
          java.util.Arrays.fill(kept, 84, 96, (byte) 0);
          tables.put(name, new Table(kept, new long[pb.getInt(36) * 2]));
        }
      } else if (set && cmd == 65) {
        int n = pb.getInt(32);
        if (n != t.counters().length / 2 || len != 40 + 16 * n) {
          status = -22;
        } else {
          for (int i = 0; i < 2 * n; i++) {
            t.counters()[i] += pb.getLong(40 + 8 * i);
          }
          tables.put(name, t);
          status = 0;
          if (++countersCalls == 2 && dieMarker != null && !java.nio.file.Files.exists(dieMarker)) {
            java.nio.file.Files.createFile(dieMarker);
            System.exit(9); // applied, never answered
          }
        }
        reply = new byte[0];
      } else if (!set && cmd == 64) {
        reply = new byte[84];
        System.arraycopy(p, 0, reply, 0, 32);
        ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).putInt(76, t.counters().length / 2);
        status = 84;
      } else if (!set && cmd == 99) {
        byte[] blob = t.blob() == null ? new byte[0] : t.blob();
        ByteBuffer d =
            ByteBuffer.allocate(blob.length + 8 * t.counters().length)
                .order(ByteOrder.LITTLE_ENDIAN);
        d.put(blob);
        for (long c : t.counters()) {
          d.putLong(c);
        }
        reply = d.array();
        status = reply.length <= len ? reply.length : -34;
        if (status < 0) {
          reply = new byte[0];
        }
      } else {
        status = -92;
        reply = new byte[0];
      }
      ByteBuffer r = ByteBuffer.allocate(4 + reply.length).order(ByteOrder.LITTLE_ENDIAN);
      r.putInt(status).put(reply);
      out.write(r.array());
      out.flush();
    }
  }
}
