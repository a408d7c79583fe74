package bpfilterctl.core.iptables;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * iptables-legacy 1.8.9's -h: its usage text, then (print_extension_helps) a blank line and the
 * help of the target given before -h, then of each match, in order. The texts are 1.8.9's own,
 * recorded by core/src/test/scripts/record_help.py into this package's help/ resources.
 */
final class IptablesHelp {
  private IptablesHelp() {}

  /** The text -h prints, without its last newline. */
  static String text(LoadedExtension target, List<LoadedExtension> matches) {
    StringBuilder s = new StringBuilder(resource("help/iptables.txt"));
    if (target != null) {
      section(s, "target", target.extension().name());
    }
    for (LoadedExtension m : matches) {
      section(s, "match", m.extension().name());
    }
    return s.substring(0, s.length() - 1);
  }

  private static void section(StringBuilder s, String kind, String name) {
    s.append('\n');
    String own = resourceOrNull("help/" + kind + "/" + name + ".txt");
    s.append(own != null ? own : name + " does not take any options\n");
  }

  private static String resource(String path) {
    String text = resourceOrNull(path);
    if (text == null) {
      throw new IllegalStateException("missing resource " + path);
    }
    return text;
  }

  private static String resourceOrNull(String path) {
    try (InputStream in = IptablesHelp.class.getResourceAsStream(path)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
