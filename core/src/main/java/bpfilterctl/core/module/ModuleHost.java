package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.persist.OwnedDir;
import bpfilterctl.core.persist.TableStore;
import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The user-space counterpart of bpfilter's kernel module: loads the umh over two pipes,
 * health-checks it, forwards requests one at a time, supervises and restarts it, and kills it on
 * unload. Thread-safe: any number of callers, one request in flight.
 *
 * <p>Always true: only the holder of {@code lock} writes to the pipes or changes {@code state} (the
 * supervisor and the deadline thread take it or only read); {@code state} is HEALTHY only with a
 * live {@code umh} that answered its handshake; a request reaches the umh only after every
 * committed table was replayed into it; a set that commits is durable in the state dir before its
 * caller hears of it; a request past its deadline kills the umh (a late reply is never taken);
 * every umh is reaped exactly once, by its reaper thread.
 *
 * <p>Its parts: {@link PipeExchange} (one request/reply on the pipes), {@link RequestDeadline} (the
 * thread that kills a umh past a request's deadline), {@link Supervisor} (the thread that notices
 * deaths, pings and restarts, doing this host's {@code Watchdog} work).
 */
public final class ModuleHost implements ModuleAccess, AutoCloseable {
  private static final int SIGKILL = 9;

  private static final int STDERR_LINES_IN_ERRORS = 5;

  /**
   * What a umh started with --enforce may take beyond the handshake timeout: before it answers, it
   * reads the kernel's BTF and compiles, verifies and attaches its first table (about 3 s on a
   * loaded 2-core VM, against 0.6 s without).
   */
  private static final Duration ENFORCE_START = Duration.ofSeconds(30);

  /** The buffer a BPF_SO_GET_ENFORCEMENT query offers the umh's JSON answer. */
  private static final int ENFORCEMENT_REPLY_BYTES = 16 << 10;

  private final HostConfig config;

  /** Made on the first start: loading jnr costs a one-shot `status` more than the rest. */
  private POSIX posix;

  private final Clock clock;
  private final ModuleLog log;
  private final TrafficTap tap;
  private final RestartPolicy policy;
  private final PercentileWindow latency = new PercentileWindow(4096);
  private final int hostPid;

  /** Null when nothing persists. */
  private final TablePersistence persistence;

  /** The kernel's mutex: one request on the pipes at a time; also guards every transition. */
  private final ReentrantLock lock = new ReentrantLock();

  private final AtomicLong starts = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong ids = new AtomicLong();

  // Written under the lock, read by status() and the supervisor without it.
  private volatile ModuleState state = ModuleState.UNLOADED;
  private volatile UmhProcess umh;
  private volatile Instant umhStartedAt;
  private volatile LastExit lastExit;
  private volatile String message = "";
  private volatile long restartNotBefore;
  private volatile double loadMillis;

  private final RequestDeadline deadline;
  private final Supervisor supervisor;

  // The command name of the caller whose request is in flight, for the tap; written under lock.
  private String inflightCallerComm = "";

  private volatile long lastPingNanos;

  /** Whether every umh starts with --enforce: the admin's wish, until enforce off. */
  private volatile boolean enforce;

  /** What the umh last reported; OFF whenever enforcement is not asked for. */
  private volatile EnforcementStatus enforcement = EnforcementStatus.OFF;

  private volatile boolean closed;

  /**
   * The running umh's GET_REVISION answers: a function of the option and the name and revision
   * asked, for one umh and one enforcement wish (with enforcement on, the umh offers only what it
   * compiles, TableEngine.getRevision; that changes only through a start or enforce(), never a
   * caller's set), so a new umh and an enforce make them unknown again. Each answer given from here
   * still goes to the tap, request and reply, as the umh's would.
   */
  private final Map<String, KnownRevision> revisions = new ConcurrentHashMap<>();

  private volatile long revisionEpoch;

  /** Names are the caller's choice: what is kept stays bounded (libxtables asks a few dozen). */
  private static final int MAX_KNOWN_REVISIONS = 1024;

  private record KnownRevision(UmhProcess from, long epoch, MboxReply reply) {}

  /** The running umh's GET_INFO and GET_ENTRIES answers, while nothing can have changed them. */
  private final RememberedReads reads = new RememberedReads();

  public ModuleHost(HostConfig config) {
    this(config, Clock.systemUTC());
  }

  public ModuleHost(HostConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.log = new ModuleLog(config.logCapacity(), clock);
    this.tap = new TrafficTap(config.tapCapacity(), config.tapPayloadLimit(), config.tapBytes());
    this.policy =
        new RestartPolicy(
            config.minBackoff(),
            config.maxBackoff(),
            config.startLimitBurst(),
            config.startLimitInterval());
    this.hostPid = (int) ProcessHandle.current().pid();
    this.enforce = config.enforce();
    this.persistence =
        config
            .stateDir()
            .map(
                d ->
                    new TablePersistence(
                        new TableStore(d.resolve("tables"), OwnedDir.processUid()), log, hostPid))
            .orElse(null);
    this.deadline =
        new RequestDeadline(
            victim -> {
              log.add(
                  hostPid,
                  LogLine.Source.HOST,
                  "umh " + victim.pid() + " missed its deadline: SIGKILL");
              victim.kill(SIGKILL);
            });
    this.supervisor = new Supervisor(lock, new Watchdog());
  }

  public HostConfig config() {
    return config;
  }

  public ModuleLog log() {
    return log;
  }

  @Override
  public List<LogLine> log(int n) {
    List<LogLine> all = log.lines();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  @Override
  public String mode() {
    return "embedded";
  }

  public TrafficTap tap() {
    return tap;
  }

  /**
   * Spawns and health-checks a umh. Loading a healthy module is a no-op; loading a FAILED or
   * RESTARTING one starts afresh with the start limit forgotten.
   *
   * @return the pid of the healthy umh
   */
  @Override
  public int load() throws ModuleException {
    return load(false);
  }

  @Override
  public int loadDiscardingDamaged() throws ModuleException {
    return load(true);
  }

  /**
   * Takes the state dir for this host's whole life (a daemon does at its start): a second host on
   * the same state fails now, not at its first command, and an unload keeps it.
   */
  public void claimState() throws ModuleException {
    lock.lock();
    try {
      if (persistence != null) {
        persistence.claim();
      }
    } finally {
      lock.unlock();
    }
  }

  private int load(boolean discardDamaged) throws ModuleException {
    lock.lock();
    try {
      if (closed) {
        throw new ModuleException(ModuleException.Kind.NOT_LOADED, "module host is closed");
      }
      UmhProcess current = umh;
      if (state == ModuleState.HEALTHY && current != null && current.alive()) {
        return current.pid();
      }
      if (current != null) {
        stop(current, "reload");
      }
      policy.reset();
      message = "";
      if (persistence != null) {
        try {
          persistence.open(discardDamaged);
        } catch (ModuleException e) {
          // Loudly: status and every call say why until an admin decides.
          state = ModuleState.FAILED;
          message = e.getMessage();
          log.add(hostPid, LogLine.Source.HOST, "load refused: " + e.getMessage());
          throw e;
        }
      }
      state = ModuleState.LOADING;
      supervisor.start();
      deadline.start();
      return start(false).pid();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Tells an enforcing umh that this is an unload (it removes its pins: the filter table stops
   * being enforced), then closes the request pipe; the umh must exit on EOF within the grace time,
   * else SIGKILL.
   */
  @Override
  public void unload() {
    unload(true);
  }

  /**
   * {@code explicit}: an admin's unload, which ends enforcement. Closing the host (a daemon
   * stopping, a shell exiting) is not: an enforced table stays in place, pinned, for the next umh
   * to adopt; never fail open.
   */
  private void unload(boolean explicit) {
    lock.lock();
    try {
      UmhProcess current = umh;
      if (explicit && current != null && current.alive() && enforcementAsked()) {
        announceUnload(current);
      }
      state = ModuleState.UNLOADED;
      message = "";
      enforcement = EnforcementStatus.OFF;
      if (current != null) {
        stop(current, "unload");
      }
      if (persistence != null) {
        persistence.release(false);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sends one request and returns the umh's reply, or fails with the host-side reason. */
  @Override
  public MboxReply call(MboxRequest request) throws ModuleException {
    return call(request, "");
  }

  private boolean enforcementAsked() {
    return enforce || enforcement.state() != EnforcementStatus.State.OFF;
  }

  /** BPF_SO_SET_UNLOAD: the umh removes its pins before it sees EOF. Under the lock. */
  private void announceUnload(UmhProcess p) {
    Exchange ex =
        exchange(
            p,
            new MboxRequest(
                ids.incrementAndGet(), true, Sockopt.BPF_SO_SET_UNLOAD.cmd(), hostPid, new byte[0]),
            config.requestTimeout().toNanos());
    if (!(ex instanceof Exchange.Replied r) || r.reply().status() != 0) {
      log.add(
          hostPid,
          LogLine.Source.HOST,
          "umh "
              + p.pid()
              + " did not confirm the unload: its enforced table may stay pinned"
              + " (enforce off after the next load removes it)");
    }
  }

  /**
   * Asks for enforcement of the filter table by BPF programs, or ends it (docs/enforcement.md). The
   * wish holds for every later start of the umh. With a running umh it takes effect now: on
   * compiles and attaches the current filter table, off detaches and unpins it (the table stays).
   *
   * @return what the umh reports afterwards (OFF when no umh runs)
   * @throws ModuleException REFUSED when the umh could not turn it on; the message says why
   */
  @Override
  public EnforcementStatus enforce(boolean on) throws ModuleException {
    long deadline = System.nanoTime() + config.requestTimeout().toNanos();
    lock.lock();
    try {
      enforce = on;
      revisionEpoch++; // the umh offers other extensions with enforcement on
      reads.forget(); // and GET_ENTRIES' counters start or stop coming from BPF programs
      if (state == ModuleState.UNLOADED || state == ModuleState.FAILED) {
        enforcement = EnforcementStatus.OFF;
        return enforcement;
      }
      UmhProcess p = ensureRunning(deadline);
      byte[] flag =
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, on ? 1 : 0).array();
      MboxReply r =
          exchangeOrFail(
              p,
              new MboxRequest(
                  ids.incrementAndGet(), true, Sockopt.BPF_SO_SET_ENFORCE.cmd(), hostPid, flag),
              // on reads the kernel's BTF first, as a start with --enforce does
              config.requestTimeout().plus(ENFORCE_START).toNanos());
      refreshEnforcement(p);
      if (r.status() < 0) {
        // A machine that cannot enforce keeps the wish (status shows why); a table that cannot be
        // compiled does not: a restart with --enforce would refuse to replay it.
        enforce = on && enforcement.state() == EnforcementStatus.State.UNAVAILABLE;
        String why = enforcement.reason().isEmpty() ? r.describeStatus() : enforcement.reason();
        log.add(
            hostPid, LogLine.Source.HOST, "enforce " + (on ? "on" : "off") + " refused: " + why);
        throw new ModuleException(
            ModuleException.Kind.REFUSED,
            "enforce "
                + (on ? "on" : "off")
                + " refused: "
                + why
                + " (the module runs unenforced)");
      }
      log.add(
          hostPid,
          LogLine.Source.HOST,
          "enforce " + (on ? "on" : "off") + ": " + enforcement.summary());
      return enforcement;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks the umh what it enforces (BPF_SO_GET_ENFORCEMENT) and keeps the answer for status. Under
   * the lock; a umh that breaks here is handled as on any request.
   */
  private void refreshEnforcement(UmhProcess p) throws ModuleException {
    if (!enforcementAsked()) {
      enforcement = EnforcementStatus.OFF;
      return;
    }
    MboxReply r = exchangeOrFail(p, enforcementQuery(), config.requestTimeout().toNanos());
    enforcement = parseEnforcement(r);
  }

  private MboxRequest enforcementQuery() {
    return new MboxRequest(
        ids.incrementAndGet(),
        false,
        Sockopt.BPF_SO_GET_ENFORCEMENT.cmd(),
        hostPid,
        new byte[ENFORCEMENT_REPLY_BYTES]);
  }

  private static EnforcementStatus parseEnforcement(MboxReply r) {
    if (r.status() < 0) {
      return EnforcementStatus.unavailable(
          "the umh does not report enforcement (" + r.describeStatus() + ")");
    }
    String text = new String(r.payload(), StandardCharsets.UTF_8);
    int nul = text.indexOf('\0');
    try {
      return EnforcementStatus.fromJson(nul < 0 ? text : text.substring(0, nul));
    } catch (RuntimeException e) {
      return EnforcementStatus.unavailable("undecodable enforcement report: " + e.getMessage());
    }
  }

  /**
   * As {@link #call(MboxRequest)}, for a caller whose command name the tap shows beside its pid
   * (the daemon's peers: /proc/PID/comm of the pid SO_PEERCRED gave).
   */
  public MboxReply call(MboxRequest request, String callerComm) throws ModuleException {
    if (Sockopt.of(request.isSet(), request.cmd()).map(Sockopt::hostOnly).orElse(false)) {
      // The host's own control options: a caller turns enforcement on or off with enforce().
      requests.incrementAndGet();
      return MboxReply.error(Errno.ENOPROTOOPT);
    }
    // What the running umh answered before and cannot answer otherwise now, or would accept
    // without a change: a command the daemon runs probes revisions and reads tables afresh in
    // every session of its own, and commits as libiptc does
    Optional<MboxReply> known =
        request.isSet()
            ? idleCountersAdd(
                request.cmd(), request.payload(), 0, request.len(), request.pid(), callerComm)
            : isRevision(request)
                ? knownRevision(request, callerComm)
                : recalled(
                    request.cmd(), request.payload(), 0, request.len(), request.pid(), callerComm);
    if (known.isPresent()) {
      return known.get();
    }
    requests.incrementAndGet();
    long deadline = System.nanoTime() + config.requestTimeout().toNanos();
    lock.lock();
    inflightCallerComm = callerComm;
    try {
      long epoch = revisionEpoch;
      if (request.isSet()) {
        reads.forget(); // before the umh sees it, whatever comes of it
      }
      long readsAt = reads.epoch();
      MboxReply reply = forward(request, deadline);
      UmhProcess answered = umh;
      reads.remember(request, reply, answered, readsAt, enforcementAsked());
      if (isRevision(request)
          && answered != null
          && epoch == revisionEpoch
          && revisions.size() < MAX_KNOWN_REVISIONS) {
        revisions.put(revisionKey(request), new KnownRevision(answered, epoch, reply));
      }
      if (request.isSet()
          && request.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd()
          && reply.status() >= 0
          && enforcementAsked()) {
        UmhProcess p = umh;
        if (p != null && p.alive()) {
          refreshEnforcement(p); // a new generation: its number, program ids and sizes
        }
      }
      return reply;
    } catch (ModuleException e) {
      errors.incrementAndGet();
      throw e;
    } finally {
      inflightCallerComm = "";
      lock.unlock();
    }
  }

  /**
   * The running umh's answer to a GET_REVISION it has answered before, without the lock or the
   * pipes (the daemon's I/O thread answers it at once), published to the tap as the umh's; empty
   * when not known or when anything has changed since (a new umh, an enforce).
   */
  public Optional<MboxReply> knownRevision(MboxRequest request, String callerComm) {
    if (!isRevision(request)) {
      return Optional.empty();
    }
    KnownRevision k = revisions.get(revisionKey(request));
    UmhProcess p = healthyUmh();
    if (k == null || p == null || k.from() != p || k.epoch() != revisionEpoch) {
      return Optional.empty();
    }
    MboxRequest tagged = tag(request);
    return Optional.of(answeredHere(p, tagged, tagged.payload(), k.reply(), callerComm));
  }

  /**
   * The running umh's answer to a GET_INFO of the same table or a GET_ENTRIES with these very bytes
   * that it answered before, when nothing can have changed it since ({@link RememberedReads} says
   * when), without the lock or the pipes (the daemon's I/O thread answers it at once); published to
   * the tap as the umh's, with latency 0 as a known revision. Empty otherwise: the caller forwards
   * it.
   *
   * @param mbox a request as on the pipes: its 24-byte header, then its payload
   */
  public Optional<MboxReply> rememberedRead(byte[] mbox, int callerPid, String callerComm) {
    return wholeRequest(mbox)
        .filter(h -> h.isSet() == 0)
        .flatMap(
            h ->
                recalled(
                    h.cmd(), mbox, MboxRequest.HEADER_BYTES, (int) h.len(), callerPid, callerComm));
  }

  /** The header of {@code mbox}, a request as on the pipes, when its payload is all there. */
  private static Optional<MboxRequest.Header> wholeRequest(byte[] mbox) {
    if (mbox.length < MboxRequest.HEADER_BYTES) {
      return Optional.empty();
    }
    MboxRequest.Header h = MboxRequest.Header.decode(mbox);
    return h.len() == mbox.length - MboxRequest.HEADER_BYTES ? Optional.of(h) : Optional.empty();
  }

  /** A remembered answer to the request of {@code cmd} whose payload is {@code buf[off, +len)}. */
  private Optional<MboxReply> recalled(
      int cmd, byte[] buf, int off, int len, int callerPid, String callerComm) {
    if (!RememberedReads.isTableRead(false, cmd)) {
      return Optional.empty();
    }
    UmhProcess p = healthyUmh();
    if (p == null) {
      return Optional.empty();
    }
    RememberedReads.Answer a = reads.recall(cmd, buf, off, len, p, enforcementAsked());
    if (a == null) {
      return Optional.empty();
    }
    // The caller's bytes for the tap: a GET_ENTRIES had the remembered request's very bytes (no
    // copy of a table's worth), a GET_INFO only its name (84 bytes copied).
    byte[] asked =
        cmd == Sockopt.IPT_SO_GET_ENTRIES.cmd()
            ? a.asked()
            : Arrays.copyOfRange(buf, off, off + len);
    MboxRequest tagged = new MboxRequest(ids.incrementAndGet(), false, cmd, callerPid, asked);
    return Optional.of(answeredHere(p, tagged, asked, a.reply(), callerComm));
  }

  /**
   * The answer to a SET_ADD_COUNTERS that adds zero to every entry of a table as committed (libiptc
   * sends one after every commit; {@link TablePersistence#addsNothing} says when), without the lock
   * or the pipes (the daemon's I/O thread answers it at once): the umh would accept it and change
   * nothing, so the remembered reads stay true. Published to the tap as the umh's, with latency 0
   * as a known revision. Empty otherwise (and wherever nothing persists): the caller forwards it.
   *
   * @param mbox a request as on the pipes: its 24-byte header, then its payload
   */
  public Optional<MboxReply> idleCountersAdd(byte[] mbox, int callerPid, String callerComm) {
    return wholeRequest(mbox)
        .filter(h -> h.isSet() != 0)
        .flatMap(
            h ->
                idleCountersAdd(
                    h.cmd(), mbox, MboxRequest.HEADER_BYTES, (int) h.len(), callerPid, callerComm));
  }

  private Optional<MboxReply> idleCountersAdd(
      int cmd, byte[] buf, int off, int len, int callerPid, String callerComm) {
    if (cmd != Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd() || persistence == null) {
      return Optional.empty();
    }
    UmhProcess p = healthyUmh();
    if (p == null || !persistence.addsNothing(buf, off, len)) {
      return Optional.empty();
    }
    byte[] asked = Arrays.copyOfRange(buf, off, off + len);
    MboxRequest tagged = new MboxRequest(ids.incrementAndGet(), true, cmd, callerPid, asked);
    return Optional.of(answeredHere(p, tagged, asked, MboxReply.ok(), callerComm));
  }

  /** The running umh while it is healthy and the host open (its answers may be given here). */
  private UmhProcess healthyUmh() {
    UmhProcess p = umh;
    return p != null && state == ModuleState.HEALTHY && !closed && p.alive() ? p : null;
  }

  /**
   * An answer given without the umh: counted, and published to the tap as {@code p}'s, request
   * ({@code asked}) then reply, with latency 0.
   */
  private MboxReply answeredHere(
      UmhProcess p, MboxRequest tagged, byte[] asked, MboxReply r, String callerComm) {
    requests.incrementAndGet();
    tap.publish(Frame.Direction.REQUEST, tagged, callerComm, p.pid(), 0, asked, 0);
    tap.publish(Frame.Direction.REPLY, tagged, callerComm, p.pid(), r.status(), r.payload(), 0);
    return r;
  }

  private static boolean isRevision(MboxRequest r) {
    return !r.isSet()
        && (r.cmd() == Sockopt.IPT_SO_GET_REVISION_MATCH.cmd()
            || r.cmd() == Sockopt.IPT_SO_GET_REVISION_TARGET.cmd());
  }

  private static String revisionKey(MboxRequest r) {
    return r.cmd() + ":" + new String(r.payload(), StandardCharsets.ISO_8859_1);
  }

  /** Under the lock: the request on the pipes, committed to the state dir when there is one. */
  private MboxReply forward(MboxRequest request, long deadline) throws ModuleException {
    UmhProcess p = ensureRunning(deadline);
    MboxRequest tagged = tag(request);
    long timeout = config.requestTimeout().toNanos();
    if (persistence == null) {
      return exchangeOrFail(p, tagged, timeout);
    }
    try {
      return persistence.commit(tagged, r -> exchangeOrFail(p, tag(r), timeout));
    } catch (ModuleException e) {
      if (!countersLostWithTheUmh(request, e)) {
        throw e;
      }
      // The umh died under SET_ADD_COUNTERS, before we saved them: the table it had is
      // committed on disk, and a new umh rebuilt from there lacks exactly these counters.
      // Adding them once more is adding them once.
      log.add(hostPid, LogLine.Source.HOST, "SET_ADD_COUNTERS retried in the restarted umh");
      UmhProcess again = ensureRunning(deadline);
      return persistence.commit(tag(request), r -> exchangeOrFail(again, tag(r), timeout));
    }
  }

  private static boolean countersLostWithTheUmh(MboxRequest r, ModuleException e) {
    return r.isSet()
        && r.cmd() == Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd()
        && e.kind() == ModuleException.Kind.UMH_DIED;
  }

  /**
   * Waits until every table file has the last commit its journal holds: the state dir as an unload
   * leaves it (a commit is durable at its reply already, in the journal).
   */
  void settleState() {
    lock.lock();
    try {
      if (persistence != null) {
        persistence.settle();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ModuleState state() {
    return deadline.unresponsive() ? ModuleState.UNRESPONSIVE : state;
  }

  @Override
  public ModuleStatus status() {
    UmhProcess p = umh;
    PercentileWindow.Latency l = latency.snapshot();
    long now = System.nanoTime();
    ProcStats proc = p != null && p.alive() ? ProcStats.of(p.pid()) : new ProcStats(0, 0);
    ModuleState s = state();
    return new ModuleStatus(
        s,
        p == null ? 0 : p.pid(),
        p == null ? null : umhStartedAt,
        p == null ? 0 : TimeUnit.NANOSECONDS.toMillis(now - p.startedNanos()),
        starts.get(),
        restarts.get(),
        lastExit,
        requests.get(),
        errors.get(),
        timeouts.get(),
        l.lastNanos(),
        l.p50Nanos(),
        l.p99Nanos(),
        proc.rssBytes(),
        proc.cpuMillis(),
        loadMillis,
        config.image().sha256(),
        message,
        s == ModuleState.RESTARTING
            ? Math.max(0, TimeUnit.NANOSECONDS.toMillis(restartNotBefore - now))
            : 0,
        tap.published(),
        tap.dropped(),
        p == null ? EnforcementStatus.OFF : enforcement);
  }

  /** Unloads without ending enforcement: an enforced table stays pinned (see unload(boolean)). */
  @Override
  public void close() {
    unload(false);
    closed = true;
    if (persistence != null) {
      persistence.release(true);
    }
    supervisor.close();
    deadline.close();
  }

  // ---- under the lock ----

  private UmhProcess ensureRunning(long deadline) throws ModuleException {
    switch (state) {
      case UNLOADED, LOADING ->
          throw new ModuleException(ModuleException.Kind.NOT_LOADED, "module not loaded");
      case FAILED -> throw new ModuleException(ModuleException.Kind.FAILED, failedMessage());
      case HEALTHY, UNRESPONSIVE -> {
        UmhProcess p = umh;
        if (p != null && p.alive()) {
          return p;
        }
        noticeDeath(p);
      }
      case RESTARTING -> {
        // handled below
      }
    }
    if (state == ModuleState.FAILED) {
      throw new ModuleException(ModuleException.Kind.FAILED, failedMessage());
    }
    long wait = restartNotBefore - System.nanoTime();
    if (wait > deadline - System.nanoTime()) {
      throw new ModuleException(
          ModuleException.Kind.RESTARTING,
          "umh restarting: next start in "
              + TimeUnit.NANOSECONDS.toMillis(wait)
              + " ms ("
              + message
              + ")");
    }
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModuleException(ModuleException.Kind.RESTARTING, "interrupted while restarting");
      }
    }
    return start(true);
  }

  private String failedMessage() {
    return "module FAILED: " + message + "; run load to try again";
  }

  /** The request with a fresh host request id in its addr field. */
  private MboxRequest tag(MboxRequest r) {
    return new MboxRequest(ids.incrementAndGet(), r.isSet(), r.cmd(), r.pid(), r.payload());
  }

  /** Spawns a umh and runs the handshake; on success the module is HEALTHY with it. */
  private UmhProcess start(boolean restart) throws ModuleException {
    long now = System.nanoTime();
    if (!policy.mayStart(now)) {
      state = ModuleState.FAILED;
      message =
          "start limit hit: "
              + policy.startLimitBurst()
              + " starts within "
              + policy.startLimitInterval().toSeconds()
              + " s"
              + (lastExit == null ? "" : "; last exit: " + lastExit.status().describe());
      log.add(hostPid, LogLine.Source.HOST, message);
      throw new ModuleException(ModuleException.Kind.FAILED, failedMessage());
    }
    policy.recordStart(now);
    reads.forget(); // a new umh: its tables are replayed, its counters those saved
    starts.incrementAndGet();
    if (restart) {
      restarts.incrementAndGet();
    }
    UmhProcess p;
    Duration handshakeTimeout;
    try {
      List<String> command = new ArrayList<>(config.image().command());
      if (enforce) {
        command.add("--enforce");
      }
      p = UmhProcess.spawn(posix(), command, (pid, line) -> log.add(pid, LogLine.Source.UMH, line));
      handshakeTimeout =
          enforce ? config.handshakeTimeout().plus(ENFORCE_START) : config.handshakeTimeout();
    } catch (SpawnException e) {
      markStartFailure(e.getMessage(), 0, restart);
      throw new ModuleException(ModuleException.Kind.START_FAILED, e.getMessage());
    }
    Exchange ex =
        exchange(p, MboxRequest.handshake(ids.incrementAndGet()), handshakeTimeout.toNanos());
    String failure = null;
    if (ex instanceof Exchange.Fault f) {
      failure = f.describe(handshakeTimeout.toMillis());
    } else if (ex instanceof Exchange.Replied r && r.reply().status() != 0) {
      failure = "answered the handshake with " + r.reply().status() + " instead of 0";
    }
    if (failure != null) {
      ExitStatus st = kill(p);
      String what =
          "umh pid " + p.pid() + " " + failure + "; " + st.describe() + lastStderr(p.pid());
      lastExit = new LastExit(p.pid(), st, clock.instant(), "handshake failed");
      markStartFailure(what, System.nanoTime() - p.startedNanos(), restart);
      throw new ModuleException(ModuleException.Kind.START_FAILED, what);
    }
    if (persistence != null) {
      try {
        long t = config.requestTimeout().toNanos();
        persistence.replay(r -> replayExchange(p, tag(r), t));
      } catch (ModuleException e) {
        ExitStatus st = kill(p);
        lastExit = new LastExit(p.pid(), st, clock.instant(), "replay failed");
        markStartFailure(e.getMessage(), System.nanoTime() - p.startedNanos(), restart);
        throw new ModuleException(ModuleException.Kind.START_FAILED, e.getMessage());
      }
    }
    if (enforce) {
      try {
        enforcement =
            parseEnforcement(
                replayExchange(p, enforcementQuery(), config.requestTimeout().toNanos()));
      } catch (ModuleException e) {
        ExitStatus st = kill(p);
        lastExit = new LastExit(p.pid(), st, clock.instant(), "no enforcement report");
        markStartFailure(e.getMessage(), System.nanoTime() - p.startedNanos(), restart);
        throw new ModuleException(ModuleException.Kind.START_FAILED, e.getMessage());
      }
    } else {
      enforcement = EnforcementStatus.OFF;
    }
    umh = p;
    // A death is noticed at once without polling: the reaper completes exit().
    p.exit().whenComplete((st, e) -> supervisor.poke());
    umhStartedAt = clock.instant();
    loadMillis = (System.nanoTime() - p.startedNanos()) / 1e6;
    state = ModuleState.HEALTHY;
    message = "";
    lastPingNanos = System.nanoTime();
    supervisor.poke(); // its next ping is due from now
    log.add(
        hostPid,
        LogLine.Source.HOST,
        String.format(
            "umh %d %s, healthy in %.0f ms",
            p.pid(), restart ? "restarted" : "started", loadMillis));
    return p;
  }

  /** An exchange during start-up: a fault fails the start, with no restart bookkeeping here. */
  private MboxReply replayExchange(UmhProcess p, MboxRequest r, long timeoutNanos)
      throws ModuleException {
    Exchange ex = exchange(p, r, timeoutNanos);
    if (ex instanceof Exchange.Replied rep) {
      return rep.reply();
    }
    Exchange.Fault f = (Exchange.Fault) ex;
    throw new ModuleException(
        f.kind().errorKind(),
        "umh " + p.pid() + " " + f.describe(PipeExchange.budget(timeoutNanos, r) / 1_000_000));
  }

  private void markStartFailure(String what, long ranNanos, boolean restart) {
    umh = null;
    reads.forget();
    log.add(hostPid, LogLine.Source.HOST, "start failed: " + what);
    policy.recordFailure(ranNanos);
    if (!restart) {
      // An explicit load that fails leaves nothing to restart: FAILED until the next load.
      state = ModuleState.FAILED;
      message = what;
    } else {
      scheduleRestart(what);
    }
  }

  private void scheduleRestart(String why) {
    if (policy.mayStart(System.nanoTime())) {
      state = ModuleState.RESTARTING;
      restartNotBefore = System.nanoTime() + policy.backoffNanos();
      message = why;
      supervisor.poke();
    } else {
      state = ModuleState.FAILED;
      message =
          why
              + "; start limit hit: "
              + policy.startLimitBurst()
              + " starts within "
              + policy.startLimitInterval().toSeconds()
              + " s";
      log.add(hostPid, LogLine.Source.HOST, "module FAILED: " + message);
    }
  }

  /** A umh found dead between requests: reap, record, and plan its restart. */
  private void noticeDeath(UmhProcess p) {
    if (p == null) {
      return;
    }
    ExitStatus st = awaitExit(p, 1000);
    p.release();
    umh = null;
    reads.forget();
    String what = "umh " + p.pid() + " died: " + st.describe() + lastStderr(p.pid());
    lastExit = new LastExit(p.pid(), st, clock.instant(), "died");
    log.add(hostPid, LogLine.Source.HOST, what);
    policy.recordFailure(System.nanoTime() - p.startedNanos());
    scheduleRestart(what);
  }

  private MboxReply exchangeOrFail(UmhProcess p, MboxRequest req, long timeoutNanos)
      throws ModuleException {
    Exchange ex = exchange(p, req, timeoutNanos);
    if (ex instanceof Exchange.Replied r) {
      latency.record(r.nanos());
      return r.reply();
    }
    Exchange.Fault f = (Exchange.Fault) ex;
    if (f.kind() == Exchange.FaultKind.TIMEOUT) {
      timeouts.incrementAndGet();
      state = ModuleState.UNRESPONSIVE;
    }
    ExitStatus st = kill(p);
    umh = null;
    reads.forget();
    String what =
        "umh "
            + p.pid()
            + " "
            + f.describe(PipeExchange.budget(timeoutNanos, req) / 1_000_000)
            + " during "
            + req.optionName()
            + "; "
            + st.describe()
            + lastStderr(p.pid());
    lastExit = new LastExit(p.pid(), st, clock.instant(), f.kind().reason());
    log.add(hostPid, LogLine.Source.HOST, what);
    policy.recordFailure(System.nanoTime() - p.startedNanos());
    scheduleRestart(what);
    throw new ModuleException(
        f.kind().errorKind(), state == ModuleState.FAILED ? failedMessage() : what);
  }

  /** One request/reply on the pipes (PipeExchange), for the caller now holding the lock. */
  private Exchange exchange(UmhProcess p, MboxRequest req, long timeoutNanos) {
    return PipeExchange.run(p, req, timeoutNanos, deadline, tap, inflightCallerComm);
  }

  /** Under the lock. */
  private POSIX posix() {
    if (posix == null) {
      posix = POSIXFactory.getNativePOSIX();
    }
    return posix;
  }

  /** SIGKILL, reap, release the pipes. */
  private ExitStatus kill(UmhProcess p) {
    p.kill(SIGKILL);
    ExitStatus st = awaitExit(p, 5000);
    p.release();
    return st;
  }

  /** Ends a umh on purpose: EOF first, SIGKILL after the grace time. */
  private void stop(UmhProcess p, String reason) {
    p.closeRequestPipe();
    ExitStatus st;
    try {
      st = p.exit().get(config.unloadGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.add(hostPid, LogLine.Source.HOST, "umh " + p.pid() + " ignored EOF: SIGKILL");
      st = kill(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      st = kill(p);
    } catch (ExecutionException e) {
      st = kill(p);
    }
    p.release();
    umh = null;
    reads.forget();
    lastExit = new LastExit(p.pid(), st, clock.instant(), reason);
    log.add(
        hostPid,
        LogLine.Source.HOST,
        "umh " + p.pid() + " stopped (" + reason + "): " + st.describe());
  }

  private ExitStatus awaitExit(UmhProcess p, long millis) {
    try {
      return p.exit().get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      p.kill(SIGKILL);
      return p.exit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.kill(SIGKILL);
      return p.exit().join();
    } catch (ExecutionException e) {
      return new ExitStatus(-1, 0);
    }
  }

  private String lastStderr(int pid) {
    List<String> lines = log.lastOf(pid, LogLine.Source.UMH, STDERR_LINES_IN_ERRORS);
    return lines.isEmpty() ? "" : "; last stderr: " + String.join(" | ", lines);
  }

  // ---- the supervisor's work ----

  /** Notices a dead umh at once and, with the watchdog on, pings it and restarts it. */
  private final class Watchdog implements Supervisor.Work {
    /** When the supervisor has something to do next on its own; Long.MAX_VALUE: only when poked. */
    @Override
    public long nextAttentionNanos(long now) {
      ModuleState s = state;
      boolean watchdog = !config.watchdogInterval().isZero();
      if (watchdog && s == ModuleState.HEALTHY) {
        return lastPingNanos + config.watchdogInterval().toNanos();
      }
      if (watchdog && s == ModuleState.RESTARTING) {
        return restartNotBefore;
      }
      return Long.MAX_VALUE;
    }

    @Override
    public boolean needsAttention(long now) {
      ModuleState s = state;
      UmhProcess p = umh;
      boolean watchdog = !config.watchdogInterval().isZero();
      return (s == ModuleState.HEALTHY && p != null && !p.alive())
          || (watchdog && s == ModuleState.RESTARTING && now >= restartNotBefore)
          || (watchdog
              && s == ModuleState.HEALTHY
              && now - lastPingNanos >= config.watchdogInterval().toNanos());
    }

    @Override
    public void attend(long now) {
      UmhProcess p = umh;
      if (state == ModuleState.HEALTHY && p != null && !p.alive()) {
        noticeDeath(p);
        return;
      }
      if (config.watchdogInterval().isZero()) {
        return;
      }
      try {
        if (state == ModuleState.RESTARTING && now >= restartNotBefore) {
          start(true);
        } else if (state == ModuleState.HEALTHY && p != null) {
          lastPingNanos = now;
          exchangeOrFail(
              p, MboxRequest.handshake(ids.incrementAndGet()), config.requestTimeout().toNanos());
        }
      } catch (ModuleException e) {
        errors.incrementAndGet();
      }
    }
  }
}
