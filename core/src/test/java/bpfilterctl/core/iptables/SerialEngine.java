package bpfilterctl.core.iptables;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.umh.tables.TableEngine;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    return ModuleSockopts.direct(this::handle);
  }

  /**
   * A port whose replaces wait until {@code writers} threads have each read the entries once (10 s
   * at most): their first commits are then all built on the same table, so all but one meet EAGAIN
   * however the threads are scheduled.
   */
  Sockopts collidingPort(int writers) {
    CountDownLatch read = new CountDownLatch(writers);
    Set<Thread> readers = ConcurrentHashMap.newKeySet();
    return ModuleSockopts.direct(
        r -> {
          if (r.isSet() && r.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd()) {
            try {
              read.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          MboxReply reply = handle(r);
          if (!r.isSet()
              && r.cmd() == Sockopt.IPT_SO_GET_ENTRIES.cmd()
              && readers.add(Thread.currentThread())) {
            read.countDown();
          }
          return reply;
        });
  }

  private MboxReply handle(MboxRequest r) {
    synchronized (engine) {
      MboxReply reply = engine.handle(r);
      if (r.isSet()
          && r.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd()
          && reply.status() == Errno.EAGAIN.status()) {
        eagain.incrementAndGet();
      }
      return reply;
    }
  }
}
