package bpfilterctl.cli.complete;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jline.builtins.Completers.FileNameCompleter;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion from the picocli model: subcommands, their options (with their descriptions), and
 * option and positional values from a {@link ValueSource}; file names where a file is expected.
 */
public final class GrammarCompleter implements Completer {
  private final CommandLine root;
  private final ValueSource values;
  private final FileNameCompleter files = new FileNameCompleter();

  private final IptablesLineCompleter iptables;

  public GrammarCompleter(CommandLine root, ValueSource values) {
    this(root, values, null);
  }

  /** With the iptables grammar for the words after "iptables" ({@code null}: none). */
  public GrammarCompleter(CommandLine root, ValueSource values, IptablesLineCompleter iptables) {
    this.root = root;
    this.values = values;
    this.iptables = iptables;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    List<String> before = line.words().subList(0, line.wordIndex());
    String current = line.word().substring(0, line.wordCursor());
    LineGrammar at = LineGrammar.walk(root, before);
    CommandSpec spec = at.command();
    Optional<FrontEndGrammar> frontEnd = FrontEndGrammar.of(spec.name());
    int frontEndAt = before.indexOf(spec.name());
    if (iptables != null && frontEnd.isPresent() && frontEndAt >= 0) {
      candidates.addAll(
          iptables.complete(
              frontEnd.get(), before.subList(frontEndAt + 1, before.size()), current));
      return;
    }
    if (at.pendingOption() != null) {
      values(at.pendingOption(), before, "", reader, line, candidates);
      return;
    }
    if (current.startsWith("-")) {
      int eq = current.indexOf('=');
      if (eq > 0) {
        OptionSpec o = spec.findOption(current.substring(0, eq));
        if (o != null && o.arity().max() > 0) {
          values(o, before, current.substring(0, eq + 1), reader, line, candidates);
        }
        return;
      }
      options(spec, candidates);
      return;
    }
    if (spec.helpCommand() && spec.parent() != null) {
      // `help <Tab>`: the commands it can explain are its siblings.
      commands(spec.parent(), candidates);
      return;
    }
    if (at.positionals() == 0) {
      commands(spec, candidates);
    }
    PositionalParamSpec p = at.nextPositional();
    if (p != null) {
      values(p, before, "", reader, line, candidates);
    }
    if (candidates.isEmpty() && current.isEmpty()) {
      options(spec, candidates);
    }
  }

  private static void commands(CommandSpec spec, List<Candidate> candidates) {
    spec.subcommands()
        .forEach(
            (name, sub) -> {
              CommandSpec s = sub.getCommandSpec();
              if (!s.usageMessage().hidden()) {
                candidates.add(
                    new Candidate(name, name, "commands", Summary.of(s), null, null, true));
              }
            });
  }

  private static void options(CommandSpec spec, List<Candidate> candidates) {
    for (OptionSpec o : spec.options()) {
      if (o.hidden()) {
        continue;
      }
      for (String name : o.names()) {
        // An option that takes a value is completed without the trailing space, ready for it.
        candidates.add(
            new Candidate(
                name, name, "options", firstLine(o.description()), null, o.longestName(), true));
      }
    }
  }

  private void values(
      ArgSpec arg,
      List<String> before,
      String prefix,
      LineReader reader,
      ParsedLine line,
      List<Candidate> candidates) {
    if (prefix.isEmpty() && expectsFile(arg)) {
      files.complete(reader, line, candidates);
      return;
    }
    for (String v : values.values(arg, before).orElse(List.of())) {
      candidates.add(new Candidate(prefix + v, v, null, null, null, null, true));
    }
  }

  static boolean expectsFile(ArgSpec arg) {
    Class<?> t = arg.type();
    String label = arg.paramLabel().replaceAll("[<>]", "");
    return Path.class.isAssignableFrom(t)
        || File.class.isAssignableFrom(t)
        || label.equals("FILE")
        || label.equals("DIR");
  }

  private static String firstLine(String[] description) {
    return description.length == 0 ? null : Summary.clean(description[0]);
  }
}
