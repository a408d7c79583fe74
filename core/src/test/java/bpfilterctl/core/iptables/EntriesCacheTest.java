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
import java.util.ArrayList;
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
    iptables(plain, argv);
  }

  private static void iptables(Iptables to, String... argv) throws Exception {
    StringBuilder err = new StringBuilder();
    assertThat(to.run(List.of(argv), new StringBuilder(), err)).as(err.toString()).isZero();
  }

  private void ruleset() throws Exception {
    ruleset(plain);
  }

  private static void ruleset(Iptables to) throws Exception {
    iptables(to, "-N", "svc");
    for (int i = 1; i <= 20; i++) {
      iptables(
          to,
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
          to,
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
    iptables(to, "-A", "INPUT", "-j", "svc");
    iptables(to, "-A", "OUTPUT", "-d", "192.0.2.1", "-j", "REJECT");
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

  /** A port that keeps every SET_REPLACE it passes on. */
  private static final class Replaces implements Sockopts {
    final Sockopts to;
    final List<byte[]> sent = new ArrayList<>();

    Replaces(Sockopts to) {
      this.to = to;
    }

    @Override
    public byte[] get(int cmd, byte[] in)
        throws SockoptError, bpfilterctl.core.module.ModuleException {
      return to.get(cmd, in);
    }

    @Override
    public byte[] set(int cmd, byte[] value)
        throws SockoptError, bpfilterctl.core.module.ModuleException {
      if (cmd == Sockopt.IPT_SO_SET_REPLACE.cmd()) {
        sent.add(value.clone());
      }
      return to.set(cmd, value);
    }
  }

  @Test
  void aCommitThroughTheCacheSendsTheSameReplaceAsOneThatEncodesEveryEntry() throws Exception {
    ruleset();
    // A second module with the same table: one runs each change with the cache (its entries'
    // bytes copied from the reply read), the other with a fresh decode (every entry encoded).
    TableEngine other = new TableEngine(ExtensionRegistry.kernel());
    Replaces copied = new Replaces(port);
    Replaces encoded = new Replaces(ModuleSockopts.direct(other::handle));
    Iptables viaCache =
        new Iptables(copied, XtExtensions.standard(), Lookups.system(), XtablesLock.none(), cache);
    Iptables plainOther = new Iptables(encoded, XtExtensions.standard(), Lookups.system());
    // The same table in the second module, by the same commands.
    ruleset(plainOther);
    encoded.sent.clear();
    for (String[] change :
        new String[][] {
          {"-A", "INPUT", "-s", "192.0.2.7", "-p", "tcp", "--dport", "8443", "-j", "ACCEPT"},
          {"-A", "INPUT", "-s", "192.0.2.8", "-j", "DROP"},
          {"-I", "svc", "2", "-d", "192.0.2.9", "-m", "comment", "--comment", "x", "-j", "DROP"},
          {"-I", "INPUT", "-i", "lo", "-j", "ACCEPT"},
          {"-D", "INPUT", "3"},
          {"-D", "svc", "-s", "10.0.0.4", "-p", "tcp", "--dport", "1004", "-j", "ACCEPT"},
          {"-R", "svc", "1", "-s", "10.9.9.9", "-j", "RETURN"},
          {"-Z"},
          {"-Z", "INPUT", "2"},
          {"-N", "extra"},
          {"-A", "extra", "-p", "udp", "--sport", "53", "-j", "ACCEPT"},
          {"-A", "OUTPUT", "-j", "extra"},
          {"-D", "OUTPUT", "-j", "extra"},
          {"-F", "extra"},
          {"-X", "extra"},
          {"-P", "FORWARD", "DROP"},
          {"-P", "INPUT", "DROP"},
          {"-E", "svc", "svc2"},
          {"-A", "INPUT", "-s", "192.0.2.10", "-j", "ACCEPT"},
        }) {
      StringBuilder err = new StringBuilder();
      int before = copied.sent.size();
      assertThat(viaCache.run(List.of(change), new StringBuilder(), err))
          .as(String.join(" ", change) + ": " + err)
          .isZero();
      assertThat(plainOther.run(List.of(change), new StringBuilder(), err)).isZero();
      assertThat(copied.sent).hasSize(before + 1);
      assertThat(copied.sent.get(before))
          .as(String.join(" ", change))
          .isEqualTo(encoded.sent.get(before));
    }
  }

  @Test
  void anEntryIsCopiedOnlyAsTheBytesItsEncodingWrites() throws Exception {
    ruleset();
    byte[] first = reply();
    TableIo.Decoded d = cache.read("filter", first);
    // The first rule of svc (after its head): copied, and what encoding it writes.
    IptEntry rule = d.entries().get(1);
    byte[] into = new byte[rule.nextOffset() + 8];
    assertThat(d.bytes().copy(rule, into, 8)).isTrue();
    byte[] enc = new byte[rule.nextOffset()];
    rule.encode(bpfilterctl.core.uapi.Abi.wrap(enc), 0);
    assertThat(Arrays.copyOfRange(into, 8, into.length)).isEqualTo(enc);
    // An equal entry that is not one read (a parser's, an edit's) is encoded, never looked up.
    IptEntry equal = rule.withCounters(rule.counters());
    assertThat(equal).isEqualTo(rule);
    assertThat(d.bytes().copy(equal, into, 0)).isFalse();

    // A reply whose entry carries bytes its decode does not keep (a longer next_offset with a
    // tail): that entry is never copied, the others still are.
    byte[] odd = Arrays.copyOf(first, first.length);
    var b = bpfilterctl.core.uapi.Abi.wrap(odd);
    int at = IptGetEntries.HEADER_SIZE;
    int second = at + Short.toUnsignedInt(b.getShort(at + IptEntry.OFF_NEXT_OFFSET));
    b.putInt(second + IptEntry.OFF_NFCACHE, 0x1234); // kept by the decode: still copied as is
    TableIo.Decoded d2 = new EntriesCache().read("filter", odd);
    IptEntry r2 = d2.entries().get(1);
    assertThat(r2.nfcache()).isEqualTo(0x1234);
    assertThat(d2.bytes().copy(r2, into, 8)).isTrue();
    byte[] zeroName = Arrays.copyOf(first, first.length);
    // A byte after the NUL of the first match's name: the decode drops it, so no copy.
    bpfilterctl.core.uapi.Abi.wrap(zeroName)
        .put(second + IptEntry.SIZE + bpfilterctl.core.uapi.XtEntryMatch.OFF_NAME + 20, (byte) 7);
    TableIo.Decoded d3 = new EntriesCache().read("filter", zeroName);
    IptEntry r3 = d3.entries().get(1);
    byte[] enc3 = new byte[r3.nextOffset()];
    r3.encode(bpfilterctl.core.uapi.Abi.wrap(enc3), 0);
    boolean same = Arrays.equals(enc3, 0, enc3.length, zeroName, second, second + enc3.length);
    assertThat(d3.bytes().copy(r3, into, 8)).isEqualTo(same);
  }
}
