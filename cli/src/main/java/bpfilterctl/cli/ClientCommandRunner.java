package bpfilterctl.cli;

import bpfilterctl.core.daemon.CallerIo;
import bpfilterctl.core.daemon.OneShotRunner;
import bpfilterctl.core.daemon.RunRequest;
import bpfilterctl.core.iptables.EntriesCache;
import bpfilterctl.core.iptables.ext.SystemLookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.module.ModuleAccess;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;

/**
 * A one-shot command line run inside the daemon for a client (the client is {@link OneShotClient}):
 * the same command tree as in a one-shot process, over the daemon's module with the client's
 * rights, the client's stdin, files and xtables lock, and its output sent back.
 */
public final class ClientCommandRunner implements OneShotRunner {
  /** Immutable, and the most costly part of a session to build: one for every run. */
  private final XtExtensions extensions = XtExtensions.standard();

  /** The tables' entries as the last command read them: the next reads mostly the same bytes. */
  private final EntriesCache tables = new EntriesCache();

  /** /etc's name files, parsed again only when one changed. */
  private final SystemLookups lookups = SystemLookups.machine();

  @Override
  public int run(
      RunRequest request,
      ModuleAccess module,
      CallerIo caller,
      OutputStream stdout,
      OutputStream stderr) {
    // Large buffers: each flush is a frame to the client.
    PrintWriter out = new PrintWriter(new Utf8Writer(new BufferedOutputStream(stdout, 1 << 16)));
    PrintWriter err = new PrintWriter(new Utf8Writer(new BufferedOutputStream(stderr, 1 << 12)));
    String[] args = request.argv().toArray(String[]::new);
    try (Session session = Session.forCaller(module, caller, extensions, tables, lookups)) {
      boolean colour =
          ColorMode.scan(args).enabled(request.env().get("NO_COLOR"), request.console());
      return GlobalFlags.execute(session, new Io(out, err, colour, false), args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * Runs what a client's first commands would, so that their classes are loaded and compiled before
   * a client waits for them (help and an iptables usage text: neither touches a module).
   */
  public void warmUp() {
    PrintWriter none = new PrintWriter(OutputStream.nullOutputStream());
    for (String[] args : new String[][] {{"--version"}, {"--help"}, {"iptables", "-h"}}) {
      try (Session session = Session.embedded()) {
        GlobalFlags.execute(session, new Io(none, none, false, false), args);
      }
    }
  }
}
