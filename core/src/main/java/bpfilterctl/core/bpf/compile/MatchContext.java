package bpfilterctl.core.bpf.compile;

/**
 * What match emitters need beyond the entry: the kernel's layout and the table's limit buckets.
 *
 * @param kernel the running kernel's offsets and ids
 * @param limits the table's token buckets
 */
record MatchContext(KernelLayout kernel, LimitBuckets limits) {}
