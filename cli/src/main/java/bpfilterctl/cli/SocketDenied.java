package bpfilterctl.cli;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A daemon's socket that exists but that this user may not open. The session must not fall back to
 * a module of its own (its status would say UNLOADED while the daemon's is HEALTHY): every command
 * fails with this, naming the socket, the reason and the fix.
 */
final class SocketDenied implements ModuleAccess {
  private final Path socket;
  private final String message;

  private SocketDenied(Path socket, String message) {
    this.socket = socket;
    this.message = message;
  }

  /** The refusal, when {@code failure} to connect to {@code socket} was one of permissions. */
  static Optional<SocketDenied> of(Path socket, IOException failure) {
    String why = String.valueOf(failure.getMessage());
    if (!why.contains("Permission denied") && !why.contains("Operation not permitted")) {
      return Optional.empty();
    }
    return Optional.of(new SocketDenied(socket, explain(socket)));
  }

  private static String explain(Path socket) {
    String uid = String.valueOf(new com.sun.security.auth.module.UnixSystem().getUid());
    StringBuilder b = new StringBuilder("cannot open the daemon's socket ").append(socket);
    try {
      PosixFileAttributes a =
          Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      b.append(": permission denied (")
          .append(PosixFilePermissions.toString(a.permissions()))
          .append(' ')
          .append(a.owner().getName())
          .append(':')
          .append(a.group().getName())
          .append("; you are uid ")
          .append(uid)
          .append("): run as root")
          .append(a.owner().getName().equals("root") ? "" : " or as " + a.owner().getName())
          .append(", join group ")
          .append(a.group().getName())
          .append(", or set BPFILTERCTL_SOCKET to a daemon you may use");
    } catch (IOException e) {
      b.append(": permission denied on its directory (you are uid ")
          .append(uid)
          .append("): run as root, or set BPFILTERCTL_SOCKET to a daemon you may use");
    }
    return b.toString();
  }

  Path socket() {
    return socket;
  }

  String message() {
    return message;
  }

  private ModuleException refusal() {
    return new ModuleException(ModuleException.Kind.PERMISSION_DENIED, message);
  }

  @Override
  public int load() throws ModuleException {
    throw refusal();
  }

  @Override
  public int loadDiscardingDamaged() throws ModuleException {
    throw refusal();
  }

  @Override
  public void unload() throws ModuleException {
    throw refusal();
  }

  @Override
  public EnforcementStatus enforce(boolean on) throws ModuleException {
    throw refusal();
  }

  @Override
  public MboxReply call(MboxRequest request) throws ModuleException {
    throw refusal();
  }

  @Override
  public ModuleStatus status() throws ModuleException {
    throw refusal();
  }

  @Override
  public List<LogLine> log(int n) throws ModuleException {
    throw refusal();
  }

  @Override
  public String mode() {
    return "daemon at " + socket;
  }
}
