#pragma once
// Replay with several workers: the reader hashes each packet's IP address pair symmetrically
// (so both directions, and every fragment, of a conversation reach the same worker) and copies
// it into that worker's bounded ring. Each worker thread drains its ring. Results are the same
// as with one worker because a flow is only ever seen by one worker, in capture order.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "capture/raw_packet.h"
#include "core/spsc_ring.h"
#include "decode/decoder.h"
#include "metrics/counters.h"
#include "pipeline/worker.h"

namespace vigie::pipeline {

class Dispatcher {
 public:
  using ReloadCheck = std::function<void(Worker&, std::uint64_t&)>;
  Dispatcher(std::vector<std::unique_ptr<Worker>>& workers, ReloadCheck reload, const std::atomic<bool>& stop);
  ~Dispatcher();
  void Dispatch(const capture::RawPacket& pkt);
  // Drains the rings, then every worker flushes its flows. Blocks until done.
  void Finish();

 private:
  struct Lane {
    explicit Lane(std::size_t cap) : ring(cap) {}
    SpscRing ring;
    std::thread thread;
  };
  void Drain(std::size_t i);

  std::vector<std::unique_ptr<Worker>>& workers_;
  ReloadCheck reload_;
  const std::atomic<bool>& stop_;
  metrics::CounterSet private_counters_;  // the reader's decoder; not exported (workers count)
  decode::Decoder hasher_decoder_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::atomic<bool> done_{false};
  bool finished_ = false;
};

}  // namespace vigie::pipeline
