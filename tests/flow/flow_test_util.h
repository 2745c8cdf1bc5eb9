#pragma once
// Test helpers: a StreamSink that records everything, and builders of DecodedPacket structs
// whose payload points into buffers owned by the test (no decoder involved).
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "decode/packet.h"
#include "flow/flow.h"
#include "flow/flow_config.h"
#include "flow/flow_table.h"
#include "metrics/counters.h"

namespace vigie::flow::testing {

struct StreamRecord {
  std::string bytes;        // delivered content, with each gap shown as '#' * length (if small)
  std::string content;      // delivered content only
  std::uint64_t gap_bytes = 0;
  int gaps = 0;
  int data_calls = 0;
};

struct FlowRecord {
  StreamRecord dir[2];
  std::vector<std::string> datagrams[2];
  int packets = 0;
  bool closed = false;
  CloseReason reason = CloseReason::kTimeout;
  Flow snapshot;  // copy of counters taken at close (app state not copied)
};

class RecordingSink : public StreamSink {
 public:
  void OnData(Flow& f, Direction d, std::span<const std::uint8_t> data) override {
    auto& s = flows[f.id].dir[Index(d)];
    s.bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    s.content.append(reinterpret_cast<const char*>(data.data()), data.size());
    ++s.data_calls;
    last_data_ptr = data.data();
    events.push_back("data");
  }
  void OnGap(Flow& f, Direction d, std::uint64_t len) override {
    auto& s = flows[f.id].dir[Index(d)];
    s.bytes.append(len < 4096 ? len : 1, '#');
    s.gap_bytes += len;
    ++s.gaps;
    events.push_back("gap");
  }
  void OnDatagram(Flow& f, Direction d, std::span<const std::uint8_t> data) override {
    flows[f.id].datagrams[Index(d)].emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void OnPacket(Flow& f, Direction) override {
    ++flows[f.id].packets;
    last_flow = &f;
  }
  void OnClose(Flow& f, CloseReason r) override {
    auto& rec = flows[f.id];
    EXPECT_FALSE(rec.closed) << "flow closed twice";
    rec.closed = true;
    rec.reason = r;
    rec.snapshot.key = f.key;
    rec.snapshot.id = f.id;
    rec.snapshot.client = f.client;
    rec.snapshot.server = f.server;
    rec.snapshot.proto = f.proto;
    rec.snapshot.first_seen = f.first_seen;
    rec.snapshot.last_seen = f.last_seen;
    for (int i = 0; i < 2; ++i) {
      rec.snapshot.packets[i] = f.packets[i];
      rec.snapshot.bytes[i] = f.bytes[i];
      rec.snapshot.payload_bytes[i] = f.payload_bytes[i];
    }
    rec.snapshot.midstream = f.midstream;
    closes.push_back(f.id);
    events.push_back("close");
  }

  std::map<std::uint64_t, FlowRecord> flows;
  std::vector<std::uint64_t> closes;
  std::vector<std::string> events;
  const std::uint8_t* last_data_ptr = nullptr;
  Flow* last_flow = nullptr;
};

// Builds packets of one TCP conversation between a client and a server. Payload buffers are
// kept alive in `store_` (a deque: addresses never move) for as long as the builder lives.
class Conv {
 public:
  Conv(std::string client = "10.0.0.1", std::uint16_t cport = 40000, std::string server = "192.0.2.10",
       std::uint16_t sport = 80, std::uint32_t isn_c = 1000, std::uint32_t isn_s = 5000)
      : c_(*IpAddr::Parse(client)), s_(*IpAddr::Parse(server)), cport_(cport), sport_(sport),
        isn_{isn_c, isn_s} {}

