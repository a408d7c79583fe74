package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.daemon.CallerIo;
import bpfilterctl.core.iptables.IptablesXml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "iptables-xml",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl iptables-save | bpfilterctl iptables-xml -c > rules.xml",
      "  bpfilterctl iptables-xml -v /etc/iptables/rules.v4",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure (a line it cannot place, no COMMIT, a file it cannot open, -h)",
      "2:a malformed line (iptables' PARAMETER_PROBLEM)",
    },
    description = {
      "Convert iptables-save output to XML, byte for byte as iptables-xml 1.8.9 does.",
      "FILE, or stdin. -c combines the actions of consecutive rules with the same conditions, -v"
          + " repeats each line as a comment. Needs no module."
    })
public final class IptablesXmlCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "ARG", description = "[-c] [-v] [-h] [FILE]")
  private List<String> args = new ArrayList<>();

  public IptablesXmlCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = IptablesXml.run(args, callersInput(session.caller()), out, err);
    // Our writers encode UTF-8: the bytes iptables-xml copies unchanged (comments) come out as
    // they went in when they are UTF-8, which is all that an iptables-save of ours writes.
    Frontends.emit(
        spec, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    return status;
  }

  /**
   * The caller's stdin and files (in the daemon, read by the client with its permissions and cwd).
   * A directory reads as empty, as fopen(3) opens it and its first fgets(3) fails.
   */
  private static IptablesXml.Input callersInput(CallerIo caller) {
    return new IptablesXml.Input() {
      @Override
      public byte[] stdin() throws IOException {
        return caller.stdin().readAllBytes();
      }

      @Override
      public byte[] file(String name) throws IOException {
        try {
          return caller.readFile(name, Integer.MAX_VALUE - 8, false);
        } catch (IOException e) {
          if ((name + CallerIo.IS_A_DIRECTORY).equals(e.getMessage())) {
            return new byte[0];
          }
          throw e;
        }
      }
    };
  }
}
