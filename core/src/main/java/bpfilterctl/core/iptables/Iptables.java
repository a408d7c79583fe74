package bpfilterctl.core.iptables;

import static bpfilterctl.core.iptables.ParsedCommand.*;

import bpfilterctl.core.iptables.RuleTable.Chain;
import bpfilterctl.core.iptables.RuleTable.Rule;
import bpfilterctl.core.iptables.RuleTable.TableError;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code iptables} command (iptables-standalone.c and do_command4): parse, read the table,
 * apply, commit, and print exactly what iptables-legacy 1.8.9 prints, with its exit status.
 */
public final class Iptables {
  /** iptables' exit statuses. */
  public static final int OK = 0;

  public static final int OTHER_PROBLEM = 1;
  public static final int PARAMETER_PROBLEM = 2;
  public static final int VERSION_PROBLEM = 3;
  public static final int RESOURCE_PROBLEM = 4;

  static final String PREFIX = "iptables v1.8.9 (legacy): ";

  private final Sockopts port;
  private final XtExtensions catalog;
  private final Lookups lookups;
  private final XtablesLock lock;
  private final TableIo.EntryDecoder decoder;

  public Sockopts port() {
    return port;
  }

  public XtExtensions catalog() {
    return catalog;
  }

  public Lookups lookups() {
    return lookups;
  }

  /** The xtables lock every command takes after parsing (iptables-restore: per table block). */
  public XtablesLock lock() {
    return lock;
  }

  /** Without the xtables lock: a table nothing else writes (a private engine). */
  public Iptables(Sockopts port, XtExtensions catalog, Lookups lookups) {
    this(port, catalog, lookups, XtablesLock.none());
  }

  public Iptables(Sockopts port, XtExtensions catalog, Lookups lookups, XtablesLock lock) {
    this(port, catalog, lookups, lock, TableIo.EntryDecoder.FRESH);
  }

  /**
   * @param decoder how the tables' entries are decoded (a daemon's {@link EntriesCache} shares them
   *     between its clients' commands)
   */
  public Iptables(
      Sockopts port,
      XtExtensions catalog,
      Lookups lookups,
      XtablesLock lock,
      TableIo.EntryDecoder decoder) {
    this.port = port;
    this.catalog = catalog;
    this.lookups = lookups;
    this.lock = lock;
    this.decoder = decoder;
  }

  /** TC_INIT of {@code table} as the iptables commands do it ({@link TableIo#initTwice}). */
  RuleTable readTable(String table) throws TableError, ModuleException {
    return TableIo.initTwice(port, table, decoder);
  }

  /**
   * What -h or -V would print for {@code argv}, worked out without the module: the GET_REVISION
   * probes of the extensions on the line go to a private engine with the module's own registry,
   * which answers as the module does. Empty when the line asks for something else (or is refused:
   * the real run then says why).
   */
  public static Optional<String> info(List<String> argv, XtExtensions catalog, Lookups lookups)
      throws ModuleException {
    if (argv.stream().noneMatch(Iptables::mayAskForInfo)) {
      return Optional.empty();
    }
    Sockopts offline =
        ModuleSockopts.direct(
            new bpfilterctl.core.umh.tables.TableEngine(
                    bpfilterctl.core.kernel.ExtensionRegistry.kernel())
                ::handle);
    Revisions revisions = new Revisions(catalog, offline, w -> {});
    try {
      new IptablesParser(revisions, lookups, w -> {}, false).parse(argv, "filter");
      return Optional.empty();
    } catch (IptablesParser.InfoRequest info) {
      return Optional.of(info.text() + "\n");
    } catch (RuleException e) {
      return Optional.empty();
    }
  }

  /** -h, -V, a cluster of short options with either, or a long option that may abbreviate them. */
  private static boolean mayAskForInfo(String word) {
    if (word.startsWith("--")) {
      return word.startsWith("--h") || word.startsWith("--ve");
    }
    return word.startsWith("-") && (word.indexOf('h') > 0 || word.indexOf('V') > 0);
  }

