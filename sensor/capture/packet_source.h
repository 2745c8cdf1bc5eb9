#pragma once
// PacketSource: where frames come from (a capture file or a live interface).
//
// Contract: Next() returns the next frame zero-copy; `packet.data` points into libpcap's
// buffer and stays valid only until the next Next() call on the same source. A source is used
// by one thread; only BreakLoop() may be called from another thread.
#include <cstdint>
#include <string>

#include "capture/raw_packet.h"

namespace vigie::capture {

enum class ReadStatus : std::uint8_t {
  kPacket,   // `packet` holds a frame
  kTimeout,  // live capture: nothing arrived within the read timeout; call again
  kEnd,      // end of file, BreakLoop() was called, or an unrecoverable read error (counted)
};

struct ReadResult {
  ReadStatus status = ReadStatus::kEnd;
  RawPacket packet;
};

// Cumulative since the source was opened.
struct CaptureStats {
  std::uint64_t packets = 0;          // frames handed out by Next()
  std::uint64_t bytes = 0;            // sum of their wire lengths
  std::uint64_t kernel_drops = 0;     // dropped by the kernel (ring full); live only
  std::uint64_t interface_drops = 0;  // dropped by the NIC/driver; live only
  std::uint64_t truncated = 0;        // files: truncated last record seen (0 or 1)
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  PacketSource() = default;
  PacketSource(const PacketSource&) = delete;
  PacketSource& operator=(const PacketSource&) = delete;

  virtual ReadResult Next() = 0;
  virtual CaptureStats Stats() = 0;
  // DLT_* of the frames (libpcap exposes one per handle; see README for pcapng).
  virtual int linktype() const = 0;
  // Interface name, or the file path.
  virtual const std::string& name() const = 0;
  // Thread-safe: makes the next (or the current blocked) Next() return kEnd.
  virtual void BreakLoop() = 0;
};

}  // namespace vigie::capture
