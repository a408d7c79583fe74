package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * libxtables' xtables_lmap: the id/name pairs of an iproute2 table such as /etc/iproute2/group or
 * rt_realms (ids 0..255, decimal or 0x hex; the first pair for a name or id wins), and the
 * value[/mask] arguments and printouts of the matches that use one (xtables_parse_val_mask,
 * xtables_print_val_mask). A missing or empty file is no map: names are then refused.
 */
record IdNameMap(List<Entry> entries) {
  record Entry(int id, String name) {}

  IdNameMap {
    entries = List.copyOf(entries);
  }

  /** Reads the file now; extensions call this per use, so edits of the file count at once. */
  static IdNameMap load(Path file) {
    List<Entry> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return new IdNameMap(out);
    }
    for (String line : lines) {
      int i = skipSpace(line, 0);
      if (i == line.length() || line.charAt(i) == '#') {
        continue;
      }
      int base = line.startsWith("0x", i) ? 16 : 10;
      CNumbers.Parsed id = CNumbers.strtoull(line, i, base);
      if (!id.parsedAny(i) || id.overflow() || id.negative() || id.value() > 255) {
        continue;
      }
      i = id.end();
      if (i == line.length() || !Character.isWhitespace(line.charAt(i))) {
        continue;
      }
      i = skipSpace(line, i);
      if (i == line.length() || line.charAt(i) == '#') {
        continue;
      }
      int end = i;
      while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
        end++;
      }
      out.add(new Entry((int) id.value(), line.substring(i, end)));
    }
    return new IdNameMap(out);
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  Optional<String> name(long id) {
    return entries.stream().filter(e -> e.id() == id).map(Entry::name).findFirst();
  }

  Optional<Integer> id(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).map(Entry::id).findFirst();
  }

  /** A value and its mask (all ones when none was given). */
  record ValMask(long value, long mask) {}

  /**
   * "value", "value/mask" (numbers as strtoul base 0, up to 2^32-1), or a name of this map.
   *
   * @param ext the extension name messages start with
   * @param option the option name without "--"
   */
  ValMask parse(String arg, String ext, String option) throws RuleException {
    boolean haveMap = !entries.isEmpty();
    CNumbers.Parsed v = CNumbers.xtStrtoul(arg, 0, 0, 0xffffffffL);
    if (v == null) {
      if (haveMap) {
        return byName(arg, ext, option);
      }
      throw badValue(ext, option);
    }
    if (v.end() == arg.length()) {
      return new ValMask(v.value(), 0xffffffffL);
    }
    if (arg.charAt(v.end()) != '/') {
      if (haveMap) {
        return byName(arg, ext, option);
      }
      throw garbage(ext, option);
    }
    CNumbers.Parsed m = CNumbers.xtStrtoul(arg, v.end() + 1, 0, 0xffffffffL);
    if (m == null) {
      throw badValue(ext, option);
    }
    if (m.end() != arg.length()) {
      throw garbage(ext, option);
    }
    return new ValMask(v.value(), m.value());
  }

  private ValMask byName(String arg, String ext, String option) throws RuleException {
    Optional<Integer> id = id(arg);
    if (id.isEmpty()) {
      throw RuleException.parameter(
          ext
              + ": could not map name "
              + arg
              + " to an integer value for option \"--"
              + option
              + "\".");
    }
    return new ValMask(id.get(), 0xffffffffL);
  }

  private static RuleException badValue(String ext, String option) {
    return RuleException.parameter(
        ext + ": bad integer value for option \"--" + option + "\", or out of range.\n");
  }

  private static RuleException garbage(String ext, String option) {
    return RuleException.parameter(
        ext + ": trailing garbage after value for option \"--" + option + "\".");
  }

  /** " 0xV/0xM", or " name" (when {@code names} and the map has one), or " 0xV". */
  void print(long value, long mask, boolean names, StringBuilder out) {
    if (mask != 0xffffffffL) {
      out.append(" 0x")
          .append(Long.toHexString(value))
          .append("/0x")
          .append(Long.toHexString(mask));
      return;
    }
    Optional<String> name = names ? name(value) : Optional.empty();
    out.append(' ').append(name.orElse("0x" + Long.toHexString(value)));
  }
}
