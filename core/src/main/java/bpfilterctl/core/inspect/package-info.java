/**
 * Structural views of what the IPT_SO_* calls carry: decoded tables and entries (offsets, hooks, ip
 * parts, matches, targets) as text and as JSON with stable keys, hex dumps, and what an errno means
 * for each call, for the raw get/set commands and watch's detail pane. Not iptables syntax: the
 * iptables front-end prints rules with its own printer.
 */
package bpfilterctl.core.inspect;
