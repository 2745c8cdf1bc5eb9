#pragma once
// Exact set of 32-bit record fingerprints, each with the 5-minute slot it was last seen in.
// Stored as two sorted parallel arrays (fingerprint, slot mod 2^16) grown by 1/4 at a time:
// ~6.7 bytes per entry. Lookup is a binary search; insertion moves the tail (≤ 24 KiB at the
// 4096-entry cap, well under a microsecond's worth of memmove per new record).
// Slots are kept modulo 2^16 and decoded relative to the caller's current slot, which is
// exact as long as entries are younger than 2^16 slots (227 days); owners expire entries
// long before that (30 days for entities, 1 hour for DNS names).
// 32-bit fingerprints: at the 4096-entry cap the chance of any collision is ~0.2 %, and a
// collision only undercounts by one.
#include <cstdint>
#include <vector>

namespace vigie::track {

class FpTable {
 public:
  static constexpr std::int64_t kAbsent = -1;

  // Sets fp's last-seen slot to `now_slot` (the owner's current slot); returns the previous
  // slot, or kAbsent if fp was new.
  std::int64_t Upsert(std::uint32_t fp, std::int64_t now_slot);
  std::size_t size() const { return fp_.size(); }
  std::size_t MemoryBytes() const { return fp_.capacity() * 4 + slot_.capacity() * 2; }
  // Drops entries last seen before min_slot.
  void RemoveOlderThan(std::int64_t min_slot, std::int64_t now_slot);
  void Clear();

  template <typename F>
  void ForEach(std::int64_t now_slot, F&& f) const {
    for (std::size_t i = 0; i < fp_.size(); ++i) f(fp_[i], Decode(slot_[i], now_slot));
  }

  // Never 0 (kept free for callers that want a sentinel).
  static std::uint32_t Fingerprint(std::uint64_t record_hash) {
    auto fp = static_cast<std::uint32_t>(record_hash ^ (record_hash >> 32));
    return fp == 0 ? 1 : fp;
  }

 private:
  static std::int64_t Decode(std::uint16_t stored, std::int64_t now_slot) {
    return now_slot - static_cast<std::uint16_t>(static_cast<std::uint16_t>(now_slot) - stored);
  }
  std::vector<std::uint32_t> fp_;    // sorted
  std::vector<std::uint16_t> slot_;  // parallel to fp_
};

}  // namespace vigie::track
