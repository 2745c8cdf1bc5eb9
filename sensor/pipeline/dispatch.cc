#include "pipeline/dispatch.h"

#include <chrono>
#include <cstring>

#include "core/hash.h"

namespace vigie::pipeline {

namespace {

struct RecordHead {
  Timestamp ts;
  std::uint32_t caplen;
  std::uint32_t wire_len;
  std::int32_t linktype;
  std::uint16_t iface;
};

constexpr std::size_t kRingBytes = 32u << 20;

}  // namespace

Dispatcher::Dispatcher(std::vector<std::unique_ptr<Worker>>& workers, ReloadCheck reload,
                       const std::atomic<bool>& stop)
    : workers_(workers), reload_(std::move(reload)), stop_(stop), hasher_decoder_(private_counters_) {
  for (std::size_t i = 0; i < workers_.size(); ++i) lanes_.push_back(std::make_unique<Lane>(kRingBytes));
  for (std::size_t i = 0; i < workers_.size(); ++i) lanes_[i]->thread = std::thread([this, i] { Drain(i); });
}

Dispatcher::~Dispatcher() { Finish(); }

void Dispatcher::Dispatch(const capture::RawPacket& pkt) {
  auto d = hasher_decoder_.Decode(pkt);
  std::size_t lane = 0;
  if (d.status == decode::DecodeStatus::kOk || d.status == decode::DecodeStatus::kFragment) {
    // Symmetric: XOR of the two addresses' hashes does not depend on direction.
    std::uint64_t h = Hash64(ByteView(d.src.bytes)) ^ Hash64(ByteView(d.dst.bytes));
    lane = static_cast<std::size_t>(h % lanes_.size());
  }
  RecordHead head{pkt.ts, pkt.caplen, pkt.wire_len, pkt.linktype, pkt.iface};
  std::span<const std::uint8_t> hb(reinterpret_cast<const std::uint8_t*>(&head), sizeof head);
  std::span<const std::uint8_t> body(pkt.data, pkt.caplen);
  while (!lanes_[lane]->ring.Push(hb, body)) std::this_thread::sleep_for(std::chrono::microseconds(50));
}

void Dispatcher::Drain(std::size_t i) {
  auto& ring = lanes_[i]->ring;
  auto& w = *workers_[i];
  std::uint64_t seen = 0;
  int idle = 0;
  for (;;) {
    auto rec = ring.Front();
    if (rec.empty()) {
      if (done_.load(std::memory_order_acquire) && ring.Empty()) break;
      if (++idle > 64) std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    idle = 0;
    RecordHead head;
    std::memcpy(&head, rec.data(), sizeof head);
    capture::RawPacket pkt;
    pkt.ts = head.ts;
    pkt.caplen = head.caplen;
    pkt.wire_len = head.wire_len;
    pkt.linktype = head.linktype;
    pkt.iface = head.iface;
    pkt.data = rec.data() + sizeof head;
    reload_(w, seen);
    w.Process(pkt);
    ring.Pop();
  }
  w.Finish();
}

void Dispatcher::Finish() {
  if (finished_) return;
  finished_ = true;
  done_.store(true, std::memory_order_release);
  for (auto& l : lanes_)
    if (l->thread.joinable()) l->thread.join();
}

}  // namespace vigie::pipeline
