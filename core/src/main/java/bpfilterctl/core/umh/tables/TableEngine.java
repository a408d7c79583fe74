package bpfilterctl.core.umh.tables;

import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtGetRevision;
import bpfilterctl.core.umh.SockoptHandler;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * The umh's ip_tables: answers IPT_SO_* get/setsockopt as do_ipt_get_ctl / do_ipt_set_ctl do, with
 * the same checks in the same order and the same errno. Not thread-safe: the umh answers one
 * request at a time.
 */
public final class TableEngine implements SockoptHandler {
  /** xt_counters_alloc's limit on num_counters. */
  private static final long MAX_COUNTERS = (TableTranslator.MAX_TABLE_SIZE - 64) / XtCounters.SIZE;

  private final ExtensionRegistry registry;
  private final TableTranslator translator;
  private final LiveTables store;

  /** Null while the filter table is not enforced. */
  private Enforcement enforcement;

  /** The name of the one table that is enforced. */
  static final String ENFORCED = "filter";

  public TableEngine(ExtensionRegistry registry) {
    this.registry = registry;
    this.translator = new TableTranslator(registry);
    this.store = new LiveTables(translator);
    this.enforcement = null;
  }

  /**
   * An engine whose filter table is enforced: the initial table is installed now, and every
   * accepted replace of filter after it.
   *
   * @throws Enforcement.EnforcementFailure when even the initial table cannot be installed
   */
  public TableEngine(ExtensionRegistry registry, Enforcement enforcement)
      throws Enforcement.EnforcementFailure {
    this.registry = registry;
    this.translator = new TableTranslator(registry);
    this.store = new LiveTables(translator);
    this.enforcement = enforcement;
    Table filter = store.find(ENFORCED).orElseThrow();
    if (!enforcement.adopted()) {
      enforcement.install(filterTable(filter.validHooks(), filter.entries()));
      filter.countTraffic(enforcement::traffic);
    }
  }

  /**
   * Enforces the current filter table from now on ({@code enforce on} at run time): installed at
   * once, in place of any generation {@code e} adopted. Nothing changes when it is refused.
   *
   * @return the errno with which the table was refused (it cannot be compiled); empty when enforced
   * @throws Enforcement.EnforcementFailure when it could not be put in place
   */
  public Optional<Errno> enforce(Enforcement e) throws Enforcement.EnforcementFailure {
    Table filter = store.find(ENFORCED).orElseThrow();
    FilterTable table = filterTable(filter.validHooks(), filter.entries());
    Optional<Errno> refused = e.refusal(table);
    if (refused.isPresent()) {
      return refused;
    }
    e.install(table); // nothing counted before: unenforced, or an adopted table's traffic
    filter.countTraffic(e::traffic);
    enforcement = e;
    return Optional.empty();
  }

  /**
   * Stops using the enforcement ({@code enforce off}, unload): the traffic it counted stays in the
   * filter table's counters. The caller then detaches the programs.
   */
  public void stopEnforcing() {
    if (enforcement == null) {
      return;
    }
    Table filter = store.find(ENFORCED).orElseThrow();
    filter.absorbTraffic(enforcement.traffic());
    filter.countTraffic(java.util.List::of);
    enforcement = null;
  }

  public boolean enforcing() {
    return enforcement != null;
  }

  private static FilterTable filterTable(int validHooks, TranslatedTable t) {
    return new FilterTable(t.entries(), t.hookEntry(), t.underflow(), validHooks);
  }

