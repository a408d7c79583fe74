/**
 * Structural views of what the IPT_SO_* calls carry: decoded tables and entries (offsets, hooks, ip
 * parts, matches, targets) as text and as JSON with stable keys, hex dumps, and what an errno means
 * for each call. Not iptables syntax: the iptables front-end can print its rules beside these.
 */
package bpfilterctl.core.inspect;
