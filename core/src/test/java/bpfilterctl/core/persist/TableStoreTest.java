package bpfilterctl.core.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table file's format: what is written reads back, and no damage passes for a table. */
class TableStoreTest {
  private static SavedTable table(int blobBytes, int counterWords, long seed) {
    Random r = new Random(seed);
    byte[] blob = new byte[blobBytes];
    r.nextBytes(blob);
    Arrays.fill(blob, 0, 32, (byte) 0);
    System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, blob, 0, 6);
    long[] counters = r.longs(counterWords).toArray();
    return new SavedTable("filter", blob, counters);
  }

  private static void assertSame(SavedTable a, SavedTable b) {
    assertThat(b.name()).isEqualTo(a.name());
    assertThat(b.replaceBlob()).isEqualTo(a.replaceBlob());
    assertThat(b.counters()).isEqualTo(a.counters());
  }

  private static SavedTable single(TableStore store) throws Exception {
    TableStore.Loaded l = store.load();
    assertThat(l.damaged()).isEmpty();
    assertThat(l.tables()).hasSize(1);
    return l.tables().get(0);
  }

  /**
   * A journal is written in place and never shrinks: a smaller record over a larger one reads back
   * as itself (the larger one's tail is not its), pending until applied, and then the table file
   * stands; a torn record is no table.
   */
  @Test
  void aJournalRecordReadsBackAsItselfOverALongerOne(@TempDir Path dir) throws Exception {
    Path tables = dir.resolve("tables");
    TableStore store = new TableStore(tables, OwnedDir.processUid());
    SavedTable file = table(300, 4, 7);
    SavedTable big = table(5000, 40, 8);
    SavedTable small = table(500, 6, 9);
    store.commit(store.prepare(file));
    try (TableJournal j = store.journal("filter")) {
      j.reserve(TableStore.recordBytes(big));
      j.write(big);
      j.reserve(TableStore.recordBytes(small));
      j.write(small);
      assertThat(Files.size(tables.resolve("filter.journal")))
          .isGreaterThan(TableStore.recordBytes(big));
      TableStore.Loaded l = store.load();
      assertThat(l.damaged()).isEmpty();
      assertSame(small, l.tables().get(0));
      assertSame(small, l.behind().get(0));
      j.markApplied();
    }
    TableStore.Loaded l = store.load();
    assertSame(file, l.tables().get(0));
    assertThat(l.behind()).isEmpty();

    Path journal = tables.resolve("filter.journal");
    byte[] b = Files.readAllBytes(journal);
    b[4] = 1;
    Files.write(journal, b);
    assertSame(small, single(store));
    b[100] ^= 1;
    Files.write(journal, b);
    l = store.load();
    assertSame(file, l.tables().get(0));
    assertThat(l.notes()).singleElement().asString().contains("torn");
  }

  /**
   * The host writes a table's temp file before the umh sees the request and syncs it while the umh
   * works: until the commit, what a load reads (after a crash, say) is the table committed before.
   */
  @Test
  void aWrittenTableIsCurrentOnlyOnceSyncedAndCommitted(@TempDir Path dir) throws Exception {
    Path tables = dir.resolve("tables");
    TableStore store = new TableStore(tables, OwnedDir.processUid());
    SavedTable old = table(400, 6, 1);
    SavedTable next = table(560, 8, 2);
    store.commit(store.prepare(old));
    TableStore.Prepared p = store.write(next);
    assertSame(old, single(store));
    store.sync(p);
    assertSame(old, single(store));
    store.commit(p);
    assertSame(next, single(store));
    store.abandon(store.write(old)); // the umh refused it
    assertSame(next, single(store));
    try (Stream<Path> files = Files.list(tables)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .isEqualTo(List.of("filter.table"));
    }
  }

  @Test
  void whatIsWrittenReadsBack() throws Exception {
    for (int seed = 0; seed < 20; seed++) {
      SavedTable t = table(96 + 152 * seed, 2 * seed, seed);
      assertSame(t, TableStore.decode("filter", TableStore.encode(t)));
    }
  }

  @Test
  void thePreparedFileIsTheFormatByteForByte(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path state = tmp.resolve("state");
    java.nio.file.Files.createDirectory(state);
    java.nio.file.Files.setPosixFilePermissions(
        state, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    TableStore store = new TableStore(state.resolve("tables"), OwnedDir.processUid());
    SavedTable t = table(96 + 152 * 40, 80, 11);
    TableStore.Prepared p = store.prepare(t);
    byte[] file = java.nio.file.Files.readAllBytes(p.temp());
    // magic, version 2, the blob's length, the blob, the counters' count, the counters, and the
    // CRC32C of all of it, little endian: written here without the store's code.
    ByteBuffer want =
        ByteBuffer.allocate(12 + t.replaceBlob().length + 4 + 8 * 80 + 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    want.put("BPFS".getBytes(StandardCharsets.US_ASCII)).putInt(2);
    want.putInt(t.replaceBlob().length).put(t.replaceBlob()).putInt(80);
    for (long c : t.counters()) {
      want.putLong(c);
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(want.array(), 0, want.position());
    want.putInt((int) crc.getValue());
    assertThat(file).isEqualTo(want.array());
    assertThat(TableStore.encode(t)).isEqualTo(want.array());
    store.commit(p);
    assertSame(t, store.load().tables().get(0));
  }

  @Test
  void everyFlippedBitAndEveryTruncationIsDamage() {
    byte[] f = TableStore.encode(table(400, 6, 7));
    for (int bit = 0; bit < 8 * f.length; bit++) {
      byte[] g = f.clone();
      g[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThatThrownBy(() -> TableStore.decode("filter", g))
          .as("bit %d", bit)
          .isInstanceOf(StateCorruptException.class);
    }
    for (int len = 0; len < f.length; len++) {
      byte[] g = Arrays.copyOf(f, len);
      assertThatThrownBy(() -> TableStore.decode("filter", g))
          .as("%d of %d bytes", len, f.length)
          .isInstanceOf(StateCorruptException.class);
    }
  }

  @Test
  void aFileOfTheOlderSha256FormatIsStillRead() throws Exception {
    SavedTable t = table(96 + 152 * 3, 6, 3);
    byte[] v2 = TableStore.encode(t);
    // version 1: the same body with version 1 and a sha256 of it in place of the CRC32C
    byte[] body = Arrays.copyOf(v2, v2.length - 4);
    ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1);
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
    byte[] v1 = Arrays.copyOf(body, body.length + 32);
    System.arraycopy(sha, 0, v1, body.length, 32);
    assertSame(t, TableStore.decode("filter", v1));
    v1[20] ^= 1;
    assertThatThrownBy(() -> TableStore.decode("filter", v1))
        .isInstanceOf(StateCorruptException.class)
        .hasMessage("checksum mismatch");
  }

  @Test
  void aFileOfAnotherTableOrVersionIsRefusedByName() {
    byte[] f = TableStore.encode(table(200, 2, 1));
    assertThatThrownBy(() -> TableStore.decode("nat", f))
        .isInstanceOf(StateCorruptException.class)
        .hasMessage("holds table filter, not nat");
    byte[] v3 = f.clone();
    ByteBuffer.wrap(v3).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 3);
    assertThatThrownBy(() -> TableStore.decode("filter", v3))
        .isInstanceOf(StateCorruptException.class)
        .hasMessageContaining("not a version 2 table file");
  }
}
