package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtCounters;
import java.util.List;
import java.util.Optional;

/**
 * One iptables command line, parsed as iptables' do_parse leaves it: the command bits, its chain
 * and arguments, the options given, the rule's ipt_ip (addresses still to be multiplied out), its
 * matches and target.
 *
 * @param command CMD_* bits
 * @param options OPT_* bits
 * @param jumpto the -j/-g name as typed ("" for none)
 * @param target the target extension, empty for a verdict, a chain or none
 * @param sources -s's addresses (0.0.0.0/0 when not given for a rule command)
 * @param lockWait the xtables lock's wait as -w gave it: 0 without -w, -1 for -w alone, else
 *     seconds
 */
public record ParsedCommand(
    int command,
    String table,
    String chain,
    int rulenum,
    String policy,
    String newName,
    int options,
    int verbose,
    IptIp ip,
    List<Addresses.Net> sources,
    List<Addresses.Net> destinations,
    String jumpto,
    List<LoadedExtension> matches,
    Optional<LoadedExtension> target,
    XtCounters counters,
    int lockWait) {
  public static final int CMD_INSERT = 1;
  public static final int CMD_DELETE = 1 << 1;
  public static final int CMD_DELETE_NUM = 1 << 2;
  public static final int CMD_REPLACE = 1 << 3;
  public static final int CMD_APPEND = 1 << 4;
  public static final int CMD_LIST = 1 << 5;
  public static final int CMD_FLUSH = 1 << 6;
  public static final int CMD_ZERO = 1 << 7;
  public static final int CMD_NEW_CHAIN = 1 << 8;
  public static final int CMD_DELETE_CHAIN = 1 << 9;
  public static final int CMD_SET_POLICY = 1 << 10;
  public static final int CMD_RENAME_CHAIN = 1 << 11;
  public static final int CMD_LIST_RULES = 1 << 12;
  public static final int CMD_ZERO_NUM = 1 << 13;
  public static final int CMD_CHECK = 1 << 14;

  public static final int OPT_NUMERIC = 1;
  public static final int OPT_SOURCE = 1 << 1;
  public static final int OPT_DESTINATION = 1 << 2;
  public static final int OPT_PROTOCOL = 1 << 3;
  public static final int OPT_JUMP = 1 << 4;
  public static final int OPT_VERBOSE = 1 << 5;
  public static final int OPT_EXPANDED = 1 << 6;
  public static final int OPT_VIANAMEIN = 1 << 7;
  public static final int OPT_VIANAMEOUT = 1 << 8;
  public static final int OPT_LINENUMBERS = 1 << 9;
  public static final int OPT_COUNTERS = 1 << 10;
  public static final int OPT_FRAGMENT = 1 << 11;

  public ParsedCommand {
    sources = List.copyOf(sources);
    destinations = List.copyOf(destinations);
    matches = List.copyOf(matches);
  }

  public boolean has(int option) {
    return (options & option) != 0;
  }

  /** Whether the command edits or looks for a rule (-A, -I, -R, -D by spec, -C). */
  public boolean isRuleCommand() {
    return (command & (CMD_APPEND | CMD_DELETE | CMD_CHECK | CMD_INSERT | CMD_REPLACE)) != 0;
  }
}
