#pragma once
// Sliding windows of one entity, bucketed by packet time:
//   1 h  = 12 buckets of 5 min,  24 h = 24 buckets of 1 h,  30 d = 30 buckets of 1 day (UTC).
// A window is "the current bucket and the N-1 before it", so it spans between (N-1) and N
// bucket lengths; boundaries are exact multiples of the bucket length since the epoch.
//
// Distinct records, exact mode: one FpTable maps each fingerprint to the 5-min slot where it
// was LAST seen, and each bucket counts the fingerprints whose last sighting falls in it. A
// record is in a window iff its last sighting is, so the window's distinct count is the sum of
// its buckets — exact, for all three windows, for ~6.7 bytes per record (fp_table.h).
// Above `exact_cap` fingerprints the entity switches to HyperLogLog mode: one 4 KiB sketch per
// non-empty bucket (allocated only when used) plus one union per window, ~1.6 % std error.
// It returns to exact mode once every bucket has expired.
//
// Rings are sparse: only buckets with activity exist (64 bytes each), so an advisor active
// 8 hours a day costs ~8 hourly and ≤ 30 daily buckets, and an idle entity almost nothing.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/time.h"
#include "match/findings.h"
#include "track/byte_io.h"
#include "track/fp_table.h"
#include "track/hll.h"

namespace vigie::track {

inline constexpr Timestamp kSlotNanos = Seconds(300);
inline constexpr std::int64_t kSlotsPerHour = 12;
inline constexpr std::int64_t kSlotsPerDay = 288;

// Floor division: a 5-minute slot index since the epoch.
inline std::int64_t SlotOf(Timestamp ts) {
  std::int64_t s = ts / kSlotNanos;
  return (ts % kSlotNanos < 0) ? s - 1 : s;
}

enum class Window : std::uint8_t { k1h, k24h, k30d };
inline constexpr std::array<Window, 3> kWindows = {Window::k1h, Window::k24h, Window::k30d};
std::string_view WindowName(Window w);
Timestamp WindowLength(Window w);

struct Bucket {
  std::int32_t idx = 0;        // bucket index since the epoch (slot / slots-per-bucket)
  std::uint32_t distinct = 0;  // exact mode only: records last seen in this bucket
  std::uint32_t txn = 0;
  std::uint64_t bytes = 0;      // body bytes of transactions received
  std::uint64_t out_bytes = 0;  // bytes sent to outside destinations (VolumeEvents)
  std::array<std::uint32_t, match::kPiiTypeCount> matches{};
  void Add(const Bucket& o);
  bool Empty() const;
};

struct WindowSum {
  std::uint64_t distinct = 0;
  std::uint64_t txn = 0;
  std::uint64_t bytes = 0;
  std::uint64_t out_bytes = 0;
  std::array<std::uint64_t, match::kPiiTypeCount> matches{};
};

class EntityWindows {
 public:
  EntityWindows();
  ~EntityWindows();
  EntityWindows(EntityWindows&&) noexcept;
  EntityWindows& operator=(EntityWindows&&) noexcept;

  // Moves the windows forward to `slot`; earlier slots are ignored (callers clamp late events
  // to the current slot). Returns the out_bytes of each completed day, oldest first, through
  // `on_day_done(day_index, out_bytes)` (for the baseline), at most 31 calls.
  template <typename F>
  void Roll(std::int64_t slot, F&& on_day_done) {
    if (slot <= cur_slot_) return;
    if (cur_slot_ != kNever) {
      std::int64_t old_day = cur_slot_ / kSlotsPerDay, new_day = slot / kSlotsPerDay;
      for (std::int64_t d = old_day; d < new_day && d < old_day + 31; ++d) on_day_done(d, DayOut(d));
    }
    RollTo(slot);
  }
  void Roll(std::int64_t slot) {
    Roll(slot, [](std::int64_t, std::uint64_t) {});
  }
  std::int64_t cur_slot() const { return cur_slot_; }

  // All Add* apply to the current slot. REQUIRES: Roll() was called at least once.
  void AddRecords(std::span<const std::uint64_t> record_hashes, std::uint32_t exact_cap);
  void AddTxn(std::uint64_t bytes, const std::array<std::uint32_t, match::kPiiTypeCount>& matches);
  void AddOut(std::uint64_t bytes);

  std::uint64_t Distinct(Window w) const;
  WindowSum Sum(Window w) const;  // distinct filled in as Distinct(w)
  bool hll_mode() const { return hll_ != nullptr; }
  bool Empty() const;  // nothing in any window
  std::size_t MemoryBytes() const;

  void Save(ByteWriter& w) const;
  bool Load(ByteReader& r);  // false on any inconsistency (state then unspecified: discard)

  static constexpr std::int64_t kNever = INT64_MIN;

 private:
  // Non-empty buckets of one granularity, oldest first (indices strictly increasing).
  struct Ring {
    std::vector<Bucket> v;
    Bucket& Current(std::int64_t idx);  // REQUIRES: idx >= every index present
    Bucket* Find(std::int64_t idx);
    void Expire(std::int64_t min_idx);
    void SumInto(Bucket& out) const;
    std::uint64_t SumDistinct() const;
  };
  struct HllState;
  void RollTo(std::int64_t slot);
  std::uint64_t DayOut(std::int64_t day) const;
  void SwitchToHll();
  void RebuildUnions();

  std::int64_t cur_slot_ = kNever;
  Ring five_;  // 5-min buckets (1 h = 12 of them)
  Ring hour_;  // 1-h buckets (24 h = 24)
  Ring day_;   // 1-day buckets (30 d = 30)
  FpTable exact_;
  std::unique_ptr<HllState> hll_;
};

}  // namespace vigie::track
