package bpfilterctl.core.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link TableJournal} in NAME.journal beside NAME.table. Layout: "BPFJ", a state byte (PENDING:
 * the record may be newer than the table file; APPLIED: the table file has it), 11 zero bytes, then
 * the record in the table file's format (TableStore), then whatever an earlier, longer record left:
 * the record says its own length, and the file never shrinks, so a commit of a table's usual size
 * overwrites blocks it already has and its sync writes data alone.
 */
public final class TableJournalFile implements TableJournal {
  static final String SUFFIX = ".journal";
  private static final byte[] MAGIC = {'B', 'P', 'F', 'J'};
  static final int HEADER = 16;
  private static final int STATE_OFFSET = 4;
  private static final byte PENDING = 1;
  private static final byte APPLIED = 2;

  private final FileChannel ch;
  private long capacity;

  private TableJournalFile(FileChannel ch, long capacity) {
    this.ch = ch;
    this.capacity = capacity;
  }

  /**
   * Opens a table's journal, creating it when missing: made 0600 with O_EXCL, and synced with its
   * directory, so that its name outlives a crash before any record does. Never follows a link; a
   * non-regular file fails.
   */
  static TableJournalFile open(Path dir, String table) throws IOException {
    Path f = dir.resolve(table + SUFFIX);
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
      try (FileChannel c =
          FileChannel.open(
              f,
              Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        c.force(true);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
    BasicFileAttributes a =
        Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IOException(f + " is not a regular file");
    }
    FileChannel ch =
        FileChannel.open(
            f, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    return new TableJournalFile(ch, ch.size());
  }

  @Override
  public void reserve(long recordBytes) throws IOException {
    long need = HEADER + recordBytes;
    if (need <= capacity) {
      return;
    }
    // Real zeros, not a hole: the blocks are the file's from here on (delayed allocation still
    // reserves them at write(), so ENOSPC comes now). An eighth more spares the next growths.
    long target = need + need / 8;
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(1 << 20, target - capacity));
    long at = capacity;
    while (at < target) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), target - at));
      while (zeros.hasRemaining()) {
        at += ch.write(zeros, at);
      }
    }
    capacity = target;
  }

  @Override
  public void write(SavedTable t) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    head.put(MAGIC).put(PENDING).position(HEADER).flip();
    ByteBuffer[] record = TableStore.parts(t);
    ByteBuffer[] all = new ByteBuffer[record.length + 1];
    all[0] = head;
    System.arraycopy(record, 0, all, 1, record.length);
    ch.position(0);
    while (all[all.length - 1].hasRemaining()) {
      ch.write(all);
    }
    capacity = Math.max(capacity, ch.position());
    ch.force(false); // fdatasync: the size and blocks are there already, only data moved
  }

  @Override
  public void markApplied() throws IOException {
    ch.write(ByteBuffer.wrap(new byte[] {APPLIED}), STATE_OFFSET);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }

  /** What a journal file held at load. */
  sealed interface Found {
    /** A record newer than (or as new as) the table file: the last commit. */
    record Pending(SavedTable table) implements Found {}

    /** The table file has its record already. */
    record Applied() implements Found {}

    /** Torn by a crash before its commit's reply (or damaged): the table file stands. */
    record Damaged(String why) implements Found {}
  }

  /** Reads {@code DIR/TABLE.journal}; empty when there is none. */
  static Optional<Found> read(Path dir, String table) throws IOException {
    Path f = dir.resolve(table + SUFFIX);
    byte[] b;
    try {
      b = TableStore.readRegular(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (StateCorruptException e) {
      return Optional.of(new Found.Damaged(e.getMessage()));
    }
    if (b.length == 0) {
      return Optional.of(new Found.Damaged("empty (created, never written)"));
    }
    if (b.length < HEADER || !Arrays.equals(Arrays.copyOf(b, 4), MAGIC)) {
      return Optional.of(new Found.Damaged("not a journal"));
    }
    byte state = b[STATE_OFFSET];
    if (state != PENDING && state != APPLIED) {
      return Optional.of(new Found.Damaged("unknown state " + state));
    }
    try {
      byte[] rec = Arrays.copyOfRange(b, HEADER, HEADER + TableStore.recordLength(b, HEADER));
      SavedTable t = TableStore.decode(table, rec);
      return Optional.of(state == PENDING ? new Found.Pending(t) : new Found.Applied());
    } catch (StateCorruptException e) {
      return Optional.of(new Found.Damaged(e.getMessage()));
    }
  }
}
