#include "track/windows.h"

#include <algorithm>
#include <cmath>

namespace vigie::track {

std::string_view WindowName(Window w) {
  switch (w) {
    case Window::k1h: return "1h";
    case Window::k24h: return "24h";
    case Window::k30d: return "30d";
  }
  return "1h";
}

Timestamp WindowLength(Window w) {
  switch (w) {
    case Window::k1h: return Seconds(3600);
    case Window::k24h: return Seconds(86400);
    case Window::k30d: return Seconds(30 * 86400);
  }
  return Seconds(3600);
}

void Bucket::Add(const Bucket& o) {
  distinct += o.distinct;
  txn += o.txn;
  bytes += o.bytes;
  out_bytes += o.out_bytes;
  for (std::size_t i = 0; i < matches.size(); ++i) matches[i] += o.matches[i];
}

bool Bucket::Empty() const {
  if (distinct || txn || bytes || out_bytes) return false;
  for (auto m : matches)
    if (m) return false;
  return true;
}

struct EntityWindows::HllState {
  std::array<std::unique_ptr<Hll>, 12> five;
  std::array<std::unique_ptr<Hll>, 24> hour;
  std::array<std::unique_ptr<Hll>, 30> day;
  Hll u1h, u24h, u30d;  // unions of the buckets above, kept current on every Add
};

namespace {

constexpr std::int64_t kFiveDiv = 1, kHourDiv = kSlotsPerHour, kDayDiv = kSlotsPerDay;
constexpr std::int64_t kFiveN = 12, kHourN = 24, kDayN = 30;

std::size_t Mod(std::int64_t i, std::size_t n) {
  auto r = i % static_cast<std::int64_t>(n);
  return static_cast<std::size_t>(r < 0 ? r + static_cast<std::int64_t>(n) : r);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b < 0) ? q - 1 : q;
}

template <std::size_t N>
bool RollHll(std::array<std::unique_ptr<Hll>, N>& arr, std::int64_t oi, std::int64_t ni) {
  if (ni <= oi) return false;
  if (ni - oi >= static_cast<std::int64_t>(N)) {
    bool any = false;
    for (auto& h : arr) {
      any |= h != nullptr;
      h.reset();
    }
    return any;
  }
  bool changed = false;
  for (std::int64_t i = oi + 1; i <= ni; ++i) {
    auto& h = arr[Mod(i, N)];
    changed |= h != nullptr;
    h.reset();
  }
  return changed;
}

template <std::size_t N>
Hll& HllAt(std::array<std::unique_ptr<Hll>, N>& arr, std::int64_t idx) {
  auto& p = arr[Mod(idx, N)];
  if (!p) p = std::make_unique<Hll>();
  return *p;
}

}  // namespace

Bucket& EntityWindows::Ring::Current(std::int64_t idx) {
  if (v.empty() || v.back().idx != idx) {
    v.emplace_back();
    v.back().idx = static_cast<std::int32_t>(idx);
  }
  return v.back();
}

Bucket* EntityWindows::Ring::Find(std::int64_t idx) {
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (it->idx == idx) return &*it;
    if (it->idx < idx) break;
  }
  return nullptr;
}

void EntityWindows::Ring::Expire(std::int64_t min_idx) {
  std::size_t k = 0;
  while (k < v.size() && v[k].idx < min_idx) ++k;
  if (k == 0) return;
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k));
  if (v.empty()) {
    std::vector<Bucket>().swap(v);
  } else if (v.capacity() > 2 * v.size() + 2) {
    v.shrink_to_fit();
  }
}

void EntityWindows::Ring::SumInto(Bucket& out) const {
  for (const auto& b : v) out.Add(b);
}

std::uint64_t EntityWindows::Ring::SumDistinct() const {
  std::uint64_t n = 0;
  for (const auto& b : v) n += b.distinct;
  return n;
}

EntityWindows::EntityWindows() = default;
EntityWindows::~EntityWindows() = default;
EntityWindows::EntityWindows(EntityWindows&&) noexcept = default;
EntityWindows& EntityWindows::operator=(EntityWindows&&) noexcept = default;

