package bpfilterctl.cli.watch;

import java.io.PrintWriter;
import java.util.List;

/** Runs one command line's words with these writers and returns its exit status. */
@FunctionalInterface
public interface CommandExecutor {
  int run(List<String> words, PrintWriter out, PrintWriter err);
}
