#pragma once
// ICMP type/code → port-like pair, as Zeek and the Community ID spec do it: request and reply
// types map to each other so both directions land in one flow; other types are one-way and
// keep (type, code).
#include <cstdint>

namespace vigie::flow {

struct IcmpPorts {
  std::uint16_t sport = 0, dport = 0;
  bool one_way = true;
};

// `proto` is 1 (ICMP) or 58 (ICMPv6).
IcmpPorts MapIcmp(std::uint8_t proto, std::uint8_t type, std::uint8_t code);

}  // namespace vigie::flow