  /** One `iptables ARGS` run; output goes to {@code out} and {@code err}. */
  public int run(List<String> argv, StringBuilder out, StringBuilder err) throws ModuleException {
    Revisions revisions = new Revisions(catalog, port, w -> err.append(w).append('\n'));
    IptablesParser parser =
        new IptablesParser(revisions, lookups, w -> err.append(w).append('\n'), false);
    ParsedCommand p;
    try {
      p = parser.parse(argv, "filter");
    } catch (IptablesParser.InfoRequest info) {
      out.append(info.text()).append('\n');
      return OK;
    } catch (RuleException e) {
      return report(e, err);
    }
    // do_command4 takes the lock after parsing and holds it to the end, commit included
    XtablesLock.Held held;
    try {
      held = lock.acquire(p.lockWait());
    } catch (RuleException e) {
      return report(e, err);
    }
    try {
      return runParsed(p, revisions, out, err);
    } finally {
      held.close();
    }
  }

  private int runParsed(ParsedCommand p, Revisions revisions, StringBuilder out, StringBuilder err)
      throws ModuleException {
    // The table can change between our read and our replace (another shell, the daemon's other
    // clients): the module then answers EAGAIN. iptables-legacy serialises through its lock file
    // instead; we read again and apply the command again, as a second run of it would.
    for (int attempt = 1; ; attempt++) {
      RuleTable t;
      try {
        t = readTable(p.table());
      } catch (TableError e) {
        err.append(PREFIX)
            .append("can't initialize iptables table `")
            .append(p.table())
            .append("': ")
            .append(e.getMessage())
            .append('\n')
            .append("Perhaps iptables or your kernel needs to be upgraded.\n");
        return VERSION_PROBLEM;
      }
      StringBuilder o = new StringBuilder();
      StringBuilder e = new StringBuilder();
      try {
        boolean ok = execute(p, t, revisions, o, e);
        if (ok) {
          TableIo.commit(port, t);
        }
        out.append(o);
        err.append(e);
        return OK;
      } catch (RuleException x) {
        out.append(o);
        err.append(e);
        return report(x, err);
      } catch (TableError x) {
        if (x.errno() == Errno.EAGAIN.code()
            && x.fn() == RuleTable.Fn.COMMIT
            && attempt < CommitRetry.ATTEMPTS) {
          CommitRetry.pause(attempt);
          continue;
        }
        out.append(o);
        err.append(e);
        err.append("iptables: ").append(x.getMessage()).append('.');
        if (x.errno() == Errno.EINVAL.code()) {
          err.append(" Run `dmesg' for more information.");
        }
        err.append('\n');
        return x.errno() == Errno.EAGAIN.code() ? RESOURCE_PROBLEM : OTHER_PROBLEM;
      }
    }
  }

  /** xtables_exit_error's output for a refusal, as iptables words it. */
  static int report(RuleException e, StringBuilder err) {
    return report(e, err, "iptables", -1);
  }

  /**
   * xtables_exit_error for {@code program}; {@code line} &gt;= 0 adds iptables-restore's "Error
   * occurred at line" before the hint.
   */
  static int report(RuleException e, StringBuilder err, String program, int line) {
    if (!e.isBare()) {
      err.append(program).append(" v1.8.9 (legacy): ");
    }
    if (!e.getMessage().isEmpty() || !e.isBare()) {
      err.append(e.getMessage()).append('\n');
    }
    if (e.status() == RuleException.Status.PARAMETER) {
      if (line >= 0) {
        err.append("Error occurred at line: ").append(line).append('\n');
      }
      err.append("Try `")
          .append(program)
          .append(" -h' or '")
          .append(program)
          .append(" --help' for more information.\n");
    }
    return e.status().exitCode();
  }

