// Segment-script tests of TCP reassembly, driven through FlowTable with hand-built packets.
#include "flow/tcp_reassembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>

#include "flow/flow_table.h"
#include "flow_test_util.h"

namespace vigie::flow {
namespace {

using testing::Conv;
using testing::CounterValue;
using testing::RecordingSink;

FlowConfig Small(FlowConfig c) {
  c.max_flows = 64;  // small bucket array: these tests build thousands of tables
  return c;
}

struct Harness {
  explicit Harness(FlowConfig c = {}) : cfg(Small(c)), table(std::make_unique<FlowTable>(cfg, sink, metrics)) {}
  void Handshake(Conv& c, Timestamp ts = 0) {
    table->Process(c.Syn(ts));
    table->Process(c.SynAck(ts));
    table->Process(c.Ack(0, ts));
  }
  std::int64_t Count(const std::string& name) const { return CounterValue(metrics, name); }
  testing::FlowRecord& Only() {
    EXPECT_EQ(sink.flows.size(), 1u);
    return sink.flows.begin()->second;
  }
  FlowConfig cfg;
  RecordingSink sink;
  metrics::CounterSet metrics;
  std::unique_ptr<FlowTable> table;
};

struct Seg {
  std::uint64_t off;
  std::string bytes;
};

// Plays `segs` (in the given order) on the client→server direction after a handshake and
// returns what was delivered, gaps shown as '#'.
std::string Play(const std::vector<Seg>& segs, FlowConfig cfg = {}, Harness* out = nullptr) {
  Harness local(cfg);
  Harness& h = out ? *out : local;
  Conv c;
  h.Handshake(c);
  for (const auto& s : segs) h.table->Process(c.Data(0, s.off, s.bytes));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  return h.sink.flows.begin()->second.dir[0].bytes;
}

std::string Text(std::size_t n, std::uint32_t seed = 7) {
  std::string s(n, ' ');
  std::mt19937 rng(seed);
  for (auto& ch : s) ch = static_cast<char>('a' + rng() % 26);
  return s;
}

TEST(TcpReassembler, InOrderIsZeroCopyAndComplete) {
  Harness h;
  Conv c;
  h.Handshake(c);
  auto p1 = c.Data(0, 0, "GET / HTTP/1.1\r\n");
  h.table->Process(p1);
  EXPECT_EQ(h.sink.last_data_ptr, p1.payload);  // handed over from the packet, not copied
  auto p2 = c.Data(0, 16, "Host: x\r\n\r\n");
  h.table->Process(p2);
  EXPECT_EQ(h.sink.last_data_ptr, p2.payload);
  h.table->Process(c.Data(1, 0, "HTTP/1.1 200 OK\r\n"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  auto& f = h.Only();
  EXPECT_EQ(f.dir[0].bytes, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(f.dir[1].bytes, "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(f.dir[0].gaps, 0);
  EXPECT_EQ(h.Count("vigie_reassembly_gaps_total"), 0);
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
}

TEST(TcpReassembler, ReversedOrderDeliveredWhenHoleFills) {
  Harness h;
  Conv c;
  h.Handshake(c);
  h.table->Process(c.Data(0, 8, "89"));
  h.table->Process(c.Data(0, 4, "4567"));
  EXPECT_EQ(h.sink.flows.begin()->second.dir[0].bytes, "");  // held behind the hole
  EXPECT_GT(h.table->reassembly_memory(), 0u);
  h.table->Process(c.Data(0, 0, "0123"));
  EXPECT_EQ(h.sink.flows.begin()->second.dir[0].bytes, "0123456789");  // delivered as soon as contiguous
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(TcpReassembler, AllPermutationsOfSixOverlappingSegmentsGiveTheSameStream) {
  const std::string text = Text(40);
  // Overlapping, duplicated and adjacent pieces of one consistent text.
  const std::vector<std::pair<int, int>> pieces = {{0, 7}, {5, 15}, {12, 20}, {20, 28}, {26, 40}, {10, 30}};
  for (auto policy : {OverlapPolicy::kFirst, OverlapPolicy::kLast, OverlapPolicy::kLinux, OverlapPolicy::kWindows,
                      OverlapPolicy::kBsd}) {
    FlowConfig cfg;
    cfg.overlap_policy = policy;
    std::vector<int> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    int n = 0;
    do {
      std::vector<Seg> segs;
      for (int i : order)
        segs.push_back({static_cast<std::uint64_t>(pieces[i].first),
                        text.substr(pieces[i].first, pieces[i].second - pieces[i].first)});
      ASSERT_EQ(Play(segs, cfg), text) << "policy " << OverlapPolicyName(policy) << " permutation " << n;
      ++n;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(n, 720);
  }
}

TEST(TcpReassembler, RandomPermutationsOfFiftySegments) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    const std::string text = Text(3000, static_cast<std::uint32_t>(round));
    std::vector<Seg> segs;
    // Cover the text with random pieces (some overlapping, some duplicated).
    std::size_t off = 0;
    while (off < text.size()) {
      std::size_t len = 1 + rng() % 120;
      std::size_t start = off > 0 && rng() % 3 == 0 ? off - std::min<std::size_t>(off, rng() % 40) : off;
      len = std::min(len, text.size() - start);
      segs.push_back({start, text.substr(start, len)});
      off = std::max(off, start + len);
    }
    while (segs.size() < 50) {
      std::size_t start = rng() % text.size();
      std::size_t len = std::min<std::size_t>(1 + rng() % 60, text.size() - start);
      segs.push_back({start, text.substr(start, len)});
    }
    std::shuffle(segs.begin(), segs.end(), rng);
    FlowConfig cfg;
    cfg.overlap_policy = static_cast<OverlapPolicy>(round % 5);
    Harness h(cfg);
    ASSERT_EQ(Play(segs, cfg, &h), text) << "round " << round;
    EXPECT_EQ(h.Count("vigie_reassembly_overlap_conflicts_total"), 0);
    EXPECT_EQ(h.Count("vigie_reassembly_gaps_total"), 0);
  }
}

TEST(TcpReassembler, OneByteSegmentsInRandomOrder) {
  const std::string text = Text(1500, 99);
  std::vector<Seg> segs;
  for (std::size_t i = 0; i < text.size(); ++i) segs.push_back({i, text.substr(i, 1)});
  std::mt19937 rng(5);
  std::shuffle(segs.begin(), segs.end(), rng);
  Harness h;
  EXPECT_EQ(Play(segs, {}, &h), text);
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
}

TEST(TcpReassembler, DuplicatesDeliveredOnceAndCounted) {
  Harness h;
  Conv c;
  h.Handshake(c);
  h.table->Process(c.Data(0, 0, "abcd"));
  h.table->Process(c.Data(0, 0, "abcd"));  // retransmission of delivered bytes
  h.table->Process(c.Data(0, 8, "ijkl"));
  h.table->Process(c.Data(0, 8, "ijkl"));  // duplicate of buffered bytes
  h.table->Process(c.Data(0, 2, "cdefgh"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Only().dir[0].bytes, "abcdefghijkl");
  EXPECT_EQ(h.Count("vigie_reassembly_overlaps_total"), 1);
  EXPECT_EQ(h.Count("vigie_reassembly_overlap_conflicts_total"), 0);
  EXPECT_EQ(h.Count("vigie_reassembly_retransmissions_total"), 2);
}

TEST(TcpReassembler, DeliveredBytesAreNeverRewritten) {
  // A "retransmission" with different bytes over data already delivered cannot change it.
  FlowConfig cfg;
  cfg.overlap_policy = OverlapPolicy::kLast;
  EXPECT_EQ(Play({{0, "hello"}, {0, "HELLO world"}}, cfg), "hello world");
}

// The classic target-based scenario: old segments buffered behind a hole, then new segments
// overlapping them with different bytes in every geometry, then the hole filled.
std::string PolicyScenario(OverlapPolicy policy, std::int64_t* conflicts) {
  FlowConfig cfg;
  cfg.overlap_policy = policy;
  Harness h(cfg);
  std::vector<Seg> segs = {
      {4, "AAAA"},    {2, "bbbb"},    // new starts before old, ends inside it
      {10, "CCCC"},   {10, "dddddd"}, // same start, new ends after
      {20, "EEEEEE"}, {22, "ff"},     // new strictly inside old
      {30, "GG"},     {29, "hhhh"},   // new starts before and ends after
      {40, "IIII"},   {40, "jjjj"},   // exact same range
      {50, "KKKK"},   {52, "llll"},   // new starts inside old, ends after
      // fillers (no overlap) then the first hole
      {8, ".."},      {16, "...."},   {26, "..."}, {33, "......."}, {44, "......"},
      {0, "zz"},
  };
  std::string out = Play(segs, cfg, &h);
  *conflicts = h.Count("vigie_reassembly_overlap_conflicts_total");
  return out;
}

TEST(TcpReassembler, OverlapPolicies) {
  //                     0 2   6 8 10    16  20    26 29  33     40  44    50    56
  const std::string first = "zzbbAAAA..CCCCdd....EEEEEE...hGGh.......IIII......KKKKll";
  const std::string last = "zzbbbbAA..dddddd....EEffEE...hhhh.......jjjj......KKllll";
  const std::string bsd = "zzbbbbAA..CCCCdd....EEEEEE...hhhh.......IIII......KKKKll";
  const std::string linux_ = "zzbbbbAA..dddddd....EEEEEE...hhhh.......IIII......KKKKll";
  std::int64_t conflicts = 0;
  EXPECT_EQ(PolicyScenario(OverlapPolicy::kFirst, &conflicts), first);
  EXPECT_EQ(conflicts, 6);
  EXPECT_EQ(PolicyScenario(OverlapPolicy::kLast, &conflicts), last);
  EXPECT_EQ(conflicts, 6);
  EXPECT_EQ(PolicyScenario(OverlapPolicy::kBsd, &conflicts), bsd);
  EXPECT_EQ(PolicyScenario(OverlapPolicy::kWindows, &conflicts), bsd);
  EXPECT_EQ(PolicyScenario(OverlapPolicy::kLinux, &conflicts), linux_);
  EXPECT_EQ(conflicts, 6);
}

TEST(TcpReassembler, PolicyNamesRoundTrip) {
  for (auto p : {OverlapPolicy::kFirst, OverlapPolicy::kLast, OverlapPolicy::kLinux, OverlapPolicy::kWindows,
                 OverlapPolicy::kBsd})
    EXPECT_EQ(ParseOverlapPolicy(OverlapPolicyName(p)), p);
  EXPECT_EQ(ParseOverlapPolicy("vista"), OverlapPolicy::kFirst);
  EXPECT_FALSE(ParseOverlapPolicy("solaris").has_value());
}

TEST(TcpReassembler, SequenceWraparound) {
  Conv c("10.0.0.1", 40000, "192.0.2.10", 80, 0xFFFFFFF0u, 0xFFFFFFFEu);
  Harness h;
  h.Handshake(c);
  const std::string text = Text(64, 3);
  // Client ISN+1 = 0xFFFFFFF1: bytes 15.. cross 2^32. Send out of order across the wrap.
  h.table->Process(c.Data(0, 32, text.substr(32, 32)));
  h.table->Process(c.Data(0, 10, text.substr(10, 22)));
  h.table->Process(c.Data(0, 0, text.substr(0, 10)));
  h.table->Process(c.Data(1, 0, "server bytes"));  // server ISN+1 = 0xFFFFFFFF
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Only().dir[0].bytes, text);
  EXPECT_EQ(h.Only().dir[1].bytes, "server bytes");
  EXPECT_EQ(h.Count("vigie_reassembly_gaps_total"), 0);
}

TEST(TcpReassembler, HoleThatNeverFillsBecomesGapAtFlush) {
  Harness h;
  EXPECT_EQ(Play({{0, "0123456789"}, {20, "abcdefghij"}, {30, "klm"}}, {}, &h), "0123456789" + std::string(10, '#') + "abcdefghijklm");
  EXPECT_EQ(h.Count("vigie_reassembly_gaps_total"), 1);
  EXPECT_EQ(h.Count("vigie_reassembly_gap_bytes_total"), 10);
}

TEST(TcpReassembler, HoleTimeoutInPacketTimeThenLaterDataFlows) {
  Harness h;
  Conv c;
  h.Handshake(c, Seconds(100));
  h.table->Process(c.Data(0, 0, "head", 0x18, Seconds(100)));
  h.table->Process(c.Data(0, 10, "tail", 0x18, Seconds(101)));
  h.table->Expire(Seconds(104));
  EXPECT_EQ(h.Only().dir[0].bytes, "head");  // 3 s < hole_timeout (5 s)
  h.table->Expire(Seconds(106));
  EXPECT_EQ(h.Only().dir[0].bytes, "head######tail");
  EXPECT_EQ(h.Count("vigie_reassembly_hole_timeouts_total"), 1);
  h.table->Process(c.Data(0, 14, "more", 0x18, Seconds(107)));  // continues in order, zero copy
  EXPECT_EQ(h.Only().dir[0].bytes, "head######tailmore");
  h.table->Process(c.Data(0, 4, "LATE!!", 0x18, Seconds(107)));  // too late: already a gap
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Only().dir[0].bytes, "head######tailmore");
}

TEST(TcpReassembler, HoleTimeoutAlsoCheckedOnPacketsOfTheStream) {
  Harness h;
  Conv c;
  h.Handshake(c, 0);
  h.table->Process(c.Data(0, 5, "x", 0x18, Seconds(1)));
  h.table->Process(c.Data(0, 6, "y", 0x18, Seconds(7)));
  EXPECT_EQ(h.Only().dir[0].bytes, "#####xy");
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(TcpReassembler, OutOfOrderByteLimitDeclaresGap) {
  FlowConfig cfg;
  cfg.ooo_max_bytes = 100;
  Harness h(cfg);
  Conv c;
  h.Handshake(c);
  const std::string text = Text(300, 1);
  h.table->Process(c.Data(0, 50, text.substr(50, 60)));
  EXPECT_EQ(h.Only().dir[0].bytes, "");
  h.table->Process(c.Data(0, 110, text.substr(110, 60)));  // 120 bytes wait: over the limit
  EXPECT_EQ(h.Only().dir[0].bytes, std::string(50, '#') + text.substr(50, 120));
  EXPECT_EQ(h.Count("vigie_reassembly_ooo_overflows_total"), 1);
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
}

TEST(TcpReassembler, SegmentCountLimit) {
  FlowConfig cfg;
  cfg.ooo_max_segments = 10;
  Harness h(cfg);
  std::vector<Seg> segs;
  for (int i = 0; i < 12; ++i) segs.push_back({static_cast<std::uint64_t>(2 + 2 * i), "x"});
  std::string out = Play(segs, cfg, &h);
  EXPECT_EQ(out.substr(0, 3), "##x");
  EXPECT_GE(h.Count("vigie_reassembly_ooo_overflows_total"), 1);
}

TEST(TcpReassembler, SnaplenCutIsAGapForContentButCountsAsVolume) {
  Harness h;
  Conv c;
  h.Handshake(c);
  h.table->Process(c.Data(0, 0, "abcd", 0x18, 0, /*wire_extra=*/6));  // 10 bytes on the wire
  h.table->Process(c.Data(0, 10, "klmn"));
  h.table->Process(c.Data(0, 20, "uv", 0x18, 0, 3));  // out of order, cut too
  h.table->Process(c.Data(0, 14, "opqrst"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  auto& f = h.Only();
  EXPECT_EQ(f.dir[0].bytes, "abcd######klmnopqrstuv###");
  EXPECT_EQ(f.dir[0].gap_bytes, 9u);
  EXPECT_EQ(f.snapshot.payload_bytes[0], 25u);
}

TEST(TcpReassembler, SynDataIsDelivered) {
  Harness h;
  Conv c;
  auto syn = c.Data(0, 0, "fastopen");
  syn.seq -= 1;  // on a SYN the data starts after the SYN's own sequence number
  syn.tcp_flags = decode::tcp_flags::kSyn;
  h.table->Process(syn);
  h.table->Process(c.SynAck());
  h.table->Process(c.Data(0, 8, "+more"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Only().dir[0].bytes, "fastopen+more");
}

TEST(TcpReassembler, DataAfterFinCountedAndRstFlushesImmediately) {
  Harness h;
  Conv c;
  h.Handshake(c);
  h.table->Process(c.Data(0, 0, "abc"));
  h.table->Process(c.Fin(0, 3));
  h.table->Process(c.Data(0, 4, "zz"));  // after the FIN's sequence number
  EXPECT_EQ(h.Count("vigie_reassembly_data_after_fin_total"), 1);
  h.table->Process(c.Data(1, 0, "xyz"));
  h.table->Process(c.Data(1, 10, "late"));  // hole in the server's direction
  h.table->Process(c.Rst(1, 14));
  // RST: the hole is declared at once and buffered data delivered, before the close.
  EXPECT_EQ(h.Only().dir[1].bytes, "xyz#######late");
  EXPECT_FALSE(h.Only().closed);
  h.table->Expire(Seconds(11));  // closed state timeout (10 s)
  EXPECT_TRUE(h.Only().closed);
  EXPECT_EQ(h.Only().reason, CloseReason::kRst);
}

TEST(TcpReassembler, MemcapFlushesOldestBuffersFirst) {
  FlowConfig cfg;
  cfg.reassembly_memcap = 1000;
  Harness h(cfg);
  Conv a("10.0.0.1", 1111), b("10.0.0.2", 2222), d("10.0.0.3", 3333);
  h.Handshake(a);
  h.Handshake(b);
  h.Handshake(d);
  h.table->Process(a.Data(0, 10, std::string(300, 'a')));  // oldest buffer
  h.table->Process(b.Data(0, 10, std::string(300, 'b')));
  EXPECT_EQ(h.Count("vigie_reassembly_memcap_drops_total"), 0);
  h.table->Process(d.Data(0, 10, std::string(300, 'd')));  // does not fit: a is flushed
  EXPECT_EQ(h.Count("vigie_reassembly_memcap_drops_total"), 1);
  EXPECT_EQ(h.sink.flows[1].dir[0].bytes, std::string(10, '#') + std::string(300, 'a'));
  EXPECT_EQ(h.sink.flows[2].dir[0].bytes, "");
  EXPECT_EQ(h.sink.flows[3].dir[0].bytes, "");
  EXPECT_LE(h.table->reassembly_memory(), 1000u);
  // A segment larger than the whole memcap: its own stream gives up waiting.
  h.table->Process(d.Data(0, 400, std::string(1200, 'D')));
  EXPECT_EQ(h.sink.flows[3].dir[0].bytes,
            std::string(10, '#') + std::string(300, 'd') + std::string(90, '#') + std::string(1200, 'D'));
  EXPECT_LE(h.table->reassembly_memory(), 1000u);
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
  EXPECT_EQ(h.Count("vigie_reassembly_memory_bytes"), 0);
}

TEST(TcpReassembler, ContentDepthStopsContentNotCounting) {
  FlowConfig cfg;
  cfg.content_depth = 10;
  Harness h(cfg);
  Conv c;
  h.Handshake(c);
  h.table->Process(c.Data(0, 0, "01234567"));
  h.table->Process(c.Data(0, 12, "cdef"));
  h.table->Process(c.Data(0, 8, "89ab"));
  h.table->Process(c.Data(0, 16, "ghij"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(h.Only().dir[0].bytes, "0123456789");
  EXPECT_EQ(h.Only().snapshot.payload_bytes[0], 20u);
  EXPECT_EQ(h.Only().snapshot.packets[0], 6u);
  EXPECT_EQ(h.table->reassembly_memory(), 0u);
}

TEST(TcpReassembler, MidstreamPickupStartsAtFirstData) {
  Harness h;
  Conv c("10.0.0.1", 51000, "192.0.2.10", 443);
  h.table->Process(c.Data(1, 100, "server-first"));  // the handshake was not captured
  h.table->Process(c.Data(0, 50, "client"));
  h.table->Process(c.Data(1, 112, "-more"));
  h.table->FlushAll(CloseReason::kEndOfCapture);
  auto& f = h.Only();
  EXPECT_EQ(f.dir[1].bytes, "server-first-more");
  EXPECT_EQ(f.dir[0].bytes, "client");
  EXPECT_TRUE(f.snapshot.midstream);
  EXPECT_EQ(f.snapshot.server.port, 443);
  EXPECT_EQ(h.Count("vigie_reassembly_midstream_total"), 2);
  EXPECT_EQ(h.Count("vigie_flow_midstream_total"), 1);
}

TEST(TcpReassembler, ImplausiblyFarSegmentDropped) {
  Harness h;
  EXPECT_EQ(Play({{0, "ok"}, {std::uint64_t{3} << 29, "far"}, {2, "!"}}, {}, &h), "ok!");
  EXPECT_EQ(h.Count("vigie_reassembly_out_of_window_total"), 1);
}

}  // namespace
}  // namespace vigie::flow
