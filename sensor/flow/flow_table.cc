#include "flow/flow_table.h"

#include <algorithm>
#include <cstring>

#include "core/hash.h"
#include "flow/icmp_map.h"

namespace vigie::flow {

namespace tf = decode::tcp_flags;

namespace {
constexpr std::size_t kSlabSize = 1024;

std::uint64_t HashKey(const FlowKey& k) {
  std::uint8_t buf[40];
  std::memcpy(buf, k.lo.ip.bytes.data(), 16);
  std::memcpy(buf + 16, k.hi.ip.bytes.data(), 16);
  StoreBe16(buf + 32, k.lo.port);
  StoreBe16(buf + 34, k.hi.port);
  StoreBe16(buf + 36, k.vlan);
  buf[38] = k.proto;
  buf[39] = 0;
  return Hash64(ByteView(buf, sizeof buf));
}

int ProtoIndex(std::uint8_t proto) {
  switch (proto) {
    case decode::kProtoTcp: return 0;
    case decode::kProtoUdp: return 1;
    case decode::kProtoIcmp: case decode::kProtoIcmpV6: return 2;
    default: return 3;
  }
}
}  // namespace

struct FlowTable::Entry {
  // Lookup touches hash, hash_next and flow.key: keep them on the first cache lines.
  std::uint64_t hash = 0;
  Entry* hash_next = nullptr;  // also the free-list link
  Flow flow;
  Entry* lru_prev = nullptr;
  Entry* lru_next = nullptr;
  // Position in the LRU list is by lru_time (when last appended), refreshed lazily from
  // flow.last_seen by Expire/eviction, so a packet never has to relink its neighbours.
  Timestamp lru_time = 0;
  TimeoutClass cls = kOther;
  bool syn = false, synack = false, rst = false;
  bool fin[2] = {false, false};
  bool ack[2] = {false, false};  // an ACK-bearing packet seen from each side
  TcpReassembler stream[2];

