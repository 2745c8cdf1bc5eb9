#pragma once
// The per-worker table of bidirectional flows. Keyed on the normalized 5-tuple + VLAN with a
// symmetric hash (xxh3 over the normalized key), so both directions (and any worker sharding
// on the same hash) find one entry. Entries come from slabs recycled through a free list: no
// allocation per packet, one slab allocation per 1024 new flows at most. Each flow sits on the
// LRU list of its timeout class (TCP new / established / closed, UDP, other), so expiry walks
// only expired heads and eviction takes the oldest idle flow. The lists are refreshed lazily: a
// packet only updates last_seen; a head seen since it was queued is requeued when reached.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "decode/packet.h"
#include "flow/flow.h"
#include "flow/flow_config.h"
#include "flow/tcp_reassembler.h"
#include "metrics/counters.h"

namespace vigie::flow {

// The symmetric flow hash of a packet (both directions give the same value, ICMP request and
// reply too). The pipeline can shard workers on it so that each flow lives in one table.
std::uint64_t FlowHash(const decode::DecodedPacket& p);

class FlowTable {
 public:
  // `config`, `sink` and `metrics` must outlive the table.
  FlowTable(const FlowConfig& config, StreamSink& sink, metrics::CounterSet& metrics);
  ~FlowTable();  // drops remaining flows without calling the sink (call FlushAll first)
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // REQUIRES: p.status == kOk. Accounts the packet on its flow (creating it), feeds TCP payload
  // to the reassembler / UDP payload to OnDatagram, then calls OnPacket.
  void Process(const decode::DecodedPacket& p);
  // Closes flows idle past their state's timeout and declares stale holes gaps. Packet time;
  // call about once per second of packet time.
  void Expire(Timestamp now);
  // Closes every flow (end of replay, shutdown). Flows already closed by FIN/RST keep that reason.
  void FlushAll(CloseReason reason);

  std::size_t active() const { return active_; }
  std::uint64_t reassembly_memory() const { return shared_.memory(); }

 private:
  enum TimeoutClass : std::uint8_t { kTcpNew, kTcpEstablished, kTcpClosed, kUdp, kOther, kNumClasses };
  struct Entry;
  struct LruList {
    Entry* head = nullptr;
    Entry* tail = nullptr;
  };

  Entry* Lookup(const FlowKey& key, std::uint64_t hash);
  Entry* Create(const FlowKey& key, std::uint64_t hash, const decode::DecodedPacket& p, std::uint16_t sport,
                std::uint16_t dport);
  void Close(Entry* e, CloseReason reason);
  void ProcessTcp(Entry* e, Direction dir, const decode::DecodedPacket& p);
  void SetClass(Entry* e, TimeoutClass c);
  void LruRemove(Entry* e);
  void LruAppend(Entry* e);
  Entry* StaleHead(TimeoutClass c);
  Timestamp TimeoutOf(TimeoutClass c) const;
  Entry* AllocEntry();

  const FlowConfig& config_;
  StreamSink& sink_;
  ReassemblyShared shared_;
  std::vector<Entry*> buckets_;
  std::uint64_t bucket_mask_ = 0;
  std::vector<std::unique_ptr<Entry[]>> slabs_;
  Entry* free_ = nullptr;
  std::array<LruList, kNumClasses> lru_{};
  std::size_t active_ = 0;
  std::uint64_t next_id_ = 1;

  metrics::Cell* created_[4];  // tcp, udp, icmp, other
  metrics::Cell* closed_[5];   // by CloseReason
  metrics::Cell& evicted_;
  metrics::Cell& active_gauge_;
  metrics::Cell& midstream_;
  metrics::Cell& port_reuse_;
};

}  // namespace vigie::flow
