// Every public capture in $VIGIE_PUBLIC_PCAPS (../shared/pcaps-public) is read and decoded
// without a crash; packet counts match MANIFEST.tsv, and per-file TCP/UDP counts match tshark's.
#include <cstdio>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.h"
#include "decode/replay_util.h"

namespace vigie::decode {
namespace {

namespace fs = std::filesystem;

struct ManifestRow {
  std::string file;
  std::string packets;  // "-" for files that must be rejected
  std::string tshark_status;
  std::string exercises;
};

fs::path PublicDir() { return fs::path(VIGIE_PUBLIC_PCAPS); }

std::vector<ManifestRow> ReadManifest() {
  std::vector<ManifestRow> rows;
  std::ifstream in(PublicDir() / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
    if (cols.size() < 13) continue;
    rows.push_back({cols[0], cols[10], cols[12], cols[6]});
  }
  return rows;
}

TEST(PublicPcaps, EveryFileDecodesWithoutCrash) {
  if (!fs::exists(PublicDir() / "MANIFEST.tsv")) GTEST_SKIP() << "no public captures at " << PublicDir();
  const auto rows = ReadManifest();
  ASSERT_GT(rows.size(), 100u);
  std::uint64_t total_frames = 0, total_ok = 0, total_anomalies = 0, total_fragments = 0, total_not_ip = 0;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.file);
    const std::string path = (PublicDir() / row.file).string();
    metrics::CounterSet counters;
    if (row.tshark_status.rfind("\"EXPECTED-REJECT", 0) == 0 || row.tshark_status.rfind("EXPECTED-REJECT", 0) == 0) {
      EXPECT_THROW(testing::Replay(path, counters), StartupError);
      continue;
    }
    const testing::Tally t = testing::Replay(path, counters);
    EXPECT_EQ(std::to_string(t.frames), row.packets);
    // Each frame ends up in exactly one bucket (fragments either held or counted later).
    EXPECT_LE(t.ok + t.not_ip + t.anomalies, t.frames);
    EXPECT_GE(t.ok + t.not_ip + t.anomalies + t.fragments, t.frames);
    total_frames += t.frames;
    total_ok += t.ok;
    total_anomalies += t.anomalies;
    total_fragments += t.fragments;
    total_not_ip += t.not_ip;
  }
  // Almost everything in this corpus is well-formed; the anomalies are the deliberately broken
  // files (truncated headers, ERSPAN frame type 7, inconsistent fragments): about 1%.
  EXPECT_GT(total_ok + total_fragments + total_not_ip, total_frames * 97 / 100);
  EXPECT_LT(total_anomalies, total_frames / 50);
  EXPECT_GT(total_anomalies, 0u);
}

// tshark's view, one run per file: frames with a TCP (resp. UDP) layer, except where it sits
// inside an ICMP error quote, and not counting VXLAN's outer UDP (we report the inner packet).
// Reassembled fragments agree (tshark shows L4 on the last fragment, we on the datagram).
struct TsharkCounts {
  std::uint64_t tcp = 0, udp = 0;
  bool ok = false;
};

TsharkCounts Tshark(const std::string& path) {
  TsharkCounts c;
  const std::string cmd = "tshark -n -r '" + path + "' -T fields -e frame.protocols 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return c;
  char line[4096];
  while (std::fgets(line, sizeof(line), p)) {
    std::set<std::string> layers;
    std::stringstream ss(std::string(line, std::strcspn(line, "\n")));
    std::string tok;
    while (std::getline(ss, tok, ':')) layers.insert(tok);
    const bool icmp = layers.count("icmp") || layers.count("icmpv6");
    if (layers.count("tcp") && !icmp) ++c.tcp;
    if (layers.count("udp") && !icmp && !layers.count("vxlan")) ++c.udp;
  }
  c.ok = pclose(p) == 0;
  return c;
}