void EntityWindows::RollTo(std::int64_t slot) {
  std::int64_t old = cur_slot_;
  cur_slot_ = slot;
  if (old == kNever) return;
  std::int64_t oh = FloorDiv(old, kHourDiv), nh = FloorDiv(slot, kHourDiv);
  std::int64_t od = FloorDiv(old, kDayDiv), nd = FloorDiv(slot, kDayDiv);
  five_.Expire(slot - kFiveN + 1);
  if (nh > oh) hour_.Expire(nh - kHourN + 1);
  if (nd > od) day_.Expire(nd - kDayN + 1);
  if (hll_) {
    bool changed = RollHll(hll_->five, old, slot);
    changed |= RollHll(hll_->hour, oh, nh);
    changed |= RollHll(hll_->day, od, nd);
    if (std::none_of(hll_->day.begin(), hll_->day.end(), [](const auto& h) { return h != nullptr; })) {
      hll_.reset();  // everything expired: back to exact counting
    } else if (changed) {
      RebuildUnions();
    }
  } else if (nd > od && exact_.size() != 0) {
    exact_.RemoveOlderThan((nd - kDayN + 1) * kSlotsPerDay, slot);  // first slot of the oldest day kept
  }
}

std::uint64_t EntityWindows::DayOut(std::int64_t day) const {
  for (const auto& b : day_.v)
    if (b.idx == day) return b.out_bytes;
  return 0;
}

void EntityWindows::RebuildUnions() {
  auto rebuild = [](Hll& u, const auto& arr) {
    u.Clear();
    for (const auto& h : arr)
      if (h) u.Merge(*h);
  };
  rebuild(hll_->u1h, hll_->five);
  rebuild(hll_->u24h, hll_->hour);
  rebuild(hll_->u30d, hll_->day);
}

void EntityWindows::SwitchToHll() {
  hll_ = std::make_unique<HllState>();
  std::int64_t c5 = cur_slot_, ch = FloorDiv(cur_slot_, kHourDiv), cd = FloorDiv(cur_slot_, kDayDiv);
  // Each record goes into the bucket of its last sighting: for windows that end now, the union
  // of buckets is then the same set as if it had been added at every sighting.
  exact_.ForEach(cur_slot_, [&](std::uint32_t fp, std::int64_t s) {
    std::uint64_t h = Mix64(fp);
    if (c5 - s < kFiveN) HllAt(hll_->five, s).Add(h);
    if (ch - FloorDiv(s, kHourDiv) < kHourN) HllAt(hll_->hour, FloorDiv(s, kHourDiv)).Add(h);
    if (cd - FloorDiv(s, kDayDiv) < kDayN) HllAt(hll_->day, FloorDiv(s, kDayDiv)).Add(h);
  });
  exact_.Clear();
  // Bucket distinct counts are meaningless in HLL mode (the unions answer instead).
  for (Ring* r : {&five_, &hour_, &day_})
    for (auto& b : r->v) b.distinct = 0;
  RebuildUnions();
}

void EntityWindows::AddRecords(std::span<const std::uint64_t> record_hashes, std::uint32_t exact_cap) {
  if (record_hashes.empty()) return;
  std::int64_t c5 = cur_slot_, ch = FloorDiv(cur_slot_, kHourDiv), cd = FloorDiv(cur_slot_, kDayDiv);
  if (hll_) {
    Hll &f = HllAt(hll_->five, c5), &h = HllAt(hll_->hour, ch), &d = HllAt(hll_->day, cd);
    for (auto rh : record_hashes) {
      std::uint64_t x = Mix64(FpTable::Fingerprint(rh));
      f.Add(x);
      h.Add(x);
      d.Add(x);
      hll_->u1h.Add(x);
      hll_->u24h.Add(x);
      hll_->u30d.Add(x);
    }
    return;
  }
  five_.Current(c5);
  hour_.Current(ch);
  day_.Current(cd);
  for (auto rh : record_hashes) {
    std::int64_t prev = exact_.Upsert(FpTable::Fingerprint(rh), cur_slot_);
    if (prev == cur_slot_) continue;
    if (prev != FpTable::kAbsent) {
      if (Bucket* b = five_.Find(prev)) --b->distinct;
      if (Bucket* b = hour_.Find(FloorDiv(prev, kHourDiv))) --b->distinct;
      if (Bucket* b = day_.Find(FloorDiv(prev, kDayDiv))) --b->distinct;
    }
    ++five_.v.back().distinct;
    ++hour_.v.back().distinct;
    ++day_.v.back().distinct;
  }
  if (exact_.size() > exact_cap) SwitchToHll();
}

