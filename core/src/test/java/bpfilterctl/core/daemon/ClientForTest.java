package bpfilterctl.core.daemon;

import bpfilterctl.core.module.ModuleException;
import java.nio.file.Path;

/**
 * A daemon client in a process of its own, so that tests can run it as another user. Prints "ok
 * ..." or "ERR KIND message" for each of: status, load.
 */
public final class ClientForTest {
  private ClientForTest() {}

  public static void main(String[] args) throws Exception {
    try (DaemonClient c = DaemonClient.connect(Path.of(args[0]))) {
      for (String op : new String[] {"status", "load"}) {
        try {
          System.out.println(
              "ok "
                  + (op.equals("status") ? c.status().state().name() : Integer.toString(c.load())));
        } catch (ModuleException e) {
          System.out.println("ERR " + e.kind() + " " + e.getMessage());
        }
      }
    }
  }
}
