package bpfilterctl.core.persist;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where a table's last commit is made durable before its reply: written in place over the one
 * before, which costs one data sync where a new file costs its own sync, a rename and the
 * directory's sync. A crash can tear it, so it may be overwritten only once the table file has the
 * commit it holds (TableStore's write, sync and commit, after the reply): at any time the journal
 * holds the newest commit, or the table file does and the journal is torn, applied or absent.
 */
public interface TableJournal extends Closeable {
  /**
   * Makes room for a record of {@code recordBytes} (TableStore.recordBytes): a full disk fails
   * here, before the umh sees the commit, never in {@link #write}.
   */
  void reserve(long recordBytes) throws IOException;

  /** Writes {@code t} as pending (newer than the table file) and syncs it. */
  void write(SavedTable t) throws IOException;

  /** Notes that the table file now has the record; a crash may lose the note (still correct). */
  void markApplied() throws IOException;

  @Override
  void close() throws IOException;
}