void EntityWindows::AddTxn(std::uint64_t bytes, const std::array<std::uint32_t, match::kPiiTypeCount>& matches) {
  Bucket* bs[3] = {&five_.Current(cur_slot_), &hour_.Current(FloorDiv(cur_slot_, kHourDiv)),
                   &day_.Current(FloorDiv(cur_slot_, kDayDiv))};
  for (Bucket* b : bs) {
    ++b->txn;
    b->bytes += bytes;
    for (std::size_t i = 0; i < matches.size(); ++i) b->matches[i] += matches[i];
  }
}

void EntityWindows::AddOut(std::uint64_t bytes) {
  five_.Current(cur_slot_).out_bytes += bytes;
  hour_.Current(FloorDiv(cur_slot_, kHourDiv)).out_bytes += bytes;
  day_.Current(FloorDiv(cur_slot_, kDayDiv)).out_bytes += bytes;
}

std::uint64_t EntityWindows::Distinct(Window w) const {
  if (hll_) {
    const Hll& u = w == Window::k1h ? hll_->u1h : (w == Window::k24h ? hll_->u24h : hll_->u30d);
    return static_cast<std::uint64_t>(std::llround(u.Estimate()));
  }
  return (w == Window::k1h ? five_ : (w == Window::k24h ? hour_ : day_)).SumDistinct();
}

WindowSum EntityWindows::Sum(Window w) const {
  Bucket b;
  (w == Window::k1h ? five_ : (w == Window::k24h ? hour_ : day_)).SumInto(b);
  WindowSum s;
  s.distinct = Distinct(w);
  s.txn = b.txn;
  s.bytes = b.bytes;
  s.out_bytes = b.out_bytes;
  for (std::size_t i = 0; i < b.matches.size(); ++i) s.matches[i] = b.matches[i];
  return s;
}

bool EntityWindows::Empty() const {
  return five_.v.empty() && hour_.v.empty() && day_.v.empty() && !hll_ && exact_.size() == 0;
}

std::size_t EntityWindows::MemoryBytes() const {
  std::size_t n = sizeof(*this) + exact_.MemoryBytes();
  for (const Ring* r : {&five_, &hour_, &day_}) n += r->v.capacity() * sizeof(Bucket);
  if (hll_) {
    n += sizeof(HllState);
    auto count = [&](const auto& arr) {
      for (const auto& h : arr)
        if (h) n += sizeof(Hll);
    };
    count(hll_->five);
    count(hll_->hour);
    count(hll_->day);
  }
  return n;
}

// ---- snapshot ----------------------------------------------------------------------------

