#pragma once
// One direction of a TCP conversation turned into ordered bytes with explicit gaps.
//
// Sequence numbers are mapped to 64-bit stream offsets at the door (offset 0 = first byte
// after the SYN, or the first byte seen on midstream pickup), so wraparound at 2^32 is handled
// in one place. In-order segments with nothing buffered go straight to StreamSink::OnData from
// the packet's memory (zero copy). Only out-of-order data is copied, into a per-direction
// vector of non-overlapping chunks sorted by offset; overlaps are resolved per
// FlowConfig::overlap_policy. A hole never blocks a stream forever: it is declared a gap when
// too much data (or too many segments) wait behind it, when it is older than hole_timeout,
// when the table's memcap needs room, and at flush (close, timeout, end of capture).
#include <cstdint>
#include <memory>
#include <vector>

#include "core/time.h"
#include "flow/flow.h"
#include "flow/flow_config.h"
#include "metrics/counters.h"

namespace vigie::flow {

class TcpReassembler;

// State shared by every reassembler of one flow table (one worker): config, sink, counters,
// memory accounting and the list of streams that hold buffered data (oldest first).
class ReassemblyShared {
 public:
  ReassemblyShared(const FlowConfig& config, StreamSink& sink, metrics::CounterSet& metrics);
  ReassemblyShared(const ReassemblyShared&) = delete;
  ReassemblyShared& operator=(const ReassemblyShared&) = delete;

  // Declares holes that are older than hole_timeout as gaps, on every buffering stream.
  void CheckHoleTimeouts(Timestamp now);
  std::uint64_t memory() const { return memory_; }

 private:
  friend class TcpReassembler;
  void Link(TcpReassembler* r);
  void Unlink(TcpReassembler* r);
  void AddMemory(std::int64_t delta);
  // Flushes the oldest buffering streams other than `self` until `need` more bytes fit.
  // Returns true if they fit.
  bool MakeRoom(std::uint64_t need, TcpReassembler* self);

  const FlowConfig& config_;
  StreamSink& sink_;
  std::uint64_t memory_ = 0;
  std::uint64_t memory_peak_ = 0;
  TcpReassembler* head_ = nullptr;  // buffering streams, in the order they started buffering
  TcpReassembler* tail_ = nullptr;

  metrics::Cell& overlaps_;
  metrics::Cell& overlap_conflicts_;
  metrics::Cell& gaps_;
  metrics::Cell& gap_bytes_;
  metrics::Cell& memcap_drops_;
  metrics::Cell& memory_gauge_;
  metrics::Cell& memory_peak_gauge_;
  metrics::Cell& retransmissions_;
  metrics::Cell& hole_timeouts_;
  metrics::Cell& ooo_overflows_;
  metrics::Cell& data_after_fin_;
  metrics::Cell& midstream_;
  metrics::Cell& out_of_window_;
};

class TcpReassembler {
 public:
  TcpReassembler() = default;
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // REQUIRES: called once before any other call; `flow` outlives this object's use.
  void Attach(ReassemblyShared* shared, Flow* flow, Direction dir);

  // A SYN with sequence number `isn` was seen: the data starts at isn + 1. Ignored once the
  // stream has started.
  void OnSyn(std::uint32_t isn);
  // The first expected data sequence number is known from elsewhere (the peer's SYN/ACK
  // acknowledges it). Ignored once the stream has started.
  void ExpectSeq(std::uint32_t next_seq);

  // One segment. `len` bytes are in `data`; `wire_len` >= len is the payload length per the IP
  // header (the tail beyond `len` was cut by the snaplen and becomes a gap). `fin` marks the
  // end of the stream at seq + wire_len. Untrusted: never fails, counts anomalies.
  void OnSegment(std::uint32_t seq, const std::uint8_t* data, std::uint32_t len, std::uint32_t wire_len,
                 bool fin, Timestamp ts);

  // Declares every remaining hole a gap and delivers everything buffered.
  void Flush();
  // Drops buffered data without delivering it (flow recycled). Frees memory.
  void Reset();

  bool started() const { return started_; }
  std::uint64_t next_offset() const { return next_off_; }  // bytes delivered or declared gaps
  std::uint32_t next_seq() const { return next_seq_; }
  std::uint64_t buffered_bytes() const { return buffered_bytes_; }
  std::size_t buffered_segments() const { return chunks_.size(); }

 private:
  friend class ReassemblyShared;
  struct Chunk {
    std::uint64_t start = 0;
    std::uint32_t len = 0;
    bool missing = false;           // bytes known to exist but not captured (snaplen cut)
    std::int64_t orig_start = 0;    // extent of the segment the bytes came from (policies)
    std::int64_t orig_end = 0;
    std::unique_ptr<std::uint8_t[]> data;  // null when missing
    std::uint64_t end() const { return start + len; }
  };

  void Deliver(const std::uint8_t* data, std::uint64_t len);  // data == nullptr: a gap
  void DeliverGap(std::uint64_t len);
  void Drain();              // delivers chunks contiguous with next_off_
  void DeclareFirstHole();   // the first hole becomes a gap, then Drain()
  // The new segment: offsets [s, e), real bytes `data` for [s, s + len), the rest missing.
  struct Segment {
    std::int64_t s, e;
    const std::uint8_t* data;
    std::uint64_t len;
    std::int64_t data_end() const { return s + static_cast<std::int64_t>(len); }
  };
  void Insert(const Segment& n, std::uint64_t from);  // buffers [from, n.e)
  std::size_t AddRegion(std::size_t pos, const Segment& n, std::uint64_t a, std::uint64_t b);
  void DeliverDirect(const Segment& n, std::uint64_t from, std::uint64_t to);  // zero copy
  bool NewWins(const Segment& n, const Chunk& old) const;
  void CheckHoleTimeout(Timestamp now);
  void EnforceLimits();
  void DropBuffer();  // frees buffered data, keeps the stream position
  bool depth_reached() const;

  ReassemblyShared* shared_ = nullptr;
  Flow* flow_ = nullptr;
  Direction dir_ = Direction::kToServer;
  bool started_ = false;
  bool fin_seen_ = false;
  std::uint32_t next_seq_ = 0;
  std::uint64_t next_off_ = 0;
  std::uint64_t fin_off_ = 0;
  std::vector<Chunk> chunks_;
  std::uint64_t buffered_bytes_ = 0;  // payload bytes held in chunks_
  std::uint64_t buffered_mem_ = 0;    // the same plus per-chunk overhead (memcap accounting)
  Timestamp hole_since_ = 0;          // when the current wait behind a hole began
  Timestamp last_ts_ = 0;
  // Intrusive list of buffering streams (ReassemblyShared).
  TcpReassembler* prev_ = nullptr;
  TcpReassembler* next_ = nullptr;
  bool linked_ = false;
};

}  // namespace vigie::flow
