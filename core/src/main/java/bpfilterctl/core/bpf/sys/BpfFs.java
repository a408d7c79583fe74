package bpfilterctl.core.bpf.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The BPF filesystem, where pinned programs, maps and links outlive the process that made them.
 * Systemd mounts it at /sys/fs/bpf at boot; where nobody did, {@link #ensureMounted} does the same.
 */
public final class BpfFs {
  public static final Path DEFAULT = Path.of("/sys/fs/bpf");

  private BpfFs() {}

  /** True when {@code dir} is the mount point of a bpffs (per /proc/self/mounts). */
  public static boolean isMounted(Path dir) throws IOException {
    String want = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] f = line.split(" ");
      if (f.length > 2 && f[2].equals("bpf") && f[1].equals(want)) {
        return true;
      }
    }
    return false;
  }

  /** Mounts a bpffs at {@code dir} (mode 0700) unless one is there; says why when it cannot. */
  public static void ensureMounted(Bpf bpf, Path dir) throws IOException, BpfException {
    if (isMounted(dir)) {
      return;
    }
    Files.createDirectories(dir);
    if (bpf.libc().mount("bpf", dir.toString(), "bpf", 0, "mode=0700") != 0) {
      throw new BpfException(
          "mount -t bpf bpf " + dir, jnr.ffi.Runtime.getRuntime(bpf.libc()).getLastError());
    }
  }

  /** The inode number of this process's network namespace: a name for its pins. */
  public static long netnsId() throws IOException {
    String link = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
  }
}
