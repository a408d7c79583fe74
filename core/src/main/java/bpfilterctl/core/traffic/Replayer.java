package bpfilterctl.core.traffic;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a recording's requests again, in order, and compares each answer with the recorded reply:
 * status first, then the payload byte for byte (as far as the recording kept it).
 */
public final class Replayer {
  private Replayer() {}

  public static List<ReplayOutcome> replay(List<Frame> frames, ModuleAccess module, int callerPid) {
    Map<Long, Frame> replies = new HashMap<>();
    for (Frame f : frames) {
      if (f.direction() == Frame.Direction.REPLY) {
        replies.putIfAbsent(f.id(), f);
      }
    }
    List<ReplayOutcome> out = new ArrayList<>();
    for (Frame req : frames) {
      if (req.direction() != Frame.Direction.REQUEST) {
        continue;
      }
      Frame recorded = replies.get(req.id());
      if (recorded == null) {
        out.add(skip(req, "no reply recorded (the umh died or the recording ended)"));
      } else if (req.truncated()) {
        out.add(skip(req, "request payload cut at " + req.payload().length + " bytes"));
      } else {
        out.add(compare(req, recorded, send(module, req, callerPid)));
      }
    }
    return out;
  }

  /** What came back for one request: the umh's reply, or the host's reason for none. */
  sealed interface Answer {
    record Replied(MboxReply reply) implements Answer {}

    record Failed(ModuleException error) implements Answer {}
  }

  private static Answer send(ModuleAccess module, Frame req, int callerPid) {
    try {
      return new Answer.Replied(
          module.call(new MboxRequest(0, req.isSet(), req.cmd(), callerPid, req.payload())));
    } catch (ModuleException e) {
      return new Answer.Failed(e);
    }
  }

  static ReplayOutcome compare(Frame req, Frame recorded, Answer answer) {
    if (answer instanceof Answer.Failed f) {
      return new ReplayOutcome(
          req, ReplayOutcome.Kind.DIFFERS, "not delivered: " + f.error().getMessage());
    }
    MboxReply now = ((Answer.Replied) answer).reply();
    if (now.status() != recorded.status()) {
      return new ReplayOutcome(
          req,
          ReplayOutcome.Kind.DIFFERS,
          "status "
              + describe(recorded.status())
              + " recorded, "
              + describe(now.status())
              + " now");
    }
    byte[] was = recorded.payload();
    byte[] is = now.payload();
    int n = Math.min(was.length, is.length);
    for (int i = 0; i < n; i++) {
      if (was[i] != is[i]) {
        return new ReplayOutcome(
            req,
            ReplayOutcome.Kind.DIFFERS,
            String.format(
                "payload differs at byte %d of %d: %02x recorded, %02x now",
                i, is.length, was[i] & 0xff, is[i] & 0xff));
      }
    }
    return new ReplayOutcome(req, ReplayOutcome.Kind.SAME, "");
  }

  private static String describe(int status) {
    return status < 0 ? status + " (" + Errno.nameOf(-status) + ")" : status + " (ok)";
  }

  private static ReplayOutcome skip(Frame req, String why) {
    return new ReplayOutcome(req, ReplayOutcome.Kind.SKIPPED, why);
  }
}
