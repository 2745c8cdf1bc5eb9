#include "decode/ip_defrag.h"

#include <gtest/gtest.h>

#include "decode/frame_builder.h"

namespace vigie::decode {
namespace {

using namespace testing;  // NOLINT

constexpr V4 kA{10, 1, 0, 1}, kB{10, 1, 0, 2};

Bytes Pattern(std::size_t n, int seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 13 + seed);
  return b;
}

// IPv4 fragments of `l4` with `size`-byte pieces (multiple of 8).
std::vector<Bytes> Fragments4(const Bytes& l4, std::size_t size, std::uint16_t id, std::uint8_t proto = 17) {
  std::vector<Bytes> out;
  for (std::size_t off = 0; off < l4.size(); off += size) {
    const std::size_t n = std::min(size, l4.size() - off);
    const std::uint16_t flags = static_cast<std::uint16_t>((off + n < l4.size() ? 0x2000 : 0) | (off / 8));
    out.push_back(Ether(Ipv4(kA, kB, proto, Bytes(l4.begin() + off, l4.begin() + off + n), id, flags)));
  }
  return out;
}

std::vector<Bytes> Fragments6(const Bytes& l4, std::size_t size, std::uint32_t id, std::uint8_t proto = 17) {
  std::vector<Bytes> out;
  for (std::size_t off = 0; off < l4.size(); off += size) {
    const std::size_t n = std::min(size, l4.size() - off);
    Bytes fh = {proto, 0};
    Put16(fh, static_cast<std::uint16_t>(off | (off + n < l4.size() ? 1 : 0)));
    Put32(fh, id);
    out.push_back(Ether(Ipv6(1, 2, 44, Cat({fh, Bytes(l4.begin() + off, l4.begin() + off + n)})), 0x86dd));
  }
  return out;
}

class DefragTest : public ::testing::Test {
 protected:
  DecodedPacket Feed(const Bytes& frame, Timestamp ts = Seconds(100)) {
    DecodedPacket d = decoder_.Decode(Raw(frame, 1, 0, ts));
    EXPECT_EQ(d.status, DecodeStatus::kFragment);
    return defrag_.Add(d, decoder_);
  }
  std::int64_t Count(const char* name) { return counters_.Counter(name, "").Get(); }
  metrics::CounterSet counters_;
  Decoder decoder_{counters_};
  DefragConfig config_;
  IpDefragmenter defrag_{config_, counters_};
};

TEST_F(DefragTest, InOrderIpv4Udp) {
  const Bytes payload = Pattern(3000, 1);
  const Bytes l4 = Udp(1000, 2000, payload);
  const auto frags = Fragments4(l4, 1480, 7);
  ASSERT_EQ(frags.size(), 3u);
  EXPECT_EQ(Feed(frags[0]).status, DecodeStatus::kFragment);
  EXPECT_EQ(Feed(frags[1]).status, DecodeStatus::kFragment);
  const DecodedPacket d = Feed(frags[2]);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ip_proto, kProtoUdp);
  EXPECT_EQ(d.sport, 1000);
  EXPECT_EQ(d.dport, 2000);
  ASSERT_EQ(d.payload_len, payload.size());
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), d.payload));
  EXPECT_EQ(d.wire_len, frags[0].size() + frags[1].size() + frags[2].size());
  EXPECT_EQ(Count("vigie_defrag_datagrams_total"), 1);
  EXPECT_EQ(defrag_.pending(), 0u);
  EXPECT_EQ(defrag_.memory_bytes(), 0u);
}

TEST_F(DefragTest, OutOfOrderTcp) {
  const Bytes payload = Pattern(2000, 2);
  const auto frags = Fragments4(Tcp(5, 6, 100, 200, 0x18, payload), 512, 8, 6);
  ASSERT_EQ(frags.size(), 4u);
  for (int i : {3, 1, 0}) EXPECT_EQ(Feed(frags[i]).status, DecodeStatus::kFragment);
  const DecodedPacket d = Feed(frags[2]);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.seq, 100u);
  ASSERT_EQ(d.payload_len, payload.size());
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), d.payload));
}

