package bpfilterctl.core.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory that nobody but its owner (and root) can change, checked as sshd's StrictModes checks
 * a home: the directory is owned by this process's uid and writable by it alone, and every
 * directory above it is owned by root or this uid and not writable by others (a sticky one, as
 * /tmp, is fine above). In such a directory nobody else can plant a symlink or a FIFO, so what a
 * root daemon creates, appends to or renames there is its own.
 */
public final class OwnedDir {
  private static final int GROUP_OR_WORLD_WRITABLE = 0022;
  private static final int STICKY = 01000;

  private OwnedDir() {}

  /**
   * Creates {@code dir} (and missing parents) with {@code mode} when it does not exist, then checks
   * it and everything above it.
   *
   * @param euid the uid the directory must belong to: this process's effective uid
   * @throws IOException saying which directory fails and why
   */
  public static Path prepare(Path dir, String mode, int euid) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = abs.getParent();
      if (parent != null && !Files.exists(parent)) {
        prepare(parent, "rwxr-xr-x", euid);
      }
      try {
        Files.createDirectory(abs);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made by someone else meanwhile: the checks below decide
      }
      if (uidOf(abs) == euid) {
        // mkdir's mode passes through the umask: set the one we mean.
        Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString(mode));
      }
    }
    check(abs, euid);
    return abs;
  }

  /** Checks an existing directory as {@link #prepare} does. */
  public static void check(Path dir, int euid) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(abs)) {
      int owner = uidOf(abs);
      if (owner != 0 && owner != euid) {
        throw new IOException(
            abs + " is a symlink owned by uid " + owner + ": refusing to follow it");
      }
    }
    Path real;
    try {
      real = abs.toRealPath();
    } catch (NoSuchFileException e) {
      throw new IOException(abs + " does not exist", e);
    }
    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(real + " is not a directory");
    }
    int owner = uidOf(real);
    int mode = modeOf(real);
    if (owner != euid) {
      throw new IOException(
          real + " is owned by uid " + owner + ", not by this process's uid " + euid);
    }
    if ((mode & GROUP_OR_WORLD_WRITABLE) != 0) {
      throw new IOException(
          real
              + " is writable by group or others (mode "
              + Integer.toOctalString(mode & 07777)
              + "): chmod go-w it");
    }
    for (Path p = real.getParent(); p != null; p = p.getParent()) {
      int o = uidOf(p);
      int m = modeOf(p);
      if (o != 0 && o != euid) {
        throw new IOException(p + " (above " + real + ") is owned by uid " + o);
      }
      if ((m & GROUP_OR_WORLD_WRITABLE) != 0 && (m & STICKY) == 0) {
        throw new IOException(
            p
                + " (above "
                + real
                + ") is writable by group or others (mode "
                + Integer.toOctalString(m & 07777)
                + ")");
      }
    }
  }

  /** This process's uid (what owns what it creates). */
  public static int processUid() {
    return (int) new com.sun.security.auth.module.UnixSystem().getUid();
  }

  private static int uidOf(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static int modeOf(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }
}
