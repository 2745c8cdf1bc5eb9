#include "flow/tcp_reassembler.h"

#include <algorithm>
#include <cstring>

namespace vigie::flow {

namespace {
// Bookkeeping cost of one buffered chunk (vector slot + allocation header), so that a flood of
// 1-byte segments is charged realistically against the memcap.
constexpr std::uint64_t kChunkOverhead = 64;
// Segments further ahead than this are not plausible within any TCP window: dropped, counted.
constexpr std::int64_t kMaxAhead = std::int64_t{1} << 30;
}  // namespace

ReassemblyShared::ReassemblyShared(const FlowConfig& config, StreamSink& sink, metrics::CounterSet& m)
    : config_(config),
      sink_(sink),
      overlaps_(m.Counter("vigie_reassembly_overlaps_total", "Segments overlapping buffered data")),
      overlap_conflicts_(m.Counter("vigie_reassembly_overlap_conflicts_total",
                                   "Overlapping segments whose bytes differ from the buffered ones")),
      gaps_(m.Counter("vigie_reassembly_gaps_total", "Holes declared as gaps in TCP streams")),
      gap_bytes_(m.Counter("vigie_reassembly_gap_bytes_total", "Bytes of TCP streams never seen")),
      memcap_drops_(m.Counter("vigie_reassembly_memcap_drops_total",
                              "Out-of-order buffers force-flushed to stay under the reassembly memcap")),
      memory_gauge_(m.Gauge("vigie_reassembly_memory_bytes", "Memory held by out-of-order TCP data")),
      memory_peak_gauge_(m.Gauge("vigie_reassembly_memory_peak_bytes",
                                 "Highest memory ever held by out-of-order TCP data (bounded by the memcap)")),
      retransmissions_(m.Counter("vigie_reassembly_retransmissions_total",
                                 "Segments carrying already delivered bytes")),
      hole_timeouts_(m.Counter("vigie_reassembly_hole_timeouts_total", "Holes declared gaps after hole_timeout")),
      ooo_overflows_(m.Counter("vigie_reassembly_ooo_overflows_total",
                               "Holes declared gaps because too much data waited behind them")),
      data_after_fin_(m.Counter("vigie_reassembly_data_after_fin_total", "Segments with data after the FIN")),
      midstream_(m.Counter("vigie_reassembly_midstream_total", "Streams picked up without a SYN")),
      out_of_window_(m.Counter("vigie_reassembly_out_of_window_total",
                               "Segments implausibly far ahead of the stream, dropped")) {}

void ReassemblyShared::Link(TcpReassembler* r) {
  if (r->linked_) return;
  r->linked_ = true;
  r->prev_ = tail_;
  r->next_ = nullptr;
  if (tail_) tail_->next_ = r; else head_ = r;
  tail_ = r;
}

void ReassemblyShared::Unlink(TcpReassembler* r) {
  if (!r->linked_) return;
  r->linked_ = false;
  if (r->prev_) r->prev_->next_ = r->next_; else head_ = r->next_;
  if (r->next_) r->next_->prev_ = r->prev_; else tail_ = r->prev_;
  r->prev_ = r->next_ = nullptr;
}

void ReassemblyShared::AddMemory(std::int64_t delta) {
  memory_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(memory_) + delta);
  memory_gauge_.Set(static_cast<std::int64_t>(memory_));
  if (memory_ > memory_peak_) {
    memory_peak_ = memory_;
    memory_peak_gauge_.Set(static_cast<std::int64_t>(memory_peak_));
  }
}

bool ReassemblyShared::MakeRoom(std::uint64_t need, TcpReassembler* self) {
  while (memory_ + need > config_.reassembly_memcap) {
    TcpReassembler* victim = head_;
    if (victim == self) victim = victim->next_;
    if (victim == nullptr) return false;
    memcap_drops_.Inc();
    victim->Flush();
  }
  return true;
}