TEST_F(DefragTest, OverlapFirstCopyWins) {
  const Bytes l4 = Udp(1, 2, Cat({Bytes(8, 'A'), Bytes(16, 'B'), Bytes(16, 'C')}));  // 48 bytes
  auto frags = Fragments4(l4, 16, 9);
  ASSERT_EQ(frags.size(), 3u);
  const Bytes forged = Ether(Ipv4(kA, kB, 17, Bytes(16, 'E'), 9, 0x2000 | 2));
  Feed(frags[0]);
  Feed(forged);
  Feed(frags[1]);  // same range: ignored
  const DecodedPacket d = Feed(frags[2]);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  ASSERT_EQ(d.payload_len, 40u);
  const std::string got(reinterpret_cast<const char*>(d.payload), d.payload_len);
  EXPECT_EQ(got, std::string(8, 'A') + std::string(16, 'E') + std::string(16, 'C'));
  EXPECT_EQ(Count("vigie_defrag_overlaps_total"), 1);
  EXPECT_EQ(d.wire_len, frags[0].size() * 4);
}

TEST_F(DefragTest, PartialOverlapAcrossBlocks) {
  const Bytes l4 = Pattern(64, 3);
  const Bytes a = Ether(Ipv4(kA, kB, 99, Bytes(l4.begin(), l4.begin() + 32), 10, 0x2000 | 0));
  const Bytes b = Ether(Ipv4(kA, kB, 99, Bytes(40, 'X'), 10, 0x2000 | 2));  // 16..56 overlaps 16..32
  const Bytes c = Ether(Ipv4(kA, kB, 99, Bytes(l4.begin() + 48, l4.end()), 10, 6));
  Feed(a);
  Feed(b);
  const DecodedPacket d = Feed(c);
  ASSERT_EQ(d.status, DecodeStatus::kOk);  // protocol 99: "other", payload = whole body
  ASSERT_EQ(d.payload_len, 64u);
  EXPECT_TRUE(std::equal(l4.begin(), l4.begin() + 32, d.payload));       // first copy kept
  EXPECT_EQ(d.payload[40], 'X');                                          // new range filled
  EXPECT_TRUE(std::equal(l4.begin() + 56, l4.end(), d.payload + 56));     // 56..64 from c (48..56 from b)
  EXPECT_EQ(d.payload[50], 'X');
  EXPECT_EQ(Count("vigie_defrag_overlaps_total"), 2);  // b over a, c over b
}

TEST_F(DefragTest, DuplicateFragments) {
  const auto frags = Fragments4(Udp(1, 2, Pattern(100, 4)), 56, 11);
  Feed(frags[0]);
  Feed(frags[0]);
  const DecodedPacket d = Feed(frags[1]);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.payload_len, 100u);
  EXPECT_EQ(Count("vigie_defrag_overlaps_total"), 1);
}

TEST_F(DefragTest, NeverCompletedTimesOut) {
  const auto frags = Fragments4(Udp(1, 2, Pattern(300, 5)), 64, 12);
  Feed(frags[0], Seconds(100));
  Feed(frags[1], Seconds(101));
  EXPECT_EQ(defrag_.pending(), 1u);
  EXPECT_GT(defrag_.memory_bytes(), 0u);
  defrag_.Expire(Seconds(129));
  EXPECT_EQ(defrag_.pending(), 1u);
  defrag_.Expire(Seconds(130));
  EXPECT_EQ(defrag_.pending(), 0u);
  EXPECT_EQ(defrag_.memory_bytes(), 0u);
  EXPECT_EQ(Count("vigie_defrag_timeouts_total"), 1);
  // A late fragment starts a new datagram rather than completing the expired one.
  EXPECT_EQ(Feed(frags.back(), Seconds(131)).status, DecodeStatus::kFragment);
}

TEST_F(DefragTest, Ipv6OutOfOrderAndDistinctIds) {
  const Bytes p1 = Pattern(2500, 6), p2 = Pattern(2500, 7);
  const auto f1 = Fragments6(Udp(1, 2, p1), 1232, 0xabc);
  const auto f2 = Fragments6(Udp(3, 4, p2), 1232, 0xabd);
  ASSERT_EQ(f1.size(), 3u);
  Feed(f1[2]);
  Feed(f2[0]);
  Feed(f1[0]);
  Feed(f2[1]);
  const DecodedPacket d1 = Feed(f1[1]);
  ASSERT_EQ(d1.status, DecodeStatus::kOk);
  EXPECT_EQ(d1.ip_version, 6);
  EXPECT_EQ(d1.sport, 1);
  ASSERT_EQ(d1.payload_len, p1.size());
  EXPECT_TRUE(std::equal(p1.begin(), p1.end(), d1.payload));
  const DecodedPacket d2 = Feed(f2[2]);
  ASSERT_EQ(d2.status, DecodeStatus::kOk);
  EXPECT_EQ(d2.sport, 3);
  EXPECT_TRUE(std::equal(p2.begin(), p2.end(), d2.payload));
}

