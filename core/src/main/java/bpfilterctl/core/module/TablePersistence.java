package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.persist.OwnedDir;
import bpfilterctl.core.persist.SavedTable;
import bpfilterctl.core.persist.TableJournal;
import bpfilterctl.core.persist.TableStore;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Makes every committed change durable before its caller hears of it, and replays the committed
 * tables into each new umh. A SET_REPLACE that the umh accepts is written over the table's journal
 * and synced before the reply (one data sync: the journal's blocks are reserved before the umh sees
 * the request, so a full disk fails it there, changing nothing); the table file catches up after
 * the reply (temp file, fsync, rename, the directory's fsync), and the next commit of that table
 * waits for it before it overwrites the journal. SET_ADD_COUNTERS likewise. A journal write that
 * fails after the umh accepted puts the committed table back into the umh. One host per state dir:
 * a lock file keeps a second writer out.
 */
final class TablePersistence {
  /** Sends one request to the current umh. */
  interface Sender {
    MboxReply send(MboxRequest r) throws ModuleException;
  }

  private static final int GETINFO_BYTES = 84;
  private static final int GETINFO_VALID_HOOKS = 32;
  private static final int GETINFO_HOOK_ENTRY = 36;
  private static final int GETINFO_UNDERFLOW = 56;
  private static final int GETINFO_NUM_ENTRIES = 76;
  private static final int GETINFO_SIZE = 80;
  private static final int GET_ENTRIES_HEADER = 40;

  private final TableStore store;
  private final ModuleLog log;
  private final int hostPid;

  /**
   * The tables as committed, which is as the running umh holds them: written under the host's lock,
   * read by the daemon's I/O thread too ({@link #addsNothing}).
   */
  private final Map<String, SavedTable> committed = new ConcurrentSkipListMap<>();

  private FileChannel lockFile;
  private FileLock lock;
  private ExecutorService syncer; // under the host's lock, as every commit

  /** Open journals, by table: under the host's lock. */
  private final Map<String, TableJournal> journals = new HashMap<>();

  /** Each table's file catching up with its journal after a reply; the failure, or null. */
  private final Map<String, Future<IOException>> catchingUp = new HashMap<>();

  /** Claimed for the host's life (a daemon): an unload keeps the lock. */
  private boolean claimed;

  TablePersistence(TableStore store, ModuleLog log, int hostPid) {
    this.store = store;
    this.log = log;
    this.hostPid = hostPid;
  }

  /**
   * Takes the state dir's lock for the host's whole life, so that a second host (another daemon on
   * another socket) fails at its start, not at its first command.
   */
  void claim() throws ModuleException {
    lock();
    claimed = true;
  }

  private void lock() throws ModuleException {
    if (lock != null) {
      return;
    }
    Path state = store.dir().getParent();
    try {
      OwnedDir.prepare(state, "rwx------", OwnedDir.processUid());
      lockFile =
          FileChannel.open(
              state.resolve("host.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      try {
        lock = lockFile.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        lockFile.close();
        throw new ModuleException(
            ModuleException.Kind.START_FAILED,
            "state dir " + state + " is in use by another module host (a daemon?)");
      }
    } catch (IOException e) {
      throw new ModuleException(
          ModuleException.Kind.START_FAILED, "unsafe or unusable state dir: " + e.getMessage());
    }
  }

  /**
   * Takes the state dir's lock and reads the committed tables. A damaged table file fails the load
   * (a table must not come up empty behind an admin's back) unless {@code discardDamaged}, which
   * sets such files aside, logged.
   */
  List<String> open(boolean discardDamaged) throws ModuleException {
    lock();
    settle(); // a catch-up still running (an unload, then this load) writes no file beside ours
    try {
      TableStore.Loaded loaded = store.load();
      List<String> problems = new ArrayList<>();
      if (!loaded.damaged().isEmpty()) {
        if (!discardDamaged) {
          throw new ModuleException(
              ModuleException.Kind.START_FAILED,
              "state: damaged table file "
                  + loaded.damaged().stream().map(Object::toString).toList()
                  + "; restore it, or run load --discard-damaged to start without it");
        }
        for (TableStore.Damaged d : loaded.damaged()) {
          Path aside = store.setAside(d);
          problems.add(d + "; set aside as " + aside.getFileName() + " (load --discard-damaged)");
        }
      }
      for (SavedTable t : loaded.behind()) {
        // The journal's commit was replied to; its table file must have it before the journal
        // may be overwritten. A file that cannot be written now (a full disk) does not keep the
        // module down: the journal holds the table, and its next commit writes the file first.
        try {
          writeTableFile(t, journal(t.name()));
          problems.add(
              "table "
                  + t.name()
                  + " recovered from its journal (its last commit's file was unwritten)");
        } catch (IOException e) {
          catchingUp.put(t.name(), CompletableFuture.completedFuture(e));
          problems.add(
              "table "
                  + t.name()
                  + " recovered from its journal; its file could not be written ("
                  + e.getMessage()
                  + "): the next commit of "
                  + t.name()
                  + " writes it first");
        }
      }
      problems.addAll(loaded.notes());
      committed.clear();
      for (SavedTable t : loaded.tables()) {
        committed.put(t.name(), t);
      }
      for (String p : problems) {
        log.add(hostPid, LogLine.Source.HOST, "state: " + p);
      }
      return problems;
    } catch (IOException e) {
      throw new ModuleException(
          ModuleException.Kind.START_FAILED, "cannot read state dir " + store.dir() + ": " + e);
    }
  }

  /** Lets the lock go, unless it was claimed for the host's life and {@code end} is false. */
  void release(boolean end) {
    if (claimed && !end) {
      return;
    }
    close();
  }

  /** Waits until every table file has its journal's commit (what an unload leaves on disk). */
  void settle() {
    for (String table : new ArrayList<>(catchingUp.keySet())) {
      IOException e = awaitQuietly(catchingUp.remove(table));
      if (e != null) {
        // The journal still holds the commit: the next commit or load writes the file from it.
        log.add(hostPid, LogLine.Source.HOST, "state: table file of " + table + ": " + e);
      }
    }
  }

  void close() {
    settle();
    for (TableJournal j : journals.values()) {
      try {
        j.close();
      } catch (IOException e) {
        // closing a synced file: nothing is lost
      }
    }
    journals.clear();
    try {
      if (lock != null) {
        lock.release();
        lockFile.close();
      }
    } catch (IOException e) {
      // releasing at exit: the kernel drops the lock with the fd anyway
    }
    lock = null;
  }

  /** Rebuilds every committed table in a fresh umh; a table the umh refuses is reported. */
  void replay(Sender umh) throws ModuleException {
    for (SavedTable t : new ArrayList<>(committed.values())) {
      MboxReply info = umh.send(getInfo(t.name()));
      String failure = null;
      if (info.isError()) {
        failure = "GET_INFO " + info.describeStatus();
      } else {
        int n = le(info.payload()).getInt(GETINFO_NUM_ENTRIES);
        MboxReply r = umh.send(set(Sockopt.IPT_SO_SET_REPLACE, t.replayReplace(n)));
        MboxReply c =
            r.isError() ? r : umh.send(set(Sockopt.IPT_SO_SET_ADD_COUNTERS, t.replayCounters()));
        if (r.isError() || c.isError()) {
          failure = (r.isError() ? "SET_REPLACE " : "SET_ADD_COUNTERS ") + c.describeStatus();
        }
      }
      if (failure != null) {
        throw new ModuleException(
            ModuleException.Kind.START_FAILED,
            "replaying saved table "
                + t.name()
                + " failed: "
                + failure
                + " (state in "
                + store.dir()
                + ")");
      }
    }
  }

  /** Sends a set that commits a table, durably; other requests pass through. */
  MboxReply commit(MboxRequest req, Sender umh) throws ModuleException {
    boolean replace = req.isSet() && req.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd();
    boolean counters = req.isSet() && req.cmd() == Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd();
    if ((!replace && !counters) || req.len() < 40) {
      return umh.send(req);
    }
    String name = SavedTable.tableName(req.payload());
    SavedTable before = committed.get(name);
    SavedTable next;
    if (replace) {
      if (!SavedTable.plausible(req.payload())) {
        return umh.send(req); // counts that cannot be right: the umh refuses it, nothing is saved
      }
      next = SavedTable.replaced(req.payload());
    } else {
      if (before == null) {
        before = snapshot(name, umh);
        if (before == null) {
          return umh.send(req); // no such table: the umh gives the error
        }
      }
      next = before.plus(req.payload());
      if (Arrays.equals(next.counters(), before.counters())) {
        // Adds nothing (libiptc re-adds an idle table's zeros after every commit): what is saved
        // already says this, and a write would only cost a sync.
        return umh.send(req);
      }
    }
    TableJournal journal;
    try {
      journal = journalFor(name);
      journal.reserve(TableStore.recordBytes(next));
    } catch (IOException e) {
      log.add(
          hostPid, LogLine.Source.HOST, "state: cannot save table " + name + ": " + e.getMessage());
      return MboxReply.error(errnoOf(e));
    }
    MboxReply reply = umh.send(req);
    if (reply.isError()) {
      return reply;
    }
    try {
      journal.write(next);
    } catch (IOException e) {
      log.add(
          hostPid,
          LogLine.Source.HOST,
          "state: commit of table "
              + name
              + " failed: "
              + e.getMessage()
              + "; the umh goes back to the committed table");
      putBack(before, next, umh);
      return MboxReply.error(errnoOf(e));
    }
    committed.put(name, next);
    catchingUp.put(name, syncer().submit(() -> catchUp(next, journal)));
    return reply;
  }

  /**
   * The table's journal, opened once, after its table file has caught up with the commit the
   * journal holds (else a crash while the next commit overwrites it would lose that commit). A
   * table file that failed to catch up is written now; failing again, the new commit fails before
   * the umh sees it.
   */
  private TableJournal journalFor(String name) throws IOException {
    Future<IOException> pending = catchingUp.remove(name);
    if (pending != null) {
      IOException e = awaitQuietly(pending);
      if (e != null) {
        writeTableFile(committed.get(name), journal(name));
      }
    }
    return journal(name);
  }

  /** The table's journal, opened once (and created when missing). */
  private TableJournal journal(String name) throws IOException {
    TableJournal j = journals.get(name);
    if (j == null) {
      j = store.journal(name);
      journals.put(name, j);
    }
    return j;
  }

  /** After a reply: the table file gets the commit its journal holds; the failure, or null. */
  private IOException catchUp(SavedTable t, TableJournal journal) {
    try {
      writeTableFile(t, journal);
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /**
   * Writes a table file durably (temp, fsync, rename, the directory's fsync), then notes in its
   * journal that the file has the journal's commit.
   */
  private void writeTableFile(SavedTable t, TableJournal journal) throws IOException {
    TableStore.Prepared p = store.prepare(t);
    try {
      store.commit(p);
    } catch (IOException e) {
      store.abandon(p);
      throw e;
    }
    journal.markApplied();
  }

  /**
   * Puts {@code before} back into the umh in place of {@code next}, which it accepted but which
   * could not be saved. Without one (the table's first commit here), the umh keeps {@code next}
   * until its next start, which rebuilds the committed tables only.
   */
  private void putBack(SavedTable before, SavedTable next, Sender umh) {
    if (before == null) {
      return;
    }
    try {
      MboxReply r = umh.send(set(Sockopt.IPT_SO_SET_REPLACE, before.replayReplace(next.entries())));
      if (!r.isError()) {
        r = umh.send(set(Sockopt.IPT_SO_SET_ADD_COUNTERS, before.replayCounters()));
      }
      if (r.isError()) {
        log.add(
            hostPid,
            LogLine.Source.HOST,
            "state: putting table " + before.name() + " back failed: " + r.describeStatus());
      }
    } catch (ModuleException e) {
      // The umh died: its successor starts from the committed tables.
    }
  }

  /**
   * Whether a SET_ADD_COUNTERS payload, {@code buf[off, off + len)}, adds zero to every entry of a
   * table as committed: do_add_counters would accept it (the name, the count and the size fit the
   * table the umh holds) and change nothing. libiptc sends one after every commit, with the
   * counters of an idle table. Any thread may ask.
   */
  boolean addsNothing(byte[] buf, int off, int len) {
    if (len < XtCountersInfo.HEADER_SIZE) {
      return false;
    }
    ByteBuffer b = Abi.wrap(buf);
    SavedTable t =
        committed.get(FixedName.read(b, off + XtCountersInfo.OFF_NAME, Abi.TABLE_NAME_LEN - 1));
    long n = Integer.toUnsignedLong(b.getInt(off + XtCountersInfo.OFF_NUM_COUNTERS));
    if (t == null || n != t.entries() || len != XtCountersInfo.HEADER_SIZE + n * XtCounters.SIZE) {
      return false;
    }
    for (int i = off + XtCountersInfo.HEADER_SIZE; i < off + len; i++) {
      if (buf[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The thread that brings table files up to their journals; it ends after a minute idle. */
  private ExecutorService syncer() {
    if (syncer == null) {
      ThreadPoolExecutor t =
          new ThreadPoolExecutor(
              1,
              1,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread th = new Thread(r, "state-catch-up");
                th.setDaemon(true);
                return th;
              });
      t.allowCoreThreadTimeOut(true);
      syncer = t;
    }
    return syncer;
  }

  /** The sync's failure, or null; waits through interrupts (the reply must follow the sync). */
  private static IOException awaitQuietly(Future<IOException> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return new IOException("sync failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The table as the umh holds it now, as a replace blob with zero counters. */
  private SavedTable snapshot(String name, Sender umh) throws ModuleException {
    MboxReply info = umh.send(getInfo(name));
    if (info.isError() || info.payload().length < GETINFO_BYTES) {
      return null;
    }
    ByteBuffer i = le(info.payload());
    int size = i.getInt(GETINFO_SIZE);
    ByteBuffer req = ByteBuffer.allocate(GET_ENTRIES_HEADER + size).order(ByteOrder.LITTLE_ENDIAN);
    req.put(info.payload(), 0, 32).putInt(32, size);
    MboxReply entries =
        umh.send(new MboxRequest(0, false, Sockopt.IPT_SO_GET_ENTRIES.cmd(), 0, req.array()));
    if (entries.isError()) {
      return null;
    }
    ByteBuffer blob = ByteBuffer.allocate(96 + size).order(ByteOrder.LITTLE_ENDIAN);
    blob.put(info.payload(), 0, 32);
    blob.putInt(32, i.getInt(GETINFO_VALID_HOOKS));
    blob.putInt(36, i.getInt(GETINFO_NUM_ENTRIES));
    blob.putInt(40, size);
    for (int h = 0; h < 5; h++) {
      blob.putInt(44 + 4 * h, i.getInt(GETINFO_HOOK_ENTRY + 4 * h));
      blob.putInt(64 + 4 * h, i.getInt(GETINFO_UNDERFLOW + 4 * h));
    }
    blob.position(96);
    blob.put(entries.payload(), GET_ENTRIES_HEADER, size);
    return SavedTable.replaced(blob.array());
  }

  Map<String, SavedTable> committed() {
    return Map.copyOf(committed);
  }

  private static Errno errnoOf(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") ? Errno.ENOSPC : Errno.EIO;
  }

  private static MboxRequest getInfo(String table) {
    byte[] b = new byte[GETINFO_BYTES];
    byte[] n = table.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, b, 0, Math.min(n.length, 31));
    return new MboxRequest(0, false, Sockopt.IPT_SO_GET_INFO.cmd(), 0, b);
  }

  private static MboxRequest set(Sockopt o, byte[] payload) {
    return new MboxRequest(0, true, o.cmd(), 0, payload);
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }
}
