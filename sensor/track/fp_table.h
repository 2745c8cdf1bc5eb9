#pragma once
// Exact set of 32-bit record fingerprints, each with the 5-minute slot it was last seen in.
// Open addressing, linear probing, fingerprint 0 reserved for "empty"; two parallel arrays so
// an entry costs 8 bytes (≈ 11–21 bytes with the load factor kept in [3/8, 3/4]).
// 32-bit fingerprints: at the 4096-entry cap the chance of any collision is ~0.2 %, and a
// collision only undercounts by one.
#include <cstdint>
#include <memory>

namespace vigie::track {

class FpTable {
 public:
  static constexpr std::int64_t kAbsent = -1;

  // Sets fp's last-seen slot; returns the previous slot, or kAbsent if fp was new.
  std::int64_t Upsert(std::uint32_t fp, std::uint32_t slot);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  // Drops entries last seen before min_slot (rebuilds the table, shrinking it).
  void RemoveOlderThan(std::uint32_t min_slot);
  void Clear();

  template <typename F>
  void ForEach(F&& f) const {
    for (std::uint32_t i = 0; i < cap_; ++i)
      if (fp_[i] != 0) f(fp_[i], slot_[i]);
  }

  // REQUIRES: fp != 0.
  static std::uint32_t Fingerprint(std::uint64_t record_hash) {
    auto fp = static_cast<std::uint32_t>(record_hash ^ (record_hash >> 32));
    return fp == 0 ? 1 : fp;
  }

 private:
  void Rehash(std::uint32_t new_cap);
  std::unique_ptr<std::uint32_t[]> fp_;
  std::unique_ptr<std::uint32_t[]> slot_;
  std::uint32_t cap_ = 0;  // power of two or 0
  std::uint32_t size_ = 0;
};

}  // namespace vigie::track
