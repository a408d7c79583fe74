package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One table as libiptc caches it: chains of rules read from a GET_ENTRIES blob, edited in place,
 * and compiled back into the exact SET_REPLACE and SET_ADD_COUNTERS buffers libiptc would send.
 * Errors carry the libiptc function that failed last ({@link TableError}), because iptables picks
 * its message by that function and the errno.
 *
 * <p>Always true of the cache: built-in chains come first, in the order the kernel listed them;
 * user chains follow, sorted by name (strcmp: names are ISO-8859-1, so char order is byte order);
 * every chain is found by name in constant time. Offsets and indexes of chains and rules are valid
 * only right after {@link #parse} or {@link #compile}. No edit walks all chains (libiptc keeps a
 * chain index for the same reason), so a table of 100,000 chains builds in O(n log n).
 */
public final class RuleTable {
  /** sizeof(ipt_entry) + XT_ALIGN(sizeof(xt_error_target)): a user chain's head. */
  static final int CHAIN_HEAD_SIZE = IptEntry.SIZE + XtEntryTarget.ERROR_SIZE;

  /** Hook.values().length, without the copy of the array each call makes. */
  private static final int HOOKS = Hook.values().length;

  /** sizeof(ipt_entry) + XT_ALIGN(sizeof(xt_standard_target)): a chain's policy or RETURN. */
  static final int CHAIN_FOOT_SIZE = IptEntry.SIZE + XtEntryTarget.STANDARD_SIZE;

  /** What a rule's target is, libiptc's iptcc_rule_type. */
  public enum RuleType {
    STANDARD,
    MODULE,
    FALLTHROUGH,
    JUMP
  }

  /** How a rule's counters go back after a replace (libiptc's counter_map). */
  enum CounterMap {
    NOMAP,
    NORMAL_MAP,
    ZEROED,
    SET
  }

  /** One rule. {@code entry}'s target is as the kernel or the parser gave it. */
  public static final class Rule {
    private IptEntry entry;
    private RuleType type;
    private Chain jump;
    private CounterMap map;
    private int mappos;
    private int index;
    private int offset;

    Rule(IptEntry entry, RuleType type, CounterMap map, int mappos) {
      this.entry = entry;
      this.type = type;
      this.map = map;
      this.mappos = mappos;
    }

    public IptEntry entry() {
      return entry;
    }

    public RuleType type() {
      return type;
    }

    /** The chain a JUMP rule goes to. */
    public Optional<Chain> jump() {
      return Optional.ofNullable(jump);
    }
  }

  /** One chain. Built-in chains have a hook number (1-based) and a policy verdict. */
  public static final class Chain {
    private String name;
    private final int hooknum;

    /** Tells apart user chains of one name (a table not written by libiptc can have them). */
    private long seq;

    private int references;
    private int verdict;
    private XtCounters counters = XtCounters.ZERO;
    private CounterMap map = CounterMap.NOMAP;
    private int mappos;
    private final List<Rule> rules = new ArrayList<>();
    private int headOffset;
    private int footIndex;
    private int footOffset;

    Chain(String name, int hooknum) {
      this.name = name;
      this.hooknum = hooknum;
    }

    public String name() {
      return name;
    }

    public boolean builtin() {
      return hooknum != 0;
    }

    public int references() {
      return references;
    }

    /** The policy's verdict (see {@link Verdict}); RETURN for a user chain. */
    public int verdict() {
      return verdict;
    }

    /** The policy's counters. */
    public XtCounters counters() {
      return counters;
    }

    public List<Rule> rules() {
      return Collections.unmodifiableList(rules);
    }
  }

  /** The libiptc functions whose failures iptables words specially (TC_STRERROR's table). */
  public enum Fn {
    INIT,
    BUILTIN,
    GET_REFERENCES,
    FIRST_CHAIN,
    NEXT_CHAIN,
    GET_POLICY,
    INSERT_ENTRY,
    REPLACE_ENTRY,
    APPEND_ENTRY,
    DELETE_ENTRY,
    DELETE_NUM_ENTRY,
    FLUSH_ENTRIES,
    ZERO_ENTRIES,
    READ_COUNTER,
    ZERO_COUNTER,
    SET_COUNTER,
    CREATE_CHAIN,
    DELETE_CHAIN,
    RENAME_CHAIN,
    SET_POLICY,
    COMMIT
  }

