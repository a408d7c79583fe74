package bpfilterctl.core.bpf;

import java.util.ArrayList;
import java.util.List;

/** The kernel's log as the LOG tests compare it: `dmesg -r` lines, "<level>" kept, time dropped. */
final class KernelLog {
  private KernelLog() {}

  /** Every line that contains {@code marker}, as "<level>text". */
  static List<String> linesWith(String marker) throws Exception {
    List<String> lines = new ArrayList<>();
    for (String l : TestNetns.run(List.of("dmesg", "-r"), "").out().split("\n")) {
      if (l.contains(marker)) {
        lines.add(l.replaceFirst("^(<\\d+>)\\[[^]]*\\] ?", "$1"));
      }
    }
    return lines;
  }
}
