package bpfilterctl.core.daemon;

import java.util.OptionalInt;

/**
 * CAP_NET_ADMIN in spirit: setting options, load, unload and stop are for root, the daemon's own
 * uid and an optional admin group; reads (gets, status, log, ping) additionally for an optional
 * read group.
 */
public record AccessPolicy(int daemonUid, OptionalInt adminGid, OptionalInt readGid) {

  public boolean mayWrite(Peer p) {
    return p.uid() == 0
        || p.uid() == daemonUid
        || (adminGid.isPresent() && p.gids().contains(adminGid.getAsInt()));
  }

  public boolean mayRead(Peer p) {
    return mayWrite(p) || (readGid.isPresent() && p.gids().contains(readGid.getAsInt()));
  }
}
