#pragma once
// Replays a classic pcap (either byte order, µs or ns) or pcapng file through libpcap, with
// nanosecond timestamps whatever the file's resolution.
//
// Start-up failures (missing file, not a capture, corrupt header, unsupported version) throw
// vigie::StartupError naming the file. Mid-file problems never throw: a truncated last record
// is counted in vigie_capture_truncated_total, any other read error in
// vigie_capture_read_errors_total, and reading stops (Next() returns kEnd).
//
// pcapng: libpcap gives one link type per handle. libpcap 1.10 refuses an Interface
// Description Block whose link type differs from the first one ("an interface has a type …
// different from the type of the first interface"); we count that as a read error and stop at
// that point (packets before it are delivered). Several interfaces of the same link type work;
// libpcap does not tell which interface a packet came from, so RawPacket::iface is the index
// given to the constructor. Per-interface timestamp resolutions (if_tsresol) are honoured.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/capture_metrics.h"
#include "capture/packet_source.h"
#include "capture/pcap_handle.h"
#include "metrics/counters.h"

namespace vigie::capture {

class PcapFileSource final : public PacketSource {
 public:
  // Throws StartupError when the file cannot be opened as a capture.
  PcapFileSource(const std::string& path, metrics::CounterSet& counters, std::uint16_t iface_index = 0);
  ~PcapFileSource() override;

  ReadResult Next() override;
  CaptureStats Stats() override { return stats_; }
  int linktype() const override { return linktype_; }
  const std::string& name() const override { return path_; }
  void BreakLoop() override;

  // The last read error text (empty if none), for the caller's log line.
  const std::string& last_error() const { return last_error_; }

 private:
  std::string path_;
  std::uint16_t iface_index_;
  // Declared before handle_: the FILE's stdio buffer must outlive pcap_close()'s fclose().
  std::unique_ptr<char[]> stdio_buf_;
  PcapHandle handle_;
  int linktype_ = 0;
  bool done_ = false;
  std::atomic<bool> break_{false};
  std::string last_error_;
  CaptureStats stats_;
  CaptureCells cells_;
};

}  // namespace vigie::capture
