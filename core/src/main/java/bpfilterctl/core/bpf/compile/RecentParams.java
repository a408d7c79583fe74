package bpfilterctl.core.bpf.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * xt_recent's module parameters, fixed at boot (mode 0400): ip_list_tot, the addresses a table
 * holds, and ip_pkt_list_tot, which sizes the rings of stamps. Read from /sys/module/xt_recent;
 * where that is absent, the kernel's defaults (100 and 0).
 */
public record RecentParams(int ipListTot, long ipPktListTot) {
  public static final RecentParams DEFAULTS = new RecentParams(100, 0);

  private static final Path DIR = Path.of("/sys/module/xt_recent/parameters");

  /** The running kernel's. */
  public static RecentParams running() {
    try {
      int tot = Integer.parseInt(Files.readString(DIR.resolve("ip_list_tot")).trim());
      long pkt = Long.parseLong(Files.readString(DIR.resolve("ip_pkt_list_tot")).trim());
      return new RecentParams(tot, pkt);
    } catch (IOException | NumberFormatException e) {
      return DEFAULTS;
    }
  }
}