  /** do_command4 after parsing: false (with the failure thrown) never; true to commit. */
  boolean execute(
      ParsedCommand p, RuleTable t, Revisions revisions, StringBuilder out, StringBuilder err)
      throws RuleException, TableError, ModuleException {
    RulePrinter printer = new RulePrinter(revisions, lookups, p.table());
    String chain = p.chain();
    IptEntry entry = null;
    DeleteMask mask = null;
    boolean extensionTarget = false;
    if (p.isRuleCommand()) {
      Optional<LoadedExtension> target = p.target();
      if (target.isPresent() && t.isChain(p.jumpto())) {
        err.append("Warning: using chain ").append(p.jumpto()).append(", not extension\n");
        target = Optional.empty();
      }
      extensionTarget = target.isPresent();
      XtEntryTarget xt;
      int targetUserSize = 0;
      if (target.isPresent()) {
        LoadedExtension l = target.get();
        xt =
            new XtEntryTarget(l.extension().realName(), l.extension().revision(), l.data().bytes());
        targetUserSize = l.extension().userSpaceSize();
      } else if (IptablesParser.isStandardName(p.jumpto()) || t.isChain(p.jumpto())) {
        xt = new XtEntryTarget(p.jumpto(), 0, new byte[Abi.align(4)]);
        targetUserSize = 4;
      } else {
        if ((p.ip().flags() & 0x02) != 0) {
          throw RuleException.parameter("goto '" + p.jumpto() + "' is not a chain");
        }
        revisions.find(ExtensionKind.TARGET, p.jumpto());
        throw RuleException.parameter(
            "Couldn't load target `" + p.jumpto() + "':No such file or directory\n");
      }
      List<XtEntryMatch> matches = new ArrayList<>();
      List<Integer> userSizes = new ArrayList<>();
      for (LoadedExtension m : p.matches()) {
        matches.add(
            new XtEntryMatch(m.extension().realName(), m.extension().revision(), m.data().bytes()));
        userSizes.add(m.extension().userSpaceSize());
      }
      entry = new IptEntry(p.ip(), 0, 0, p.counters(), matches, xt);
      mask = new DeleteMask(userSizes, targetUserSize);
    }
    int cmd = p.command();
    boolean verbose = p.has(OPT_VERBOSE);
    switch (cmd) {
      case CMD_APPEND, CMD_INSERT, CMD_DELETE, CMD_CHECK -> {
        for (Addresses.Net s : p.sources()) {
          for (Addresses.Net d : p.destinations()) {
            IptEntry e = withAddresses(entry, s, d);
            if (verbose) {
              printVerbose(printer, out, e, extensionTarget);
            }
            switch (cmd) {
              case CMD_APPEND -> t.append(chain, e);
              case CMD_INSERT -> t.insert(chain, e, p.rulenum() - 1);
              case CMD_DELETE -> t.delete(chain, e, mask, false);
              default -> t.delete(chain, e, mask, true);
            }
          }
        }
      }
      case CMD_REPLACE -> {
        if (p.sources().isEmpty()) {
          // a line iptables-restore ignores (-6): 1.8.9 reads an address that is not there
          // and crashes; there is nothing to replace with
          return true;
        }
        IptEntry e = withAddresses(entry, p.sources().get(0), p.destinations().get(0));
        if (verbose) {
          printVerbose(printer, out, e, extensionTarget);
        }
        t.replace(chain, e, p.rulenum() - 1);
      }
      case CMD_DELETE_NUM -> t.deleteNum(chain, p.rulenum() - 1);
      case CMD_FLUSH -> forEachChain(t, chain, true, verbose, "Flushing", out, t::flush);
      case CMD_ZERO -> forEachChain(t, chain, true, verbose, "Zeroing", out, t::zero);
      case CMD_ZERO_NUM -> t.zeroCounter(chain, p.rulenum());
      case CMD_NEW_CHAIN -> t.createChain(chain);
      case CMD_DELETE_CHAIN ->
          forEachChain(t, chain, false, verbose, "Deleting", out, t::deleteChain);
      case CMD_RENAME_CHAIN -> t.renameChain(chain, p.newName());
      case CMD_SET_POLICY ->
          t.setPolicy(
              chain,
              p.policy(),
              p.has(OPT_COUNTERS) ? Optional.of(p.counters()) : Optional.empty());
      default -> {
        if ((cmd & CMD_LIST) != 0) {
          list(p, t, printer, out);
        } else if ((cmd & CMD_LIST_RULES) != 0) {
          listRules(p, t, printer, out);
        }
        if ((cmd & CMD_ZERO) != 0) {
          forEachChain(t, chain, true, verbose, "Zeroing", out, t::zero);
        }
        if ((cmd & CMD_ZERO_NUM) != 0) {
          t.zeroCounter(chain, p.rulenum());
        }
      }
    }
    return true;
  }

  /**
   * -v's line for a rule as it is sent: print_firewall looks a verdict's or a chain's name up as
   * the standard target, which prints nothing after the addresses.
   */
  private static void printVerbose(
      RulePrinter printer, StringBuilder out, IptEntry e, boolean extensionTarget)
      throws RuleException, ModuleException {
    IptEntry shown =
        extensionTarget
            ? e
            : new IptEntry(
                e.ip(),
                e.nfcache(),
                e.comefrom(),
                e.counters(),
                e.matches(),
                XtEntryTarget.standard(0));
    printer.rule(out, shown, e.target().name(), 0, RulePrinter.FMT_PRINT_RULE);
  }