  // dir 0 = client→server. `off` is the stream offset (0 = first byte after the SYN).
  decode::DecodedPacket Data(int dir, std::uint64_t off, std::string_view bytes, std::uint8_t flags = 0x18,
                             Timestamp ts = 0, std::uint32_t wire_extra = 0) {
    auto& buf = store_.emplace_back(bytes);
    decode::DecodedPacket p = Base(dir, flags, ts);
    p.seq = isn_[dir] + 1 + static_cast<std::uint32_t>(off);
    p.payload = reinterpret_cast<const std::uint8_t*>(buf.data());
    p.payload_len = static_cast<std::uint32_t>(buf.size());
    p.payload_wire_len = p.payload_len + wire_extra;
    p.wire_len = 54 + p.payload_wire_len;
    return p;
  }
  decode::DecodedPacket Syn(Timestamp ts = 0) { return Ctl(0, decode::tcp_flags::kSyn, isn_[0], ts); }
  decode::DecodedPacket SynAck(Timestamp ts = 0) {
    auto p = Ctl(1, decode::tcp_flags::kSyn | decode::tcp_flags::kAck, isn_[1], ts);
    p.ack = isn_[0] + 1;
    return p;
  }
  decode::DecodedPacket Ack(int dir, Timestamp ts = 0) {
    return Ctl(dir, decode::tcp_flags::kAck, isn_[dir] + 1, ts);
  }
  // FIN at stream offset `off` of `dir`.
  decode::DecodedPacket Fin(int dir, std::uint64_t off, Timestamp ts = 0) {
    return Ctl(dir, decode::tcp_flags::kFin | decode::tcp_flags::kAck, isn_[dir] + 1 + static_cast<std::uint32_t>(off), ts);
  }
  decode::DecodedPacket Rst(int dir, std::uint64_t off, Timestamp ts = 0) {
    return Ctl(dir, decode::tcp_flags::kRst, isn_[dir] + 1 + static_cast<std::uint32_t>(off), ts);
  }
  decode::DecodedPacket Ctl(int dir, std::uint8_t flags, std::uint32_t seq, Timestamp ts) {
    decode::DecodedPacket p = Base(dir, flags, ts);
    p.seq = seq;
    p.wire_len = 54;
    return p;
  }

 private:
  decode::DecodedPacket Base(int dir, std::uint8_t flags, Timestamp ts) {
    decode::DecodedPacket p;
    p.status = decode::DecodeStatus::kOk;
    p.ts = ts;
    p.ip_version = c_.IsV4() ? 4 : 6;
    p.ip_proto = decode::kProtoTcp;
    p.src = dir == 0 ? c_ : s_;
    p.dst = dir == 0 ? s_ : c_;
    p.sport = dir == 0 ? cport_ : sport_;
    p.dport = dir == 0 ? sport_ : cport_;
    p.tcp_flags = flags;
    p.ack = isn_[1 - dir] + 1;
    return p;
  }
  IpAddr c_, s_;
  std::uint16_t cport_, sport_;
  std::uint32_t isn_[2];
  std::deque<std::string> store_;
};

inline decode::DecodedPacket Udp(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                                 std::string_view payload, Timestamp ts) {
  decode::DecodedPacket p;
  p.status = decode::DecodeStatus::kOk;
  p.ts = ts;
  p.ip_proto = decode::kProtoUdp;
  p.src = *IpAddr::Parse(src);
  p.dst = *IpAddr::Parse(dst);
  p.sport = sport;
  p.dport = dport;
  p.payload = reinterpret_cast<const std::uint8_t*>(payload.data());
  p.payload_len = p.payload_wire_len = static_cast<std::uint32_t>(payload.size());
  p.wire_len = 42 + p.payload_len;
  return p;
}

// Sum of one counter over its labels in a CounterSet.
inline std::int64_t CounterValue(const metrics::CounterSet& set, const std::string& name,
                                 const metrics::Labels& labels = {}) {
  std::int64_t v = 0;
  for (const auto& s : set.Read())
    if (s.name == name && (labels.empty() || s.labels == labels)) v += s.value;
  return v;
}

}  // namespace vigie::flow::testing
