#pragma once
// Event builders for tracker tests: a France-Travail-like API (10.10.0.5:8080) and advisors'
// workstations inside 10.20.0.0/24; records are identified by 64-bit "keyed hashes".
#include <string>
#include <vector>

#include "alert/sink.h"
#include "metrics/counters.h"
#include "track/hll.h"
#include "track/tracker.h"

namespace vigie::track::testing {

// 2024-02-05T00:00:00Z, a Monday.
inline constexpr Timestamp kT0 = Seconds(1707091200);
inline constexpr Timestamp kMinute = Seconds(60);
inline constexpr Timestamp kHour = Seconds(3600);
inline constexpr Timestamp kDay = Seconds(86400);

inline IpAddr Ip(const std::string& s) { return *IpAddr::Parse(s); }

// Person n's record hash (distinct n → distinct hash).
inline std::uint64_t Person(std::uint64_t n) { return Mix64(n * 0x9E3779B97F4A7C15ULL + 12345); }

inline CidrSet HomeNet() { return *CidrSet::Parse("10.0.0.0/8"); }

// A download: the API server sends `count` people (from `first`) to the account's workstation.
inline TransactionEvent Download(Timestamp ts, const std::string& account, const std::string& client,
                                 std::uint64_t first, std::uint32_t count, const std::string& server = "10.10.0.5") {
  TransactionEvent e;
  e.ts = ts;
  e.path.src_ip = Ip(server);
  e.path.src_port = 8080;
  e.path.dest_ip = Ip(client);
  e.path.dest_port = 50000;
  e.path.proto = 6;
  e.path.community_id = "1:test=";
  e.app_proto = AppProto::kHttp;
  e.account = account;
  e.bytes = 600ull * count;
  for (std::uint32_t i = 0; i < count; ++i) e.pii.records.push_back(Person(first + i));
  e.pii.matches[static_cast<std::size_t>(match::PiiType::kNir)] = count;
  e.pii.matches[static_cast<std::size_t>(match::PiiType::kEmail)] = count;
  e.pii.excerpts = {"2 85 05 ** *** *** " + std::to_string(10 + first % 90)};
  e.detail = "GET api.example/v1/people?from=" + std::to_string(first) + " 200";
  return e;
}

inline std::string Account(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "capemploi-%04d", i);
  return buf;
}
inline std::string Workstation(int i) { return "10.20.0." + std::to_string(10 + i); }

struct Harness {
  explicit Harness(TrackConfig cfg = {}) : cfg(std::move(cfg)), tracker(this->cfg, HomeNet(), sink, metrics) {}
  TrackConfig cfg;
  alert::MemorySink sink;
  metrics::CounterSet metrics;
  Tracker tracker;

  std::vector<alert::Alert> Alerts(const std::string& rule = {}) const {
    std::vector<alert::Alert> out;
    for (auto& a : sink.alerts())
      if (rule.empty() || a.rule == rule) out.push_back(a);
    return out;
  }
  std::int64_t Metric(const std::string& name, const metrics::Labels& labels = {}) const {
    std::int64_t n = 0;
    for (const auto& s : metrics.Read())
      if (s.name == name && (labels.empty() || s.labels == labels)) n += s.value;
    return n;
  }
};

}  // namespace vigie::track::testing
