package bpfilterctl.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Io;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.GrammarCompleter;
import bpfilterctl.cli.complete.GrammarValues;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.traffic.RecordingFeed;
import bpfilterctl.core.traffic.StructuralEntryRenderer;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryTarget;
import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** watch on lanterna's virtual terminal: what the cells show, and what the keys do to them. */
class WatchUiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private DefaultVirtualTerminal vt;
  private Session session;
  private WatchUi ui;
  private Thread loop;
  private final List<String> ran = new ArrayList<>();

  /** GET_INFO of filter and its reply; a SET_REPLACE refused with ELOOP; a ping. */
  private static List<Frame> frames() {
    List<IptEntry> e = new ArrayList<>();
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    int[] off = IptEntries.offsets(e);
    IptReplace r =
        IptReplace.of(
            "filter",
            Hook.INPUT.bit() | Hook.OUTPUT.bit(),
            new int[] {0, off[0], 0, off[1], 0},
            new int[] {0, off[0], 0, off[1], 0},
            3,
            e);
    IptGetinfo info =
        new IptGetinfo("filter", r.validHooks(), r.hookEntry(), r.underflow(), 3, r.size());
    byte[] in = IptGetinfo.request("filter");
    byte[] replace = r.encode();
    long t = 1_700_000_000_000L;
    return List.of(
        Frame.builder()
            .seq(1)
            .epochMillis(t)
            .direction(Frame.Direction.REQUEST)
            .id(7)
            .umhPid(99)
            .callerPid(4242)
            .option(false, 64)
            .len(84)
            .payload(in)
            .payloadLength(84)
            .build(),
        Frame.builder()
            .seq(2)
            .epochMillis(t)
            .direction(Frame.Direction.REPLY)
            .id(7)
            .umhPid(99)
            .callerPid(4242)
            .option(false, 64)
            .len(84)
            .status(84)
            .payload(info.encode())
            .payloadLength(84)
            .latencyNanos(14_000)
            .build(),
        Frame.builder()
            .seq(3)
            .epochMillis(t)
            .direction(Frame.Direction.REQUEST)
            .id(8)
            .umhPid(99)
            .callerPid(4242)
            .option(true, 64)
            .len(replace.length)
            .payload(replace)
            .build(),
        Frame.builder()
            .seq(4)
            .epochMillis(t)
            .direction(Frame.Direction.REPLY)
            .id(8)
            .umhPid(99)
            .callerPid(4242)
            .option(true, 64)
            .len(replace.length)
            .status(Errno.ELOOP.status())
            .latencyNanos(95_000)
            .build(),
        Frame.builder()
            .seq(5)
            .epochMillis(t)
            .direction(Frame.Direction.REQUEST)
            .id(9)
            .umhPid(99)
            .option(false, 0)
            .build(),
        Frame.builder()
            .seq(6)
            .epochMillis(t)
            .direction(Frame.Direction.REPLY)
            .id(9)
            .umhPid(99)
            .option(false, 0)
            .latencyNanos(9_000)
            .build());
  }

  @BeforeEach
  void start() throws Exception {
    vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    session = Session.embedded();
    PrintWriter none = new PrintWriter(Writer.nullWriter());
    var model = Commands.create(session, new Io(none, none, false, true));
    ui =
        new WatchUi(
            new TerminalScreen(vt),
            new RecordingFeed(Path.of("t.jsonl"), frames()),
            new StructuralEntryRenderer(),
            false,
            new GrammarCompleter(
                model,
                new GrammarValues(session.chains(), ExtensionRegistry.kernel()),
                new bpfilterctl.cli.complete.IptablesLineCompleter(
                    session.chains(), session.extensions())),
            (words, out, err) -> {
              ran.add(String.join(" ", words));
              return Commands.create(session, new Io(out, err, false, true))
                  .execute(words.toArray(String[]::new));
            },
            () -> {},
            () -> false,
            ZoneOffset.UTC);
    loop =
        new Thread(
            () -> {
              try {
                ui.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    loop.start();
    await("IPT_SO_GET_INFO");
  }

  @AfterEach
  void stop() throws Exception {
    key(new KeyStroke('q', false, false));
    loop.join(5000);
    ui.close();
    session.close();
  }

  private String row(int r) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < vt.getTerminalSize().getColumns(); c++) {
      b.append(vt.getCharacter(c, r).getCharacterString());
    }
    return b.toString().stripTrailing();
  }

  private String screen() {
    StringBuilder b = new StringBuilder();
    for (int r = 0; r < vt.getTerminalSize().getRows(); r++) {
      b.append(row(r)).append('\n');
    }
    return b.toString();
  }

  private Matcher await(String regex) throws InterruptedException {
    Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
    long end = System.nanoTime() + WAIT.toNanos();
    String last;
    do {
      last = screen();
      Matcher m = p.matcher(last);
      if (m.find()) {
        return m;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < end);
    throw new AssertionError("screen did not match /" + regex + "/; it shows:\n" + last);
  }

  /**
   * Waits until {@code check} passes: the UI thread redraws on its own schedule, so a cell read
   * right after an await of another cell may still show the previous frame.
   */
  private void eventually(Runnable check) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() >= end) {
          throw new AssertionError(e.getMessage() + "\nthe screen shows:\n" + screen(), e);
        }
      }
      Thread.sleep(20);
    }
  }

  private void awaitModifier(int col, int row, SGR sgr) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    TextCharacter c;
    do {
      c = vt.getCharacter(col, row);
      if (c.getModifiers().contains(sgr)) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < end);
    throw new AssertionError(col + "," + row + " is not " + sgr + ": " + c + "\n" + screen());
  }

  private int rowOf(String text) {
    for (int r = 0; r < vt.getTerminalSize().getRows(); r++) {
      if (row(r).contains(text)) {
        return r;
      }
    }
    throw new AssertionError("no row shows " + text + ":\n" + screen());
  }

  private void key(KeyStroke k) {
    vt.addInput(k);
  }

  private void type(String s) {
    for (char c : s.toCharArray()) {
      key(new KeyStroke(c, false, false));
    }
  }

  @Test
  void theLayoutHasHeaderTrafficDetailLogAndCommandLine() throws Exception {
    // the handshakes are counted apart and hidden until h
    await(
        "^ bpf recording: 4 frames, 2 requests, 1 errors \\| p50 14us p99 95us \\| 2 handshake"
            + " frames");
    await("3 entries  480 B");
    await("ELOOP");
    eventually(() -> assertThat(screen()).doesNotContain("HANDSHAKE"));
    eventually(
        () ->
            assertThat(row(1))
                .startsWith("-- traffic - 6 frames - 2 handshake frames hidden (h) ---"));
    key(new KeyStroke('h', false, false));
    // the header is drawn first: wait for the last frame's line before reading the cells
    await("HANDSHAKE +get .*handshake");
    eventually(
        () ->
            assertThat(row(2))
                .isEqualTo(
                    "22:13:20.000 ->   4242 IPT_SO_GET_INFO            get         84          filter"));
    // Lines are cut at the screen's width.
    eventually(
        () ->
            assertThat(row(3))
                .isEqualTo(
                    "22:13:20.000 <-   4242 IPT_SO_GET_INFO            ok          84    14us  filter  "
                        + " hooks I/O  3 entr"));
    eventually(
        () ->
            assertThat(row(4))
                .contains("IPT_SO_SET_REPLACE", "set", "576", "filter", "3 entries  480 B"));
    eventually(() -> assertThat(row(5)).contains("IPT_SO_SET_REPLACE", "ELOOP", "95us", "filter"));
    eventually(() -> assertThat(row(6)).contains("HANDSHAKE", "handshake"));
    // The error reply is red; the others are not.
    int c = row(5).indexOf("ELOOP");
    eventually(
        () -> assertThat(vt.getCharacter(c, 5).getForegroundColor()).isEqualTo(TextColor.ANSI.RED));
    eventually(
        () ->
            assertThat(vt.getCharacter(row(3).indexOf("ok"), 3).getForegroundColor())
                .isNotEqualTo(TextColor.ANSI.RED));
    // the panes below the traffic are drawn after it: wait for them too
    await("-- detail \\(Enter on a frame\\).*-- umh log \\+ output");
    int bottom = rowOf("-- detail (Enter on a frame)");
    eventually(() -> assertThat(row(bottom)).contains("-- umh log + output"));
    eventually(() -> assertThat(row(bottom + 1)).endsWith("|"));
    eventually(() -> assertThat(row(28)).isEqualTo(">"));
    await("^handshakes shown \\(h hides them\\)");
  }

  @Test
  void theFilterNegatesAndZoomGivesTheOutputTheWholeWidth() throws Exception {
    key(new KeyStroke('/', false, false));
    type("!err");
    key(new KeyStroke(KeyType.Enter));
    await("filter: !err \\(3 shown\\)");
    eventually(() -> assertThat(screen()).doesNotContain("ELOOP"));
    key(new KeyStroke('/', false, false));
    key(new KeyStroke('u', true, false));
    type("handshake");
    key(new KeyStroke(KeyType.Enter));
    await("filter: handshake \\(2 shown\\)");
    eventually(() -> assertThat(screen()).contains("HANDSHAKE").doesNotContain("IPT_SO_GET_INFO"));
    int bottom = rowOf("-- umh log + output");
    eventually(() -> assertThat(row(bottom)).contains("-- detail"));
    key(new KeyStroke('z', false, false));
    await("^-- umh log \\+ output");
    eventually(() -> assertThat(screen()).doesNotContain("-- detail"));
    eventually(() -> assertThat(row(bottom + 1)).doesNotEndWith("|"));
  }

  @Test
  void theCommandLineCompletesIptablesLinesAsTheShellDoes() throws Exception {
    key(new KeyStroke(':', false, false));
    type("iptables -A IN");
    key(new KeyStroke(KeyType.Tab));
    await("^> iptables -A INPUT ?$");
    type(" -p tcp --dp");
    key(new KeyStroke(KeyType.Tab));
    await("^> iptables -A INPUT +-p tcp --dport ?$");
  }

  @Test
  void arrowsMoveTheCursorAndEnterShowsTheFrameDecodedAndInHex() throws Exception {
    // The cursor follows the newest frame (handshakes hidden); one up is the SET_REPLACE request.
    for (int i = 0; i < 1; i++) {
      key(new KeyStroke(KeyType.ArrowUp));
    }
    key(new KeyStroke(KeyType.Enter));
    await("-- frame 3: IPT_SO_SET_REPLACE ");
    await("^ipt_replace: name filter  num_entries 3");
    await("^valid_hooks INPUT,OUTPUT");
    await("^\\*filter");
    await("^:INPUT DROP \\[0:0\\]");
    awaitModifier(0, rowOf("IPT_SO_SET_REPLACE         set"), SGR.REVERSE);
    // Tab to the detail pane, PgDn to the hex dump.
    key(new KeyStroke(KeyType.Tab));
    await("^-- frame 3");
    awaitModifier(3, rowOf("-- frame 3"), SGR.REVERSE);
    // The traffic pane's cursor is now bold, not reversed.
    awaitModifier(0, rowOf("IPT_SO_SET_REPLACE         set"), SGR.BOLD);
    key(new KeyStroke(KeyType.PageDown));
    await("^0000  66 69 6c 74 65 72 00 00  \\|filter..\\|");
    await("^0008  00 00 00 00 00 00 00 00  \\|........\\|");
  }

  @Test
  void pauseFilterAndClear() throws Exception {
    type("p");
    await("-- traffic - 6 frames - PAUSED \\(\\+0\\)");
    await("^paused: frames are still counted");
    type("/");
    await("^/ ");
    type("err");
    key(new KeyStroke(KeyType.Enter));
    await("-- traffic - 6 frames - filter: err \\(1 shown\\) - PAUSED");
    eventually(() -> assertThat(row(2)).contains("ELOOP"));
    eventually(() -> assertThat(row(3)).isEmpty());
    type("p");
    await("^resumed");
    type("/");
    await("^/ err   \\[Enter applies, Esc cancels\\]$");
    key(new KeyStroke('u', true, false)); // Ctrl-U empties the line
    type("pid=4242 req");
    key(new KeyStroke(KeyType.Enter));
    await("filter: pid=4242 req \\(2 shown\\)");
    type("c");
    await("-- traffic - 0 frames - filter");
    eventually(() -> assertThat(row(2)).isEmpty());
    await("^ bpf recording: 4 frames");
  }

  @Test
  void theCommandLineCompletesRunsAndShowsTheOutputInThePane() throws Exception {
    type(":");
    type("sta");
    key(new KeyStroke(KeyType.Tab));
    await("^> status$");
    // A complete word is followed by a blank, ready for the next one (the cursor may be drawn a
    // moment after the text).
    long until = System.nanoTime() + WAIT.toNanos();
    while (vt.getCursorPosition().getColumn() != "> status ".length()
        && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    eventually(
        () -> assertThat(vt.getCursorPosition().getColumn()).isEqualTo("> status ".length()));
    type("--js");
    key(new KeyStroke(KeyType.Tab));
    await("^> status --json$");
    key(new KeyStroke(KeyType.Enter));
    await("\\| > status --json");
    await("\\| \\{\"mode\":\"embedded\",\"state\":\"UNLOADED\"");
    assertThat(ran).containsExactly("status --json");
    // Keys in the command line are text, not pane keys: q types a q.
    type("q");
    await("^> q");
    key(new KeyStroke(KeyType.Escape));
    key(new KeyStroke('c', true, false)); // Ctrl-C with no command running changes nothing
    type(":");
    key(new KeyStroke(KeyType.Backspace));
    type("watch");
    key(new KeyStroke(KeyType.Enter));
    await("\\| watch is running already");
    assertThat(ran).containsExactly("status --json");
  }

  @Test
  void belowEightyByTwentyFourItSaysSoAndComesBackWhenResized() throws Exception {
    vt.setTerminalSize(new TerminalSize(79, 30));
    await("^terminal too small: 79x30");
    await("^watch needs at least 80x24");
    vt.setTerminalSize(new TerminalSize(80, 24));
    // The screen is written top to bottom: once the help line shows, the rest is there.
    await("^-- traffic - 6 frames(?s:.*)^Tab pane");
    eventually(() -> assertThat(row(22)).isEqualTo(">"));
    eventually(() -> assertThat(row(23)).startsWith("Tab pane"));
  }

  @Test
  void qLeavesAndTheScreenIsStopped() throws Exception {
    type("q");
    loop.join(5000);
    assertThat(loop.isAlive()).isFalse();
  }
}
