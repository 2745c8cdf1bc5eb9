#pragma once
// Live capture on one interface through libpcap (Linux: TPACKET_V3 memory-mapped ring).
//
// Several LiveSource objects on the same interface with the same fanout_group share the
// traffic: the kernel hashes each flow (symmetric, after IP defragmentation) to one socket.
// Next() waits at most read_timeout_ms (non-blocking read + poll), then returns kTimeout so the
// caller can check for shutdown; BreakLoop() (any thread) makes it return kEnd within one
// timeout. With TPACKET_V3 a packet becomes readable when its ring block is retired: when
// full or after read_timeout_ms, so latency is up to one timeout (fine for a passive sensor).
#include <atomic>
#include <cstdint>
#include <string>

#include "capture/capture_metrics.h"
#include "capture/packet_source.h"
#include "capture/pcap_handle.h"
#include "core/time.h"
#include "metrics/counters.h"

namespace vigie::capture {

struct LiveConfig {
  std::string interface;
  int snaplen = 262144;
  int buffer_bytes = 64 << 20;      // kernel ring size (pcap_set_buffer_size)
  int read_timeout_ms = 100;        // block at most this long in Next()
  bool promiscuous = true;
  std::string bpf_filter;           // empty: everything
  int fanout_group = -1;            // -1: no fanout; else PACKET_FANOUT group id (0..65535)
  std::uint16_t iface_index = 0;    // copied into RawPacket::iface
};

class LiveSource final : public PacketSource {
 public:
  // Throws StartupError (one line naming the interface) when the interface cannot be opened,
  // activated, filtered or joined to the fanout group.
  LiveSource(const LiveConfig& config, metrics::CounterSet& counters);
  ~LiveSource() override;

  ReadResult Next() override;
  // Polls pcap_stats and folds the kernel's drop counts into the counters.
  CaptureStats Stats() override;
  int linktype() const override { return linktype_; }
  const std::string& name() const override { return config_.interface; }
  void BreakLoop() override;

 private:
  void PollKernelStats();

  LiveConfig config_;
  PcapHandle handle_;
  int linktype_ = 0;
  int poll_fd_ = -1;
  std::atomic<bool> break_{false};
  bool done_ = false;
  CaptureStats stats_;
  std::uint64_t since_stats_poll_ = 0;
  CaptureCells cells_;
};

}  // namespace vigie::capture
