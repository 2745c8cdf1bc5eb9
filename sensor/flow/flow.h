#pragma once
// The bidirectional flow record shared by the flow table, the reassembler and the application
// layer. Owned by FlowTable (sensor/flow/); later stages keep per-flow state in `app`.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/ip_addr.h"
#include "core/time.h"

namespace vigie::flow {

enum class Direction : std::uint8_t { kToServer = 0, kToClient = 1 };
inline constexpr int Index(Direction d) { return static_cast<int>(d); }
inline constexpr Direction Reverse(Direction d) {
  return d == Direction::kToServer ? Direction::kToClient : Direction::kToServer;
}

struct Endpoint {
  IpAddr ip;
  std::uint16_t port = 0;
};

// Normalized 5-tuple + VLAN: the lower (ip, port) is `lo`, so both directions give one key.
struct FlowKey {
  Endpoint lo, hi;
  std::uint8_t proto = 0;
  std::uint16_t vlan = 0;
  bool operator==(const FlowKey& o) const {
    return lo.ip == o.lo.ip && hi.ip == o.hi.ip && lo.port == o.lo.port && hi.port == o.hi.port &&
           proto == o.proto && vlan == o.vlan;
  }
};

enum class CloseReason : std::uint8_t { kFin, kRst, kTimeout, kEviction, kEndOfCapture };
std::string_view CloseReasonName(CloseReason r);

// Per-flow state of a later stage (application decoder). Destroyed with the flow.
class FlowAppState {
 public:
  virtual ~FlowAppState() = default;
};

struct Flow {
  FlowKey key;
  std::uint64_t id = 0;  // unique per worker, increasing
  Endpoint client, server;  // SYN sender is the client; port heuristic on midstream pickup
  std::uint8_t proto = 0;
  std::uint16_t vlan = 0;
  Timestamp first_seen = 0, last_seen = 0;  // last_seen is "now" for the stages below
  std::uint64_t packets[2] = {0, 0};  // indexed by Direction
  std::uint64_t bytes[2] = {0, 0};    // wire bytes, indexed by Direction
  std::uint64_t payload_bytes[2] = {0, 0};  // L4 payload bytes per IP lengths (includes snaplen-cut)
  bool midstream = false;           // no SYN seen
  std::unique_ptr<FlowAppState> app;
};

// Community ID v1 (https://github.com/corelight/community-id-spec), seed 0: "1:<base64 sha1>".
std::string CommunityId(const Flow& f, std::uint16_t seed = 0);

// What the flow table / reassembler push downstream (to the application layer).
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // In-order TCP bytes of one direction. `data` is only valid during the call.
  virtual void OnData(Flow& flow, Direction dir, std::span<const std::uint8_t> data) = 0;
  // `length` bytes of this direction will never be seen (loss, capture drop, snaplen cut).
  virtual void OnGap(Flow& flow, Direction dir, std::uint64_t length) = 0;
  // One UDP datagram's payload.
  virtual void OnDatagram(Flow& flow, Direction dir, std::span<const std::uint8_t> data) = 0;
  // Called after every packet's accounting (counts and last_seen updated); cheap hook for
  // volume tracking that must also see encrypted or snaplen-cut traffic.
  virtual void OnPacket(Flow& flow, Direction dir) = 0;
  // The flow ends; all its buffered data has been delivered (or reported as gaps) before this.
  virtual void OnClose(Flow& flow, CloseReason reason) = 0;
};

}  // namespace vigie::flow
