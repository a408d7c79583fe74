package bpfilterctl.core.umh;

import bpfilterctl.core.bpf.enforce.EnforcementUnavailable;
import bpfilterctl.core.bpf.enforce.Enforcer;
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
    UmhControl control = enforce ? enforced(engine, log) : unenforced(engine, log);
    log.println("umh " + ProcessHandle.current().pid() + " started (engine " + engine + ")");
    UmhLoop.End end =
        new UmhLoop(new FileInputStream(FileDescriptor.in), replies, log, control, maxPayload)
            .run();
    log.println("umh exiting: " + (end == UmhLoop.End.EOF ? "request pipe closed" : "short read"));
    // Only an explicit unload (BPF_SO_SET_UNLOAD, before the EOF) or enforce off removes the pins:
    // an EOF alone may be a host that died, and the filter table must not fail open.
    control.exit();
    System.exit(end == UmhLoop.End.EOF ? 0 : 1);
  }

  private static UmhControl unenforced(String engine, PrintStream log) {
    SockoptHandler h = handlerFor(engine, log);
    return new UmhControl(h, h instanceof TableEngine t ? t : null, log);
  }

  /**
   * The table engine with its filter table enforced, pinning under /sys/fs/bpf (mounted there as
   * systemd does, if nobody did) and adopting what a previous umh left; where this machine cannot
   * enforce (old kernel, no BTF, no CAP_BPF/CAP_NET_ADMIN) the engine alone, after one log line
   * saying why, and the control reports it. Without bpffs it enforces unpinned, and says so.
   */
  private static UmhControl enforced(String engine, PrintStream log) {
    if (!engine.equals("tables")) {
      UmhControl c = unenforced(engine, log);
      c.startedWith(null, "the " + engine + " engine holds no tables to enforce");
      return c;
    }
    Enforcer enforcer;
    try {
      enforcer = Enforcer.open();
    } catch (EnforcementUnavailable e) {
      log.println("umh: enforcement unavailable, running unenforced: " + e.getMessage());
      UmhControl c = unenforced(engine, log);
      c.startedWith(null, e.getMessage());
      return c;
    }
    String note = UmhControl.pin(enforcer);
    if (!note.isEmpty()) {
      log.println("umh: " + note);
    } else if (enforcer.live().isPresent()) {
      log.println("umh: adopted the enforced filter table pinned by a previous umh");
    }
    TableEngine tables;
    try {
      tables = new TableEngine(ExtensionRegistry.kernel(), new BpfEnforcement(enforcer, log));
    } catch (Enforcement.EnforcementFailure e) {
      log.println("umh: enforcement unavailable, running unenforced: " + e.getMessage());
      enforcer.close();
      UmhControl c = unenforced(engine, log);
      c.startedWith(null, e.getMessage().lines().findFirst().orElse(""));
      return c;
    }
    UmhControl c = new UmhControl(tables, tables, log);
    c.startedWith(enforcer, note);
    return c;
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