  /** A libiptc failure: the function that ran last and the errno. */
  public static final class TableError extends Exception {
    private static final long serialVersionUID = 1L;
    private final Fn fn;
    private final int errno;

    public TableError(Fn fn, int errno) {
      super(message(fn, errno));
      this.fn = fn;
      this.errno = errno;
    }

    public Fn fn() {
      return fn;
    }

    public int errno() {
      return errno;
    }

    /** TC_STRERROR: the function's own wording first, then the general one, then strerror. */
    static String message(Fn fn, int errno) {
      Errno e = Errno.of(errno).orElse(null);
      String own =
          switch (fn) {
            case INIT ->
                e == Errno.EPERM
                    ? "Permission denied (you must be root)"
                    : e == Errno.EINVAL
                        ? "Module is wrong version"
                        : e == Errno.ENOENT
                            ? "Table does not exist (do you need to insmod?)"
                            : null;
            case DELETE_CHAIN ->
                e == Errno.ENOTEMPTY
                    ? "Chain is not empty"
                    : e == Errno.EINVAL
                        ? "Can't delete built-in chain"
                        : e == Errno.EMLINK ? "Can't delete chain with references left" : null;
            case CREATE_CHAIN -> e == Errno.EEXIST ? "Chain already exists" : null;
            case INSERT_ENTRY ->
                e == Errno.E2BIG
                    ? "Index of insertion too big"
                    : e == Errno.ELOOP
                        ? "Loop found in table"
                        : e == Errno.EINVAL ? "Target problem" : null;
            case REPLACE_ENTRY -> e == Errno.E2BIG ? "Index of replacement too big" : null;
            case DELETE_NUM_ENTRY -> e == Errno.E2BIG ? "Index of deletion too big" : null;
            case READ_COUNTER, ZERO_COUNTER -> e == Errno.E2BIG ? "Index of counter too big" : null;
            case DELETE_ENTRY ->
                e == Errno.ENOENT ? "Bad rule (does a matching rule exist in that chain?)" : null;
            case SET_POLICY ->
                e == Errno.ENOENT
                    ? "Bad built-in chain name"
                    : e == Errno.EINVAL ? "Bad policy name" : null;
            default -> null;
          };
      if (own != null) {
        return own;
      }
      if (errno == 0) {
        return "Incompatible with this kernel";
      }
      if (e == null) {
        return Errno.strerror(errno);
      }
      return switch (e) {
        case ENOPROTOOPT -> "iptables who? (do you need to insmod?)";
        case ENOSYS -> "Will be implemented real soon.  I promise ;)";
        case ENOMEM -> "Memory allocation problem";
        case ENOENT -> "No chain/target/match by that name";
        default -> e.text();
      };
    }
  }

  /** User chains by name, then by when they were added. */
  private static final Comparator<Chain> USER_ORDER =
      Comparator.comparing((Chain c) -> c.name).thenComparingLong(c -> c.seq);

  private final IptGetinfo info;
  private final List<Chain> builtins = new ArrayList<>();
  private final TreeSet<Chain> userChains = new TreeSet<>(USER_ORDER);

  /** The first chain of each name in {@link #chains()}'s order. */
  private final Map<String, Chain> byName = new HashMap<>();

  /** {@link #chains()}'s list, made again after a chain is added, removed or renamed. */
  private List<Chain> ordered;

  private long nextSeq;
  private boolean changed;

  /** Where the entries read can be copied from when a commit sends them back unchanged. */
  private EntryBytes readFrom = EntryBytes.NONE;

  private Fn fn = Fn.INIT;

  private RuleTable(IptGetinfo info) {
    this.info = info;
  }

  public String name() {
    return info.name();
  }

  public IptGetinfo info() {
    return info;
  }

  /** Whether an edit happened since the table was read (TC_COMMIT does nothing otherwise). */
  public boolean changed() {
    return changed;
  }

  /** Chains in libiptc's order: built-ins as the kernel lists them, then user chains sorted. */
  public List<Chain> chains() {
    fn = Fn.NEXT_CHAIN;
    if (ordered == null) {
      List<Chain> all = new ArrayList<>(builtins.size() + userChains.size());
      all.addAll(builtins);
      all.addAll(userChains);
      ordered = Collections.unmodifiableList(all);
    }
    return ordered;
  }

