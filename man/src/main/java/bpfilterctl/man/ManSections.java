package bpfilterctl.man;

import java.util.List;
import java.util.stream.Collectors;

/** The man page sections that are not in the picocli model, in AsciiDoc. */
final class ManSections {
  private ManSections() {}

  static String forRoot(List<String> subPages) {
    return """
        == Environment

        *NO_COLOR*::
          When set and not empty, no colour is written (unless *--color=always*).

        *XDG_STATE_HOME*::
          Where the shell keeps its state; default _~/.local/state_.

        *JAVA_HOME*::
          The Java runtime the launcher and the module's umh use; default: *java* on the PATH.

        == Files

        _$XDG_STATE_HOME/bpfilterctl/history_::
          The shell's command history, one line per command.

        _share/bash-completion/completions/bpfilterctl_, _share/zsh/site-functions/_bpfilterctl_::
          Completion scripts, also printed by *bpfilterctl completion bash|zsh*.

        == Notes

        The module host is embedded: a shell or a one-shot process loads its own module, and
        the umh is unloaded when that process ends (on *exit*, Ctrl-D or the end of a batch).

        == See also

        %s
        """
        .formatted(subPages.stream().map(p -> "*" + p + "*(1)").collect(Collectors.joining(", ")));
  }

  /**
   * @param ownExitStatus the command lists its exit statuses itself (picocli writes them): no
   *     second, generic section
   */
  static String forSubcommand(boolean ownExitStatus) {
    String exit =
        ownExitStatus
            ? ""
            : """
            == Exit status

            0 success, 1 failure, 2 usage error, 3 module not loaded or its umh dead, failed or
            unresponsive, 4 permission denied.

            """;
    return exit
        + """
        == See also

        *bpfilterctl*(1)
        """;
  }
}
