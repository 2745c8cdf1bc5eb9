// Every capture made by tests/tools/scenarios/decode_*.py decodes to what its sidecar says.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "decode/replay_util.h"

namespace vigie::decode {
namespace {

namespace fs = std::filesystem;
using testing::FlowId;
using testing::Replay;
using testing::Tally;

std::vector<fs::path> Sidecars() {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(VIGIE_SOURCE_DIR) / "pcaps";
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("decode_", 0) == 0 && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GeneratedPcaps, SidecarsExist) {
  // make_pcaps.py writes 20 decode_* captures with sidecars; a missing one is a packaging bug.
  EXPECT_GE(Sidecars().size(), 20u);
}

TEST(GeneratedPcaps, DecodeAsExpected) {
  for (const fs::path& side : Sidecars()) {
    SCOPED_TRACE(side.filename().string());
    std::ifstream in(side);
    const nlohmann::json j = nlohmann::json::parse(in);
    const std::string pcap = side.parent_path() / side.stem();  // strip ".json"
    metrics::CounterSet counters;
    IpDefragmenter defrag(DefragConfig{}, counters);
    const Tally t = Replay(pcap, counters, &defrag);

    EXPECT_EQ(t.frames, j["packets"].get<std::uint64_t>());
    const auto& d = j["decode"];
    for (const char* l4 : {"tcp", "udp", "icmp", "other"}) {
      const auto it = t.l4.find(l4);
      EXPECT_EQ(it == t.l4.end() ? 0 : it->second, d[l4].get<std::uint64_t>()) << l4;
    }
    EXPECT_EQ(t.fragments, d["fragments"].get<std::uint64_t>());
    EXPECT_EQ(t.not_ip, d["not_ip"].get<std::uint64_t>());
    std::map<std::string, std::uint64_t> want_anomalies;
    for (const auto& [k, v] : j["anomalies"].items()) want_anomalies[k] = v.get<std::uint64_t>();
    EXPECT_EQ(t.anomaly_reasons, want_anomalies);

    EXPECT_EQ(t.datagrams, j["defrag"]["datagrams"].get<std::uint64_t>());
    EXPECT_EQ(t.timestamps, j["timestamps_ns"].get<std::vector<Timestamp>>());

    std::map<FlowId, testing::FlowTally> want_flows;
    for (const auto& f : j["flows"]) {
      const auto src = IpAddr::Parse(f["src"].get<std::string>());
      const auto dst = IpAddr::Parse(f["dst"].get<std::string>());
      ASSERT_TRUE(src && dst);
      auto& w = want_flows[FlowId{f["proto"].get<int>(), *src, f["sport"].get<int>(), *dst, f["dport"].get<int>(),
                                  f["vlan"].get<int>()}];
      w.packets = f["packets"].get<std::uint64_t>();
      w.bytes = f["bytes"].get<std::uint64_t>();
    }
    ASSERT_EQ(t.flows.size(), want_flows.size());
    for (const auto& [id, w] : want_flows) {
      const auto it = t.flows.find(id);
      ASSERT_NE(it, t.flows.end()) << "missing flow proto=" << std::get<0>(id) << " " << std::get<1>(id).ToString()
                                   << ":" << std::get<2>(id) << " -> " << std::get<3>(id).ToString() << ":"
                                   << std::get<4>(id);
      EXPECT_EQ(it->second.packets, w.packets);
      EXPECT_EQ(it->second.bytes, w.bytes);
    }

    // Overlaps as counted by the defragmenter, and timeouts once packet time moves on.
    metrics::Cell& overlaps = counters.Counter("vigie_defrag_overlaps_total", "");
    EXPECT_EQ(overlaps.Get(), j["defrag"]["overlaps"].get<std::int64_t>());
    defrag.Expire(t.timestamps.empty() ? 0 : t.timestamps.back() + Seconds(31));
    EXPECT_EQ(counters.Counter("vigie_defrag_timeouts_total", "").Get(), j["defrag"]["timeouts"].get<std::int64_t>());
    EXPECT_EQ(defrag.pending(), 0u);
    EXPECT_EQ(defrag.memory_bytes(), 0u);
  }
}

}  // namespace
}  // namespace vigie::decode
