#pragma once
// One packet worker: owns a disjoint shard of flows and every per-flow stage for them
// (decoder, defragmenter, flow table + reassembler, application router, PII scanner).
// Stages are wired once here, downstream sink into upstream constructor.
#include <cstdint>
#include <memory>

#include "app/app_context.h"
#include "app/router.h"
#include "capture/raw_packet.h"
#include "config/config.h"
#include "core/hash.h"
#include "decode/decoder.h"
#include "decode/ip_defrag.h"
#include "flow/flow_table.h"
#include "match/scanner.h"
#include "metrics/counters.h"
#include "pipeline/flow_log.h"
#include "track/events.h"

namespace vigie::pipeline {

class Worker {
 public:
  // `http_bodies`: optional tap on decoded HTTP bodies (app/http/body_observer.h), for test
  // tools; the sensor passes none. REQUIRES: it outlives the worker.
  Worker(const config::Config& cfg, std::shared_ptr<const match::PiiEngine> engine, track::EventSink& events,
         FlowLog* flow_log, metrics::CounterSet& counters, app::http::BodyObserver* http_bodies = nullptr);

  // REQUIRES: called from the worker's own thread only.
  void Process(const capture::RawPacket& pkt);
  // Housekeeping in packet time (timeouts); called by Process about once per second of
  // packet time, and by the pipeline when a live capture is idle.
  void Tick(Timestamp now);
  // End of replay / shutdown: every flow is flushed and closed.
  void Finish();
  void ReloadEngine(std::shared_ptr<const match::PiiEngine> engine) { scanner_.Reload(std::move(engine)); }
  Timestamp last_ts() const { return last_ts_; }

 private:
  const config::Config& cfg_;
  metrics::CounterSet& counters_;
  KeyedHasher hasher_;
  match::Scanner scanner_;
  app::AppContext ctx_;
  app::AppRouter router_;
  FlowLogTee tee_;
  decode::Decoder decoder_;
  decode::IpDefragmenter defrag_;
  flow::FlowTable flows_;
  Timestamp last_ts_ = 0;
  Timestamp last_tick_ = 0;
  // Volume by direction relative to home_net (no address labels), and sampled stage timing.
  metrics::Cell* volume_[4];  // indexed by (src inside) * 2 + (dst inside)
  metrics::Cell& decode_ns_;
  metrics::Cell& flow_ns_;
  // Per-packet stage latency, sampled 1 in 32: vigie_stage_latency_seconds{stage} histogram.
  metrics::CounterSet::HistogramCells decode_latency_, flow_latency_;
  static void Observe(const metrics::CounterSet::HistogramCells& h, std::int64_t ns);
  std::uint32_t sample_ = 0;
};

}  // namespace vigie::pipeline