void ReassemblyShared::CheckHoleTimeouts(Timestamp now) {
  for (TcpReassembler* r = head_; r != nullptr;) {
    TcpReassembler* next = r->next_;  // r may unlink itself
    r->CheckHoleTimeout(now);
    r = next;
  }
}

TcpReassembler::~TcpReassembler() {
  if (shared_) Reset();
}

void TcpReassembler::Attach(ReassemblyShared* shared, Flow* flow, Direction dir) {
  shared_ = shared;
  flow_ = flow;
  dir_ = dir;
}

void TcpReassembler::OnSyn(std::uint32_t isn) {
  if (started_) return;
  started_ = true;
  next_seq_ = isn + 1;
  next_off_ = 0;
}

void TcpReassembler::ExpectSeq(std::uint32_t next_seq) {
  if (started_) return;
  started_ = true;
  next_seq_ = next_seq;
  next_off_ = 0;
}

bool TcpReassembler::depth_reached() const {
  return shared_->config_.content_depth != 0 && next_off_ >= shared_->config_.content_depth;
}

void TcpReassembler::OnSegment(std::uint32_t seq, const std::uint8_t* data, std::uint32_t len,
                               std::uint32_t wire_len, bool fin, Timestamp ts) {
  last_ts_ = ts;
  if (wire_len < len) wire_len = len;  // defensive: the decoder guarantees wire_len >= len
  if (!started_) {
    if (wire_len == 0) return;  // nothing to anchor the stream on yet
    started_ = true;
    next_seq_ = seq;
    next_off_ = 0;
    shared_->midstream_.Inc();
  }
  if (depth_reached()) {
    DropBuffer();
    return;
  }
  CheckHoleTimeout(ts);

  const std::int64_t delta = static_cast<std::int32_t>(seq - next_seq_);
  const std::int64_t s = static_cast<std::int64_t>(next_off_) + delta;
  const std::int64_t e = s + wire_len;
  if (fin && !fin_seen_) {
    fin_seen_ = true;
    fin_off_ = static_cast<std::uint64_t>(std::max<std::int64_t>(e, 0));
  } else if (fin_seen_ && wire_len > 0 && s > static_cast<std::int64_t>(fin_off_)) {
    shared_->data_after_fin_.Inc();
  }
  if (wire_len == 0) return;
  if (delta > kMaxAhead) {
    shared_->out_of_window_.Inc();
    return;
  }
  const auto next = static_cast<std::int64_t>(next_off_);
  if (e <= next) {
    shared_->retransmissions_.Inc();
    return;
  }
  if (s < next) shared_->retransmissions_.Inc();
  const std::uint64_t from = static_cast<std::uint64_t>(std::max(s, next));
  const Segment n{s, e, data, len};

  if (from == next_off_) {
    // In order: hand the packet's bytes over directly up to the first buffered chunk.
    std::uint64_t to = static_cast<std::uint64_t>(e);
    if (!chunks_.empty()) to = std::min(to, chunks_.front().start);
    DeliverDirect(n, from, to);
    if (to < static_cast<std::uint64_t>(e) && !depth_reached()) Insert(n, to);
    if (!depth_reached()) {
      Drain();
      EnforceLimits();
    }
    if (depth_reached()) DropBuffer();
    return;
  }

  // Out of order: must be copied. Make room under the table-wide memcap first.
  const std::uint64_t need = static_cast<std::uint64_t>(e) - from + 2 * kChunkOverhead;
  if (shared_->memory_ + need > shared_->config_.reassembly_memcap && !shared_->MakeRoom(need, this)) {
    // Even after flushing every other stream this one does not fit: give up waiting for its
    // holes and deliver what it has, then this segment after a gap.
    shared_->memcap_drops_.Inc();
    Flush();
    if (from > next_off_) DeliverGap(from - next_off_);
    DeliverDirect(n, from, static_cast<std::uint64_t>(e));
    return;
  }
  if (chunks_.empty()) hole_since_ = ts;
  Insert(n, from);
  if (!chunks_.empty()) shared_->Link(this);
  EnforceLimits();
}

