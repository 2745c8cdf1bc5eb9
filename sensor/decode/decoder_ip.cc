// Decoder: IPv4, IPv6 (+ extension headers), TCP, UDP (+ VXLAN), ICMP.
#include "decode/decoder.h"

namespace vigie::decode {
namespace {
constexpr int kMaxIpv6ExtHeaders = 16;
constexpr std::uint8_t kProtoIpIp = 4, kProtoIpv6 = 41, kProtoGre = 47;
constexpr std::uint8_t kExtHopByHop = 0, kExtRouting = 43, kExtFragment = 44, kExtAh = 51,
                       kExtNoNext = 59, kExtDestOpts = 60, kExtMobility = 135, kExtHip = 139,
                       kExtShim6 = 140;
}  // namespace

DecodeStatus Decoder::Ipv4(Cursor c, DecodedPacket& out) const {
  if (c.cap < 20) return Fail(out, Anomaly::kIpv4HeaderTruncated);
  if ((c.p[0] >> 4) != 4) return Fail(out, Anomaly::kIpv4BadVersion);
  const std::uint32_t ihl = (c.p[0] & 0x0f) * 4u;
  if (ihl < 20) return Fail(out, Anomaly::kIpv4BadIhl);
  if (ihl > c.cap) return Fail(out, Anomaly::kIpv4HeaderTruncated);
  std::uint32_t total = LoadBe16(c.p + 2);
  if (total == 0) total = c.wire;  // TSO / BIG TCP capture: the frame is the truth
  if (c.bounded && total > c.wire) total = c.wire;
  // The header's length must fit what was on the wire; below that it trims link padding.
  if (total < ihl || total > c.wire) return Fail(out, Anomaly::kIpv4BadLength);
  c.wire = total;
  if (c.cap > total) c.cap = total;

  out.ip_version = 4;
  out.src = IpAddr::FromV4(c.p + 12);
  out.dst = IpAddr::FromV4(c.p + 16);
  out.ttl = c.p[8];
  const std::uint8_t proto = c.p[9];
  out.ip_proto = proto;
  const std::uint16_t frag = LoadBe16(c.p + 6);
  const Cursor body = c.Skip(ihl);
  if ((frag & 0x3fff) != 0) {  // MF set or offset non-zero
    out.frag_id = LoadBe16(c.p + 4);
    out.frag_offset = (frag & 0x1fffu) * 8u;
    out.frag_more = (frag & 0x2000) != 0;
    return Fragment(body, out);
  }
  return Transport(proto, body, out);
}

DecodeStatus Decoder::Ipv6(Cursor c, DecodedPacket& out) const {
  if (c.cap < 40) return Fail(out, Anomaly::kIpv6HeaderTruncated);
  if ((c.p[0] >> 4) != 6) return Fail(out, Anomaly::kIpv6BadVersion);
  std::uint32_t payload = LoadBe16(c.p + 4);
  const std::uint8_t next = c.p[6];
  // Jumbogram / BIG TCP: payload length 0 with a Hop-by-Hop header; the frame is the truth.
  if (payload == 0 && next == kExtHopByHop) payload = c.wire - 40;
  if (c.bounded && 40 + payload > c.wire && c.wire >= 40) payload = c.wire - 40;
  if (40 + payload > c.wire) return Fail(out, Anomaly::kIpv6BadLength);
  c.wire = 40 + payload;
  if (c.cap > c.wire) c.cap = c.wire;
  out.ip_version = 6;
  out.src = IpAddr::FromV6(c.p + 8);
  out.dst = IpAddr::FromV6(c.p + 24);
  out.ttl = c.p[7];
  return Ipv6Chain(next, c.Skip(40), out);
}

DecodeStatus Decoder::Ipv6Chain(std::uint8_t next, Cursor c, DecodedPacket& out) const {
  for (int n = 0; n < kMaxIpv6ExtHeaders; ++n) {
    out.ip_proto = next;
    switch (next) {
      case kExtHopByHop:
      case kExtRouting:
      case kExtDestOpts:
      case kExtMobility:
      case kExtHip:
      case kExtShim6:
      case kExtAh: {
        if (c.cap < 2) return Fail(out, Anomaly::kIpv6ExtTruncated);
        const std::uint32_t len = next == kExtAh ? (c.p[1] + 2u) * 4u : (c.p[1] + 1u) * 8u;
        if (len > c.cap) return Fail(out, Anomaly::kIpv6ExtTruncated);
        next = c.p[0];
        c = c.Skip(len);
        continue;
      }
      case kExtFragment: {
        if (c.cap < 8) return Fail(out, Anomaly::kIpv6ExtTruncated);
        const std::uint16_t off = LoadBe16(c.p + 2);
        next = c.p[0];
        const bool more = (off & 0x0001) != 0;
        const std::uint32_t offset = off & 0xfff8u;
        const std::uint32_t id = LoadBe32(c.p + 4);
        c = c.Skip(8);
        // An atomic fragment (offset 0, M=0, RFC 6946) is a whole datagram: decode it in place.
        if (offset == 0 && !more) continue;
        out.ip_proto = next;
        out.frag_id = id;
        out.frag_offset = offset;
        out.frag_more = more;
        return Fragment(c, out);
      }
      case kExtNoNext:
        return Done(c.Skip(c.cap), out);
      default:
        return Transport(next, c, out);
    }
  }
  return Fail(out, Anomaly::kIpv6TooManyExt);
}

DecodeStatus Decoder::Transport(std::uint8_t proto, Cursor c, DecodedPacket& out) const {
  out.ip_proto = proto;
  switch (proto) {
    case kProtoTcp: return Tcp(c, out);
    case kProtoUdp: return Udp(c, out);
    case kProtoIcmp:
    case kProtoIcmpV6: return Icmp(c, out);
    case kProtoGre: return Gre(c, out);
    case kProtoIpIp:
      if (!EnterTunnel(out)) return out.status;
      return Ipv4(c, out);
    case kProtoIpv6:
      if (!EnterTunnel(out)) return out.status;
      return Ipv6(c, out);
    default: return Done(c, out);  // ESP, SCTP, OSPF, …: L3 facts only
  }
}

DecodeStatus Decoder::Tcp(Cursor c, DecodedPacket& out) const {
  if (c.cap < 20) return Fail(out, Anomaly::kTcpHeaderTruncated);
  const std::uint32_t hlen = (c.p[12] >> 4) * 4u;
  if (hlen < 20 || hlen > c.wire) return Fail(out, Anomaly::kTcpBadOffset);
  if (hlen > c.cap) return Fail(out, Anomaly::kTcpHeaderTruncated);
  out.sport = LoadBe16(c.p);
  out.dport = LoadBe16(c.p + 2);
  out.seq = LoadBe32(c.p + 4);
  out.ack = LoadBe32(c.p + 8);
  out.tcp_flags = c.p[13];
  out.tcp_window = LoadBe16(c.p + 14);
  return Done(c.Skip(hlen), out);
}

DecodeStatus Decoder::Udp(Cursor c, DecodedPacket& out) const {
  if (c.cap < 8) return Fail(out, Anomaly::kUdpHeaderTruncated);
  const std::uint32_t len = LoadBe16(c.p + 4);
  if (len < 8 || len > c.wire) return Fail(out, Anomaly::kUdpBadLength);
  c.wire = len;
  if (c.cap > len) c.cap = len;
  out.sport = LoadBe16(c.p);
  out.dport = LoadBe16(c.p + 2);
  const Cursor body = c.Skip(8);
  // VXLAN: flags byte with the I bit (valid VNI), 3 reserved, VNI, reserved; then Ethernet.
  if (config_.vxlan_port != 0 && out.dport == config_.vxlan_port && body.cap >= 1 && (body.p[0] & 0x08) != 0) {
    if (body.cap < 8) return Fail(out, Anomaly::kVxlanHeaderTruncated);
    if (!EnterTunnel(out)) return out.status;
    out.sport = out.dport = 0;
    return Ethernet(body.Skip(8), out);
  }
  return Done(body, out);
}

DecodeStatus Decoder::Icmp(Cursor c, DecodedPacket& out) const {
  if (c.cap < 4) return Fail(out, Anomaly::kIcmpHeaderTruncated);
  out.icmp_type = c.p[0];
  out.icmp_code = c.p[1];
  // Type, code, checksum and 4 type-specific bytes; the rest is the payload.
  const std::uint32_t hlen = c.cap < 8 ? c.cap : 8;
  return Done(c.Skip(hlen), out);
}

}  // namespace vigie::decode
