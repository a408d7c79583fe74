package bpfilterctl.core.iptables;

import static bpfilterctl.core.iptables.ParsedCommand.*;

import bpfilterctl.core.iptables.ext.CNumbers;
import bpfilterctl.core.iptables.ext.ExtData;
import bpfilterctl.core.iptables.ext.Libxtables;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtension;
import bpfilterctl.core.iptables.ext.XtOption;
import bpfilterctl.core.iptables.ext.XtOptionParser;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * iptables' command line (xshared.c's do_parse with ipv4_proto_parse and ipv4_post_parse): the same
 * options, the same order of checks and the same messages. Extensions are chosen through {@link
 * Revisions}, which asks the module as iptables does while it parses.
 */
public final class IptablesParser {
  static final String OPTSTRING =
      "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x";

  private static final List<Getopt.LongOpt> ORIGINAL =
      List.of(
          new Getopt.LongOpt("append", 1, 'A'),
          new Getopt.LongOpt("delete", 1, 'D'),
          new Getopt.LongOpt("check", 1, 'C'),
          new Getopt.LongOpt("insert", 1, 'I'),
          new Getopt.LongOpt("replace", 1, 'R'),
          new Getopt.LongOpt("list", 2, 'L'),
          new Getopt.LongOpt("list-rules", 2, 'S'),
          new Getopt.LongOpt("flush", 2, 'F'),
          new Getopt.LongOpt("zero", 2, 'Z'),
          new Getopt.LongOpt("new-chain", 1, 'N'),
          new Getopt.LongOpt("delete-chain", 2, 'X'),
          new Getopt.LongOpt("rename-chain", 1, 'E'),
          new Getopt.LongOpt("policy", 1, 'P'),
          new Getopt.LongOpt("source", 1, 's'),
          new Getopt.LongOpt("destination", 1, 'd'),
          new Getopt.LongOpt("src", 1, 's'),
          new Getopt.LongOpt("dst", 1, 'd'),
          new Getopt.LongOpt("protocol", 1, 'p'),
          new Getopt.LongOpt("in-interface", 1, 'i'),
          new Getopt.LongOpt("jump", 1, 'j'),
          new Getopt.LongOpt("table", 1, 't'),
          new Getopt.LongOpt("match", 1, 'm'),
          new Getopt.LongOpt("numeric", 0, 'n'),
          new Getopt.LongOpt("out-interface", 1, 'o'),
          new Getopt.LongOpt("verbose", 0, 'v'),
          new Getopt.LongOpt("wait", 2, 'w'),
          new Getopt.LongOpt("wait-interval", 2, 'W'),
          new Getopt.LongOpt("exact", 0, 'x'),
          new Getopt.LongOpt("fragments", 0, 'f'),
          new Getopt.LongOpt("version", 0, 'V'),
          new Getopt.LongOpt("help", 2, 'h'),
          new Getopt.LongOpt("line-numbers", 0, '0'),
          new Getopt.LongOpt("modprobe", 1, 'M'),
          new Getopt.LongOpt("set-counters", 1, 'c'),
          new Getopt.LongOpt("goto", 1, 'g'),
          new Getopt.LongOpt("ipv4", 0, '4'),
          new Getopt.LongOpt("ipv6", 0, '6'));

  private static final char[] OPT_FLAGS = {
    'n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'
  };
  private static final int[] INVERSE_FOR = {
    0,
    IptIp.INV_SRCIP,
    IptIp.INV_DSTIP,
    IptIp.INV_PROTO,
    0,
    0,
    0,
    IptIp.INV_VIA_IN,
    IptIp.INV_VIA_OUT,
    0,
    0,
    IptIp.INV_FRAG
  };
  private static final char[] CMD_FLAGS = {
    'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'
  };

  /** commands_v_options: 'x' illegal, '+' compulsory, ' ' optional. */
  private static final String[] LEGAL = {
    "x     x  x  ", // INSERT
    "x     x  xx ", // DELETE
    "xxxxx xxxxxx", // DELETE_NUM
    "x     x  x  ", // REPLACE
    "x     x  x  ", // APPEND
    " xxxx  xx xx", // LIST
    "xxxxx xxxxxx", // FLUSH
    "xxxxx xxxxxx", // ZERO
    "xxxxx xxxxxx", // NEW_CHAIN
    "xxxxx xxxxxx", // DEL_CHAIN
    "xxxxx xxxx x", // SET_POLICY
    "xxxxx xxxxxx", // RENAME
    "xxxxx xxxxxx", // LIST_RULES
    "xxxxx xxxxxx", // ZERO_NUM
    "x     x  xx ", // CHECK
  };

