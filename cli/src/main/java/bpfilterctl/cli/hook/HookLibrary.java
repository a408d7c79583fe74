package bpfilterctl.cli.hook;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the sockopt hook's preload library is: {@code BPFILTERCTL_HOOK_LIB} when set (the launchers
 * set it), else beside this program's jars (the tarball's lib/), else in the build tree ({@code
 * hook/target}, for a run from the source checkout).
 */
public final class HookLibrary {
  public static final String FILE_NAME = "libbpfilterctl-hook.so";

  private HookLibrary() {}

  /** The library, or empty with nothing found. */
  public static Optional<Path> find(Map<String, String> env) {
    String given = env.get("BPFILTERCTL_HOOK_LIB");
    if (given != null && !given.isEmpty()) {
      Path p = Path.of(given).toAbsolutePath();
      return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
    Optional<Path> code = codeLocation();
    if (code.isEmpty()) {
      return Optional.empty();
    }
    Path dir = Files.isDirectory(code.get()) ? code.get() : code.get().getParent();
    for (Path d = dir; d != null && d.getNameCount() > 0; d = d.getParent()) {
      for (Path candidate :
          new Path[] {d.resolve(FILE_NAME), d.resolve("hook/target/" + FILE_NAME)}) {
        if (Files.isRegularFile(candidate)) {
          return Optional.of(candidate.toAbsolutePath().normalize());
        }
      }
      if (dir.getNameCount() - d.getNameCount() >= 4) {
        break; // cli/target/lib -> the checkout is three levels up; look no further
      }
    }
    return Optional.empty();
  }

  /** What {@link #find} says when it finds nothing. */
  public static String notFound(Map<String, String> env) {
    String given = env.get("BPFILTERCTL_HOOK_LIB");
    return given != null && !given.isEmpty()
        ? "the hook library " + given + " (BPFILTERCTL_HOOK_LIB) does not exist"
        : "the hook library "
            + FILE_NAME
            + " is neither beside bpfilterctl's jars nor in a build tree; build it (mvn package)"
            + " or set BPFILTERCTL_HOOK_LIB";
  }

  private static Optional<Path> codeLocation() {
    try {
      var source = HookLibrary.class.getProtectionDomain().getCodeSource();
      return source == null
          ? Optional.empty()
          : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
