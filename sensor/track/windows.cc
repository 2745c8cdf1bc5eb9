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

std::size_t Mod(std::int64_t i, std::size_t n) {
  auto r = i % static_cast<std::int64_t>(n);
  return static_cast<std::size_t>(r < 0 ? r + static_cast<std::int64_t>(n) : r);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b < 0) ? q - 1 : q;
}

// Clears the buckets that leave a ring when its newest bucket index goes from oi to ni.
template <std::size_t N, typename T>
void ClearRange(std::array<T, N>& arr, std::int64_t oi, std::int64_t ni, bool& all_gone) {
  all_gone = ni - oi >= static_cast<std::int64_t>(N);
  if (all_gone) return;
  for (std::int64_t i = oi + 1; i <= ni; ++i) arr[Mod(i, N)] = T{};
}

template <std::size_t N>
void RollRing(std::unique_ptr<std::array<Bucket, N>>& ring, std::int64_t oi, std::int64_t ni) {
  if (!ring || ni <= oi) return;
  bool all_gone = false;
  ClearRange(*ring, oi, ni, all_gone);
  if (all_gone || std::all_of(ring->begin(), ring->end(), [](const Bucket& b) { return b.Empty(); })) ring.reset();
}

template <std::size_t N>
bool RollHll(std::array<std::unique_ptr<Hll>, N>& arr, std::int64_t oi, std::int64_t ni) {
  if (ni <= oi) return false;
  if (ni - oi >= static_cast<std::int64_t>(N)) {
    for (auto& h : arr) h.reset();
    return true;
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
Bucket& Current(std::unique_ptr<std::array<Bucket, N>>& ring, std::int64_t idx) {
  if (!ring) ring = std::make_unique<std::array<Bucket, N>>();
  return (*ring)[Mod(idx, N)];
}

template <std::size_t N>
void Accumulate(const std::unique_ptr<std::array<Bucket, N>>& ring, Bucket& out) {
  if (!ring) return;
  for (const auto& b : *ring) out.Add(b);
}

}  // namespace

EntityWindows::EntityWindows() = default;
EntityWindows::~EntityWindows() = default;
EntityWindows::EntityWindows(EntityWindows&&) noexcept = default;
EntityWindows& EntityWindows::operator=(EntityWindows&&) noexcept = default;

void EntityWindows::RollTo(std::int64_t slot) {
  std::int64_t old = cur_slot_;
  cur_slot_ = slot;
  if (old == kNever) return;
  RollRing(five_, FloorDiv(old, kFiveDiv), FloorDiv(slot, kFiveDiv));
  RollRing(hour_, FloorDiv(old, kHourDiv), FloorDiv(slot, kHourDiv));
  std::int64_t od = FloorDiv(old, kDayDiv), nd = FloorDiv(slot, kDayDiv);
  RollRing(day_, od, nd);
  if (hll_) {
    bool changed = RollHll(hll_->five, FloorDiv(old, kFiveDiv), FloorDiv(slot, kFiveDiv));
    changed |= RollHll(hll_->hour, FloorDiv(old, kHourDiv), FloorDiv(slot, kHourDiv));
    changed |= RollHll(hll_->day, od, nd);
    if (std::none_of(hll_->day.begin(), hll_->day.end(), [](const auto& h) { return h != nullptr; })) {
      hll_.reset();  // everything expired: back to exact counting
    } else if (changed) {
      RebuildUnions();
    }
  } else if (nd > od && exact_.size() != 0) {
    std::int64_t min_slot = (nd - 29) * kSlotsPerDay;  // first slot of the oldest day in the 30 d window
    exact_.RemoveOlderThan(static_cast<std::uint32_t>(std::max<std::int64_t>(min_slot, 0)));
  }
}

std::uint64_t EntityWindows::DayOut(std::int64_t day) const {
  if (!day_ || cur_slot_ == kNever) return 0;
  std::int64_t cd = FloorDiv(cur_slot_, kDayDiv);
  if (day > cd || cd - day >= 30) return 0;
  return (*day_)[Mod(day, 30)].out_bytes;
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
  auto get = [](auto& arr, std::int64_t idx) -> Hll& {
    auto& p = arr[Mod(idx, arr.size())];
    if (!p) p = std::make_unique<Hll>();
    return *p;
  };
  // Each record goes into the bucket of its last sighting: for windows that end now, the union
  // of buckets is then the same set as if it had been added at every sighting.
  exact_.ForEach([&](std::uint32_t fp, std::uint32_t slot) {
    std::uint64_t h = Mix64(fp);
    std::int64_t s = slot;
    if (c5 - s < 12) get(hll_->five, s).Add(h);
    if (ch - FloorDiv(s, kHourDiv) < 24) get(hll_->hour, FloorDiv(s, kHourDiv)).Add(h);
    if (cd - FloorDiv(s, kDayDiv) < 30) get(hll_->day, FloorDiv(s, kDayDiv)).Add(h);
  });
  exact_.Clear();
  // Bucket distinct counts are meaningless in HLL mode (the unions answer instead).
  if (five_)
    for (auto& b : *five_) b.distinct = 0;
  if (hour_)
    for (auto& b : *hour_) b.distinct = 0;
  if (day_)
    for (auto& b : *day_) b.distinct = 0;
  RebuildUnions();
}

void EntityWindows::AddRecords(std::span<const std::uint64_t> record_hashes, std::uint32_t exact_cap) {
  if (record_hashes.empty()) return;
  std::int64_t c5 = cur_slot_, ch = FloorDiv(cur_slot_, kHourDiv), cd = FloorDiv(cur_slot_, kDayDiv);
  if (hll_) {
    auto get = [](auto& arr, std::int64_t idx) -> Hll& {
      auto& p = arr[Mod(idx, arr.size())];
      if (!p) p = std::make_unique<Hll>();
      return *p;
    };
    Hll &f = get(hll_->five, c5), &h = get(hll_->hour, ch), &d = get(hll_->day, cd);
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
  Bucket& b5 = Current(five_, c5);
  Bucket& bh = Current(hour_, ch);
  Bucket& bd = Current(day_, cd);
  auto slot = static_cast<std::uint32_t>(std::max<std::int64_t>(cur_slot_, 0));
  for (auto rh : record_hashes) {
    std::int64_t prev = exact_.Upsert(FpTable::Fingerprint(rh), slot);
    if (prev == slot) continue;
    if (prev != FpTable::kAbsent) {
      if (c5 - prev < 12) --(*five_)[Mod(prev, 12)].distinct;
      if (ch - FloorDiv(prev, kHourDiv) < 24) --(*hour_)[Mod(FloorDiv(prev, kHourDiv), 24)].distinct;
      if (cd - FloorDiv(prev, kDayDiv) < 30) --(*day_)[Mod(FloorDiv(prev, kDayDiv), 30)].distinct;
    }
    ++b5.distinct;
    ++bh.distinct;
    ++bd.distinct;
  }
  if (exact_.size() > exact_cap) SwitchToHll();
}

void EntityWindows::AddTxn(std::uint64_t bytes, const std::array<std::uint32_t, match::kPiiTypeCount>& matches) {
  std::int64_t idx[3] = {cur_slot_, FloorDiv(cur_slot_, kHourDiv), FloorDiv(cur_slot_, kDayDiv)};
  Bucket* bs[3] = {&Current(five_, idx[0]), &Current(hour_, idx[1]), &Current(day_, idx[2])};
  for (Bucket* b : bs) {
    ++b->txn;
    b->bytes += bytes;
    for (std::size_t i = 0; i < matches.size(); ++i) b->matches[i] += matches[i];
  }
}

void EntityWindows::AddOut(std::uint64_t bytes) {
  Current(five_, cur_slot_).out_bytes += bytes;
  Current(hour_, FloorDiv(cur_slot_, kHourDiv)).out_bytes += bytes;
  Current(day_, FloorDiv(cur_slot_, kDayDiv)).out_bytes += bytes;
}

std::uint64_t EntityWindows::Distinct(Window w) const {
  if (hll_) {
    const Hll& u = w == Window::k1h ? hll_->u1h : (w == Window::k24h ? hll_->u24h : hll_->u30d);
    return static_cast<std::uint64_t>(std::llround(u.Estimate()));
  }
  Bucket sum;
  if (w == Window::k1h) Accumulate(five_, sum);
  if (w == Window::k24h) Accumulate(hour_, sum);
  if (w == Window::k30d) Accumulate(day_, sum);
  return sum.distinct;
}

WindowSum EntityWindows::Sum(Window w) const {
  Bucket b;
  if (w == Window::k1h) Accumulate(five_, b);
  if (w == Window::k24h) Accumulate(hour_, b);
  if (w == Window::k30d) Accumulate(day_, b);
  WindowSum s;
  s.distinct = Distinct(w);
  s.txn = b.txn;
  s.bytes = b.bytes;
  s.out_bytes = b.out_bytes;
  for (std::size_t i = 0; i < b.matches.size(); ++i) s.matches[i] = b.matches[i];
  return s;
}

bool EntityWindows::Empty() const { return !five_ && !hour_ && !day_ && !hll_ && exact_.size() == 0; }

std::size_t EntityWindows::MemoryBytes() const {
  std::size_t n = sizeof(*this) + exact_.capacity() * 8;
  if (five_) n += sizeof(*five_);
  if (hour_) n += sizeof(*hour_);
  if (day_) n += sizeof(*day_);
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

template <std::size_t N>
void SaveRing(ByteWriter& w, const std::unique_ptr<std::array<Bucket, N>>& ring) {
  w.Put<std::uint8_t>(ring ? 1 : 0);
  if (!ring) return;
  for (const auto& b : *ring) {
    w.Put(b.distinct);
    w.Put(b.txn);
    w.Put(b.bytes);
    w.Put(b.out_bytes);
    for (auto m : b.matches) w.Put(m);
  }
}

template <std::size_t N>
bool LoadRing(ByteReader& r, std::unique_ptr<std::array<Bucket, N>>& ring) {
  std::uint8_t present = 0;
  if (!r.Get(present) || present > 1) return false;
  if (!present) return true;
  ring = std::make_unique<std::array<Bucket, N>>();
  for (auto& b : *ring) {
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
  SaveRing(w, five_);
  SaveRing(w, hour_);
  SaveRing(w, day_);
  w.Put<std::uint32_t>(static_cast<std::uint32_t>(exact_.size()));
  exact_.ForEach([&](std::uint32_t fp, std::uint32_t slot) {
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
  if (!r.Get(cur_slot_)) return false;
  if (!LoadRing(r, five_) || !LoadRing(r, hour_) || !LoadRing(r, day_)) return false;
  std::uint32_t n = 0;
  if (!r.Get(n) || n > r.remaining() / 8) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t fp = 0, slot = 0;
    if (!r.Get(fp) || !r.Get(slot) || fp == 0 || slot > cur_slot_) return false;
    if (exact_.Upsert(fp, slot) != FpTable::kAbsent) return false;
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
