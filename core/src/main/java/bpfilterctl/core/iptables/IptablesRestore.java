package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.RuleTable.Chain;
import bpfilterctl.core.iptables.RuleTable.TableError;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.XtCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code iptables-restore [-c] [-n] [-t] [-v] [-T TABLE] [FILE]} over text already read: each
 * "*table ... COMMIT" block is built on a fresh read of the table and committed in one SET_REPLACE,
 * so a block that fails changes nothing; blocks committed before it stay, as with iptables.
 */
public final class IptablesRestore {
  private static final String PROGRAM = "iptables-restore";

  /** What COMMIT does with the table its block built. */
  @FunctionalInterface
  public interface Committer {
    void commit(RuleTable table) throws TableError, ModuleException;
  }

  private final Iptables iptables;
  private final Committer committer;

  public IptablesRestore(Iptables iptables) {
    this(iptables, t -> TableIo.commit(iptables.port(), t));
  }

  public IptablesRestore(Iptables iptables, Committer committer) {
    this.iptables = iptables;
    this.committer = committer;
  }

  /**
   * The SET_REPLACE buffer that restoring {@code table} (or the text's first table, when null) from
   * iptables-save text would send, counters included, built against the live table and sent
   * nowhere. A refusal carries iptables-restore's messages.
   */
  public static byte[] replaceBlob(Iptables iptables, String saveText, String table)
      throws RuleException, ModuleException {
    String wanted = table;
    if (wanted == null) {
      wanted =
          saveText
              .lines()
              .filter(l -> l.startsWith("*"))
              .map(l -> l.substring(1).trim())
              .findFirst()
              .orElseThrow(() -> RuleException.other("no *table line in the input"));
    }
    java.util.List<byte[]> built = new ArrayList<>();
    StringBuilder err = new StringBuilder();
    int status =
        new IptablesRestore(iptables, t -> built.add(t.compile().replace()))
            .run(
                new Options(true, false, false, 0, wanted, null),
                saveText,
                new StringBuilder(),
                err);
    if (status != 0) {
      throw new RuleException(
              status == 2 ? RuleException.Status.PARAMETER : RuleException.Status.OTHER,
              err.toString().stripTrailing())
          .bare();
    }
    if (built.isEmpty()) {
      throw RuleException.other("no *" + wanted + " block with a COMMIT in the input");
    }
    return built.get(built.size() - 1);
  }

  /** The options, parsed. */
  public record Options(
      boolean counters,
      boolean noflush,
      boolean test,
      int verbose,
      String table,
      String file,
      List<String> notes,
      int lockWait) {
    public Options(
        boolean counters, boolean noflush, boolean test, int verbose, String table, String file) {
      this(counters, noflush, test, verbose, table, file, List.of(), 0);
    }
  }

  /** A refusal of the options themselves, with iptables-restore's words and status. */
  public static final class Usage extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final boolean toStdout;

    Usage(String text, int status, boolean toStdout) {
      super(text);
      this.status = status;
      this.toStdout = toStdout;
    }

    public int status() {
      return status;
    }

