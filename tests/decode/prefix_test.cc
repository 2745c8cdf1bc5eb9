// Robustness: every byte-prefix of every valid frame decodes to kOk or kAnomaly (kFragment /
// kNotIp where the whole frame is one), never reading past the prefix: the prefix is copied to
// an exactly-sized heap buffer so ASan catches any over-read.
#include <memory>

#include <gtest/gtest.h>

#include "capture/pcap_file_source.h"
#include "decode/decoder.h"
#include "decode/frame_builder.h"

namespace vigie::decode {
namespace {

using namespace testing;  // NOLINT

struct Frame {
  Bytes bytes;
  int linktype;
};

std::vector<Frame> FramesFromGeneratedPcaps() {
  std::vector<Frame> out;
  metrics::CounterSet counters;
  for (const char* name : {"decode_vlan.pcap", "decode_qinq.pcap", "decode_mpls.pcap", "decode_pppoe.pcap",
                           "decode_sll.pcap", "decode_sll2.pcap", "decode_raw.pcap", "decode_null.pcap",
                           "decode_gre.pcap", "decode_erspan.pcap", "decode_vxlan.pcap", "decode_ipip.pcap",
                           "decode_ipv6_ext.pcap", "decode_ipv4_frags.pcap", "decode_ipv6_frags.pcap"}) {
    capture::PcapFileSource src(std::string(VIGIE_SOURCE_DIR) + "/pcaps/" + name, counters);
    for (;;) {
      const auto r = src.Next();
      if (r.status != capture::ReadStatus::kPacket) break;
      out.push_back({Bytes(r.packet.data, r.packet.data + r.packet.caplen), r.packet.linktype});
    }
  }
  return out;
}

void CheckPrefixes(const Decoder& decoder, const Frame& f, bool snapped) {
  const DecodeStatus whole = decoder.Decode(Raw(f.bytes, f.linktype)).status;
  for (std::size_t n = 0; n <= f.bytes.size(); ++n) {
    auto buf = std::make_unique<std::uint8_t[]>(n == 0 ? 1 : n);
    std::copy(f.bytes.begin(), f.bytes.begin() + static_cast<std::ptrdiff_t>(n), buf.get());
    capture::RawPacket raw;
    raw.data = buf.get();
    raw.caplen = static_cast<std::uint32_t>(n);
    // snapped: as if snaplen cut the frame (wire_len is the full length); otherwise the frame
    // really was this short on the wire.
    raw.wire_len = snapped ? static_cast<std::uint32_t>(f.bytes.size()) : raw.caplen;
    raw.linktype = f.linktype;
    const DecodedPacket d = decoder.Decode(raw);
    const bool allowed = d.status == DecodeStatus::kOk || d.status == DecodeStatus::kAnomaly || d.status == whole;
    ASSERT_TRUE(allowed) << "prefix " << n << " of " << f.bytes.size() << " gave " << static_cast<int>(d.status);
    if (d.status == DecodeStatus::kAnomaly) {
      ASSERT_NE(d.anomaly, nullptr);
    }
    if (d.payload != nullptr) {
      ASSERT_GE(d.payload, buf.get());
      ASSERT_LE(d.payload + d.payload_len, buf.get() + n);
      ASSERT_GE(d.payload_wire_len, d.payload_len);
    }
  }
}

TEST(DecoderPrefixes, GeneratedFramesNeverOverRead) {
  const auto frames = FramesFromGeneratedPcaps();
  ASSERT_GT(frames.size(), 80u);
  metrics::CounterSet counters;
  Decoder decoder(counters);
  for (const Frame& f : frames) {
    if (f.bytes.size() > 400) continue;  // big fragments add time, not coverage
    CheckPrefixes(decoder, f, false);
    CheckPrefixes(decoder, f, true);
  }
}

TEST(DecoderPrefixes, HandBuiltFramesNeverOverRead) {
  metrics::CounterSet counters;
  Decoder decoder(counters);
  const Bytes tcp = Ipv4({1, 2, 3, 4}, {5, 6, 7, 8}, 6, Tcp(1, 2, 3, 4, 0x18, Text("payload"), {1, 1, 1, 1}));
  const Bytes v6 = Ipv6(1, 2, 0, Cat({{43, 0, 0, 0, 0, 0, 0, 0}, {17, 0, 0, 0, 0, 0, 0, 0}, Udp(1, 2, Text("u"))}));
  const Bytes gre_ppp = Ipv4({1, 1, 1, 1}, {2, 2, 2, 2}, 47,
                             Cat({{0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0}, {0x21}, tcp}));
  const Bytes nflog = Cat({{2, 0, 0, 0}, {8, 0, 1, 0, 0, 0, 0, 0}, {static_cast<std::uint8_t>(4 + tcp.size()), 0, 9, 0}, tcp});
  for (const Frame& f : {Frame{Ether(tcp, 0x0800, {5, 6}, 0x88a8), 1}, Frame{Ether(v6, 0x86dd), 1},
                         Frame{Ether(gre_ppp), 1}, Frame{nflog, 239}, Frame{Cat({{0, 0, 0, 2}, tcp}), 108}}) {
    ASSERT_EQ(decoder.Decode(Raw(f.bytes, f.linktype)).status, DecodeStatus::kOk);
    CheckPrefixes(decoder, f, false);
    CheckPrefixes(decoder, f, true);
  }
}

// Random byte flips on valid frames: whatever the decoder says, it must not over-read.
TEST(DecoderPrefixes, MutatedFramesNeverOverRead) {
  const auto frames = FramesFromGeneratedPcaps();
  metrics::CounterSet counters;
  Decoder decoder(counters);
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 20; ++round) {
    for (const Frame& f : frames) {
      if (f.bytes.empty()) continue;
      Bytes m = f.bytes;
      for (int k = 0; k < 3; ++k) m[next() % m.size()] = static_cast<std::uint8_t>(next());
      auto buf = std::make_unique<std::uint8_t[]>(m.size());
      std::copy(m.begin(), m.end(), buf.get());
      capture::RawPacket raw;
      raw.data = buf.get();
      raw.caplen = raw.wire_len = static_cast<std::uint32_t>(m.size());
      raw.linktype = f.linktype;
      const DecodedPacket d = decoder.Decode(raw);
      if (d.payload != nullptr) {
        ASSERT_LE(d.payload + d.payload_len, buf.get() + m.size());
      }
    }
  }
}

}  // namespace
}  // namespace vigie::decode