  bool closed() const { return rst || (fin[0] && fin[1]); }
};

FlowTable::FlowTable(const FlowConfig& config, StreamSink& sink, metrics::CounterSet& m)
    : config_(config),
      sink_(sink),
      shared_(config, sink, m),
      evicted_(m.Counter("vigie_flow_evicted_total", "Flows evicted because the table was full")),
      active_gauge_(m.Gauge("vigie_flow_active", "Flows in the table")),
      midstream_(m.Counter("vigie_flow_midstream_total", "TCP flows picked up without a SYN")),
      port_reuse_(m.Counter("vigie_flow_tcp_port_reuse_total", "Closed TCP flows replaced by a new SYN")) {
  static constexpr const char* kProto[4] = {"tcp", "udp", "icmp", "other"};
  for (int i = 0; i < 4; ++i)
    created_[i] = &m.Counter("vigie_flow_created_total", "Flows created", {{"proto", kProto[i]}});
  for (int i = 0; i < 5; ++i) {
    auto r = static_cast<CloseReason>(i);
    closed_[i] = &m.Counter("vigie_flow_closed_total", "Flows closed", {{"reason", std::string(CloseReasonName(r))}});
  }
  std::uint64_t n = 1024;
  while (n < config.max_flows && n < (std::uint64_t{1} << 26)) n <<= 1;
  buckets_.assign(n, nullptr);
  bucket_mask_ = n - 1;
}

FlowTable::~FlowTable() = default;

FlowTable::Entry* FlowTable::AllocEntry() {
  if (free_ == nullptr) {
    auto slab = std::make_unique<Entry[]>(kSlabSize);
    for (std::size_t i = 0; i < kSlabSize; ++i) {
      Entry& e = slab[i];
      e.stream[0].Attach(&shared_, &e.flow, Direction::kToServer);
      e.stream[1].Attach(&shared_, &e.flow, Direction::kToClient);
      e.hash_next = free_;
      free_ = &e;
    }
    slabs_.push_back(std::move(slab));
  }
  Entry* e = free_;
  free_ = e->hash_next;
  e->hash_next = nullptr;
  return e;
}

FlowTable::Entry* FlowTable::Lookup(const FlowKey& key, std::uint64_t hash) {
  for (Entry* e = buckets_[hash & bucket_mask_]; e != nullptr; e = e->hash_next)
    if (e->hash == hash && e->flow.key == key) return e;
  return nullptr;
}

Timestamp FlowTable::TimeoutOf(TimeoutClass c) const {
  switch (c) {
    case kTcpNew: return config_.tcp_new_timeout;
    case kTcpEstablished: return config_.tcp_established_timeout;
    case kTcpClosed: return config_.tcp_closed_timeout;
    case kUdp: return config_.udp_timeout;
    default: return config_.other_timeout;
  }
}

void FlowTable::LruRemove(Entry* e) {
  LruList& l = lru_[e->cls];
  if (e->lru_prev) e->lru_prev->lru_next = e->lru_next; else l.head = e->lru_next;
  if (e->lru_next) e->lru_next->lru_prev = e->lru_prev; else l.tail = e->lru_prev;
  e->lru_prev = e->lru_next = nullptr;
}

void FlowTable::LruAppend(Entry* e) {
  LruList& l = lru_[e->cls];
  e->lru_time = e->flow.last_seen;
  e->lru_prev = l.tail;
  e->lru_next = nullptr;
  if (l.tail) l.tail->lru_next = e; else l.head = e;
  l.tail = e;
}

void FlowTable::SetClass(Entry* e, TimeoutClass c) {
  if (e->cls == c) return;  // position refreshed lazily (see Entry::lru_time)
  LruRemove(e);
  e->cls = c;
  LruAppend(e);
}

FlowTable::Entry* FlowTable::StaleHead(TimeoutClass c) {
  // Heads touched since they were appended move to the tail with their real age, until the
  // head is really the least recently seen flow of its class.
  LruList& l = lru_[c];
  while (l.head && l.head->flow.last_seen > l.head->lru_time) {
    Entry* e = l.head;
    LruRemove(e);
    LruAppend(e);
  }
  return l.head;
}

FlowTable::Entry* FlowTable::Create(const FlowKey& key, std::uint64_t hash, const decode::DecodedPacket& p,
                                    std::uint16_t sport, std::uint16_t dport) {
  if (active_ >= config_.max_flows) {
    Entry* oldest = nullptr;
    for (int c = 0; c < kNumClasses; ++c) {
      Entry* h = StaleHead(static_cast<TimeoutClass>(c));
      if (h && (!oldest || h->flow.last_seen < oldest->flow.last_seen)) oldest = h;
    }
    if (oldest) {
      evicted_.Inc();
      Close(oldest, CloseReason::kEviction);
    }
  }
  Entry* e = AllocEntry();
  Flow& f = e->flow;
  f.key = key;
  f.id = next_id_++;
  f.proto = p.ip_proto;
  f.vlan = p.vlan;
  f.first_seen = f.last_seen = p.ts;
  e->hash = hash;

  bool src_is_client = true;
  TimeoutClass cls = kOther;
  if (p.ip_proto == decode::kProtoTcp) {
    const std::uint8_t fl = p.tcp_flags;
    if ((fl & tf::kSyn) && !(fl & tf::kAck)) {
      cls = kTcpNew;
    } else if ((fl & tf::kSyn) && (fl & tf::kAck)) {
      src_is_client = false;  // SYN/ACK comes from the server
      cls = kTcpNew;
    } else {
      // Midstream pickup: a well-known port (< 1024) is the server, else the smaller port.
      f.midstream = true;
      midstream_.Inc();
      cls = kTcpEstablished;
      if ((sport < 1024) != (dport < 1024)) {
        src_is_client = dport < 1024;
      } else if (sport != dport) {
        src_is_client = dport < sport;
      }
    }
  } else if (p.ip_proto == decode::kProtoUdp) {
    cls = kUdp;
    if (sport < 1024 && dport >= 1024) src_is_client = false;  // looks like a reply
  }
  Endpoint src{p.src, sport}, dst{p.dst, dport};
  f.client = src_is_client ? src : dst;
  f.server = src_is_client ? dst : src;

  e->cls = cls;
  LruAppend(e);
  Entry*& bucket = buckets_[hash & bucket_mask_];
  e->hash_next = bucket;
  bucket = e;
  ++active_;
  active_gauge_.Set(static_cast<std::int64_t>(active_));
  created_[ProtoIndex(p.ip_proto)]->Inc();
  return e;
}

void FlowTable::Close(Entry* e, CloseReason reason) {
  if (e->flow.proto == decode::kProtoTcp && e->closed()) reason = e->rst ? CloseReason::kRst : CloseReason::kFin;
  e->stream[0].Flush();
  e->stream[1].Flush();
  closed_[static_cast<int>(reason)]->Inc();
  sink_.OnClose(e->flow, reason);

  Entry** pp = &buckets_[e->hash & bucket_mask_];
  while (*pp != e) pp = &(*pp)->hash_next;
  *pp = e->hash_next;
  LruRemove(e);
  e->stream[0].Reset();
  e->stream[1].Reset();
  e->flow = Flow{};
  e->syn = e->synack = e->rst = false;
  e->fin[0] = e->fin[1] = e->ack[0] = e->ack[1] = false;
  e->hash_next = free_;
  free_ = e;
  --active_;
  active_gauge_.Set(static_cast<std::int64_t>(active_));
}

namespace {
// The normalized key of a packet, and its (ICMP-mapped) ports as the packet carries them.
FlowKey KeyOf(const decode::DecodedPacket& p, std::uint16_t& sport, std::uint16_t& dport) {
  sport = p.sport;
  dport = p.dport;
  if (p.ip_proto == decode::kProtoIcmp || p.ip_proto == decode::kProtoIcmpV6) {
    // ICMP has no ports: the flow uses (type, counterpart type) so request and reply map to one
    // flow, or (type, code) for one-way messages; Flow::client.port/server.port keep them.
    IcmpPorts m = MapIcmp(p.ip_proto, p.icmp_type, p.icmp_code);
    sport = m.sport;
    dport = m.dport;
  }
  FlowKey key;
  key.proto = p.ip_proto;
  key.vlan = p.vlan;
  const bool src_lo = p.src < p.dst || (p.src == p.dst && sport <= dport);
  key.lo = src_lo ? Endpoint{p.src, sport} : Endpoint{p.dst, dport};
  key.hi = src_lo ? Endpoint{p.dst, dport} : Endpoint{p.src, sport};
  return key;
}
}  // namespace

std::uint64_t FlowHash(const decode::DecodedPacket& p) {
  std::uint16_t sport, dport;
  return HashKey(KeyOf(p, sport, dport));
}

void FlowTable::Process(const decode::DecodedPacket& p) {
  if (p.status != decode::DecodeStatus::kOk) return;  // contract says never; cheap to be safe
  std::uint16_t sport = 0, dport = 0;
  const FlowKey key = KeyOf(p, sport, dport);
  const std::uint64_t hash = HashKey(key);

  Entry* e = Lookup(key, hash);
  // A flow idle past its timeout ends here even if no Expire() ran in between: expiry then
  // depends only on packet times, not on when this shard's housekeeping happened to run, so
  // 1 and N workers see the same flows.
  if (e && p.ts - e->flow.last_seen >= TimeoutOf(e->cls)) {
    Close(e, CloseReason::kTimeout);
    e = nullptr;
  }
  if (e && p.ip_proto == decode::kProtoTcp && e->closed() && (p.tcp_flags & tf::kSyn) &&
      !(p.tcp_flags & tf::kAck)) {
    port_reuse_.Inc();  // a new connection on the same 5-tuple after a FIN/RST close
    Close(e, CloseReason::kFin);
    e = nullptr;
  }
  if (e == nullptr) e = Create(key, hash, p, sport, dport);

  Flow& f = e->flow;
  const Direction dir = (p.src == f.client.ip && sport == f.client.port) ? Direction::kToServer : Direction::kToClient;
  const int d = Index(dir);
  f.packets[d] += 1;
  f.bytes[d] += p.wire_len;
  f.payload_bytes[d] += std::max(p.payload_wire_len, p.payload_len);
  f.last_seen = std::max(f.last_seen, p.ts);

  if (p.ip_proto == decode::kProtoTcp) {
    ProcessTcp(e, dir, p);
  } else {
    if (p.ip_proto == decode::kProtoUdp) sink_.OnDatagram(f, dir, {p.payload, p.payload_len});
  }
  sink_.OnPacket(f, dir);
}

void FlowTable::ProcessTcp(Entry* e, Direction dir, const decode::DecodedPacket& p) {
  const int d = Index(dir);
  const std::uint8_t fl = p.tcp_flags;
  TcpReassembler& st = e->stream[d];
  TcpReassembler& peer = e->stream[1 - d];
  std::uint32_t data_seq = p.seq;
  if (fl & tf::kSyn) {
    if (fl & tf::kAck) {
      e->synack = true;
      peer.ExpectSeq(p.ack);  // the client's data starts where the server acknowledges
    } else {
      e->syn = true;
    }
    st.OnSyn(p.seq);
    data_seq = p.seq + 1;  // SYN consumes one sequence number; data on it (TFO) follows
  }
  if (fl & tf::kAck) e->ack[d] = true;
  if (fl & tf::kFin) e->fin[d] = true;
  const bool fin = (fl & tf::kFin) != 0;
  if (p.payload_wire_len > 0 || p.payload_len > 0 || fin)
    st.OnSegment(data_seq, p.payload, p.payload_len, std::max(p.payload_wire_len, p.payload_len), fin, p.ts);
  if (fl & tf::kRst) {
    // No retransmission will fill a hole after a reset: hand everything over now.
    e->rst = true;
    st.Flush();
    peer.Flush();
  }
  TimeoutClass c = kTcpNew;
  if (e->closed()) {
    c = kTcpClosed;
  } else if (e->flow.midstream || (e->ack[0] && e->ack[1])) {
    c = kTcpEstablished;
  }
  SetClass(e, c);
}

void FlowTable::Expire(Timestamp now) {
  shared_.CheckHoleTimeouts(now);
  for (int c = 0; c < kNumClasses; ++c) {
    const Timestamp timeout = TimeoutOf(static_cast<TimeoutClass>(c));
    LruList& l = lru_[c];
    while (l.head && now - l.head->lru_time >= timeout) {
      Entry* e = l.head;
      if (now - e->flow.last_seen >= timeout) {
        Close(e, CloseReason::kTimeout);
      } else {
        LruRemove(e);  // seen since it was appended: requeue with its real age
        LruAppend(e);
      }
    }
  }
}

void FlowTable::FlushAll(CloseReason reason) {
  for (auto& l : lru_)
    while (l.head) Close(l.head, reason);
}

}  // namespace vigie::flow
