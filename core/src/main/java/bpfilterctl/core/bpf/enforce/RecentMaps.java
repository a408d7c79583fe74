package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.btf.BtfWriter;
import bpfilterctl.core.bpf.compile.RecentTables;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A namespace's xt_recent tables, one BPF hash map each, kept from one installed table to the next
 * as the kernel keeps a table while a rule names it: {@link #open} gives the maps a compiled table
 * uses (the kept ones, new empty ones for the rest), {@link #commit} makes them the live set once
 * that table is attached, dropping the tables no rule names any more (recent_mt_destroy frees a
 * table with its last rule), {@link #abort} closes what {@link #open} made. Pinned under the
 * namespace's directory as {@code recent_<mask>_<ring>_<hex name>}, so that a later process adopts
 * them with the generation.
 */
public final class RecentMaps implements AutoCloseable {
  private static final Pattern PIN = Pattern.compile("recent_([0-9a-f]{8})_(\\d+)_([0-9a-f]+)");

  /** A live table: its map and what it was made with. */
  private record Held(Fd map, int mask, int ring) {}

  private final Bpf bpf;
  private final Path dir;
  private final Map<String, Held> live = new HashMap<>();
  private final Map<String, Held> opened = new HashMap<>();

  /** {@code dir}: where the maps are pinned (null: not pinned). */
  public RecentMaps(Bpf bpf, Path dir) {
    this.bpf = bpf;
    this.dir = dir;
  }

  /** The tables pinned in {@code dir} by an earlier process, opened. */
  public static RecentMaps adopt(Bpf bpf, Path dir) throws IOException, BpfException {
    RecentMaps r = new RecentMaps(bpf, dir);
    if (!Files.isDirectory(dir)) {
      return r;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Matcher m = PIN.matcher(p.getFileName().toString());
        if (m.matches()) {
          String name =
              new String(HexFormat.of().parseHex(m.group(3)), StandardCharsets.ISO_8859_1);
          int mask = Integer.parseUnsignedInt(m.group(1), 16);
          r.live.put(name, new Held(bpf.pinned(p.toString()), mask, Integer.parseInt(m.group(2))));
        }
      }
    }
    return r;
  }

  /** The live tables, by name, as the compiler wants them. */
  public Map<String, RecentTables.Live> live() {
    Map<String, RecentTables.Live> out = new HashMap<>();
    live.forEach((n, h) -> out.put(n, new RecentTables.Live(h.mask(), h.ring())));
    return out;
  }

  /** The maps of {@code tables}, in their order: live ones kept, new ones made. */
  public List<Fd> open(RecentTables tables) throws BpfException {
    abort();
    List<Fd> fds = new ArrayList<>();
    try {
      for (RecentTables.Table t : tables.tables()) {
        Held h = live.get(t.name());
        if (!t.kept() || h == null) {
          h = new Held(create(t, tables.ipListTot()), t.mask(), t.ring());
          opened.put(t.name(), h);
        }
        fds.add(h.map());
      }
      return fds;
    } catch (BpfException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  /**
   * The tables of {@code tables} become the live set (the generation using them is attached): the
   * others are closed and unpinned.
   */
  public void commit(RecentTables tables) throws IOException, BpfException {
    Map<String, Held> next = new LinkedHashMap<>();
    for (RecentTables.Table t : tables.tables()) {
      Held h = opened.containsKey(t.name()) ? opened.get(t.name()) : live.get(t.name());
      next.put(t.name(), h);
    }
    for (var l : live.entrySet()) {
      if (next.get(l.getKey()) != l.getValue()) {
        unpin(l.getKey(), l.getValue());
        l.getValue().map().close();
      }
    }
    live.clear();
    live.putAll(next);
    for (var o : opened.entrySet()) {
      if (dir != null) {
        Files.createDirectories(dir);
        bpf.pin(o.getValue().map(), pinPath(o.getKey(), o.getValue()).toString());
      }
    }
    opened.clear();
  }

  /** Closes the maps {@link #open} made and no generation took. */
  public void abort() {
    opened.values().forEach(h -> h.map().close());
    opened.clear();
  }

  private void unpin(String name, Held h) throws IOException {
    if (dir != null) {
      Files.deleteIfExists(pinPath(name, h));
    }
  }

  private Path pinPath(String name, Held h) {
    String hex = HexFormat.of().formatHex(name.getBytes(StandardCharsets.ISO_8859_1));
    return dir.resolve(String.format("recent_%08x_%d_%s", h.mask(), h.ring(), hex));
  }

  @Override
  public void close() {
    abort();
    live.values().forEach(h -> h.map().close());
    live.clear();
  }

  /** An empty table: a hash map of ip_list_tot entries whose values carry a bpf_spin_lock. */
  private Fd create(RecentTables.Table t, int entries) throws BpfException {
    try (Fd btf = bpf.btfLoad(btf(t.valueSize()))) {
      return bpf.mapCreate(
          Bpf.MAP_TYPE_HASH, 4, t.valueSize(), Math.max(1, entries), "bpfilter_recent", btf, 1, 3);
    }
  }

  /** Types 1 u32, 2 struct bpf_spin_lock {u32 val}, 3 the entry {lock, nstamps, index, ...}. */
  private static byte[] btf(int valueSize) {
    return new BtfWriter()
        .integer("u32", 4, false)
        .struct("bpf_spin_lock", 1, 4)
        .member("val", 1, 0)
        .struct("bpfilter_recent", 3, valueSize)
        .member("lock", 2, 0)
        .member("nstamps", 1, RecentTables.NSTAMPS)
        .member("index", 1, RecentTables.INDEX)
        .bytes();
  }
}
