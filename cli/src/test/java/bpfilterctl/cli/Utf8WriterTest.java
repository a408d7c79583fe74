package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8WriterTest {
  /** The same writes through an OutputStreamWriter and through ours: the same bytes. */
  private static void same(boolean close, String... writes) throws IOException {
    ByteArrayOutputStream theirs = new ByteArrayOutputStream();
    ByteArrayOutputStream ours = new ByteArrayOutputStream();
    for (var pair :
        List.of(
            List.<Object>of(new OutputStreamWriter(theirs, StandardCharsets.UTF_8), theirs),
            List.<Object>of(new Utf8Writer(ours), ours))) {
      PrintWriter w = new PrintWriter((Writer) pair.get(0));
      for (String s : writes) {
        w.print(s);
      }
      w.write('x');
      w.write(new char[] {'\u00e9', '\ud83d'}, 0, 2);
      w.write(new char[] {'\ude00', 'y'}, 0, 2);
      if (close) {
        w.close();
      } else {
        w.flush();
      }
    }
    assertThat(ours.toByteArray()).isEqualTo(theirs.toByteArray());
  }

  @Test
  void writesTheBytesAnOutputStreamWriterWrites() throws IOException {
    for (boolean close : new boolean[] {false, true}) {
      same(close, "-A INPUT -s 10.0.0.1/32 -j ACCEPT\n", "caf\u00e9 \u00ff", "");
      same(close, "smile \ud83d", "\ude00 split between writes");
      same(close, "lone \ud83d", "x", "lone low \ude00");
      same(close, "ends high \ud83d");
    }
  }

  @Test
  void aLongWriteGoesOutInFramesOf64KiB() throws IOException {
    List<Integer> writes = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    OutputStream counting =
        new OutputStream() {
          @Override
          public void write(int b) {
            writes.add(1);
            all.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            writes.add(len);
            all.write(b, off, len);
          }
        };
    String big = "-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 1024 -j ACCEPT\n".repeat(5000);
    PrintWriter w = new PrintWriter(new Utf8Writer(counting));
    w.print(new StringBuilder(big));
    w.flush();
    assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo(big);
    assertThat(writes).allMatch(n -> n <= 1 << 16);
    assertThat(writes).hasSize((big.length() + (1 << 16) - 1) >> 16);
  }
}
