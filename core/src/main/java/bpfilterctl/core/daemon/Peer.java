package bpfilterctl.core.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who is on the other end of a client connection, all of it from the kernel, never from what the
 * client says: uid, gid and pid from SO_PEERCRED, supplementary groups from SO_PEERGROUPS (both as
 * they were at connect time), and the command name of that pid (best effort, for display only).
 *
 * @param pid the connecting process (what the umh sees in the mbox pid field)
 * @param comm /proc/PID/comm of that process, "?" when it could not be read
 */
public record Peer(int uid, int gid, Set<Integer> gids, int pid, String comm) {

  public Peer {
    gids = Set.copyOf(gids);
  }

  /**
   * The peer from its kernel credentials; {@code groups} is what SO_PEERGROUPS gave, or null on a
   * kernel without it, where /proc/PID/status of the kernel-given pid stands in when it still shows
   * the same uid (and only the primary group counts otherwise).
   */
  static Peer of(NativeSockets.Credentials c, int[] groups) {
    Set<Integer> gids = new HashSet<>();
    gids.add(c.gid());
    if (groups != null) {
      for (int g : groups) {
        gids.add(g);
      }
    } else {
      gids.addAll(groupsFromProc(c.pid(), c.uid()));
    }
    return new Peer(c.uid(), c.gid(), gids, c.pid(), commOf(c.pid()));
  }

  /** The command name of {@code pid}, "?" when unreadable (gone, or another namespace). */
  static String commOf(int pid) {
    try {
      byte[] b = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "comm"));
      String s = new String(b, StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? "?" : s;
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static Set<Integer> groupsFromProc(int pid, int uid) {
    Set<Integer> out = new HashSet<>();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"));
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
        for (String g : groups) {
          out.add(Integer.parseInt(g));
        }
      }
    } catch (IOException | RuntimeException e) {
      // a pid we cannot read gives no extra groups
    }
    return out;
  }
}
