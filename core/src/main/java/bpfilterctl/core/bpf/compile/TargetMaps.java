package bpfilterctl.core.bpf.compile;

/**
 * The maps through which programs hand packets to the umh for the targets it completes (REJECT,
 * LOG): a BPF_MAP_TYPE_RINGBUF of {@link TargetEvent} records, and a one-slot per-CPU array of u64
 * counting the records lost to a full ring buffer; {@code layout} says where the programs read what
 * the records carry.
 */
public record TargetMaps(int ringFd, int lostFd, TargetLayout layout) {}
