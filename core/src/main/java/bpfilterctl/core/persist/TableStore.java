package bpfilterctl.core.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Committed tables on disk, one file per table, each written atomically: a temp file, fsync, rename
 * over the old one, fsync of the directory. A file carries a sha256 of its content, so a torn or
 * corrupted one is detected, reported and moved aside, never used.
 *
 * <p>File layout: "BPFS" u32 version=1, u32 blob length, blob, u32 counter words, u64 words, then
 * 32 bytes of sha256 over everything before it.
 */
public final class TableStore {
  private static final byte[] MAGIC = {'B', 'P', 'F', 'S'};
  private static final int VERSION = 1;
  private static final String SUFFIX = ".table";

  private final Path dir;

  public TableStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** A write prepared on disk (temp file, fsync'd) that {@link #commit} makes current. */
  public record Prepared(SavedTable table, Path temp) {}

  /**
   * Writes and syncs the temp file; an I/O failure (ENOSPC...) leaves the current file as it is.
   */
  public Prepared prepare(SavedTable t) throws IOException {
    Files.createDirectories(dir);
    Path temp = dir.resolve(t.name() + SUFFIX + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(encode(t));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return new Prepared(t, temp);
  }

  public void commit(Prepared p) throws IOException {
    Path target = dir.resolve(p.table().name() + SUFFIX);
    try {
      Files.move(
          p.temp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the state dir cannot rename atomically: " + dir, e);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  public void abandon(Prepared p) {
    try {
      Files.deleteIfExists(p.temp());
    } catch (IOException e) {
      // a stray temp file is harmless: the next prepare overwrites it
    }
  }

  /** What loading found: the good tables, and the files that were moved aside, with why. */
  public record Loaded(List<SavedTable> tables, List<String> problems) {}

  /** Reads every table file; a bad one is renamed to NAME.corrupt-TIMESTAMP and reported. */
  public Loaded load() throws IOException {
    List<SavedTable> tables = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Loaded(tables, problems);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      ds.forEach(files::add);
    }
    files.sort(null);
    for (Path f : files) {
      String name = f.getFileName().toString();
      name = name.substring(0, name.length() - SUFFIX.length());
      try {
        tables.add(decode(name, Files.readAllBytes(f)));
      } catch (StateCorruptException e) {
        Path aside = f.resolveSibling(f.getFileName() + ".corrupt-" + Instant.now().toEpochMilli());
        Files.move(f, aside);
        problems.add(f + ": " + e.getMessage() + "; moved aside to " + aside.getFileName());
      }
    }
    return new Loaded(tables, problems);
  }

  static byte[] encode(SavedTable t) {
    ByteBuffer b =
        ByteBuffer.allocate(4 + 4 + 4 + t.replaceBlob().length + 4 + 8 * t.counters().length + 32)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(t.replaceBlob().length).put(t.replaceBlob());
    b.putInt(t.counters().length);
    for (long c : t.counters()) {
      b.putLong(c);
    }
    b.put(sha256(b.array(), b.position()));
    return b.array();
  }

  static SavedTable decode(String name, byte[] f) throws StateCorruptException {
    if (f.length < 4 + 4 + 4 + 4 + 32) {
      throw new StateCorruptException("truncated (" + f.length + " bytes)");
    }
    int body = f.length - 32;
    if (!Arrays.equals(sha256(f, body), Arrays.copyOfRange(f, body, f.length))) {
      throw new StateCorruptException("checksum mismatch");
    }
    ByteBuffer b = ByteBuffer.wrap(f, 0, body).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[4];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC) || b.getInt() != VERSION) {
      throw new StateCorruptException("not a version " + VERSION + " table file");
    }
    int blobLen = b.getInt();
    if (blobLen < SavedTable.IPT_REPLACE_HEADER || blobLen > b.remaining() - 4) {
      throw new StateCorruptException("bad blob length " + blobLen);
    }
    byte[] blob = new byte[blobLen];
    b.get(blob);
    int words = b.getInt();
    if (words < 0 || words * 8L != b.remaining()) {
      throw new StateCorruptException("bad counter count " + words);
    }
    long[] counters = new long[words];
    for (int i = 0; i < words; i++) {
      counters[i] = b.getLong();
    }
    if (!SavedTable.tableName(blob).equals(name)) {
      throw new StateCorruptException(
          "holds table " + SavedTable.tableName(blob) + ", not " + name);
    }
    return new SavedTable(name, blob, counters);
  }

  private static byte[] sha256(byte[] data, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, 0, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
