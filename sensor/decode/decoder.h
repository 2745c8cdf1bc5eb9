#pragma once
// Stateless, bounds-checked L2–L4 decoder.
//
// Decode() walks link layer → (VLAN/QinQ, MPLS, PPPoE) → IPv4/IPv6 (+ extension headers) →
// TCP/UDP/ICMP, removing tunnels (GRE incl. PPTP/enhanced GRE, ERSPAN I/II/III, transparent
// Ethernet bridging, VXLAN, IP-in-IP, IPv6-in-IP) up to DecoderConfig::max_tunnel_depth.
// DecodedPacket always describes the INNERMOST packet. Nothing is allocated and nothing throws:
// a malformed or truncated header gives status kAnomaly with a stable reason string, counted in
// vigie_decode_anomalies_total{reason}.
//
// Lengths: the IP header's length is the truth (Ethernet padding is trimmed). When the
// capture was cut by snaplen, payload_len < payload_wire_len and the packet is still kOk; a
// header that was itself cut is an anomaly. IPv4 total length 0 / IPv6 payload length 0 with
// a Hop-by-Hop header (TSO / BIG TCP captures) mean "the rest of the frame".
// Checksums are not verified (offloaded NICs capture them wrong).
//
// Thread-safety: one Decoder per worker (it bumps that worker's counters); all methods const.
#include <array>
#include <cstdint>

#include "capture/raw_packet.h"
#include "core/bytes.h"
#include "decode/packet.h"
#include "metrics/counters.h"

namespace vigie::decode {

struct DecoderConfig {
  std::uint8_t max_tunnel_depth = 8;  // encapsulations removed before "tunnel_too_deep"
  std::uint16_t vxlan_port = 4789;    // UDP destination port decapsulated as VXLAN (0: never)
};

// Every anomaly reason; the label value of vigie_decode_anomalies_total.
enum class Anomaly : std::uint8_t {
  kLinktypeUnsupported,
  kLinkHeaderTruncated,
  kNflogMalformed,
  kRawBadVersion,
  kVlanHeaderTruncated,
  kVlanTooDeep,
  kMplsHeaderTruncated,
  kMplsTooManyLabels,
  kMplsUnknownPayload,
  kPppoeHeaderTruncated,
  kPppoeUnsupported,
  kPppHeaderTruncated,
  kIpv4HeaderTruncated,
  kIpv4BadVersion,
  kIpv4BadIhl,
  kIpv4BadLength,
  kIpv6HeaderTruncated,
  kIpv6BadVersion,
  kIpv6BadLength,
  kIpv6ExtTruncated,
  kIpv6TooManyExt,
  kTcpHeaderTruncated,
  kTcpBadOffset,
  kUdpHeaderTruncated,
  kUdpBadLength,
  kIcmpHeaderTruncated,
  kGreHeaderTruncated,
  kGreUnsupported,
  kErspanHeaderTruncated,
  kErspanUnsupported,
  kVxlanHeaderTruncated,
  kTunnelTooDeep,
  kCount
};
const char* AnomalyName(Anomaly a);

class Decoder {
 public:
  explicit Decoder(metrics::CounterSet& counters, const DecoderConfig& config = {});

  // The packet's facts; `payload` points into raw.data.
  DecodedPacket Decode(const capture::RawPacket& raw) const;

  // For IpDefragmenter: decodes the upper layer of a reassembled datagram. `ip` carries the
  // L3 facts of the datagram (ts, wire_len, vlan, src, dst, ip_version, ttl, tunnel_depth and
  // ip_proto = protocol of `body`); `body` is everything after the IP header (IPv6: after the
  // fragment header). The result's payload points into `body`.
  DecodedPacket DecodeReassembled(const DecodedPacket& ip, ByteView body) const;

 private:
  // Remaining bytes from `p`: `cap` captured, `wire` on the wire (wire >= cap).
  struct Cursor {
    const std::uint8_t* p;
    std::uint32_t cap;
    std::uint32_t wire;
    // Set when an outer layer with its own length field (PPPoE) bounds the datagram: an IP
    // length beyond `wire` is then clamped to it (as tshark and a PPP stack do), not an anomaly.
    bool bounded = false;
    Cursor Skip(std::uint32_t n) const { return {p + n, cap - n, wire - n, bounded}; }  // REQUIRES: n <= cap
  };

  DecodeStatus Link(int linktype, Cursor c, DecodedPacket& out) const;
  DecodeStatus Nflog(Cursor c, DecodedPacket& out) const;
  DecodeStatus Ethernet(Cursor c, DecodedPacket& out) const;
  DecodeStatus EtherType(std::uint16_t type, Cursor c, DecodedPacket& out) const;
  DecodeStatus Mpls(Cursor c, DecodedPacket& out) const;
  DecodeStatus Pppoe(Cursor c, DecodedPacket& out) const;
  DecodeStatus Ppp(Cursor c, DecodedPacket& out) const;
  DecodeStatus IpByVersion(Cursor c, DecodedPacket& out, Anomaly on_bad) const;
  DecodeStatus Ipv4(Cursor c, DecodedPacket& out) const;
  DecodeStatus Ipv6(Cursor c, DecodedPacket& out) const;
  DecodeStatus Ipv6Chain(std::uint8_t next, Cursor c, DecodedPacket& out) const;
  DecodeStatus Transport(std::uint8_t proto, Cursor c, DecodedPacket& out) const;
  DecodeStatus Tcp(Cursor c, DecodedPacket& out) const;
  DecodeStatus Udp(Cursor c, DecodedPacket& out) const;
  DecodeStatus Icmp(Cursor c, DecodedPacket& out) const;
  DecodeStatus Gre(Cursor c, DecodedPacket& out) const;
  DecodeStatus Erspan3(Cursor c, DecodedPacket& out) const;

  // Counts a tunnel layer; false (and an anomaly) past max_tunnel_depth.
  bool EnterTunnel(DecodedPacket& out) const;
  DecodeStatus Fail(DecodedPacket& out, Anomaly a) const;
  DecodeStatus NotIp(DecodedPacket& out) const;
  static DecodeStatus Fragment(Cursor c, DecodedPacket& out);
  static DecodeStatus Done(Cursor c, DecodedPacket& out);
  void CountResult(const DecodedPacket& out) const;

  DecoderConfig config_;
  std::array<metrics::Cell*, static_cast<std::size_t>(Anomaly::kCount)> anomaly_cells_{};
  metrics::Cell& non_ip_;
  metrics::Cell& fragments_;
  metrics::Cell& l4_tcp_;
  metrics::Cell& l4_udp_;
  metrics::Cell& l4_icmp_;
  metrics::Cell& l4_other_;
};

}  // namespace vigie::decode
