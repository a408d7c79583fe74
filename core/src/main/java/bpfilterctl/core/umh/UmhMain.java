package bpfilterctl.core.umh;

import bpfilterctl.core.bpf.enforce.EnforcementUnavailable;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.BpfFs;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.umh.tables.Enforcement;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Entry point of the user mode helper: fd 0 carries requests, fd 1 replies, fd 2 the log. It exits
 * when fd 0 reaches EOF, so it never outlives the host that holds the other end.
 */
public final class UmhMain {
  /** Default refusal threshold for a payload, in bytes. */
  public static final long DEFAULT_MAX_PAYLOAD = 256L << 20;

  private UmhMain() {}

  public static void main(String[] args) throws IOException {
    long maxPayload = DEFAULT_MAX_PAYLOAD;
    String engine = "tables";
    boolean enforce = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--max-payload" -> maxPayload = Long.parseLong(args[++i]);
        case "--engine" -> engine = args[++i];
        case "--enforce" -> enforce = true;
        default -> {
          System.err.println("umh: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    PrintStream log =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    OutputStream replies = new FileOutputStream(FileDescriptor.out);
    // Anything printed by accident must not corrupt the reply stream.
    System.setOut(log);
    Enforcer enforcer = enforce && engine.equals("tables") ? openEnforcer(log) : null;
    SockoptHandler handler =
        enforcer != null ? enforcedTables(enforcer, log) : handlerFor(engine, log);
    log.println("umh " + ProcessHandle.current().pid() + " started (engine " + engine + ")");
    UmhLoop.End end =
        new UmhLoop(new FileInputStream(FileDescriptor.in), replies, log, handler, maxPayload)
            .run();
    log.println("umh exiting: " + (end == UmhLoop.End.EOF ? "request pipe closed" : "short read"));
    if (enforcer != null && end == UmhLoop.End.EOF) {
      // unload: the host closed the request pipe on purpose; enforcement ends with the module
      enforcer.stop();
      log.println("umh: enforcement stopped, pins removed");
    }
    System.exit(end == UmhLoop.End.EOF ? 0 : 1);
  }

  /**
   * The enforcer, pinning under /sys/fs/bpf (mounted there as systemd does, if nobody did) and
   * adopting what a previous umh left; null, after one log line saying why, where this machine
   * cannot enforce (old kernel, no BTF, no CAP_BPF/CAP_NET_ADMIN). Without bpffs it enforces
   * unpinned, and says so.
   */
  private static Enforcer openEnforcer(PrintStream log) {
    Enforcer enforcer;
    try {
      enforcer = Enforcer.open();
    } catch (EnforcementUnavailable e) {
      log.println("umh: enforcement unavailable, running unenforced: " + e.getMessage());
      return null;
    }
    try {
      if (enforcer.pinUnder(BpfFs.DEFAULT)) {
        log.println("umh: adopted the enforced filter table pinned by a previous umh");
      }
    } catch (IOException | BpfException e) {
      log.println(
          "umh: cannot pin under "
              + BpfFs.DEFAULT
              + " ("
              + e.getMessage()
              + "): enforcement ends with this umh");
    }
    return enforcer;
  }

  /** The table engine with its filter table enforced, or alone if even that fails. */
  private static SockoptHandler enforcedTables(Enforcer enforcer, PrintStream log) {
    try {
      return new TableEngine(ExtensionRegistry.kernel(), new BpfEnforcement(enforcer, log));
    } catch (Enforcement.EnforcementFailure e) {
      log.println("umh: enforcement unavailable, running unenforced: " + e.getMessage());
      return new TableEngine(ExtensionRegistry.kernel());
    }
  }

  private static SockoptHandler handlerFor(String engine, PrintStream log) {
    switch (engine) {
      case "tables":
        return new TableEngine(ExtensionRegistry.kernel());
      case "skeleton":
        return new SkeletonHandler();
      default:
        log.println("umh: unknown engine " + engine + " (known: tables, skeleton)");
        System.exit(2);
        return null;
    }
  }
}
