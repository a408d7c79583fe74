package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The deadline a request gets grows with what it and its reply may carry, never for small ones. */
class PipeExchangeBudgetTest {
  private static final long BASE = 2_000_000_000L;
  private static final int MIB = 1 << 20;

  @Test
  void smallRequestsKeepTheBaseDeadline() {
    MboxRequest info = new MboxRequest(1, false, Sockopt.IPT_SO_GET_INFO.cmd(), 7, new byte[84]);
    assertThat(PipeExchange.budget(BASE, info)).isEqualTo(BASE);
    // just under 4 MiB both ways together
    MboxRequest entries =
        new MboxRequest(2, false, Sockopt.IPT_SO_GET_ENTRIES.cmd(), 7, new byte[2 * MIB - 1]);
    assertThat(PipeExchange.budget(BASE, entries)).isEqualTo(BASE);
  }

  @Test
  void aBigTableGetsOneMoreBasePerWhole4MiB() {
    // a get's reply may be as long as its buffer: 9 MiB each way, 18 MiB in all
    MboxRequest entries =
        new MboxRequest(3, false, Sockopt.IPT_SO_GET_ENTRIES.cmd(), 7, new byte[9 * MIB]);
    assertThat(PipeExchange.budget(BASE, entries)).isEqualTo(5 * BASE);
    // a replace of ~10 MB whose reply carries 50k old counters (800,000 bytes)
    byte[] replace = new byte[10_000_000];
    ByteBuffer.wrap(replace).order(ByteOrder.LITTLE_ENDIAN).putInt(84, 50_000);
    MboxRequest set = new MboxRequest(4, true, Sockopt.IPT_SO_SET_REPLACE.cmd(), 7, replace);
    assertThat(PipeExchange.allowedReplyBytes(set)).isEqualTo(800_000);
    assertThat(PipeExchange.budget(BASE, set)).isEqualTo(3 * BASE);
  }
}
