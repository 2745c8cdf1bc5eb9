#include "track/fp_table.h"

#include <algorithm>

namespace vigie::track {

std::int64_t FpTable::Upsert(std::uint32_t fp, std::int64_t now_slot) {
  auto it = std::lower_bound(fp_.begin(), fp_.end(), fp);
  auto i = static_cast<std::size_t>(it - fp_.begin());
  auto stored = static_cast<std::uint16_t>(now_slot);
  if (it != fp_.end() && *it == fp) {
    std::int64_t prev = Decode(slot_[i], now_slot);
    slot_[i] = stored;
    return prev;
  }
  if (fp_.size() == fp_.capacity()) {  // grow by 1/4, not 2x: these sets are most of the memory
    std::size_t cap = fp_.size() + fp_.size() / 4 + 4;
    fp_.reserve(cap);
    slot_.reserve(cap);
  }
  fp_.insert(fp_.begin() + static_cast<std::ptrdiff_t>(i), fp);  // `it` died with reserve()
  slot_.insert(slot_.begin() + static_cast<std::ptrdiff_t>(i), stored);
  return kAbsent;
}

void FpTable::RemoveOlderThan(std::int64_t min_slot, std::int64_t now_slot) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < fp_.size(); ++i) {
    if (Decode(slot_[i], now_slot) < min_slot) continue;
    fp_[out] = fp_[i];
    slot_[out] = slot_[i];
    ++out;
  }
  if (out == fp_.size()) return;
  fp_.resize(out);
  slot_.resize(out);
  if (fp_.capacity() > out + out / 2 + 8) {
    fp_.shrink_to_fit();
    slot_.shrink_to_fit();
  }
}

void FpTable::Clear() {
  std::vector<std::uint32_t>().swap(fp_);
  std::vector<std::uint16_t>().swap(slot_);
}

}  // namespace vigie::track
