package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The BTF reader on this kernel's vmlinux: facts fixed by the uapi or by struct definitions. */
class BtfTest {
  @Test
  void findsMembersAndKfuncs() throws Exception {
    Require.that(Files.isReadable(Btf.VMLINUX), "no " + Btf.VMLINUX);
    Btf btf = Btf.vmlinux();
    // struct nf_hook_state { u8 hook; u8 pf; struct net_device *in; *out; ... }
    assertThat(btf.member("nf_hook_state", "hook").orElseThrow().byteOffset()).isZero();
    assertThat(btf.member("nf_hook_state", "pf").orElseThrow().byteOffset()).isEqualTo(1);
    assertThat(btf.member("nf_hook_state", "in").orElseThrow().byteOffset()).isEqualTo(8);
    assertThat(btf.member("nf_hook_state", "out").orElseThrow().byteOffset()).isEqualTo(16);
    // struct iphdr: ihl:4 and version:4 share the first byte (bitfields), tos at 1, saddr at 12
    assertThat(btf.member("iphdr", "version").orElseThrow().bitSize()).isEqualTo(4);
    assertThat(btf.member("iphdr", "saddr").orElseThrow().byteOffset()).isEqualTo(12);
    // sk_buff.len lies inside anonymous members; found all the same
    assertThat(btf.member("sk_buff", "len")).isPresent();
    assertThat(btf.member("net_device", "name")).isPresent();
    assertThat(btf.member("net_device", "no_such_member")).isEmpty();
    assertThat(btf.funcId("bpf_dynptr_from_skb")).isPresent();
    assertThat(btf.funcId("bpf_dynptr_slice")).isPresent();
    assertThat(btf.funcId("no_such_function_here")).isEmpty();
    System.out.println(
        "net_device.name at "
            + btf.member("net_device", "name").orElseThrow()
            + ", sk_buff.len at "
            + btf.member("sk_buff", "len").orElseThrow());
  }
}
