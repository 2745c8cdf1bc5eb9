// Decoder: construction, counting, link layers and L2 (Ethernet, VLAN, MPLS, PPPoE).
#include <cstring>

#include "decode/decoder.h"

namespace vigie::decode {
namespace {

constexpr const char* kAnomalyNames[] = {
    "linktype_unsupported",   "link_header_truncated",  "nflog_malformed",
    "raw_bad_version",        "vlan_header_truncated",  "vlan_too_deep",
    "mpls_header_truncated",  "mpls_too_many_labels",   "mpls_unknown_payload",
    "pppoe_header_truncated", "pppoe_unsupported",      "ppp_header_truncated",
    "ipv4_header_truncated",  "ipv4_bad_version",       "ipv4_bad_ihl",
    "ipv4_bad_length",        "ipv6_header_truncated",  "ipv6_bad_version",
    "ipv6_bad_length",        "ipv6_ext_truncated",     "ipv6_too_many_ext",
    "tcp_header_truncated",   "tcp_bad_offset",         "udp_header_truncated",
    "udp_bad_length",         "icmp_header_truncated",  "gre_header_truncated",
    "gre_unsupported",        "erspan_header_truncated", "erspan_unsupported",
    "vxlan_header_truncated", "tunnel_too_deep",
};
static_assert(std::size(kAnomalyNames) == static_cast<std::size_t>(Anomaly::kCount));

// Link types (LINKTYPE_* as stored in files; DLT_RAW is 12 on most systems, 14 on OpenBSD).
constexpr int kLinkNull = 0, kLinkEthernet = 1, kLinkRaw12 = 12, kLinkRaw14 = 14, kLinkRaw = 101,
              kLinkLoop = 108, kLinkSll = 113, kLinkNflog = 239, kLinkIpv4 = 228, kLinkIpv6 = 229,
              kLinkSll2 = 276;

constexpr std::uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86DD, kEthVlan = 0x8100, kEthQinq = 0x88A8,
                        kEthQinqOld = 0x9100, kEthQinqOld2 = 0x9200, kEthMpls = 0x8847,
                        kEthMplsMulticast = 0x8848, kEthPppoeSession = 0x8864,
                        kEthCiscoMetadata = 0x8909;
constexpr int kMaxVlanTags = 8;
constexpr int kMaxMplsLabels = 16;

}  // namespace

const char* AnomalyName(Anomaly a) {
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kAnomalyNames) ? kAnomalyNames[i] : "unknown";
}

Decoder::Decoder(metrics::CounterSet& counters, const DecoderConfig& config)
    : config_(config),
      non_ip_(counters.Counter("vigie_decode_non_ip_total", "Frames that carry no IP (ARP, LLDP, STP, …)")),
      fragments_(counters.Counter("vigie_decode_fragments_total", "IP fragments handed to the defragmenter")),
      l4_tcp_(counters.Counter("vigie_decode_packets_total", "Packets decoded down to L4", {{"l4", "tcp"}})),
      l4_udp_(counters.Counter("vigie_decode_packets_total", "Packets decoded down to L4", {{"l4", "udp"}})),
      l4_icmp_(counters.Counter("vigie_decode_packets_total", "Packets decoded down to L4", {{"l4", "icmp"}})),
      l4_other_(counters.Counter("vigie_decode_packets_total", "Packets decoded down to L4", {{"l4", "other"}})) {
  for (std::size_t i = 0; i < anomaly_cells_.size(); ++i) {
    anomaly_cells_[i] = &counters.Counter("vigie_decode_anomalies_total",
                                          "Malformed or truncated packets, by first failing check",
                                          {{"reason", kAnomalyNames[i]}});
  }
}

DecodeStatus Decoder::Fail(DecodedPacket& out, Anomaly a) const {
  out.status = DecodeStatus::kAnomaly;
  out.anomaly = kAnomalyNames[static_cast<std::size_t>(a)];
  anomaly_cells_[static_cast<std::size_t>(a)]->Inc();
  return out.status;
}

DecodeStatus Decoder::NotIp(DecodedPacket& out) const {
  out.status = DecodeStatus::kNotIp;
  non_ip_.Inc();
  return out.status;
}

DecodeStatus Decoder::Done(Cursor c, DecodedPacket& out) {
  out.status = DecodeStatus::kOk;
  out.payload = c.p;
  out.payload_len = c.cap;
  out.payload_wire_len = c.wire;
  return out.status;
}

DecodeStatus Decoder::Fragment(Cursor c, DecodedPacket& out) {
  Done(c, out);
  out.status = DecodeStatus::kFragment;
  return out.status;
}

bool Decoder::EnterTunnel(DecodedPacket& out) const {
  if (out.tunnel_depth >= config_.max_tunnel_depth) {
    Fail(out, Anomaly::kTunnelTooDeep);
    return false;
  }
  ++out.tunnel_depth;
  // The inner packet's identity is its own: a transport VLAN of the tunnel is not part of it
  // (tags inside the tunnel set it again).
  out.vlan = 0;
  return true;
}

