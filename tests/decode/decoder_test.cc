#include "decode/decoder.h"

#include <gtest/gtest.h>

#include "decode/frame_builder.h"

namespace vigie::decode {
namespace {

using namespace testing;  // NOLINT: frame builders

constexpr V4 kA{10, 0, 0, 1}, kB{10, 0, 0, 2};

class DecoderTest : public ::testing::Test {
 protected:
  DecodedPacket Run(const Bytes& frame, int linktype = 1, std::uint32_t wire_len = 0) {
    return decoder_.Decode(Raw(frame, linktype, wire_len, 42));
  }
  std::int64_t Anomalies(const char* reason) {
    return counters_.Counter("vigie_decode_anomalies_total", "", {{"reason", reason}}).Get();
  }
  std::int64_t L4(const char* l4) { return counters_.Counter("vigie_decode_packets_total", "", {{"l4", l4}}).Get(); }
  metrics::CounterSet counters_;
  Decoder decoder_{counters_};
};

TEST_F(DecoderTest, EthernetIpv4Tcp) {
  const Bytes frame = Ether(Ipv4(kA, kB, 6, Tcp(1234, 80, 1000, 2000, tcp_flags::kAck | tcp_flags::kPsh, Text("hello"))));
  const DecodedPacket d = Run(frame);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ts, 42);
  EXPECT_EQ(d.wire_len, frame.size());
  EXPECT_EQ(d.ip_version, 4);
  EXPECT_EQ(d.src.ToString(), "10.0.0.1");
  EXPECT_EQ(d.dst.ToString(), "10.0.0.2");
  EXPECT_EQ(d.ip_proto, kProtoTcp);
  EXPECT_EQ(d.ttl, 64);
  EXPECT_EQ(d.sport, 1234);
  EXPECT_EQ(d.dport, 80);
  EXPECT_EQ(d.seq, 1000u);
  EXPECT_EQ(d.ack, 2000u);
  EXPECT_EQ(d.tcp_flags, tcp_flags::kAck | tcp_flags::kPsh);
  EXPECT_EQ(d.tcp_window, 1000);
  ASSERT_EQ(d.payload_len, 5u);
  EXPECT_EQ(d.payload_wire_len, 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.payload), 5), "hello");
  EXPECT_EQ(L4("tcp"), 1);
}

TEST_F(DecoderTest, TcpOptionsSkippedByDataOffset) {
  const Bytes opts = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};  // MSS, NOP, NOP, SACK-permitted
  const Bytes frame = Ether(Ipv4(kA, kB, 6, Tcp(1, 2, 3, 4, tcp_flags::kSyn, Text("x"), opts)));
  const DecodedPacket d = Run(frame);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  ASSERT_EQ(d.payload_len, 1u);
  EXPECT_EQ(d.payload[0], 'x');
}

TEST_F(DecoderTest, Ipv4OptionsAndPaddingTrimmed) {
  const Bytes opts = {0x94, 0x04, 0, 0};  // router alert
  Bytes frame = Ether(Ipv4(kA, kB, 17, Udp(5, 6, Text("abc")), 1, 0, opts));
  frame.resize(60, 0xee);  // Ethernet minimum: padding is not payload
  const DecodedPacket d = Run(frame);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.sport, 5);
  EXPECT_EQ(d.payload_len, 3u);
  EXPECT_EQ(d.payload_wire_len, 3u);
  EXPECT_EQ(d.wire_len, 60u);
}

TEST_F(DecoderTest, SnaplenCutKeepsWireLength) {
  const Bytes full = Ether(Ipv4(kA, kB, 6, Tcp(1, 2, 3, 4, tcp_flags::kAck, Bytes(1000, 'p'))));
  const Bytes cut(full.begin(), full.begin() + 100);
  const DecodedPacket d = Run(cut, 1, static_cast<std::uint32_t>(full.size()));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.payload_len, 100u - 14 - 20 - 20);
  EXPECT_EQ(d.payload_wire_len, 1000u);
  EXPECT_EQ(d.wire_len, full.size());
}

TEST_F(DecoderTest, Ipv4LengthBeyondFrameIsAnomaly) {
  const Bytes frame = Ether(Ipv4(kA, kB, 17, Udp(1, 2, Text("abcd")), 1, 0, {}, 200));
  const DecodedPacket d = Run(frame);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_STREQ(d.anomaly, "ipv4_bad_length");
  EXPECT_EQ(Anomalies("ipv4_bad_length"), 1);
}

