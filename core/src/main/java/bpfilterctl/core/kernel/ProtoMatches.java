package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** Matches on the header of one more IP protocol: ah, esp, ipcomp, sctp, dccp. */
final class ProtoMatches {
  static final int SPI_INV_MASK = 0x01;
  static final int SCTP_VALID_FLAGS = 0x07;
  static final int SCTP_CHUNK_TYPES = 0x04;
  static final int SCTP_CHUNK_MATCH_ALL_ANY_ONLY = 0x07;
  static final int DCCP_VALID_FLAGS = 0x0f;

  static final List<KernelExtension> ALL =
      List.of(
          // {u32 spis[2]; u8 invflags (, u8 hdrres)}
          Xt.match("ah", 0, 12).ipv4().proto(Proto.AH).check((c, d) -> spiInv(d)),
          Xt.match("esp", 0, 12).ipv4().proto(Proto.ESP).check((c, d) -> spiInv(d)),
          Xt.match("ipcomp", 0, 12).ipv4().proto(Proto.COMP).check((c, d) -> spiInv(d)),
          // xt_sctp_info {u16 dpts[2], spts[2]; u32 chunkmap[64], chunk_match_type; flag_info[4];
          // int flag_count; u32 flags, invflags}
          Xt.match("sctp", 0, 292).ipv4().proto(Proto.SCTP).check(ProtoMatches::checkSctp),
          // xt_dccp_info {u16 dpts[2], spts[2], flags, invflags, typemask; u8 option}
          Xt.match("dccp", 0, 16).ipv4().proto(Proto.DCCP).check(ProtoMatches::checkDccp));

  private ProtoMatches() {}

  static Optional<Errno> spiInv(ByteBuffer d) {
    return Check.einvalIf((d.get(8) & ~SPI_INV_MASK) != 0);
  }

  static Optional<Errno> checkSctp(ExtensionContext ctx, ByteBuffer d) {
    int matchType = d.getInt(264);
    int flags = d.getInt(284);
    int invflags = d.getInt(288);
    int flagCount = d.getInt(280);
    if (Integer.compareUnsigned(flagCount, 4) > 0
        || (flags & ~SCTP_VALID_FLAGS) != 0
        || (invflags & ~SCTP_VALID_FLAGS) != 0
        || (invflags & ~flags) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    if ((flags & SCTP_CHUNK_TYPES) == 0) {
      return Optional.empty();
    }
    return Check.einvalIf((matchType & SCTP_CHUNK_MATCH_ALL_ANY_ONLY) == 0);
  }

  static Optional<Errno> checkDccp(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getShort(8) & 0xffff;
    int invflags = d.getShort(10) & 0xffff;
    return Check.einvalIf(
        (flags & ~DCCP_VALID_FLAGS) != 0
            || (invflags & ~DCCP_VALID_FLAGS) != 0
            || (invflags & ~flags) != 0);
  }
}
