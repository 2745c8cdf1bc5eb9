#pragma once
// Optional `event_type:"flow"` JSON lines written when a flow closes, with its Community ID.
// FlowLogTee sits between the flow table and the application router and forwards everything.
#include <cstdio>
#include <mutex>
#include <string>

#include "flow/flow.h"

namespace vigie::pipeline {

class FlowLog {
 public:
  // Throws StartupError when the file cannot be opened.
  explicit FlowLog(const std::string& path);
  ~FlowLog();
  void Write(const flow::Flow& f, flow::CloseReason reason);  // thread-safe

 private:
  std::FILE* file_;
  std::mutex mu_;
};

class FlowLogTee : public flow::StreamSink {
 public:
  FlowLogTee(flow::StreamSink& next, FlowLog* log) : next_(next), log_(log) {}
  void OnData(flow::Flow& f, flow::Direction d, std::span<const std::uint8_t> b) override { next_.OnData(f, d, b); }
  void OnGap(flow::Flow& f, flow::Direction d, std::uint64_t n) override { next_.OnGap(f, d, n); }
  void OnDatagram(flow::Flow& f, flow::Direction d, std::span<const std::uint8_t> b) override {
    next_.OnDatagram(f, d, b);
  }
  void OnPacket(flow::Flow& f, flow::Direction d) override { next_.OnPacket(f, d); }
  void OnClose(flow::Flow& f, flow::CloseReason r) override {
    next_.OnClose(f, r);
    if (log_) log_->Write(f, r);
  }

 private:
  flow::StreamSink& next_;
  FlowLog* log_;
};

}  // namespace vigie::pipeline