void Decoder::CountResult(const DecodedPacket& out) const {
  if (out.status == DecodeStatus::kFragment) {
    fragments_.Inc();
  } else if (out.status == DecodeStatus::kOk) {
    switch (out.ip_proto) {
      case kProtoTcp: l4_tcp_.Inc(); break;
      case kProtoUdp: l4_udp_.Inc(); break;
      case kProtoIcmp:
      case kProtoIcmpV6: l4_icmp_.Inc(); break;
      default: l4_other_.Inc(); break;
    }
  }
}

DecodedPacket Decoder::Decode(const capture::RawPacket& raw) const {
  DecodedPacket out;
  out.ts = raw.ts;
  out.wire_len = raw.wire_len;
  const std::uint32_t wire = raw.wire_len < raw.caplen ? raw.caplen : raw.wire_len;
  const Cursor c{raw.data, raw.data == nullptr ? 0 : raw.caplen, raw.data == nullptr ? 0 : wire};
  Link(raw.linktype, c, out);
  CountResult(out);
  return out;
}

DecodedPacket Decoder::DecodeReassembled(const DecodedPacket& ip, ByteView body) const {
  DecodedPacket out;
  out.ts = ip.ts;
  out.wire_len = ip.wire_len;
  out.vlan = ip.vlan;
  out.src = ip.src;
  out.dst = ip.dst;
  out.ip_version = ip.ip_version;
  out.ttl = ip.ttl;
  out.tunnel_depth = ip.tunnel_depth;
  out.frag_id = ip.frag_id;
  const auto n = static_cast<std::uint32_t>(body.size());
  const Cursor c{body.data(), n, n};
  if (ip.ip_version == 6) {
    Ipv6Chain(ip.ip_proto, c, out);
  } else {
    Transport(ip.ip_proto, c, out);
  }
  CountResult(out);
  return out;
}

DecodeStatus Decoder::Link(int linktype, Cursor c, DecodedPacket& out) const {
  switch (linktype) {
    case kLinkEthernet:
      return Ethernet(c, out);
    case kLinkSll: {
      // packet type, ARPHRD, address length, 8 address bytes, protocol.
      if (c.cap < 16) return Fail(out, Anomaly::kLinkHeaderTruncated);
      return EtherType(LoadBe16(c.p + 14), c.Skip(16), out);
    }
    case kLinkSll2: {
      // protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes.
      if (c.cap < 20) return Fail(out, Anomaly::kLinkHeaderTruncated);
      return EtherType(LoadBe16(c.p), c.Skip(20), out);
    }
    case kLinkRaw:
    case kLinkRaw12:
    case kLinkRaw14:
      return IpByVersion(c, out, Anomaly::kRawBadVersion);
    case kLinkIpv4:
      return Ipv4(c, out);
    case kLinkIpv6:
      return Ipv6(c, out);
    case kLinkNull:
    case kLinkLoop: {
      // Address family of the capturing host: host byte order for NULL (either order in a
      // file from another machine), network order for LOOP.
      if (c.cap < 4) return Fail(out, Anomaly::kLinkHeaderTruncated);
      std::uint32_t family = linktype == kLinkLoop ? LoadBe32(c.p) : LoadLe32(c.p);
      if (family > 0xffff) family = LoadBe32(c.p);
      const Cursor rest = c.Skip(4);
      switch (family) {
        case 2: return Ipv4(rest, out);                                    // AF_INET everywhere
        case 10: case 24: case 28: case 30: return Ipv6(rest, out);        // Linux, BSDs, macOS
        default: return NotIp(out);
      }
    }
    case kLinkNflog:
      return Nflog(c, out);
    default:
      return Fail(out, Anomaly::kLinktypeUnsupported);
  }
}

DecodeStatus Decoder::Nflog(Cursor c, DecodedPacket& out) const {
  // nflog header (family, version, resource id) then TLVs in host byte order (libpcap swaps
  // them for files written on the other endianness), each padded to 4 bytes.
  if (c.cap < 4) return Fail(out, Anomaly::kLinkHeaderTruncated);
  const std::uint8_t family = c.p[0];
  Cursor t = c.Skip(4);
  while (t.cap >= 4) {
    std::uint16_t len = 0, type = 0;
    std::memcpy(&len, t.p, 2);
    std::memcpy(&type, t.p + 2, 2);
    if (len < 4) return Fail(out, Anomaly::kNflogMalformed);
    if ((type & 0x7fff) == 9) {  // NFULA_PAYLOAD: the IP packet
      const std::uint32_t plen = len - 4u;
      Cursor pkt = t.Skip(4);
      if (plen < pkt.cap) pkt.cap = plen;
      pkt.wire = plen < pkt.cap ? pkt.cap : plen;
      if (family == 2) return Ipv4(pkt, out);
      if (family == 10) return Ipv6(pkt, out);
      return IpByVersion(pkt, out, Anomaly::kNflogMalformed);
    }
    const std::uint32_t padded = (std::uint32_t{len} + 3u) & ~3u;
    if (padded > t.cap) break;
    t = t.Skip(padded);
  }
  return Fail(out, Anomaly::kNflogMalformed);
}

