#pragma once
// The application layer's entry point: a flow::StreamSink that detects each TCP flow's protocol
// from its first bytes, creates the matching AppSession, forwards bytes/gaps/close to it, hands
// UDP DNS to the DNS decoder, and reports per-flow volume (also for encrypted flows).
// Per-flow state (session + volume counters) lives in Flow::app; nothing is allocated per
// packet. One router per worker thread.
#include <array>
#include <cstdint>
#include <memory>

#include "app/app_context.h"
#include "app/session.h"
#include "flow/flow.h"

namespace vigie::app {

struct RouterMetrics {
  explicit RouterMetrics(metrics::CounterSet& set);
  // Indexed by track::AppProto.
  std::array<metrics::Cell*, 6> flows{};
  metrics::Cell& detect_unknown;   // nothing recognised in the first bytes → raw
  metrics::Cell& volume_events;
  metrics::Cell& udp_ignored;      // datagrams with no content decoder
};

class AppRouter final : public flow::StreamSink {
 public:
  explicit AppRouter(const AppContext& ctx);
  void OnData(flow::Flow& flow, flow::Direction dir, std::span<const std::uint8_t> data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnDatagram(flow::Flow& flow, flow::Direction dir, std::span<const std::uint8_t> data) override;
  void OnPacket(flow::Flow& flow, flow::Direction dir) override;
  void OnClose(flow::Flow& flow, flow::CloseReason reason) override;

  // The session the router created for `flow` (null before detection or for UDP). For tests.
  static AppSession* SessionOf(const flow::Flow& flow);

 private:
  struct State;
  State& StateOf(flow::Flow& flow);
  void Decide(flow::Flow& flow, State& st, track::AppProto proto);
  std::unique_ptr<AppSession> MakeSession(flow::Flow& flow, track::AppProto proto);
  void ReportVolume(flow::Flow& flow, State& st, int d);

  const AppContext& ctx_;
  RouterMetrics& metrics_;
};

}  // namespace vigie::app