TEST_F(DecoderTest, Ipv4TotalLengthZeroMeansFrame) {  // TSO / BIG TCP captures
  const Bytes frame = Ether(Ipv4(kA, kB, 6, Tcp(1, 2, 3, 4, tcp_flags::kAck, Bytes(3000, 'b')), 1, 0, {}, 0));
  const DecodedPacket d = Run(frame);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.payload_len, 3000u);
}

TEST_F(DecoderTest, TcpBadOffset) {
  Bytes seg = Tcp(1, 2, 3, 4, tcp_flags::kAck);
  seg[12] = 0x30;  // 12-byte header: impossible
  EXPECT_STREQ(Run(Ether(Ipv4(kA, kB, 6, seg))).anomaly, "tcp_bad_offset");
  seg[12] = 0xf0;  // 60 bytes, but the segment is 20
  EXPECT_STREQ(Run(Ether(Ipv4(kA, kB, 6, seg))).anomaly, "tcp_bad_offset");
  EXPECT_EQ(Anomalies("tcp_bad_offset"), 2);
}

TEST_F(DecoderTest, UdpLengthTrimsAndValidates) {
  Bytes dg = Udp(53, 53, Text("0123456789"));
  dg[5] = 8 + 4;  // UDP says 4 bytes of payload
  DecodedPacket d = Run(Ether(Ipv4(kA, kB, 17, dg)));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.payload_len, 4u);
  dg[5] = 200;
  d = Run(Ether(Ipv4(kA, kB, 17, dg)));
  EXPECT_STREQ(d.anomaly, "udp_bad_length");
}

TEST_F(DecoderTest, Icmp) {
  const Bytes echo = {8, 0, 0, 0, 0, 1, 0, 1, 'p', 'i', 'n', 'g'};
  const DecodedPacket d = Run(Ether(Ipv4(kA, kB, 1, echo)));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.icmp_type, 8);
  EXPECT_EQ(d.icmp_code, 0);
  EXPECT_EQ(d.payload_len, 4u);
  EXPECT_EQ(L4("icmp"), 1);
}

TEST_F(DecoderTest, VlanAndQinqInnermostWins) {
  const Bytes ip = Ipv4(kA, kB, 17, Udp(1, 2, {}));
  EXPECT_EQ(Run(Ether(ip, 0x0800, {100})).vlan, 100);
  EXPECT_EQ(Run(Ether(ip, 0x0800, {100, 200}, 0x88a8)).vlan, 200);
  EXPECT_EQ(Run(Ether(ip, 0x0800, {7, 8, 9}, 0x9100)).vlan, 9);
  EXPECT_EQ(Run(Ether(ip, 0x0800, {0x2064})).vlan, 0x064);  // PCP bits are not the id
}

