#include "track/fp_table.h"

namespace vigie::track {

namespace {
std::uint32_t Probe(std::uint32_t fp, std::uint32_t mask) { return (fp * 0x9E3779B1u) & mask; }
}  // namespace

void FpTable::Rehash(std::uint32_t new_cap) {
  auto old_fp = std::move(fp_);
  auto old_slot = std::move(slot_);
  std::uint32_t old_cap = cap_;
  cap_ = new_cap;
  size_ = 0;
  if (new_cap == 0) return;
  fp_ = std::make_unique<std::uint32_t[]>(new_cap);  // zeroed
  slot_ = std::make_unique<std::uint32_t[]>(new_cap);
  for (std::uint32_t i = 0; i < old_cap; ++i)
    if (old_fp[i] != 0) Upsert(old_fp[i], old_slot[i]);
}

std::int64_t FpTable::Upsert(std::uint32_t fp, std::uint32_t slot) {
  if ((size_ + 1) * 4 > cap_ * 3) Rehash(cap_ == 0 ? 8 : cap_ * 2);
  std::uint32_t mask = cap_ - 1;
  for (std::uint32_t i = Probe(fp, mask);; i = (i + 1) & mask) {
    if (fp_[i] == fp) {
      std::int64_t prev = slot_[i];
      slot_[i] = slot;
      return prev;
    }
    if (fp_[i] == 0) {
      fp_[i] = fp;
      slot_[i] = slot;
      ++size_;
      return kAbsent;
    }
  }
}

void FpTable::RemoveOlderThan(std::uint32_t min_slot) {
  std::uint32_t keep = 0;
  for (std::uint32_t i = 0; i < cap_; ++i)
    if (fp_[i] != 0 && slot_[i] >= min_slot) ++keep;
  if (keep == size_) return;
  std::uint32_t cap = 0;
  if (keep != 0) {
    cap = 8;
    while ((keep + 1) * 4 > cap * 3) cap *= 2;
  }
  auto old_fp = std::move(fp_);
  auto old_slot = std::move(slot_);
  std::uint32_t old_cap = cap_;
  cap_ = 0;
  size_ = 0;
  Rehash(cap);
  for (std::uint32_t i = 0; i < old_cap; ++i)
    if (old_fp[i] != 0 && old_slot[i] >= min_slot) Upsert(old_fp[i], old_slot[i]);
}

void FpTable::Clear() {
  fp_.reset();
  slot_.reset();
  cap_ = size_ = 0;
}

}  // namespace vigie::track
