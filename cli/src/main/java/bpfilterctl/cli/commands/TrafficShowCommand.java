package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.FrameDecoder;
import bpfilterctl.core.traffic.FrameFilter;
import bpfilterctl.core.traffic.FrameLog;
import bpfilterctl.core.traffic.FrameSummary;
import bpfilterctl.core.traffic.RecordingReader;
import bpfilterctl.core.traffic.TrafficFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    description = {
      "Print a recording decoded, as watch shows it.",
      "A line per frame (time, direction, caller pid, option, length, status, latency, table,"
          + " summary); -v adds each frame's structure and hex dump; --json gives the same as"
          + " one JSON object per frame."
    })
public final class TrafficShowCommand implements Callable<Integer> {
  private static final int HEX_LINES = 1 << 16;

  @Mixin private HelpOption helpOption;

  private final EntryRenderer renderer;
  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "A recording (traffic record).")
  private Path file;

  @Option(names = "--json", description = "One JSON object per frame, with its decode.")
  private boolean json;

  @Option(
      names = {"-v", "--detail"},
      description = "Each frame's decoded structure and hex dump under its line.")
  private boolean detail;

  @Option(
      names = "--filter",
      paramLabel = "WORDS",
      description = "Only frames that match: an option, req or reply, err, pid=N (as watch's /).")
  private String filter;

  public TrafficShowCommand(EntryRenderer renderer) {
    this.renderer = renderer;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Frame> frames;
    FrameFilter only;
    try {
      frames = RecordingReader.read(file);
      only = filter == null ? FrameFilter.ALL : FrameFilter.parse(filter);
    } catch (NoSuchFileException e) {
      err.println("bpfilterctl: traffic show: no such file: " + file);
      return ExitCodes.USAGE;
    } catch (IllegalArgumentException e) {
      err.println("bpfilterctl: traffic show: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    FrameDecoder decoder = new FrameDecoder(renderer);
    FrameLog requests = new FrameLog(1 << 16);
    TrafficFormat format = new TrafficFormat(ZoneId.systemDefault());
    for (Frame f : frames) {
      decoder.observe(f);
      requests.append(f);
      if (!only.test(f)) {
        continue;
      }
      Frame req = f.direction() == Frame.Direction.REPLY ? requests.requestOf(f) : null;
      FrameSummary s = decoder.summarize(f, req);
      if (json) {
        out.println(json(f, s, decoder.detail(f, req, HEX_LINES, 16)));
      } else {
        out.println(format.line(f, s));
        if (detail) {
          for (String l : decoder.detail(f, req, HEX_LINES, 16)) {
            out.println("    " + l);
          }
        }
      }
    }
    return ExitCodes.OK;
  }

  private static String json(Frame f, FrameSummary s, List<String> decode) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("seq", f.seq())
            .field("epoch_ms", f.epochMillis())
            .field("dir", f.direction() == Frame.Direction.REQUEST ? "request" : "reply")
            .field("id", f.id())
            .field("caller_pid", f.callerPid())
            .field("caller_comm", f.callerComm())
            .field("umh_pid", f.umhPid())
            .field("op", f.isSet() ? "set" : "get")
            .field("option", f.optionName())
            .field("len", f.len())
            .field("status", f.status())
            .field("status_name", f.direction() == Frame.Direction.REQUEST ? "" : f.statusName())
            .field("latency_ns", f.latencyNanos())
            .field("table", s.table())
            .field("summary", s.text());
    w.name("decode").beginArray();
    for (String l : decode) {
      w.value(l);
    }
    return w.endArray().endObject().toString();
  }
}