  private static IptEntry withAddresses(IptEntry e, Addresses.Net s, Addresses.Net d) {
    IptIp with = e.ip().withSource(s.addr(), s.mask()).withDestination(d.addr(), d.mask());
    return new IptEntry(with, e.nfcache(), e.comefrom(), e.counters(), e.matches(), e.target());
  }

  /** An edit of one chain by name. */
  private interface ChainEdit {
    void apply(String chain) throws TableError;
  }

  /** for_each_chain4 when no chain is named (built-ins too, or not), else the one chain. */
  private static void forEachChain(
      RuleTable t,
      String chain,
      boolean builtinsToo,
      boolean verbose,
      String verb,
      StringBuilder out,
      ChainEdit edit)
      throws TableError {
    List<String> names = new ArrayList<>();
    if (chain != null) {
      names.add(chain);
    } else {
      for (Chain c : t.chains()) {
        if (builtinsToo || !c.builtin()) {
          names.add(c.name());
        }
      }
    }
    // libiptc's for_each_chain goes on past a refusal and the command fails with the last one
    TableError last = null;
    for (String n : names) {
      if (verbose) {
        out.append(verb).append(" chain `").append(n).append("'\n");
      }
      try {
        edit.apply(n);
      } catch (TableError e) {
        last = e;
      }
    }
    if (last != null) {
      throw last;
    }
  }

  /** list_entries. */
  private void list(ParsedCommand p, RuleTable t, RulePrinter printer, StringBuilder out)
      throws RuleException, TableError, ModuleException {
    int format = RulePrinter.FMT_OPTIONS;
    format |= p.has(OPT_VERBOSE) ? RulePrinter.FMT_VIA : RulePrinter.FMT_NOCOUNTS;
    if (p.has(OPT_NUMERIC)) {
      format |= RulePrinter.FMT_NUMERIC;
    }
    if (!p.has(OPT_EXPANDED)) {
      format |= RulePrinter.FMT_KILOMEGAGIGA;
    }
    if (p.has(OPT_LINENUMBERS)) {
      format |= RulePrinter.FMT_LINENUMBERS;
    }
    boolean found = false;
    for (Chain c : t.chains()) {
      if (p.chain() != null && !p.chain().equals(c.name())) {
        continue;
      }
      if (found) {
        out.append('\n');
      }
      if (p.rulenum() == 0) {
        printer.header(out, format, c, c.references());
      }
      int num = 0;
      for (Rule r : c.rules()) {
        num++;
        if (p.rulenum() == 0 || num == p.rulenum()) {
          printer.rule(out, r.entry(), RuleTable.targetName(r), num, format);
        }
      }
      found = true;
    }
    if (!found) {
      throw new TableError(t.lastFn(), 2);
    }
  }

  /** list_rules. */
  private void listRules(ParsedCommand p, RuleTable t, RulePrinter printer, StringBuilder out)
      throws RuleException, TableError, ModuleException {
    int counters = p.has(OPT_VERBOSE) ? -1 : 0;
    if (p.rulenum() == 0) {
      for (Chain c : t.chains()) {
        if (p.chain() != null && !c.name().equals(p.chain())) {
          continue;
        }
        if (c.builtin()) {
          out.append("-P ").append(c.name()).append(' ').append(RuleTable.verdictName(c.verdict()));
          if (counters != 0) {
            out.append(" -c ")
                .append(Long.toUnsignedString(c.counters().pcnt()))
                .append(' ')
                .append(Long.toUnsignedString(c.counters().bcnt()));
          }
          out.append('\n');
        } else {
          out.append("-N ").append(c.name()).append('\n');
        }
      }
    }
    boolean found = false;
    for (Chain c : t.chains()) {
      if (p.chain() != null && !c.name().equals(p.chain())) {
        continue;
      }
      int num = 0;
      for (Rule r : c.rules()) {
        num++;
        if (p.rulenum() == 0 || num == p.rulenum()) {
          printer.saveRule(out, r, c.name(), counters);
        }
      }
      found = true;
    }
    if (!found) {
      throw new TableError(t.lastFn(), 2);
    }
  }
}
