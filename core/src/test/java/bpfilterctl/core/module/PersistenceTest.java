package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.persist.OwnedDir;
import bpfilterctl.core.persist.SavedTable;
import bpfilterctl.core.persist.TableJournal;
import bpfilterctl.core.persist.TableStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every acknowledged commit survives the umh's and the host's death; nothing else is kept. */
class PersistenceTest {
  @TempDir Path state;

  private HostConfig config(Path dir) {
    return TestImages.quick(TestImages.fakeTables())
        .startLimit(1000, java.time.Duration.ofSeconds(30))
        .stateDir(dir)
        .build();
  }

  @Test
  void committedTablesAreReplayedIntoARestartedUmhAndANewHost() throws Exception {
    byte[] expected;
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 5, 1)).isError())
          .isFalse();
      assertThat(FakeTableCalls.addCounters(host, "filter", 5, 100).status()).isZero();
      expected = FakeTableCalls.dump(host, "filter");
      int pid = host.status().umhPid();
      new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
      assertThat(ModuleHostTest.waitForState(host, ModuleState.RESTARTING, 2000)).isTrue();
      assertThat(FakeTableCalls.dump(host, "filter")).as("after a umh restart").isEqualTo(expected);
    }
    try (ModuleHost again = new ModuleHost(config(state))) {
      again.load();
      assertThat(FakeTableCalls.dump(again, "filter")).as("in a new host").isEqualTo(expected);
    }
  }

  @Test
  void aRejectedCommitLeavesTheSavedStateAsItWas() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      FakeTableCalls.replace(host, FakeTableCalls.blob("nat", 3, 7));
      byte[] before = FakeTableCalls.dump(host, "nat");
      host.settleState();
      byte[] journal = Files.readAllBytes(state.resolve("tables/nat.journal"));
      byte[] file = Files.readAllBytes(state.resolve("tables/nat.table"));
      // Wrong counter count: the umh refuses it, so nothing is saved.
      assertThat(FakeTableCalls.addCounters(host, "nat", 9, 1).isError()).isTrue();
      host.settleState();
      assertThat(Files.readAllBytes(state.resolve("tables/nat.journal"))).isEqualTo(journal);
      assertThat(Files.readAllBytes(state.resolve("tables/nat.table"))).isEqualTo(file);
      try (Stream<Path> s = Files.list(state.resolve("tables"))) {
        assertThat(s.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("nat.journal", "nat.table");
      }
      host.unload();
      host.load();
      assertThat(FakeTableCalls.dump(host, "nat")).isEqualTo(before);
    }
  }

  @Test
  void addingZeroCountersWritesNothingButStillReachesTheUmh() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 4, 1));
      host.settleState();
      Path file = state.resolve("tables/filter.table");
      Path journal = state.resolve("tables/filter.journal");
      Object inode = Files.getAttribute(file, "unix:ino");
      byte[] saved = Files.readAllBytes(file);
      byte[] journaled = Files.readAllBytes(journal);
      // What libiptc sends after every commit of a table that saw no traffic.
      assertThat(host.call(zeroCounters("filter", 4)).status()).isZero();
      host.settleState();
      assertThat(Files.getAttribute(file, "unix:ino")).as("no new file").isEqualTo(inode);
      assertThat(Files.readAllBytes(file)).isEqualTo(saved);
      assertThat(Files.readAllBytes(journal)).isEqualTo(journaled);
      // The umh still judges it: a wrong count is refused as before.
      assertThat(host.call(zeroCounters("filter", 9)).isError()).isTrue();
      // And a non-zero add is saved as always: in the journal before its reply.
      assertThat(FakeTableCalls.addCounters(host, "filter", 4, 3).status()).isZero();
      assertThat(Files.readAllBytes(journal)).isNotEqualTo(journaled);
      host.settleState();
      assertThat(Files.readAllBytes(file)).isNotEqualTo(saved);
    }
  }

  private static MboxRequest zeroCounters(String table, int entries) {
    byte[] b = new byte[40 + 16 * entries];
    System.arraycopy(table.getBytes(StandardCharsets.US_ASCII), 0, b, 0, table.length());
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32, entries);
    return new MboxRequest(0, true, 65, 1, b);
  }

  /**
   * Filter as committed by a host that is then closed (its table file written, journal applied).
   */
  private byte[] committedAndClosed(int entries, int seed) throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      assertThat(
              FakeTableCalls.replace(host, FakeTableCalls.blob("filter", entries, seed)).isError())
          .isFalse();
      return FakeTableCalls.dump(host, "filter");
    }
  }

  private TableStore store() {
    return new TableStore(state.resolve("tables"), OwnedDir.processUid());
  }

  private byte[] loadedFilter(List<String> logged) throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      host.log().lines().forEach(l -> logged.add(l.text()));
      return FakeTableCalls.dump(host, "filter");
    }
  }

  /**
   * A crash after a commit's reply and before its table file was written: the journal has the
   * commit, and the next load takes it from there and writes the file.
   */
  @Test
  void aCommitWhoseTableFileWasNeverWrittenIsLoadedFromItsJournal() throws Exception {
    byte[] older = committedAndClosed(3, 1);
    byte[] table = Files.readAllBytes(state.resolve("tables/filter.table"));
    try (TableJournal j = store().journal("filter")) {
      j.reserve(TableStore.recordBytes(SavedTable.replaced(FakeTableCalls.blob("filter", 6, 2))));
      j.write(SavedTable.replaced(FakeTableCalls.blob("filter", 6, 2)));
    }
    assertThat(Files.readAllBytes(state.resolve("tables/filter.table"))).isEqualTo(table);
    List<String> logged = new ArrayList<>();
    byte[] loaded = loadedFilter(logged);
    byte[] expected;
    try (ModuleHost ref = new ModuleHost(config(state.resolve("ref")))) {
      ref.load();
      FakeTableCalls.replace(ref, FakeTableCalls.blob("filter", 6, 2));
      expected = FakeTableCalls.dump(ref, "filter");
    }
    assertThat(loaded).isNotEqualTo(older).isEqualTo(expected);
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("recovered from its journal"));
    assertThat(Files.readAllBytes(state.resolve("tables/filter.table")))
        .as("the table file caught up at the load")
        .isNotEqualTo(table);
    assertThat(loadedFilter(new ArrayList<>())).isEqualTo(loaded);
  }

  /**
   * The journal is ahead and its table file cannot be written at the load (here an immutable tables
   * dir, as a full disk): the module still loads the journal's table, and the next commit of that
   * table writes the file first.
   */
  @Test
  void aTableFileThatCannotCatchUpAtTheLoadKeepsNothingDown() throws Exception {
    committedAndClosed(3, 1);
    try (TableJournal j = store().journal("filter")) {
      j.reserve(TableStore.recordBytes(SavedTable.replaced(FakeTableCalls.blob("filter", 6, 2))));
      j.write(SavedTable.replaced(FakeTableCalls.blob("filter", 6, 2)));
    }
    Path tables = state.resolve("tables");
    byte[] file = Files.readAllBytes(tables.resolve("filter.table"));
    byte[] expected;
    try (ModuleHost ref = new ModuleHost(config(state.resolve("ref")))) {
      ref.load();
      FakeTableCalls.replace(ref, FakeTableCalls.blob("filter", 6, 2));
      expected = FakeTableCalls.dump(ref, "filter");
    }
    Require.that(chattr("+i", tables), "needs root and a file system with chattr +i");
    try (ModuleHost host = new ModuleHost(config(state))) {
      try {
        host.load();
        assertThat(FakeTableCalls.dump(host, "filter")).isEqualTo(expected);
        assertThat(host.log().lines())
            .anySatisfy(l -> assertThat(l.text()).contains("its file could not be written"));
        assertThat(Files.readAllBytes(tables.resolve("filter.table"))).isEqualTo(file);
        assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 4, 3)).isError())
            .as("the file still cannot be written: the next commit is refused")
            .isTrue();
        assertThat(FakeTableCalls.dump(host, "filter")).isEqualTo(expected);
      } finally {
        chattr("-i", tables);
      }
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 4, 3)).isError())
          .isFalse();
      host.settleState();
    }
    assertThat(Files.readAllBytes(tables.resolve("filter.table"))).isNotEqualTo(file);
  }

  /** A crash while a commit was written over the journal: no reply was sent; the file stands. */
  @Test
  void aTornJournalLeavesTheTableFileStanding() throws Exception {
    byte[] committed = committedAndClosed(4, 3);
    Path journal = state.resolve("tables/filter.journal");
    byte[] j = Files.readAllBytes(journal);
    j[4] = 1; // pending, as a commit begins
    for (int i = j.length / 2; i < j.length / 2 + 40; i++) {
      j[i] ^= 0x5a; // half of the next record written
    }
    Files.write(journal, j);
    List<String> logged = new ArrayList<>();
    assertThat(loadedFilter(logged)).isEqualTo(committed);
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("journal of table filter torn"));
  }

  /**
   * An admin who puts an older table file back (from a backup) gets that table, not the journal's.
   */
  @Test
  void anAppliedJournalDefersToTheTableFile() throws Exception {
    byte[] backup = committedAndClosed(3, 5);
    Path file = state.resolve("tables/filter.table");
    byte[] saved = Files.readAllBytes(file);
    assertThat(committedAndClosed(7, 6)).isNotEqualTo(backup);
    Files.write(file, saved);
    assertThat(loadedFilter(new ArrayList<>())).isEqualTo(backup);
  }

  /**
   * The journal refuses the write after the umh accepted the commit (here an immutable file): the
   * caller gets the error and the umh the committed table back, as if nothing had been sent.
   */
  @Test
  void aJournalThatFailsAfterTheUmhAcceptedPutsTheCommittedTableBack() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 5, 1)).isError())
          .isFalse();
      assertThat(FakeTableCalls.addCounters(host, "filter", 5, 4).isError()).isFalse();
      byte[] before = FakeTableCalls.dump(host, "filter");
      host.settleState();
      Path journal = state.resolve("tables/filter.journal");
      Require.that(chattr("+i", journal), "needs root and a file system with chattr +i");
      try {
        MboxReply r = FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 9));
        assertThat(r.isError()).isTrue();
        assertThat(FakeTableCalls.dump(host, "filter")).isEqualTo(before);
        assertThat(host.log().lines())
            .anySatisfy(l -> assertThat(l.text()).contains("goes back to the committed table"));
      } finally {
        chattr("-i", journal);
      }
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 9)).isError())
          .as("writable again: commits again")
          .isFalse();
    }
  }

  private static boolean chattr(String flag, Path f) throws Exception {
    Process p = new ProcessBuilder("chattr", flag, f.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  @Test
  void aCorruptStateFileRefusesTheLoadLoudlyUntilAnAdminDiscardsIt() throws Exception {
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      FakeTableCalls.replace(host, FakeTableCalls.blob("raw", 2, 3));
    }
    Path f = state.resolve("tables/raw.table");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length - 10));
    try (ModuleHost host = new ModuleHost(config(state))) {
      ModuleException refused = catchThrowableOfType(ModuleException.class, host::load);
      assertThat(refused.getMessage())
          .contains("raw.table")
          .contains("damaged")
          .contains("--discard-damaged");
      assertThat(host.status().state()).isEqualTo(ModuleState.FAILED);
      assertThat(host.status().message()).contains("raw.table");
      ModuleException call =
          catchThrowableOfType(ModuleException.class, () -> FakeTableCalls.dump(host, "raw"));
      assertThat(call.getMessage()).as("every command says so").contains("raw.table");
      assertThat(f).as("left in place for the admin").exists();
      host.loadDiscardingDamaged();
      assertThat(host.log().lines())
          .anySatisfy(l -> assertThat(l.text()).contains("raw.table").contains("set aside"));
      try (Stream<Path> s = Files.list(state.resolve("tables"))) {
        assertThat(s.map(p -> p.getFileName().toString()))
            .anyMatch(n -> n.startsWith("raw.table.corrupt-"));
      }
      assertThat(FakeTableCalls.dump(host, "raw"))
          .as("a fresh table, not the torn one")
          .hasSize(8 * 8);
    }
  }

  @Test
  void aClaimedStateDirStopsASecondHostAtOnceAndAnUnloadKeepsIt() throws Exception {
    try (ModuleHost daemon = new ModuleHost(config(state));
        ModuleHost second = new ModuleHost(config(state))) {
      daemon.claimState();
      ModuleException e = catchThrowableOfType(ModuleException.class, second::claimState);
      assertThat(e.getMessage()).contains("in use by another module host");
      daemon.load();
      daemon.unload();
      e = catchThrowableOfType(ModuleException.class, second::load);
      assertThat(e).as("still claimed after the unload").isNotNull();
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
    Require.that(
        mount("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", small.toString()),
        "needs root to mount a tmpfs");
    try (ModuleHost host = new ModuleHost(config(small))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 4, 1)).isError())
          .isFalse();
      byte[] before = FakeTableCalls.dump(host, "filter");
      MboxReply r = FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 2000, 2));
      assertThat(r.describeStatus()).isEqualTo("ENOSPC");
      assertThat(FakeTableCalls.dump(host, "filter")).as("the umh never saw it").isEqualTo(before);
      host.unload();
      host.load();
      assertThat(FakeTableCalls.dump(host, "filter"))
          .as("the disk still has the old one")
          .isEqualTo(before);
    } finally {
      mount("umount", small.toString());
      Files.deleteIfExists(small);
    }
  }

  @Test
  @Timeout(300)
  void sixtyCommitsWithRandomUmhKillsLoseNoAcknowledgedOne() throws Exception {
    commitsWithKills(60);
  }

  @Test
  @Tag("soak")
  @Timeout(1800)
  void hundredsOfCommitsWithRandomUmhKillsLoseNoAcknowledgedOne() throws Exception {
    commitsWithKills(300);
  }

  private void commitsWithKills(int rounds) throws Exception {
    Random rnd = new Random(7);
    byte[] acked = null;
    try (ModuleHost host = new ModuleHost(config(state))) {
      host.load();
      for (int round = 0; round < rounds; round++) {
        if (rnd.nextInt(10) == 0) {
          int pid = host.status().umhPid();
          if (pid > 0) {
            new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
          }
        }
        try {
          int entries = 1 + rnd.nextInt(6);
          if (!FakeTableCalls.replace(host, FakeTableCalls.blob("mangle", entries, round)).isError()
              && FakeTableCalls.addCounters(host, "mangle", entries, round).status() == 0) {
            acked = FakeTableCalls.dump(host, "mangle");
          }
        } catch (ModuleException e) {
          // not acknowledged: the saved state may hold this round's replace or the last one
        }
        if (rnd.nextInt(25) == 0 && acked != null) {
          host.unload();
          host.load();
          assertThat(FakeTableCalls.dump(host, "mangle")).as("round %d", round).isEqualTo(acked);
        }
      }
    }
    try (ModuleHost again = new ModuleHost(config(state))) {
      again.load();
      assertThat(FakeTableCalls.dump(again, "mangle")).isEqualTo(acked);
    }
  }

  private static boolean mount(String... cmd) throws IOException, InterruptedException {
    return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor() == 0;
  }

  @Test
  void aUmhThatDiesUnderSetAddCountersCostsNeitherTheCallNorDoubleCounters() throws Exception {
    HostConfig cfg =
        TestImages.quick(
                UmhImage.javaMain(
                    List.of(UmhImage.codeSourceOf(TableFakeUmh.class)),
                    TableFakeUmh.class.getName(),
                    List.of("die-after-counters", state.resolve("died").toString())))
            .requestTimeout(java.time.Duration.ofSeconds(10))
            .stateDir(state.resolve("s"))
            .build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      int first = host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 1)).isError())
          .isFalse();
      assertThat(FakeTableCalls.addCounters(host, "filter", 3, 10).status()).isZero();
      byte[] once = FakeTableCalls.dump(host, "filter");
      assertThat(FakeTableCalls.addCounters(host, "filter", 3, 20).status())
          .as("the umh died under it; the call still succeeds")
          .isZero();
      assertThat(state.resolve("died")).exists();
      assertThat(host.status().umhPid()).isNotEqualTo(first);
      byte[] twice = FakeTableCalls.dump(host, "filter");
      try (ModuleHost reference = new ModuleHost(config(state.resolve("ref")))) {
        reference.load();
        FakeTableCalls.replace(reference, FakeTableCalls.blob("filter", 3, 1));
        FakeTableCalls.addCounters(reference, "filter", 3, 10);
        assertThat(FakeTableCalls.dump(reference, "filter")).isEqualTo(once);
        FakeTableCalls.addCounters(reference, "filter", 3, 20);
        assertThat(twice)
            .as("each addition counted once")
            .isEqualTo(FakeTableCalls.dump(reference, "filter"));
      }
    }
  }
}
