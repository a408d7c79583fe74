/**
 * The kernel side of iptables extensions (xt_*.c): what each x_tables module registers (name,
 * revision, family, data size, usersize, table, hooks, protocol) and its checkentry, with the errno
 * the real kernel gives.
 *
 * <p>How the table engine uses it, in the kernel's order (ip_tables.c find_check_entry): for every
 * entry, with {@code hookMask} the hooks the entry is reachable from (mark_source_chains'
 * comefrom), call {@link bpfilterctl.core.kernel.ExtensionRegistry#validate} for each match in blob
 * order (the context carries all the entry's matches), then for the target; the first errno fails
 * the whole SET_REPLACE. For an accepted blob, call {@link
 * bpfilterctl.core.kernel.KernelExtension#normalize} on the stored copy of each extension's data;
 * GET_ENTRIES then gives back its first {@link bpfilterctl.core.kernel.KernelExtension#userSize}
 * bytes and zeroes up to the aligned size. GET_REVISION_MATCH/TARGET is {@link
 * bpfilterctl.core.kernel.ExtensionRegistry#revisionAnswer}.
 *
 * <p>One class per extension family declares its registrations with {@link
 * bpfilterctl.core.kernel.Xt}; {@link bpfilterctl.core.kernel.KernelExtensions#all} lists them. The
 * facts come from the kernel this project runs on (6.18, CONFIG_HZ=250) and are pinned by {@code
 * KernelOracleTest} against recorded answers (core/src/test/scripts/ext_oracle.py).
 */
package bpfilterctl.core.kernel;
