/**
 * Enforcement: the filter table compiled to BPF_PROG_TYPE_NETFILTER programs, loaded with the bpf()
 * syscall and attached at the netfilter hooks. {@code sys} talks to the kernel (bpf(), setns,
 * bpffs), {@code btf} reads vmlinux BTF for kfunc ids and struct offsets, {@code insn} emits
 * instructions, {@code compile} turns an accepted ip_tables table into programs.
 */
package bpfilterctl.core.bpf;
