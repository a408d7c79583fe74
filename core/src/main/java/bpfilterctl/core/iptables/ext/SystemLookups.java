package bpfilterctl.core.iptables.ext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The name databases for a process that runs command after command (the daemon): read again only
 * when one of their files changed (its inode, size or modification time), so that a command pays a
 * stat of each file instead of parsing /etc/services. The files are stat'ed before they are read:
 * an edit during the read shows as a change at the next use.
 */
public final class SystemLookups {
  /** What {@link Lookups#system} reads, /etc/hosts and /etc/networks (read on use) included. */
  private static final List<Path> SYSTEM_FILES =
      List.of(
          Path.of("/etc/services"),
          Path.of("/etc/protocols"),
          Path.of("/etc/passwd"),
          Path.of("/etc/group"),
          Path.of("/etc/hosts"),
          Path.of("/etc/networks"));

  private final List<Path> files;
  private final Supplier<Lookups> read;
  private List<Object> stamps;
  private Lookups current;

  /** {@code read} builds the databases from {@code files} (and from nothing else). */
  public SystemLookups(List<Path> files, Supplier<Lookups> read) {
    this.files = List.copyOf(files);
    this.read = read;
  }

  /** The machine's databases, as {@link Lookups#system} reads them. */
  public static SystemLookups machine() {
    return new SystemLookups(SYSTEM_FILES, Lookups::system);
  }

  /** The databases as the files are now. */
  public synchronized Lookups current() {
    List<Object> now = stamps();
    if (current == null || !now.equals(stamps)) {
      current = read.get();
      stamps = now;
    }
    return current;
  }

  private List<Object> stamps() {
    List<Object> out = new ArrayList<>(files.size());
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        out.add(List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime()));
      } catch (IOException e) {
        out.add("absent");
      }
    }
    return out;
  }
}
