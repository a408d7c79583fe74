package bpfilterctl.cli;

import bpfilterctl.core.daemon.DaemonPaths;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The bpfilterctl executable: one session, one command line, one exit status. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int rc;
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    try (Session session =
        Session.preferringDaemon(DaemonPaths.ofThisProcess())
            .oneShot(namesACommand(args))
            .notices(err)) {
      // Java 17 can only tell whether stdin and stdout are both a terminal; a pipe on either
      // means a script is reading or writing, and scripts get no colour.
      boolean colour =
          ColorMode.scan(args).enabled(System.getenv("NO_COLOR"), System.console() != null);
      rc = GlobalFlags.execute(session, new Io(out, err, colour, false), args);
      out.flush();
      err.flush();
    }
    System.exit(rc);
  }

  /**
   * Whether the arguments run one command (a one-shot, whose module must outlive it) rather than a
   * shell or a batch: a command word after the global options.
   */
  static boolean namesACommand(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--color")) {
        i++;
      } else if (!a.startsWith("-")) {
        return true;
      } else if (a.equals("--batch") || a.startsWith("--batch=")) {
        return false;
      }
    }
    return false;
  }
}
