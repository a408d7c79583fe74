package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.FrontEndGrammar;
import bpfilterctl.cli.complete.IptablesLineCompleter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jline.reader.Candidate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What the bash and zsh scripts ask for an iptables, iptables-save or iptables-restore line: the
 * candidates the shell's Tab offers there, one a line as VALUE TAB DESCRIPTION. Never loads the
 * module (live chains only when a module is already healthy).
 */
@Command(
    name = "__complete",
    hidden = true,
    description = "Print the candidates for the last word of a front-end line (for the scripts).")
public final class CompleteCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(
      arity = "2..*",
      paramLabel = "WORD",
      description = "The command (iptables...), the words after it, and the word being typed.")
  private List<String> words = new ArrayList<>();

  public CompleteCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Optional<FrontEndGrammar> grammar = FrontEndGrammar.of(words.get(0));
    if (grammar.isEmpty()) {
      return 1;
    }
    List<String> before = words.subList(1, words.size() - 1);
    String current = words.get(words.size() - 1);
    PrintWriter out = spec.commandLine().getOut();
    IptablesLineCompleter c = new IptablesLineCompleter(session.chains(), session.extensions());
    for (Candidate k : c.complete(grammar.get(), before, current)) {
      if (k.value().startsWith(current)) {
        out.println(k.value() + "\t" + (k.descr() == null ? "" : k.descr()));
      }
    }
    return 0;
  }
}
