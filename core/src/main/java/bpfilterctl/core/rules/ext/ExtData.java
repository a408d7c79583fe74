package bpfilterctl.core.rules.ext;

import bpfilterctl.core.abi.IptIp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One match's or target's data while it is parsed or printed: the struct bytes (little endian,
 * exactly {@link XtExtension#dataSize()} long when parsing, the blob's data when printing), the
 * rule's ipt_ip, the table, the ids of the options seen so far ({@code xflags}), and the lookups
 * for services and protocols. Not shared between rules.
 */
public final class ExtData {
  private final ByteBuffer data;
  private final IptIp ip;
  private final String table;
  private final Lookups lookups;
  private int seen;
  private int scratch;
  private List<String> following = List.of();
  private int consumed;

  public ExtData(byte[] bytes, IptIp ip, String table, Lookups lookups) {
    this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.ip = ip;
    this.table = table;
    this.lookups = lookups;
  }

  /** The struct, little endian, position 0; absolute gets and puts. */
  public ByteBuffer data() {
    return data;
  }

  /** The bytes as they go into the blob (the backing array, not a copy). */
  public byte[] bytes() {
    return data.array();
  }

  public IptIp ip() {
    return ip;
  }

  public String table() {
    return table;
  }

  public Lookups lookups() {
    return lookups;
  }

  /** Bitmask of the option ids parsed so far (libxtables' cb->xflags). */
  public int seen() {
    return seen;
  }

  public boolean seen(int id) {
    return (seen & (1 << id)) != 0;
  }

  public void markSeen(int id) {
    seen |= 1 << id;
  }

  /** Free for an extension's own parse-time flags (libxtables' cb->udata or static flags). */
  public int scratch() {
    return scratch;
  }

  public void scratch(int value) {
    scratch = value;
  }

  /**
   * The command-line words after the current option's argument (argv[optind] onwards), set by the
   * option parser before each {@link XtExtension#parse} call. A few old-style options read them:
   * sctp's --chunk-types takes two words, rateest's --rateest-bps1 an optional rate.
   */
  public List<String> following() {
    return following;
  }

  /** Sets the words after the current option and resets {@link #consumed()} (the parser's job). */
  public void following(List<String> words) {
    following = List.copyOf(words);
    consumed = 0;
  }

  /** Takes the next {@code n} words of {@link #following()} (optind += n). */
  public void consume(int n) {
    if (consumed + n > following.size()) {
      throw new IllegalArgumentException("only " + following.size() + " words follow");
    }
    consumed += n;
  }

  /** How many following words the last parse call took; the parser skips them. */
  public int consumed() {
    return consumed;
  }
}
