package bpfilterctl.cli.complete;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Where the words typed so far lead in the picocli model: the (sub)command they name, an option
 * still waiting for its value, and how many positional parameters were given. Completion and
 * highlighting read the line the same way the parser will.
 */
public record LineGrammar(CommandSpec command, ArgSpec pendingOption, int positionals) {

  public static LineGrammar walk(CommandLine root, List<String> words) {
    CommandSpec spec = root.getCommandSpec();
    OptionSpec pending = null;
    int positional = 0;
    for (String w : words) {
      if (pending != null) {
        pending = null;
        continue;
      }
      CommandLine sub = spec.subcommands().get(w);
      if (sub != null && positional == 0) {
        spec = sub.getCommandSpec();
        continue;
      }
      if (w.startsWith("-") && w.length() > 1) {
        OptionSpec o = spec.findOption(optionName(w));
        if (o != null && !w.contains("=") && o.arity().min() > 0) {
          pending = o;
        }
        continue;
      }
      positional++;
    }
    return new LineGrammar(spec, pending, positional);
  }

  /** {@code --color=never} names {@code --color}. */
  public static String optionName(String word) {
    int eq = word.indexOf('=');
    return eq < 0 ? word : word.substring(0, eq);
  }

  /** The positional parameter the next plain word fills, if the command has one there. */
  public PositionalParamSpec nextPositional() {
    for (PositionalParamSpec p : command.positionalParameters()) {
      if (!p.hidden() && p.index().contains(positionals)) {
        return p;
      }
    }
    return null;
  }
}
