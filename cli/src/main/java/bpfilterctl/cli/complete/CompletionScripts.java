package bpfilterctl.cli.complete;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * bash and zsh completion scripts from the picocli model. bash gets picocli's function with the
 * iptables lines handed to the tool; zsh a native script. The zsh file is an autoloadable {@code
 * _bpfilterctl} for site-functions that also works when sourced.
 */
public final class CompletionScripts {
  public static final String COMMAND = "bpfilterctl";

  private CompletionScripts() {}

  /**
   * picocli's bash function, and in front of it one that hands the words of an iptables,
   * iptables-save or iptables-restore line to {@code bpfilterctl __complete}, which knows their
   * grammar (the same candidates as the shell's Tab).
   */
  public static String bash(CommandLine root) {
    StringBuilder globalsWithValue = new StringBuilder();
    for (OptionSpec o : root.getCommandSpec().options()) {
      if (o.arity().max() > 0) {
        for (String n : o.names()) {
          globalsWithValue.append(globalsWithValue.length() == 0 ? "" : "|").append(n);
        }
      }
    }
    String globals =
        globalsWithValue.length() == 0 ? "--no-such-option" : globalsWithValue.toString();
    return AutoComplete.bash(COMMAND, root)
        + "\n"
        + "# The words after iptables, iptables-save and iptables-restore: the tool knows their\n"
        + "# grammar, and the live chains when a module is up.\n"
        + "_"
        + COMMAND
        + "_complete() {\n"
        + "  local i cmd=\n"
        + "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        + "    case ${COMP_WORDS[i]} in\n"
        + "      "
        + globals
        + ") ((i++)) ;;\n"
        + "      -*) ;;\n"
        + "      *) cmd=${COMP_WORDS[i]}; break ;;\n"
        + "    esac\n"
        + "  done\n"
        + "  case $cmd in\n"
        + "    iptables|iptables-save|iptables-restore)\n"
        + "      local line\n"
        + "      COMPREPLY=()\n"
        + "      while IFS= read -r line; do\n"
        + "        COMPREPLY+=(\"${line%%$'\\t'*}\")\n"
        + "      done < <(\"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:i:COMP_CWORD-i}\" \\\n"
        + "        \"${COMP_WORDS[COMP_CWORD]}\" 2>/dev/null)\n"
        + "      if ((${#COMPREPLY[@]} == 0)) && [[ ${COMP_WORDS[COMP_CWORD]} != -* ]]; then\n"
        + "        compopt -o default 2>/dev/null\n"
        + "      fi\n"
        + "      return 0\n"
        + "      ;;\n"
        + "  esac\n"
        + "  _complete_"
        + COMMAND
        + " \"$@\"\n"
        + "}\n"
        + "complete -F _"
        + COMMAND
        + "_complete -o default "
        + COMMAND
        + "\n";
  }

  /** Native zsh completion ({@link ZshScript}): _arguments, descriptions, tags. */
  public static String zsh(CommandLine root) {
    return ZshScript.of(COMMAND, root);
  }
}
