#include "pipeline/worker.h"

#include <chrono>
#include <cstdio>

namespace vigie::pipeline {

Worker::Worker(const config::Config& cfg, std::shared_ptr<const match::PiiEngine> engine, track::EventSink& events,
               FlowLog* flow_log, metrics::CounterSet& counters, app::http::BodyObserver* http_bodies)
    : cfg_(cfg),
      counters_(counters),
      hasher_(cfg.pii.secret),
      scanner_(std::move(engine), counters),
      ctx_{&cfg.app, &scanner_, &events, &counters, &hasher_, http_bodies},
      router_(ctx_),
      tee_(router_, flow_log),
      decoder_(counters),
      defrag_(cfg.defrag, counters),
      flows_(cfg.flow, tee_, counters),
      decode_ns_(counters.ScaledCounter("vigie_stage_seconds_total",
                                        "Processing time by stage, estimated from 1 packet in 32", {{"stage", "decode"}},
                                        1e-9)),
      flow_ns_(counters.ScaledCounter("vigie_stage_seconds_total",
                                      "Processing time by stage, estimated from 1 packet in 32",
                                      {{"stage", "flow_app_pii"}}, 1e-9)) {
  static const std::vector<double> kBounds = {250e-9, 500e-9, 1e-6, 2.5e-6, 5e-6, 10e-6, 50e-6, 250e-6};
  static const char* const kHelp = "Per-packet processing time by stage, sampled 1 packet in 32";
  decode_latency_ = counters.Histogram("vigie_stage_latency_seconds", kHelp, {{"stage", "decode"}}, kBounds, 1e-9);
  flow_latency_ = counters.Histogram("vigie_stage_latency_seconds", kHelp, {{"stage", "flow_app_pii"}}, kBounds, 1e-9);
  static constexpr const char* kDirections[4] = {"external", "inbound", "outbound", "internal"};
  for (int i = 0; i < 4; ++i)
    volume_[i] = &counters.Counter("vigie_app_volume_bytes_total",
                                   "Wire bytes by direction relative to home_net (inbound = outside to inside)",
                                   {{"direction", kDirections[i]}});
}

void Worker::Process(const capture::RawPacket& raw) {
  // Timing every packet would cost more than decoding it: 1 in 32 is timed and scaled up.
  const bool timed = (++sample_ & 31) == 0;
  std::chrono::steady_clock::time_point t0, t1;
  if (timed) t0 = std::chrono::steady_clock::now();
  auto pkt = decoder_.Decode(raw);
  if (pkt.status == decode::DecodeStatus::kFragment) pkt = defrag_.Add(pkt, decoder_);
  if (timed) t1 = std::chrono::steady_clock::now();
  if (pkt.status == decode::DecodeStatus::kOk) {
    volume_[(cfg_.home_net.Contains(pkt.src) ? 2 : 0) + (cfg_.home_net.Contains(pkt.dst) ? 1 : 0)]->Inc(pkt.wire_len);
    flows_.Process(pkt);
  }
  if (timed) {
    auto t2 = std::chrono::steady_clock::now();
    const std::int64_t decode_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    const std::int64_t flow_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count();
    decode_ns_.Inc(32 * static_cast<std::uint64_t>(decode_ns));
    flow_ns_.Inc(32 * static_cast<std::uint64_t>(flow_ns));
    Observe(decode_latency_, decode_ns);
    Observe(flow_latency_, flow_ns);
  }
  if (raw.ts > last_ts_) last_ts_ = raw.ts;
  if (last_ts_ - last_tick_ >= kNanosPerSecond) Tick(last_ts_);
}

void Worker::Observe(const metrics::CounterSet::HistogramCells& h, std::int64_t ns) {
  static constexpr std::int64_t kBoundsNs[] = {250, 500, 1000, 2500, 5000, 10000, 50000, 250000};
  for (std::size_t i = 0; i < std::size(kBoundsNs); ++i)
    if (ns <= kBoundsNs[i]) h.buckets[i]->Inc();
  h.buckets.back()->Inc();
  h.count->Inc();
  h.sum->Inc(static_cast<std::uint64_t>(ns));
}

void Worker::Tick(Timestamp now) {
  last_tick_ = now;
  flows_.Expire(now);
  defrag_.Expire(now);
}

void Worker::Finish() { flows_.FlushAll(flow::CloseReason::kEndOfCapture); }

}  // namespace vigie::pipeline
