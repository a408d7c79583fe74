package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The connlabel match (libxt_connlabel.c), struct xt_connlabel_mtinfo, 4 bytes: {@code u16 bit, u16
 * options} (bit 0 inverts, bit 1 sets the label). A label is a number or a name of
 * libnetfilter_conntrack's label map, /etc/xtables/connlabel.conf ("bit name" lines).
 */
final class ConnlabelMatch extends AbstractXtExtension {
  static final ConnlabelMatch INSTANCE = new ConnlabelMatch(Path.of("/etc/xtables/connlabel.conf"));

  static final int OP_INVERT = 1;
  static final int OP_SET = 2;

  private static final int O_LABEL = 0;
  private static final int O_SET = 1;

  private final Path labels;

  private ConnlabelMatch(Path labels) {
    super(
        ExtensionKind.MATCH,
        "connlabel",
        0,
        4,
        List.of(
            XtOption.of("label", XtOptionType.STRING, O_LABEL, XtOption.MAND | XtOption.INVERT)
                .withRange(1, 0),
            XtOption.of("set", XtOptionType.NONE, O_SET, 0)));
    this.labels = labels;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    if (arg.id() == O_SET) {
      d.data().putShort(2, (short) (d.data().getShort(2) | OP_SET));
      return;
    }
    int bit = number(arg.arg());
    if (bit < 0) {
      if (!java.nio.file.Files.isReadable(labels)) {
        // connlabel_open: libnetfilter_conntrack could not open its label map
        d.warn("Warning: cannot open " + labels + ": No such file or directory");
      }
      bit = bitOf(arg.arg()).orElse(-1);
    }
    if (bit < 0) {
      throw RuleException.parameter("label '" + arg.arg() + "' not found or invalid value");
    }
    d.data().putShort(0, (short) bit);
    if (arg.invert()) {
      d.data().putShort(2, (short) (d.data().getShort(2) | OP_INVERT));
    }
  }

  /** strtoul(text, 0) as an int, or -1 when text is empty or not wholly a number. */
  private static int number(String text) {
    CNumbers.Parsed p = CNumbers.strtoull(text, 0, 0);
    if (text.isEmpty() || p.end() != text.length() || !p.parsedAny(0)) {
      return -1;
    }
    return (int) p.value();
  }

  private List<String[]> map() {
    try {
      return Files.readAllLines(labels, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(l -> l.split("\\s+", 2))
          .filter(f -> f.length == 2 && number(f[0]) >= 0)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private Optional<Integer> bitOf(String name) {
    return map().stream().filter(f -> f[1].strip().equals(name)).map(f -> number(f[0])).findFirst();
  }

  private Optional<String> nameOf(int bit) {
    return map().stream()
        .filter(f -> number(f[0]) == bit)
        .map(f -> f[1].strip())
        .filter(n -> !n.isEmpty())
        .findFirst();
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    int bit = d.data().getShort(0) & 0xffff;
    int options = d.data().getShort(2);
    out.append(" connlabel");
    if ((options & OP_INVERT) != 0) {
      out.append(" !");
    }
    Optional<String> name = numeric ? Optional.empty() : nameOf(bit);
    out.append(name.map(n -> " '" + n + "'").orElse(" " + bit));
    if ((options & OP_SET) != 0) {
      out.append(" set");
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    int bit = d.data().getShort(0) & 0xffff;
    int options = d.data().getShort(2);
    if ((options & OP_INVERT) != 0) {
      out.append(" !");
    }
    out.append(" --label \"").append(nameOf(bit).orElse(Integer.toString(bit))).append('"');
    if ((options & OP_SET) != 0) {
      out.append(" --set");
    }
  }
}
