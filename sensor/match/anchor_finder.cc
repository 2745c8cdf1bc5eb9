// AnchorFinder: see anchor_finder.h. One definition of the anchors: per relative position, a
// table of the kinds each ASCII byte satisfies, built from the byte classes below; the scalar
// path and the AVX-512 VBMI path both read the tables.
#include "match/anchor_finder.h"
#include "match/cpu.h"

#include <immintrin.h>

#include <algorithm>

namespace vigie::match {

namespace {

// Byte classes (the conditions the tables are built from).
bool IsUpper(int c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsAlpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsLocal(int c) { return IsAlpha(c) || IsDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomain(int c) { return IsAlpha(c) || IsDigit(c) || c == '-'; }
bool IsInitial(int c) {
  const int l = c | 0x20;
  return IsAlpha(c) && (l == 'r' || l == 'a' || l == 'b' || l == 'c' || l == 'i' || l == 'p' || l == 'q' || l == 's' || l == 'v');
}
bool IsBeforeSpace(int c) { return IsDigit(c) || c == ',' || c == 's' || c == 'S' || c == 'r' || c == 'R'; }

// ---- AVX-512 VBMI: per relative position r (-1..3) a 128-entry table gives, for each byte, the
// kinds whose condition at r it satisfies; an anchor is a position where the AND over r of
// table_r[byte at i + r] is not zero. Five permutes per 64 bytes instead of a compare per class.
#define VIGIE_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
// Lane j -> byte j - 1 (lane 0 is then replaced by the byte before the data).
struct alignas(64) ShiftIndex {
  std::uint8_t b[64];
};
constexpr ShiftIndex MakeShiftIndex() {
  ShiftIndex x{};
  for (int j = 1; j < 64; ++j) x.b[j] = static_cast<std::uint8_t>(j - 1);
  return x;
}
constexpr ShiftIndex kShiftIndex = MakeShiftIndex();

// The kinds whose condition at relative position r - 1 holds, for the 64 bytes v.
VIGIE_VBMI inline __attribute__((always_inline)) __m512i VbmiCond(__m512i v, int r, const __m512i* lo,
                                                                  const __m512i* hi, const __m512i* any) {
  return _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(lo[r], v, hi[r]), _mm512_movepi8_mask(v), any[r]);
}

struct VbmiTables {
  __m512i lo[5], hi[5], any[5];
  __m512i all;                   // every enabled kind (bytes past the data satisfy every condition)
  __m512i pre_lo[3], pre_hi[3];  // the prefilter (AnchorFinder::pre_tables)
};

// The kinds whose condition at relative position r - 1 holds for the 64 bytes at
// data[b + r - 1 ...] (block b). Inside the data (kInner): one load. At its edges (the first
// block, the last ones): masked loads (nothing outside [0, n) is read); past the end every kind
// holds (the chunk's end over-approximates, as in KindsAt); at -1 `before` (NUL if unknown:
// the same kinds as a byte >= 0x80).
template <bool kInner>
VIGIE_VBMI inline __attribute__((always_inline)) __m512i CondAt(const VbmiTables& t, const std::uint8_t* data,
                                                                std::size_t n, std::size_t b, int r, int before) {
  if constexpr (kInner) {
    return VbmiCond(_mm512_loadu_si512(data + b + static_cast<std::size_t>(r) - 1), r, t.lo, t.hi, t.any);
  } else {
    auto lanes = [](std::size_t k) { return k >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1; };
    if (b + static_cast<std::size_t>(r) >= 1) {
      const std::size_t start = b + static_cast<std::size_t>(r) - 1;
      const std::uint64_t in = start >= n ? 0 : lanes(n - start);
      return _mm512_mask_mov_epi8(VbmiCond(_mm512_maskz_loadu_epi8(in, data + start), r, t.lo, t.hi, t.any), ~in,
                                  t.all);
    }
    const std::uint64_t in = lanes(n < 63 ? n : 63);  // b == 0, r == 0: lane j is byte j - 1
    const __m512i x = _mm512_maskz_loadu_epi8(in, data);
    const __m512i shifted = _mm512_maskz_permutexvar_epi8(~__mmask64{0}, _mm512_load_si512(kShiftIndex.b), x);
    const __m512i v = _mm512_mask_mov_epi8(shifted, 1, _mm512_set1_epi8(static_cast<char>(before >= 0 ? before : 0)));
    return _mm512_mask_mov_epi8(VbmiCond(v, r, t.lo, t.hi, t.any), ~(in << 1 | 1), t.all);
  }
}

// The prefilter of inner block b (AnchorFinder::pre_tables): bit j set where it passes at
// b + j. Three permutes, no blend: ~0.07 % of binary positions pass.
VIGIE_VBMI inline __attribute__((always_inline)) std::uint64_t Prefilter(const VbmiTables& t, const std::uint8_t* data,
                                                                         std::size_t b) {
  const __m512i v1 = _mm512_loadu_si512(data + b), v2 = _mm512_loadu_si512(data + b + 1),
                v3 = _mm512_loadu_si512(data + b + 2);
  // (a permute reads 7 index bits: a position where one of the three bytes is >= 0x80, which no
  // prefilter condition accepts, is masked off by the test, one sign mask of their OR)
  const __m512i pre = _mm512_and_si512(_mm512_and_si512(_mm512_permutex2var_epi8(t.pre_lo[0], v1, t.pre_hi[0]),
                                                        _mm512_permutex2var_epi8(t.pre_lo[1], v2, t.pre_hi[1])),
                                       _mm512_permutex2var_epi8(t.pre_lo[2], v3, t.pre_hi[2]));
  const __mmask64 ascii = _mm512_movepi8_mask(_mm512_ternarylogic_epi32(v1, v2, v3, 0x01));  // ~(v1 | v2 | v3)
  return _mm512_mask_test_epi8_mask(ascii, pre, pre);
}

// Block b by the definition (every relative position -1 .. 3): its anchors at b .. b + 63
// (below n) appended to out.
template <bool kInner>
VIGIE_VBMI inline __attribute__((always_inline)) void FindBlock(const VbmiTables& t, const std::uint8_t* data,
                                                                std::size_t n, std::size_t b, int before,
                                                                std::vector<std::uint32_t>& out) {
  const __m512i acc = _mm512_and_si512(
      _mm512_and_si512(_mm512_and_si512(CondAt<kInner>(t, data, n, b, 1, before), CondAt<kInner>(t, data, n, b, 2, before)),
                       _mm512_and_si512(CondAt<kInner>(t, data, n, b, 3, before), CondAt<kInner>(t, data, n, b, 0, before))),
      CondAt<kInner>(t, data, n, b, 4, before));
  std::uint64_t m = _mm512_test_epi8_mask(acc, acc);
  if (b + 64 > n) m &= (std::uint64_t{1} << (n - b)) - 1;
  if (m == 0) return;
  alignas(64) std::uint8_t kinds[64];
  _mm512_store_si512(kinds, acc);
  while (m != 0) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(m));
    out.push_back(AnchorFinder::Entry(b + i, kinds[i]));
    m &= m - 1;
  }
}

// Blocks whose bytes b - 1 .. b + 66 all lie in the data are read directly; the first and the
// last ones with masked loads (and by the definition). With the prefilter, an inner block runs
// the definition only where the prefilter passed in it or at the previous block's last position
// (`carry`: a shifted kind's anchor at b); the block after the first one always runs it (its
// carry is unknown). (Two blocks per step with one branch measured no faster on binary data,
// and slower on JSON.)
template <bool kPre>
VIGIE_VBMI void FindBlocks(const VbmiTables& t, const std::uint8_t* data, std::size_t n, int before,
                           std::vector<std::uint32_t>& out) {
  FindBlock<false>(t, data, n, 0, before, out);
  std::size_t b = 64;
  std::uint64_t carry = 1;
  for (; b + 67 <= n; b += 64) {
    if constexpr (kPre) {
      const std::uint64_t m = Prefilter(t, data, b);
      const std::uint64_t in = m | carry;
      carry = m >> 63;
      if (in == 0) continue;
    }
    FindBlock<true>(t, data, n, b, before, out);
  }
  for (; b < n; b += 64) FindBlock<false>(t, data, n, b, before, out);
}

VIGIE_VBMI void FindVbmi(const AnchorFinder& f, const std::uint8_t* data, std::size_t n, int before,
                         std::vector<std::uint32_t>& out) {
  const auto& lut = f.tables();
  VbmiTables t;
  for (int r = 0; r < 5; ++r) {
    t.lo[r] = _mm512_loadu_si512(lut[static_cast<std::size_t>(r)].data());
    t.hi[r] = _mm512_loadu_si512(lut[static_cast<std::size_t>(r)].data() + 64);
    t.any[r] = _mm512_set1_epi8(static_cast<char>(f.any()[static_cast<std::size_t>(r)]));
  }
  for (std::size_t k = 0; k < 3; ++k) {
    t.pre_lo[k] = _mm512_loadu_si512(f.pre_tables()[k].data());
    t.pre_hi[k] = _mm512_loadu_si512(f.pre_tables()[k].data() + 64);
  }
  t.all = _mm512_set1_epi8(static_cast<char>(f.kinds()));
  if (f.pre_usable())
    FindBlocks<true>(t, data, n, before, out);
  else
    FindBlocks<false>(t, data, n, before, out);
}
#undef VIGIE_VBMI

}  // namespace

