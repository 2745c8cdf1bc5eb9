#pragma once
// Replays a classic pcap (either byte order, µs or ns) or pcapng file, with nanosecond
// timestamps whatever the file's resolution. libpcap opens every file; classic pcap records are
// then read from a memory mapping (see Mapping below), pcapng records through libpcap.
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
#include <cstdio>
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
  // `map_classic`: read classic pcap records from a file mapping (default); false keeps
  // libpcap's reader for every record (tests compare both).
  PcapFileSource(const std::string& path, metrics::CounterSet& counters, std::uint16_t iface_index = 0,
                 bool map_classic = true);
  bool mapped() const { return map_.base != nullptr; }
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
  // Fast path for classic pcap files (the common replay case): libpcap parses the file header,
  // then records are read straight from a read-only mapping of the file, zero-copy (libpcap's
  // reader copies every record twice: page cache → stdio buffer → its buffer). Same checks
  // and error wording as libpcap's sf-pcap reader. pcapng, pipes and unusual link types keep
  // using libpcap.
  struct Mapping {
    const std::uint8_t* base = nullptr;
    std::size_t size = 0;
    std::size_t off = 0;
    std::size_t released = 0;  // pages below this were given back (MADV_DONTNEED)
    bool swapped = false;
    bool micros = false;       // µs timestamps (converted to ns)
    std::uint32_t snaplen = 0; // libpcap's snapshot for the file
  };
  void TryMap(std::FILE* f);
  // One record each (wire_len as the file says; Next() completes the packet and counts it).
  ReadResult NextMapped();
  ReadResult NextLibpcap();
  void Fail(std::string what, bool truncated);
  Mapping map_;
  int linktype_ = 0;
  bool done_ = false;
  std::atomic<bool> break_{false};
  std::string last_error_;
  CaptureStats stats_;
  CaptureCells cells_;
};

}  // namespace vigie::capture