    public boolean toStdout() {
      return toStdout;
    }
  }

  /** The command line (without the program name). */
  public static Options options(List<String> argv) throws Usage {
    return options("iptables-restore", argv);
  }

  /**
   * The command line (without the program name), {@code program} being argv[0]: glibc's getopt
   * names it when it complains about an option (iptables-restore leaves opterr on).
   */
  public static Options options(String program, List<String> argv) throws Usage {
    // -w and -W take no argument in the optstring: parse_wait_time/parse_wait_interval take the
    // next word themselves when it is not an option (so "-w5" is -w then an unknown -5)
    Getopt g = new Getopt(argv, "-bcvVthnwWM:T:");
    List<Getopt.LongOpt> longs =
        List.of(
            new Getopt.LongOpt("counters", 0, 'c'),
            new Getopt.LongOpt("verbose", 0, 'v'),
            new Getopt.LongOpt("version", 0, 'V'),
            new Getopt.LongOpt("test", 0, 't'),
            new Getopt.LongOpt("help", 0, 'h'),
            new Getopt.LongOpt("noflush", 0, 'n'),
            new Getopt.LongOpt("modprobe", 1, 'M'),
            new Getopt.LongOpt("table", 1, 'T'),
            new Getopt.LongOpt("wait", 2, 'w'),
            new Getopt.LongOpt("wait-interval", 2, 'W'));
    boolean counters = false;
    boolean noflush = false;
    boolean test = false;
    int wait = 0;
    boolean interval = false;
    int verbose = 0;
    String table = null;
    List<String> files = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    while (true) {
      Getopt.Found f = g.next(longs);
      if (f.kind() == Getopt.Kind.END) {
        break;
      }
      if (f.kind() == Getopt.Kind.NON_OPTION) {
        files.add(f.arg());
        continue;
      }
      char c = f.code();
      switch (c) {
        case 'b' -> {
          // -b/--binary: iptables only says it is not implemented, and so do we
        }
        case 'c' -> counters = true;
        case 'v' -> verbose++;
        case 'V' -> throw new Usage("iptables-restore v1.8.9 (legacy)", 0, true);
        case 't' -> test = true;
        case 'h' -> throw new Usage(usage(), 0, false);
        case 'n' -> noflush = true;
        case 'w' -> {
          try {
            wait = IptablesParser.waitTime(f.arg(), g);
          } catch (RuleException e) {
            throw parameterProblem(e.getMessage());
          }
        }
        case 'W' -> {
          String t = f.arg() != null ? f.arg() : g.hasArg() ? g.take() : null;
          if (t == null) {
            throw parameterProblem("wait interval value required");
          }
          long usec = IptablesParser.waitInterval(t);
          if (usec < 0) {
            throw parameterProblem("wait interval not numeric");
          }
          if (usec > 999999) {
            throw parameterProblem("too long usec wait " + usec + " > 999999 usec");
          }
          notes.add("Ignoring deprecated --wait-interval option.");
          interval = true;
        }
        case 'M' -> {
          // nothing to modprobe
        }
        case 'T' -> table = f.arg();
        default ->
            throw new Usage(
                getoptComplaint(program, f) + "Try `iptables-restore -h' for more information.",
                1,
                false);
      }
    }
    if (files.size() > 1) {
      throw new Usage("Unknown arguments found on commandline", 1, false);
    }
    if (interval && wait == 0) {
      throw new Usage("Option --wait-interval requires option --wait", 1, false);
    }
    return new Options(
        counters,
        noflush,
        test,
        verbose,
        table,
        files.isEmpty() ? null : files.get(0),
        List.copyOf(notes),
        wait);
  }

  /** xtables_error(PARAMETER_PROBLEM) while the options are read: no line has been read yet. */
  private static Usage parameterProblem(String message) {
    return new Usage(
        "iptables-restore v1.8.9 (legacy): "
            + message
            + "\nError occurred at line: 0\n"
            + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.",
        2,
        false);
  }

  /** What glibc's getopt_long prints to stderr before returning '?' or ':'. */
  private static String getoptComplaint(String program, Getopt.Found f) {
    boolean isLong = f.word() != null && f.word().startsWith("--");
    if (f.kind() == Getopt.Kind.UNKNOWN) {
      return isLong
          ? program + ": unrecognized option '" + f.word() + "'\n"
          : program + ": invalid option -- '" + f.shortName() + "'\n";
    }
    if (f.kind() == Getopt.Kind.MISSING_ARGUMENT) {
      return isLong
          ? program + ": option '" + f.word() + "' requires an argument\n"
          : program + ": option requires an argument -- '" + f.shortName() + "'\n";
    }
    return "";
  }

  static String usage() {
    return "Usage: iptables-restore [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs]"
        + " [-T table] [-M command] [file]\n"
        + "\t   [ --counters ]\n"
        + "\t   [ --verbose ]\n"
        + "\t   [ --version]\n"
        + "\t   [ --test ]\n"
        + "\t   [ --help ]\n"
        + "\t   [ --noflush ]\n"
        + "\t   [ --wait=<seconds>\n"
        + "\t   [ --table=<TABLE> ]\n"
        + "\t   [ --modprobe=<command> ]";
  }

  /** Restores {@code input}; returns the exit status. */
  public int run(Options o, String input, StringBuilder out, StringBuilder err)
      throws ModuleException {
    o.notes().forEach(n -> err.append(n).append('\n'));
    // the xtables lock is held from each "*table" line to its COMMIT
    Lock lock = new Lock(iptables.lock(), o.lockWait());
    try {
      return restore(o, input, lock, out, err);
    } finally {
      lock.release();
    }
  }

  /** Where a "*table" block starts in the input and in the output, and its commits so far. */
  private static final class Block {
    final int start;
    final int line;
    final int outLength;
    final int errLength;
    int attempts;

    Block(int start, int line, int outLength, int errLength) {
      this.start = start;
      this.line = line;
      this.outLength = outLength;
      this.errLength = errLength;
    }
  }

  /** The lock of the block being read, if any. */
  private static final class Lock {
    private final XtablesLock lock;
    private final int wait;
    private XtablesLock.Held held;

    Lock(XtablesLock lock, int wait) {
      this.lock = lock;
      this.wait = wait;
    }

    void take() throws RuleException {
      release();
      held = lock.acquire(wait);
    }

    void release() {
      if (held != null) {
        held.close();
        held = null;
      }
    }
  }

  private int restore(Options o, String input, Lock lock, StringBuilder out, StringBuilder err)
      throws ModuleException {
    Revisions revisions =
        new Revisions(iptables.catalog(), iptables.port(), w -> err.append(w).append('\n'));
    RuleTable handle = null;
    String curtable = "";
    boolean inTable = false;
    int line = 0;
    int at = 0;
    // where the current block began, to read it again when its commit meets EAGAIN
    Block block = null;
    while (at < input.length()) {
      int lineStart = at;
      int nl = input.indexOf('\n', at);
      String raw = nl < 0 ? input.substring(at) : input.substring(at, nl + 1);
      at = nl < 0 ? input.length() : nl + 1;
      line++;
      boolean ok = false;
      try {
        if (raw.startsWith("\n")) {
          continue;
        } else if (raw.startsWith("#")) {
          if (o.verbose() > 0) {
            out.append(raw);
          }
          continue;
        } else if (raw.equals("COMMIT\n") && inTable) {
          if (!o.test()) {
            try {
              committer.commit(handle);
            } catch (TableError e) {
              // the table changed since the block read it (a writer that does not take the
              // xtables lock): read it again and apply the block again, as iptables does
              if (e.errno() == Errno.EAGAIN.code()
                  && e.fn() == RuleTable.Fn.COMMIT
                  && block != null
                  && ++block.attempts < CommitRetry.ATTEMPTS) {
                CommitRetry.pause(block.attempts);
                out.setLength(block.outLength);
                err.setLength(block.errLength);
                at = block.start;
                line = block.line - 1;
                handle = null;
                inTable = false;
                continue;
              }
              throw e;
            }
          }
          ok = true;
          handle = null;
          inTable = false;
          lock.release();
        } else if (raw.startsWith("*") && !inTable) {
          if (block == null || block.start != lineStart) {
            block = new Block(lineStart, line, out.length(), err.length());
          }
          lock.take();
          List<String> words = words(raw.substring(1));
          if (words.isEmpty()) {
            throw RuleException.parameter(PROGRAM + ": line " + line + " table name invalid");
          }
          String table = words.get(0);
          curtable = table.length() > 32 ? table.substring(0, 32) : table;
          if (o.table() != null && !o.table().equals(table)) {
            lock.release();
            continue;
          }
          handle = open(table);
          if (!o.noflush()) {
            flushAndDelete(handle, o.verbose() > 0, out);
          }
          ok = true;
          inTable = true;
        } else if (raw.startsWith(":") && inTable) {
          chainLine(o, handle, raw, line);
          ok = true;
        } else if (inTable) {
          ok = ruleLine(o, handle, curtable, raw, line, revisions, out, err);
        }
      } catch (RuleException e) {
        return Iptables.report(
            e, err, PROGRAM, e.status() == RuleException.Status.PARAMETER ? line : -1);
      } catch (TableError e) {
        ok = false;
      }
      if (o.table() != null && !o.table().equals(curtable)) {
        continue;
      }
      if (!ok) {
        err.append(PROGRAM).append(": line ").append(line).append(" failed\n");
        return 1;
      }
    }
    if (inTable) {
      err.append(PROGRAM).append(": COMMIT expected at line ").append(line + 1).append('\n');
      return 1;
    }
    return 0;
  }

  private RuleTable open(String table) throws RuleException, ModuleException {
    try {
      return iptables.readTable(table);
    } catch (TableError e) {
      throw RuleException.parameter(PROGRAM + ": unable to initialize table '" + table + "'");
    }
  }

  private static void flushAndDelete(RuleTable h, boolean verbose, StringBuilder out)
      throws TableError {
    for (Chain c : List.copyOf(h.chains())) {
      if (verbose) {
        out.append("Flushing chain `").append(c.name()).append("'\n");
      }
      h.flush(c.name());
    }
    for (Chain c : List.copyOf(h.chains())) {
      if (!c.builtin()) {
        if (verbose) {
          out.append("Deleting chain `").append(c.name()).append("'\n");
        }
        h.deleteChain(c.name());
      }
    }
  }

  /** ":CHAIN POLICY [p:b]" or ":CHAIN - [p:b]". */
  private static void chainLine(Options o, RuleTable h, String raw, int line)
      throws RuleException, TableError {
    List<String> words = words(raw.substring(1));
    if (words.isEmpty()) {
      throw RuleException.parameter(PROGRAM + ": line " + line + " chain name invalid");
    }
    String chain = words.get(0);
    if (chain.length() >= Abi.EXTENSION_NAME_LEN) {
      throw RuleException.parameter(
          "Invalid chain name `" + chain + "' (" + (Abi.EXTENSION_NAME_LEN - 1) + " chars max)");
    }
    if (!h.builtin(chain)) {
      if (o.noflush() && h.isChain(chain)) {
        h.flush(chain);
      } else {
        try {
          h.createChain(chain);
        } catch (TableError e) {
          throw RuleException.parameter(
              "error creating chain '" + chain + "':" + Errno.strerror(e.errno()));
        }
      }
    }
    if (words.size() < 2) {
      throw RuleException.parameter(PROGRAM + ": line " + line + " policy invalid");
    }
    String policy = words.get(1);
    if (!policy.equals("-")) {
      XtCounters count = XtCounters.ZERO;
      if (o.counters()) {
        Optional<XtCounters> c = words.size() > 2 ? counters(words.get(2)) : Optional.empty();
        if (c.isEmpty()) {
          throw RuleException.parameter("invalid policy counters for chain '" + chain + "'");
        }
        count = c.get();
      }
      try {
        h.setPolicy(chain, policy, Optional.of(count));
      } catch (TableError e) {
        throw RuleException.other(
            "Can't set policy `"
                + policy
                + "' on `"
                + chain
                + "' line "
                + line
                + ": "
                + e.getMessage());
      }
    }
  }

  /** parse_counters: "[p:b]". */
  static Optional<XtCounters> counters(String text) {
    if (!text.startsWith("[")) {
      return Optional.empty();
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    Long p = IptablesParser.scanUnsigned(text.substring(1, colon));
    String rest = text.substring(colon + 1);
    Long b = IptablesParser.scanUnsigned(rest);
    if (p == null || b == null) {
      return Optional.empty();
    }
    return Optional.of(new XtCounters(p, b));
  }

  private boolean ruleLine(
      Options o,
      RuleTable h,
      String table,
      String raw,
      int line,
      Revisions revisions,
      StringBuilder out,
      StringBuilder err)
      throws RuleException, TableError, ModuleException {
    List<String> argv = new ArrayList<>(List.of("-t", table));
    for (int i = 0; !o.noflush() && i < o.verbose(); i++) {
      argv.add("-v");
    }
    String rest = raw;
    if (raw.startsWith("[")) {
      int close = raw.indexOf(']');
      if (close < 0) {
        throw RuleException.parameter("Bad line " + line + ": need ]");
      }
      String inside = raw.substring(1, close);
      int colon = inside.indexOf(':');
      if (colon < 0 || inside.substring(0, colon).isEmpty()) {
        throw RuleException.parameter("Bad line " + line + ": need :");
      }
      if (inside.substring(colon + 1).isEmpty()) {
        throw RuleException.parameter("Bad line " + line + ": need ]");
      }
      if (o.counters()) {
        argv.add("--set-counters");
        argv.add(inside.substring(0, colon));
        argv.add(inside.substring(colon + 1));
      }
      rest = raw.substring(close + 1);
    }
    // iptables-restore's own argv[0] comes before these in its store
    argv.addAll(ruleWords(rest, argv.size() + 1));
    IptablesParser parser =
        new IptablesParser(revisions, iptables.lookups(), w -> err.append(w).append('\n'), true);
    ParsedCommand p;
    try {
      p = parser.parse(argv, table);
    } catch (IptablesParser.InfoRequest info) {
      out.append(info.text()).append('\n');
      return true;
    }
    return iptables.execute(p, h, revisions, out, err);
  }

  /** strtok(" \t\n") words. */
  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String w : s.split("[ \t\n]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  /** add_param_to_argv's words of a rule line; {@code stored} words are in the store already. */
  static List<String> ruleWords(String line, int stored) throws RuleException {
    try {
      return ParamSplitter.split(line, stored).stream().map(ParamSplitter.Word::text).toList();
    } catch (ParamSplitter.Problem p) {
      throw RuleException.parameter(p.getMessage());
    }
  }
}
