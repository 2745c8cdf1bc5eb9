#include "capture/pcap_file_source.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capture/live_source.h"
#include "core/error.h"

namespace vigie::capture {
namespace {

namespace fs = std::filesystem;

std::string Pcap(const std::string& name) { return std::string(VIGIE_SOURCE_DIR) + "/pcaps/" + name; }

std::vector<Timestamp> SidecarTimestamps(const std::string& name) {
  std::ifstream in(Pcap(name) + ".json");
  return nlohmann::json::parse(in)["timestamps_ns"].get<std::vector<Timestamp>>();
}

struct ReadAll {
  std::vector<RawPacket> packets;
  std::vector<std::vector<std::uint8_t>> bytes;
};

ReadAll Drain(PacketSource& src) {
  ReadAll all;
  for (;;) {
    const ReadResult r = src.Next();
    if (r.status != ReadStatus::kPacket) {
      EXPECT_EQ(r.status, ReadStatus::kEnd);
      break;
    }
    all.packets.push_back(r.packet);
    all.bytes.emplace_back(r.packet.data, r.packet.data + r.packet.caplen);
  }
  EXPECT_EQ(src.Next().status, ReadStatus::kEnd);  // stays at the end
  return all;
}

std::int64_t Cell(metrics::CounterSet& c, const char* name) { return c.Counter(name, "", {{"iface", "file"}}).Get(); }

class FormatTest : public ::testing::TestWithParam<const char*> {};

// Same four frames, same nanosecond timestamps (µs files: truncated to µs), whatever the format.
TEST_P(FormatTest, TimestampsAndCounts) {
  metrics::CounterSet counters;
  PcapFileSource src(Pcap(GetParam()), counters);
  EXPECT_EQ(src.linktype(), 1);
  EXPECT_EQ(src.name(), Pcap(GetParam()));
  const ReadAll all = Drain(src);
  const auto want = SidecarTimestamps(GetParam());
  ASSERT_EQ(all.packets.size(), want.size());
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(all.packets[i].ts, want[i]) << i;
    EXPECT_EQ(all.packets[i].caplen, all.packets[i].wire_len);
    EXPECT_EQ(all.bytes[i][0], 0x02);  // generator MACs start 02: the frame bytes came through
    bytes += all.packets[i].wire_len;
  }
  EXPECT_EQ(Cell(counters, "vigie_capture_packets_total"), static_cast<std::int64_t>(want.size()));
  EXPECT_EQ(Cell(counters, "vigie_capture_bytes_total"), static_cast<std::int64_t>(bytes));
  EXPECT_EQ(src.Stats().packets, want.size());
  EXPECT_EQ(src.Stats().bytes, bytes);
  EXPECT_EQ(Cell(counters, "vigie_capture_truncated_total"), 0);
}

INSTANTIATE_TEST_SUITE_P(Formats, FormatTest,
                         ::testing::Values("decode_be_usec.pcap", "decode_le_nsec.pcap", "decode_be_nsec.pcap",
                                           "decode_multi_iface.pcapng", "decode_vlan.pcap"));

TEST(PcapFileSource, NanosecondsArePreserved) {
  metrics::CounterSet counters;
  PcapFileSource src(Pcap("decode_le_nsec.pcap"), counters);
  const ReadResult r = src.Next();
  ASSERT_EQ(r.status, ReadStatus::kPacket);
  EXPECT_EQ(r.packet.ts % 1000, 789);  // T0 = ….123456789 s
}

TEST(PcapFileSource, WireLengthKeptWhenSnaplenCut) {
  const fs::path p = fs::temp_directory_path() / ("h1_snap_" + std::to_string(getpid()) + ".pcap");
  {
    std::ofstream f(p, std::ios::binary);
    const std::uint32_t hdr[] = {0xa1b2c3d4, 0x00040002, 0, 0, 64, 1};
    f.write(reinterpret_cast<const char*>(hdr), sizeof(hdr));
    const std::uint32_t rec[] = {1, 2, 64, 1500};
    f.write(reinterpret_cast<const char*>(rec), sizeof(rec));
    const std::string data(64, 'x');
    f.write(data.data(), 64);
  }
  metrics::CounterSet counters;
  PcapFileSource src(p.string(), counters);
  const ReadResult r = src.Next();
  ASSERT_EQ(r.status, ReadStatus::kPacket);
  EXPECT_EQ(r.packet.caplen, 64u);
  EXPECT_EQ(r.packet.wire_len, 1500u);
  EXPECT_EQ(r.packet.ts, Seconds(1) + 2000);
  EXPECT_EQ(Cell(counters, "vigie_capture_bytes_total"), 1500);
  fs::remove(p);
}

TEST(PcapFileSource, TruncatedLastRecordIsCountedNotFatal) {
  metrics::CounterSet counters;
  PcapFileSource src(Pcap("decode_truncated.pcap"), counters);
  const ReadAll all = Drain(src);
  EXPECT_EQ(all.packets.size(), 3u);
  EXPECT_EQ(Cell(counters, "vigie_capture_truncated_total"), 1);
  EXPECT_EQ(Cell(counters, "vigie_capture_read_errors_total"), 0);
  EXPECT_EQ(src.Stats().truncated, 1u);
  EXPECT_NE(src.last_error().find("truncated"), std::string::npos);
}

TEST(PcapFileSource, PcapngSecondLinkTypeStopsReading) {
  // libpcap 1.10 refuses an IDB whose link type differs from the first: the packets before it
  // are delivered, then reading stops with a counted read error (documented in README).
  metrics::CounterSet counters;
  PcapFileSource src(Pcap("decode_multi_linktype.pcapng"), counters);
  const ReadAll all = Drain(src);
  EXPECT_EQ(all.packets.size(), 2u);
  EXPECT_EQ(Cell(counters, "vigie_capture_read_errors_total"), 1);
  EXPECT_NE(src.last_error().find("different from the type"), std::string::npos);
}

TEST(PcapFileSource, MissingFileIsStartupErrorNamingTheFile) {
  metrics::CounterSet counters;
  try {
    PcapFileSource src("/nonexistent/h1/capture.pcap", counters);
    FAIL() << "no exception";
  } catch (const StartupError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("/nonexistent/h1/capture.pcap"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

TEST(PcapFileSource, TextFileIsStartupError) {
  metrics::CounterSet counters;
  const std::string readme = std::string(VIGIE_SOURCE_DIR) + "/tests/tools/make_pcaps.py";
  try {
    PcapFileSource src(readme, counters);
    FAIL() << "no exception";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("make_pcaps.py"), std::string::npos) << e.what();
  }
}

TEST(PcapFileSource, EmptyAndCorruptHeadersAreStartupErrors) {
  const fs::path p = fs::temp_directory_path() / ("h1_bad_" + std::to_string(getpid()) + ".pcap");
  metrics::CounterSet counters;
  { std::ofstream f(p, std::ios::binary); }
  EXPECT_THROW(PcapFileSource(p.string(), counters), StartupError);
  {
    std::ofstream f(p, std::ios::binary);
    const std::uint32_t hdr[] = {0xa1b2c3d4, 0x00040001, 0, 0, 65535, 1};  // version 1.4
    f.write(reinterpret_cast<const char*>(hdr), sizeof(hdr));
  }
  EXPECT_THROW(PcapFileSource(p.string(), counters), StartupError);
  {
    std::ofstream f(p, std::ios::binary);
    const std::uint32_t hdr[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 0x00300001};  // reserved bits
    f.write(reinterpret_cast<const char*>(hdr), sizeof(hdr));
  }
  EXPECT_THROW(PcapFileSource(p.string(), counters), StartupError);
  fs::remove(p);
}

TEST(PcapFileSource, BreakLoopEndsReading) {
  metrics::CounterSet counters;
  PcapFileSource src(Pcap("decode_vlan.pcap"), counters);
  ASSERT_EQ(src.Next().status, ReadStatus::kPacket);
  src.BreakLoop();
  EXPECT_EQ(src.Next().status, ReadStatus::kEnd);
}

// The mapped reader of classic pcap files against libpcap's own reader, on crafted files: both
// byte orders, µs and ns, a record longer than the snapshot length, caplen > len, an oversized
// caplen, truncated headers and data. Same packets, same bytes, same error counters and text.
TEST(PcapFileSource, MappedReaderEqualsLibpcap) {
  struct Rec {
    std::uint32_t sec, frac, caplen, len;
    std::size_t present;  // bytes of data actually written (< caplen: truncated file)
  };
  auto put32 = [](std::string& s, std::uint32_t v, bool big) {
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(big ? v >> (24 - 8 * i) : v >> (8 * i)));
  };
  auto file = [&](bool big, bool nanos, std::uint32_t snaplen, const std::vector<Rec>& recs, std::size_t cut_header) {
    std::string s;
    put32(s, nanos ? 0xa1b23c4du : 0xa1b2c3d4u, big);
    s += big ? std::string("\x00\x02\x00\x04", 4) : std::string("\x02\x00\x04\x00", 4);
    put32(s, 0, big);
    put32(s, 0, big);
    put32(s, snaplen, big);
    put32(s, 1, big);
    std::uint8_t b = 0;
    for (const Rec& r : recs) {
      put32(s, r.sec, big);
      put32(s, r.frac, big);
      put32(s, r.caplen, big);
      put32(s, r.len, big);
      for (std::size_t i = 0; i < r.present; ++i) s.push_back(static_cast<char>(b++));
    }
    if (cut_header) s.resize(s.size() - cut_header);
    return s;
  };
  const std::vector<Rec> ok = {{1700000000, 5, 60, 60, 60}, {1700000001, 999999, 100, 1500, 100}, {1700000002, 7, 80, 40, 80}};
  struct Case {
    const char* what;
    std::string bytes;
    bool error;
  };
  std::vector<Case> cases;
  for (bool big : {false, true})
    for (bool nanos : {false, true}) {
      cases.push_back({"plain", file(big, nanos, 65535, ok, 0), false});
      auto longer = ok;
      longer.push_back({1700000003, 1, 300, 300, 300});  // longer than the snaplen of 200: cut
      cases.push_back({"snaplen cut", file(big, nanos, 200, longer, 0), false});
      auto trunc = ok;
      trunc.push_back({1700000004, 2, 500, 500, 120});
      cases.push_back({"truncated data", file(big, nanos, 65535, trunc, 0), true});
      cases.push_back({"truncated header", file(big, nanos, 65535, ok, 16 + 80 - 7), true});
      auto huge = ok;
      huge.push_back({1700000005, 3, 300000, 300000, 10});
      cases.push_back({"oversized caplen", file(big, nanos, 65535, huge, 0), true});
    }
  int n = 0;
  for (const Case& c : cases) {
    const fs::path p = fs::temp_directory_path() / ("vigie_mapped_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".pcap");
    std::ofstream(p, std::ios::binary) << c.bytes;
    metrics::CounterSet ca, cb;
    PcapFileSource mapped(p.string(), ca), lib(p.string(), cb, 0, false);
    EXPECT_TRUE(mapped.mapped());
    EXPECT_FALSE(lib.mapped());
    const ReadAll a = Drain(mapped), b = Drain(lib);
    ASSERT_EQ(a.packets.size(), b.packets.size()) << c.what;
    for (std::size_t i = 0; i < a.packets.size(); ++i) {
      EXPECT_EQ(a.packets[i].ts, b.packets[i].ts) << c.what << " #" << i;
      EXPECT_EQ(a.packets[i].caplen, b.packets[i].caplen) << c.what << " #" << i;
      EXPECT_EQ(a.packets[i].wire_len, b.packets[i].wire_len) << c.what << " #" << i;
      EXPECT_EQ(a.bytes[i], b.bytes[i]) << c.what << " #" << i;
    }
    EXPECT_EQ(mapped.last_error(), lib.last_error()) << c.what;
    EXPECT_EQ(mapped.last_error().empty(), !c.error) << c.what;
    EXPECT_EQ(mapped.Stats().truncated, lib.Stats().truncated) << c.what;
    EXPECT_EQ(Cell(ca, "vigie_capture_read_errors_total"), Cell(cb, "vigie_capture_read_errors_total")) << c.what;
    fs::remove(p);
  }
}

TEST(LiveSource, NonexistentInterfaceIsStartupError) {
  metrics::CounterSet counters;
  LiveConfig cfg;
  cfg.interface = "vigie-nope0";
  try {
    LiveSource src(cfg, counters);
    FAIL() << "no exception";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("vigie-nope0"), std::string::npos) << e.what();
  }
}

TEST(LiveSource, BadFilterIsStartupError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to open an interface";
  metrics::CounterSet counters;
  LiveConfig cfg;
  cfg.interface = "lo";
  cfg.bpf_filter = "tcp port banana";
  EXPECT_THROW(LiveSource(cfg, counters), StartupError);
}

TEST(LiveSource, LoopbackTimeoutAndBreak) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to open an interface";
  metrics::CounterSet counters;
  LiveConfig cfg;
  cfg.interface = "lo";
  cfg.read_timeout_ms = 20;
  cfg.bpf_filter = "udp port 9";  // nothing else gets through
  cfg.fanout_group = 4242;
  std::unique_ptr<LiveSource> src;
  try {
    src = std::make_unique<LiveSource>(cfg, counters);
  } catch (const StartupError& e) {
    GTEST_SKIP() << "cannot capture here: " << e.what();
  }
  EXPECT_EQ(src->linktype(), 1);  // DLT_EN10MB on Linux loopback
  // Send one datagram to the discard port on loopback, then read until it shows up.
  FILE* p = popen("python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                  "s.sendto(b'vigie', ('127.0.0.1', 9))\"", "r");
  ASSERT_NE(p, nullptr);
  pclose(p);
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    const ReadResult r = src->Next();
    if (r.status == ReadStatus::kPacket) seen = r.packet.caplen >= 47 && r.packet.wire_len == r.packet.caplen;
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(src->Next().status, ReadStatus::kTimeout);
  src->BreakLoop();
  EXPECT_EQ(src->Next().status, ReadStatus::kEnd);
  EXPECT_GE(src->Stats().packets, 1u);
  EXPECT_GE(counters.Counter("vigie_capture_packets_total", "", {{"iface", "lo"}}).Get(), 1);
}

}  // namespace
}  // namespace vigie::capture
