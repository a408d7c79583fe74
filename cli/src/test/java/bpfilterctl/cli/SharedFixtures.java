package bpfilterctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds ../shared beside the project root, from wherever the tests run. */
final class SharedFixtures {
  private SharedFixtures() {}

  static Optional<Path> root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path shared = p.resolveSibling("shared");
      if (Files.isDirectory(shared.resolve("conformance"))) {
        return Optional.of(shared);
      }
    }
    return Optional.empty();
  }
}