namespace {

void SaveRing(ByteWriter& w, const std::vector<Bucket>& v) {
  w.Put<std::uint32_t>(static_cast<std::uint32_t>(v.size()));
  for (const auto& b : v) {
    w.Put(b.idx);
    w.Put(b.distinct);
    w.Put(b.txn);
    w.Put(b.bytes);
    w.Put(b.out_bytes);
    for (auto m : b.matches) w.Put(m);
  }
}

// Indices must increase and lie inside the window ending at cur_idx.
bool LoadRing(ByteReader& r, std::vector<Bucket>& v, std::int64_t cur_idx, std::int64_t n) {
  std::uint32_t count = 0;
  if (!r.Get(count) || count > static_cast<std::uint32_t>(n)) return false;
  v.resize(count);
  std::int64_t last = cur_idx - n;
  for (auto& b : v) {
    if (!r.Get(b.idx) || b.idx <= last || b.idx > cur_idx) return false;
    last = b.idx;
    if (!r.Get(b.distinct) || !r.Get(b.txn) || !r.Get(b.bytes) || !r.Get(b.out_bytes)) return false;
    for (auto& m : b.matches)
      if (!r.Get(m)) return false;
  }
  return true;
}

template <std::size_t N>
void SaveHlls(ByteWriter& w, const std::array<std::unique_ptr<Hll>, N>& arr) {
  std::uint8_t n = 0;
  for (const auto& h : arr) n += h != nullptr;
  w.Put(n);
  for (std::size_t i = 0; i < N; ++i) {
    if (!arr[i]) continue;
    w.Put<std::uint8_t>(static_cast<std::uint8_t>(i));
    w.PutBytes(arr[i]->registers().data(), Hll::kRegisters);
  }
}

template <std::size_t N>
bool LoadHlls(ByteReader& r, std::array<std::unique_ptr<Hll>, N>& arr) {
  std::uint8_t n = 0;
  if (!r.Get(n) || n > N) return false;
  for (std::uint8_t k = 0; k < n; ++k) {
    std::uint8_t i = 0;
    if (!r.Get(i) || i >= N || arr[i]) return false;
    arr[i] = std::make_unique<Hll>();
    if (!r.GetBytes(arr[i]->registers().data(), Hll::kRegisters)) return false;
    for (auto reg : arr[i]->registers())
      if (reg > 64 - Hll::kPrecision + 1) return false;
  }
  return true;
}

}  // namespace

void EntityWindows::Save(ByteWriter& w) const {
  w.Put(cur_slot_);
  SaveRing(w, five_.v);
  SaveRing(w, hour_.v);
  SaveRing(w, day_.v);
  w.Put<std::uint32_t>(static_cast<std::uint32_t>(exact_.size()));
  exact_.ForEach(cur_slot_, [&](std::uint32_t fp, std::int64_t slot) {
    w.Put(fp);
    w.Put(slot);
  });
  w.Put<std::uint8_t>(hll_ ? 1 : 0);
  if (hll_) {
    SaveHlls(w, hll_->five);
    SaveHlls(w, hll_->hour);
    SaveHlls(w, hll_->day);
  }
}

bool EntityWindows::Load(ByteReader& r) {
  if (!r.Get(cur_slot_) || cur_slot_ < 0 || cur_slot_ > (std::int64_t{1} << 40)) return false;
  if (!LoadRing(r, five_.v, cur_slot_, kFiveN) || !LoadRing(r, hour_.v, FloorDiv(cur_slot_, kHourDiv), kHourN) ||
      !LoadRing(r, day_.v, FloorDiv(cur_slot_, kDayDiv), kDayN))
    return false;
  std::uint32_t n = 0;
  if (!r.Get(n) || n > r.remaining() / 12) return false;
  // Entries were saved in fingerprint order: re-inserting in order appends (no memmove).
  std::uint32_t last_fp = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t fp = 0;
    std::int64_t slot = 0;
    if (!r.Get(fp) || !r.Get(slot) || fp <= last_fp || slot > cur_slot_ || cur_slot_ - slot >= kDayN * kSlotsPerDay)
      return false;
    last_fp = fp;
    exact_.Upsert(fp, slot);  // stores the saved last-seen slot
  }
  std::uint8_t has_hll = 0;
  if (!r.Get(has_hll) || has_hll > 1) return false;
  if (has_hll) {
    hll_ = std::make_unique<HllState>();
    if (!LoadHlls(r, hll_->five) || !LoadHlls(r, hll_->hour) || !LoadHlls(r, hll_->day)) return false;
    RebuildUnions();
  }
  return true;
}

}  // namespace vigie::track
