package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleStatus;
import java.util.List;
import java.util.Optional;

/**
 * Where a traffic view's frames and log lines come from: the host in this process, a daemon's
 * subscriptions, or a recording. The source publishes; the view takes what has come whenever it
 * looks ({@link #drainFrames}), so a view never slows the request path, and what a full queue
 * cannot hold is counted in {@link #drops()}.
 */
public sealed interface TrafficFeed extends AutoCloseable
    permits HostFeed, DaemonFeed, RecordingFeed {

  /** Frames that came since the last call, oldest first, at most {@code max}. */
  List<Frame> drainFrames(int max);

  /** Log lines that came since the last call, oldest first. */
  List<LogLine> drainLog();

  /** The module's latest status; empty for a recording or before the first answer. */
  Optional<ModuleStatus> status();

  /** Frames and log lines this view lost because it fell behind (and a daemon's own drops). */
  long drops();

  /** Where the traffic comes from, for the header: "embedded", "daemon at P", "replay F". */
  String source();

  @Override
  void close();
}
