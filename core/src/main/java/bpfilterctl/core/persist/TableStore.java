package bpfilterctl.core.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Committed tables on disk, one file per table, each written atomically: a temp file, fsync, rename
 * over the old one, fsync of the directory. A file carries a checksum of its content, so a torn or
 * corrupted one is detected, reported and moved aside, never used. Beside each, the table's journal
 * ({@link TableJournal}): a commit is durable there at its reply, and the table file catches up
 * after it; a load takes a table from its journal while the journal is ahead.
 *
 * <p>File layout: "BPFS" u32 version, u32 blob length, blob, u32 counter words, u64 words, then the
 * checksum of everything before it: version 2 (written) a CRC32C (4 bytes: it catches every burst
 * of up to 32 flipped bits and any torn tail, at a fraction of a hash's cost on a 50k-rule table,
 * which every commit pays before its reply); version 1 (still read) a sha256 (32 bytes).
 */
public final class TableStore {
  private static final byte[] MAGIC = {'B', 'P', 'F', 'S'};
  private static final int VERSION = 2;
  private static final int SHA256_VERSION = 1;
  private static final int HEADER = 4 + 4 + 4;
  private static final String SUFFIX = ".table";

  /** The largest table file read back: the biggest blob a client can send, and its counters. */
  static final long MAX_FILE_BYTES = 3L << 28;

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path dir;
  private final int euid;

  /**
   * @param dir the tables directory, made 0700; its parent must be an {@link OwnedDir}
   * @param euid this process's effective uid, which must own it
   */
  public TableStore(Path dir, int euid) {
    this.dir = dir;
    this.euid = euid;
  }

  public Path dir() {
    return dir;
  }

  /** {@code table}'s journal, created when missing (the tables directory made 0700 first). */
  public TableJournal journal(String table) throws IOException {
    OwnedDir.prepare(dir, "rwx------", euid);
    return TableJournalFile.open(dir, table);
  }

  /** A write prepared on disk (temp file, fsync'd) that {@link #commit} makes current. */
  public record Prepared(SavedTable table, Path temp) {}

  /**
   * Writes and syncs the temp file; an I/O failure (ENOSPC...) leaves the current file as it is.
   */
  public Prepared prepare(SavedTable t) throws IOException {
    Prepared p = write(t);
    sync(p);
    return p;
  }

  /**
   * Writes the temp file without syncing it: a full disk fails here. {@link #sync} must follow
   * before {@link #commit} ({@link #prepare} does both).
   */
  public Prepared write(SavedTable t) throws IOException {
    OwnedDir.prepare(dir, "rwx------", euid);
    Path temp = dir.resolve(t.name() + SUFFIX + ".tmp");
    // A stale temp (a crash between prepare and commit) goes; whatever is there is never followed.
    Files.deleteIfExists(temp);
    try (FileChannel ch =
        FileChannel.open(
            temp,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            OWNER_ONLY)) {
      ByteBuffer[] parts = parts(t);
      while (parts[parts.length - 1].hasRemaining()) {
        ch.write(parts);
      }
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return new Prepared(t, temp);
  }

  /** Makes a written temp file durable (fsync; the fd is another one, the inode the same). */
  public void sync(Prepared p) throws IOException {
    try (FileChannel ch =
        FileChannel.open(p.temp(), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      ch.force(true);
    }
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

  /** A table file that cannot be used, and why. */
  public record Damaged(Path file, String why) {
    @Override
    public String toString() {
      return file + ": " + why;
    }
  }

  /**
   * What loading found: the good tables; the damaged files (left where they are); the tables whose
   * journal holds a commit newer than their file ({@code behind}: their file must be written before
   * the journal is overwritten); and what was set aside on the way (a torn journal), to be logged.
   */
  public record Loaded(
      List<SavedTable> tables,
      List<Damaged> damaged,
      List<SavedTable> behind,
      List<String> notes) {}

  /**
   * Reads every table, from its journal when that holds a commit newer than its file, else from its
   * file. A damaged file (not a regular file, too big, truncated, bit-flipped, foreign) that no
   * journal supersedes is reported and left in place: whether to go on without it is an admin's
   * decision ({@link #setAside}). A torn journal is a commit cut short before its reply: its table
   * file stands, and the journal is overwritten by the next commit.
   */
  public Loaded load() throws IOException {
    List<SavedTable> tables = new ArrayList<>();
    List<Damaged> damaged = new ArrayList<>();
    List<SavedTable> behind = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new Loaded(tables, damaged, behind, notes);
    }
    OwnedDir.check(dir, euid);
    SortedSet<String> names = new TreeSet<>();
    for (String suffix : List.of(SUFFIX, TableJournalFile.SUFFIX)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
        for (Path f : ds) {
          String n = f.getFileName().toString();
          names.add(n.substring(0, n.length() - suffix.length()));
        }
      }
    }
    for (String name : names) {
      Optional<TableJournalFile.Found> j = TableJournalFile.read(dir, name);
      if (j.isPresent() && j.get() instanceof TableJournalFile.Found.Pending p) {
        tables.add(p.table());
        behind.add(p.table());
        continue;
      }
      if (j.isPresent() && j.get() instanceof TableJournalFile.Found.Damaged d) {
        notes.add(
            "journal of table "
                + name
                + " torn ("
                + d.why()
                + "): a commit cut short before its reply; the table file stands");
      }
      Path f = dir.resolve(name + SUFFIX);
      if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
        continue; // a first commit cut short: the table was never committed
      }
      try {
        tables.add(decode(name, readRegular(f)));
      } catch (StateCorruptException e) {
        damaged.add(new Damaged(f, e.getMessage()));
      }
    }
    return new Loaded(tables, damaged, behind, notes);
  }

