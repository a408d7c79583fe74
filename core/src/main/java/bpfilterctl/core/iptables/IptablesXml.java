package bpfilterctl.core.iptables;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code iptables-xml [-c] [-v] [FILE]}: iptables-save output as XML, byte for byte as iptables-xml
 * 1.8.9 writes it, quirks included (they are what a consumer of that XML has learnt to read).
 *
 * <p>What iptables-xml does, and so this class: it reads the input as fgets(3) with a 10240-byte
 * buffer does (a longer line is read as several); a line is a C string (it ends at a NUL); "*"
 * opens a table, ":" declares a chain (printed when a rule first needs it, or empty at COMMIT),
 * anything else in a table is a rule, split into words as iptables-restore splits them (quotes and
 * backslash escapes; a quoted word is remembered as quoted). Each rule prints its matches as {@code
 * <conditions>} and its target as {@code <actions>}: a jump to a declared chain is a {@code
 * <call>}, a -g a {@code <goto>}. With -c a rule whose words before -j equal the previous rule's
 * joins that rule's actions (unless the previous one ended in ACCEPT, DROP, QUEUE, RETURN or a
 * goto). A chain line's counters that do not parse leave the previous chain line's counters in
 * place: iptables-xml reads them into an uninitialised local that keeps its last value until a rule
 * line reuses its stack slot (then the packet count it prints is an address, which nothing can
 * repeat, and we print the last value).
 */
public final class IptablesXml {
  private static final String PROGRAM = IptablesXmlOptions.PROGRAM;
  private static final int FGETS_BUFFER = 10240;
  private static final int NAME_MAX = 32; // XT_TABLE_MAXNAMELEN, also the chain name's copy
  private static final int MAX_CHAINS = 10240;
  private static final String INDENT1 = "        ";
  private static final String INDENT2 = "          ";
  private static final String CLOSE_ACTIONS = "       </actions>\n";
  private static final String CLOSE_RULE = "      </rule>\n";

  /** A declared chain, printed when first used or at the end of its table. */
  private static final class Chain {
    final String name;
    final String policy;
    final long packets;
    final long bytes;
    boolean created;

    Chain(String name, String policy, long packets, long bytes) {
      this.name = name;
      this.policy = policy;
      this.packets = packets;
      this.bytes = bytes;
    }
  }

  /** A rule's words, and which were quoted. */
  private record Words(List<String> argv, List<Boolean> quoted) {
    int argc() {
      return argv.size();
    }

    String get(int i) {
      return argv.get(i);
    }

    boolean isQuoted(int i) {
      return quoted.get(i);
    }
  }

