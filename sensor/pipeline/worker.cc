#include "pipeline/worker.h"

namespace vigie::pipeline {

Worker::Worker(const config::Config& cfg, std::shared_ptr<const match::PiiEngine> engine, track::EventSink& events,
               FlowLog* flow_log, metrics::CounterSet& counters)
    : cfg_(cfg),
      counters_(counters),
      hasher_(cfg.pii.secret),
      scanner_(std::move(engine), counters),
      ctx_{&cfg.app, &scanner_, &events, &counters, &hasher_},
      router_(ctx_),
      tee_(router_, flow_log),
      decoder_(counters),
      defrag_(cfg.defrag, counters),
      flows_(cfg.flow, tee_, counters) {}

void Worker::Process(const capture::RawPacket& raw) {
  auto pkt = decoder_.Decode(raw);
  if (pkt.status == decode::DecodeStatus::kFragment) pkt = defrag_.Add(pkt, decoder_);
  if (pkt.status == decode::DecodeStatus::kOk) flows_.Process(pkt);
  if (raw.ts > last_ts_) last_ts_ = raw.ts;
  if (last_ts_ - last_tick_ >= kNanosPerSecond) Tick(last_ts_);
}

void Worker::Tick(Timestamp now) {
  last_tick_ = now;
  flows_.Expire(now);
  defrag_.Expire(now);
}

void Worker::Finish() { flows_.FlushAll(flow::CloseReason::kEndOfCapture); }

}  // namespace vigie::pipeline
