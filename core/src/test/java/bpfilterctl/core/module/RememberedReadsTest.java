package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * When a remembered table read may be given again: never GET_ENTRIES while enforcement is asked for
 * (its counters then move with the traffic the BPF programs count), GET_INFO either way; never
 * across a forget, for another umh, for other bytes, or for an error.
 */
class RememberedReadsTest {
  private static final int INFO = Sockopt.IPT_SO_GET_INFO.cmd();
  private static final int ENTRIES = Sockopt.IPT_SO_GET_ENTRIES.cmd();
  private final Object umh = new Object();

  private static byte[] ask(int len) {
    byte[] p = new byte[len];
    byte[] n = "filter".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, p, 0, n.length);
    return p;
  }

  private static MboxRequest get(int cmd, byte[] payload) {
    return new MboxRequest(1, false, cmd, 42, payload);
  }

  private static RememberedReads.Answer recall(
      RememberedReads r, int cmd, byte[] p, Object from, boolean enforcing) {
    return r.recall(cmd, p, 0, p.length, from, enforcing);
  }

  @Test
  void entriesAreNeitherKeptNorGivenWhileEnforcing() {
    RememberedReads r = new RememberedReads();
    byte[] entries = ask(40 + 600);
    MboxReply reply = MboxReply.ok(entries.clone());
    r.remember(get(ENTRIES, entries), reply, umh, r.epoch(), true);
    assertThat(recall(r, ENTRIES, entries, umh, false)).isNull(); // not kept

    r.remember(get(ENTRIES, entries), reply, umh, r.epoch(), false);
    assertThat(recall(r, ENTRIES, entries, umh, false).reply()).isSameAs(reply);
    assertThat(recall(r, ENTRIES, entries, umh, true)).isNull(); // not given
    byte[] echoed = entries.clone(); // the umh echoes bytes it does not write: others differ
    echoed[36] = 1;
    assertThat(recall(r, ENTRIES, echoed, umh, false)).isNull();

    byte[] info = ask(84);
    MboxReply infoReply = MboxReply.ok(new byte[84]);
    r.remember(get(INFO, info), infoReply, umh, r.epoch(), true);
    assertThat(recall(r, INFO, info, umh, true).reply()).isSameAs(infoReply);
  }

  @Test
  void onlyTheSameBytesOfTheSameUmhInTheSameEpochAndNoError() {
    RememberedReads r = new RememberedReads();
    byte[] info = ask(84);
    MboxReply reply = MboxReply.ok(new byte[84]);
    long sentAt = r.epoch();
    r.forget(); // a set came between request and reply
    r.remember(get(INFO, info), reply, umh, sentAt, false);
    assertThat(recall(r, INFO, info, umh, false)).isNull();

    r.remember(get(INFO, info), reply, umh, r.epoch(), false);
    assertThat(recall(r, INFO, info, umh, false)).isNotNull();
    assertThat(recall(r, INFO, info, new Object(), false)).isNull();
    byte[] garbage = info.clone(); // libiptc's GET_INFO: stack bytes after the name
    garbage[7] = 1;
    garbage[40] = 1;
    assertThat(recall(r, INFO, garbage, umh, false)).isNotNull();
    byte[] other = ask(84);
    other[0] = 'n';
    assertThat(recall(r, INFO, other, umh, false)).isNull();
    assertThat(recall(r, INFO, ask(85), umh, false)).isNull();
    assertThat(recall(r, ENTRIES, info, umh, false)).isNull();
    r.forget();
    assertThat(recall(r, INFO, info, umh, false)).isNull();

    r.remember(
        get(INFO, info),
        MboxReply.error(bpfilterctl.core.uapi.Errno.ENOENT),
        umh,
        r.epoch(),
        false);
    assertThat(recall(r, INFO, info, umh, false)).isNull();
    r.remember(new MboxRequest(1, true, INFO, 42, info), reply, umh, r.epoch(), false);
    assertThat(recall(r, INFO, info, umh, false)).isNull(); // a set is never an answer to keep
  }
}
