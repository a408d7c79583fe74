package bpfilterctl.core.bpf.compile;

/**
 * What match emitters need beyond the entry: the kernel's layout, the table's limit buckets and
 * what the hook's prologue filled.
 *
 * @param kernel the running kernel's offsets and ids
 * @param limits the table's token buckets
 * @param reads the optional parts of the summary this hook's prologue fills
 */
record MatchContext(KernelLayout kernel, LimitBuckets limits, SummaryReads reads) {}
