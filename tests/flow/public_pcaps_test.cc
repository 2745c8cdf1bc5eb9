// Real-world captures (../shared/pcaps-public, not in the repository): every TCP stream that
// Vigie rebuilds must carry exactly the bytes tshark's "follow tcp" rebuilds. Skipped when the
// captures or tshark are absent.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pcap_replay.h"

namespace vigie::flow {
namespace {

std::string Run(const std::string& cmd) {
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
};

std::vector<TsharkStream> TsharkFollow(const std::string& pcap) {
  std::vector<TsharkStream> out;
  std::string ids = Run("tshark -r '" + pcap + "' -T fields -e tcp.stream 2>/dev/null");
  int max_id = -1;
  std::istringstream is(ids);
  for (std::string line; std::getline(is, line);)
    if (!line.empty()) max_id = std::max(max_id, std::atoi(line.c_str()));
  if (max_id < 0) return out;
  std::string cmd = "tshark -r '" + pcap + "' -q";
  for (int i = 0; i <= max_id; ++i) cmd += " -z follow,tcp,raw," + std::to_string(i);
  std::istringstream fs(Run(cmd + " 2>/dev/null"));
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
      for (std::size_t i = b; i + 1 < line.size(); i += 2)
        cur->data[side] += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
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
  if (Run("command -v tshark").empty()) GTEST_SKIP() << "tshark not installed";
  // Streams where tshark and a target-based reassembler legitimately disagree.
  const std::set<std::string> known = {
      "suricata-verify/tcp-overlap.pcap",  // GOOD vs EVIL exact overlap: policy-dependent
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
    const auto ts = TsharkFollow((dir / file).string());
    if (ts.empty()) continue;
    ++files;
    const auto flows = testing::Replay((dir / file).string(), FlowConfig{});
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
          const std::string& want = t.data[d == 0 ? to_server_side : 1 - to_server_side];
          if (Sha256Hex(want) != f.dir[d].hex) {
            ++mismatches;
            ADD_FAILURE() << file << " " << c << " -> " << s << (d == 0 ? " to_server" : " to_client")
                          << ": tshark " << want.size() << " bytes, vigie " << f.dir[d].bytes << " bytes + "
                          << f.dir[d].gap_bytes << " gap";
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
