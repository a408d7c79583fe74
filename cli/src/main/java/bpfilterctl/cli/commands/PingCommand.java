package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.StatusView;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.PercentileWindow;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "ping",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> ping -c 1000 --json",
    },
    description = "Send the handshake request to the umh and time its replies.")
public final class PingCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  @Option(
      names = {"-c", "--count"},
      defaultValue = "1",
      description = "How many pings (default: ${DEFAULT-VALUE}).")
  private int count;

  @Option(names = "--json", description = "One JSON summary object.")
  private boolean json;

  public PingCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    if (count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long[] rtts = new long[count];
    int ok = 0;
    int lastFailure = ExitCodes.OK;
    int pid = 0;
    int sent = 0;
    // In the shell, Ctrl-C cancels the command: stop and summarise, as ping(8) does. (Not a
    // thread interrupt: that could land inside the host's request and cost the umh.)
    for (int i = 0; i < count && !session.cancelled(); i++) {
      sent++;
      long t0 = System.nanoTime();
      try {
        MboxReply r = session.module().ping();
        rtts[ok++] = System.nanoTime() - t0;
        if (!json) {
          if (pid == 0) {
            pid = session.module().status().umhPid();
          }
          out.printf(
              "reply from umh %d: seq=%d status=%d time=%s%n",
              pid, i + 1, r.status(), StatusView.micros(rtts[ok - 1]));
        }
      } catch (ModuleException e) {
        lastFailure = ExitCodes.of(e);
        err.printf("bpfilterctl: ping %d: %s%n", i + 1, e.getMessage());
      }
    }
    long[] got = Arrays.copyOf(rtts, ok);
    Arrays.sort(got);
    long min = ok == 0 ? 0 : got[0];
    long p50 = PercentileWindow.percentile(got, ok, 0.5);
    long p99 = PercentileWindow.percentile(got, ok, 0.99);
    long max = ok == 0 ? 0 : got[ok - 1];
    if (json) {
      // no reply, no round trip: null, not a 0 ns one
      JsonWriter w = new JsonWriter().beginObject().field("sent", sent).field("received", ok);
      for (String key : new String[] {"min_ns", "p50_ns", "p99_ns", "max_ns"}) {
        w.name(key);
        if (ok == 0) {
          w.nullValue();
        } else {
          w.value(
              switch (key) {
                case "min_ns" -> min;
                case "p50_ns" -> p50;
                case "p99_ns" -> p99;
                default -> max;
              });
        }
      }
      out.println(w.endObject());
    } else {
      out.printf(
          "%d sent, %d received; rtt min %s  p50 %s  p99 %s  max %s%n",
          sent,
          ok,
          StatusView.micros(min),
          StatusView.micros(p50),
          StatusView.micros(p99),
          StatusView.micros(max));
    }
    return ok == sent ? ExitCodes.OK : lastFailure;
  }
}
