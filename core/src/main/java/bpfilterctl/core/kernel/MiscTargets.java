package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The long tail of targets: AUDIT, HMARK, IDLETIMER, NFQUEUE, RATEEST, TEE, TPROXY, TRACE, and the
 * security-context ones, SECMARK and CONNSECMARK.
 */
final class MiscTargets {
  static final int AUDIT_TYPE_MAX = 2;
  static final int NFQ_FLAG_MASK = 0x03;
  static final int IDLETIMER_LABEL = 28;
  static final long INT_MAX_MS = Integer.MAX_VALUE / 1000;
  static final int HMARK_SPI = 1 << 2;
  static final int HMARK_SPI_MASK = 1 << 3;
  static final int HMARK_SPORT = 1 << 4;
  static final int HMARK_DPORT = 1 << 5;
  static final int HMARK_SPORT_MASK = 1 << 6;
  static final int HMARK_DPORT_MASK = 1 << 7;
  static final int HMARK_METHOD_L3 = 1 << 13;
  static final int SECMARK_MODE_SEL = 1;
  static final int CONNSECMARK_SAVE = 1;
  static final int CONNSECMARK_RESTORE = 2;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_audit_info {u8 type}
          Xt.target("AUDIT", 0, 1)
              .check(
                  (c, d) ->
                      (d.get(0) & 0xff) > AUDIT_TYPE_MAX
                          ? Optional.of(Errno.ERANGE)
                          : Optional.empty()),
          // xt_hmark_info {2 nf_inet_addr; 2 hmark_ports; u32 flags; u16 proto_mask; u32 hashrnd,
          // hmodulus, hoffset}
          Xt.target("HMARK", 0, 60).ipv4().check(MiscTargets::hmark),
          // idletimer_tg_info {u32 timeout; char label[28]; timer pointer}, _v1 (+ u8 send_nl_msg,
          // timer_type)
          Xt.target("IDLETIMER", 0, 40).ipv4().user(32).check((c, d) -> idletimer(d, false)),
          Xt.target("IDLETIMER", 1, 48).ipv4().user(40).check((c, d) -> idletimer(d, true)),
          // xt_NFQ_info {u16 queuenum}, _v1 (+ u16 queues_total), _v2 (+ u16 bypass), _v3 (+ flags)
          Xt.target("NFQUEUE", 0, 2).ipv4(),
          Xt.target("NFQUEUE", 1, 4).check((c, d) -> nfqueue(d, 0, 0)),
          Xt.target("NFQUEUE", 2, 6).check((c, d) -> nfqueue(d, 2, 1)),
          Xt.target("NFQUEUE", 3, 6).check((c, d) -> nfqueue(d, 3, NFQ_FLAG_MASK)),
          // xt_rateest_target_info {char name[16]; s8 interval; u8 ewma_log; est pointer}
          Xt.target("RATEEST", 0, 32).ipv4().user(24).check(MiscTargets::rateest),
          // xt_tee_tginfo {nf_inet_addr gw; char oif[16]; priv pointer}
          Xt.target("TEE", 1, 40).ipv4().user(32).check(MiscTargets::tee),
          // xt_tproxy_target_info {u32 mark_mask, mark_value; be32 laddr; be16 lport}, _v1 with an
          // nf_inet_addr; the rule must be -p tcp or -p udp
          tproxy(0, 16),
          tproxy(1, 28),
          Xt.target("TRACE", 0, 0).ipv4().table("raw"),
          // xt_secmark_target_info_v1 {u8 mode; char secctx[256]; u32 secid} (v0: secid first)
          secmark(0, 264, 264),
          secmark(1, 264, 260),
          // xt_connsecmark_target_info {u8 mode}
          Xt.target("CONNSECMARK", 0, 1).ipv4().check(MiscTargets::connsecmark));

  private MiscTargets() {}

  static Optional<Errno> hmark(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getInt(40);
    int protoMask = d.getShort(44) & 0xffff;
    int hmodulus = d.getInt(52);
    boolean spiAndPorts =
        ((flags & HMARK_SPI_MASK) != 0 && (flags & (HMARK_SPORT_MASK | HMARK_DPORT_MASK)) != 0)
            || ((flags & HMARK_SPI) != 0 && (flags & (HMARK_SPORT | HMARK_DPORT)) != 0);
    return Check.einvalIf(
        hmodulus == 0 || (protoMask != 0 && (flags & HMARK_METHOD_L3) != 0) || spiAndPorts);
  }

  static Optional<Errno> idletimer(ByteBuffer d, boolean v1) {
    if (v1 && d.get(32) != 0) {
      // netlink notification was never implemented for the v1 interface
      return Optional.of(Errno.EOPNOTSUPP);
    }
    long timeout = d.getInt(0) & 0xffffffffL;
    String label = ProcName.cString(d, 4, IDLETIMER_LABEL);
    return Check.einvalIf(
        timeout == 0
            || timeout >= INT_MAX_MS
            || label.isEmpty()
            || label.length() == IDLETIMER_LABEL
            || (v1 && (d.get(33) & 0xff) > 1));
  }

  /** A queue range past 65535 (or of no queue at all: the u16 total wrapped) is refused. */
  static Optional<Errno> nfqueue(ByteBuffer d, int revision, int flagMask) {
    int queuenum = d.getShort(0) & 0xffff;
    int total = d.getShort(2) & 0xffff;
    if (total == 0) {
      return Optional.of(Errno.EINVAL);
    }
    if (total - 1 + queuenum > 0xffff) {
      return Optional.of(Errno.ERANGE);
    }
    int flags = revision >= 2 ? d.getShort(4) & 0xffff : 0;
    return Check.einvalIf((flags & ~flagMask) != 0);
  }

  static Optional<Errno> rateest(ExtensionContext ctx, ByteBuffer d) {
    if (ProcName.cString(d, 0, 16).length() == 16) {
      return Optional.of(Errno.ENAMETOOLONG);
    }
    // gen_new_estimator's limits
    int interval = d.get(16);
    int ewmaLog = d.get(17) & 0xff;
    return Check.einvalIf(interval < -2 || interval > 3 || ewmaLog == 0 || ewmaLog >= 31);
  }

  static Optional<Errno> tee(ExtensionContext ctx, ByteBuffer d) {
    boolean zeroGateway = true;
    for (int i = 0; i < 16; i++) {
      zeroGateway &= d.get(i) == 0;
    }
    return Check.einvalIf(zeroGateway || (d.get(16) != 0 && d.get(31) != 0));
  }

  static Xt tproxy(int revision, int size) {
    return Xt.target("TPROXY", revision, size)
        .ipv4()
        .table("mangle")
        .hooks(Hook.PREROUTING.bit())
        .check((c, d) -> Check.einvalIf(!c.protoIs(Proto.TCP) && !c.protoIs(Proto.UDP)));
  }

  /**
   * The security context is resolved by the LSM; the umh has no policy loaded, as the oracle
   * kernel, so a valid request still ends in "unable to map security context": ENOENT.
   */
  static Xt secmark(int revision, int size, int userSize) {
    return Xt.target("SECMARK", revision, size)
        .ipv4()
        .user(userSize)
        .check(
            (c, d) -> {
              if (!(c.table().equals("mangle") || c.table().equals("security"))
                  || (d.get(0) & 0xff) != SECMARK_MODE_SEL) {
                return Optional.of(Errno.EINVAL);
              }
              return Optional.of(Errno.ENOENT);
            });
  }

  static Optional<Errno> connsecmark(ExtensionContext ctx, ByteBuffer d) {
    int mode = d.get(0) & 0xff;
    return Check.einvalIf(
        !(ctx.table().equals("mangle") || ctx.table().equals("security"))
            || (mode != CONNSECMARK_SAVE && mode != CONNSECMARK_RESTORE));
  }
}