DecodeStatus Decoder::Ethernet(Cursor c, DecodedPacket& out) const {
  if (c.cap < 14) return Fail(out, Anomaly::kLinkHeaderTruncated);
  return EtherType(LoadBe16(c.p + 12), c.Skip(14), out);
}

DecodeStatus Decoder::EtherType(std::uint16_t type, Cursor c, DecodedPacket& out) const {
  for (int tags = 0;; ++tags) {
    switch (type) {
      case kEthIpv4: return Ipv4(c, out);
      case kEthIpv6: return Ipv6(c, out);
      case kEthVlan:
      case kEthQinq:
      case kEthQinqOld:
      case kEthQinqOld2:
        if (tags >= kMaxVlanTags) return Fail(out, Anomaly::kVlanTooDeep);
        if (c.cap < 4) return Fail(out, Anomaly::kVlanHeaderTruncated);
        out.vlan = LoadBe16(c.p) & 0x0fff;  // innermost tag wins
        type = LoadBe16(c.p + 2);
        c = c.Skip(4);
        continue;
      case kEthMpls:
      case kEthMplsMulticast: return Mpls(c, out);
      case kEthPppoeSession: return Pppoe(c, out);
      case kEthCiscoMetadata:
        // Cisco MetaData (SGT tag): version, length, option, SGT, then the real EtherType.
        if (tags >= kMaxVlanTags) return Fail(out, Anomaly::kVlanTooDeep);
        if (c.cap < 8) return Fail(out, Anomaly::kVlanHeaderTruncated);
        type = LoadBe16(c.p + 6);
        c = c.Skip(8);
        continue;
      default: return NotIp(out);  // ARP, LLDP, PPPoE discovery, 802.3 length field (LLC), …
    }
  }
}

DecodeStatus Decoder::Mpls(Cursor c, DecodedPacket& out) const {
  for (int labels = 0;; ++labels) {
    if (labels >= kMaxMplsLabels) return Fail(out, Anomaly::kMplsTooManyLabels);
    if (c.cap < 4) return Fail(out, Anomaly::kMplsHeaderTruncated);
    const bool bottom = (c.p[2] & 0x01) != 0;
    c = c.Skip(4);
    if (bottom) break;
  }
  // MPLS does not say what it carries: guess by the first nibble.
  if (c.cap < 1) return Fail(out, Anomaly::kMplsHeaderTruncated);
  switch (c.p[0] >> 4) {
    case 4: return Ipv4(c, out);
    case 6: return Ipv6(c, out);
    case 0:  // pseudowire control word (RFC 4385), then an Ethernet frame (EoMPLS)
      if (c.cap < 4) return Fail(out, Anomaly::kMplsHeaderTruncated);
      return Ethernet(c.Skip(4), out);
    default: return Fail(out, Anomaly::kMplsUnknownPayload);
  }
}

DecodeStatus Decoder::Pppoe(Cursor c, DecodedPacket& out) const {
  // ver/type, code, session id, length, then the PPP protocol field.
  if (c.cap < 8) return Fail(out, Anomaly::kPppoeHeaderTruncated);
  if (c.p[0] != 0x11 || c.p[1] != 0x00) return Fail(out, Anomaly::kPppoeUnsupported);
  // The PPPoE length (PPP protocol field + datagram) bounds the datagram: bytes past it are
  // Ethernet padding, never payload; an IP header claiming more is clamped to it.
  Cursor inner = c.Skip(8);
  const std::uint32_t len = LoadBe16(c.p + 4);
  if (len >= 2 && len - 2 < inner.wire) {
    inner.wire = len - 2;
    inner.bounded = true;
    if (inner.cap > inner.wire) inner.cap = inner.wire;
  }
  switch (LoadBe16(c.p + 6)) {
    case 0x0021: return Ipv4(inner, out);
    case 0x0057: return Ipv6(inner, out);
    default: return NotIp(out);  // LCP, IPCP, …
  }
}

DecodeStatus Decoder::Ppp(Cursor c, DecodedPacket& out) const {
  if (c.cap >= 2 && c.p[0] == 0xff && c.p[1] == 0x03) c = c.Skip(2);  // address/control
  if (c.cap < 1) return Fail(out, Anomaly::kPppHeaderTruncated);
  std::uint16_t proto = 0;
  if (c.p[0] & 0x01) {  // protocol-field compression: one byte
    proto = c.p[0];
    c = c.Skip(1);
  } else {
    if (c.cap < 2) return Fail(out, Anomaly::kPppHeaderTruncated);
    proto = LoadBe16(c.p);
    c = c.Skip(2);
  }
  switch (proto) {
    case 0x0021: return Ipv4(c, out);
    case 0x0057: return Ipv6(c, out);
    default: return NotIp(out);
  }
}

DecodeStatus Decoder::IpByVersion(Cursor c, DecodedPacket& out, Anomaly on_bad) const {
  if (c.cap < 1) return Fail(out, on_bad);
  switch (c.p[0] >> 4) {
    case 4: return Ipv4(c, out);
    case 6: return Ipv6(c, out);
    default: return Fail(out, on_bad);
  }
}

}  // namespace vigie::decode
