package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.uapi.XtCounters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One installed filter table: its counters map, one loaded program and one link per hook, all at
 * one netfilter priority. Closing it detaches the programs (the kernel drops the last reference).
 */
public final class Generation implements AutoCloseable {
  private final Bpf bpf;
  private final long number;
  private final int priority;
  private final Fd counters;
  private final int slots;
  private final Map<Integer, Fd> programs;
  private final Map<Integer, Integer> instructions;
  private final Map<Integer, Fd> links = new LinkedHashMap<>();
  private boolean adopted;

  Generation(
      Bpf bpf,
      long number,
      int priority,
      Fd counters,
      CompiledTable compiled,
      Map<Integer, Fd> programs) {
    this.bpf = bpf;
    this.number = number;
    this.priority = priority;
    this.counters = counters;
    this.slots = compiled.counterSlots();
    this.programs = new LinkedHashMap<>(programs);
    this.instructions = new LinkedHashMap<>();
    compiled.programs().forEach((hook, insns) -> instructions.put(hook, insns.size()));
  }

  private Generation(
      Bpf bpf,
      long number,
      int priority,
      Fd counters,
      int slots,
      Map<Integer, Fd> programs,
      Map<Integer, Fd> links) {
    this.bpf = bpf;
    this.number = number;
    this.priority = priority;
    this.counters = counters;
    this.slots = slots;
    this.programs = new LinkedHashMap<>(programs);
    this.instructions = new LinkedHashMap<>();
    this.links.putAll(links);
  }

  /** A generation a previous process left pinned and attached (its instruction counts unknown). */
  static Generation adopted(
      Bpf bpf,
      long number,
      int priority,
      Fd counters,
      int slots,
      Map<Integer, Fd> programs,
      Map<Integer, Fd> links) {
    Generation g = new Generation(bpf, number, priority, counters, slots, programs, links);
    g.adopted = true;
    return g;
  }

  /** Left by a previous process: its counters belong to a table this process never saw. */
  public boolean isAdopted() {
    return adopted;
  }

  Fd countersFd() {
    return counters;
  }

  Map<Integer, Fd> programFds() {
    return Map.copyOf(programs);
  }

  Map<Integer, Fd> linkFds() {
    return Map.copyOf(links);
  }

  public long number() {
    return number;
  }

  public int priority() {
    return priority;
  }

  /** Instructions per hook. */
  public Map<Integer, Integer> instructions() {
    return Map.copyOf(instructions);
  }

  /** The kernel's program ids per hook. */
  public Map<Integer, Integer> programIds() throws BpfException {
    Map<Integer, Integer> ids = new LinkedHashMap<>();
    for (var p : programs.entrySet()) {
      ids.put(p.getKey(), bpf.objectId(p.getValue()));
    }
    return ids;
  }

  /** Attaches every program in the calling thread's network namespace. */
  void attach() throws BpfException {
    for (var p : programs.entrySet()) {
      links.put(p.getKey(), bpf.linkNetfilter(p.getValue(), p.getKey(), priority));
    }
  }

  /** Each entry's counters, summed over the CPUs, in entry order. */
  public List<XtCounters> counters() throws BpfException {
    int size = bpf.perCpuValueSize(CompiledTable.COUNTER_SIZE);
    int stride = size / bpf.possibleCpus();
    List<XtCounters> out = new ArrayList<>(slots);
    byte[] key = new byte[4];
    for (int i = 0; i < slots; i++) {
      ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).putInt(0, i);
      ByteBuffer v =
          ByteBuffer.wrap(bpf.mapLookup(counters, key, size)).order(ByteOrder.LITTLE_ENDIAN);
      long pcnt = 0;
      long bcnt = 0;
      for (int at = 0; at < size; at += stride) {
        pcnt += v.getLong(at);
        bcnt += v.getLong(at + 8);
      }
      out.add(new XtCounters(pcnt, bcnt));
    }
    return out;
  }

  /**
   * Takes the programs off their hooks at once (BPF_LINK_DETACH), pinned or not, and closes the
   * links; the map stays readable. A replaced or stopped generation must be gone when install or
   * stop returns: its priority is the one the generation after next attaches at.
   */
  void unhook() {
    for (Fd link : links.values()) {
      try {
        bpf.linkDetach(link);
      } catch (BpfException e) {
        // the link is released with its last reference instead, as before detach existed
      }
    }
    detach();
  }

  /** Closes the links (an unpinned one detaches; a pinned one stays) but keeps the map readable. */
  void detach() {
    links.values().forEach(Fd::close);
    links.clear();
  }

  @Override
  public void close() {
    detach();
    programs.values().forEach(Fd::close);
    counters.close();
  }
}
