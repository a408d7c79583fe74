package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.TapSubscription;
import bpfilterctl.core.module.UmhImage;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recording reads back as it was written, and replays into a module, answer by answer. */
class RecordingAndReplayTest {
  @TempDir Path dir;

  private static HostConfig config() {
    return HostConfig.builder(UmhImage.embedded(List.of())).watchdogInterval(Duration.ZERO).build();
  }

  /** GET_INFO filter, a SET_REPLACE of it, GET_INFO again: what iptables -A does, in short. */
  private static void commit(ModuleHost host) throws Exception {
    MboxReply info = host.call(new MboxRequest(0, false, 64, 7, IptGetinfo.request("filter")));
    int n = IptGetinfo.decode(info.payload()).numEntries();
    IptReplace t = TrafficFixtures.filter(n);
    assertThat(host.call(new MboxRequest(0, true, 64, 7, t.encode())).describeStatus())
        .isEqualTo("ok");
    host.call(new MboxRequest(0, false, 64, 7, IptGetinfo.request("filter")));
  }

  @Test
  void framesRoundTripThroughTheFileAndReplayIntoAFreshModuleAnswersTheSame() throws Exception {
    Path file = dir.resolve("t.jsonl");
    List<Frame> recorded;
    try (ModuleHost host = new ModuleHost(config())) {
      host.load();
      try (TapSubscription sub = host.tap().subscribe(100);
          RecordingWriter w = new RecordingWriter(file)) {
        commit(host);
        for (Frame f : sub.drain()) {
          w.write(f);
        }
        assertThat(w.written()).isEqualTo(6);
      }
      recorded = host.tap().recent(6);
    }
    List<Frame> read = RecordingReader.read(file);
    assertThat(read).hasSize(6);
    for (int i = 0; i < 6; i++) {
      assertThat(read.get(i).toJson()).isEqualTo(recorded.get(i).toJson());
    }
    assertThat(read.get(2).optionName()).isEqualTo("IPT_SO_SET_REPLACE");

    try (ModuleHost fresh = new ModuleHost(config())) {
      fresh.load();
      List<ReplayOutcome> same = Replayer.replay(read, fresh, 1);
      assertThat(same).extracting(ReplayOutcome::kind).containsOnly(ReplayOutcome.Kind.SAME);
      assertThat(same).hasSize(3);
      // Sent again into the module that now holds the new table, GET_INFO answers differently.
      List<ReplayOutcome> again = Replayer.replay(read, fresh, 1);
      assertThat(again.get(0).kind()).isEqualTo(ReplayOutcome.Kind.DIFFERS);
      // hook_entry[FORWARD] moved: the new table has rules in INPUT.
      assertThat(again.get(0).why()).startsWith("payload differs at byte 44 of 84");
      // num_counters was the fresh table's 4 entries; the table now has 9: the kernel says EAGAIN.
      assertThat(again.get(1).why()).isEqualTo("status 64 (ok) recorded, -11 (EAGAIN) now");
    }
  }

  @Test
  void aBadLineNamesTheFileAndLineAndAnUnansweredRequestIsSkipped() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Frame req = TrafficFixtures.request(1, 1, false, 64, IptGetinfo.request("filter"));
    Files.writeString(file, req.toJson() + "\n\n{\"seq\": 1}\n");
    assertThatThrownBy(() -> RecordingReader.read(file))
        .hasMessage(
            file
                + ":3: \"seq\" must be a number"
                    .replace("\"seq\" must be a number", "\"dir\" must be a string"));
    assertThat(Replayer.replay(List.of(req), null, 1))
        .containsExactly(
            new ReplayOutcome(
                req,
                ReplayOutcome.Kind.SKIPPED,
                "no reply recorded (the umh died or the recording ended)"));
  }
}