  @Override
  public MboxReply handle(MboxRequest request) {
    Optional<Sockopt> option = Sockopt.of(request.isSet(), request.cmd());
    if (option.isEmpty()) {
      return MboxReply.error(Errno.ENOPROTOOPT);
    }
    byte[] in = request.payload();
    try {
      return switch (option.get()) {
        case IPT_SO_GET_INFO -> MboxReply.ok(getInfo(in));
        case IPT_SO_GET_ENTRIES -> MboxReply.ok(getEntries(in));
        case IPT_SO_GET_REVISION_MATCH -> MboxReply.ok(getRevision(in, ExtensionKind.MATCH));
        case IPT_SO_GET_REVISION_TARGET -> MboxReply.ok(getRevision(in, ExtensionKind.TARGET));
        case IPT_SO_SET_REPLACE -> MboxReply.ok(replace(in));
        case IPT_SO_SET_ADD_COUNTERS -> addCounters(in);
        case BPF_SO_GET_TABLE_NAMES -> MboxReply.ok(tableNames(in));
        case HANDSHAKE -> MboxReply.error(Errno.ENOPROTOOPT); // the loop answers it, not us
        // the umh's control answers these (UmhControl); an engine alone does not know them
        case BPF_SO_GET_ENFORCEMENT, BPF_SO_SET_ENFORCE, BPF_SO_SET_UNLOAD ->
            MboxReply.error(Errno.ENOPROTOOPT);
      };
    } catch (Rejection r) {
      return MboxReply.error(r.errno());
    }
  }

  /** The table name of a request: name[31] is forced to NUL before the lookup. */
  private static String tableName(ByteBuffer b, int at) {
    return FixedName.read(b, at, Abi.TABLE_NAME_LEN - 1);
  }

  private Table table(String name) throws Rejection {
    return store.find(name).orElseThrow(() -> new Rejection(Errno.ENOENT));
  }

  /** The existing tables' names, newline-ended, padded to the buffer (ERANGE if it is short). */
  private byte[] tableNames(byte[] in) throws Rejection {
    StringBuilder names = new StringBuilder();
    for (String n : store.names()) {
      names.append(n).append('\n');
    }
    byte[] text = names.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (text.length > in.length) {
      throw new Rejection(Errno.ERANGE);
    }
    return java.util.Arrays.copyOf(text, in.length);
  }

