#include <gtest/gtest.h>

#include <cmath>

#include "track/fp_table.h"
#include "track/hll.h"
#include "track/windows.h"
#include "track_test_util.h"

namespace vigie::track {
namespace {

using namespace testing;

TEST(Hll, WithinThreePercentAtHundredThousand) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Hll h;
    for (std::uint64_t i = 0; i < 100000; ++i) h.Add(Mix64(i + seed * 1'000'000'000));
    double e = h.Estimate();
    EXPECT_NEAR(e, 100000, 3000) << "seed " << seed;
  }
}

TEST(Hll, DuplicatesDoNotCountAndMergeIsUnion) {
  Hll a, b;
  for (int r = 0; r < 5; ++r)
    for (std::uint64_t i = 0; i < 20000; ++i) a.Add(Mix64(i));
  EXPECT_NEAR(a.Estimate(), 20000, 600);
  for (std::uint64_t i = 10000; i < 30000; ++i) b.Add(Mix64(i));
  a.Merge(b);
  EXPECT_NEAR(a.Estimate(), 30000, 900);
  Hll small;
  for (std::uint64_t i = 0; i < 100; ++i) small.Add(Mix64(i));
  EXPECT_NEAR(small.Estimate(), 100, 4);  // linear counting: σ ≈ 1.1 at 100
}

TEST(FpTable, UpsertReturnsPreviousSlotAndExpires) {
  FpTable t;
  EXPECT_EQ(t.Upsert(7, 100), FpTable::kAbsent);
  EXPECT_EQ(t.Upsert(7, 105), 100);
  for (std::uint32_t i = 1; i <= 1000; ++i) t.Upsert(1000 + i, i);
  EXPECT_EQ(t.size(), 1001u);
  t.RemoveOlderThan(501, 1000);
  EXPECT_EQ(t.size(), 500u);  // slots 501..1000; fp 7 (slot 105) went too
  EXPECT_EQ(t.Upsert(1000 + 500, 2000), FpTable::kAbsent);
  EXPECT_EQ(t.Upsert(1000 + 501, 2000), 501);
  // Slots are stored modulo 2^16 and decoded against the current slot.
  const std::int64_t base = 5'600'000;  // 2023
  EXPECT_EQ(t.Upsert(99, base), FpTable::kAbsent);
  EXPECT_EQ(t.Upsert(99, base + 8639), base);  // 30 days later
  std::vector<std::pair<std::uint32_t, std::int64_t>> seen;
  t.ForEach(base + 8640, [&](std::uint32_t fp, std::int64_t s) {
    if (fp == 99) seen.emplace_back(fp, s);
  });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, base + 8639);
}

std::vector<std::uint64_t> People(std::uint64_t first, std::uint64_t n) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(Person(first + i));
  return v;
}

TEST(Windows, OneHourBoundaryIsExactInPacketTime) {
  EntityWindows w;
  const Timestamp t = kT0 + 10 * kHour;  // 10:00:00, a slot boundary
  w.Roll(SlotOf(t));
  w.AddRecords(People(0, 10), 4096);
  // The 1 h window = the current 5-min bucket + the 11 before: records of 10:00–10:04:59 stay
  // until 10:59:59.999999999 and leave at 11:00:00.
  w.Roll(SlotOf(t + kHour - 1));
  EXPECT_EQ(w.Distinct(Window::k1h), 10u);
  w.Roll(SlotOf(t + kHour));
  EXPECT_EQ(w.Distinct(Window::k1h), 0u);
  EXPECT_EQ(w.Distinct(Window::k24h), 10u);
  EXPECT_EQ(w.Distinct(Window::k30d), 10u);
}

TEST(Windows, DayRollOverAndThirtyDays) {
  EntityWindows w;
  w.Roll(SlotOf(kT0 + 23 * kHour + 59 * kMinute));  // Monday 23:59
  w.AddRecords(People(0, 5), 4096);
  w.Roll(SlotOf(kT0 + kDay));  // Tuesday 00:00: new day bucket
  w.AddRecords(People(100, 7), 4096);
  EXPECT_EQ(w.Distinct(Window::k1h), 12u);
  EXPECT_EQ(w.Distinct(Window::k24h), 12u);
  EXPECT_EQ(w.Distinct(Window::k30d), 12u);
  // 24 h = 24 hourly buckets: Monday 23:xx leaves at Tuesday 23:00.
  w.Roll(SlotOf(kT0 + kDay + 22 * kHour + 59 * kMinute));
  EXPECT_EQ(w.Distinct(Window::k24h), 12u);
  w.Roll(SlotOf(kT0 + kDay + 23 * kHour));
  EXPECT_EQ(w.Distinct(Window::k24h), 7u);
  // 30 d = 30 daily buckets: Monday's records leave when day 30 after it starts.
  w.Roll(SlotOf(kT0 + 29 * kDay + 23 * kHour));
  EXPECT_EQ(w.Distinct(Window::k30d), 12u);
  w.Roll(SlotOf(kT0 + 30 * kDay));
  EXPECT_EQ(w.Distinct(Window::k30d), 7u);
  w.Roll(SlotOf(kT0 + 31 * kDay));
  EXPECT_EQ(w.Distinct(Window::k30d), 0u);
  EXPECT_TRUE(w.Empty());
}

