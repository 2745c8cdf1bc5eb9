#include "decode/ip_defrag.h"

#include <algorithm>
#include <cstring>

#include "core/hash.h"

namespace vigie::decode {
namespace {
constexpr std::size_t kMaxSpareBuffers = 16;
constexpr int kMaxNesting = 2;
}  // namespace

struct IpDefragmenter::Entry {
  DecodedPacket facts;  // L3 facts of the first fragment seen
  Timestamp first_ts = 0;
  std::uint64_t wire_bytes = 0;
  std::uint32_t total = 0;  // datagram length once the last fragment (M=0) is seen
  bool total_known = false;
  std::vector<std::uint8_t> data;
  std::vector<std::uint64_t> blocks;  // bit i: bytes [8i, 8i+8) received
  std::size_t accounted = 0;          // bytes charged to memory_
  Order::iterator order;

  bool Has(std::uint32_t b) const { return (blocks[b >> 6] >> (b & 63)) & 1u; }
  void Set(std::uint32_t b) { blocks[b >> 6] |= std::uint64_t{1} << (b & 63); }
  bool Complete() const {
    if (!total_known) return false;
    const std::uint32_t n = (total + 7) / 8;
    for (std::uint32_t w = 0; w < n / 64; ++w) {
      if (blocks[w] != ~std::uint64_t{0}) return false;
    }
    for (std::uint32_t b = (n / 64) * 64; b < n; ++b) {
      if (!Has(b)) return false;
    }
    return true;
  }
  std::size_t Footprint() const {
    return sizeof(Entry) + blocks.capacity() * sizeof(std::uint64_t) + data.capacity();
  }
};

std::size_t IpDefragmenter::KeyHash::operator()(const Key& k) const {
  std::uint8_t buf[16 + 16 + 4 + 3 + 2];
  std::memcpy(buf, k.src.bytes.data(), 16);
  std::memcpy(buf + 16, k.dst.bytes.data(), 16);
  std::memcpy(buf + 32, &k.id, 4);
  buf[36] = k.proto;
  buf[37] = k.version;
  buf[38] = k.tunnel_depth;
  std::memcpy(buf + 39, &k.vlan, 2);
  return static_cast<std::size_t>(Hash64(ByteView(buf, sizeof(buf))));
}

IpDefragmenter::IpDefragmenter(const DefragConfig& config, metrics::CounterSet& c)
    : config_(config),
      fragments_(c.Counter("vigie_defrag_fragments_total", "IP fragments given to the defragmenter")),
      datagrams_(c.Counter("vigie_defrag_datagrams_total", "IP datagrams reassembled")),
      overlaps_(c.Counter("vigie_defrag_overlaps_total", "Fragments overlapping data already held (first wins)")),
      timeouts_(c.Counter("vigie_defrag_timeouts_total", "Incomplete datagrams dropped after the timeout")),
      memcap_drops_(c.Counter("vigie_defrag_memcap_drops_total", "Datagrams/fragments dropped to stay under the memory cap")),
      oversize_(c.Counter("vigie_defrag_oversize_total", "Fragments reaching past the maximum datagram size")),
      invalid_(c.Counter("vigie_defrag_invalid_total", "Fragments that cannot be reassembled (cut by snaplen, bad length)")),
      memory_gauge_(c.Gauge("vigie_defrag_memory_bytes", "Memory held by incomplete datagrams")),
      pending_gauge_(c.Gauge("vigie_defrag_pending_datagrams", "Incomplete datagrams held")) {}

IpDefragmenter::~IpDefragmenter() {
  memory_gauge_.Dec(memory_);
  pending_gauge_.Dec(entries_.size());
}

std::vector<std::uint8_t> IpDefragmenter::TakeBuffer() {
  if (spare_.empty()) return {};
  std::vector<std::uint8_t> b = std::move(spare_.back());
  spare_.pop_back();
  b.clear();
  return b;
}

void IpDefragmenter::Erase(Map::iterator it) {
  Entry& e = *it->second;
  memory_ -= e.accounted;
  memory_gauge_.Dec(e.accounted);
  pending_gauge_.Dec();
  if (spare_.size() < kMaxSpareBuffers) spare_.push_back(std::move(e.data));
  order_.erase(e.order);
  entries_.erase(it);
}

void IpDefragmenter::Expire(Timestamp now) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it->second->first_ts + config_.timeout > now) break;
    timeouts_.Inc();
    Erase(it);
  }
}

bool IpDefragmenter::Reserve(std::size_t extra, const Entry* keep) {
  while (memory_ + extra > config_.memcap_bytes) {
    auto victim = order_.begin();
    if (victim != order_.end() && entries_.find(*victim)->second.get() == keep) ++victim;
    if (victim == order_.end()) return false;
    memcap_drops_.Inc();
    Erase(entries_.find(*victim));
  }
  return true;
}