  /** get_info. */
  private byte[] getInfo(byte[] in) throws Rejection {
    if (in.length != IptGetinfo.SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    String name = tableName(Abi.wrap(in), IptGetinfo.OFF_NAME);
    return table(name).info().encode();
  }

  /** get_entries: the caller's buffer must be exactly header + the table's current size. */
  private byte[] getEntries(byte[] in) throws Rejection {
    if (in.length < IptGetEntries.HEADER_SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    ByteBuffer b = Abi.wrap(in);
    long size = Integer.toUnsignedLong(b.getInt(IptGetEntries.OFF_SIZE));
    if (in.length != IptGetEntries.HEADER_SIZE + size) {
      throw new Rejection(Errno.EINVAL);
    }
    Table t = table(tableName(b, IptGetEntries.OFF_NAME));
    if (size != t.size()) {
      throw new Rejection(Errno.EAGAIN);
    }
    byte[] out = in.clone();
    EntriesWriter.write(t, out, IptGetEntries.HEADER_SIZE);
    return out;
  }

  /**
   * IPT_SO_GET_REVISION_*: the kernel's positive answer (the best revision) does not reach the
   * caller (getsockopt returns 0), and the buffer stays as it came.
   */
  private byte[] getRevision(byte[] in, ExtensionKind kind) throws Rejection {
    if (in.length != XtGetRevision.SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    ByteBuffer b = Abi.wrap(in);
    String name = FixedName.read(b, XtGetRevision.OFF_NAME, Abi.EXTENSION_NAME_LEN - 1);
    int revision = Byte.toUnsignedInt(b.get(XtGetRevision.OFF_REVISION));
    int answer =
        enforcement != null && !enforcement.offers(kind, name)
            ? Errno.ENOENT.status() // as xt_find_revision without the module
            : registry.revisionAnswer(kind, name, revision);
    if (answer < 0) {
      throw new Rejection(Errno.of(-answer).orElse(Errno.EINVAL));
    }
    return in.clone();
  }

  /** do_replace and __do_replace. On success, the old table's counters. */
  private byte[] replace(byte[] in) throws Rejection {
    if (in.length < IptReplace.HEADER_SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    ByteBuffer b = Abi.wrap(in);
    long numCounters = Integer.toUnsignedLong(b.getInt(IptReplace.OFF_NUM_COUNTERS));
    long size = Integer.toUnsignedLong(b.getInt(IptReplace.OFF_SIZE));
    if (numCounters >= Integer.MAX_VALUE / XtCounters.SIZE) {
      throw new Rejection(Errno.ENOMEM);
    }
    if (numCounters == 0) {
      throw new Rejection(Errno.EINVAL);
    }
    if (in.length < size + IptReplace.HEADER_SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    if (size + 64 >= TableTranslator.MAX_TABLE_SIZE) {
      throw new Rejection(Errno.ENOMEM); // xt_alloc_table_info
    }
    String name = tableName(b, IptReplace.OFF_NAME);
    int validHooks = b.getInt(IptReplace.OFF_VALID_HOOKS);
    int[] hookEntry = new int[Abi.NUM_HOOKS];
    int[] underflow = new int[Abi.NUM_HOOKS];
    for (int h = 0; h < Abi.NUM_HOOKS; h++) {
      hookEntry[h] = b.getInt(IptReplace.OFF_HOOK_ENTRY + 4 * h);
      underflow[h] = b.getInt(IptReplace.OFF_UNDERFLOW + 4 * h);
    }
    byte[] entries =
        Arrays.copyOfRange(in, IptReplace.HEADER_SIZE, IptReplace.HEADER_SIZE + (int) size);
    TranslatedTable translated =
        translator.translate(
            name, validHooks, b.getInt(IptReplace.OFF_NUM_ENTRIES), hookEntry, underflow, entries);
    boolean enforced = enforcement != null && name.equals(ENFORCED);
    FilterTable compiled = enforced ? filterTable(validHooks, translated) : null;
    if (enforced) {
      // A table that cannot be enforced is refused as translate_table refuses a missing extension.
      Optional<Errno> refused = enforcement.refusal(compiled);
      if (refused.isPresent()) {
        throw new Rejection(refused.get());
      }
    }
    if (numCounters >= MAX_COUNTERS) {
      throw new Rejection(Errno.ENOMEM);
    }
    Table old = table(name);
    if (validHooks != old.validHooks()) {
      throw new Rejection(Errno.EINVAL);
    }
    if (numCounters != old.number()) {
      throw new Rejection(Errno.EAGAIN);
    }
    Table next = new Table(name, validHooks, translated);
    if (!enforced) {
      store.replace(next);
      return old.packedCounters();
    }
    java.util.List<XtCounters> finalTraffic;
    try {
      finalTraffic = enforcement.install(compiled);
    } catch (Enforcement.EnforcementFailure f) {
      throw new Rejection(Errno.ENOMEM);
    }
    next.countTraffic(enforcement::traffic);
    store.replace(next);
    return old.packedCounters(finalTraffic);
  }

  /** do_add_counters with xt_copy_counters. */
  private MboxReply addCounters(byte[] in) throws Rejection {
    if (in.length < XtCountersInfo.HEADER_SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    ByteBuffer b = Abi.wrap(in);
    long num = Integer.toUnsignedLong(b.getInt(XtCountersInfo.OFF_NUM_COUNTERS));
    if (num * XtCounters.SIZE != in.length - XtCountersInfo.HEADER_SIZE) {
      throw new Rejection(Errno.EINVAL);
    }
    Table t = table(tableName(b, XtCountersInfo.OFF_NAME));
    if (t.number() != num) {
      throw new Rejection(Errno.EINVAL);
    }
    t.addCounters(b, XtCountersInfo.HEADER_SIZE);
    return MboxReply.ok();
  }
}
