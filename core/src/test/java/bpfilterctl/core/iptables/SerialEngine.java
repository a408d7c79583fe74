package bpfilterctl.core.iptables;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.umh.tables.TableEngine;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A table engine answering one request at a time, as the module host serialises them, that counts
 * the SET_REPLACEs it refused with EAGAIN (a table changed under the commit): for tests of
 * concurrent writers.
 */
final class SerialEngine {
  final TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
  final AtomicInteger eagain = new AtomicInteger();

  Sockopts port() {
    return ModuleSockopts.direct(
        r -> {
          synchronized (engine) {
            MboxReply reply = engine.handle(r);
            if (r.isSet()
                && r.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd()
                && reply.status() == Errno.EAGAIN.status()) {
              eagain.incrementAndGet();
            }
            return reply;
          }
        });
  }
}
