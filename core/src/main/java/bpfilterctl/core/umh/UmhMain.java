package bpfilterctl.core.umh;

import bpfilterctl.core.abi.ext.ExtensionRegistry;
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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--max-payload" -> maxPayload = Long.parseLong(args[++i]);
        case "--engine" -> engine = args[++i];
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
    SockoptHandler handler = handlerFor(engine, log);
    log.println("umh " + ProcessHandle.current().pid() + " started (engine " + engine + ")");
    UmhLoop.End end =
        new UmhLoop(new FileInputStream(FileDescriptor.in), replies, log, handler, maxPayload)
            .run();
    log.println("umh exiting: " + (end == UmhLoop.End.EOF ? "request pipe closed" : "short read"));
    System.exit(end == UmhLoop.End.EOF ? 0 : 1);
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
