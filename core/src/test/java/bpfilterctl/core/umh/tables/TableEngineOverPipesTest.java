package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.umh.UmhLoop;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The engine behind the umh loop: mbox frames in, mbox replies out. */
class TableEngineOverPipesTest {
  @Test
  void handshakeThenGetInfoThenAnUnknownOption() throws Exception {
    ByteArrayOutputStream requests = new ByteArrayOutputStream();
    requests.writeBytes(MboxRequest.handshake(1).encode());
    requests.writeBytes(new MboxRequest(2, false, 64, 7, IptGetinfo.request("nat")).encode());
    requests.writeBytes(new MboxRequest(3, true, 70, 7, new byte[4]).encode());
    ByteArrayOutputStream replies = new ByteArrayOutputStream();
    UmhLoop.End end =
        new UmhLoop(
                new ByteArrayInputStream(requests.toByteArray()),
                replies,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new TableEngine(ExtensionRegistry.kernel()),
                1 << 20)
            .run();
    assertThat(end).isEqualTo(UmhLoop.End.EOF);

    ByteBuffer r = ByteBuffer.wrap(replies.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(r.getInt()).isZero();
    int status = r.getInt();
    assertThat(status).isEqualTo(IptGetinfo.SIZE);
    byte[] info = new byte[status];
    r.get(info);
    assertThat(IptGetinfo.decode(info).validHooks()).isEqualTo(0x1b);
    assertThat(new MboxReply(r.getInt(), new byte[0]).describeStatus()).isEqualTo("ENOPROTOOPT");
    assertThat(r.remaining()).isZero();
  }
}
