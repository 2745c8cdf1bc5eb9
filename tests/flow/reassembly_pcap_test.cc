// Replays the generated reassembly captures (pcaps/reassembly_*.pcap, built by
// tests/tools/scenarios/reassembly_streams.py) through the decoder and the flow table, and
// compares each direction's delivered bytes (SHA-256), gap bytes, packets and wire bytes with
// the capture's JSON sidecar, under every overlap policy.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "pcap_replay.h"

namespace vigie::flow {
namespace {

using testing::FlowResult;

std::vector<std::string> Captures() {
  std::vector<std::string> v;
  const std::filesystem::path dir = std::filesystem::path(VIGIE_SOURCE_DIR) / "pcaps";
  if (!std::filesystem::exists(dir)) return v;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("reassembly_") && name.ends_with(".pcap")) v.push_back(e.path().string());
  }
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ReassemblyPcaps, DeliveredStreamsMatchSidecars) {
  const auto pcaps = Captures();
  if (pcaps.empty()) GTEST_SKIP() << "no pcaps/reassembly_*.pcap (run tests/tools/make_pcaps.py)";
  int checked = 0;
  for (const auto& path : pcaps) {
    std::ifstream js(path + ".json");
    ASSERT_TRUE(js) << path << ".json";
    const nlohmann::json side = nlohmann::json::parse(js);
    ASSERT_FALSE(testing::ReadPcap(path).empty()) << path;
    for (const char* policy : {"first", "last", "linux", "windows", "bsd"}) {
      SCOPED_TRACE(path + " policy " + policy);
      FlowConfig cfg;
      cfg.overlap_policy = *ParseOverlapPolicy(policy);
      int skipped = 0;
      const auto flows = testing::Replay(path, cfg, &skipped);
      EXPECT_EQ(skipped, 0);
      ASSERT_EQ(flows.size(), side["flows"].size());
      for (const auto& fl : side["flows"]) {
        const FlowResult* r = nullptr;
        for (const auto& [id, f] : flows)
          if (f.client == fl["client"].get<std::string>() && f.cport == fl["cport"].get<int>()) r = &f;
        ASSERT_NE(r, nullptr) << "flow of client " << fl["client"];
        const char* names[2] = {"to_server", "to_client"};
        for (int d = 0; d < 2; ++d) {
          const auto& want = fl[names[d]];
          std::string sha = want["delivered_sha256"].is_object() ? want["delivered_sha256"][policy].get<std::string>()
                                                                  : want["delivered_sha256"].get<std::string>();
          EXPECT_EQ(r->dir[d].hex, sha) << names[d];
          EXPECT_EQ(r->dir[d].gap_bytes, want["gap_bytes"].get<std::uint64_t>()) << names[d];
          EXPECT_EQ(r->packets[d], fl["packets"][d].get<std::uint64_t>()) << names[d];
          EXPECT_EQ(r->wire[d], fl["wire_bytes"][d].get<std::uint64_t>()) << names[d];
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, 50);
}

}  // namespace
}  // namespace vigie::flow
