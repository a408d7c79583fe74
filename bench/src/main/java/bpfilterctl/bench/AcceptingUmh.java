package bpfilterctl.bench;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A umh that accepts every request at once (a set answers 0): the cost under it is the host's. */
public final class AcceptingUmh {
  private AcceptingUmh() {}

  public static void main(String[] args) throws IOException {
    DataInputStream in = new DataInputStream(new FileInputStream(FileDescriptor.in));
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    byte[] h = new byte[24];
    while (true) {
      try {
        in.readFully(h);
      } catch (EOFException e) {
        return;
      }
      int len = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
      in.readFully(new byte[len]); // pipes cannot seek: read what we ignore
      out.write(new byte[4]);
      out.flush();
    }
  }
}
