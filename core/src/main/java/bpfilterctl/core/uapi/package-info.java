/**
 * The kernel's uapi in Java: one home for every fact that both the umh (its table engine and the
 * kernel side of extensions, {@code core.kernel}) and the iptables front-end (its extensions,
 * {@code core.iptables.ext}) use, as the kernel's headers serve both xt_*.c and libxt_*.c. Struct
 * layouts with their sizes, offsets and flags (ipt_entry, ipt_ip and IPT_INV_*, xt_tcp,
 * xt_recent_mtinfo, xt_hashlimit_mtinfo, ...), the hooks' names and bits, protocol numbers, the
 * errno values with their strerror texts, and IPv4 addresses as text. Little-endian ByteBuffers,
 * codecs beside the records; nothing here decides policy.
 */
package bpfilterctl.core.uapi;
