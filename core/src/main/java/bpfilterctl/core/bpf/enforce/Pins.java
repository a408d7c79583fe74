package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a namespace's generations are pinned: {@code <bpffs>/bpfilterctl/<netns id>/}, one set of
 * names per generation N at priority P: {@code gN_ctrs}, {@code gN_pP_prog<hook>}, {@code
 * gN_pP_link<hook>}. The links keep the programs attached when no process holds them, so a umh that
 * dies leaves its last generation filtering; the next one adopts it.
 */
public final class Pins {
  private static final Pattern NAME = Pattern.compile("g(\\d+)_(?:ctrs|p(\\d+)_(prog|link)(\\d))");

  private final Bpf bpf;
  private final Path dir;

  public Pins(Bpf bpf, Path dir) {
    this.bpf = bpf;
    this.dir = dir;
  }

  /** The directory of the namespace with this id under a mounted bpffs. */
  public static Path dirFor(Path bpffs, long netnsId) {
    return bpffs.resolve("bpfilterctl").resolve(Long.toString(netnsId));
  }

  public Path dir() {
    return dir;
  }

  void pin(Generation g) throws BpfException, IOException {
    Files.createDirectories(dir);
    String prefix = "g" + g.number() + "_";
    bpf.pin(g.countersFd(), dir.resolve(prefix + "ctrs").toString());
    for (var p : g.programFds().entrySet()) {
      bpf.pin(
          p.getValue(), dir.resolve(prefix + "p" + g.priority() + "_prog" + p.getKey()).toString());
    }
    for (var l : g.linkFds().entrySet()) {
      bpf.pin(
          l.getValue(), dir.resolve(prefix + "p" + g.priority() + "_link" + l.getKey()).toString());
    }
  }

  /** Removes generation {@code number}'s pins (its links detach once no fd holds them). */
  void unpin(long number) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) == number) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Removes every pin and the directory. */
  public void unpinAll() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** The newest pinned generation, opened (its fds held by the returned object). */
  Optional<Generation> adopt() throws IOException, BpfException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString()).toList();
    }
    OptionalLong newest =
        names.stream()
            .map(NAME::matcher)
            .filter(Matcher::matches)
            .mapToLong(m -> Long.parseLong(m.group(1)))
            .max();
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    long n = newest.getAsLong();
    int priority = -1;
    Map<Integer, Fd> progs = new HashMap<>();
    Map<Integer, Fd> links = new HashMap<>();
    for (String name : names) {
      Matcher m = NAME.matcher(name);
      if (m.matches() && Long.parseLong(m.group(1)) == n && m.group(2) != null) {
        priority = Integer.parseInt(m.group(2));
        Fd fd = bpf.pinned(dir.resolve(name).toString());
        (m.group(3).equals("prog") ? progs : links).put(Integer.parseInt(m.group(4)), fd);
      }
    }
    Fd map = bpf.pinned(dir.resolve("g" + n + "_ctrs").toString());
    return Optional.of(
        Generation.adopted(bpf, n, priority, map, bpf.mapMaxEntries(map), progs, links));
  }
}
