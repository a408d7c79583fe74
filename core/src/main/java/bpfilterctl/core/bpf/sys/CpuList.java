package bpfilterctl.core.bpf.sys;

/** The kernel's CPU list format ("0-3,5,7-8") as in /sys/devices/system/cpu/possible. */
final class CpuList {
  private CpuList() {}

  /** How many CPUs the list names: the slots of a per-CPU map value (for_each_possible_cpu). */
  static int count(String list) {
    int n = 0;
    for (String part : list.split(",")) {
      String[] range = part.trim().split("-");
      int lo = Integer.parseInt(range[0].trim());
      int hi = Integer.parseInt(range[range.length - 1].trim());
      n += hi - lo + 1;
    }
    if (n <= 0) {
      throw new IllegalArgumentException("empty CPU list");
    }
    return n;
  }
}
