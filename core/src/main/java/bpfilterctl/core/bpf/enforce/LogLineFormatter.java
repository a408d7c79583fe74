package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.TargetEvent;
import java.util.Locale;

/**
 * The line the kernel's LOG target writes for an IPv4 packet (xt_LOG through nf_log_syslog's
 * nf_log_ip_packet), from what the program captured: prefix, devices, MAC header (with an input
 * device), IP header and options, the TCP/UDP/ICMP/AH/ESP header (one quoted packet deep for ICMP
 * errors), socket owner and mark. The text after the kernel's level marker, with its trailing
 * space; the level is the event's.
 */
public final class LogLineFormatter {
  /** xt_LOG.h flags. */
  static final int TCPSEQ = 0x01;

  static final int TCPOPT = 0x02;
  static final int IPOPT = 0x04;
  static final int UID = 0x08;
  static final int MACDECODE = 0x20;

  private static final int ARPHRD_ETHER = 1;
  private static final int NR_ICMP_TYPES = 18;

  private LogLineFormatter() {}

  /** The line as the kernel's dmesg shows it (without timestamp). */
  public static String format(TargetEvent ev) {
    StringBuilder m = new StringBuilder();
    m.append(ev.prefix()).append("IN=").append(ev.in()).append(" OUT=").append(ev.out());
    m.append(' ');
    if (!ev.in().isEmpty()) {
      mac(m, ev);
    }
    Dump d = new Dump(m, ev.packet(), ev.skbLen(), ev.flags());
    if (d.ipv4(0)) { // the kernel adds these only when the headers were all there
      if ((ev.flags() & UID) != 0 && ev.uid() != 0xffffffffL) {
        m.append("UID=").append(ev.uid()).append(" GID=").append(ev.gid()).append(' ');
      }
      if (ev.mark() != 0) {
        m.append("MARK=0x").append(Integer.toHexString(ev.mark())).append(' ');
      }
    }
    return m.toString();
  }

  private static void mac(StringBuilder m, TargetEvent ev) {
    byte[] mac = ev.mac();
    if ((ev.flags() & MACDECODE) != 0 && ev.devType() == ARPHRD_ETHER) {
      if (mac.length < 14) {
        return;
      }
      m.append("MACSRC=").append(macAddr(mac, 6)).append(" MACDST=").append(macAddr(mac, 0));
      m.append(String.format(Locale.ROOT, " MACPROTO=%04x ", u16(mac, 12)));
      return;
    }
    m.append("MAC=");
    for (int i = 0; i < mac.length; i++) {
      m.append(i == 0 ? "" : ":").append(String.format(Locale.ROOT, "%02x", mac[i] & 0xff));
    }
    m.append(' ');
  }

