package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.inspect.ErrnoText;
import bpfilterctl.core.inspect.HexDump;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.XtGetRevision;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code get revision match|target NAME [REV]}: the answer is the call's result alone (the kernel
 * leaves the buffer as it was), so both "supported" and a refusal are answers, printed on stdout;
 * the exit status says which (0 supported, 1 not).
 */
abstract class RevisionQuery implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Mixin private OutputFormat format;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "REV",
      defaultValue = "0",
      description = "The revision (default: ${DEFAULT-VALUE}).")
  private int revision;

  private final Session session;
  @Spec private CommandSpec spec;

  RevisionQuery(Session session) {
    this.session = session;
  }

  abstract Sockopt option();

  abstract String kind();

  abstract String name();

  @Override
  public Integer call() throws ModuleException {
    OutputFormat.Kind how = format.kind(spec.commandLine());
    String name = name();
    if (name.isEmpty() || name.length() >= Abi.EXTENSION_NAME_LEN) {
      throw new ParameterException(
          spec.commandLine(),
          "a " + kind() + " name is 1 to " + (Abi.EXTENSION_NAME_LEN - 1) + " characters");
    }
    if (revision < 0 || revision > 255) {
      throw new ParameterException(spec.commandLine(), "REV is 0 to 255 (a u8)");
    }
    PrintWriter out = spec.commandLine().getOut();
    byte[] reply;
    int errno = 0;
    try {
      reply =
          new CommandSockopts(session.module())
              .call(
                  option(),
                  new XtGetRevision(name, revision).encode(),
                  kind() + " '" + name + "' revision " + revision);
    } catch (SockoptRefused r) {
      reply = null;
      errno = r.errno();
    }
    switch (how) {
      case HEX -> {
        if (reply == null) {
          spec.commandLine().getErr().printf("bpfilterctl: %s%n", describe(name, errno));
        } else {
          out.print(HexDump.of(reply));
        }
      }
      case JSON -> {
        JsonWriter w =
            new JsonWriter()
                .beginObject()
                .field("kind", kind())
                .field("name", name)
                .field("revision", revision)
                .field("supported", reply != null)
                .name("errno")
                .value(reply == null ? Errno.nameOf(errno) : null)
                .field("code", errno)
                .name("message")
                .value(reply == null ? ErrnoText.describe(option(), errno) : null)
                .endObject();
        out.println(w);
      }
      case TEXT -> out.println(describe(name, errno));
    }
    return reply != null ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private String describe(String name, int errno) {
    String what = kind() + " " + name + " revision " + revision;
    return errno == 0
        ? what + ": supported"
        : what + ": not supported: " + ErrnoText.describe(option(), errno);
  }
}
