#pragma once
// Test helper: builds frames byte by byte (checksums left zero: the decoder does not check them).
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "capture/raw_packet.h"
#include "core/bytes.h"

namespace vigie::decode::testing {

using Bytes = std::vector<std::uint8_t>;

inline void Put16(Bytes& b, std::uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
inline void Put32(Bytes& b, std::uint32_t v) { Put16(b, v >> 16); Put16(b, v & 0xffff); }
inline Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline Bytes Ether(const Bytes& payload, std::uint16_t type = 0x0800, std::initializer_list<std::uint16_t> vlans = {},
                   std::uint16_t outer_tpid = 0x8100) {
  Bytes b = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  bool first = true;
  for (std::uint16_t v : vlans) {
    Put16(b, first ? outer_tpid : 0x8100);
    Put16(b, v);
    first = false;
  }
  Put16(b, type);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

struct V4 {
  std::uint8_t a, b, c, d;
};

inline Bytes Ipv4(V4 src, V4 dst, std::uint8_t proto, const Bytes& payload, std::uint16_t id = 1,
                  std::uint16_t frag = 0, const Bytes& options = {}, int total_len = -1) {
  Bytes h;
  h.push_back(0x40 | static_cast<std::uint8_t>(5 + options.size() / 4));
  h.push_back(0);
  Put16(h, total_len >= 0 ? total_len : static_cast<int>(20 + options.size() + payload.size()));
  Put16(h, id);
  Put16(h, frag);
  h.push_back(64);
  h.push_back(proto);
  Put16(h, 0);
  h.insert(h.end(), {src.a, src.b, src.c, src.d, dst.a, dst.b, dst.c, dst.d});
  h.insert(h.end(), options.begin(), options.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

inline Bytes V6Addr(std::uint8_t last) {
  Bytes a = {0x20, 0x01, 0x0d, 0xb8};
  a.resize(15, 0);
  a.push_back(last);
  return a;
}

inline Bytes Ipv6(std::uint8_t src_last, std::uint8_t dst_last, std::uint8_t next, const Bytes& payload) {
  Bytes h = {0x60, 0, 0, 0};
  Put16(h, static_cast<std::uint16_t>(payload.size()));
  h.push_back(next);
  h.push_back(64);
  const Bytes s = V6Addr(src_last), d = V6Addr(dst_last);
  h.insert(h.end(), s.begin(), s.end());
  h.insert(h.end(), d.begin(), d.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

inline Bytes Tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 const Bytes& payload = {}, const Bytes& options = {}) {
  Bytes h;
  Put16(h, sport);
  Put16(h, dport);
  Put32(h, seq);
  Put32(h, ack);
  h.push_back(static_cast<std::uint8_t>((5 + options.size() / 4) << 4));
  h.push_back(flags);
  Put16(h, 1000);
  Put32(h, 0);
  h.insert(h.end(), options.begin(), options.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

inline Bytes Udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes h;
  Put16(h, sport);
  Put16(h, dport);
  Put16(h, static_cast<std::uint16_t>(8 + payload.size()));
  Put16(h, 0);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

inline capture::RawPacket Raw(const Bytes& frame, int linktype = 1, std::uint32_t wire_len = 0, Timestamp ts = 0) {
  capture::RawPacket r;
  r.ts = ts;
  r.data = frame.data();
  r.caplen = static_cast<std::uint32_t>(frame.size());
  r.wire_len = wire_len ? wire_len : r.caplen;
  r.linktype = linktype;
  return r;
}

}  // namespace vigie::decode::testing
