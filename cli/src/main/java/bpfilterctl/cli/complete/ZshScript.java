package bpfilterctl.cli.complete;

import bpfilterctl.core.kernel.ExtensionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Native zsh completion from the picocli model: one function per command, {@code _arguments} specs
 * with every option's description, commands offered with {@code _describe} and their summaries
 * under the {@code commands} tag. The words of an iptables, iptables-save or iptables-restore line
 * are completed by the tool itself ({@code bpfilterctl __complete}), which knows their grammar and
 * the live chains. Every function is named {@code _bpfilterctl*}: nothing else enters the shell.
 */
final class ZshScript {
  private final String tool;
  private final StringBuilder out = new StringBuilder();
  private final ValueSource values =
      new GrammarValues(ChainSource.BUILTIN, ExtensionRegistry.kernel());

  private ZshScript(String tool) {
    this.tool = tool;
  }

  static String of(String tool, CommandLine root) {
    ZshScript z = new ZshScript(tool);
    z.header();
    z.command(root.getCommandSpec(), "_" + tool);
    z.frontEnd();
    z.footer();
    return z.out.toString();
  }

  private void header() {
    out.append("#compdef ")
        .append(tool)
        .append("\n# zsh completion for ")
        .append(tool)
        .append(", generated from its command model (")
        .append(tool)
        .append(" completion zsh).\n\n");
  }

  private void footer() {
    // Autoloaded from $fpath this file is the body of _bpfilterctl: run the function just
    // defined. Sourced (after compinit), register it.
    out.append("if [[ $funcstack[1] == _")
        .append(tool)
        .append(" ]]; then\n  _")
        .append(tool)
        .append(" \"$@\"\nelse\n  compdef _")
        .append(tool)
        .append(' ')
        .append(tool)
        .append("\nfi\n");
  }

