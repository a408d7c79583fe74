package bpfilterctl.core.umh;

import bpfilterctl.core.abi.ext.ExtensionRegistry;
import bpfilterctl.core.bpf.enforce.EnforcementUnavailable;
import bpfilterctl.core.bpf.enforce.Enforcer;
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
    SockoptHandler handler =
        enforce && engine.equals("tables") ? enforcedTables(log) : handlerFor(engine, log);
    log.println("umh " + ProcessHandle.current().pid() + " started (engine " + engine + ")");
    UmhLoop.End end =
        new UmhLoop(new FileInputStream(FileDescriptor.in), replies, log, handler, maxPayload)
            .run();
    log.println("umh exiting: " + (end == UmhLoop.End.EOF ? "request pipe closed" : "short read"));
    System.exit(end == UmhLoop.End.EOF ? 0 : 1);
  }

  /**
   * The table engine with its filter table enforced, or, when this machine cannot enforce (old
   * kernel, no BTF, no CAP_BPF/CAP_NET_ADMIN), the engine alone after one log line saying why.
   */
  private static SockoptHandler enforcedTables(PrintStream log) {
    try {
      Enforcer enforcer = Enforcer.open();
      return new TableEngine(ExtensionRegistry.kernel(), new BpfEnforcement(enforcer, log));
    } catch (EnforcementUnavailable | Enforcement.EnforcementFailure e) {
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
