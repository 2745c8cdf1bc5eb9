#pragma once
// IPv4/IPv6 fragment reassembly (packet time, bounded memory).
//
// Usage (per worker, single thread):
//   DecodedPacket d = decoder.Decode(raw);
//   if (d.status == DecodeStatus::kFragment) d = defrag.Add(d, decoder);
//   // kFragment now means "held, incomplete": nothing to do for this packet.
//   // kOk: a whole datagram, L4 decoded; payload points into the defragmenter's buffer and
//   //      stays valid until the next Add()/Expire(). wire_len = sum of its fragments' wire_len
//   //      (duplicates included: that is what crossed the wire), ts = the completing fragment's.
//   // kNotIp / kAnomaly: the datagram carried a non-IP tunnel payload or a malformed L4; or
//   //      the fragment was dropped (anomaly = "defrag_oversize", "defrag_invalid",
//   //      "defrag_memcap").
// A datagram whose inner packet is itself fragmented (fragments inside a fragmented tunnel)
// is fed back once more internally.
//
// Key: (src, dst, id, upper protocol, IP version, VLAN, tunnel depth). Overlaps: the first
// bytes received win (later copies are ignored and counted); a second "last fragment" with a
// different end is counted as an overlap and ignored. Non-final fragments whose length is not
// a multiple of 8, and fragments cut by snaplen, cannot be reassembled: dropped and counted.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "decode/decoder.h"
#include "decode/packet.h"
#include "metrics/counters.h"

namespace vigie::decode {

struct DefragConfig {
  Timestamp timeout = Seconds(30);           // packet time from a datagram's first fragment
  std::uint32_t max_datagram_bytes = 65535;  // reassembled bytes after the IP header, per datagram
  std::size_t memcap_bytes = std::size_t{64} << 20;  // all pending datagrams; oldest evicted first
};

class IpDefragmenter {
 public:
  IpDefragmenter(const DefragConfig& config, metrics::CounterSet& counters);
  ~IpDefragmenter();
  IpDefragmenter(const IpDefragmenter&) = delete;
  IpDefragmenter& operator=(const IpDefragmenter&) = delete;

  // REQUIRES: fragment.status == DecodeStatus::kFragment (anything else is returned as is).
  DecodedPacket Add(const DecodedPacket& fragment, const Decoder& decoder);

  // Drops datagrams whose first fragment is older than now - timeout (counted as timeouts).
  // Add() also calls it with the fragment's time.
  void Expire(Timestamp now);

  std::size_t pending() const { return entries_.size(); }
  std::size_t memory_bytes() const { return memory_; }

 private:
  struct Key {
    IpAddr src, dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0, version = 0, tunnel_depth = 0;
    std::uint16_t vlan = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Entry;
  using Order = std::list<Key>;
  using Map = std::unordered_map<Key, std::unique_ptr<Entry>, KeyHash>;

  DecodedPacket AddNested(const DecodedPacket& fragment, const Decoder& decoder, int nesting);
  DecodedPacket Drop(const DecodedPacket& fragment, const char* reason, metrics::Cell& cell);
  // Makes room for `extra` bytes, evicting the oldest datagrams except `keep`.
  bool Reserve(std::size_t extra, const Entry* keep);
  void Erase(Map::iterator it);
  std::vector<std::uint8_t> TakeBuffer();

  DefragConfig config_;
  Map entries_;
  Order order_;  // creation order: front is the oldest
  std::size_t memory_ = 0;
  std::vector<std::uint8_t> out_;                   // the last completed datagram
  std::vector<std::vector<std::uint8_t>> spare_;    // recycled buffers

  metrics::Cell& fragments_;
  metrics::Cell& datagrams_;
  metrics::Cell& overlaps_;
  metrics::Cell& timeouts_;
  metrics::Cell& memcap_drops_;
  metrics::Cell& oversize_;
  metrics::Cell& invalid_;
  metrics::Cell& memory_gauge_;
  metrics::Cell& pending_gauge_;
};

}  // namespace vigie::decode
