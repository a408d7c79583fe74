package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.RandomRouterFilter.Shot;
import bpfilterctl.core.bpf.RoutedNetns.Node;
import bpfilterctl.core.fixtures.Require;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same random filter table in the kernel's ip_tables (iptables-legacy, in one {@link
 * RoutedNetns}'s router) and compiled by us and attached at LOCAL_IN, FORWARD and LOCAL_OUT
 * (another's router); the same packets sent from the sender, the receiver and the router itself of
 * both: to the router's addresses (INPUT), through it (FORWARD, both ways), from it (OUTPUT), and
 * what the router's stack answers (echo replies, RSTs, ICMP errors: OUTPUT again). Both must
 * deliver the same packets (what arrives at each end, what the router's LOCAL_IN delivers, which
 * router sends are refused) and iptables-save -c must print the same counters for every rule and
 * policy. Runs of four or more same-shape rules compile as lookups; odd seeds compile every entry
 * with one jump, even seeds eagerly.
 *
 * <p>{@value #SEEDS_PROPERTY} seeds (default 40) in the normal build; the soak variant (-Psoak)
 * runs {@value #SOAK_PROPERTY} (default 300).
 */
class RoutedDifferentialTest {
  static final String SEEDS_PROPERTY = "bpf.routed.seeds";
  static final String SOAK_PROPERTY = "bpf.routed.soakSeeds";

  /** Datagrams per seed (a fragmented one is two packets). */
  static final int DATAGRAMS = 80;

  @Test
  @Timeout(600)
  void randomRouterTablesAgreeWithIpTables() throws Exception {
    compare(Integer.getInteger(SEEDS_PROPERTY, 40));
  }

  @Test
  @Tag("soak")
  @Timeout(7200)
  void hundredsOfSeeds() throws Exception {
    compare(Integer.getInteger(SOAK_PROPERTY, 300));
  }

  /** What one side did with a round of packets. */
  private record Outcome(boolean[] sent, Map<Node, List<byte[]>> captured) {}

  /** Packets whose fate the test counted, per hook: let through, dropped. */
  private static final class Tally {
    final long[] delivered = new long[4];
    final long[] dropped = new long[4];
    int packets;
    int withLookups;

    /** Per feature of a saved rule line: rules that had it, and of those, rules that matched. */
    final Map<String, int[]> rules = new java.util.TreeMap<>();

    /** The features whose rules must match something over all seeds. */
    static final List<String> FEATURES =
        List.of(
            "-A u",
            " -i ",
            " -o ",
            " -f",
            "! ",
            " -g ",
            "-j RETURN",
            "--icmp-type",
            "--tcp-flags",
            "port ");

    void add(String kernelSave) {
      for (String line : kernelSave.lines().toList()) {
        if (!line.startsWith("[")) {
          continue;
        }
        boolean matched = !line.startsWith("[0:");
        for (String f : FEATURES) {
          if (line.contains(f)) {
            int[] c = rules.computeIfAbsent(f, k -> new int[2]);
            c[0]++;
            c[1] += matched ? 1 : 0;
          }
        }
      }
    }

    void add(List<Shot> shots, Outcome o) {
      packets += shots.size();
      Map<Node, Set<Long>> keys = new EnumMap<>(Node.class);
      o.captured()
          .forEach(
              (n, ps) ->
                  keys.put(
                      n, ps.stream().map(RandomRouterFilter::key).collect(Collectors.toSet())));
      for (int i = 0; i < shots.size(); i++) {
        Shot s = shots.get(i);
        if (s.hook() == 0) {
          continue;
        }
        boolean through =
            s.hook() == RandomRouterFilter.LOCAL_OUT
                ? o.sent()[i]
                : keys.get(s.to()).contains(s.key());
        (through ? delivered : dropped)[s.hook()]++;
      }
    }
  }

  private void compare(int seeds) throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Tally tally = new Tally();
    try (RoutedNetns kernel = RoutedNetns.create();
        RoutedNetns ours = RoutedNetns.create()) {
      for (int seed = 1; seed <= seeds; seed++) {
        RandomRouterFilter gen = new RandomRouterFilter(seed, 1 + (seed * 128) % 0xff00);
        String table = gen.table();
        List<Shot> shots = gen.shots(DATAGRAMS);

        TestNetns.Result restored = kernel.exec(Node.ROUTER, table, "iptables-legacy-restore");
        assertThat(restored.rc())
            .as("kernel restore, seed %d:\n%s%s", seed, table, restored.err())
            .isZero();
        Outcome kernelOutcome = exchange(kernel, shots);
        String kernelSave =
            FilterBed.withoutComments(
                kernel.exec(Node.ROUTER, "", "iptables-legacy-save", "-c", "-t", "filter").out());

        // runs of 4+ rules as lookups; odd seeds with accumulated tests (one jump per entry)
        try (FilterBed bed =
            seed % 2 == 0 ? new FilterBed().minRun(4) : new FilterBed().minRun(4).accumulated()) {
          bed.restore(table).load();
          tally.withLookups += bed.compiled.lookups().count() > 0 ? 1 : 0;
          Outcome ourOutcome;
          FilterBed.Links links = bed.attach(ours.path(Node.ROUTER));
          try {
            ourOutcome = exchange(ours, shots);
          } finally {
            links.close();
          }
          String ourSave = bed.saveWithCounters();

          String what = String.format("seed %d, table:%n%s", seed, table);
          assertThat(ourOutcome.sent())
              .as("router sends let out, %s", what)
              .containsExactly(kernelOutcome.sent());
          for (Node n : Node.values()) {
            assertSame(n, kernelOutcome.captured().get(n), ourOutcome.captured().get(n), what);
          }
          assertThat(ourSave).as("counters, %s", what).isEqualTo(kernelSave);
        }
        tally.add(shots, kernelOutcome);
        tally.add(kernelSave);
      }
    }
    // not vacuous: every hook let packets through and dropped others
    for (int hook = 1; hook <= 3; hook++) {
      assertThat(tally.delivered[hook]).as("delivered through hook %d", hook).isPositive();
      assertThat(tally.dropped[hook]).as("dropped at hook %d", hook).isPositive();
    }
    assertThat(tally.withLookups).as("seeds whose table has a lookup run").isPositive();
    for (String f : Tally.FEATURES) {
      assertThat(tally.rules.getOrDefault(f, new int[2])[1])
          .as("rules with '%s' that matched a packet", f)
          .isPositive();
    }
    System.out.printf(
        "%d seeds (%d with lookup runs), %d packets sent; delivered/dropped: INPUT %d/%d,"
            + " FORWARD %d/%d, OUTPUT %d/%d%n",
        seeds,
        tally.withLookups,
        tally.packets,
        tally.delivered[1],
        tally.dropped[1],
        tally.delivered[2],
        tally.dropped[2],
        tally.delivered[3],
        tally.dropped[3]);
    System.out.println(
        "rules that matched a packet, of those with: "
            + tally.rules.entrySet().stream()
                .map(e -> "'" + e.getKey().strip() + "' " + e.getValue()[1] + "/" + e.getValue()[0])
                .collect(Collectors.joining(", ")));
  }

  /**
   * One round on one side: every node's shots sent in order (the sender's, the receiver's, then the
   * router's), then, once everything is sure to have arrived ({@link NetnsAgent#sync}), every
   * capture read. Fails if anything arrived before the round (a late packet of the one before).
   */
  private static Outcome exchange(RoutedNetns net, List<Shot> shots) throws Exception {
    for (Node n : Node.values()) {
      net.agent(n).collect(0);
      assertThat(net.agent(n).captured()).as("late packets at %s", n).isEmpty();
    }
    boolean[] sent = new boolean[shots.size()];
    for (Node n : Node.values()) {
      List<Integer> mine = new ArrayList<>();
      List<byte[]> packets = new ArrayList<>();
      for (int i = 0; i < shots.size(); i++) {
        if (shots.get(i).from() == n) {
          mine.add(i);
          packets.add(shots.get(i).packet());
        }
      }
      boolean[] got = net.agent(n).send(packets);
      for (int i = 0; i < got.length; i++) {
        sent[mine.get(i)] = got[i];
      }
    }
    net.agent(Node.SENDER).sync("10.1.0.254");
    for (Node n : Node.values()) {
      net.agent(n).collect(0);
    }
    Map<Node, List<byte[]>> captured = new EnumMap<>(Node.class);
    for (Node n : Node.values()) {
      captured.put(n, net.agent(n).captured());
    }
    return new Outcome(sent, captured);
  }

  /**
   * The same packets arrived at {@code n} on both sides, in any order. The IP id and header
   * checksum are left out: the kernel picks ids of its own packets (replies, errors) at random.
   */
  private static void assertSame(Node n, List<byte[]> kernel, List<byte[]> ours, String what) {
    Map<String, Integer> count = new HashMap<>();
    kernel.forEach(p -> count.merge(normalized(p), 1, Integer::sum));
    ours.forEach(p -> count.merge(normalized(p), -1, Integer::sum));
    List<String> onlyKernel = new ArrayList<>();
    List<String> onlyOurs = new ArrayList<>();
    count.forEach(
        (p, c) -> {
          for (int i = 0; i < Math.abs(c); i++) {
            (c > 0 ? onlyKernel : onlyOurs).add(describe(HexFormat.of().parseHex(p)));
          }
        });
    assertThat(onlyOurs)
        .as(
            "packets at %s: only with ours %s, only with the kernel %s; %s",
            n, onlyOurs, onlyKernel, what)
        .isEmpty();
    assertThat(onlyKernel).as("packets at %s only with the kernel (%s)", n, what).isEmpty();
  }

  private static String normalized(byte[] ip) {
    byte[] p = ip.clone();
    p[4] = p[5] = p[10] = p[11] = 0;
    return HexFormat.of().formatHex(p);
  }

  /** A readable line for a packet in a failure message. */
  static String describe(byte[] ip) {
    ByteBuffer b = ByteBuffer.wrap(ip);
    int hl = (ip[0] & 0xf) * 4;
    int proto = ip[9] & 0xff;
    StringBuilder s =
        new StringBuilder()
            .append(proto)
            .append(' ')
            .append(addr(b.getInt(12)))
            .append('>')
            .append(addr(b.getInt(16)))
            .append(
                String.format(" frag %04x ttl %d len %d", b.getShort(6), ip[8] & 0xff, ip.length));
    int fragOff = b.getShort(6) & 0x1fff;
    if (fragOff == 0 && ip.length >= hl + 4) {
      if (proto == 1) {
        s.append(" icmp ").append(ip[hl] & 0xff).append('/').append(ip[hl + 1] & 0xff);
      } else if (proto == 6 || proto == 17) {
        s.append(" ports ")
            .append(b.getShort(hl) & 0xffff)
            .append('>')
            .append(b.getShort(hl + 2) & 0xffff);
        if (proto == 6 && ip.length >= hl + 14) {
          s.append(String.format(" flags %02x", ip[hl + 13]));
        }
      }
    }
    return s.append(" [").append(HexFormat.of().formatHex(ip)).append(']').toString();
  }

  private static String addr(int a) {
    return (a >>> 24) + "." + (a >> 16 & 0xff) + "." + (a >> 8 & 0xff) + "." + (a & 0xff);
  }
}
