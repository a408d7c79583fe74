package bpfilterctl.cli;

import java.io.PrintWriter;

/**
 * Where one command line's output goes and how: its writers, whether colour is allowed, and whether
 * it runs inside the interactive shell (where a bare {@code bpfilterctl} must not open another).
 */
public record Io(PrintWriter out, PrintWriter err, boolean colour, boolean inShell) {}
