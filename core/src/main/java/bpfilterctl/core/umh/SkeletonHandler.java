package bpfilterctl.core.umh;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.Errno;

/**
 * The 2018 skeleton's answer to everything but the handshake: -ENOPROTOOPT, so that a caller falls
 * back to another path.
 */
public final class SkeletonHandler implements SockoptHandler {
  @Override
  public MboxReply handle(MboxRequest request) {
    return MboxReply.error(Errno.ENOPROTOOPT);
  }
}