std::optional<AnchorKind> AnchorKindFromName(std::string_view name) {
  if (name == "iban") return kAnchorIban;
  if (name == "at_sign") return kAnchorAtSign;
  if (name == "plus33") return kAnchorPlus33;
  if (name == "street") return kAnchorStreet;
  if (name == "date_sep") return kAnchorDateSep;
  if (name == "midnight") return kAnchorMidnight;
  return std::nullopt;
}

AnchorFinder::AnchorFinder(unsigned kinds, Impl impl) : kinds_(kinds & kAnchorAll), impl_(impl) {
  if (impl_ == Impl::kAuto) impl_ = CpuHasAvx512Vbmi() ? Impl::kAvx512 : Impl::kScalar;
  // Conditions per relative position (index r + 1): bit = kind; a kind without a condition at r
  // accepts every byte there (`any`).
  using Pred = bool (*)(int);
  struct Cond {
    unsigned kind;
    Pred at[5];
  };
  const Pred any_byte = nullptr;
  const Cond conds[] = {
      {kAnchorIban, {[](int c) { return !IsAlpha(c) && !IsDigit(c) && c != '_'; }, IsUpper, IsUpper, IsDigit, IsDigit}},
      {kAnchorAtSign, {IsLocal, [](int c) { return c == '@'; }, IsDomain, any_byte, any_byte}},
      {kAnchorPlus33, {[](int c) { return c == '+' || c == '0'; }, [](int c) { return c == '3'; },
                       [](int c) { return c == '3'; }, any_byte, any_byte}},
      {kAnchorStreet, {IsBeforeSpace, [](int c) { return c == ' '; }, IsInitial, any_byte, any_byte}},
      {kAnchorDateSep, {IsDigit, [](int c) { return c == '-' || c == '/'; }, IsDigit, IsDigit,
                        [](int c) { return c == '-' || c == '/'; }}},
      {kAnchorMidnight, {IsDigit, [](int c) { return c == 'T'; }, [](int c) { return c == '0'; },
                         [](int c) { return c == '0'; }, [](int c) { return c == ':'; }}},
  };
  // Tails (bytes a match may hold after the anchor), by kind bit index.
  const struct {
    Pred in;
    std::uint32_t extra;
  } tails[kAnchorKinds] = {
      {[](int c) { return IsUpper(c) || IsDigit(c) || c == ' '; }, 0},                               // iban
      {[](int c) { return IsAlpha(c) || IsDigit(c) || c == '.' || c == '-'; }, 0},                   // at_sign
      {[](int c) { return IsDigit(c) || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')'; }, 0},  // plus33
      {[](int c) { return IsAlpha(c) || IsDigit(c) || c >= 0x80 || c == '\'' || c == ' ' || c == '.' || c == '-'; },
       9},                                                                                            // street
      {[](int c) { return IsDigit(c) || c == '/' || c == '-'; }, 0},                                 // date_sep
      {[](int c) { return IsDigit(c) || c == ':' || c == 'Z'; }, 0},                                 // midnight
  };
  for (std::size_t k = 0; k < kAnchorKinds; ++k) {
    tails_[k].extra = tails[k].extra;
    for (int b = 0; b < 256; ++b) tails_[k].in[static_cast<std::size_t>(b)] = tails[k].in(b);
  }
  // Prefilter: kPreShifted kinds by their conditions at relative positions -1, 0, 1 (table
  // index 0..2), the others by those at 0, 1, 2 (index 1..3): three of each kind's conditions,
  // so every anchor passes it (the definition then decides). The vector path masks off the
  // positions with a byte >= 0x80 among the three: no condition used may accept one (none does).
  for (const Cond& c : conds) {
    if (!(kinds_ & c.kind)) continue;
    const std::size_t first = (c.kind & kPreShifted) != 0 ? 0 : 1;
    for (std::size_t k = 0; k < 3; ++k) {
      const Pred at = c.at[first + k];
      if (at == nullptr || at(0x80)) pre_usable_ = false;
      for (int b = 0; b < 128; ++b)
        if (at == nullptr || at(b)) pre_tables_[k][static_cast<std::size_t>(b)] |= static_cast<std::uint8_t>(c.kind);
    }
  }
  for (std::size_t r = 0; r < 5; ++r) {
    any_[r] = 0;
    tables_[r].fill(0);
    for (const Cond& c : conds) {
      if (!(kinds_ & c.kind)) continue;
      // Bytes >= 0x80 and an unknown byte before the data: accepted where the condition accepts
      // 0x80 (none is a word byte; the data's start is a \b).
      if (c.at[r] == nullptr || c.at[r](0x80)) any_[r] = static_cast<std::uint8_t>(any_[r] | c.kind);
      for (int b = 0; b < 128; ++b)
        if (c.at[r] == nullptr || c.at[r](b)) tables_[r][static_cast<std::size_t>(b)] |= static_cast<std::uint8_t>(c.kind);
    }
  }
}

unsigned AnchorFinder::KindsAt(const std::uint8_t* data, std::size_t n, std::size_t i, int before) const {
  unsigned k = kinds_;
  for (std::size_t r = 0; r < 5 && k != 0; ++r) {
    const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(i) + static_cast<std::ptrdiff_t>(r) - 1;
    int c;
    if (at < 0) {
      c = before;  // -1 when unknown: only kinds without a condition there survive
    } else if (static_cast<std::size_t>(at) >= n) {
      continue;  // beyond the data: unknown, satisfies every condition
    } else {
      c = data[at];
    }
    k &= c < 0 || c >= 128 ? any_[r] : tables_[r][static_cast<std::size_t>(c)];
  }
  return k;
}

void AnchorFinder::Find(const std::uint8_t* data, std::size_t n, int before, std::vector<std::uint32_t>& out) const {
  if (n == 0 || kinds_ == 0) return;
  switch (impl_) {
    case Impl::kAvx512:
      FindVbmi(*this, data, n, before, out);
      return;
    default:  // the definition at every position
      for (std::size_t i = 0; i < n; ++i)
        if (const unsigned k = KindsAt(data, n, i, before); k != 0) out.push_back(Entry(i, k));
  }
}

}  // namespace vigie::match
