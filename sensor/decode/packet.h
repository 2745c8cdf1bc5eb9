#pragma once
// The decoder's output: a flat, fixed-size view of one packet's L3/L4 facts. No allocation;
// `payload` points into the capture buffer (or into the defragmenter's buffer for a
// reassembled datagram) and is valid until the next packet.
#include <cstdint>
#include <string_view>

#include "core/ip_addr.h"
#include "core/time.h"

namespace vigie::decode {

enum class DecodeStatus : std::uint8_t {
  kOk,        // L4 decoded; goes on to the flow table
  kFragment,  // an IP fragment: hand to IpDefragmenter
  kNotIp,     // ARP, LLDP, …: counted, not an anomaly
  kAnomaly,   // malformed/truncated: counted under `anomaly`, dropped
};

namespace tcp_flags {
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20;
}

inline constexpr std::uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpV6 = 58;

struct DecodedPacket {
  DecodeStatus status = DecodeStatus::kAnomaly;
  const char* anomaly = nullptr;  // static reason string when status == kAnomaly (metric label)

  Timestamp ts = 0;
  std::uint32_t wire_len = 0;  // whole frame on the wire, for volume
  std::uint16_t vlan = 0;      // innermost VLAN id (0 when untagged); part of the flow key

  IpAddr src, dst;
  std::uint8_t ip_version = 0;
  std::uint8_t ip_proto = 0;   // final upper-layer protocol
  std::uint8_t ttl = 0;

  // Fragment facts (status == kFragment). Offsets in bytes.
  std::uint32_t frag_id = 0;
  std::uint32_t frag_offset = 0;
  bool frag_more = false;

  // L4
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t tcp_flags = 0;
  std::uint16_t tcp_window = 0;
  std::uint8_t icmp_type = 0, icmp_code = 0;  // ICMP/ICMPv6 (ports stay 0)

  // Payload after the L4 header (for a fragment: after the IP header/extension headers).
  const std::uint8_t* payload = nullptr;
  std::uint32_t payload_len = 0;       // bytes actually captured
  std::uint32_t payload_wire_len = 0;  // length per the IP header (>= payload_len when snaplen cut it)

  std::uint8_t tunnel_depth = 0;  // how many encapsulations were removed (GRE, ERSPAN, VXLAN, …)
};

}  // namespace vigie::decode