TEST_F(DecoderTest, TooManyVlanTags) {
  const DecodedPacket d = Run(Ether(Ipv4(kA, kB, 17, Udp(1, 2, {})), 0x0800, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_STREQ(d.anomaly, "vlan_too_deep");
}

TEST_F(DecoderTest, NonIpIsCountedNotAnomalous) {
  const DecodedPacket d = Run(Ether(Bytes(28, 0), 0x0806));
  EXPECT_EQ(d.status, DecodeStatus::kNotIp);
  EXPECT_EQ(counters_.Counter("vigie_decode_non_ip_total", "").Get(), 1);
  const DecodedPacket llc = Run(Ether(Bytes(40, 0x42), 0x0026));  // 802.3 length field
  EXPECT_EQ(llc.status, DecodeStatus::kNotIp);
}

TEST_F(DecoderTest, MplsGuessesIpVersion) {
  Bytes labels;
  Put32(labels, (16u << 12) | 64);
  Put32(labels, (17u << 12) | 0x100 | 64);  // bottom of stack
  const DecodedPacket v6 = Run(Ether(Cat({labels, Ipv6(1, 2, 17, Udp(7, 8, Text("m")))}), 0x8847));
  ASSERT_EQ(v6.status, DecodeStatus::kOk);
  EXPECT_EQ(v6.ip_version, 6);
  EXPECT_EQ(v6.dport, 8);
  Bytes endless;
  for (int i = 0; i < 20; ++i) Put32(endless, (16u << 12) | 64);
  EXPECT_STREQ(Run(Ether(endless, 0x8847)).anomaly, "mpls_too_many_labels");
}

TEST_F(DecoderTest, PppoeSession) {
  const Bytes ip = Ipv4(kA, kB, 6, Tcp(1, 2, 3, 4, tcp_flags::kSyn));
  Bytes pppoe = {0x11, 0x00, 0x00, 0x01};
  Put16(pppoe, static_cast<std::uint16_t>(ip.size() + 2));
  Put16(pppoe, 0x0021);
  const DecodedPacket d = Run(Ether(Cat({pppoe, ip}), 0x8864));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ip_proto, kProtoTcp);
}

TEST_F(DecoderTest, LinkTypes) {
  const Bytes ip4 = Ipv4(kA, kB, 17, Udp(1, 2, Text("z")));
  const Bytes ip6 = Ipv6(1, 2, 17, Udp(3, 4, Text("z")));
  Bytes sll = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
  EXPECT_EQ(Run(Cat({sll, ip4}), 113).status, DecodeStatus::kOk);
  Bytes sll2 = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(Run(Cat({sll2, ip6}), 276).dport, 4);
  EXPECT_EQ(Run(ip4, 101).sport, 1);
  EXPECT_EQ(Run(ip6, 101).sport, 3);
  EXPECT_EQ(Run(ip4, 12).status, DecodeStatus::kOk);
  EXPECT_EQ(Run(ip4, 14).status, DecodeStatus::kOk);
  EXPECT_EQ(Run(ip4, 228).status, DecodeStatus::kOk);
  EXPECT_EQ(Run(ip6, 229).status, DecodeStatus::kOk);
  EXPECT_EQ(Run(Cat({{2, 0, 0, 0}, ip4}), 0).status, DecodeStatus::kOk);    // NULL, little-endian host
  EXPECT_EQ(Run(Cat({{0, 0, 0, 30}, ip6}), 0).status, DecodeStatus::kOk);   // NULL, big-endian host
  EXPECT_EQ(Run(Cat({{0, 0, 0, 2}, ip4}), 108).status, DecodeStatus::kOk);  // LOOP: network order
  EXPECT_STREQ(Run(ip4, 147).anomaly, "linktype_unsupported");
  EXPECT_STREQ(Run(ip6, 228).anomaly, "ipv4_bad_version");
}

TEST_F(DecoderTest, Ipv6ExtensionHeadersAndAtomicFragment) {
  Bytes hbh = {6, 0, 0, 0, 0, 0, 0, 0};
  DecodedPacket d = Run(Ether(Ipv6(1, 2, 0, Cat({hbh, Tcp(9, 10, 1, 0, tcp_flags::kSyn)})), 0x86dd));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ip_proto, kProtoTcp);
  EXPECT_EQ(d.sport, 9);
  Bytes atomic = {17, 0, 0, 0, 0, 0, 0, 5};  // offset 0, M=0
  d = Run(Ether(Ipv6(1, 2, 44, Cat({atomic, Udp(11, 12, Text("a"))})), 0x86dd));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.dport, 12);
}

TEST_F(DecoderTest, FragmentsReportOffsetsAndUpperProtocol) {
  const Bytes data(16, 'f');
  DecodedPacket d = Run(Ether(Ipv4(kA, kB, 17, data, 77, 0x2000 | 3)));
  ASSERT_EQ(d.status, DecodeStatus::kFragment);
  EXPECT_EQ(d.frag_id, 77u);
  EXPECT_EQ(d.frag_offset, 24u);
  EXPECT_TRUE(d.frag_more);
  EXPECT_EQ(d.ip_proto, kProtoUdp);
  EXPECT_EQ(d.payload_len, 16u);
  Bytes fh = {6, 0, 0x01, 0x00, 0, 0, 0x12, 0x34};  // offset 256, M=0
  d = Run(Ether(Ipv6(1, 2, 44, Cat({fh, data})), 0x86dd));
  ASSERT_EQ(d.status, DecodeStatus::kFragment);
  EXPECT_EQ(d.frag_id, 0x1234u);
  EXPECT_EQ(d.frag_offset, 256u);
  EXPECT_FALSE(d.frag_more);
  EXPECT_EQ(d.ip_proto, kProtoTcp);
  EXPECT_EQ(counters_.Counter("vigie_decode_fragments_total", "").Get(), 2);
}

