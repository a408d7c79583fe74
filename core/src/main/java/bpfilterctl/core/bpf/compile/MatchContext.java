package bpfilterctl.core.bpf.compile;

/**
 * What match emitters need beyond the entry: the kernel's layout, the table's limit buckets and its
 * recent tables.
 *
 * @param kernel the running kernel's offsets and ids
 * @param limits the table's token buckets
 * @param recent the xt_recent tables its recent matches use
 * @param eviction the program's callback finding a full recent table's oldest entry
 * @param hook the program's netfilter hook
 */
record MatchContext(
    KernelLayout kernel,
    LimitBuckets limits,
    RecentTables recent,
    RecentEviction eviction,
    int hook) {}