TEST(PublicPcaps, TcpUdpCountsMatchTshark) {
  if (!fs::exists(PublicDir() / "MANIFEST.tsv")) GTEST_SKIP() << "no public captures";
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  // Link layers and tunnels where both tools must agree packet for packet.
  const char* files[] = {
      "zeek/http-vlan.pcap",           "zeek/http-qinq.pcap",           "zeek/vlan-qinqinq.pcap",
      "zeek/mixed-vlan-mpls.pcap",     "zeek/pppoe-over-qinq.pcap",     "zeek/vxlan-encapsulated-http.pcap",
      "zeek/gre-erspan3-dot1q.pcap",   "zeek/tunnel-6in4.pcap",         "zeek/tunnel-4in6.pcap",
      "zeek/http-te-cl-desync.pcap",   "zeek/nflog-http.pcap",          "zeek/pcapng-multi-interface.pcapng",
      "suricata-verify/sll2-http.pcap", "suricata-verify/sll-http-post.pcap", "suricata-verify/erspan-typeI.pcap",
      "suricata-verify/http-gap-simple.pcap", "tcpdump/tcp-handshake-nano.pcap", "tcpdump/pptp-bigendian.pcap",
      "tcpdump/LINKTYPE_RAW_ipv6.pcap", "tcpdump/ipv6-routing-header.pcap", "zeek/ipv6-http-atomic-frag.pcap",
      "chrissanders-packets/http_ip4and6.pcapng", "zeek/erspan-http-frag.pcap", "suricata-verify/defrag-vlan-ipv6-tcp.pcap",
      "zeek/ipv4-fragmented-syn.pcap", "tcpdump/various_gre.pcap", "zeek/gre-within-gre.pcap",
  };
  for (const char* f : files) {
    SCOPED_TRACE(f);
    const std::string path = (PublicDir() / f).string();
    metrics::CounterSet counters;
    const testing::Tally t = testing::Replay(path, counters);
    const auto count = [&](const char* l4) {
      const auto it = t.l4.find(l4);
      return it == t.l4.end() ? 0 : it->second;
    };
    const TsharkCounts want = Tshark(path);
    ASSERT_TRUE(want.ok);
    EXPECT_EQ(count("tcp"), want.tcp);
    EXPECT_EQ(count("udp"), want.udp);
  }
}

// Known facts about particular files (from MANIFEST.tsv's `exercises` column).
TEST(PublicPcaps, KnownEdgeCases) {
  if (!fs::exists(PublicDir() / "MANIFEST.tsv")) GTEST_SKIP() << "no public captures";
  const auto run = [](const char* f) {
    metrics::CounterSet counters;
    return testing::Replay((PublicDir() / f).string(), counters);
  };
  // BIG TCP: IPv4 total length 0 / IPv6 payload length 0 + jumbo hop-by-hop, ~80 KB frames.
  for (const char* f : {"tcpdump/bigtcp-ipv4.pcap", "tcpdump/bigtcp-ipv6-hbh.pcap"}) {
    SCOPED_TRACE(f);
    const auto t = run(f);
    EXPECT_EQ(t.l4.at("tcp"), 1u);
    EXPECT_GT(t.max_payload, 65535u);
  }
  // 65535-byte IPv4/UDP datagram in 1024 fragments over GRE/PPP: one datagram, full payload.
  auto t = run("suricata-verify/defrag-gre-ppp-max-ip-packet.pcap");
  EXPECT_EQ(t.fragments, 1024u);
  EXPECT_EQ(t.datagrams, 1u);
  EXPECT_EQ(t.l4.at("udp"), 1u);
  EXPECT_EQ(t.max_payload, 65535u - 20 - 8);
  // Reassembled size past 65535: dropped, counted.
  t = run("suricata-verify/ipv6-frag-oversize.pcap");
  EXPECT_EQ(t.anomaly_reasons.at("defrag_oversize"), 1u);
  EXPECT_EQ(t.datagrams, 0u);
  // 2107-01-01T00:00:00Z needs more than 32 bits of seconds.
  t = run("tcpdump/time_2107.pcapng");
  ASSERT_EQ(t.timestamps.size(), 1u);
  EXPECT_EQ(t.timestamps[0], Seconds(4323283200));
  // ERSPAN type III frame type 7 is not Ethernet: refused, never misparsed.
  t = run("tcpdump/erspan-type-iii-ft-7.pcap");
  EXPECT_EQ(t.anomaly_reasons.at("erspan_unsupported"), t.frames);
  // Fragmented TCP SYN whose TCP header is split across fragments (inside a VLAN).
  t = run("suricata-verify/defrag-vlan-ipv4-tcp-syn.pcap");
  EXPECT_EQ(t.datagrams, 1u);
  EXPECT_EQ(t.l4.at("tcp"), 1u);
  // Fuzzer reproducers: anomalies, nothing decoded.
  for (const char* f : {"tcpdump/ip6_frag_asan.pcap", "tcpdump/tcp_header_heapoverflow.pcap", "zeek/trunc-ip4.pcap"}) {
    SCOPED_TRACE(f);
    t = run(f);
    EXPECT_EQ(t.anomalies, t.frames);
  }
}

}  // namespace
}  // namespace vigie::decode