  private void addChain(Chain c) {
    if (c.builtin()) {
      builtins.add(c);
    } else {
      c.seq = nextSeq++;
      userChains.add(c);
    }
    byName.putIfAbsent(c.name, c);
    ordered = null;
  }

  private void removeChain(Chain c) {
    userChains.remove(c);
    if (byName.get(c.name) == c) {
      byName.remove(c.name);
      Chain probe = new Chain(c.name, 0);
      probe.seq = Long.MIN_VALUE;
      Chain next = userChains.ceiling(probe);
      if (next != null && next.name.equals(c.name)) {
        byName.put(c.name, next);
      }
    }
    ordered = null;
  }

  // ---- parse_table -------------------------------------------------------------------------

  /** Builds the cache from GET_INFO and the entries GET_ENTRIES returned (cache_add_entry). */
  public static RuleTable parse(IptGetinfo info, List<IptEntry> entries) throws TableError {
    return parse(info, entries, EntryBytes.NONE);
  }

  /**
   * {@link #parse(IptGetinfo, List)}, the commit copying from {@code bytes} the entries it sends
   * back as they were read.
   */
  static RuleTable parse(IptGetinfo info, List<IptEntry> entries, EntryBytes bytes)
      throws TableError {
    RuleTable t = new RuleTable(info);
    t.readFrom = bytes;
    int offset = 0;
    int total = 0;
    for (IptEntry e : entries) {
      total += e.nextOffset();
    }
    Chain current = null;
    List<Chain> byOffset = new ArrayList<>();
    List<Integer> jumpVerdicts = new ArrayList<>();
    List<Rule> jumps = new ArrayList<>();
    int[] hookEntry = info.hookEntry(); // a copy each call: once, not once per entry
    for (int num = 0; num < entries.size(); num++) {
      IptEntry e = entries.get(num);
      if (offset + e.nextOffset() == total) {
        dropPolicy(current, num);
        current = null;
        offset += e.nextOffset();
        continue;
      }
      int hook = hookAt(info.validHooks(), hookEntry, offset);
      if (e.target().isError()) {
        current = t.startChain(current, new Chain(errorName(e.target()), 0), offset, num);
        byOffset.add(current);
      } else {
        if (hook != 0) {
          current =
              t.startChain(current, new Chain(Hook.values()[hook - 1].name(), hook), offset, num);
          byOffset.add(current);
        }
        if (current == null) {
          throw new TableError(Fn.INIT, Errno.EINVAL.code());
        }
        Rule r = new Rule(e, RuleType.MODULE, CounterMap.NORMAL_MAP, num);
        r.index = num;
        r.offset = offset;
        if (e.target().isStandard()) {
          if (e.target().size() != XtEntryTarget.STANDARD_SIZE) {
            throw new TableError(Fn.INIT, Errno.EINVAL.code());
          }
          int verdict = standardVerdict(e.target());
          if (verdict < 0) {
            r.type = RuleType.STANDARD;
          } else if (verdict == offset + e.nextOffset()) {
            r.type = RuleType.FALLTHROUGH;
          } else {
            r.type = RuleType.JUMP;
            jumps.add(r);
            jumpVerdicts.add(verdict);
          }
        }
        current.rules.add(r);
      }
      offset += e.nextOffset();
    }
    for (int i = 0; i < jumps.size(); i++) {
      Chain target = chainByOffset(byOffset, jumpVerdicts.get(i));
      if (target == null) {
        throw new TableError(Fn.INIT, Errno.EINVAL.code());
      }
      jumps.get(i).jump = target;
      target.references++;
    }
    return t;
  }

  private Chain startChain(Chain previous, Chain c, int offset, int num) {
    dropPolicy(previous, num);
    c.headOffset = offset;
    addChain(c);
    return c;
  }

  /** __iptcc_p_del_policy: a chain's last rule is its policy (or RETURN); keep it as the foot. */
  private static void dropPolicy(Chain c, int num) {
    if (c == null || c.rules.isEmpty()) {
      return;
    }
    Rule policy = c.rules.remove(c.rules.size() - 1);
    c.verdict = standardVerdict(policy.entry.target());
    c.map = CounterMap.ZEROED;
    c.mappos = num - 1;
    c.counters = policy.entry.counters();
    c.footIndex = num;
    c.footOffset = policy.offset;
    if (policy.type == RuleType.JUMP && policy.jump != null) {
      policy.jump.references--;
    }
  }

