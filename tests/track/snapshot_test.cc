#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "track_test_util.h"

namespace vigie::track {
namespace {

using namespace testing;
using alert::EntityKind;
namespace fs = std::filesystem;

class Snapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/h6_snap_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A tracker with accounts in both counting modes, an IP with an outbound baseline and an
  // alert already throttled.
  void Populate(Tracker& t) {
    for (int a = 0; a < 10; ++a) t.OnTransaction(Download(kT0 + a * kMinute, Account(a), Workstation(a), 100ull * a, 20));
    for (int p = 0; p < 60; ++p) t.OnTransaction(Download(kT0 + kHour + p * Seconds(30), Account(42), Workstation(42), 10'000 + 100ull * p, 100));
    for (int d = 0; d < 9; ++d) {
      VolumeEvent v;
      v.ts = kT0 + d * kDay + 12 * kHour;
      v.path.src_ip = Ip("10.20.0.7");
      v.path.dest_ip = Ip("203.0.113.9");
      v.bytes = 5'000'000;
      v.sni = "backup.example";
      t.OnVolume(v);
    }
  }
  std::string File() const { return dir_ + "/vigie-state.bin"; }
  std::string Read() const {
    std::ifstream in(File(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& data) const {
    std::ofstream out(File(), std::ios::binary | std::ios::trunc);
    out << data;
  }
  std::string dir_;
};

TEST_F(Snapshot, RoundTripKeepsCounts) {
  Harness a;
  Populate(a.tracker);
  ASSERT_TRUE(a.tracker.SaveSnapshot(dir_));
  EXPECT_FALSE(fs::exists(File() + ".tmp"));
  Harness b;
  ASSERT_TRUE(b.tracker.LoadSnapshot(dir_));
  EXPECT_EQ(b.tracker.entity_count(), a.tracker.entity_count());
  for (const auto& [kind, id] : std::vector<std::pair<EntityKind, std::string>>{
           {EntityKind::kAccount, Account(3)}, {EntityKind::kAccount, Account(42)}, {EntityKind::kIp, Workstation(42)},
           {EntityKind::kIp, "10.20.0.7"}}) {
    auto x = a.tracker.Stats(kind, id), y = b.tracker.Stats(kind, id);
    ASSERT_TRUE(x && y) << id;
    EXPECT_EQ(x->distinct_1h, y->distinct_1h) << id;
    EXPECT_EQ(x->distinct_24h, y->distinct_24h) << id;
    EXPECT_EQ(x->distinct_30d, y->distinct_30d) << id;
    EXPECT_EQ(x->txn_24h, y->txn_24h) << id;
    EXPECT_EQ(x->bytes_24h, y->bytes_24h) << id;
    EXPECT_EQ(x->out_24h, y->out_24h) << id;
    EXPECT_EQ(x->baseline_days, y->baseline_days) << id;
    EXPECT_DOUBLE_EQ(x->baseline_daily_out, y->baseline_daily_out) << id;
    EXPECT_EQ(x->hll_mode, y->hll_mode) << id;
  }
  EXPECT_TRUE(b.tracker.Stats(EntityKind::kAccount, Account(42))->hll_mode);
}

TEST_F(Snapshot, ContainsNoClearPersonalValues) {
  Harness a;
  Populate(a.tracker);
  ASSERT_TRUE(a.tracker.SaveSnapshot(dir_));
  std::string data = Read();
  EXPECT_EQ(data.substr(0, 8), "VIGIESTA");
  // Clear values never reach the tracker (the scanner sends keyed hashes and masked
  // excerpts); the snapshot holds masked excerpts, account names and only folded 32-bit
  // fingerprints — not even the 64-bit keyed record hashes.
  EXPECT_NE(data.find("2 85 05 ** *** *** "), std::string::npos);
  EXPECT_NE(data.find(Account(42)), std::string::npos);
  for (std::uint64_t p : {0ull, 100ull, 10'000ull, 15'000ull}) {
    std::uint64_t h = Person(p);
    EXPECT_EQ(data.find(std::string(reinterpret_cast<const char*>(&h), 8)), std::string::npos) << p;
  }
}

TEST_F(Snapshot, MissingIsAFreshStart) {
  Harness b;
  EXPECT_FALSE(b.tracker.LoadSnapshot(dir_));
  EXPECT_EQ(b.Metric("vigie_track_snapshot_errors_total"), 0);
}

void ExpectRefused(Snapshot& s, const std::string& bytes, const std::string& dir, int n) {
  (void)s;
  Harness b;
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(b.tracker.LoadSnapshot(dir));
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("refusing state snapshot"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(b.tracker.entity_count(), 0u);  // nothing half-loaded
  EXPECT_EQ(b.Metric("vigie_track_snapshot_errors_total"), 1);
  EXPECT_FALSE(fs::exists(dir + "/vigie-state.bin"));
  std::string aside = dir + "/vigie-state.bin.corrupt-" + std::to_string(n);
  ASSERT_TRUE(fs::exists(aside));
  EXPECT_EQ(fs::file_size(aside), bytes.size());
}

TEST_F(Snapshot, CorruptTruncatedAndForeignAreRefusedAndMovedAside) {
  Harness a;
  Populate(a.tracker);
  ASSERT_TRUE(a.tracker.SaveSnapshot(dir_));
  const std::string good = Read();
  int n = 0;
  for (std::size_t pos : {std::size_t{40}, good.size() / 2, good.size() - 1}) {  // flipped byte in the body
    std::string bad = good;
    bad[pos] ^= 0x20;
    Write(bad);
    ExpectRefused(*this, bad, dir_, ++n);
  }
  std::string truncated = good.substr(0, good.size() - 100);
  Write(truncated);
  ExpectRefused(*this, truncated, dir_, ++n);
  std::string foreign = "SQLite format 3\0 this is some other program's state file";
  Write(foreign);
  ExpectRefused(*this, foreign, dir_, ++n);
  std::string future = good;
  future[8] = 9;  // version 9
  Write(future);
  ExpectRefused(*this, future, dir_, ++n);
  Write("");
  ExpectRefused(*this, "", dir_, ++n);
  // The good one still loads.
  Write(good);
  Harness c;
  EXPECT_TRUE(c.tracker.LoadSnapshot(dir_));
  EXPECT_EQ(c.tracker.entity_count(), a.tracker.entity_count());
}

TEST_F(Snapshot, PeriodicSaveInPacketTimeAndAgeGauge) {
  TrackConfig cfg;
  cfg.state_dir = dir_;
  cfg.snapshot_interval_s = 300;
  Harness h(cfg);
  h.tracker.OnTransaction(Download(kT0, Account(1), Workstation(1), 0, 3));
  h.tracker.Advance(kT0 + Seconds(299));
  EXPECT_FALSE(fs::exists(File()));
  EXPECT_EQ(h.Metric("vigie_track_snapshot_age_seconds"), 299);
  h.tracker.Advance(kT0 + Seconds(300));
  EXPECT_TRUE(fs::exists(File()));
  EXPECT_EQ(h.Metric("vigie_track_snapshot_age_seconds"), 0);
  EXPECT_EQ(h.Metric("vigie_track_snapshots_total"), 1);
  h.tracker.Advance(kT0 + Seconds(420));
  EXPECT_EQ(h.Metric("vigie_track_snapshot_age_seconds"), 120);
  EXPECT_EQ(h.Metric("vigie_track_snapshots_total"), 1);
}

TEST_F(Snapshot, UnwritableDirFailsCleanly) {
  Harness h;
  h.tracker.OnTransaction(Download(kT0, Account(1), Workstation(1), 0, 3));
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(h.tracker.SaveSnapshot(dir_ + "/does/not/exist"));
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cannot save state snapshot"), std::string::npos);
  EXPECT_EQ(h.Metric("vigie_track_snapshot_errors_total"), 1);
}

}  // namespace
}  // namespace vigie::track
