package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.AddrtypeMatch;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a compiled table's programs: creates and fills its lookup map (when it has runs compiled as
 * lookups) and the limit buckets (fresh for every load, as the kernel's are for every replace) and
 * hands them to each program through the fd_array. The programs hold the map; this process's fd is
 * closed once they are loaded, so the map lives exactly as long as they do.
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
    CompiledTable.Lookups l = compiled.lookups();
    Map<Integer, Fd> progs = new LinkedHashMap<>();
    Fd lookups = null;
    Fd limits = null;
    try {
      int[] fdArray = new int[0];
      if (compiled.limits().size() > 0) {
        limits = LimitMap.create(bpf, compiled.limits());
        fdArray = new int[] {limits.value(), limits.value()}; // index 0 replaced by lookups
      }
      if (l.count() > 0) {
        lookups =
            bpf.mapCreate(
                Bpf.MAP_TYPE_HASH,
                CompiledTable.Lookups.KEY_SIZE,
                CompiledTable.Lookups.VALUE_SIZE,
                l.count(),
                "bpfilter_lkup");
        bpf.mapUpdateBatch(lookups, l.keys(), l.values(), l.count());
        fdArray =
            limits == null
                ? new int[] {lookups.value()}
                : new int[] {lookups.value(), limits.value()};
      }
      if (routes != null) {
        int[] withRoutes = new int[AddrtypeMatch.MAP_INDEX + 1];
        java.util.Arrays.fill(withRoutes, routes.value()); // indexes no program names
        System.arraycopy(fdArray, 0, withRoutes, 0, fdArray.length);
        withRoutes[AddrtypeMatch.MAP_INDEX] = routes.value();
        fdArray = withRoutes;
      }
      for (var p : compiled.programs().entrySet()) {
        progs.put(
            p.getKey(),
            bpf.progLoad(
                Bpf.PROG_TYPE_NETFILTER,
                Bpf.ATTACH_NETFILTER,
                Emitter.encode(p.getValue()),
                prefix + p.getKey(),
                fdArray));
      }
      return progs;
    } catch (BpfException | RuntimeException e) {
      progs.values().forEach(Fd::close);
      throw e;
    } finally {
      if (lookups != null) {
        lookups.close();
      }
      if (limits != null) {
        limits.close();
      }
    }
  }
}