void TcpReassembler::DeliverDirect(const Segment& n, std::uint64_t from, std::uint64_t to) {
  const auto data_end = static_cast<std::uint64_t>(std::max<std::int64_t>(n.data_end(), 0));
  if (from < std::min(to, data_end)) {
    const std::uint64_t stop = std::min(to, data_end);
    Deliver(n.data + (static_cast<std::int64_t>(from) - n.s), stop - from);
    from = stop;
  }
  if (from < to) DeliverGap(to - from);  // snaplen-cut tail
}

void TcpReassembler::Deliver(const std::uint8_t* data, std::uint64_t len) {
  const std::uint64_t depth = shared_->config_.content_depth;
  std::uint64_t give = len;
  if (depth != 0) give = next_off_ >= depth ? 0 : std::min(len, depth - next_off_);
  if (give > 0) shared_->sink_.OnData(*flow_, dir_, {data, static_cast<std::size_t>(give)});
  next_off_ += len;
  next_seq_ += static_cast<std::uint32_t>(len);
}

void TcpReassembler::DeliverGap(std::uint64_t len) {
  if (len == 0) return;
  if (!depth_reached()) {
    shared_->gaps_.Inc();
    shared_->gap_bytes_.Inc(len);
    shared_->sink_.OnGap(*flow_, dir_, len);
  }
  next_off_ += len;
  next_seq_ += static_cast<std::uint32_t>(len);
}

bool TcpReassembler::NewWins(const Segment& n, const Chunk& old) const {
  switch (shared_->config_.overlap_policy) {
    case OverlapPolicy::kFirst: return false;
    case OverlapPolicy::kLast: return true;
    case OverlapPolicy::kBsd:
    case OverlapPolicy::kWindows: return n.s < old.orig_start;
    case OverlapPolicy::kLinux: return n.s < old.orig_start || (n.s == old.orig_start && n.e > old.orig_end);
  }
  return false;
}

std::size_t TcpReassembler::AddRegion(std::size_t pos, const Segment& n, std::uint64_t a, std::uint64_t b) {
  // [a, b) is free space covered by the new segment: its real part, then its missing part.
  const auto data_end = static_cast<std::uint64_t>(std::max<std::int64_t>(n.data_end(), 0));
  while (a < b) {
    const bool missing = a >= data_end;
    std::uint64_t stop = missing ? b : std::min(b, data_end);
    Chunk c;
    c.start = a;
    c.len = static_cast<std::uint32_t>(stop - a);
    c.missing = missing;
    c.orig_start = n.s;
    c.orig_end = n.e;
    std::uint64_t mem = kChunkOverhead;
    if (!missing) {
      c.data = std::make_unique_for_overwrite<std::uint8_t[]>(c.len);
      std::memcpy(c.data.get(), n.data + (static_cast<std::int64_t>(a) - n.s), c.len);
      mem += c.len;
    }
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(pos), std::move(c));
    ++pos;
    buffered_bytes_ += stop - a;
    buffered_mem_ += mem;
    shared_->AddMemory(static_cast<std::int64_t>(mem));
    a = stop;
  }
  return pos;
}