  private static int hookAt(int validHooks, int[] hookEntry, int offset) {
    for (int h = 0; h < HOOKS; h++) {
      if ((validHooks & (1 << h)) != 0 && hookEntry[h] == offset) {
        return h + 1;
      }
    }
    return 0;
  }

  /** The chain whose head is the last at or before {@code offset}; heads ascend in the list. */
  private static Chain chainByOffset(List<Chain> byOffset, int offset) {
    int lo = 0;
    int hi = byOffset.size() - 1;
    Chain found = null;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Chain c = byOffset.get(mid);
      if (c.headOffset <= offset) {
        found = c;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  static int standardVerdict(XtEntryTarget t) {
    return t.dataInt(0);
  }

  static String errorName(XtEntryTarget t) {
    byte[] d = t.data();
    int n = 0;
    while (n < d.length && n < XtEntryTarget.ERROR_NAME_LEN && d[n] != 0) {
      n++;
    }
    return new String(d, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  // ---- lookups -----------------------------------------------------------------------------

  /** iptcc_find_label. */
  public Optional<Chain> chain(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** TC_IS_CHAIN. */
  public boolean isChain(String name) {
    return chain(name).isPresent();
  }

  /** TC_BUILTIN: true for a built-in chain. */
  public boolean builtin(String name) {
    fn = Fn.BUILTIN;
    return chain(name).map(Chain::builtin).orElse(false);
  }

  private Chain find(String name, Fn f) throws TableError {
    fn = f;
    return chain(name).orElseThrow(() -> new TableError(f, Errno.ENOENT.code()));
  }

  /** TC_GET_TARGET: the name -L and -S print for a rule's target. */
  public static String targetName(Rule r) {
    return switch (r.type) {
      case FALLTHROUGH -> "";
      case JUMP -> r.jump.name;
      case STANDARD -> verdictName(standardVerdict(r.entry.target()));
      case MODULE -> r.entry.target().name();
    };
  }

  /** standard_target_map. */
  public static String verdictName(int verdict) {
    return switch (verdict) {
      case Verdict.RETURN -> "RETURN";
      case Verdict.ACCEPT -> "ACCEPT";
      case Verdict.DROP -> "DROP";
      case Verdict.QUEUE -> "QUEUE";
      default -> "ERROR";
    };
  }

  // ---- edits -------------------------------------------------------------------------------

  /** iptcc_map_target: decides the new rule's type; false with EINVAL for a built-in jump. */
  private Rule mapTarget(IptEntry e, CounterMap map, Fn caller) throws TableError {
    XtEntryTarget t = e.target();
    Rule r = new Rule(e, RuleType.MODULE, map, 0);
    String name = t.name();
    int verdict =
        switch (name) {
          case "ACCEPT" -> Verdict.ACCEPT;
          case "DROP" -> Verdict.DROP;
          case "QUEUE" -> Verdict.QUEUE;
          case "RETURN" -> Verdict.RETURN;
          default -> 1;
        };
    if (name.isEmpty()) {
      r.type = RuleType.FALLTHROUGH;
      r.entry = withTarget(e, XtEntryTarget.standard(0));
    } else if (verdict < 0) {
      r.type = RuleType.STANDARD;
      r.entry = withTarget(e, XtEntryTarget.standard(verdict));
    } else if (builtin(name)) {
      throw new TableError(fn, Errno.EINVAL.code());
    } else {
      Optional<Chain> c = chain(name);
      if (c.isPresent()) {
        r.type = RuleType.JUMP;
        r.jump = c.get();
        r.entry = withTarget(e, XtEntryTarget.standard(0));
      }
    }
    return r;
  }

  private static IptEntry withTarget(IptEntry e, XtEntryTarget t) {
    return new IptEntry(e.ip(), e.nfcache(), e.comefrom(), e.counters(), e.matches(), t);
  }

  private void link(Rule r) {
    if (r.type == RuleType.JUMP) {
      r.jump.references++;
    }
  }

  private static void unlink(Rule r) {
    if (r.type == RuleType.JUMP && r.jump != null) {
      r.jump.references--;
    }
  }

  /**
   * TC_INSERT_ENTRY at 0-based {@code rulenum}; the entry's target is named as typed (a verdict, a
   * chain, an extension, or "" for none). Its counters are the ones to set.
   */
  public void insert(String chain, IptEntry e, int rulenum) throws TableError {
    Chain c = find(chain, Fn.INSERT_ENTRY);
    if (rulenum > c.rules.size()) {
      throw new TableError(Fn.INSERT_ENTRY, Errno.E2BIG.code());
    }
    Rule r = mapTarget(e, CounterMap.SET, Fn.INSERT_ENTRY);
    link(r);
    c.rules.add(rulenum, r);
    changed = true;
  }

  /** TC_REPLACE_ENTRY at 0-based {@code rulenum}. */
  public void replace(String chain, IptEntry e, int rulenum) throws TableError {
    Chain c = find(chain, Fn.REPLACE_ENTRY);
    if (rulenum >= c.rules.size()) {
      throw new TableError(Fn.REPLACE_ENTRY, Errno.E2BIG.code());
    }
    Rule r = mapTarget(e, CounterMap.SET, Fn.REPLACE_ENTRY);
    link(r);
    unlink(c.rules.set(rulenum, r));
    changed = true;
  }

  /** TC_APPEND_ENTRY. */
  public void append(String chain, IptEntry e) throws TableError {
    Chain c = find(chain, Fn.APPEND_ENTRY);
    Rule r = mapTarget(e, CounterMap.SET, Fn.APPEND_ENTRY);
    link(r);
    c.rules.add(r);
    changed = true;
  }

  /**
   * TC_DELETE_ENTRY (or TC_CHECK_ENTRY when {@code dryRun}): the first rule equal to {@code e}
   * under {@code mask} (make_delete_mask: which bytes of each match and the target count).
   */
  public void delete(String chain, IptEntry e, DeleteMask mask, boolean dryRun) throws TableError {
    Chain c = find(chain, Fn.DELETE_ENTRY);
    // no reset of fn after this: iptcc_map_target asks TC_BUILTIN about a chain or module
    // target, so iptables words a missing rule "No chain/target/match" then, "Bad rule" only
    // for a verdict
    Rule probe = mapTarget(e, CounterMap.NOMAP, Fn.DELETE_ENTRY);
    for (int i = 0; i < c.rules.size(); i++) {
      Rule other = c.rules.get(i);
      if (mask.same(probe.entry, other.entry) && targetSame(probe, other, mask)) {
        if (!dryRun) {
          unlink(c.rules.remove(i));
          changed = true;
        }
        return;
      }
    }
    throw new TableError(fn, Errno.ENOENT.code());
  }

  private static boolean targetSame(Rule a, Rule b, DeleteMask mask) {
    if (a.type != b.type) {
      return false;
    }
    return switch (a.type) {
      case FALLTHROUGH -> true;
      case JUMP -> a.jump == b.jump;
      case STANDARD -> standardVerdict(a.entry.target()) == standardVerdict(b.entry.target());
      case MODULE -> mask.sameTarget(a.entry.target(), b.entry.target());
    };
  }

  /** TC_DELETE_NUM_ENTRY, 0-based. */
  public void deleteNum(String chain, int rulenum) throws TableError {
    Chain c = find(chain, Fn.DELETE_NUM_ENTRY);
    if (rulenum >= c.rules.size()) {
      throw new TableError(Fn.DELETE_NUM_ENTRY, Errno.E2BIG.code());
    }
    unlink(c.rules.remove(rulenum));
    changed = true;
  }

  /** TC_FLUSH_ENTRIES. */
  public void flush(String chain) throws TableError {
    Chain c = find(chain, Fn.FLUSH_ENTRIES);
    for (Rule r : c.rules) {
      unlink(r);
    }
    c.rules.clear();
    changed = true;
  }

  /** TC_ZERO_ENTRIES. */
  public void zero(String chain) throws TableError {
    Chain c = find(chain, Fn.ZERO_ENTRIES);
    if (c.map == CounterMap.NORMAL_MAP) {
      c.map = CounterMap.ZEROED;
    }
    for (Rule r : c.rules) {
      if (r.map == CounterMap.NORMAL_MAP) {
        r.map = CounterMap.ZEROED;
      }
    }
    changed = true;
  }

  /** TC_ZERO_COUNTER; {@code rulenum} 1-based as iptcc_get_rule_num takes it. */
  public void zeroCounter(String chain, int rulenum) throws TableError {
    Chain c = find(chain, Fn.ZERO_COUNTER);
    if (rulenum < 1 || rulenum > c.rules.size()) {
      throw new TableError(Fn.ZERO_COUNTER, Errno.E2BIG.code());
    }
    Rule r = c.rules.get(rulenum - 1);
    if (r.map == CounterMap.NORMAL_MAP) {
      r.map = CounterMap.ZEROED;
    }
    changed = true;
  }

  /** TC_CREATE_CHAIN. */
  public void createChain(String name) throws TableError {
    fn = Fn.CREATE_CHAIN;
    if (isChain(name) || isVerdictName(name)) {
      throw new TableError(Fn.CREATE_CHAIN, Errno.EEXIST.code());
    }
    if (name.length() + 1 > Abi.TABLE_NAME_LEN) {
      throw new TableError(Fn.CREATE_CHAIN, Errno.EINVAL.code());
    }
    addChain(new Chain(name, 0));
    changed = true;
  }

  private static boolean isVerdictName(String name) {
    return name.equals("DROP")
        || name.equals("ACCEPT")
        || name.equals("QUEUE")
        || name.equals("RETURN");
  }

  /** TC_DELETE_CHAIN; the errno is worded by the last libiptc function it called. */
  public void deleteChain(String name) throws TableError {
    Chain c = find(name, Fn.DELETE_CHAIN);
    if (builtin(name)) {
      throw new TableError(fn, Errno.EINVAL.code());
    }
    fn = Fn.GET_REFERENCES;
    if (c.references > 0) {
      throw new TableError(fn, Errno.EMLINK.code());
    }
    if (!c.rules.isEmpty()) {
      throw new TableError(fn, Errno.ENOTEMPTY.code());
    }
    removeChain(c);
    changed = true;
  }

  /** TC_RENAME_CHAIN. */
  public void renameChain(String oldName, String newName) throws TableError {
    fn = Fn.RENAME_CHAIN;
    if (isChain(newName) || isVerdictName(newName)) {
      throw new TableError(fn, Errno.EEXIST.code());
    }
    Optional<Chain> c = chain(oldName);
    if (c.isEmpty() || builtin(oldName)) {
      throw new TableError(fn, Errno.ENOENT.code());
    }
    if (newName.length() + 1 > Abi.TABLE_NAME_LEN) {
      throw new TableError(fn, Errno.EINVAL.code());
    }
    removeChain(c.get());
    c.get().name = newName;
    addChain(c.get());
    changed = true;
  }

  /** TC_SET_POLICY; {@code counters} empty keeps none (NOMAP), present sets them (-c). */
  public void setPolicy(String chain, String policy, Optional<XtCounters> counters)
      throws TableError {
    Chain c = find(chain, Fn.SET_POLICY);
    if (!c.builtin()) {
      throw new TableError(Fn.SET_POLICY, Errno.ENOENT.code());
    }
    if (policy.equals("ACCEPT")) {
      c.verdict = Verdict.ACCEPT;
    } else if (policy.equals("DROP")) {
      c.verdict = Verdict.DROP;
    } else {
      throw new TableError(Fn.SET_POLICY, Errno.EINVAL.code());
    }
    if (counters.isPresent()) {
      c.counters = counters.get();
      c.map = CounterMap.SET;
    } else {
      c.map = CounterMap.NOMAP;
    }
    changed = true;
  }

  /** TC_SET_COUNTER (iptables-restore's [p:b] on a rule is set at insert instead). */
  public void setCounter(String chain, int rulenum, XtCounters counters) throws TableError {
    Chain c = find(chain, Fn.SET_COUNTER);
    if (rulenum < 1 || rulenum > c.rules.size()) {
      throw new TableError(Fn.SET_COUNTER, Errno.E2BIG.code());
    }
    Rule r = c.rules.get(rulenum - 1);
    r.entry = r.entry.withCounters(counters);
    r.map = CounterMap.SET;
    changed = true;
  }

  /** The function that ran last, for messages of failures that are not a TableError. */
  public Fn lastFn() {
    return fn;
  }

  // ---- commit ------------------------------------------------------------------------------

  /** The buffers of one commit: the SET_REPLACE and a function of its reply to SET_ADD_COUNTERS. */
  public record Compiled(byte[] replace, int numEntries, List<Slot> slots, String table) {
    /** SET_ADD_COUNTERS's buffer, given the old counters SET_REPLACE returned. */
    public byte[] addCounters(List<XtCounters> old) {
      XtCounters[] out = new XtCounters[numEntries];
      Arrays.fill(out, XtCounters.ZERO);
      for (Slot s : slots) {
        out[s.index] =
            switch (s.map) {
              case NOMAP -> XtCounters.ZERO;
              case NORMAL_MAP -> at(old, s.mappos);
              case ZEROED -> {
                XtCounters now = at(old, s.mappos);
                yield new XtCounters(
                    now.pcnt() - s.counters.pcnt(), now.bcnt() - s.counters.bcnt());
              }
              case SET -> s.counters;
            };
      }
      return new XtCountersInfo(table, List.of(out)).encode();
    }

    private static XtCounters at(List<XtCounters> old, int i) {
      return i >= 0 && i < old.size() ? old.get(i) : XtCounters.ZERO;
    }
  }

  /** Where one counter of the new table comes from. */
  record Slot(int index, CounterMap map, int mappos, XtCounters counters) {}

  /** iptcc_compile_table_prep + iptcc_compile_table: the SET_REPLACE buffer, counters bare. */
  public Compiled compile() {
    List<Chain> chains = chains();
    fn = Fn.COMMIT;
    int offset = 0;
    int num = 0;
    for (Chain c : chains) {
      c.headOffset = offset;
      if (!c.builtin()) {
        offset += CHAIN_HEAD_SIZE;
        num++;
      }
      for (Rule r : c.rules) {
        r.offset = offset;
        r.index = num;
        offset += r.entry.nextOffset();
        num++;
      }
      c.footOffset = offset;
      c.footIndex = num;
      offset += CHAIN_FOOT_SIZE;
      num++;
    }
    num++;
    int[] hookEntry = new int[Hook.values().length];
    int[] underflow = new int[Hook.values().length];
    List<IptEntry> out = new ArrayList<>(num);
    List<Slot> slots = new ArrayList<>(num);
    for (Chain c : chains) {
      if (c.builtin()) {
        hookEntry[c.hooknum - 1] = c.headOffset;
        underflow[c.hooknum - 1] = c.footOffset;
        slots.add(new Slot(c.footIndex, c.map, c.mappos, c.counters));
      } else {
        out.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error(c.name)));
      }
      for (Rule r : c.rules) {
        IptEntry e = r.entry;
        if (r.type == RuleType.JUMP) {
          e = withTarget(e, XtEntryTarget.standard(r.jump.headOffset + CHAIN_HEAD_SIZE));
        } else if (r.type == RuleType.FALLTHROUGH) {
          e = withTarget(e, XtEntryTarget.standard(r.offset + e.nextOffset()));
        }
        out.add(e);
        slots.add(new Slot(r.index, r.map, r.mappos, r.entry.counters()));
      }
      int verdict = c.builtin() ? c.verdict : Verdict.RETURN;
      out.add(
          IptEntry.of(IptIp.ANY, List.<XtEntryMatch>of(), XtEntryTarget.standard(verdict))
              .withCounters(c.counters));
    }
    out.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    byte[] replace = replaceOf(hookEntry, underflow, out);
    return new Compiled(replace, num, slots, info.name());
  }

  /**
   * {@code IptReplace.of(...).encode()} for these entries, written in one buffer, each entry copied
   * from what the table was read with when it is one of those entries, else encoded.
   */
  private byte[] replaceOf(int[] hookEntry, int[] underflow, List<IptEntry> out) {
    int size = IptEntries.size(out);
    byte[] replace = new byte[IptReplace.HEADER_SIZE + size];
    ByteBuffer b = Abi.wrap(replace);
    IptReplace.writeHeader(
        b,
        info.name(),
        info.validHooks(),
        out.size(),
        size,
        hookEntry,
        underflow,
        info.numEntries(),
        0);
    int at = IptReplace.HEADER_SIZE;
    for (IptEntry e : out) {
      if (readFrom.copy(e, replace, at)) {
        at += e.nextOffset();
      } else {
        at += e.encode(b, at);
      }
    }
    return replace;
  }
}
