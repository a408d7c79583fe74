package bpfilterctl.man;

import java.util.List;

/** The man page sections that are not in the picocli model, in AsciiDoc. */
final class ManSections {
  private ManSections() {}

  /** Every page has them: where the tool looks for its daemon and keeps its state. */
  static final String ENVIRONMENT_AND_FILES =
      """
      == Environment

      *BPFILTERCTL_SOCKET*::
        The daemon's socket. Default: _/run/bpfilterctl/bpfilterctl.sock_ for root, else
        _$XDG_RUNTIME_DIR/bpfilterctl/bpfilterctl.sock_ (without XDG_RUNTIME_DIR:
        _~/.local/state/bpfilterctl/bpfilterctl.sock_).

      *BPFILTERCTL_STATE_DIR*::
        Where committed tables, the daemon's log and the shell's state live. Default:
        _/var/lib/bpfilterctl_ for root, else _$XDG_STATE_HOME/bpfilterctl_.

      *BPFILTERCTL_DAEMON_IDLE*::
        Seconds a daemon started by a one-shot waits, with its module unloaded and no request,
        before it exits (default 300).

      *BPFILTERCTL_DEBUG*::
        When set, an internal error also prints its stack trace.

      *XDG_RUNTIME_DIR*, *XDG_STATE_HOME*::
        The defaults above for users other than root; XDG_STATE_HOME also holds the shell's
        history (default _~/.local/state_).

      *NO_COLOR*::
        When set and not empty, no colour is written (unless *--color=always*).

      *JAVA_HOME*::
        The Java runtime the launcher and the module's umh use; default: *java* on the PATH.

      == Files

      _/run/bpfilterctl/bpfilterctl.sock_::
        The daemon's socket (mode 0660), and _bpfilterctl.sock.lock_ beside it.

      _/var/lib/bpfilterctl/_::
        The state dir: _tables/_ holds one checksummed _NAME.table_ file per committed table,
        replayed into every new umh; _daemon.log_ is the output of a daemon started by a
        one-shot or by *daemon --detach*.

      _$XDG_STATE_HOME/bpfilterctl/history_::
        The shell's command history, one line per command.

      _/sys/fs/bpf/bpfilterctl/NETNS/_::
        With *--enforce*, the pinned BPF programs, links and counters of the enforced filter
        table of network namespace NETNS (its inode). They outlive the umh and the daemon; only
        *unload* and *enforce off* remove them.

      _share/bash-completion/completions/bpfilterctl_, _share/zsh/site-functions/_bpfilterctl_::
        Completion scripts, also printed by *bpfilterctl completion bash|zsh*.

      """;

  private static final String SEE_ALSO_OUTSIDE =
      "*iptables*(8), *iptables-save*(8), *iptables-restore*(8), *systemctl*(1)"
          + " (the unit _bpfilterctl.service_ of docs/systemd.md)";

  static String forRoot(List<String> subPages) {
    return ENVIRONMENT_AND_FILES
        + """
        == Notes

        Every command uses the daemon when one answers on the socket, else a module host
        embedded in its own process. A shell or a batch unloads an embedded module when it
        ends; a daemon's module stays loaded. A one-shot that needs the module (*load*,
        *iptables* and the like) and finds no daemon starts one, says so once on stderr,
        and that daemon exits once the module has been unloaded and idle for
        BPFILTERCTL_DAEMON_IDLE seconds; committed tables are saved in the state dir, so
        none is lost.

        == See also

        %s, %s
        """
            .formatted(String.join(", ", subPages), SEE_ALSO_OUTSIDE);
  }

  /**
   * @param ownExitStatus the command lists its exit statuses itself (picocli writes them): no
   *     second, generic section
   * @param frontEnd an iptables command: its originals are the first place to look
   */
  static String forSubcommand(boolean ownExitStatus, boolean frontEnd) {
    String exit =
        ownExitStatus
            ? ""
            : """
            == Exit status

            0 success, 1 failure, 2 usage error, 3 module not loaded or its umh dead, failed or
            unresponsive, 4 permission denied.

            """;
    return exit
        + ENVIRONMENT_AND_FILES
        + "== See also\n\n*bpfilterctl*(1)"
        + (frontEnd ? ", " + SEE_ALSO_OUTSIDE : "")
        + "\n";
  }
}