  private final Revisions revisions;
  private final Lookups lookups;
  private final Consumer<String> warnings;
  private final boolean restore;

  public IptablesParser(
      Revisions revisions, Lookups lookups, Consumer<String> warnings, boolean restore) {
    this.revisions = revisions;
    this.lookups = lookups;
    this.warnings = warnings;
    this.restore = restore;
  }

  /** What -h and -V ask for instead of a command. */
  public static final class InfoRequest extends Exception {
    private static final long serialVersionUID = 1L;
    private final String text;

    InfoRequest(String text) {
      super(text);
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * -6 in iptables-restore: do_parse returns at once, and do_command4 goes on with what it had
   * parsed before it (no checks, no addresses, so a rule command adds or finds nothing).
   */
  private static final class LineIgnored extends Exception {
    private static final long serialVersionUID = 1L;

    LineIgnored() {
      super(null, null, false, false);
    }
  }

  /** The state of one parse (iptables_command_state and xtables_args). */
  private final class State {
    final Getopt g;
    int command;
    String chain;
    int rulenum;
    String policy;
    String newName;
    String table;
    boolean tableSet;
    int options;
    int invflags;
    int proto;
    String protocol;
    boolean protoUsed;
    String shost;
    String dhost;
    byte[] iniface = new byte[IptIp.IFNAMSIZ];
    byte[] inifaceMask = new byte[IptIp.IFNAMSIZ];
    byte[] outiface = new byte[IptIp.IFNAMSIZ];
    byte[] outifaceMask = new byte[IptIp.IFNAMSIZ];
    int flags;
    boolean gotoSet;
    String jumpto = "";
    int verbose;
    long pcnt;
    long bcnt;
    boolean wait;
    int waitSeconds;
    boolean waitIntervalSet;
    final List<LoadedExtension> matches = new ArrayList<>();
    LoadedExtension target;
    final List<Getopt.LongOpt> longs = new ArrayList<>(ORIGINAL);
    int extensionCount;

    State(List<String> argv, String table) {
      this.g = new Getopt(argv, OPTSTRING);
      this.table = table;
    }

    IptIp ip() {
      return IptIp.ANY
          .withInIface(cString(iniface), inifaceMask)
          .withOutIface(cString(outiface), outifaceMask)
          .withProto(proto)
          .withFlags(flags, invflags);
    }
  }

  /** Parses {@code argv} (without the program name) for {@code table}. */
  public ParsedCommand parse(List<String> argv, String table)
      throws RuleException, ModuleException, InfoRequest {
    State s = new State(argv, table);
    boolean invert = false;
    while (true) {
      Getopt.Found f = s.g.next(s.longs);
      if (f.kind() == Getopt.Kind.END) {
        break;
      }
      if (f.kind() == Getopt.Kind.NON_OPTION) {
        if (f.arg().equals("!")) {
          if (invert) {
            throw RuleException.parameter("multiple consecutive ! not allowed");
          }
          invert = true;
          continue;
        }
        throw new RuleException(RuleException.Status.PARAMETER, "Bad argument `" + f.arg() + "'")
            .bare();
      }
      if (f.kind() == Getopt.Kind.LONG && f.key() instanceof ExtOption eo) {
        dispatchExtension(s, eo, f.arg(), invert);
        invert = false;
        continue;
      }
      if (f.kind() == Getopt.Kind.UNKNOWN || f.kind() == Getopt.Kind.MISSING_ARGUMENT) {
        if (loadProtocol(s)) {
          s.g.rewind();
          continue;
        }
        if (f.kind() == Getopt.Kind.MISSING_ARGUMENT) {
          throw RuleException.parameter("option \"" + f.word() + "\" requires an argument");
        }
        throw RuleException.parameter("unknown option \"" + f.word() + "\"");
      }
      try {
        option(s, f.code(), f.arg(), invert);
      } catch (LineIgnored ignored) {
        return asParsedSoFar(s);
      }
      invert = false;
    }
    return finish(s, invert);
  }

  /**
   * parse_wait_time: -w's seconds as sscanf("%i") reads them (a trailing rest ignored), from its
   * attached argument or the next word when that is no option; -1 when there is none.
   */
  static int waitTime(String optarg, Getopt g) throws RuleException {
    String t = optarg != null ? optarg : g.hasArg() ? g.take() : null;
    if (t == null) {
      return -1;
    }
    Integer n = CNumbers.scanfInt(t);
    if (n == null) {
      throw RuleException.parameter("wait seconds not numeric");
    }
    return n;
  }

  /** The command as far as do_parse got when -6 made it return: no address at all. */
  private static ParsedCommand asParsedSoFar(State s) {
    return new ParsedCommand(
        s.command,
        s.table,
        s.chain,
        s.rulenum,
        s.policy,
        s.newName,
        s.options,
        s.verbose,
        s.ip(),
        List.of(),
        List.of(),
        s.jumpto,
        s.matches,
        Optional.ofNullable(s.target),
        new XtCounters(s.pcnt, s.bcnt),
        s.waitSeconds);
  }

  /** The option letters of do_parse that are commands, and those that make up the rule. */
  private static final String COMMANDS = "ACDRILSFZNXEP";

  private static final String RULE_PARTS = "psdgjiofm";

  /** An extension's option in the long-option table. */
  private record ExtOption(XtExtension extension, XtOption option, boolean isTarget) {}

  private void option(State s, char c, String optarg, boolean invert)
      throws RuleException, ModuleException, InfoRequest, LineIgnored {
    if (COMMANDS.indexOf(c) >= 0) {
      command(s, c, optarg, invert);
    } else if (RULE_PARTS.indexOf(c) >= 0) {
      rulePart(s, c, optarg, invert);
    } else {
      runOption(s, c, optarg, invert);
    }
  }

  /** -A, -I, -L ...: what to do, and on which chain (do_parse's command cases). */
  private void command(State s, char c, String optarg, boolean invert)
      throws RuleException, ModuleException {
    Getopt g = s.g;
    switch (c) {
      case 'A' -> {
        addCommand(s, CMD_APPEND, 0, invert);
        s.chain = optarg;
      }
      case 'C' -> {
        addCommand(s, CMD_CHECK, 0, invert);
        s.chain = optarg;
      }
      case 'D' -> {
        addCommand(s, CMD_DELETE, 0, invert);
        s.chain = optarg;
        if (g.hasArg()) {
          s.rulenum = ruleNumber(g.take());
          s.command = CMD_DELETE_NUM;
        }
      }
      case 'R' -> {
        addCommand(s, CMD_REPLACE, 0, invert);
        s.chain = optarg;
        if (!g.hasArg()) {
          throw RuleException.parameter("-R requires a rule number");
        }
        s.rulenum = ruleNumber(g.take());
      }
      case 'I' -> {
        addCommand(s, CMD_INSERT, 0, invert);
        s.chain = optarg;
        s.rulenum = g.hasArg() ? ruleNumber(g.take()) : 1;
      }
      case 'L', 'S' -> {
        addCommand(s, c == 'L' ? CMD_LIST : CMD_LIST_RULES, CMD_ZERO | CMD_ZERO_NUM, invert);
        optionalChainAndNumber(s, optarg, true);
      }
      case 'F' -> {
        addCommand(s, CMD_FLUSH, 0, invert);
        optionalChainAndNumber(s, optarg, false);
      }
      case 'Z' -> {
        addCommand(s, CMD_ZERO, CMD_LIST | CMD_LIST_RULES, invert);
        if (optarg != null) {
          s.chain = optarg;
        } else if (g.hasArg()) {
          s.chain = g.take();
        }
        if (g.hasArg()) {
          s.rulenum = ruleNumber(g.take());
          s.command = CMD_ZERO_NUM;
        }
      }
      case 'N' -> {
        assertValidChainName(optarg);
        addCommand(s, CMD_NEW_CHAIN, 0, invert);
        s.chain = optarg;
      }
      case 'X' -> {
        addCommand(s, CMD_DELETE_CHAIN, 0, invert);
        optionalChainAndNumber(s, optarg, false);
      }
      case 'E' -> {
        addCommand(s, CMD_RENAME_CHAIN, 0, invert);
        s.chain = optarg;
        if (!g.hasArg()) {
          throw RuleException.parameter("-E requires old-chain-name and new-chain-name");
        }
        s.newName = g.take();
      }
      case 'P' -> {
        addCommand(s, CMD_SET_POLICY, 0, invert);
        s.chain = optarg;
        if (!g.hasArg()) {
          throw RuleException.parameter("-P requires a chain and a policy");
        }
        s.policy = g.take();
      }
      default -> throw new IllegalArgumentException("not a command: " + c);
    }
  }

  /** -p, -s, -j, -m ...: the rule itself. */
  private void rulePart(State s, char c, String optarg, boolean invert)
      throws RuleException, ModuleException {
    Getopt g = s.g;
    switch (c) {
      case 'p' -> {
        setOption(s, OPT_PROTOCOL, invert);
        s.protocol = g.previousWord().toLowerCase(Locale.ROOT);
        s.proto = Libxtables.protocol(s.protocol, lookups);
        if (s.proto == 0 && (s.invflags & IptIp.INV_PROTO) != 0) {
          throw RuleException.parameter("rule would never match protocol");
        }
        refreshIp(s);
      }
      case 's' -> {
        setOption(s, OPT_SOURCE, invert);
        s.shost = g.previousWord();
      }
      case 'd' -> {
        setOption(s, OPT_DESTINATION, invert);
        s.dhost = g.previousWord();
      }
      case 'g' -> {
        setOption(s, OPT_JUMP, invert);
        s.gotoSet = true;
        s.jumpto = checkTargetName(optarg);
      }
      case 'j' -> {
        setOption(s, OPT_JUMP, invert);
        jump(s, g.previousWord());
      }
      case 'i', 'o' -> {
        if (optarg.isEmpty()) {
          throw RuleException.parameter("Empty interface is likely to be undesired");
        }
        setOption(s, c == 'i' ? OPT_VIANAMEIN : OPT_VIANAMEOUT, invert);
        parseInterface(
            g.previousWord(),
            c == 'i' ? s.iniface : s.outiface,
            c == 'i' ? s.inifaceMask : s.outifaceMask);
      }
      case 'f' -> {
        setOption(s, OPT_FRAGMENT, invert);
        s.flags |= 0x01;
      }
      case 'm' -> match(s, optarg, invert);
      default -> throw new IllegalArgumentException("not a rule option: " + c);
    }
  }

  /** Everything else: how to run and print (-v, -n, -w, -c ...), help, and extension options. */
  private void runOption(State s, char c, String optarg, boolean invert)
      throws RuleException, ModuleException, InfoRequest, LineIgnored {
    Getopt g = s.g;
    switch (c) {
      case 'h' -> {
        // iptables -p icmp -h: the protocol's match is loaded by the name as typed
        if (s.matches.isEmpty() && s.protocol != null) {
          Optional<XtExtension> m = revisions.find(ExtensionKind.MATCH, s.protocol);
          if (m.isPresent()) {
            load(s, m.get());
          }
        }
        throw new InfoRequest(IptablesHelp.text(s.target, s.matches));
      }
      case 'v' -> {
        if (s.verbose == 0) {
          setOption(s, OPT_VERBOSE, invert);
        }
        s.verbose++;
      }
      case 'n' -> setOption(s, OPT_NUMERIC, invert);
      case 't' -> {
        if (invert) {
          throw RuleException.parameter("unexpected ! flag before --table");
        }
        if (restore && s.tableSet) {
          throw RuleException.parameter("The -t option cannot be used in iptables-restore.\n");
        }
        s.table = optarg;
        s.tableSet = true;
      }
      case 'x' -> setOption(s, OPT_EXPANDED, invert);
      case 'V' ->
          throw new InfoRequest(invert ? "Not 1.8.9 (legacy) ;-)" : "iptables v1.8.9 (legacy)");
      case 'w' -> {
        if (restore) {
          throw RuleException.parameter("You cannot use `-w' from iptables-restore");
        }
        s.waitSeconds = waitTime(optarg, g);
        s.wait = true;
      }
      case 'W' -> {
        if (restore) {
          throw RuleException.parameter("You cannot use `-W' from iptables-restore");
        }
        String t = optarg != null ? optarg : g.hasArg() ? g.take() : null;
        if (t == null) {
          throw RuleException.parameter("wait interval value required");
        }
        long usec = waitInterval(t);
        if (usec < 0) {
          throw RuleException.parameter("wait interval not numeric");
        }
        if (usec > 999999) {
          throw RuleException.parameter("too long usec wait " + usec + " > 999999 usec");
        }
        // iptables 1.8.9 waits on the lock without polling, so it only says so
        warnings.accept("Ignoring deprecated --wait-interval option.");
        s.waitIntervalSet = true;
      }
      case '0' -> setOption(s, OPT_LINENUMBERS, invert);
      case 'M' -> {
        // the module is ours: there is nothing to modprobe
      }
      case 'c' -> counters(s, optarg, invert);
      case '4' -> {
        // IPv4 is what we speak
      }
      case '6' -> {
        if (restore) {
          throw new LineIgnored();
        }
        throw new RuleException(RuleException.Status.PARAMETER, "").bare();
      }
      default -> {
        if (loadProtocol(s)) {
          s.g.rewind();
          return;
        }
        throw RuleException.parameter("Unknown arg \"" + optarg + "\"");
      }
    }
  }

  private void optionalChainAndNumber(State s, String optarg, boolean number) throws RuleException {
    if (optarg != null) {
      s.chain = optarg;
    } else if (s.g.hasArg()) {
      s.chain = s.g.take();
    }
    if (number && s.g.hasArg()) {
      s.rulenum = ruleNumber(s.g.take());
    }
  }

  private void counters(State s, String optarg, boolean invert) throws RuleException {
    setOption(s, OPT_COUNTERS, invert);
    String pc = optarg;
    int comma = pc.indexOf(',', Math.min(1, pc.length()));
    String bc = comma >= 0 ? pc.substring(comma + 1) : null;
    if (bc == null && s.g.hasArg()) {
      bc = s.g.take();
    }
    if (bc == null) {
      throw RuleException.parameter("-c requires packet and byte counter");
    }
    Long p = scanUnsigned(pc);
    if (p == null) {
      throw RuleException.parameter("-c packet counter not numeric");
    }
    Long b = scanUnsigned(bc);
    if (b == null) {
      throw RuleException.parameter("-c byte counter not numeric");
    }
    s.pcnt = p;
    s.bcnt = b;
  }

  /** sscanf("%llu"): leading blanks, a sign, decimal digits; what follows is ignored. */
  static Long scanUnsigned(String t) {
    CNumbers.Parsed p = CNumbers.strtoull(t, 0, 10);
    return p.parsedAny(0) ? p.value() : null;
  }

  private void addCommand(State s, int cmd, int others, boolean invert) throws RuleException {
    if (invert) {
      throw RuleException.parameter("unexpected '!' flag");
    }
    if ((s.command & ~others) != 0) {
      throw RuleException.parameter(
          "Cannot use -" + cmdChar(cmd) + " with -" + cmdChar(s.command & ~others));
    }
    s.command |= cmd;
  }

  private static char cmdChar(int cmd) {
    int i = 0;
    for (int o = cmd; o > 1; o >>= 1) {
      i++;
    }
    return i < CMD_FLAGS.length ? CMD_FLAGS[i] : '?';
  }

  private static char optChar(int option) {
    int i = 0;
    for (int o = option; o > 1; o >>= 1) {
      i++;
    }
    return OPT_FLAGS[i];
  }

  private void setOption(State s, int option, boolean invert) throws RuleException {
    if ((s.options & option) != 0) {
      throw RuleException.parameter("multiple -" + optChar(option) + " flags not allowed");
    }
    s.options |= option;
    if (invert) {
      int i = Integer.numberOfTrailingZeros(option);
      if (INVERSE_FOR[i] == 0) {
        throw RuleException.parameter("cannot have ! before -" + optChar(option));
      }
      s.invflags |= INVERSE_FOR[i];
    }
  }

  private static int ruleNumber(String text) throws RuleException {
    Long n = CNumbers.xtStrtoulStrict(text, 1, Integer.MAX_VALUE);
    if (n == null) {
      throw RuleException.parameter("Invalid rule number `" + text + "'");
    }
    return n.intValue();
  }

  /**
   * xtables_parse_interface into the rule's name and mask fields, with iptables' warning about
   * characters the kernel does not allow.
   */
  private void parseInterface(String arg, byte[] name, byte[] mask) throws RuleException {
    java.nio.ByteBuffer field = java.nio.ByteBuffer.allocate(2 * IptIp.IFNAMSIZ);
    Libxtables.parseInterface(arg, field, 0, IptIp.IFNAMSIZ);
    field.get(0, name).get(IptIp.IFNAMSIZ, mask);
    if (arg.indexOf('/') >= 0 || arg.indexOf(' ') >= 0) {
      warnings.accept(
          "Warning: weird character in interface `"
              + arg
              + "' ('/' and ' ' are not allowed by the kernel).");
    }
  }

  private static String checkTargetName(String name) throws RuleException {
    if (name.isEmpty()) {
      throw RuleException.parameter("Invalid target name (too short)");
    }
    if (name.length() >= Abi.EXTENSION_NAME_LEN) {
      throw RuleException.parameter(
          "Invalid target name `" + name + "' (" + (Abi.EXTENSION_NAME_LEN - 1) + " chars max)");
    }
    for (char ch : name.toCharArray()) {
      if (Character.isWhitespace(ch)) {
        throw RuleException.parameter("Invalid target name `" + name + "'");
      }
    }
    return name;
  }

  /** assert_valid_chain_name. */
  private void assertValidChainName(String name) throws RuleException, ModuleException {
    if (name.length() >= Abi.EXTENSION_NAME_LEN) {
      throw RuleException.parameter(
          "chain name `"
              + name
              + "' too long (must be under "
              + Abi.EXTENSION_NAME_LEN
              + " chars)");
    }
    if (name.startsWith("-") || name.startsWith("!")) {
      throw RuleException.parameter(
          "chain name not allowed to start with `" + name.charAt(0) + "'");
    }
    if (findTarget(name).isPresent()) {
      throw RuleException.parameter("chain name may not clash with target name");
    }
    for (char ch : name.toCharArray()) {
      if (Character.isWhitespace(ch)) {
        throw RuleException.parameter("Invalid chain name `" + name + "'");
      }
    }
  }

  /** The names libxtables maps to its "standard" target: none, and the four verdicts. */
  static boolean isStandardName(String name) {
    return name.isEmpty()
        || name.equals("ACCEPT")
        || name.equals("DROP")
        || name.equals("QUEUE")
        || name.equals("RETURN");
  }

  private Optional<XtExtension> findTarget(String name) throws ModuleException {
    if (isStandardName(name)) {
      return Optional.empty();
    }
    return revisions.find(ExtensionKind.TARGET, name);
  }

  /** command_jump. */
  private void jump(State s, String name) throws RuleException, ModuleException {
    s.jumpto = checkTargetName(name);
    Optional<XtExtension> t = findTarget(name);
    if (t.isEmpty()) {
      return;
    }
    XtExtension x = t.get();
    ExtData d = new ExtData(new byte[Abi.align(x.dataSize())], s.ip(), s.table, lookups);
    d.warnings(warnings);
    x.init(d);
    s.target = new LoadedExtension(x, d);
    addOptions(s, x, true);
  }

  /** command_match. */
  private void match(State s, String name, boolean invert) throws RuleException, ModuleException {
    if (invert) {
      throw RuleException.parameter("unexpected ! flag before --match");
    }
    if (name.length() >= Abi.EXTENSION_NAME_LEN) {
      throw RuleException.parameter(
          "Invalid match name \"" + name + "\" (" + (Abi.EXTENSION_NAME_LEN - 1) + " chars max)");
    }
    String n = name.equals("icmpv6") || name.equals("ipv6-icmp") ? "icmp6" : name;
    Optional<XtExtension> m = revisions.find(ExtensionKind.MATCH, n);
    if (m.isEmpty()) {
      throw RuleException.parameter("Couldn't load match `" + n + "':No such file or directory\n");
    }
    load(s, m.get());
  }

  private LoadedExtension load(State s, XtExtension x) {
    boolean clone = false;
    for (LoadedExtension l : s.matches) {
      if (l.extension().name().equals(x.name())) {
        l.complete();
        clone = true;
      }
    }
    ExtData d = new ExtData(new byte[Abi.align(x.dataSize())], s.ip(), s.table, lookups);
    d.warnings(warnings);
    x.init(d);
    LoadedExtension l = new LoadedExtension(x, d);
    s.matches.add(l);
    if (!clone) {
      addOptions(s, x, false);
    }
    return l;
  }

  /** xtables_options_xfrm: the original options first, then the newest extension's, then older. */
  private static void addOptions(State s, XtExtension x, boolean isTarget) {
    List<Getopt.LongOpt> mine = new ArrayList<>();
    for (XtOption o : x.options()) {
      mine.add(
          new Getopt.LongOpt(o.name(), o.takesArgument() ? 1 : 0, new ExtOption(x, o, isTarget)));
    }
    s.longs.addAll(ORIGINAL.size(), mine);
    s.extensionCount++;
  }

  /** command_default for an extension's option: the target first, then the matches in order. */
  private void dispatchExtension(State s, ExtOption eo, String arg, boolean invert)
      throws RuleException {
    LoadedExtension into = null;
    if (eo.isTarget() && s.target != null && s.target.extension() == eo.extension()) {
      into = s.target;
    } else {
      for (LoadedExtension l : s.matches) {
        if (!l.completed() && l.extension() == eo.extension()) {
          into = l;
          break;
        }
      }
    }
    if (into == null) {
      throw RuleException.parameter("unknown option \"--" + eo.option().name() + "\"");
    }
    ExtData d = into.data();
    d.ip(s.ip());
    String value = arg;
    if ((eo.option().flags() & XtOption.NEXT_WORD) != 0 && s.g.hasArg()) {
      value = (arg == null ? "" : arg) + "\0" + s.g.take();
    }
    XtOptionParser.parse(into.extension(), eo.option(), value, invert, d);
  }

  /** load_proto: the protocol's match, once, when an option is not known otherwise. */
  private boolean loadProtocol(State s) throws ModuleException {
    if (s.protocol == null) {
      return false;
    }
    Optional<XtExtension> m = findProto(s);
    if (m.isEmpty() || s.protoUsed) {
      return false;
    }
    s.protoUsed = true;
    load(s, m.get());
    return true;
  }

  private Optional<XtExtension> findProto(State s) throws ModuleException {
    Long n = CNumbers.xtStrtoulStrict(s.protocol, 0, 255);
    String name = s.protocol;
    if (n != null) {
      name = Libxtables.protocolName(n.intValue(), (s.options & OPT_NUMERIC) != 0, lookups);
      if (name == null) {
        return Optional.empty();
      }
    }
    return revisions.find(ExtensionKind.MATCH, name);
  }

  private void refreshIp(State s) {
    IptIp ip = s.ip();
    for (LoadedExtension l : s.matches) {
      l.data().ip(ip);
    }
    if (s.target != null) {
      s.target.data().ip(ip);
    }
  }

  /**
   * parse_wait_interval's sscanf("%u"): leading digits count, a trailing rest is ignored; -1 when
   * there are none.
   */
  static long waitInterval(String t) {
    String v = t.stripLeading();
    boolean negative = v.startsWith("-");
    if (negative || v.startsWith("+")) {
      v = v.substring(1);
    }
    int end = 0;
    while (end < v.length() && end < 10 && Character.isDigit(v.charAt(end))) {
      end++;
    }
    if (end == 0) {
      return -1;
    }
    long n = Long.parseLong(v.substring(0, end)) & 0xffffffffL;
    return negative ? -n & 0xffffffffL : n;
  }

  private ParsedCommand finish(State s, boolean invert) throws RuleException {
    if (s.table.equals("nat") && ("DROP".equals(s.policy) || "DROP".equals(s.jumpto))) {
      throw RuleException.parameter(
          "\nThe \"nat\" table is not intended for filtering, "
              + "the use of DROP is therefore inhibited.\n\n");
    }
    if (!s.wait && s.waitIntervalSet) {
      throw RuleException.parameter("--wait-interval only makes sense with --wait\n");
    }
    refreshIp(s);
    for (LoadedExtension l : s.matches) {
      XtOptionParser.finish(l.extension(), l.data());
    }
    if (s.target != null) {
      XtOptionParser.finish(s.target.extension(), s.target.data());
    }
    if (s.g.optind() < s.g.argv().size()) {
      throw RuleException.parameter("unknown arguments found on commandline");
    }
    if (s.command == 0) {
      throw RuleException.parameter("no command specified");
    }
    if (invert) {
      throw RuleException.parameter("nothing appropriate following !");
    }
    if (s.gotoSet) {
      s.flags |= 0x02;
    }
    boolean rule =
        (s.command & (CMD_REPLACE | CMD_INSERT | CMD_DELETE | CMD_APPEND | CMD_CHECK)) != 0;
    String shost = s.shost;
    String dhost = s.dhost;
    if (rule) {
      if ((s.options & OPT_DESTINATION) == 0) {
        dhost = "0.0.0.0/0";
      }
      if ((s.options & OPT_SOURCE) == 0) {
        shost = "0.0.0.0/0";
      }
    }
    List<Addresses.Net> src = shost != null ? Addresses.parseMultiple(shost) : List.of();
    List<Addresses.Net> dst = dhost != null ? Addresses.parseMultiple(dhost) : List.of();
    if ((src.size() > 1 || dst.size() > 1)
        && (s.invflags & (IptIp.INV_SRCIP | IptIp.INV_DSTIP)) != 0) {
      throw RuleException.parameter(
          "! not allowed with multiple source or destination IP addresses");
    }
    if (s.command == CMD_REPLACE && (src.size() != 1 || dst.size() != 1)) {
      throw RuleException.parameter("Replacement rule does not specify a unique address");
    }
    genericOptCheck(s.command, s.options);
    if (s.chain != null && s.chain.length() >= Abi.EXTENSION_NAME_LEN) {
      throw RuleException.parameter(
          "chain name `"
              + s.chain
              + "' too long (must be under "
              + Abi.EXTENSION_NAME_LEN
              + " chars)");
    }
    if (rule || s.command == CMD_DELETE_NUM) {
      if (("PREROUTING".equals(s.chain) || "INPUT".equals(s.chain))
          && (s.options & OPT_VIANAMEOUT) != 0) {
        throw RuleException.parameter("Can't use -o with " + s.chain + "\n");
      }
      if (("POSTROUTING".equals(s.chain) || "OUTPUT".equals(s.chain))
          && (s.options & OPT_VIANAMEIN) != 0) {
        throw RuleException.parameter("Can't use -i with " + s.chain + "\n");
      }
    }
    return new ParsedCommand(
        s.command,
        s.table,
        s.chain,
        s.rulenum,
        s.policy,
        s.newName,
        s.options,
        s.verbose,
        s.ip(),
        src,
        dst,
        s.jumpto,
        s.matches,
        Optional.ofNullable(s.target),
        new XtCounters(s.pcnt, s.bcnt),
        s.waitSeconds);
  }

  /** generic_opt_check over commands_v_options. */
  private static void genericOptCheck(int command, int options) throws RuleException {
    for (int i = 0; i < OPT_FLAGS.length; i++) {
      int legal = 0;
      for (int j = 0; j < LEGAL.length; j++) {
        if ((command & (1 << j)) == 0) {
          continue;
        }
        char rule = i < LEGAL[j].length() ? LEGAL[j].charAt(i) : ' ';
        if ((options & (1 << i)) == 0) {
          if (rule == '+') {
            throw RuleException.parameter(
                "You need to supply the `-" + OPT_FLAGS[i] + "' option for this command");
          }
        } else if (rule != 'x') {
          legal = 1;
        } else if (legal == 0) {
          legal = -1;
        }
      }
      if (legal == -1) {
        throw RuleException.parameter("Illegal option `-" + OPT_FLAGS[i] + "' with this command");
      }
    }
  }

  static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
