package bpfilterctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The one version string, "bpfilterctl VERSION": the build writes the project's version into
 * version.properties (Maven resource filtering), so --version, the shell's banner and the man pages
 * never disagree with the pom.
 */
public final class Version implements IVersionProvider {
  private static final String TEXT = "bpfilterctl " + read();

  /** "bpfilterctl 0.1.0". */
  public static String text() {
    return TEXT;
  }

  @Override
  public String[] getVersion() {
    return new String[] {TEXT};
  }

  private static String read() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the build");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
