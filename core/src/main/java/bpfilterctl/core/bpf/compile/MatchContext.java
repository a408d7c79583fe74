package bpfilterctl.core.bpf.compile;

/**
 * What match emitters need beyond the entry: the kernel's layout, the table's limit buckets, what
 * the hook's prologue filled and the table's recent tables.
 *
 * @param kernel the running kernel's offsets and ids
 * @param limits the table's token buckets
 * @param reads the optional parts of the summary this hook's prologue fills
 * @param recent the xt_recent tables its recent matches use
 * @param eviction the program's callback finding a full recent table's oldest entry
 * @param hook the program's netfilter hook
 */
record MatchContext(
    KernelLayout kernel,
    LimitBuckets limits,
    SummaryReads reads,
    RecentTables recent,
    RecentEviction eviction,
    int hook) {}