TEST(Windows, RecordSeenAgainMovesNotDuplicates) {
  EntityWindows w;
  w.Roll(SlotOf(kT0));
  w.AddRecords(People(0, 3), 4096);
  w.Roll(SlotOf(kT0 + 2 * kHour));
  w.AddRecords(People(0, 3), 4096);  // the same 3 people again
  EXPECT_EQ(w.Distinct(Window::k1h), 3u);
  EXPECT_EQ(w.Distinct(Window::k24h), 3u);
  EXPECT_EQ(w.Distinct(Window::k30d), 3u);
  w.Roll(SlotOf(kT0 + 25 * kHour));  // the first sighting expired from 24 h, the second not
  EXPECT_EQ(w.Distinct(Window::k24h), 3u);
  w.Roll(SlotOf(kT0 + 26 * kHour));
  EXPECT_EQ(w.Distinct(Window::k24h), 0u);
  EXPECT_EQ(w.Distinct(Window::k30d), 3u);
}

TEST(Windows, SumsAndOutBytes) {
  EntityWindows w;
  w.Roll(SlotOf(kT0));
  std::array<std::uint32_t, match::kPiiTypeCount> m{};
  m[0] = 4;
  w.AddTxn(1000, m);
  w.AddTxn(500, m);
  w.AddOut(123);
  w.Roll(SlotOf(kT0 + 2 * kHour));
  w.AddOut(7);
  auto s1 = w.Sum(Window::k1h), s24 = w.Sum(Window::k24h);
  EXPECT_EQ(s1.out_bytes, 7u);
  EXPECT_EQ(s1.txn, 0u);
  EXPECT_EQ(s24.txn, 2u);
  EXPECT_EQ(s24.bytes, 1500u);
  EXPECT_EQ(s24.matches[0], 8u);
  EXPECT_EQ(s24.out_bytes, 130u);
}

TEST(Windows, SwitchesToHllPastCapAndBackWhenExpired) {
  EntityWindows w;
  w.Roll(SlotOf(kT0));
  w.AddRecords(People(0, 3000), 4096);
  EXPECT_FALSE(w.hll_mode());
  EXPECT_EQ(w.Distinct(Window::k1h), 3000u);
  w.Roll(SlotOf(kT0 + 2 * kHour));
  w.AddRecords(People(0, 1000), 4096);       // 1000 repeats
  w.AddRecords(People(100000, 2000), 4096);  // 2000 new: 5000 > cap
  EXPECT_TRUE(w.hll_mode());
  EXPECT_NEAR(static_cast<double>(w.Distinct(Window::k1h)), 3000, 90);
  EXPECT_NEAR(static_cast<double>(w.Distinct(Window::k24h)), 5000, 150);
  w.Roll(SlotOf(kT0 + 3 * kDay));
  w.AddRecords(People(200000, 100000), 4096);
  // Union of per-bucket sketches: same 1.6 % standard error; 5 % is ~3 sigma.
  EXPECT_NEAR(static_cast<double>(w.Distinct(Window::k1h)), 100000, 5000);
  EXPECT_NEAR(static_cast<double>(w.Distinct(Window::k30d)), 105000, 5250);
  w.Roll(SlotOf(kT0 + 40 * kDay));
  EXPECT_FALSE(w.hll_mode());
  EXPECT_TRUE(w.Empty());
  w.AddRecords(People(0, 10), 4096);
  EXPECT_EQ(w.Distinct(Window::k30d), 10u);
}

TEST(Windows, SaveLoadRoundTripBothModes) {
  for (std::uint32_t n : {50u, 6000u}) {
    EntityWindows w;
    w.Roll(SlotOf(kT0));
    w.AddRecords(People(0, n / 2), 4096);
    w.Roll(SlotOf(kT0 + 5 * kHour));
    w.AddRecords(People(n, n / 2), 4096);
    w.AddOut(99);
    ByteWriter bw;
    w.Save(bw);
    EntityWindows v;
    ByteReader br(bw.data());
    ASSERT_TRUE(v.Load(br));
    EXPECT_EQ(br.remaining(), 0u);
    for (auto win : kWindows) EXPECT_EQ(v.Distinct(win), w.Distinct(win)) << n;
    EXPECT_EQ(v.hll_mode(), w.hll_mode());
    // Both continue identically.
    w.Roll(SlotOf(kT0 + 30 * kHour));
    v.Roll(SlotOf(kT0 + 30 * kHour));
    w.AddRecords(People(0, 10), 4096);
    v.AddRecords(People(0, 10), 4096);
    for (auto win : kWindows) EXPECT_EQ(v.Distinct(win), w.Distinct(win)) << n;
    // Truncations never load.
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bw.data().size() / 2, bw.data().size() - 1}) {
      EntityWindows x;
      ByteReader tr(std::string_view(bw.data()).substr(0, cut));
      EXPECT_FALSE(x.Load(tr)) << cut;
    }
  }
}

}  // namespace
}  // namespace vigie::track