TEST_F(DefragTest, OversizeDropped) {
  // Offset 8184*8 + 64 bytes > 65535.
  const Bytes big = Ether(Ipv4(kA, kB, 17, Bytes(64, 'o'), 13, 8184));
  const DecodedPacket d = Feed(big);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_STREQ(d.anomaly, "defrag_oversize");
  EXPECT_EQ(Count("vigie_defrag_oversize_total"), 1);
}

TEST_F(DefragTest, BadFragmentLengthAndSnaplenCut) {
  const Bytes odd = Ether(Ipv4(kA, kB, 17, Bytes(13, 'x'), 14, 0x2000));  // MF with 13 bytes
  EXPECT_STREQ(Feed(odd).anomaly, "defrag_invalid");
  const Bytes full = Ether(Ipv4(kA, kB, 17, Bytes(800, 'y'), 15, 0x2000));
  const Bytes cut(full.begin(), full.begin() + 200);
  DecodedPacket d = decoder_.Decode(Raw(cut, 1, static_cast<std::uint32_t>(full.size())));
  ASSERT_EQ(d.status, DecodeStatus::kFragment);
  EXPECT_STREQ(defrag_.Add(d, decoder_).anomaly, "defrag_invalid");
  EXPECT_EQ(Count("vigie_defrag_invalid_total"), 2);
}

TEST(DefragMemcap, OldestEvicted) {
  metrics::CounterSet counters;
  Decoder decoder(counters);
  DefragConfig cfg;
  cfg.memcap_bytes = 16 * 1024;  // a handful of datagrams
  IpDefragmenter defrag(cfg, counters);
  for (std::uint16_t id = 0; id < 50; ++id) {
    const auto frags = Fragments4(Udp(1, 2, Pattern(2000, id)), 1024, id);
    const DecodedPacket d = decoder.Decode(Raw(frags[0], 1, 0, Seconds(1) + id));
    defrag.Add(d, decoder);
    EXPECT_LE(defrag.memory_bytes(), cfg.memcap_bytes);
  }
  EXPECT_GT(counters.Counter("vigie_defrag_memcap_drops_total", "").Get(), 0);
  EXPECT_LT(defrag.pending(), 50u);
  // The newest datagram survived and still completes.
  const auto last = Fragments4(Udp(1, 2, Pattern(2000, 49)), 1024, 49);
  const DecodedPacket d = defrag.Add(decoder.Decode(Raw(last[1], 1, 0, Seconds(2))), decoder);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
}

TEST_F(DefragTest, FragmentedTunnelWithFragmentedInnerPacket) {
  // Inner IPv4/UDP datagram fragmented, each inner fragment carried in GRE over an outer IPv4
  // that is itself fragmented.
  const Bytes inner_l4 = Udp(7, 8, Pattern(1200, 9));
  std::vector<Bytes> inner_frags;
  for (std::size_t off = 0; off < inner_l4.size(); off += 800) {
    const std::size_t n = std::min<std::size_t>(800, inner_l4.size() - off);
    const std::uint16_t fl = static_cast<std::uint16_t>((off + n < inner_l4.size() ? 0x2000 : 0) | (off / 8));
    inner_frags.push_back(Ipv4({172, 16, 0, 1}, {172, 16, 0, 2}, 17,
                               Bytes(inner_l4.begin() + off, inner_l4.begin() + off + n), 77, fl));
  }
  DecodedPacket last;
  std::uint16_t outer_id = 500;
  for (const Bytes& inner : inner_frags) {
    const Bytes gre_payload = Cat({{0, 0, 0x08, 0x00}, inner});
    for (const Bytes& outer : Fragments4(gre_payload, 400, outer_id++, 47)) last = Feed(outer);
  }
  ASSERT_EQ(last.status, DecodeStatus::kOk);
  EXPECT_EQ(last.tunnel_depth, 1);
  EXPECT_EQ(last.src.ToString(), "172.16.0.1");
  EXPECT_EQ(last.payload_len, 1200u);
  EXPECT_EQ(Count("vigie_defrag_datagrams_total"), 3);  // two outer + one inner
}

}  // namespace
}  // namespace vigie::decode
