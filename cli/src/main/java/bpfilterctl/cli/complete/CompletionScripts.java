package bpfilterctl.cli.complete;

import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * bash and zsh completion scripts from the picocli model. zsh runs picocli's bash function through
 * zsh's bashcompinit; the file is an autoloadable {@code _bpfilterctl} for site-functions that also
 * works when sourced.
 */
public final class CompletionScripts {
  public static final String COMMAND = "bpfilterctl";

  private CompletionScripts() {}

  public static String bash(CommandLine root) {
    return AutoComplete.bash(COMMAND, root);
  }

  public static String zsh(CommandLine root) {
    return "#compdef "
        + COMMAND
        + "\n"
        + "# zsh completion for bpfilterctl: picocli's bash function under bashcompinit.\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        // picocli aliases compopt to complete, but an autoloaded file is parsed whole before
        // that alias exists; compopt only tunes bash's display, so here it does nothing.
        + "compopt() { :; }\n"
        + bash(root)
        + "\n"
        // picocli's functions index COMP_WORDS from 0, as bash does; zsh counts from 1 unless
        // KSH_ARRAYS is set, which this wrapper sets for the duration of one completion.
        + "_"
        + COMMAND
        + "_ksh() {\n"
        + "  setopt localoptions ksharrays\n"
        + "  _complete_"
        + COMMAND
        + " \"$@\"\n"
        + "}\n"
        + "complete -o default -F _"
        + COMMAND
        + "_ksh "
        + COMMAND
        + "\n"
        // Autoloaded from $fpath, this file is the body of _bpfilterctl on the first Tab: the
        // line above has just registered the real function, so complete that first Tab with it.
        + "if [[ ${funcstack[1]} == _"
        + COMMAND
        + " ]]; then\n"
        + "  _bash_complete -o default -F _"
        + COMMAND
        + "_ksh\n"
        + "fi\n";
  }
}
