package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.AddrtypeMatch;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netlink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The namespace's local routing table mirrored into an LPM trie map that addrtype matches look up
 * (see {@link LocalRoutes}), kept current by a thread that listens for route, address, link and
 * rule changes and then reads the table again. Between a change in the kernel and the next update
 * (the time the thread takes to wake, dump and write: well under a millisecond on an idle machine)
 * packets meet the old answer. Must be opened by a thread of the namespace to mirror; its own
 * thread inherits it.
 */
public final class RouteMirror implements AutoCloseable {
  /** Up to this many prefixes (a merged table holds main's routes too). */
  static final int MAX_ENTRIES = 1 << 18;

  private static final int BPF_F_NO_PREALLOC = 1;

  private final Bpf bpf;
  private final Fd map;
  private final Netlink requests;
  private final Netlink events;
  private final PrintStream log;
  private final Map<Long, Long> current = new HashMap<>();
  private final Thread thread;
  private volatile boolean stop;

  private RouteMirror(Bpf bpf, Fd map, Netlink requests, Netlink events, PrintStream log) {
    this.bpf = bpf;
    this.map = map;
    this.requests = requests;
    this.events = events;
    this.log = log;
    this.thread = new Thread(this::listen, "route mirror");
    this.thread.setDaemon(true);
  }

  /** Creates the map, fills it from the calling thread's namespace and starts listening. */
  public static RouteMirror open(Bpf bpf, PrintStream log) throws BpfException, IOException {
    Fd map =
        bpf.mapCreate(
            Bpf.MAP_TYPE_LPM_TRIE, 8, 8, MAX_ENTRIES, "bpfilter_routes", BPF_F_NO_PREALLOC);
    Netlink requests = null;
    Netlink events = null;
    try {
      // subscribe first: a change during the first dump is then seen afterwards
      events =
          Netlink.open(
              bpf.libc(),
              Netlink.RTMGRP_LINK
                  | Netlink.RTMGRP_IPV4_IFADDR
                  | Netlink.RTMGRP_IPV4_ROUTE
                  | Netlink.RTMGRP_IPV4_RULE);
      requests = Netlink.open(bpf.libc(), 0);
      RouteMirror m = new RouteMirror(bpf, map, requests, events, log);
      m.sync();
      m.thread.start();
      return m;
    } catch (BpfException | IOException | RuntimeException e) {
      if (events != null) {
        events.close();
      }
      if (requests != null) {
        requests.close();
      }
      map.close();
      throw e;
    }
  }

  public Fd map() {
    return map;
  }

  /** Reads the table again and writes what changed. */
  synchronized void sync() throws BpfException, IOException {
    Map<Long, Long> next = LocalRoutes.entries(LocalRoutes.dump(requests), LocalRoutes.Trie.read());
    for (var e : next.entrySet()) {
      if (!e.getValue().equals(current.get(e.getKey()))) {
        bpf.mapUpdate(map, key(e.getKey()), value(e.getValue()));
      }
    }
    for (Long k : current.keySet()) {
      if (!next.containsKey(k)) {
        bpf.mapDelete(map, key(k));
      }
    }
    current.clear();
    current.putAll(next);
  }

  private void listen() {
    while (!stop) {
      try {
        if (!events.poll(200)) {
          continue;
        }
        try {
          while (events.poll(0)) {
            events.receive(); // what changed does not matter: the whole table is read again
          }
        } catch (BpfException e) {
          if (e.errno() != 105 /* ENOBUFS: events were lost, the dump below covers them */) {
            throw e;
          }
        }
        sync();
      } catch (BpfException | IOException | RuntimeException e) {
        if (!stop) {
          log.println("umh: local route mirror: " + e.getMessage());
          sleepQuietly();
        }
      }
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** LPM key {u32 prefix length; the address's 4 bytes}. */
  private static byte[] key(long k) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    b.putInt(0, (int) (k >>> 32)).putInt(4, (int) k);
    return b.array();
  }

  private static byte[] value(long v) {
    ByteBuffer b = ByteBuffer.allocate(AddrtypeMatch.VALUE_SIZE).order(ByteOrder.nativeOrder());
    b.putInt(0, (int) v).putInt(4, (int) (v >>> 32));
    return b.array();
  }

  @Override
  public void close() {
    stop = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    events.close();
    requests.close();
    map.close();
  }
}
