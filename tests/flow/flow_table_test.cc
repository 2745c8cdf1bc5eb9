#include "flow/flow_table.h"

#include <gtest/gtest.h>

#include <memory>

#include "flow_test_util.h"

namespace vigie::flow {
namespace {

using testing::Conv;
using testing::CounterValue;
using testing::RecordingSink;
using testing::Udp;

struct Harness {
  explicit Harness(FlowConfig c = {}) : cfg(c), table(std::make_unique<FlowTable>(cfg, sink, metrics)) {}
  std::int64_t Count(const std::string& name, const metrics::Labels& l = {}) const {
    return CounterValue(metrics, name, l);
  }
  FlowConfig cfg;
  RecordingSink sink;
  metrics::CounterSet metrics;
  std::unique_ptr<FlowTable> table;
};

TEST(FlowTable, BothDirectionsOneFlowWithCounts) {
  Harness h;
  Conv c;
  h.table->Process(c.Syn(Seconds(1)));
  h.table->Process(c.SynAck(Seconds(2)));
  h.table->Process(c.Ack(0, Seconds(3)));
  h.table->Process(c.Data(0, 0, "hello", 0x18, Seconds(4)));
  h.table->Process(c.Data(1, 0, "worlds!", 0x18, Seconds(5)));
  EXPECT_EQ(h.table->active(), 1u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
  ASSERT_EQ(h.sink.flows.size(), 1u);
  auto& f = h.sink.flows.begin()->second;
  EXPECT_EQ(f.packets, 5);
  EXPECT_EQ(f.snapshot.packets[0], 3u);
  EXPECT_EQ(f.snapshot.packets[1], 2u);
  EXPECT_EQ(f.snapshot.bytes[0], 54u * 3 + 5);
  EXPECT_EQ(f.snapshot.bytes[1], 54u * 2 + 7);
  EXPECT_EQ(f.snapshot.payload_bytes[0], 5u);
  EXPECT_EQ(f.snapshot.payload_bytes[1], 7u);
  EXPECT_EQ(f.snapshot.first_seen, Seconds(1));
  EXPECT_EQ(f.snapshot.last_seen, Seconds(5));
  EXPECT_FALSE(f.snapshot.midstream);
  EXPECT_EQ(f.snapshot.client.ip.ToString(), "10.0.0.1");
  EXPECT_EQ(f.snapshot.server.port, 80);
  EXPECT_EQ(f.reason, CloseReason::kEndOfCapture);
  EXPECT_EQ(h.table->active(), 0u);
  EXPECT_EQ(h.Count("vigie_flow_created_total", {{"proto", "tcp"}}), 1);
  EXPECT_EQ(h.Count("vigie_flow_closed_total", {{"reason", "end_of_capture"}}), 1);
  EXPECT_EQ(h.Count("vigie_flow_active"), 0);
}

TEST(FlowTable, SynAckFirstMakesItsSenderTheServer) {
  Harness h;
  Conv c("10.0.0.1", 40000, "192.0.2.10", 8443);
  h.table->Process(c.SynAck());
  h.table->Process(c.Data(0, 0, "req"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  auto& f = h.sink.flows.begin()->second;
  EXPECT_EQ(f.snapshot.server.port, 8443);
  EXPECT_EQ(f.snapshot.client.port, 40000);
  EXPECT_EQ(f.dir[0].bytes, "req");  // client stream anchored on the SYN/ACK's ack number
  EXPECT_FALSE(f.snapshot.midstream);
}

TEST(FlowTable, MidstreamServerHeuristics) {
  struct Case {
    std::uint16_t first_sport, first_dport, expect_server;
  };
  for (auto k : {Case{51000, 443, 443}, Case{443, 51000, 443}, Case{9000, 40000, 9000}, Case{40000, 9000, 9000},
                 Case{22, 80, 22}}) {
    Harness h;
    Conv c("10.0.0.1", k.first_sport, "10.0.0.2", k.first_dport);
    h.table->Process(c.Data(0, 0, "x"));
    h.table->FlushAll(CloseReason::kEndOfCapture);
    auto& f = h.sink.flows.begin()->second;
    EXPECT_EQ(f.snapshot.server.port, k.expect_server) << k.first_sport << "->" << k.first_dport;
    EXPECT_TRUE(f.snapshot.midstream);
    // Data direction follows the roles.
    const int d = f.snapshot.client.port == k.first_sport ? 0 : 1;
    EXPECT_EQ(f.dir[d].bytes, "x");
  }
}

TEST(FlowTable, TimeoutsByStateInPacketTime) {
  Harness h;
  Conv est("10.0.0.1", 1000), syn_only("10.0.0.1", 1001);
  h.table->Process(est.Syn(0));
  h.table->Process(est.SynAck(0));
  h.table->Process(est.Ack(0, 0));
  h.table->Process(syn_only.Syn(0));
  h.table->Process(Udp("10.0.0.1", 5353, "10.0.0.9", 53, "q", 0));
  h.table->Expire(Seconds(29));
  EXPECT_EQ(h.table->active(), 3u);
  h.table->Expire(Seconds(30));  // SYN only: new-state timeout 30 s
  EXPECT_EQ(h.table->active(), 2u);
  h.table->Expire(Seconds(59));
  EXPECT_EQ(h.table->active(), 2u);
  h.table->Expire(Seconds(60));  // UDP 60 s
  EXPECT_EQ(h.table->active(), 1u);
  h.table->Expire(Seconds(599));
  EXPECT_EQ(h.table->active(), 1u);
  h.table->Expire(Seconds(600));  // established 600 s
  EXPECT_EQ(h.table->active(), 0u);
  EXPECT_EQ(h.Count("vigie_flow_closed_total", {{"reason", "timeout"}}), 3);
}

// Expiry must not depend on when Expire() runs (it runs per shard): a packet arriving after
// the idle timeout starts a new flow even when no Expire() happened in between.
TEST(FlowTable, PacketAfterIdleTimeoutStartsANewFlowWithoutExpire) {
  Harness h;
  h.table->Process(Udp("10.0.0.1", 5353, "10.0.0.9", 53, "q", 0));
  h.table->Process(Udp("10.0.0.1", 5353, "10.0.0.9", 53, "q", Seconds(59)));
  EXPECT_EQ(h.Count("vigie_flow_created_total", {{"proto", "udp"}}), 1);
  h.table->Process(Udp("10.0.0.1", 5353, "10.0.0.9", 53, "q", Seconds(59 + 60)));
  EXPECT_EQ(h.Count("vigie_flow_created_total", {{"proto", "udp"}}), 2);
  EXPECT_EQ(h.Count("vigie_flow_closed_total", {{"reason", "timeout"}}), 1);
  EXPECT_EQ(h.table->active(), 1u);
}

TEST(FlowTable, ActivityPostponesTimeout) {
  Harness h;
  h.table->Process(Udp("10.0.0.1", 5000, "10.0.0.2", 6000, "a", 0));
  h.table->Process(Udp("10.0.0.2", 6000, "10.0.0.1", 5000, "b", Seconds(50)));
  h.table->Expire(Seconds(100));
  EXPECT_EQ(h.table->active(), 1u);
  h.table->Expire(Seconds(110));
  EXPECT_EQ(h.table->active(), 0u);
  auto& f = h.sink.flows.begin()->second;
  EXPECT_EQ(f.datagrams[0], std::vector<std::string>{"a"});
  EXPECT_EQ(f.datagrams[1], std::vector<std::string>{"b"});
}

TEST(FlowTable, FinBothSidesClosesAfterClosedTimeoutWithFinReason) {
  Harness h;
  Conv c;
  h.table->Process(c.Syn(0));
  h.table->Process(c.SynAck(0));
  h.table->Process(c.Ack(0, 0));
  h.table->Process(c.Data(0, 0, "bye", 0x18, Seconds(1)));
  h.table->Process(c.Fin(0, 3, Seconds(2)));
  h.table->Process(c.Fin(1, 0, Seconds(2)));
  h.table->Expire(Seconds(11));
  EXPECT_EQ(h.table->active(), 1u);
  h.table->Expire(Seconds(12));
  EXPECT_EQ(h.table->active(), 0u);
  EXPECT_EQ(h.sink.flows.begin()->second.reason, CloseReason::kFin);
  EXPECT_EQ(h.Count("vigie_flow_closed_total", {{"reason", "fin"}}), 1);
}

TEST(FlowTable, FlushAllKeepsFinReasonOfClosedFlows) {
  Harness h;
  Conv a("10.0.0.1", 1000), b("10.0.0.1", 1001);
  h.table->Process(a.Data(0, 0, "x"));
  h.table->Process(a.Fin(0, 1));
  h.table->Process(a.Fin(1, 0));
  h.table->Process(b.Data(0, 0, "y"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.sink.flows[1].reason, CloseReason::kFin);
  EXPECT_EQ(h.sink.flows[2].reason, CloseReason::kEndOfCapture);
}

TEST(FlowTable, NewSynOnClosedFlowStartsANewFlow) {
  Harness h;
  Conv c;
  h.table->Process(c.Syn(0));
  h.table->Process(c.Rst(1, 0, 0));
  h.table->Process(c.Syn(Seconds(1)));
  EXPECT_EQ(h.sink.closes.size(), 1u);
  EXPECT_EQ(h.sink.flows[1].reason, CloseReason::kRst);
  EXPECT_EQ(h.table->active(), 1u);
  EXPECT_EQ(h.Count("vigie_flow_tcp_port_reuse_total"), 1);
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(FlowTable, EvictsOldestIdleFlowWhenFull) {
  FlowConfig cfg;
  cfg.max_flows = 2;
  Harness h(cfg);
  h.table->Process(Udp("10.0.0.1", 1, "10.0.0.2", 2, "a", Seconds(1)));
  h.table->Process(Udp("10.0.0.1", 3, "10.0.0.2", 4, "b", Seconds(2)));
  h.table->Process(Udp("10.0.0.1", 1, "10.0.0.2", 2, "a2", Seconds(3)));  // flow 1 is now younger
  h.table->Process(Udp("10.0.0.1", 5, "10.0.0.2", 6, "c", Seconds(4)));
  EXPECT_EQ(h.table->active(), 2u);
  ASSERT_EQ(h.sink.closes.size(), 1u);
  EXPECT_EQ(h.sink.closes[0], 2u);
  EXPECT_EQ(h.sink.flows[2].reason, CloseReason::kEviction);
  EXPECT_EQ(h.Count("vigie_flow_evicted_total"), 1);
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(FlowTable, FlowHashIsSymmetric) {
  Conv c;
  const auto a = c.Data(0, 0, "x"), b = c.Data(1, 0, "y");
  EXPECT_EQ(FlowHash(a), FlowHash(b));
  auto other = a;
  other.sport += 1;
  EXPECT_NE(FlowHash(a), FlowHash(other));
  auto tagged = a;
  tagged.vlan = 7;
  EXPECT_NE(FlowHash(a), FlowHash(tagged));
}

TEST(FlowTable, VlanSeparatesFlows) {
  Harness h;
  auto p = Udp("10.0.0.1", 1, "10.0.0.2", 2, "a", 0);
  h.table->Process(p);
  p.vlan = 10;
  h.table->Process(p);
  EXPECT_EQ(h.table->active(), 2u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(FlowTable, IcmpEchoRequestAndReplyShareAFlow) {
  Harness h;
  auto req = Udp("10.0.0.1", 0, "10.0.0.2", 0, "ping", 0);
  req.ip_proto = decode::kProtoIcmp;
  req.icmp_type = 8;  // echo request
  auto rep = Udp("10.0.0.2", 0, "10.0.0.1", 0, "pong", 0);
  rep.ip_proto = decode::kProtoIcmp;
  rep.icmp_type = 0;  // echo reply
  auto unreachable = Udp("10.0.0.2", 0, "10.0.0.1", 0, "unreach", 0);
  unreachable.ip_proto = decode::kProtoIcmp;
  unreachable.icmp_type = 3;
  unreachable.icmp_code = 1;
  h.table->Process(req);
  h.table->Process(rep);
  EXPECT_EQ(h.table->active(), 1u);
  h.table->Process(unreachable);  // one-way type: its own flow
  EXPECT_EQ(h.table->active(), 2u);
  struct IdSink : testing::RecordingSink {
    std::vector<std::string> ids;
    void OnClose(Flow& f, CloseReason r) override {
      ids.push_back(CommunityId(f));
      RecordingSink::OnClose(f, r);
    }
  };
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Count("vigie_flow_created_total", {{"proto", "icmp"}}), 2);
  auto& f = h.sink.flows.begin()->second;
  EXPECT_EQ(f.snapshot.packets[0], 1u);
  EXPECT_EQ(f.snapshot.packets[1], 1u);
  EXPECT_EQ(f.snapshot.client.port, 8);  // type
  EXPECT_EQ(f.snapshot.server.port, 0);  // counterpart type

  // Community ID of ICMP flows built from packets, as the spec's baseline gives it.
  IdSink ids_sink;
  metrics::CounterSet m2;
  FlowTable t2(h.cfg, ids_sink, m2);
  auto a = Udp("5.6.7.8", 0, "1.2.3.4", 0, "", 0);
  a.ip_proto = decode::kProtoIcmp;  // echo reply seen first
  t2.Process(a);
  auto b = Udp("1.2.3.4", 0, "5.6.7.8", 0, "", 0);
  b.ip_proto = decode::kProtoIcmp;
  b.icmp_type = 11;  // time exceeded: one-way
  t2.Process(b);
  t2.FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(ids_sink.ids, (std::vector<std::string>{"1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", "1:f/YiSyWqczrTgfUCZlBUnvHRcPk="}));
}

TEST(FlowTable, UdpReplyFromWellKnownPortMakesDestinationTheClient) {
  Harness h;
  h.table->Process(Udp("10.0.0.9", 53, "10.0.0.1", 40000, "answer", 0));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  auto& f = h.sink.flows.begin()->second;
  EXPECT_EQ(f.snapshot.server.port, 53);
  EXPECT_EQ(f.datagrams[1], std::vector<std::string>{"answer"});
}

TEST(FlowTable, ManyFlowsFindTheirEntries) {
  FlowConfig cfg;
  cfg.max_flows = 5000;
  Harness h(cfg);
  std::vector<std::string> payload(3000);
  for (int i = 0; i < 3000; ++i) {
    payload[i] = std::to_string(i);
    h.table->Process(Udp("10.0.0.1", static_cast<std::uint16_t>(10000 + i), "10.0.0.2", 53, payload[i], i));
  }
  for (int i = 0; i < 3000; ++i)
    h.table->Process(Udp("10.0.0.2", 53, "10.0.0.1", static_cast<std::uint16_t>(10000 + i), payload[i], 3000 + i));
  EXPECT_EQ(h.table->active(), 3000u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
  for (auto& [id, f] : h.sink.flows) {
    ASSERT_EQ(f.datagrams[0].size(), 1u);
    ASSERT_EQ(f.datagrams[1].size(), 1u);
    EXPECT_EQ(f.datagrams[0][0], f.datagrams[1][0]);
  }
}

TEST(FlowTable, FlowSlotsAreRecycled) {
  FlowConfig cfg;
  cfg.max_flows = 100;
  Harness h(cfg);
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 100; ++i)
      h.table->Process(Udp("10.0.0.1", static_cast<std::uint16_t>(i), "10.0.0.2", 53, "x", Seconds(round * 100)));
    h.table->Expire(Seconds(round * 100 + 61));
    EXPECT_EQ(h.table->active(), 0u);
  }
  EXPECT_EQ(h.Count("vigie_flow_created_total"), 5000);
  EXPECT_EQ(h.Count("vigie_flow_evicted_total"), 0);
}

}  // namespace
}  // namespace vigie::flow