  private void command(CommandSpec spec, String fn) {
    List<CommandSpec> subs = visibleSubcommands(spec);
    out.append(fn).append("() {\n");
    if (spec.parent() == null) {
      out.append("  local _").append(tool).append("_bin=$words[1]\n");
    }
    if (FrontEndGrammar.of(spec.name()).isPresent() && spec.parent() != null) {
      out.append("  _").append(tool).append("_frontend ").append(spec.name()).append("\n}\n\n");
      return;
    }
    out.append("  local curcontext=\"$curcontext\" state state_descr line ret=1\n")
        .append("  typeset -A opt_args\n")
        .append("  _arguments -s -S -C");
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        out.append(" \\\n    ").append(optionSpec(o));
      }
    }
    if (!subs.isEmpty()) {
      out.append(" \\\n    '1: :").append(fn).append("_commands'").append(" \\\n    '*:: :->args'");
    } else if (spec.helpCommand()) {
      out.append(" \\\n    '1:command:_").append(tool).append("_commands'");
    } else {
      for (PositionalParamSpec p : spec.positionalParameters()) {
        if (!p.hidden()) {
          out.append(" \\\n    ").append(positionalSpec(p));
        }
      }
    }
    out.append(" && ret=0\n");
    if (!subs.isEmpty()) {
      out.append("  case $state in\n    args)\n")
          .append("      curcontext=\"${curcontext%:*:*}:")
          .append(fn.substring(1).replace('_', '-'))
          .append("-$words[1]:\"\n      case $words[1] in\n");
      for (CommandSpec sub : subs) {
        List<String> names = new ArrayList<>(List.of(sub.name()));
        names.addAll(List.of(sub.aliases()));
        out.append("        ")
            .append(String.join("|", names.stream().map(ZshScript::caseWord).toList()))
            .append(") ")
            .append(functionName(fn, sub))
            .append(" && ret=0 ;;\n");
      }
      out.append("      esac\n      ;;\n  esac\n");
    }
    out.append("  return ret\n}\n\n");
    if (!subs.isEmpty()) {
      out.append(fn).append("_commands() {\n  local -a commands\n  commands=(\n");
      for (CommandSpec sub : subs) {
        out.append("    ").append(quote(describeEntry(sub.name(), Summary.of(sub)))).append("\n");
        for (String alias : sub.aliases()) {
          out.append("    ").append(quote(describeEntry(alias, Summary.of(sub)))).append("\n");
        }
      }
      out.append("  )\n  _describe -t commands '")
          .append(spec.qualifiedName(" ").replace("'", ""))
          .append(" command' commands\n}\n\n");
      for (CommandSpec sub : subs) {
        command(sub, functionName(fn, sub));
      }
    }
  }

  /** The words after a front-end command, completed by the tool, which knows their grammar. */
  private void frontEnd() {
    String bin = "${_" + tool + "_bin:-" + tool + "}";
    out.append("_")
        .append(tool)
        .append("_frontend() {\n")
        .append("  local -a options values reply\n")
        .append("  local c\n")
        .append("  reply=(${(f)\"$(")
        .append(bin)
        .append(" __complete $1 \"${(@)words[2,CURRENT-1]}\" \"$PREFIX\" 2>/dev/null)\"})\n")
        .append("  for c in $reply; do\n")
        .append("    if [[ $c == -* ]]; then\n")
        .append("      options+=(\"${${c%%$'\\t'*}//:/\\\\:}:${c#*$'\\t'}\")\n")
        .append("    else\n")
        .append("      values+=(\"${${c%%$'\\t'*}//:/\\\\:}\")\n")
        .append("    fi\n")
        .append("  done\n")
        .append("  local ret=1\n")
        .append("  (( $#values )) && _describe -t values \"$1 argument\" values && ret=0\n")
        .append("  (( $#options )) && _describe -t options \"$1 option\" options && ret=0\n")
        .append("  (( ret )) && [[ $PREFIX != -* ]] && _files && ret=0\n")
        .append("  return ret\n}\n\n");
  }

  private static List<CommandSpec> visibleSubcommands(CommandSpec spec) {
    List<CommandSpec> subs = new ArrayList<>();
    for (CommandLine sub : spec.subcommands().values()) {
      CommandSpec s = sub.getCommandSpec();
      if (!s.usageMessage().hidden() && !subs.contains(s)) {
        subs.add(s);
      }
    }
    return subs;
  }

  private static String functionName(String parent, CommandSpec sub) {
    return parent + "_" + sub.name().replaceAll("[^A-Za-z0-9]", "_");
  }

  private String optionSpec(OptionSpec o) {
    String desc = escape(Summary.clean(o.description().length == 0 ? "" : o.description()[0]));
    String[] names = o.names();
    String exclusion = names.length > 1 ? "(" + String.join(" ", names) + ")" : "";
    if (o.usageHelp() || o.versionHelp()) {
      exclusion = "(- *)";
    }
    String value = "";
    if (o.arity().max() > 0) {
      value = ":" + escape(label(o)) + ":" + action(o);
    }
    if (names.length == 1) {
      return quote(exclusion + names[0] + "[" + desc + "]" + value);
    }
    // '(-c --count)'{-c,--count}'[...]:N: '
    return quote(exclusion) + "{" + String.join(",", names) + "}" + quote("[" + desc + "]" + value);
  }

  private String positionalSpec(PositionalParamSpec p) {
    String desc = escape(label(p));
    String where =
        p.arity().max() > 1 || p.index().max() == Integer.MAX_VALUE
            ? "*"
            : Integer.toString(p.index().min() + 1);
    String opt = p.arity().min() == 0 && !where.equals("*") ? ":" : "";
    return quote(where + ":" + opt + desc + ":" + action(p));
  }

  private static String label(ArgSpec a) {
    String l = a.paramLabel().replaceAll("[<>]", "");
    return l.isEmpty() ? "value" : l;
  }

  /** What zsh completes for a value: fixed candidates, files, or nothing it can guess. */
  private String action(ArgSpec a) {
    if (GrammarCompleter.expectsFile(a)) {
      return "_files";
    }
    Optional<List<String>> v = values.values(a, List.of());
    if (v.isPresent() && !v.get().isEmpty()) {
      List<String> words = v.get().stream().map(ZshScript::escapeWord).toList();
      return "(" + String.join(" ", words) + ")";
    }
    if (a.type().isEnum()) {
      List<String> words = new ArrayList<>();
      for (Object c : a.type().getEnumConstants()) {
        words.add(escapeWord(c.toString()));
      }
      return "(" + String.join(" ", words) + ")";
    }
    return " ";
  }

  private static String describeEntry(String name, String summary) {
    return name.replace(":", "\\:") + ":" + summary;
  }

  /** Inside _arguments' brackets and labels: brackets and colons are its syntax. */
  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:");
  }

  private static String escapeWord(String s) {
    return s.replaceAll("([\\\\ ()'\"$`:])", "\\\\$1");
  }

  private static String caseWord(String s) {
    return s.replaceAll("([^A-Za-z0-9_-])", "\\\\$1");
  }

  /** One single-quoted shell word. */
  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