TEST_F(DecoderTest, GreVariants) {
  const Bytes inner = Ipv4({192, 168, 0, 1}, {192, 168, 0, 2}, 6, Tcp(100, 200, 1, 0, tcp_flags::kSyn));
  Bytes plain = {0, 0, 0x08, 0x00};
  DecodedPacket d = Run(Ether(Ipv4(kA, kB, 47, Cat({plain, inner}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.src.ToString(), "192.168.0.1");
  EXPECT_EQ(d.tunnel_depth, 1);
  Bytes all = {0xb0, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2};  // checksum, key, seq
  d = Run(Ether(Ipv4(kA, kB, 47, Cat({all, inner}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.dport, 200);
  Bytes routing = {0x40, 0, 0x08, 0x00, 0, 0, 0, 0};
  EXPECT_STREQ(Run(Ether(Ipv4(kA, kB, 47, Cat({routing, inner})))).anomaly, "gre_unsupported");
  // PPTP enhanced GRE (version 1) carrying PPP (address/control, protocol 0x0021).
  Bytes pptp = {0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0};
  Bytes ppp = {0xff, 0x03, 0x00, 0x21};
  d = Run(Ether(Ipv4(kA, kB, 47, Cat({pptp, ppp, inner}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.sport, 100);
}

TEST_F(DecoderTest, TransportVlanIsNotTheInnerPacketsVlan) {
  const Bytes inner = Ipv4({192, 168, 0, 1}, {192, 168, 0, 2}, 17, Udp(1, 2, {}));
  const Bytes gre = Cat({{0, 0, 0x08, 0x00}, inner});
  EXPECT_EQ(Run(Ether(Ipv4(kA, kB, 47, gre), 0x0800, {500})).vlan, 0);
  const Bytes teb = Cat({{0, 0, 0x65, 0x58}, Ether(inner, 0x0800, {42})});
  EXPECT_EQ(Run(Ether(Ipv4(kA, kB, 47, teb), 0x0800, {500})).vlan, 42);
}

TEST_F(DecoderTest, ErspanTypes) {
  const Bytes mirrored = Ether(Ipv4({1, 1, 1, 1}, {2, 2, 2, 2}, 17, Udp(10, 20, Text("e"))), 0x0800, {33});
  Bytes type1 = {0, 0, 0x88, 0xbe};
  DecodedPacket d = Run(Ether(Ipv4(kA, kB, 47, Cat({type1, mirrored}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.vlan, 33);
  Bytes type2 = {0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x21, 0, 5, 0, 0, 0, 0};
  d = Run(Ether(Ipv4(kA, kB, 47, Cat({type2, mirrored}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.dport, 20);
  Bytes type3 = {0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
  d = Run(Ether(Ipv4(kA, kB, 47, Cat({type3, mirrored}))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.sport, 10);
  Bytes bad_version = type2;
  bad_version[8] = 0x30;
  EXPECT_STREQ(Run(Ether(Ipv4(kA, kB, 47, Cat({bad_version, mirrored})))).anomaly, "erspan_unsupported");
}

TEST_F(DecoderTest, VxlanAndTunnelDepthLimit) {
  const Bytes inner = Ether(Ipv6(7, 8, 6, Tcp(1, 443, 1, 0, tcp_flags::kSyn)), 0x86dd);
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 0x10, 0};
  DecodedPacket d = Run(Ether(Ipv4(kA, kB, 17, Udp(5555, 4789, Cat({vx, inner})))));
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_EQ(d.dport, 443);
  EXPECT_EQ(d.tunnel_depth, 1);

  metrics::CounterSet c2;
  Decoder shallow(c2, DecoderConfig{.max_tunnel_depth = 1, .vxlan_port = 4789});
  Bytes pkt = Ipv4(kA, kB, 6, Tcp(1, 2, 3, 4, tcp_flags::kSyn));
  pkt = Ipv4(kA, kB, 4, pkt);
  const Bytes one = Ether(pkt);
  EXPECT_EQ(shallow.Decode(Raw(one)).status, DecodeStatus::kOk);
  const Bytes two = Ether(Ipv4(kA, kB, 4, pkt));
  EXPECT_STREQ(shallow.Decode(Raw(two)).anomaly, "tunnel_too_deep");
}

TEST_F(DecoderTest, NoAllocationNeededForEveryReasonLabel) {
  // Every reason is registered up front (so dashboards see zeros, and Fail() never allocates).
  for (int i = 0; i < static_cast<int>(Anomaly::kCount); ++i) {
    const std::string name = AnomalyName(static_cast<Anomaly>(i));
    EXPECT_FALSE(name.empty());
    bool found = false;
    for (const auto& s : counters_.Read()) {
      for (const auto& [k, v] : s.labels) found |= s.name == "vigie_decode_anomalies_total" && k == "reason" && v == name;
    }
    EXPECT_TRUE(found) << name;
  }
}

}  // namespace
}  // namespace vigie::decode
