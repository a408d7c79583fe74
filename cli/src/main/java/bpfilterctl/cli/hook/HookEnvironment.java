package bpfilterctl.cli.hook;

import bpfilterctl.core.daemon.DaemonPaths;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables that put a program under the hook: the library preloaded (ahead of any the caller
 * already preloads), the daemon's socket and state dir, and the launcher the hook may use to start
 * a daemon when none answers.
 */
public record HookEnvironment(Path library, DaemonPaths paths, String launcher) {
  public static final String PRELOAD = "LD_PRELOAD";

  /** The variables to set, in the order `hook env` prints them. */
  public Map<String, String> variables(Map<String, String> current) {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put(PRELOAD, preload(current.get(PRELOAD)));
    vars.put("BPFILTERCTL_SOCKET", paths.socket().toAbsolutePath().toString());
    vars.put("BPFILTERCTL_STATE_DIR", paths.stateDir().toAbsolutePath().toString());
    if (launcher != null && !launcher.isEmpty()) {
      vars.put("BPFILTERCTL_BIN", launcher);
    }
    return vars;
  }

  /** Our library first, then what was preloaded before (once: a second eval adds nothing). */
  String preload(String existing) {
    String lib = library.toString();
    if (existing == null || existing.isBlank()) {
      return lib;
    }
    StringBuilder b = new StringBuilder(lib);
    for (String part : existing.split("[: ]")) {
      if (!part.isEmpty() && !part.equals(lib)) {
        b.append(':').append(part);
      }
    }
    return b.toString();
  }

  /** {@code export NAME='value'} lines for a POSIX shell's eval. */
  public String exportLines(Map<String, String> current) {
    StringBuilder b = new StringBuilder();
    variables(current)
        .forEach((k, v) -> b.append("export ").append(k).append('=').append(quote(v)).append('\n'));
    return b.toString();
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
