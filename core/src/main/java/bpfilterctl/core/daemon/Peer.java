package bpfilterctl.core.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who is on the other end of a client connection: uid and groups from the kernel's peer
 * credentials, and the pid the client announced, kept only when /proc confirms it belongs to that
 * uid.
 */
public record Peer(int uid, Set<Integer> gids, int pid) {

  /**
   * Builds the peer from its kernel-given uid and gid and its announced pid. The supplementary
   * groups come from /proc/PID/status when that pid runs as the same uid; else the pid is not
   * trusted (0) and only the primary group counts.
   */
  public static Peer of(int uid, int gid, int announcedPid) {
    Set<Integer> gids = new HashSet<>();
    gids.add(gid);
    int pid = 0;
    try {
      List<String> lines =
          Files.readAllLines(Path.of("/proc", Integer.toString(announcedPid), "status"));
      boolean sameUid = false;
      List<String> groups = List.of();
      for (String l : lines) {
        if (l.startsWith("Uid:")) {
          sameUid = Integer.parseInt(l.substring(4).trim().split("\\s+")[0]) == uid;
        } else if (l.startsWith("Groups:")) {
          String g = l.substring(7).trim();
          groups = g.isEmpty() ? List.of() : List.of(g.split("\\s+"));
        }
      }
      if (sameUid) {
        pid = announcedPid;
        for (String g : groups) {
          gids.add(Integer.parseInt(g));
        }
      }
    } catch (IOException | RuntimeException e) {
      // A pid we cannot check is not trusted.
    }
    return new Peer(uid, Set.copyOf(gids), pid);
  }
}
