package bpfilterctl.core.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.uapi.Errno;
import org.junit.jupiter.api.Test;

class RawCallTest {
  @Test
  void cmdIsANumberOrAName() {
    RawCall byName =
        RawCall.parse("{\"op\": \"get\", \"cmd\": \"IPT_SO_GET_ENTRIES\", \"buf\": \"0aFF\"}");
    RawCall byNumber = RawCall.parse("{\"op\":\"get\",\"cmd\":65,\"buf\":\"0aff\"}");
    assertThat(byName.cmd()).isEqualTo(65).isEqualTo(byNumber.cmd());
    assertThat(byName.buf()).containsExactly(0x0a, 0xff);
    assertThat(byName.isSet()).isFalse();
  }

  @Test
  void malformedCallsSayWhatIsWrong() {
    assertThatThrownBy(() -> RawCall.parse("{\"op\":\"put\",\"cmd\":64}"))
        .hasMessageContaining("op");
    assertThatThrownBy(() -> RawCall.parse("{\"op\":\"set\",\"cmd\":\"IPT_SO_GET_INFO\"}"))
        .hasMessageContaining("is a get");
    assertThatThrownBy(() -> RawCall.parse("{\"op\":\"set\",\"cmd\":\"NOPE\"}"))
        .hasMessageContaining("unknown");
    assertThatThrownBy(() -> RawCall.parse("{\"op\":\"set\",\"cmd\":64,\"buf\":\"abc\"}"))
        .hasMessageContaining("not hex");
    assertThatThrownBy(() -> RawCall.parse("{\"op\":\"set\",")).hasMessageContaining("JSON");
    assertThatThrownBy(() -> RawCall.parse("[1]")).hasMessageContaining("object");
  }

  @Test
  void answersAreWrittenExactlyAsKernelSockoptWritesThem() {
    RawCall get = RawCall.parse("{\"op\":\"get\",\"cmd\":64,\"buf\":\"0000\"}");
    assertThat(RawAnswer.of(get, MboxReply.ok(new byte[] {1, 2})).toJsonLine())
        .isEqualTo("{\"rc\": 0, \"errno\": null, \"buf\": \"0102\", \"len\": 2}");
    assertThat(RawAnswer.of(get, MboxReply.error(Errno.ENOENT)).toJsonLine())
        .isEqualTo("{\"rc\": -1, \"errno\": \"ENOENT\", \"buf\": \"0000\", \"len\": 2}");
    RawCall replace = RawCall.parse("{\"op\":\"set\",\"cmd\":64,\"buf\":\"ab\"}");
    assertThat(RawAnswer.of(replace, MboxReply.ok(new byte[] {9})).toJsonLine())
        .isEqualTo(
            "{\"rc\": 0, \"errno\": null, \"buf\": \"ab\", \"len\": 1, \"counters\": \"09\"}");
  }
}
