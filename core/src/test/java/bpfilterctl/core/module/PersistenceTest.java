package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every acknowledged commit survives the umh's and the host's death; nothing else is kept. */
class PersistenceTest {
  @TempDir Path state;

  private HostConfig config(Path dir) {
    return TestImages.quick(
            UmhImage.javaMain(
                List.of(UmhImage.codeSourceOf(TableFakeUmh.class)),
                TableFakeUmh.class.getName(),
                List.of()))
        .startLimit(1000, java.time.Duration.ofSeconds(30))
        .stateDir(dir)
        .build();
  }

  static byte[] blob(String table, int entries, int seed) {
    ByteBuffer b = ByteBuffer.allocate(96 + 64 * entries).order(ByteOrder.LITTLE_ENDIAN);
    b.put(table.getBytes(StandardCharsets.US_ASCII));
    b.putInt(36, entries).putInt(40, 64 * entries);
    new Random(seed).nextBytes(Arrays.copyOf(new byte[0], 0));
    for (int i = 96; i < b.capacity(); i++) {
      b.put(i, (byte) (seed * 31 + i));
    }
    return b.array();
  }

  /** A SET_REPLACE as iptables sends it: num_counters from a GET_INFO just before. */
  static MboxReply replace(ModuleAccess m, byte[] blob) throws ModuleException {
    byte[] info = new byte[84];
    System.arraycopy(blob, 0, info, 0, 32);
    int current =
        ByteBuffer.wrap(m.call(new MboxRequest(0, false, 64, 1, info)).payload())
            .order(ByteOrder.LITTLE_ENDIAN)
            .getInt(76);
    byte[] b = blob.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(84, current);
    return m.call(new MboxRequest(0, true, 64, 1, b));
  }

  static MboxReply addCounters(ModuleAccess m, String table, int entries, long k)
      throws ModuleException {
    ByteBuffer b = ByteBuffer.allocate(40 + 16 * entries).order(ByteOrder.LITTLE_ENDIAN);
    b.put(table.getBytes(StandardCharsets.US_ASCII)).putInt(32, entries).position(40);
    for (int i = 0; i < 2 * entries; i++) {
      b.putLong(k + i);
    }
    return m.call(new MboxRequest(0, true, 65, 1, b.array()));
  }

  static byte[] dump(ModuleAccess m, String table) throws ModuleException {
    byte[] p = new byte[1 << 20];
    System.arraycopy(table.getBytes(StandardCharsets.US_ASCII), 0, p, 0, table.length());
    return m.call(new MboxRequest(0, false, 99, 1, p)).payload();
  }

  @Test
  void committedTablesAreReplayedIntoARestartedUmhAndANewHost() throws Exception {
    byte[] expected;
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      assertThat(replace(host, blob("filter", 5, 1)).isError()).isFalse();
      assertThat(addCounters(host, "filter", 5, 100).status()).isZero();
      expected = dump(host, "filter");
      int pid = host.status().umhPid();
      new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
      assertThat(ModuleHostTest.waitForState(host, ModuleState.RESTARTING, 2000)).isTrue();
      assertThat(dump(host, "filter")).as("after a umh restart").isEqualTo(expected);
    }
    try (ModuleHost again = new ModuleHost(config(state))) {
      again.load();
      assertThat(dump(again, "filter")).as("in a new host").isEqualTo(expected);
    }
  }

  @Test
  void aRejectedCommitLeavesTheSavedStateAsItWas() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      replace(host, blob("nat", 3, 7));
      byte[] before = dump(host, "nat");
      // Wrong counter count: the umh refuses it, so nothing is saved.
      assertThat(addCounters(host, "nat", 9, 1).isError()).isTrue();
      try (Stream<Path> s = Files.list(state.resolve("tables"))) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly("nat.table");
      }
      host.unload();
      host.load();
      assertThat(dump(host, "nat")).isEqualTo(before);
    }
  }

  @Test
  void aCorruptStateFileIsReportedAndMovedAsideNeverUsed() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      replace(host, blob("raw", 2, 3));
    }
    Path f = state.resolve("tables/raw.table");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length - 10));
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      assertThat(host.log().lines())
          .anySatisfy(l -> assertThat(l.text()).contains("raw.table").contains("moved aside"));
      try (Stream<Path> s = Files.list(state.resolve("tables"))) {
        assertThat(s.map(p -> p.getFileName().toString()))
            .anyMatch(n -> n.startsWith("raw.table.corrupt-"));
      }
      assertThat(dump(host, "raw")).as("a fresh table, not the torn one").hasSize(8 * 8);
    }
  }

  @Test
  void aSecondHostOnTheSameStateDirIsRefused() throws Exception {
    try (ModuleHost first = new ModuleHost(config(state));
        ModuleHost second = new ModuleHost(config(state))) {
      first.load();
      ModuleException e = catchThrowableOfType(ModuleException.class, second::load);
      assertThat(e.getMessage()).contains("in use by another module host");
    }
  }

  @Test
  void aFullDiskFailsTheCommitWithEnospcAndKeepsTheOldState() throws Exception {
    Path small = Files.createTempDirectory("bpf-tmpfs");
    assumeTrue(
        mount("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString()),
        "needs root to mount a tmpfs");
    try (ModuleHost host = new ModuleHost(config(small))) {
      host.load();
      assertThat(replace(host, blob("filter", 4, 1)).isError()).isFalse();
      byte[] before = dump(host, "filter");
      MboxReply r = replace(host, blob("filter", 2000, 2));
      assertThat(r.describeStatus()).isEqualTo("ENOSPC");
      assertThat(dump(host, "filter")).as("the umh never saw it").isEqualTo(before);
      host.unload();
      host.load();
      assertThat(dump(host, "filter")).as("the disk still has the old one").isEqualTo(before);
    } finally {
      mount("umount", small.toString());
      Files.deleteIfExists(small);
    }
  }

  @Test
  void hundredsOfCommitsWithRandomUmhKillsLoseNoAcknowledgedOne() throws Exception {
    Random rnd = new Random(7);
    byte[] acked = null;
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      for (int round = 0; round < 300; round++) {
        if (rnd.nextInt(10) == 0) {
          int pid = host.status().umhPid();
          if (pid > 0) {
            new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
          }
        }
        try {
          int entries = 1 + rnd.nextInt(6);
          if (!replace(host, blob("mangle", entries, round)).isError()
              && addCounters(host, "mangle", entries, round).status() == 0) {
            acked = dump(host, "mangle");
          }
        } catch (ModuleException e) {
          // not acknowledged: the saved state may hold this round's replace or the last one
        }
        if (rnd.nextInt(25) == 0 && acked != null) {
          host.unload();
          host.load();
          assertThat(dump(host, "mangle")).as("round %d", round).isEqualTo(acked);
        }
      }
    }
    try (ModuleHost again = new ModuleHost(config(state))) {
      again.load();
      assertThat(dump(again, "mangle")).isEqualTo(acked);
    }
  }

  private static boolean mount(String... cmd) throws IOException, InterruptedException {
    return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor() == 0;
  }
}
