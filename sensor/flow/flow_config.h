#pragma once
// Flow table and TCP reassembly settings. Every default lives here; the config stage copies
// YAML keys over these (see README.md for the key names we suggest).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.h"

namespace vigie::flow {

// How bytes covered twice by different segments are resolved (Suricata/Snort target-based
// policies; semantics in README.md). Only buffered (not yet delivered) bytes can be resolved:
// bytes already handed downstream are never taken back.
enum class OverlapPolicy : std::uint8_t { kFirst, kLast, kLinux, kWindows, kBsd };

// "first", "last", "linux", "windows", "bsd" (also "vista" = first, "macos" = bsd); nullopt if unknown.
std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view name);
std::string_view OverlapPolicyName(OverlapPolicy p);

struct FlowConfig {
  // Idle timeouts in packet time, chosen by flow state (Suricata-like defaults).
  Timestamp tcp_new_timeout = Seconds(30);          // SYN seen, handshake not complete
  Timestamp tcp_established_timeout = Seconds(600); // handshake done, or midstream pickup
  Timestamp tcp_closed_timeout = Seconds(10);       // both FINs or a RST seen
  Timestamp udp_timeout = Seconds(60);
  Timestamp other_timeout = Seconds(30);

  std::uint32_t max_flows = 1'000'000;  // per table (worker); oldest idle flow evicted beyond

  OverlapPolicy overlap_policy = OverlapPolicy::kFirst;
  // A hole is declared a gap (and the data behind it delivered) once this much data waits
  // behind it in one direction, or this many segments, or it is this old in packet time.
  std::uint64_t ooo_max_bytes = 1 << 20;
  std::uint32_t ooo_max_segments = 4096;
  Timestamp hole_timeout = Seconds(5);
  // All out-of-order buffers of one table together; beyond it the oldest buffers are flushed
  // (their holes declared gaps).
  std::uint64_t reassembly_memcap = std::uint64_t{256} << 20;
  // Per-direction content depth in bytes (0 = unlimited). Past it no content is delivered;
  // packet/byte counting goes on.
  std::uint64_t content_depth = 0;
};

}  // namespace vigie::flow
