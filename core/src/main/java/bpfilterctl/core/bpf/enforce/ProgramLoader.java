package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.AddrtypeMatch;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.LimitBuckets;
import bpfilterctl.core.bpf.compile.RecentTables;
import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a compiled table's programs: creates and fills its lookup map (when it has runs compiled as
 * lookups) and the limit buckets (fresh for every load, as the kernel's are for every replace) and
 * hands them, with the maps the caller keeps (local routes, xt_recent tables), to each program
 * through the fd_array. The programs hold the map; this process's fd is closed once they are
 * loaded, so the map lives exactly as long as they do.
 */
public final class ProgramLoader {
  private ProgramLoader() {}

  /** The loaded programs per hook, named {@code <prefix><hook>}; nothing stays open on failure. */
  public static Map<Integer, Fd> load(Bpf bpf, CompiledTable compiled, String prefix)
      throws BpfException {
    return load(bpf, compiled, prefix, null);
  }

  /**
   * As above; {@code routes}, the local route mirror ({@link RouteMirror#map()}), is fd_array index
   * {@link AddrtypeMatch#MAP_INDEX} for tables with addrtype matches (null for others).
   */
  public static Map<Integer, Fd> load(Bpf bpf, CompiledTable compiled, String prefix, Fd routes)
      throws BpfException {
    return load(bpf, compiled, prefix, routes, List.of());
  }

  /**
   * As above; {@code recent} are the maps of the table's xt_recent tables ({@link
   * RecentMaps#open}), fd_array indexes {@link RecentTables#MAP_BASE} on, and a one-slot array of
   * zeros that new entries are inserted from is {@link RecentTables#ZERO_INDEX}.
   */
  public static Map<Integer, Fd> load(
      Bpf bpf, CompiledTable compiled, String prefix, Fd routes, List<Fd> recent)
      throws BpfException {
    CompiledTable.Lookups l = compiled.lookups();
    Map<Integer, Fd> progs = new LinkedHashMap<>();
    List<Fd> made = new ArrayList<>();
    try {
      Map<Integer, Fd> maps = new HashMap<>();
      if (compiled.limits().size() > 0) {
        maps.put(LimitBuckets.MAP_INDEX, keep(made, LimitMap.create(bpf, compiled.limits())));
      }
      if (l.count() > 0) {
        Fd lookups =
            keep(
                made,
                bpf.mapCreate(
                    Bpf.MAP_TYPE_HASH,
                    CompiledTable.Lookups.KEY_SIZE,
                    CompiledTable.Lookups.VALUE_SIZE,
                    l.count(),
                    "bpfilter_lkup"));
        bpf.mapUpdateBatch(lookups, l.keys(), l.values(), l.count());
        maps.put(CompiledTable.LOOKUP_MAP_INDEX, lookups);
      }
      if (routes != null) {
        maps.put(AddrtypeMatch.MAP_INDEX, routes);
      }
      if (!recent.isEmpty()) {
        int size = compiled.recent().maxValueSize();
        maps.put(
            RecentTables.ZERO_INDEX,
            keep(made, bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, size, 1, "bpfilter_rzero")));
        for (int i = 0; i < recent.size(); i++) {
          maps.put(RecentTables.MAP_BASE + i, recent.get(i));
        }
      }
      int[] fdArray = new int[maps.keySet().stream().mapToInt(i -> i + 1).max().orElse(0)];
      int any = maps.values().stream().findFirst().map(Fd::value).orElse(0);
      java.util.Arrays.fill(fdArray, any); // indexes no program names
      maps.forEach((i, fd) -> fdArray[i] = fd.value());
      for (var p : compiled.programs().entrySet()) {
        Bpf.FuncInfo funcs =
            SubprogBtf.needed(p.getValue()) ? SubprogBtf.of(bpf, p.getValue()) : null;
        try {
          progs.put(
              p.getKey(),
              bpf.progLoad(
                  Bpf.PROG_TYPE_NETFILTER,
                  Bpf.ATTACH_NETFILTER,
                  Emitter.encode(p.getValue()),
                  prefix + p.getKey(),
                  fdArray,
                  funcs));
        } finally {
          if (funcs != null) {
            funcs.btf().close();
          }
        }
      }
      return progs;
    } catch (BpfException | RuntimeException e) {
      progs.values().forEach(Fd::close);
      throw e;
    } finally {
      made.forEach(Fd::close);
    }
  }

  private static Fd keep(List<Fd> made, Fd fd) {
    made.add(fd);
    return fd;
  }
}