  private static String macAddr(byte[] b, int at) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append(i == 0 ? "" : ":").append(String.format(Locale.ROOT, "%02x", b[at + i] & 0xff));
    }
    return s.toString();
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) u16(b, at) << 16) | u16(b, at + 2);
  }

  private static String addr(byte[] b, int at) {
    return (b[at] & 0xff)
        + "."
        + (b[at + 1] & 0xff)
        + "."
        + (b[at + 2] & 0xff)
        + "."
        + (b[at + 3] & 0xff);
  }

  /** dump_ipv4_packet over the captured bytes; a header past them reads as absent. */
  private record Dump(StringBuilder m, byte[] p, int skbLen, int flags) {
    private boolean has(int from, int n) {
      return from + n <= p.length && from + n <= skbLen;
    }

    /** False where the kernel's dump returns early (a header it could not read). */
    boolean ipv4(int iphoff) {
      if (!has(iphoff, 20)) {
        m.append("TRUNCATED");
        return false;
      }
      int ihl = (p[iphoff] & 0x0f) * 4;
      int tos = p[iphoff + 1] & 0xff;
      int frag = u16(p, iphoff + 6);
      int proto = p[iphoff + 9] & 0xff;
      m.append("SRC=").append(addr(p, iphoff + 12)).append(" DST=").append(addr(p, iphoff + 16));
      m.append(
          String.format(
              Locale.ROOT,
              " LEN=%d TOS=0x%02X PREC=0x%02X TTL=%d ID=%d ",
              u16(p, iphoff + 2),
              tos & 0x1e,
              tos & 0xe0,
              p[iphoff + 8] & 0xff,
              u16(p, iphoff + 4)));
      if ((frag & 0x8000) != 0) {
        m.append("CE ");
      }
      if ((frag & 0x4000) != 0) {
        m.append("DF ");
      }
      if ((frag & 0x2000) != 0) {
        m.append("MF ");
      }
      int offset = frag & 0x1fff;
      if (offset != 0) {
        m.append("FRAG:").append(offset).append(' ');
      }
      if ((flags & IPOPT) != 0 && ihl > 20) {
        if (!has(iphoff + 20, ihl - 20)) {
          m.append("TRUNCATED");
          return false;
        }
        hex(iphoff + 20, ihl - 20);
      }
      int th = iphoff + ihl;
      switch (proto) {
        case 6 -> {
          if (tcp(offset != 0, th)) {
            return false;
          }
        }
        case 17, 136 -> {
          if (udp(proto, offset != 0, th)) {
            return false;
          }
        }
        case 1 -> icmp(iphoff, offset != 0, th);
        case 51 -> {
          if (offset == 0) {
            m.append("PROTO=AH ");
            spi(th, 12, th + 4); // struct ip_auth_hdr
          }
        }
        case 50 -> {
          m.append("PROTO=ESP ");
          if (offset == 0) {
            spi(th, 8, th); // struct ip_esp_hdr
          }
        }
        default -> m.append("PROTO=").append(proto).append(' ');
      }
      return true;
    }

    private void spi(int th, int header, int at) {
      if (!has(th, header)) {
        m.append("INCOMPLETE [").append(skbLen - th).append(" bytes] ");
        return;
      }
      m.append("SPI=0x").append(Long.toHexString(u32(p, at))).append(' ');
    }

    private void hex(int from, int n) {
      m.append("OPT (");
      for (int i = 0; i < n; i++) {
        m.append(String.format(Locale.ROOT, "%02X", p[from + i] & 0xff));
      }
      m.append(") ");
    }

    /** True when the kernel stops the line here (header missing, options cut). */
    private boolean tcp(boolean fragment, int th) {
      m.append("PROTO=TCP ");
      if (fragment) {
        return false;
      }
      if (!has(th, 20)) {
        m.append("INCOMPLETE [").append(skbLen - th).append(" bytes] ");
        return true;
      }
      m.append("SPT=").append(u16(p, th)).append(" DPT=").append(u16(p, th + 2)).append(' ');
      if ((flags & TCPSEQ) != 0) {
        m.append("SEQ=").append(u32(p, th + 4)).append(" ACK=").append(u32(p, th + 8));
        m.append(' ');
      }
      m.append("WINDOW=").append(u16(p, th + 14)).append(' ');
      int word = u16(p, th + 12);
      // TCP_RESERVED_BITS: the three bits between the data offset and AE
      m.append(String.format(Locale.ROOT, "RES=0x%02x ", (word >> 6) & 0x38));
      String[] names = {"AE", "CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"};
      for (int bit = 8; bit >= 0; bit--) {
        if ((word & (1 << bit)) != 0) {
          m.append(names[8 - bit]).append(' ');
        }
      }
      m.append("URGP=").append(u16(p, th + 18)).append(' ');
      int doff = (p[th + 12] & 0xf0) >> 2;
      if ((flags & TCPOPT) != 0 && doff > 20) {
        if (!has(th + 20, doff - 20)) {
          m.append("OPT (TRUNCATED)");
          return true;
        }
        hex(th + 20, doff - 20);
      }
      return false;
    }

    private boolean udp(int proto, boolean fragment, int th) {
      m.append(proto == 17 ? "PROTO=UDP " : "PROTO=UDPLITE ");
      if (fragment) {
        return false;
      }
      if (!has(th, 8)) {
        m.append("INCOMPLETE [").append(skbLen - th).append(" bytes] ");
        return true;
      }
      m.append("SPT=").append(u16(p, th)).append(" DPT=").append(u16(p, th + 2));
      m.append(" LEN=").append(u16(p, th + 4)).append(' ');
      return false;
    }

    private void icmp(int iphoff, boolean fragment, int th) {
      m.append("PROTO=ICMP ");
      if (fragment) {
        return;
      }
      int rest = skbLen - th;
      if (!has(th, 8)) {
        m.append("INCOMPLETE [").append(rest).append(" bytes] ");
        return;
      }
      int type = p[th] & 0xff;
      int code = p[th + 1] & 0xff;
      m.append("TYPE=").append(type).append(" CODE=").append(code).append(' ');
      int required = type <= NR_ICMP_TYPES ? requiredLen(type) : 0;
      if (required != 0 && rest < required) {
        m.append("INCOMPLETE [").append(rest).append(" bytes] ");
        return;
      }
      switch (type) {
        case 0, 8 ->
            m.append("ID=")
                .append(u16(p, th + 4))
                .append(" SEQ=")
                .append(u16(p, th + 6))
                .append(' ');
        case 12 -> m.append("PARAMETER=").append(p[th + 4] & 0xff).append(' ');
        case 5, 3, 4, 11 -> {
          if (type == 5) {
            m.append("GATEWAY=").append(addr(p, th + 4)).append(' ');
          }
          if (iphoff == 0) {
            m.append('[');
            ipv4(th + 8);
            m.append("] ");
          }
          if (type == 3 && code == 4) {
            m.append("MTU=").append(u16(p, th + 6)).append(' ');
          }
        }
        default -> {}
      }
    }

    private static int requiredLen(int type) {
      return switch (type) {
        case 0, 8 -> 4;
        case 3, 4, 5, 11, 12 -> 8 + 20;
        case 13, 14 -> 20;
        case 17, 18 -> 12;
        default -> 0;
      };
    }
  }
}
