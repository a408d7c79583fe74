package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.umh.tables.TableEngine;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntriesCacheTest {
  private final TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
  private final Sockopts port = ModuleSockopts.direct(engine::handle);
  private final EntriesCache cache = new EntriesCache();
  private final Iptables plain = new Iptables(port, XtExtensions.standard(), Lookups.system());
  private final Iptables cached =
      new Iptables(port, XtExtensions.standard(), Lookups.system(), XtablesLock.none(), cache);

  private void iptables(String... argv) throws Exception {
    StringBuilder err = new StringBuilder();
    assertThat(plain.run(List.of(argv), new StringBuilder(), err)).as(err.toString()).isZero();
  }

  private void ruleset() throws Exception {
    iptables("-N", "svc");
    for (int i = 1; i <= 20; i++) {
      iptables(
          "-A",
          "svc",
          "-s",
          "10.0.0." + i,
          "-p",
          "tcp",
          "--dport",
          "" + (1000 + i),
          "-j",
          "ACCEPT");
      iptables(
          "-A",
          "INPUT",
          "-s",
          "10.1.0." + i,
          "-p",
          "udp",
          "--dport",
          "" + (2000 + i),
          "-j",
          "DROP");
    }
    iptables("-A", "INPUT", "-j", "svc");
    iptables("-A", "OUTPUT", "-d", "192.0.2.1", "-j", "REJECT");
  }

  /** GET_INFO and GET_ENTRIES of filter, as TC_INIT asks them. */
  private byte[] reply() throws Exception {
    IptGetinfo info =
        IptGetinfo.decode(port.get(Sockopt.IPT_SO_GET_INFO.cmd(), IptGetinfo.request("filter")));
    return port.get(Sockopt.IPT_SO_GET_ENTRIES.cmd(), IptGetEntries.request("filter", info.size()));
  }

  private static byte[] encoded(List<IptEntry> entries) {
    return IptEntries.encode(entries);
  }

  @Test
  void anUnchangedTableIsTheSameEntriesAndAChangedOneDecodesAsAfresh() throws Exception {
    ruleset();
    byte[] first = reply();
    List<IptEntry> a = cache.decode("filter", first);
    assertThat(encoded(a)).isEqualTo(encoded(TableIo.EntryDecoder.FRESH.decode("filter", first)));
    assertThat(cache.decode("filter", reply())).isSameAs(a);

    // An insert in INPUT: the entries before it stay where they were, those after it move.
    iptables("-I", "INPUT", "5", "-s", "198.51.100.9", "-j", "ACCEPT");
    byte[] second = reply();
    List<IptEntry> b = cache.decode("filter", second);
    assertThat(encoded(b)).isEqualTo(encoded(TableIo.EntryDecoder.FRESH.decode("filter", second)));
    assertThat(b).hasSize(a.size() + 1);
    assertThat(b.get(0)).isSameAs(a.get(0));
    assertThat(b.get(b.size() - 2)).isSameAs(a.get(a.size() - 2)); // OUTPUT's REJECT, moved
    assertThat(b.get(4)).isNotSameAs(a.get(4));

    // A delete, then the chain's rules all changed: what differs is decoded, the rest reused.
    iptables("-D", "svc", "3");
    iptables("-R", "INPUT", "1", "-s", "203.0.113.1", "-j", "DROP");
    byte[] third = reply();
    assertThat(encoded(cache.decode("filter", third)))
        .isEqualTo(encoded(TableIo.EntryDecoder.FRESH.decode("filter", third)));
    assertThatThrownBy(() -> cache.decode("filter", third).add(a.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aMalformedReplyFailsAsTheFreshDecodeFails() throws Exception {
    ruleset();
    cache.decode("filter", reply());
    byte[] bad = reply();
    // The third entry's next_offset beyond the blob.
    int at = IptGetEntries.HEADER_SIZE;
    for (int i = 0; i < 2; i++) {
      at +=
          Short.toUnsignedInt(
              bpfilterctl.core.uapi.Abi.wrap(bad).getShort(at + IptEntry.OFF_NEXT_OFFSET));
    }
    bpfilterctl.core.uapi.Abi.wrap(bad).putShort(at + IptEntry.OFF_NEXT_OFFSET, (short) 0xfff0);
    String fresh = null;
    try {
      TableIo.EntryDecoder.FRESH.decode("filter", Arrays.copyOf(bad, bad.length));
    } catch (IllegalArgumentException e) {
      fresh = e.getMessage();
    }
    assertThat(fresh).isNotNull();
    assertThatThrownBy(() -> cache.decode("filter", bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(fresh);
  }

  @Test
  void saveAndListingsThroughTheCacheAreTheSameText() throws Exception {
    ruleset();
    ZonedDateTime at = ZonedDateTime.of(2026, 12, 2, 13, 0, 0, 0, ZoneOffset.UTC);
    for (String[] change :
        new String[][] {
          {"-A", "INPUT", "-s", "192.0.2.7", "-p", "tcp", "--dport", "8443", "-j", "ACCEPT"},
          {"-I", "svc", "-d", "192.0.2.8", "-j", "DROP"},
          {"-D", "INPUT", "2"},
          {"-Z"},
        }) {
      StringBuilder ours = new StringBuilder();
      StringBuilder theirs = new StringBuilder();
      StringBuilder err = new StringBuilder();
      assertThat(cached.run(List.of(change), new StringBuilder(), err)).as(err.toString()).isZero();
      new IptablesSave(cached, () -> at).run(List.of("-c"), ours, err);
      new IptablesSave(plain, () -> at).run(List.of("-c"), theirs, err);
      cached.run(List.of("-S", "-v"), ours, err);
      plain.run(List.of("-S", "-v"), theirs, err);
      assertThat(ours.toString()).isEqualTo(theirs.toString());
      assertThat(err.toString()).isEmpty();
    }
  }
}
