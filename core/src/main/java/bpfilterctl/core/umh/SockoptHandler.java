package bpfilterctl.core.umh;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;

/**
 * What the umh does with one request that passed the framing checks. The handshake never reaches a
 * handler: the loop answers it.
 */
public interface SockoptHandler {
  MboxReply handle(MboxRequest request);
}
