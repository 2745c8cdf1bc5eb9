// Decoder: GRE (RFC 2784/2890 and PPTP's enhanced GRE), ERSPAN I/II/III.
#include "decode/decoder.h"

namespace vigie::decode {
namespace {
constexpr std::uint16_t kGreChecksum = 0x8000, kGreRouting = 0x4000, kGreKey = 0x2000, kGreSeq = 0x1000,
                        kGreAck = 0x0080;
constexpr std::uint16_t kGreTeb = 0x6558, kGreErspan2 = 0x88BE, kGreErspan3 = 0x22EB, kGrePpp = 0x880B;
}  // namespace

DecodeStatus Decoder::Gre(Cursor c, DecodedPacket& out) const {
  if (!EnterTunnel(out)) return out.status;
  if (c.cap < 4) return Fail(out, Anomaly::kGreHeaderTruncated);
  const std::uint16_t flags = LoadBe16(c.p);
  const std::uint16_t proto = LoadBe16(c.p + 2);
  std::uint32_t hlen = 4;
  switch (flags & 0x0007) {
    case 0:  // RFC 2784 (+2890 key and sequence)
      if (flags & kGreRouting) return Fail(out, Anomaly::kGreUnsupported);  // RFC 1701 source routes
      if (flags & kGreChecksum) hlen += 4;
      if (flags & kGreKey) hlen += 4;
      if (flags & kGreSeq) hlen += 4;
      break;
    case 1:  // PPTP enhanced GRE: key (payload length + call id) is mandatory
      if (!(flags & kGreKey) || proto != kGrePpp) return Fail(out, Anomaly::kGreUnsupported);
      hlen += 4;
      if (flags & kGreSeq) hlen += 4;
      if (flags & kGreAck) hlen += 4;
      break;
    default:
      return Fail(out, Anomaly::kGreUnsupported);
  }
  if (hlen > c.cap) return Fail(out, Anomaly::kGreHeaderTruncated);
  c = c.Skip(hlen);
  switch (proto) {
    case kGreTeb: return Ethernet(c, out);
    case kGreErspan2:
      // Type I has no ERSPAN header and no GRE sequence number; type II has both.
      if (!(flags & kGreSeq)) return Ethernet(c, out);
      if (c.cap < 8) return Fail(out, Anomaly::kErspanHeaderTruncated);
      if ((c.p[0] >> 4) != 1) return Fail(out, Anomaly::kErspanUnsupported);
      return Ethernet(c.Skip(8), out);
    case kGreErspan3: return Erspan3(c, out);
    case kGrePpp: return Ppp(c, out);
    default: return EtherType(proto, c, out);  // IPv4, IPv6, MPLS, …; others are not IP
  }
}

DecodeStatus Decoder::Erspan3(Cursor c, DecodedPacket& out) const {
  // ver/vlan, cos/bso/t/session, timestamp, then SGT(16) P(1) FT(5) hw id(6) D(1) gra(2) O(1);
  // O announces an 8-byte platform-specific sub-header.
  if (c.cap < 12) return Fail(out, Anomaly::kErspanHeaderTruncated);
  if ((c.p[0] >> 4) != 2) return Fail(out, Anomaly::kErspanUnsupported);
  const unsigned frame_type = (c.p[10] >> 2) & 0x1f;
  const bool sub_header = (c.p[11] & 0x01) != 0;
  if (frame_type != 0) return Fail(out, Anomaly::kErspanUnsupported);  // only Ethernet frames
  const std::uint32_t hlen = sub_header ? 20 : 12;
  if (c.cap < hlen) return Fail(out, Anomaly::kErspanHeaderTruncated);
  return Ethernet(c.Skip(hlen), out);
}

}  // namespace vigie::decode
