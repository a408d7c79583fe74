package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficTapTest {
  @Test
  void everyExchangeIsTappedAsARequestAndItsReply() throws Exception {
    try (ModuleHost host = new ModuleHost(TestImages.quick(TestImages.faulty("echo")).build());
        TapSubscription sub = host.tap().subscribe(100)) {
      int pid = host.load();
      byte[] in = new byte[300];
      in[0] = 42;
      host.call(new MboxRequest(0, false, 65, 777, in));
      List<Frame> frames = sub.drain();
      // The handshake of the load and its reply, then our request and its reply.
      assertThat(frames).hasSize(4);
      Frame req = frames.get(2);
      Frame rep = frames.get(3);
      assertThat(req.direction()).isEqualTo(Frame.Direction.REQUEST);
      assertThat(req.optionName()).isEqualTo("IPT_SO_GET_ENTRIES");
      assertThat(req.callerPid()).isEqualTo(777);
      assertThat(req.umhPid()).isEqualTo(pid);
      assertThat(req.payload()).isEqualTo(in);
      assertThat(rep.direction()).isEqualTo(Frame.Direction.REPLY);
      assertThat(rep.id()).isEqualTo(req.id());
      assertThat(rep.status()).isEqualTo(300);
      assertThat(rep.latencyNanos()).isPositive();
      assertThat(rep.seq()).isEqualTo(req.seq() + 1);
    }
  }

  @Test
  void aSlowSubscriberLosesFramesCountedNeverBlocksTheCaller() throws Exception {
    HostConfig cfg = TestImages.quick(TestImages.faulty("echo")).buffers(100, 16, 64).build();
    try (ModuleHost host = new ModuleHost(cfg);
        TapSubscription slow = host.tap().subscribe(10)) {
      host.load();
      for (int i = 0; i < 50; i++) {
        host.call(new MboxRequest(0, false, 64, 1, new byte[200]));
      }
      // 51 exchanges (the handshake first) are 102 frames; the queue held 10.
      assertThat(slow.drain()).hasSize(10);
      assertThat(slow.dropped()).isEqualTo(92);
      assertThat(host.tap().dropped()).isEqualTo(92);
      assertThat(host.status().tapDrops()).isEqualTo(92);
      List<Frame> recent = host.tap().recent(1000);
      assertThat(recent).hasSize(16);
      assertThat(recent.get(15).seq()).isEqualTo(101);
      assertThat(recent.get(15).payload()).hasSize(64);
      assertThat(recent.get(15).payloadLength()).isEqualTo(200);
      assertThat(recent.get(15).truncated()).isTrue();
    }
  }

  @Test
  void theRingAndEachSubscriberAreBoundedByBytesNotOnlyFrames() throws Exception {
    // 4096 frames of up to 1 MiB each could keep 4 GiB; 256 KiB in all is what it may keep here.
    HostConfig cfg =
        TestImages.quick(TestImages.faulty("echo"))
            .buffers(100, 4096, 1 << 20)
            .tapBytes(256 << 10)
            .build();
    try (ModuleHost host = new ModuleHost(cfg);
        TapSubscription slow = host.tap().subscribe(4096)) {
      host.load();
      for (int i = 0; i < 40; i++) {
        host.call(new MboxRequest(0, false, 64, 1, new byte[100_000]));
      }
      assertThat(host.tap().keptBytes()).isLessThanOrEqualTo(256 << 10);
      List<Frame> recent = host.tap().recent(4096);
      assertThat(recent).hasSizeBetween(2, 6);
      assertThat(recent.get(recent.size() - 1).seq())
          .as("the newest are kept")
          .isEqualTo(host.tap().published() - 1);
      long queued = slow.drain().stream().mapToLong(f -> f.payload().length).sum();
      assertThat(queued).isLessThanOrEqualTo(256 << 10);
      assertThat(slow.dropped()).isPositive();
    }
  }
}