void TcpReassembler::Insert(const Segment& n, std::uint64_t from) {
  const auto end = static_cast<std::uint64_t>(n.e);
  const auto data_end = static_cast<std::uint64_t>(std::max<std::int64_t>(n.data_end(), 0));
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), from,
                             [](std::uint64_t v, const Chunk& c) { return v < c.end(); });
  std::size_t i = static_cast<std::size_t>(it - chunks_.begin());
  std::uint64_t p = from;
  bool overlapped = false, conflict = false;
  while (p < end) {
    if (i == chunks_.size() || chunks_[i].start >= end) {
      i = AddRegion(i, n, p, end);
      break;
    }
    if (chunks_[i].start > p) {
      const std::uint64_t q = chunks_[i].start;
      i = AddRegion(i, n, p, q);
      p = q;
      continue;
    }
    Chunk& c = chunks_[i];
    const std::uint64_t q = std::min(c.end(), end);
    overlapped = true;
    if (c.missing) {
      // Real bytes replace bytes known to be missing, whatever the policy, when the new
      // segment covers the whole missing chunk.
      if (static_cast<std::int64_t>(c.start) >= n.s && c.end() <= data_end && c.end() <= end) {
        c.data = std::make_unique_for_overwrite<std::uint8_t[]>(c.len);
        std::memcpy(c.data.get(), n.data + (static_cast<std::int64_t>(c.start) - n.s), c.len);
        c.missing = false;
        buffered_mem_ += c.len;
        shared_->AddMemory(c.len);
      }
    } else if (p < data_end) {
      const std::uint64_t stop = std::min(q, data_end);
      std::uint8_t* old = c.data.get() + (p - c.start);
      const std::uint8_t* neu = n.data + (static_cast<std::int64_t>(p) - n.s);
      if (std::memcmp(old, neu, stop - p) != 0) {
        conflict = true;
        if (NewWins(n, c)) std::memcpy(old, neu, stop - p);
      }
    }
    p = q;
    ++i;
  }
  if (overlapped) shared_->overlaps_.Inc();
  if (conflict) shared_->overlap_conflicts_.Inc();
}

void TcpReassembler::Drain() {
  std::size_t k = 0;
  std::uint64_t freed_mem = 0, freed_bytes = 0;
  while (k < chunks_.size() && chunks_[k].start == next_off_) {
    Chunk& c = chunks_[k];
    if (c.missing) {
      DeliverGap(c.len);
    } else {
      Deliver(c.data.get(), c.len);
      freed_mem += c.len;
    }
    freed_mem += kChunkOverhead;
    freed_bytes += c.len;
    ++k;
  }
  if (k == 0) return;
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(k));
  buffered_bytes_ -= freed_bytes;
  buffered_mem_ -= freed_mem;
  shared_->AddMemory(-static_cast<std::int64_t>(freed_mem));
  if (chunks_.empty()) {
    shared_->Unlink(this);
  } else {
    hole_since_ = last_ts_;  // progress: the next hole's wait starts now
  }
}

void TcpReassembler::DeclareFirstHole() {
  if (chunks_.empty()) return;
  if (chunks_.front().start > next_off_) DeliverGap(chunks_.front().start - next_off_);
  Drain();
}

void TcpReassembler::EnforceLimits() {
  const FlowConfig& cfg = shared_->config_;
  while (!chunks_.empty() && (buffered_bytes_ > cfg.ooo_max_bytes || chunks_.size() > cfg.ooo_max_segments)) {
    shared_->ooo_overflows_.Inc();
    DeclareFirstHole();
  }
}

void TcpReassembler::CheckHoleTimeout(Timestamp now) {
  if (chunks_.empty() || now - hole_since_ < shared_->config_.hole_timeout) return;
  shared_->hole_timeouts_.Inc();
  last_ts_ = std::max(last_ts_, now);
  DeclareFirstHole();
  hole_since_ = now;
}

void TcpReassembler::Flush() {
  while (!chunks_.empty()) DeclareFirstHole();
}

void TcpReassembler::DropBuffer() {
  chunks_.clear();
  if (buffered_mem_ != 0) shared_->AddMemory(-static_cast<std::int64_t>(buffered_mem_));
  buffered_mem_ = 0;
  buffered_bytes_ = 0;
  shared_->Unlink(this);
}

void TcpReassembler::Reset() {
  DropBuffer();
  started_ = false;
  fin_seen_ = false;
  next_seq_ = 0;
  next_off_ = 0;
  fin_off_ = 0;
  hole_since_ = 0;
  last_ts_ = 0;
}

}  // namespace vigie::flow
