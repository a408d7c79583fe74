package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The osf match (libxt_osf.c), struct xt_osf_info, 48 bytes: {@code char genre[32]}, then {@code
 * u32 len, flags, loglevel, ttl}.
 */
final class OsfMatch extends AbstractXtExtension {
  static final OsfMatch INSTANCE = new OsfMatch();

  static final int F_TTL = 1 << 1;
  static final int F_LOG = 1 << 2;
  static final int F_INVERT = 1 << 3;

  private static final int GENRE_MAX = 32;
  private static final int OFF_LEN = 32;
  private static final int OFF_FLAGS = 36;
  private static final int OFF_LOGLEVEL = 40;
  private static final int OFF_TTL = 44;

  private static final int O_GENRE = 0;
  private static final int O_TTL = 1;
  private static final int O_LOGLEVEL = 2;

  private OsfMatch() {
    super(
        ExtensionKind.MATCH,
        "osf",
        0,
        48,
        List.of(
            XtOption.of("genre", XtOptionType.STRING, O_GENRE, XtOption.MAND | XtOption.INVERT)
                .withSize(GENRE_MAX),
            XtOption.of("ttl", XtOptionType.UINT32, O_TTL, 0).withRange(0, 2),
            XtOption.of("log", XtOptionType.UINT32, O_LOGLEVEL, 0).withRange(0, 2)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) {
    ByteBuffer b = d.data();
    switch (arg.id()) {
      case O_GENRE -> {
        XtText.putCString(b, 0, GENRE_MAX, arg.arg());
        if (arg.invert()) {
          b.putInt(OFF_FLAGS, b.getInt(OFF_FLAGS) | F_INVERT);
        }
        b.putInt(OFF_LEN, XtText.cString(b, 0, GENRE_MAX).getBytes(StandardCharsets.UTF_8).length);
      }
      case O_TTL -> {
        b.putInt(OFF_TTL, (int) arg.val());
        b.putInt(OFF_FLAGS, b.getInt(OFF_FLAGS) | F_TTL);
      }
      default -> {
        b.putInt(OFF_LOGLEVEL, (int) arg.val());
        b.putInt(OFF_FLAGS, b.getInt(OFF_FLAGS) | F_LOG);
      }
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append(" OS fingerprint match ").append((b.getInt(OFF_FLAGS) & F_INVERT) != 0 ? "! " : "");
    out.append(XtText.cString(b, 0, GENRE_MAX));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getInt(OFF_FLAGS);
    if ((flags & F_INVERT) != 0) {
      out.append(" !");
    }
    out.append(" --genre ").append(XtText.cString(b, 0, GENRE_MAX));
    if ((flags & F_TTL) != 0) {
      out.append(" --ttl ").append(Integer.toUnsignedString(b.getInt(OFF_TTL)));
    }
    if ((flags & F_LOG) != 0) {
      out.append(" --log ").append(Integer.toUnsignedString(b.getInt(OFF_LOGLEVEL)));
    }
  }
}
