package bpfilterctl.core.daemon;

import bpfilterctl.core.iptables.XtablesLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a command does in its caller's process, with the caller's permissions: read stdin, read the
 * files it names, take the xtables lock. In a one-shot process that is this process ({@link
 * #thisProcess()}); for a command the daemon runs, the client does it on request, so the daemon
 * never opens a caller's path with its own privileges.
 */
public interface CallerIo {
  /** What {@link #readFile}'s message adds to a directory's name: "NAME: Is a directory". */
  String IS_A_DIRECTORY = ": Is a directory";

  InputStream stdin();

  /**
   * The bytes of {@code name}, at most {@code max}. Fails as {@link Files#readAllBytes} does
   * ({@link NoSuchFileException}, {@link AccessDeniedException} with the name as message), with
   * "NAME: Is a directory", "NAME: not a regular file" (only when {@code regularOnly}) and "NAME:
   * too big (more than MAX bytes)".
   */
  byte[] readFile(String name, long max, boolean regularOnly) throws IOException;

  /** The xtables lock as the caller takes it (XTABLES_LOCKFILE of the caller's environment). */
  XtablesLock xtablesLock();

  /** This process: System.in, its own files, its own environment. */
  static CallerIo thisProcess() {
    return new CallerIo() {
      @Override
      public InputStream stdin() {
        return System.in;
      }

      @Override
      public byte[] readFile(String name, long max, boolean regularOnly) throws IOException {
        return readLocal(name, max, regularOnly);
      }

      @Override
      public XtablesLock xtablesLock() {
        return XtablesLock.fromEnvironment(System.getenv());
      }
    };
  }

  /** {@link #readFile} in this process: what the client does when the daemon asks. */
  static byte[] readLocal(String name, long max, boolean regularOnly) throws IOException {
    Path p = Path.of(name);
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
    if (a.isDirectory()) {
      throw new IOException(name + IS_A_DIRECTORY);
    }
    if (regularOnly && !a.isRegularFile()) {
      throw new IOException(name + ": not a regular file");
    }
    try (InputStream in = Files.newInputStream(p)) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (b.length > max) {
        throw new IOException(name + ": too big (more than " + max + " bytes)");
      }
      return b;
    }
  }
}
