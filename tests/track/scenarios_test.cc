// The scenarios driven as event sequences (no pcap at this level).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>

#include "alert/alert_json.h"
#include "track_test_util.h"

namespace vigie::track {
namespace {

using namespace testing;
using alert::EntityKind;
namespace fs = std::filesystem;

using Step = std::function<void(Tracker&)>;

// Scenario 1: 25 advisors each read a few dozen single records over the working day; advisor
// 42 pages through 12 000 records between 14:00 and 15:00.
std::vector<std::pair<Timestamp, Step>> ScenarioOne() {
  std::vector<std::pair<Timestamp, Step>> steps;
  std::uint64_t person = 0;
  for (int a = 0; a < 25; ++a) {
    for (int k = 0; k < 36; ++k) {
      Timestamp ts = kT0 + 8 * kHour + a * Seconds(7) + k * Seconds(15 * 60);  // 08:00–17:00
      std::uint64_t p = person++;
      steps.emplace_back(ts, [=](Tracker& t) { t.OnTransaction(Download(ts, Account(a), Workstation(a), p, 1)); });
    }
  }
  for (int page = 0; page < 120; ++page) {
    Timestamp ts = kT0 + 14 * kHour + page * Seconds(30);
    steps.emplace_back(ts, [=](Tracker& t) {
      t.OnTransaction(Download(ts, Account(42), Workstation(42), 5'000'000 + 100ull * page, 100));
    });
  }
  for (int m = 0; m <= 24 * 12; ++m) {  // the pipeline's periodic Advance, every 5 min
    Timestamp ts = kT0 + m * Seconds(300);
    steps.emplace_back(ts, [=](Tracker& t) { t.Advance(ts); });
  }
  std::stable_sort(steps.begin(), steps.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return steps;
}

std::set<std::string> Entities(const std::vector<alert::Alert>& alerts) {
  std::set<std::string> s;
  for (const auto& a : alerts) s.insert(std::string(alert::EntityKindName(a.entity.kind)) + ":" + a.entity.id);
  return s;
}

TEST(Scenario, OneAccountPagesThroughTwelveThousandRecords) {
  Harness h;
  for (auto& [ts, step] : ScenarioOne()) step(h.tracker);
  auto alerts = h.Alerts();
  EXPECT_EQ(Entities(alerts), (std::set<std::string>{"account:" + Account(42), "ip:" + Workstation(42)}));
  // Normal advisors are known and quiet.
  auto st = h.tracker.Stats(EntityKind::kAccount, Account(3));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->distinct_24h, 36u);
  // A handful of escalating alerts, not hundreds.
  EXPECT_GE(alerts.size(), 8u);
  EXPECT_LE(alerts.size(), 20u);
  std::size_t bulk = 0;
  for (const auto& a : alerts) bulk += a.rule == "pii.bulk_transfer";
  EXPECT_EQ(bulk, 1u);
}

TEST(Scenario, SlowDripOverAMonthAlertsNormalsNever) {
  Harness h;
  std::uint64_t person = 0;
  Timestamp first_alert = 0;
  for (int day = 0; day < 30; ++day) {
    for (int a = 0; a < 25; ++a)
      for (int k = 0; k < 36; ++k) {
        Timestamp ts = kT0 + day * kDay + 8 * kHour + a * Seconds(7) + k * Seconds(15 * 60);
        h.tracker.OnTransaction(Download(ts, Account(a), Workstation(a), person++, 1));
      }
    // Advisor 7 (in the same office) reads 40 people an hour, day and night, in pages of 10.
    for (int q = 0; q < 24 * 4; ++q) {
      Timestamp ts = kT0 + day * kDay + q * Seconds(900) + Seconds(3);
      h.tracker.OnTransaction(Download(ts, Account(7) + "-drip", Workstation(30), 50'000'000 + person, 10));
      person += 10;
      if (q % 4 == 0) h.tracker.Advance(ts);
    }
    if (first_alert == 0 && !h.Alerts().empty()) first_alert = h.Alerts()[0].ts;
  }
  auto alerts = h.Alerts();
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(Entities(alerts), (std::set<std::string>{"account:" + Account(7) + "-drip", "ip:" + Workstation(30)}));
  bool thirty = false, peer = false;
  for (const auto& a : alerts) {
    EXPECT_EQ(a.rule, "exfil.entity_records");
    thirty |= a.window == "30d";
    peer |= a.window == "24h" && a.severity == alert::Severity::kMedium;  // 960/day vs median 36
  }
  EXPECT_TRUE(thirty);  // 10 000 people reached on day 11
  EXPECT_TRUE(peer);
  EXPECT_LT(first_alert, kT0 + 2 * kDay);
  // Persistent exfiltration re-alerts once per window length: the daily peer alert (30 days ×
  // account + workstation) plus the 30-day threshold crossings (10 000, 20 000).
  std::size_t peer_alerts = 0, other = 0;
  for (const auto& a : alerts) (a.severity == alert::Severity::kMedium ? peer_alerts : other)++;
  EXPECT_LE(peer_alerts, 2u * 30);
  EXPECT_LE(other, 2u * 3);
}

TEST(Scenario, DashboardPollingSameRecordsAllDayIsQuiet) {
  Harness h;
  for (int m = 0; m < 24 * 60; ++m) {
    Timestamp ts = kT0 + m * kMinute;
    h.tracker.OnTransaction(Download(ts, "dashboard", "10.20.5.5", 777, 25));
    if (m % 5 == 0) h.tracker.Advance(ts);
  }
  EXPECT_TRUE(h.Alerts().empty());
  auto st = h.tracker.Stats(EntityKind::kAccount, "dashboard");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->distinct_24h, 25u);
  EXPECT_EQ(st->txn_24h, 24u * 60);
}

std::string Fingerprint(const alert::Alert& a) {
  alert::Alert b = a;
  return alert::ToJson(b);
}

TEST(Scenario, SnapshotMidSequenceGivesSameAlerts) {
  auto steps = ScenarioOne();
  Harness straight;
  for (auto& [ts, step] : steps) step(straight.tracker);

  std::string dir = ::testing::TempDir() + "/h6_scenario6_" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Timestamp cut = kT0 + 14 * kHour + 50 * kMinute;  // in the middle of the paging (HLL mode)
  std::vector<alert::Alert> resumed;
  {
    Harness first;
    for (auto& [ts, step] : steps)
      if (ts < cut) step(first.tracker);
    ASSERT_TRUE(first.tracker.SaveSnapshot(dir));
    resumed = first.Alerts();
  }
  Harness second;
  ASSERT_TRUE(second.tracker.LoadSnapshot(dir));
  for (auto& [ts, step] : steps)
    if (ts >= cut) step(second.tracker);
  for (auto& a : second.Alerts()) resumed.push_back(a);

  auto expect = straight.Alerts();
  ASSERT_EQ(resumed.size(), expect.size());
  for (std::size_t i = 0; i < expect.size(); ++i) EXPECT_EQ(Fingerprint(resumed[i]), Fingerprint(expect[i])) << i;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigie::track
