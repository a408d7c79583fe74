package bpfilterctl.core.module;

import java.nio.file.Path;

/**
 * A host process of its own for tests that kill the host mid-commits: over the state dir in args[0]
 * and the fake table umh, it commits filter with seed args[1]+1, +2, ... forever, printing "acked
 * SEED" after each reply.
 */
public final class CommitterForTest {
  private CommitterForTest() {}

  /** The table a seed commits: its size varies, so the journal both grows and is overwritten. */
  static byte[] blob(int seed) {
    return FakeTableCalls.blob("filter", 3 + seed % 17, seed);
  }

  static HostConfig config(Path state) {
    return TestImages.quick(TestImages.fakeTables()).stateDir(state).build();
  }

  public static void main(String[] args) throws Exception {
    ModuleHost host = new ModuleHost(config(Path.of(args[0])));
    host.load();
    for (int seed = Integer.parseInt(args[1]) + 1; ; seed++) {
      if (FakeTableCalls.replace(host, blob(seed)).isError()) {
        throw new IllegalStateException("commit " + seed + " refused");
      }
      System.out.println("acked " + seed);
      System.out.flush();
    }
  }
}