DecodedPacket IpDefragmenter::Drop(const DecodedPacket& fragment, const char* reason, metrics::Cell& cell) {
  cell.Inc();
  DecodedPacket d = fragment;
  d.status = DecodeStatus::kAnomaly;
  d.anomaly = reason;
  return d;
}

DecodedPacket IpDefragmenter::Add(const DecodedPacket& fragment, const Decoder& decoder) {
  return AddNested(fragment, decoder, 0);
}

DecodedPacket IpDefragmenter::AddNested(const DecodedPacket& f, const Decoder& decoder, int nesting) {
  if (f.status != DecodeStatus::kFragment) return f;
  fragments_.Inc();
  Expire(f.ts);

  const std::uint32_t off = f.frag_offset;
  const std::uint32_t len = f.payload_len;
  if (f.payload_len < f.payload_wire_len || (f.frag_more && (len == 0 || len % 8 != 0))) {
    return Drop(f, "defrag_invalid", invalid_);
  }
  const std::uint64_t end = std::uint64_t{off} + len;
  Key key{f.src, f.dst, f.frag_id, f.ip_proto, f.ip_version, f.tunnel_depth, f.vlan};
  auto it = entries_.find(key);
  if (end > config_.max_datagram_bytes) {
    if (it != entries_.end()) Erase(it);
    return Drop(f, "defrag_oversize", oversize_);
  }

  if (it == entries_.end()) {
    auto e = std::make_unique<Entry>();
    e->facts = f;
    e->first_ts = f.ts;
    e->data = TakeBuffer();
    e->blocks.assign((config_.max_datagram_bytes + 7) / 8 / 64 + 1, 0);
    if (!Reserve(e->Footprint(), nullptr)) return Drop(f, "defrag_memcap", memcap_drops_);
    e->accounted = e->Footprint();
    memory_ += e->accounted;
    memory_gauge_.Inc(e->accounted);
    pending_gauge_.Inc();
    e->order = order_.insert(order_.end(), key);
    it = entries_.emplace(key, std::move(e)).first;
  }
  Entry& e = *it->second;
  e.wire_bytes += f.wire_len;

  std::uint32_t stop = static_cast<std::uint32_t>(end);
  bool overlap = false;
  if (!f.frag_more) {
    if (!e.total_known) {
      e.total = stop;
      e.total_known = true;
    } else if (e.total != stop) {
      overlap = true;  // a second, different "last fragment": the first one wins
    }
  }
  if (e.total_known && stop > e.total) {
    overlap = true;  // data past the known end is ignored
    stop = std::max(off, e.total);
  }
  if (stop > e.data.size()) {
    const std::size_t before = e.data.capacity();
    if (stop > before && !Reserve(stop - before, &e)) {
      Erase(it);
      return Drop(f, "defrag_memcap", memcap_drops_);
    }
    e.data.resize(stop);
    const std::size_t grown = e.data.capacity() - before;
    e.accounted += grown;
    memory_ += grown;
    memory_gauge_.Inc(grown);
  }
  for (std::uint32_t b = off / 8; b * 8 < stop; ++b) {
    if (e.Has(b)) {
      overlap = true;
      continue;
    }
    const std::uint32_t from = std::max(b * 8, off);
    const std::uint32_t to = std::min(b * 8 + 8, stop);
    std::memcpy(e.data.data() + from, f.payload + (from - off), to - from);
    e.Set(b);
  }
  if (overlap) overlaps_.Inc();
  if (!e.Complete()) {
    DecodedPacket held = f;
    held.status = DecodeStatus::kFragment;
    return held;
  }

  // Whole: the completed buffer becomes out_ (the previous out_ is recycled).
  DecodedPacket facts = e.facts;
  facts.ts = f.ts;
  facts.wire_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.wire_bytes, UINT32_MAX));
  const std::uint32_t total = e.total;
  if (spare_.size() < kMaxSpareBuffers && out_.capacity() != 0) spare_.push_back(std::move(out_));
  out_ = std::move(e.data);
  e.data = std::vector<std::uint8_t>();
  Erase(it);
  datagrams_.Inc();
  DecodedPacket d = decoder.DecodeReassembled(facts, ByteView(out_.data(), total));
  if (d.status == DecodeStatus::kFragment) {
    // The datagram was a tunnel whose inner packet is itself a fragment.
    if (nesting + 1 >= kMaxNesting) return Drop(d, "defrag_invalid", invalid_);
    return AddNested(d, decoder, nesting + 1);
  }
  return d;
}

}  // namespace vigie::decode
