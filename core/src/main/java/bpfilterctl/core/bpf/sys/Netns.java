package bpfilterctl.core.bpf.sys;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs work in another network namespace: on a fresh thread that setns()'d into it (a namespace
 * belongs to a thread, and netfilter links attach in the caller's). The thread ends with the work,
 * so no other code ever runs in the namespace by accident.
 */
public final class Netns {
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;

  private Netns() {}

  /** Calls {@code work} in the namespace of the file {@code nsPath} (e.g. /run/netns/NAME). */
  public static <T> T call(Bpf bpf, String nsPath, Callable<T> work) throws Exception {
    Libc libc = bpf.libc();
    FutureTask<T> task =
        new FutureTask<>(
            () -> {
              int fd = libc.open(nsPath, O_RDONLY | O_CLOEXEC);
              if (fd < 0) {
                throw new BpfException(
                    "open " + nsPath, jnr.ffi.Runtime.getRuntime(libc).getLastError());
              }
              try {
                if (libc.setns(fd, CLONE_NEWNET) != 0) {
                  throw new BpfException(
                      "setns " + nsPath, jnr.ffi.Runtime.getRuntime(libc).getLastError());
                }
              } finally {
                libc.close(fd);
              }
              return work.call();
            });
    Thread t = new Thread(task, "netns " + nsPath);
    t.start();
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }
}