  /** Renames a damaged file to NAME.corrupt-MILLIS; returns the new name. */
  public Path setAside(Damaged d) throws IOException {
    Path aside =
        d.file()
            .resolveSibling(d.file().getFileName() + ".corrupt-" + Instant.now().toEpochMilli());
    Files.move(d.file(), aside, LinkOption.NOFOLLOW_LINKS);
    return aside;
  }

  /**
   * The bytes of a regular file of at most {@link #MAX_FILE_BYTES}: a FIFO, a device or a symlink
   * is damage, never opened (a FIFO would block, /dev/zero would never end).
   */
  static byte[] readRegular(Path f) throws IOException, StateCorruptException {
    BasicFileAttributes a =
        Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new StateCorruptException(
          "not a regular file (" + (a.isSymbolicLink() ? "a symlink" : "a special file") + ")");
    }
    if (a.size() > MAX_FILE_BYTES) {
      throw new StateCorruptException("too big (" + a.size() + " bytes)");
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > MAX_FILE_BYTES) {
        throw new StateCorruptException("too big (" + size + " bytes)");
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // until full or EOF
      }
      return b.position() == b.capacity() ? b.array() : Arrays.copyOf(b.array(), b.position());
    }
  }

  static byte[] encode(SavedTable t) {
    ByteBuffer[] parts = parts(t);
    ByteBuffer b =
        ByteBuffer.allocate(parts[0].remaining() + parts[1].remaining() + parts[2].remaining());
    for (ByteBuffer p : parts) {
      b.put(p);
    }
    return b.array();
  }

  /**
   * The file in three pieces, the blob not copied (a 50k-rule table's 10 MiB): the header, the
   * replace blob, then the counters and the checksum of everything before it.
   */
  static ByteBuffer[] parts(SavedTable t) {
    byte[] blob = t.replaceBlob();
    ByteBuffer head = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAGIC).putInt(VERSION).putInt(blob.length);
    ByteBuffer tail =
        ByteBuffer.allocate(4 + 8 * t.counters().length + 4).order(ByteOrder.LITTLE_ENDIAN);
    tail.putInt(t.counters().length);
    for (long c : t.counters()) {
      tail.putLong(c);
    }
    CRC32C crc = new CRC32C();
    crc.update(head.array(), 0, HEADER);
    crc.update(blob, 0, blob.length);
    crc.update(tail.array(), 0, tail.position());
    tail.putInt((int) crc.getValue());
    return new ByteBuffer[] {head.flip(), ByteBuffer.wrap(blob), tail.flip()};
  }

  /** The bytes of {@code t}'s record, as {@link #parts} writes it. */
  public static long recordBytes(SavedTable t) {
    return HEADER + (long) t.replaceBlob().length + 4 + 8L * t.counters().length + 4;
  }

  /**
   * The length of the (version 2) record at {@code off} of {@code b}, from its own length fields,
   * checked against what {@code b} holds; the bytes after it are not its.
   */
  static int recordLength(byte[] b, int off) throws StateCorruptException {
    ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    if (b.length - off < HEADER + 4 + 4 || h.getInt(off + 4) != VERSION) {
      throw new StateCorruptException("no record");
    }
    long blob = Integer.toUnsignedLong(h.getInt(off + HEADER - 4));
    long wordsAt = off + HEADER + blob;
    if (wordsAt + 4 > b.length) {
      throw new StateCorruptException("bad blob length " + blob);
    }
    long words = Integer.toUnsignedLong(h.getInt((int) wordsAt));
    long len = HEADER + blob + 4 + 8 * words + 4;
    if (off + len > b.length) {
      throw new StateCorruptException("truncated record");
    }
    return (int) len;
  }

  static SavedTable decode(String name, byte[] f) throws StateCorruptException {
    if (f.length < HEADER + 4 + 4) {
      throw new StateCorruptException("truncated (" + f.length + " bytes)");
    }
    ByteBuffer head = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    int version = head.getInt(4);
    if (!Arrays.equals(Arrays.copyOf(f, 4), MAGIC)
        || (version != VERSION && version != SHA256_VERSION)) {
      throw new StateCorruptException("not a version " + VERSION + " table file");
    }
    int body;
    if (version == VERSION) {
      body = f.length - 4;
      if (crc32c(f, body) != head.getInt(body)) {
        throw new StateCorruptException("checksum mismatch");
      }
    } else {
      body = f.length - 32;
      if (body < HEADER + 4
          || !Arrays.equals(sha256(f, body), Arrays.copyOfRange(f, body, f.length))) {
        throw new StateCorruptException("checksum mismatch");
      }
    }
    ByteBuffer b = ByteBuffer.wrap(f, 0, body).order(ByteOrder.LITTLE_ENDIAN);
    b.position(HEADER - 4);
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

  private static int crc32c(byte[] data, int len) {
    CRC32C c = new CRC32C();
    c.update(data, 0, len);
    return (int) c.getValue();
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
