package bpfilterctl.core.bpf.compile;

/**
 * The maps through which programs hand packets to the umh for the targets it completes (REJECT,
 * LOG): a BPF_MAP_TYPE_RINGBUF of {@link TargetEvent} records, a one-slot per-CPU array of u64
 * counting the records lost to a full ring buffer, and the one-slot array through which the umh
 * tells LOCAL_OUT what conntrack its next REJECT reply carries ({@link ReplyConntrack}; -1: none,
 * the replies are then not recognised); {@code layout} says where the programs read what the
 * records carry.
 */
public record TargetMaps(int ringFd, int lostFd, int replyFd, TargetLayout layout) {
  /** Without the reply map (programs that never see the umh's replies, tests). */
  public TargetMaps(int ringFd, int lostFd, TargetLayout layout) {
    this(ringFd, lostFd, -1, layout);
  }
}
