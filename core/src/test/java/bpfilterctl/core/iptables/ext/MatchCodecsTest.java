package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.uapi.Abi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The client side of every match, on bytes no iptables wrote. */
class MatchCodecsTest {
  /**
   * -L and -S show whatever the kernel hands back (a table another program wrote, a damaged
   * recording), so no blob content may make them fail: every match, every revision, on zeros, ones
   * and random bytes, under each protocol a match may sit on.
   */
  @Test
  void printingAndSavingAnyBytesNeverFails() {
    Random random = new Random(7);
    List<String> failures = new ArrayList<>();
    List<XtExtension> matches =
        Stream.concat(ClassicMatches.ALL.stream(), SpecialMatches.ALL.stream()).toList();
    for (XtExtension e : matches) {
      int size = Abi.align(Math.max(e.dataSize(), 0));
      List<byte[]> blobs = blobs(size, random);
      blobs.addAll(blobs(Math.max(e.dataSize(), 0), random)); // as userspacesize shows them
      for (byte[] b : blobs) {
        for (int proto : new int[] {0, 1, 6, 17, 132, 33}) {
          ExtData d = new ExtData(b, RuleDriver.ip(proto, 0), "filter", RuleDriver.LOOKUPS);
          try {
            e.print(d, true, new StringBuilder());
            e.print(d, false, new StringBuilder());
            e.save(d, new StringBuilder());
            e.alias(d);
          } catch (RuntimeException x) {
            failures.add(e + " proto " + proto + " on " + HexFormat.of().formatHex(b) + ": " + x);
            break;
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(matches).hasSizeGreaterThan(60);
  }

  private static List<byte[]> blobs(int size, Random random) {
    List<byte[]> blobs = new ArrayList<>();
    blobs.add(new byte[size]);
    byte[] ones = new byte[size];
    Arrays.fill(ones, (byte) -1);
    blobs.add(ones);
    for (int i = 0; i < 60; i++) {
      byte[] b = new byte[size];
      random.nextBytes(b);
      blobs.add(b);
    }
    return blobs;
  }
}
