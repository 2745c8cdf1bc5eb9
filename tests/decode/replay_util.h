#pragma once
// Test helper: reads a capture through PcapFileSource and runs Decoder + IpDefragmenter over it,
// tallying what the pipeline would see.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "capture/pcap_file_source.h"
#include "decode/decoder.h"
#include "decode/ip_defrag.h"
#include "metrics/counters.h"

namespace vigie::decode::testing {

struct FlowTally {
  std::uint64_t packets = 0, bytes = 0;
};
using FlowId = std::tuple<int, IpAddr, int, IpAddr, int, int>;  // proto, src, sport, dst, dport, vlan

struct Tally {
  std::uint64_t frames = 0;
  std::uint64_t ok = 0, fragments = 0, not_ip = 0, anomalies = 0;
  std::map<std::string, std::uint64_t> l4;            // tcp/udp/icmp/other (incl. reassembled)
  std::map<std::string, std::uint64_t> anomaly_reasons;
  std::map<FlowId, FlowTally> flows;
  std::vector<Timestamp> timestamps;
  std::uint64_t datagrams = 0;
  std::uint32_t max_payload = 0;  // largest L4 payload_len seen in a kOk packet
};

inline const char* L4Name(std::uint8_t proto) {
  switch (proto) {
    case kProtoTcp: return "tcp";
    case kProtoUdp: return "udp";
    case kProtoIcmp:
    case kProtoIcmpV6: return "icmp";
    default: return "other";
  }
}

inline void Account(const DecodedPacket& d, Tally& t) {
  switch (d.status) {
    case DecodeStatus::kOk: {
      ++t.ok;
      ++t.l4[L4Name(d.ip_proto)];
      if (d.payload_len > t.max_payload) t.max_payload = d.payload_len;
      auto& f = t.flows[FlowId{d.ip_proto, d.src, d.sport, d.dst, d.dport, d.vlan}];
      ++f.packets;
      f.bytes += d.wire_len;
      break;
    }
    case DecodeStatus::kNotIp: ++t.not_ip; break;
    case DecodeStatus::kAnomaly:
      ++t.anomalies;
      ++t.anomaly_reasons[d.anomaly ? d.anomaly : "?"];
      break;
    case DecodeStatus::kFragment: break;
  }
}

// Decodes every frame; fragments go through the defragmenter. Bytes of fragments of
// datagrams that never complete are not attributed to any flow.
inline Tally Replay(const std::string& path, metrics::CounterSet& counters, IpDefragmenter* defrag_out = nullptr) {
  capture::PcapFileSource src(path, counters);
  Decoder decoder(counters);
  IpDefragmenter local_defrag(DefragConfig{}, counters);
  IpDefragmenter& defrag = defrag_out ? *defrag_out : local_defrag;
  Tally t;
  for (;;) {
    const capture::ReadResult r = src.Next();
    if (r.status != capture::ReadStatus::kPacket) break;
    ++t.frames;
    t.timestamps.push_back(r.packet.ts);
    DecodedPacket d = decoder.Decode(r.packet);
    if (d.status == DecodeStatus::kFragment) {
      ++t.fragments;
      d = defrag.Add(d, decoder);
      if (d.status == DecodeStatus::kFragment) continue;  // held
      if (d.status == DecodeStatus::kOk) ++t.datagrams;
    }
    Account(d, t);
  }
  return t;
}

}  // namespace vigie::decode::testing