  /** Where iptables-xml stops: its message is already in err. */
  private static final class Exit extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Exit(int status) {
      super(null, null, false, false);
      this.status = status;
    }
  }

  private final IptablesXmlOptions options;
  private final ByteArrayOutputStream out;
  private final ByteArrayOutputStream err;
  private String curTable = "";
  private String curChain = "";
  private String closeActionTag = "";
  private String closeRuleTag = "";
  private final List<Chain> chains = new ArrayList<>();
  private Words lastRule = new Words(List.of(), List.of());
  private long counterPackets;
  private long counterBytes;
  private int line;

  private IptablesXml(
      IptablesXmlOptions options, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /**
   * Where iptables-xml's input comes from: the caller's stdin and the caller's files (for a command
   * the daemon runs, the client reads them with its own permissions, relative to its own cwd).
   */
  public interface Input {
    byte[] stdin() throws IOException;

    /**
     * The bytes of the file {@code name}, as fopen(3) and fgets(3) see them: a directory opens and
     * reads as empty. Fails with {@link NoSuchFileException} or {@link AccessDeniedException} as
     * {@link Files#readAllBytes} does.
     */
    byte[] file(String name) throws IOException;

    /** This process's stdin {@code stdin} and its own files. */
    static Input of(InputStream stdin) {
      return new Input() {
        @Override
        public byte[] stdin() throws IOException {
          return stdin.readAllBytes();
        }

        @Override
        public byte[] file(String name) throws IOException {
          Path p = Path.of(name);
          return Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p);
        }
      };
    }
  }

  /**
   * Runs iptables-xml with {@code argv} (without the program name); stdin is read only when no file
   * is named. Returns the exit status; stdout and stderr get exactly iptables-xml's bytes.
   */
  public static int run(
      List<String> argv, Input input, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr)
      throws IOException {
    IptablesXmlOptions o = IptablesXmlOptions.parse(argv);
    stdout.writeBytes(o.stdout().getBytes(StandardCharsets.ISO_8859_1));
    stderr.writeBytes(o.stderr().getBytes(StandardCharsets.ISO_8859_1));
    if (o.exits()) {
      return o.status();
    }
    byte[] bytes;
    if (o.file() == null) {
      bytes = input.stdin();
    } else {
      try {
        bytes = input.file(o.file());
      } catch (IOException e) {
        stderr.writeBytes(
            ("Can't open " + o.file() + ": " + strerror(e)).getBytes(StandardCharsets.ISO_8859_1));
        return 1;
      }
    }
    IptablesXml x = new IptablesXml(o, stdout, stderr);
    try {
      x.convert(bytes);
      return 0;
    } catch (Exit e) {
      return e.status;
    }
  }

  private static String strerror(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
  }

  private void convert(byte[] input) throws Exit {
    print("<iptables-rules version=\"1.0\">\n");
    int at = 0;
    while (at < input.length) {
      // fgets: through the newline, or as much as the buffer holds
      int end = at;
      int limit = Math.min(input.length, at + FGETS_BUFFER - 1);
      while (end < limit && input[end] != '\n') {
        end++;
      }
      if (end < limit) {
        end++; // the newline
      }
      line(cString(input, at, end));
      at = end;
    }
    if (!curTable.isEmpty()) {
      error(PROGRAM + ": COMMIT expected at line " + (line + 1) + "\n", 1);
    }
    print("</iptables-rules>\n");
  }

  /** The bytes from..to up to the first NUL: what C's string functions see of the line. */
  private static char[] cString(byte[] input, int from, int to) {
    int n = 0;
    while (from + n < to && input[from + n] != 0) {
      n++;
    }
    char[] buffer = new char[n + 1]; // NUL-terminated, as strtok writes NULs into it
    for (int i = 0; i < n; i++) {
      buffer[i] = (char) (input[from + i] & 0xff);
    }
    return buffer;
  }

  private void line(char[] buffer) throws Exit {
    line++;
    if (buffer[0] == '\n') {
      return;
    }
    if (buffer[0] == '#') {
      xmlComment(str(buffer, 0));
      return;
    }
    if (options.verbose()) {
      print("<!-- line " + line + " ");
      xmlCommentEscape(str(buffer, 0));
      print(" -->\n");
    }
    if (str(buffer, 0).equals("COMMIT\n") && !curTable.isEmpty()) {
      closeTable();
    } else if (buffer[0] == '*') {
      Strtok t = new Strtok(buffer, 1);
      String table = t.next(" \t\n");
      if (table == null) {
        parameterProblem(PROGRAM + ": line " + line + " table name invalid");
      }
      openTable(table);
    } else if (buffer[0] == ':' && !curTable.isEmpty()) {
      Strtok t = new Strtok(buffer, 1);
      String chain = t.next(" \t\n");
      if (chain == null) {
        parameterProblem(PROGRAM + ": line " + line + " chain name invalid");
      }
      String policy = t.next(" \t\n");
      if (policy == null) {
        parameterProblem(PROGRAM + ": line " + line + " policy invalid");
      }
      parseCounters(t.next(" \t\n"));
      if (chains.size() >= MAX_CHAINS) {
        parameterProblem(PROGRAM + ": line " + line + " chain name invalid");
      }
      chains.add(new Chain(chain, policy, counterPackets, counterBytes));
    } else if (!curTable.isEmpty()) {
      rule(buffer);
    } else {
      error(PROGRAM + ": line " + line + " failed\n", 1);
    }
  }

  private void rule(char[] buffer) throws Exit {
    String pcnt = null;
    String bcnt = null;
    int parseStart = 0;
    if (buffer[0] == '[') {
      int close = indexOf(buffer, ']');
      if (close < 0) {
        parameterProblem("Bad line " + line + ": need ]");
      }
      Strtok t = new Strtok(buffer, 1);
      pcnt = t.next(":");
      if (pcnt == null) {
        parameterProblem("Bad line " + line + ": need :");
      }
      bcnt = t.next("]");
      if (bcnt == null) {
        parameterProblem("Bad line " + line + ": need ]");
      }
      parseStart = close + 1;
    }
    Words cur = words(buffer, parseStart);
    String chain = null;
    for (int a = 1; a < cur.argc(); a++) {
      if (cur.get(a - 1).equals("-A")) {
        chain = cur.get(a);
        break;
      }
    }
    if (chain == null) {
      error(PROGRAM + ": line " + line + " failed - no chain found\n", 1);
    }
    needChain(chain);
    doRule(pcnt, bcnt, cur);
    lastRule = cur;
  }

  /** iptables-restore's splitting of a rule line into words (add_param_to_argv). */
  private Words words(char[] buffer, int from) throws Exit {
    int end = from;
    while (buffer[end] != 0) {
      end++;
    }
    List<String> argv = new ArrayList<>();
    List<Boolean> quoted = new ArrayList<>();
    try {
      for (ParamSplitter.Word w : ParamSplitter.split(new String(buffer, from, end - from), 0)) {
        argv.add(w.text());
        quoted.add(w.quoted());
      }
    } catch (ParamSplitter.Problem p) {
      parameterProblem(p.getMessage());
    }
    return new Words(argv, quoted);
  }

  /**
   * sscanf(ctrs, "[%llu:%llu]"): each number it converts is stored, the rest keep what the last
   * chain line left (see the class comment).
   */
  private void parseCounters(String ctrs) {
    if (ctrs == null || ctrs.isEmpty() || ctrs.charAt(0) != '[') {
      return;
    }
    int[] at = {1};
    Long p = scanUnsigned(ctrs, at);
    if (p == null) {
      return;
    }
    counterPackets = p;
    if (at[0] >= ctrs.length() || ctrs.charAt(at[0]) != ':') {
      return;
    }
    at[0]++;
    Long b = scanUnsigned(ctrs, at);
    if (b != null) {
      counterBytes = b;
    }
  }

  /** scanf's %llu: spaces, a sign, decimal digits; strtoull's wrap and saturation. */
  private static Long scanUnsigned(String s, int[] at) {
    int i = at[0];
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int digits = i;
    long v = 0;
    boolean overflow = false;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      int d = s.charAt(i) - '0';
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
      i++;
    }
    if (i == digits) {
      return null;
    }
    at[0] = i;
    if (overflow) {
      return -1L;
    }
    return negative ? -v : v;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  // ---- the XML, as iptables-xml's functions of the same names print it ----

  private void closeChain() {
    if (curChain.isEmpty()) {
      return;
    }
    if (!closeActionTag.isEmpty()) {
      print(closeActionTag + "\n");
    }
    closeActionTag = "";
    if (!closeRuleTag.isEmpty()) {
      print(closeRuleTag + "\n");
    }
    closeRuleTag = "";
    print("    </chain>\n");
    curChain = "";
  }

  private void openChain(Chain c, boolean close) {
    closeChain();
    curChain = truncate(c.name);
    print("    <chain ");
    xmlAttrS("name", curChain);
    if (!c.policy.equals("-")) {
      xmlAttrS("policy", c.policy);
    }
    print("packet-count=\"" + c.packets + "\" ");
    print("byte-count=\"" + c.bytes + "\" ");
    if (close) {
      print("/");
      curChain = "";
    }
    print(">\n");
  }

  private boolean existsChain(String chain) {
    if (curChain.equals(chain)) {
      return true;
    }
    return chains.stream().anyMatch(c -> c.name.equals(chain));
  }

  private void needChain(String chain) {
    if (curChain.equals(chain)) {
      return;
    }
    for (Chain c : chains) {
      if (c.name.equals(chain)) {
        openChain(c, false);
        c.created = true;
      }
    }
  }

  private void finishChains() {
    for (Chain c : chains) {
      if (!c.created) {
        openChain(c, true);
      }
    }
    chains.clear();
  }

  private void closeTable() {
    closeChain();
    finishChains();
    if (!curTable.isEmpty()) {
      print("  </table>\n");
    }
    curTable = "";
  }

  private void openTable(String table) {
    closeTable();
    curTable = truncate(table);
    print("  <table ");
    xmlAttrS("name", curTable);
    print(">\n");
  }

  private static String truncate(String name) {
    return name.length() > NAME_MAX ? name.substring(0, NAME_MAX) : name;
  }

  private static boolean isTarget(String arg) {
    return arg.equals("-j") || arg.equals("--jump") || arg.equals("-g") || arg.equals("--goto");
  }

  private static boolean isTerminatingTarget(String arg) {
    return arg.equals("ACCEPT")
        || arg.equals("DROP")
        || arg.equals("QUEUE")
        || arg.equals("RETURN");
  }

  private static boolean isMatch(String arg) {
    return arg.equals("-m") || arg.equals("--module");
  }

  /** One half of a rule: its conditions (up to the target) or its actions (from the target). */
  private void doRulePart(boolean actions, Words w) {
    int argc = w.argc();
    int arg = 2; // past "-A CHAIN"
    boolean invertNext = false;
    String spacer = "";
    String level1 = null;
    String level2 = null;
    if (actions) {
      // a quoted word (a comment, say) is never the target
      while (arg < argc && (w.isQuoted(arg) || !isTarget(w.get(arg)))) {
        arg++;
      }
    }
    // the built-in matches (-s, -p, ...) before any -m go into a <match> of their own
    int i = arg < argc && w.get(arg).equals("!") ? arg + 1 : arg;
    if (i < argc && w.get(i).startsWith("-") && !isTarget(w.get(i)) && !w.get(i).equals("-m")) {
      level1 = "match";
      print(INDENT1 + "<match >\n");
    }
    while (arg < argc) {
      String a = w.get(arg);
      boolean q = w.isQuoted(arg);
      if (!actions && !q && isTarget(a)) {
        break;
      } else if (!q && a.equals("!")) {
        if (arg + 1 < argc && w.get(arg + 1).startsWith("-")) {
          invertNext = true;
        } else {
          print(spacer + a);
        }
        spacer = " ";
      } else if (!q && isTarget(a) && arg + 1 < argc && existsChain(w.get(arg + 1))) {
        level2 = close(level2, null);
        level1 = close(level1, INDENT1);
        spacer = "";
        invertNext = false;
        boolean isGoto = a.equals("-g") || a.equals("--goto");
        print(INDENT1 + "<" + (isGoto ? "goto" : "call") + " >\n");
        level1 = isGoto ? "goto" : "call";
        arg++;
        print(INDENT2 + "<" + w.get(arg) + " />\n");
      } else if (!q && (isTarget(a) || isMatch(a))) {
        if (arg + 1 >= argc) {
          break; // -j, -m or -g with nothing after it
        }
        level2 = close(level2, null);
        level1 = close(level1, INDENT1);
        spacer = "";
        invertNext = false;
        arg++;
        level1 = w.get(arg);
        print(INDENT1 + "<" + level1 + " ");
        if (arg + 1 >= argc
            || (!w.isQuoted(arg + 1) && (isTarget(w.get(arg + 1)) || isMatch(w.get(arg + 1))))) {
          print(" />\n");
          level1 = null;
        } else {
          print(">\n");
        }
      } else if (!q && a.startsWith("-")) {
        level2 = close(level2, null);
        int skip = 0;
        while (skip < a.length() && a.charAt(skip) == '-') {
          skip++;
        }
        spacer = "";
        level2 = a.substring(skip);
        print(INDENT2 + "<" + level2 + " ");
        if (invertNext) {
          print(" invert=\"1\"");
        }
        invertNext = false;
        // an option followed by another (quoted or not) has no value: close it at once
        if (arg + 1 >= argc || w.get(arg + 1).startsWith("-")) {
          print(" />\n");
          level2 = null;
        } else {
          print(">");
        }
      } else {
        print(spacer);
        boolean wrap = a.indexOf(' ') >= 0 || q;
        if (wrap) {
          print("&quot;");
        }
        xmlEncode(a);
        if (wrap) {
          print("&quot;");
        }
        spacer = " ";
      }
      arg++;
    }
    close(level2, null);
    close(level1, INDENT1);
  }

  /** CLOSE_LEVEL: the open tag's end (indented when it is a level-1 tag), and no tag open. */
  private String close(String level, String indent) {
    if (level != null) {
      if (indent != null) {
        print(indent);
      }
      print("</" + level + ">\n");
    }
    return null;
  }

  /** compareRules: the same words up to both targets, and the previous target not final. */
  private boolean sameConditions(Words cur) {
    Words old = lastRule;
    int n = 0;
    while (n < cur.argc() && n < old.argc()) {
      if (isTarget(old.get(n)) && isTarget(cur.get(n))) {
        String t = old.get(n);
        boolean previousFinal =
            ((t.equals("-j") || t.equals("--jump"))
                    && n + 1 < old.argc()
                    && isTerminatingTarget(old.get(n + 1)))
                || t.equals("-g")
                || t.equals("--goto");
        return !previousFinal;
      }
      if (!old.get(n).equals(cur.get(n))) {
        return false;
      }
      n++;
    }
    return false;
  }

  private void doRule(String pcnt, String bcnt, Words w) {
    if (options.combine() && w.argc() > 2 && !isTarget(w.get(2)) && sameConditions(w)) {
      xmlComment("Combine action from next rule");
    } else {
      if (!closeActionTag.isEmpty()) {
        print(closeActionTag + "\n");
        closeActionTag = "";
      }
      if (!closeRuleTag.isEmpty()) {
        print(closeRuleTag + "\n");
        closeRuleTag = "";
      }
      print("      <rule ");
      if (pcnt != null) {
        xmlAttrS("packet-count", pcnt);
      }
      if (bcnt != null) {
        xmlAttrS("byte-count", bcnt);
      }
      print(">\n");
      closeRuleTag = CLOSE_RULE;
      if (w.argc() >= 3 && !isTarget(w.get(2))) {
        print("       <conditions>\n");
        doRulePart(false, w);
        print("       </conditions>\n");
      }
    }
    if (closeActionTag.isEmpty()) {
      print("       <actions>\n");
      closeActionTag = CLOSE_ACTIONS;
    }
    doRulePart(true, w);
  }

  private void xmlEncode(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 127) {
        print("&#" + (int) c + ";");
      } else if (c == '&') {
        print("&amp;");
      } else if (c == '<') {
        print("&lt;");
      } else if (c == '>') {
        print("&gt;");
      } else if (c == '"') {
        print("&quot;");
      } else {
        out.write(c);
      }
    }
  }

  /** Text in a comment: each hyphen gets a '*' before it, every second one " *". */
  private void xmlCommentEscape(String comment) {
    int hyphens = 0;
    for (int i = 0; i < comment.length(); i++) {
      char c = comment.charAt(i);
      if (c == '-') {
        hyphens++;
        if (hyphens >= 2) {
          hyphens = 0;
          out.write(' ');
        }
        out.write('*');
      }
      if (!(c == '\n' && i + 1 == comment.length())) {
        out.write(c);
      }
    }
  }

  private void xmlComment(String comment) {
    print("<!-- ");
    xmlCommentEscape(comment);
    print(" -->\n");
  }

  private void xmlAttrS(String name, String value) {
    print(name + "=\"");
    xmlEncode(value);
    print("\" ");
  }

  /** Latin-1 text: one char per byte, as the input was read. */
  private void print(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** xtables_error(PARAMETER_PROBLEM, ...) as iptables-xml's exit_error prints it: status 2. */
  private void parameterProblem(String message) throws Exit {
    error(
        PROGRAM
            + " v1.8.9: "
            + message
            + "\nError occurred at line: "
            + line
            + "\nTry `"
            + PROGRAM
            + " -h' or '"
            + PROGRAM
            + " --help' for more information.\n",
        2);
  }

  private void error(String text, int status) throws Exit {
    err.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    throw new Exit(status);
  }

  private static int indexOf(char[] buffer, char c) {
    for (int i = 0; buffer[i] != 0; i++) {
      if (buffer[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static String str(char[] buffer, int from) {
    int end = from;
    while (buffer[end] != 0) {
      end++;
    }
    return new String(buffer, from, end - from);
  }

  /** strtok(3) over a NUL-terminated buffer, writing its NULs into it as strtok does. */
  private static final class Strtok {
    private final char[] buffer;
    private int at;

    Strtok(char[] buffer, int from) {
      this.buffer = buffer;
      this.at = from;
    }

    String next(String delimiters) {
      if (at < 0) {
        return null;
      }
      while (buffer[at] != 0 && delimiters.indexOf(buffer[at]) >= 0) {
        at++;
      }
      if (buffer[at] == 0) {
        at = -1;
        return null;
      }
      int start = at;
      while (buffer[at] != 0 && delimiters.indexOf(buffer[at]) < 0) {
        at++;
      }
      String token = new String(buffer, start, at - start);
      if (buffer[at] != 0) {
        buffer[at] = 0;
        at++;
      } else {
        at = -1;
      }
      return token;
    }
  }
}
