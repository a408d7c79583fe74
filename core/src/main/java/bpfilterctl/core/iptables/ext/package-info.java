/**
 * The client side of iptables' extensions (libxt_*.c): each {@link
 * bpfilterctl.core.iptables.ext.XtExtension} declares its options, fills its kernel struct from
 * them and prints the struct back in -L and save form. {@link
 * bpfilterctl.core.iptables.ext.XtOptionParser} is libxtables' generic option parsing (xtoptions.c)
 * with its messages.
 */
package bpfilterctl.core.iptables.ext;
