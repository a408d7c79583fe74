package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.traffic.TableLayout;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch view's save rendering of a table the real kernel counted, beside iptables-legacy-save
 * -c of the same table: a user chain whose RETURN saw packets still prints "- [0:0]".
 */
class SaveRendererAgainstKernelTest {
  /** Sends UDP to the loopback so that OUTPUT and the user chain's RETURN count packets. */
  private static final String SENDER =
      "import socket\n"
          + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
          + "for i in range(3):\n"
          + "    s.sendto(b\"x\", (\"127.0.0.1\", 9))\n";

  /** GET_INFO and GET_ENTRIES of filter on a raw socket, as hex lines. */
  private static final String DUMP =
      "import ctypes, socket, struct\n"
          + "libc = ctypes.CDLL(None, use_errno=True)\n"
          + "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)\n"
          + "def get(opt, buf):\n"
          + "    b = ctypes.create_string_buffer(buf, len(buf))\n"
          + "    n = ctypes.c_uint(len(buf))\n"
          + "    if libc.getsockopt(s.fileno(), 0, opt, b, ctypes.byref(n)) != 0:\n"
          + "        raise OSError(ctypes.get_errno(), \"getsockopt\")\n"
          + "    return b.raw[:n.value]\n"
          + "info = get(64, b\"filter\".ljust(84, b\"\\0\"))\n"
          + "size = struct.unpack_from(\"<I\", info, 80)[0]\n"
          + "entries = get(65, b\"filter\".ljust(32, b\"\\0\") + struct.pack(\"<I\", size)"
          + " + bytes(4 + size))\n"
          + "print(\"info\", info.hex())\n"
          + "print(\"entries\", entries.hex())\n";

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void userChainLineIsDashZeroWhateverItsReturnCounted() throws Exception {
    String why = LegacyKernel.unavailable();
    assumeTrue(why == null, () -> "skipped: " + why);
    String script =
        String.join(
            "\n",
            "set -e",
            "ip link set lo up",
            "iptables-legacy -N counted",
            "iptables-legacy -A counted -p udp",
            "iptables-legacy -A OUTPUT -j counted",
            "python3 -c '" + SENDER + "'",
            "python3 -c '" + DUMP + "'",
            "iptables-legacy-save -c -t filter",
            "");
    LegacyKernel.Outcome o = LegacyKernel.run(script, "");
    assertThat(o.status()).as(o.err()).isZero();
    List<String> lines = o.out().lines().toList();
    IptGetinfo info = IptGetinfo.decode(hex(lines, "info "));
    List<IptEntry> entries = IptGetEntries.decode(hex(lines, "entries ")).entryList();

    RuleTable parsed = RuleTable.parse(info, entries);
    RuleTable.Chain counted =
        parsed.chains().stream().filter(c -> c.name().equals("counted")).findFirst().orElseThrow();
    assertThat(counted.counters().pcnt())
        .as("the user chain's RETURN counted packets")
        .isPositive();

    List<String> kernelSave =
        lines.stream()
            .filter(l -> l.startsWith(":") || l.startsWith("["))
            .map(String::stripTrailing)
            .toList();
    List<String> rendered =
        new SaveRenderer(
                XtExtensions.standard(), Lookups.system(), (t, l, e) -> List.of("fallback"))
            .render("filter", TableLayout.of(info), entries);
    assertThat(kernelSave).contains(":counted - [0:0]");
    assertThat(rendered).containsExactlyElementsOf(kernelSave);
  }

  private static byte[] hex(List<String> lines, String prefix) {
    return HexFormat.of()
        .parseHex(
            lines.stream()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow()
                .substring(prefix.length()));
  }
}
