package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The sctp match (libxt_sctp.c, iptables' old parse API), struct xt_sctp_info, 292 bytes: {@code
 * u16 dpts[2]} at 0, {@code u16 spts[2]} at 4, the chunk bitmap {@code u32 chunkmap[64]} at 8,
 * {@code u32 chunk_match_type} at 264, four {@code {u8 chunktype, flag, flag_mask}} at 268, {@code
 * int flag_count} at 280, {@code u32 flags} at 284 and {@code u32 invflags} at 288.
 *
 * <p>--chunk-types takes two words (the match type and the chunk list), joined by the front-end
 * ({@link XtOption#NEXT_WORD}).
 */
final class SctpMatch extends AbstractXtExtension {
  static final SctpMatch INSTANCE = new SctpMatch();

  static final int SRC_PORTS = 0x01;
  static final int DEST_PORTS = 0x02;
  static final int CHUNK_TYPES = 0x04;

  static final int MATCH_ANY = 0x01;
  static final int MATCH_ALL = 0x02;
  static final int MATCH_ONLY = 0x04;

  static final int OFF_DPTS = 0;
  static final int OFF_SPTS = 4;
  static final int OFF_CHUNKMAP = 8;
  static final int CHUNKMAP_BYTES = 256;
  static final int OFF_MATCH_TYPE = 264;
  static final int OFF_FLAG_INFO = 268;
  static final int NUM_FLAGS = 4;
  static final int OFF_FLAG_COUNT = 280;
  static final int OFF_FLAGS = 284;
  static final int OFF_INVFLAGS = 288;

  private static final int O_SPORT = 0;
  private static final int O_DPORT = 1;
  private static final int O_CHUNKS = 2;

  /**
   * A chunk type iptables knows: its name, number and the letters of its 8 flag bits (MSB first).
   */
  private record Chunk(String name, int type, String validFlags) {}

  // Order matters: flag_info stores a chunk's index in this table, not its type.
  private static final List<Chunk> CHUNKS =
      List.of(
          new Chunk("DATA", 0, "----IUBE"),
          new Chunk("INIT", 1, "--------"),
          new Chunk("INIT_ACK", 2, "--------"),
          new Chunk("SACK", 3, "--------"),
          new Chunk("HEARTBEAT", 4, "--------"),
          new Chunk("HEARTBEAT_ACK", 5, "--------"),
          new Chunk("ABORT", 6, "-------T"),
          new Chunk("SHUTDOWN", 7, "--------"),
          new Chunk("SHUTDOWN_ACK", 8, "--------"),
          new Chunk("ERROR", 9, "--------"),
          new Chunk("COOKIE_ECHO", 10, "--------"),
          new Chunk("COOKIE_ACK", 11, "--------"),
          new Chunk("ECN_ECNE", 12, "--------"),
          new Chunk("ECN_CWR", 13, "--------"),
          new Chunk("SHUTDOWN_COMPLETE", 14, "-------T"),
          new Chunk("I_DATA", 64, "----IUBE"),
          new Chunk("RE_CONFIG", 130, "--------"),
          new Chunk("PAD", 132, "--------"),
          new Chunk("ASCONF", 193, "--------"),
          new Chunk("ASCONF_ACK", 128, "--------"),
          new Chunk("FORWARD_TSN", 192, "--------"),
          new Chunk("I_FORWARD_TSN", 194, "--------"));

  private static final int OLD_STYLE = XtOption.INVERT | XtOption.MULTI;

  private SctpMatch() {
    super(
        ExtensionKind.MATCH,
        "sctp",
        0,
        292,
        List.of(
            XtOption.of("source-port", XtOptionType.STRING, O_SPORT, OLD_STYLE),
            XtOption.of("sport", XtOptionType.STRING, O_SPORT, OLD_STYLE),
            XtOption.of("destination-port", XtOptionType.STRING, O_DPORT, OLD_STYLE),
            XtOption.of("dport", XtOptionType.STRING, O_DPORT, OLD_STYLE),
            XtOption.of(
                "chunk-types", XtOptionType.STRING, O_CHUNKS, OLD_STYLE | XtOption.NEXT_WORD)));
  }

  @Override
  public void init(ExtData d) {
    for (int i = 0; i < NUM_FLAGS; i++) {
      d.data().put(OFF_FLAG_INFO + 3 * i, (byte) 0xff);
    }
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int bit =
        switch (arg.id()) {
          case O_SPORT -> SRC_PORTS;
          case O_DPORT -> DEST_PORTS;
          default -> CHUNK_TYPES;
        };
    if ((d.scratch() & bit) != 0) {
      String option =
          switch (bit) {
            case SRC_PORTS -> "--source-port";
            case DEST_PORTS -> "--destination-port";
            default -> "--chunk-types";
          };
      throw RuleException.parameter("Only one `" + option + "' allowed");
    }
    if (bit == CHUNK_TYPES) {
      // NEXT_WORD: "type\0chunks" when a word that is no option follows.
      int nul = arg.arg().indexOf('\0');
      if (nul < 0) {
        throw RuleException.parameter("--chunk-types requires two args");
      }
      b.putInt(OFF_FLAGS, b.getInt(OFF_FLAGS) | bit);
      parseChunks(b, arg.arg().substring(0, nul), arg.arg().substring(nul + 1));
    } else {
      b.putInt(OFF_FLAGS, b.getInt(OFF_FLAGS) | bit);
      parsePorts(arg.arg(), bit == SRC_PORTS ? OFF_SPTS : OFF_DPTS, d);
    }
    if (arg.invert()) {
      b.putInt(OFF_INVFLAGS, b.getInt(OFF_INVFLAGS) | bit);
    }
    d.scratch(d.scratch() | bit);
  }

  /** "port", "lo:hi", ":hi" or "lo:" (an empty side is 0 or 65535), names from /etc/services. */
  private static void parsePorts(String text, int off, ExtData d) throws RuleException {
    int colon = text.indexOf(':');
    int lo;
    int hi;
    if (colon < 0) {
      lo = hi = port(text, d.lookups());
    } else {
      String a = text.substring(0, colon);
      String z = text.substring(colon + 1);
      lo = a.isEmpty() ? 0 : port(a, d.lookups());
      hi = z.isEmpty() ? 0xffff : port(z, d.lookups());
      if (lo > hi) {
        throw RuleException.parameter("invalid portrange (min > max)");
      }
    }
    d.data().putShort(off, (short) lo);
    d.data().putShort(off + 2, (short) hi);
  }

  /** xtables_parse_port(text, "sctp"). */
  private static int port(String text, Lookups lookups) throws RuleException {
    Long n = CNumbers.xtStrtoulStrict(text, 0, 0xffff);
    if (n != null) {
      return n.intValue();
    }
    OptionalInt p = lookups.service(text, "sctp");
    if (p.isPresent()) {
      return p.getAsInt();
    }
    throw RuleException.parameter("invalid port/service `" + text + "' specified");
  }

  private static void parseChunks(ByteBuffer b, String matchType, String chunks)
      throws RuleException {
    int type =
        switch (matchType.toUpperCase(Locale.ROOT)) {
          case "ANY" -> MATCH_ANY;
          case "ALL" -> MATCH_ALL;
          case "ONLY" -> MATCH_ONLY;
          default ->
              throw RuleException.parameter(
                  "Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"");
        };
    b.putInt(OFF_MATCH_TYPE, type);
    for (int i = 0; i < CHUNKMAP_BYTES; i++) {
      b.put(OFF_CHUNKMAP + i, (byte) 0);
    }
    if (chunks.equalsIgnoreCase("ALL")) {
      for (int i = 0; i < CHUNKMAP_BYTES; i++) {
        b.put(OFF_CHUNKMAP + i, (byte) 0xff);
      }
      return;
    }
    if (chunks.equalsIgnoreCase("NONE")) {
      return;
    }
    for (String token : chunks.split(",")) {
      if (token.isEmpty()) {
        continue; // strtok skips empty fields
      }
      int colon = token.indexOf(':');
      String name = colon < 0 ? token : token.substring(0, colon);
      int index = -1;
      for (int i = 0; i < CHUNKS.size() && index < 0; i++) {
        if (CHUNKS.get(i).name().equalsIgnoreCase(name)) {
          index = i;
        }
      }
      if (index < 0) {
        throw RuleException.parameter("Unknown sctp chunk `" + name + "'");
      }
      int chunkType = CHUNKS.get(index).type();
      int word = OFF_CHUNKMAP + 4 * (chunkType / 32);
      b.putInt(word, b.getInt(word) | (1 << (chunkType % 32)));
      if (colon < 0) {
        continue;
      }
      String valid = CHUNKS.get(index).validFlags();
      for (char c : token.substring(colon + 1).toCharArray()) {
        int pos = valid.indexOf(asciiUpper(c));
        if (pos < 0) {
          throw RuleException.parameter("Invalid flags for chunk type " + index);
        }
        saveFlag(b, index, 7 - pos, c >= 'A' && c <= 'Z');
      }
    }
  }

  private static char asciiUpper(char c) {
    return c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
  }

  /** One flag letter: merged into the entry of its chunk (by table index) or a new entry. */
  private static void saveFlag(ByteBuffer b, int index, int bit, boolean set) throws RuleException {
    int count = b.getInt(OFF_FLAG_COUNT);
    int at = -1;
    for (int i = 0; i < count && at < 0; i++) {
      if ((b.get(OFF_FLAG_INFO + 3 * i) & 0xff) == index) {
        at = i;
      }
    }
    if (at < 0) {
      if (count == NUM_FLAGS) {
        throw RuleException.parameter(
            "Number of chunk types with flags exceeds currently allowed limit. Increasing this"
                + " limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel"
                + " space and user space modules");
      }
      at = count;
      b.putInt(OFF_FLAG_COUNT, count + 1);
    }
    int off = OFF_FLAG_INFO + 3 * at;
    b.put(off, (byte) index);
    b.put(off + 2, (byte) (b.get(off + 2) | (1 << bit)));
    if (set) {
      b.put(off + 1, (byte) (b.get(off + 1) | (1 << bit)));
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getInt(OFF_FLAGS);
    int inv = b.getInt(OFF_INVFLAGS);
    out.append(" sctp");
    if ((flags & SRC_PORTS) != 0) {
      XtPrint.portRange("sctp", "spt", OFF_SPTS, (inv & SRC_PORTS) != 0, numeric, d, out);
    }
    if ((flags & DEST_PORTS) != 0) {
      XtPrint.portRange("sctp", "dpt", OFF_DPTS, (inv & DEST_PORTS) != 0, numeric, d, out);
    }
    if ((flags & CHUNK_TYPES) != 0) {
      if ((inv & CHUNK_TYPES) != 0) {
        out.append(" !");
      }
      printChunks(b, numeric, out);
    }
  }

  private static void printChunks(ByteBuffer b, boolean numeric, StringBuilder out) {
    switch (b.getInt(OFF_MATCH_TYPE)) {
      case MATCH_ANY -> out.append(" any");
      case MATCH_ALL -> out.append(" all");
      case MATCH_ONLY -> out.append(" only");
      default -> out.append("Never reach here\n");
    }
    boolean clear = true;
    boolean all = true;
    for (int i = 0; i < CHUNKMAP_BYTES; i++) {
      byte v = b.get(OFF_CHUNKMAP + i);
      clear &= v == 0;
      all &= v == (byte) 0xff;
    }
    if (clear) {
      out.append(" NONE");
      return;
    }
    if (all) {
      out.append(" ALL");
      return;
    }
    int count = Math.max(0, Math.min(b.getInt(OFF_FLAG_COUNT), NUM_FLAGS));
    boolean first = true;
    for (int type = 0; type < 256; type++) {
      if ((b.getInt(OFF_CHUNKMAP + 4 * (type / 32)) & (1 << (type % 32))) == 0) {
        continue;
      }
      out.append(first ? " " : ",");
      first = false;
      if (numeric) {
        out.append(String.format(Locale.ROOT, "0x%04X", type));
      } else {
        for (Chunk c : CHUNKS) {
          if (c.type() == type) {
            out.append(c.name());
          }
        }
      }
      // iptables compares the stored table index with the chunk type, and prints the flag
      // letters of the table entry at that index: only the first 15 chunks line up.
      for (int j = 0; j < count; j++) {
        int off = OFF_FLAG_INFO + 3 * j;
        if ((b.get(off) & 0xff) == type) {
          printFlags(type, b.get(off + 1) & 0xff, b.get(off + 2) & 0xff, out);
        }
      }
    }
  }

  private static void printFlags(int index, int flag, int mask, StringBuilder out) {
    if (mask != 0) {
      out.append(':');
    }
    if (index >= CHUNKS.size()) {
      // No letters for these chunks: iptables reads past its table here; the bits in hex.
      out.append(String.format(Locale.ROOT, "0x%02x/0x%02x", flag, mask));
      return;
    }
    String letters = CHUNKS.get(index).validFlags();
    for (int i = 7; i >= 0; i--) {
      if ((mask & (1 << i)) != 0) {
        char c = letters.charAt(7 - i);
        out.append((flag & (1 << i)) != 0 ? c : Character.toLowerCase(c));
      }
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getInt(OFF_FLAGS);
    int inv = b.getInt(OFF_INVFLAGS);
    if ((flags & SRC_PORTS) != 0) {
      savePorts("--sport", OFF_SPTS, (inv & SRC_PORTS) != 0, b, out);
    }
    if ((flags & DEST_PORTS) != 0) {
      savePorts("--dport", OFF_DPTS, (inv & DEST_PORTS) != 0, b, out);
    }
    if ((flags & CHUNK_TYPES) != 0) {
      if ((inv & CHUNK_TYPES) != 0) {
        out.append(" !");
      }
      out.append(" --chunk-types");
      printChunks(b, false, out);
    }
  }

  private static void savePorts(
      String option, int off, boolean invert, ByteBuffer b, StringBuilder out) {
    int lo = b.getShort(off) & 0xffff;
    int hi = b.getShort(off + 2) & 0xffff;
    if (invert) {
      out.append(" !");
    }
    out.append(' ').append(option).append(' ').append(lo);
    if (lo != hi) {
      out.append(':').append(hi);
    }
  }
}
