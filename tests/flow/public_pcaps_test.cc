// Real-world captures (../shared/pcaps-public, not in the repository): every TCP stream that
// Vigie rebuilds must carry exactly the bytes tshark's "follow tcp" rebuilds. Skipped when the
// captures or tshark are absent.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <cctype>
#include <sstream>

#include "pcap_replay.h"

namespace vigie::flow {
namespace {

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 65536> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  pclose(f);
  return out;
}

std::string Sha256Hex(const std::string& data) {
  testing::EvpCtx ctx;
  EVP_DigestUpdate(ctx.ctx, data.data(), data.size());
  return ctx.Hex();
}

struct TsharkStream {
  std::string node[2];   // "ip:port" ("[v6]:port")
  std::string data[2];   // bytes sent by node 0 / node 1
  std::uint64_t gap[2] = {0, 0};  // tshark's "[N bytes missing in capture file]" markers
};

// `streams`: how many TCP streams to ask for (tshark prints empty blocks past the last one).
std::vector<TsharkStream> TsharkFollow(const std::string& pcap, int streams) {
  std::vector<TsharkStream> out;
  const int max_id = streams - 1;
  std::string cmd = "tshark -r '" + pcap + "' -q";
  for (int i = 0; i <= max_id; ++i) cmd += " -z follow,tcp,raw," + std::to_string(i);
  std::istringstream fs(RunCommand(cmd + " 2>/dev/null"));
  TsharkStream* cur = nullptr;
  for (std::string line; std::getline(fs, line);) {
    if (line.starts_with("Follow:")) {
      out.emplace_back();
      cur = &out.back();
    } else if (!cur || line.starts_with("=") || line.starts_with("Filter:")) {
      continue;
    } else if (line.starts_with("Node 0: ")) {
      cur->node[0] = line.substr(8);
    } else if (line.starts_with("Node 1: ")) {
      cur->node[1] = line.substr(8);
    } else if (!line.empty()) {
      const int side = line[0] == '\t' ? 1 : 0;
      const std::size_t b = line.find_first_not_of('\t');
      std::string chunk;
      for (std::size_t i = b; i + 1 < line.size(); i += 2)
        chunk += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
      unsigned long missing = 0;
      char tail[64] = {0};
      if (std::sscanf(chunk.c_str(), "[%lu bytes missing in capture file%63[]]", &missing, tail) == 2) {
        cur->gap[side] += missing;  // tshark writes its gap notice into the raw stream
      } else {
        cur->data[side] += chunk;
      }
    }
  }
  return out;
}

std::string Ep(const std::string& ip, std::uint16_t port) {
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

TEST(PublicPcaps, StreamsMatchTsharkFollow) {
  const std::filesystem::path dir = VIGIE_PUBLIC_PCAPS;
  std::ifstream manifest(dir / "MANIFEST.tsv");
  if (!manifest) GTEST_SKIP() << "no " << dir << "/MANIFEST.tsv";
  if (RunCommand("command -v tshark").empty()) GTEST_SKIP() << "tshark not installed";
  // Captures where tshark and Vigie legitimately disagree (not reassembly bugs).
  const std::set<std::string> known = {
      // Exact overlap "GOOD" then "EVIL": the result is policy-dependent by design.
      "suricata-verify/tcp-overlap.pcap",
      // Evasion capture: a segment whose IP total length exceeds the frame is dropped by the
      // decoder (as the receiving host drops it); tshark keeps the partial bytes, and the
      // retransmissions carry different data.
      "zeek/tcp-reassembly-inconsistent-rexmit.pcap",
  };
  // By default only the captures about TCP itself (about 40 files, ~30 s with tshark);
  // VIGIE_TSHARK_COMPARE=all compares every TCP capture.
  const char* mode = std::getenv("VIGIE_TSHARK_COMPARE");
  const bool all = mode != nullptr && std::string(mode) == "all";
  auto tcp_topic = [](std::string text) {
    for (auto& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const char* k : {"gap", "overlap", "out-of-order", "retransmi", "mid-stream", "midstream", "one-sided",
                          "segment"})
      if (text.find(k) != std::string::npos) return true;
    return false;
  };
  int files = 0, streams = 0, mismatches = 0;
  std::string line;
  std::getline(manifest, line);  // header
  while (std::getline(manifest, line)) {
    std::vector<std::string> col;
    std::istringstream ls(line);
    for (std::string c; std::getline(ls, c, '\t');) col.push_back(c);
    if (col.size() < 13) continue;
    const std::string& file = col[0];
    if (col[8] != "pcap-LE-usec" || col[12] != "ok" || col[11].find("tcp") == std::string::npos) continue;
    if (std::atoi(col[10].c_str()) > 20000 || known.count(file)) continue;
    if (!all && !tcp_topic(col[6])) continue;
    int fragments = 0;
    const auto flows = testing::Replay((dir / file).string(), FlowConfig{}, nullptr, &fragments);
    int tcp_flows = 0;
    for (const auto& [id, f] : flows) tcp_flows += f.proto == 6;
    if (tcp_flows == 0 || fragments > 0) continue;  // IP defragmentation is the pipeline's job
    const auto ts = TsharkFollow((dir / file).string(), tcp_flows + 2);
    ++files;
    for (const auto& t : ts) {
      for (const auto& [id, f] : flows) {
        if (f.proto != 6) continue;
        const std::string c = Ep(f.client, f.cport), s = Ep(f.server, f.sport);
        int to_server_side = -1;
        if (t.node[0] == c && t.node[1] == s) to_server_side = 0;
        if (t.node[0] == s && t.node[1] == c) to_server_side = 1;
        if (to_server_side < 0) continue;
        ++streams;
        for (int d = 0; d < 2; ++d) {
          const int side = d == 0 ? to_server_side : 1 - to_server_side;
          const std::string& want = t.data[side];
          if (Sha256Hex(want) != f.dir[d].hex || t.gap[side] != f.dir[d].gap_bytes) {
            std::size_t diff = 0;
            while (diff < want.size() && diff < f.dir[d].content.size() && want[diff] == f.dir[d].content[diff]) ++diff;
            ++mismatches;
            ADD_FAILURE() << file << " " << c << " -> " << s << (d == 0 ? " to_server" : " to_client")
                          << ": tshark " << want.size() << " bytes + " << t.gap[side] << " gap, vigie "
                          << f.dir[d].bytes << " bytes + " << f.dir[d].gap_bytes << " gap; first difference at "
                          << diff;
          }
        }
        break;
      }
    }
  }
  std::printf("public pcaps: %d files, %d TCP streams compared, %d mismatching directions\n", files, streams,
              mismatches);
  EXPECT_GT(streams, 0);
}

}  // namespace
}  // namespace vigie::flow
