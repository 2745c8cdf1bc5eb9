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

// The 64 bytes at data[b + r - 1 ...] for relative position r - 1 of block b. Inside the data:
// one load. At its edges (the first block, the last ones): masked loads (nothing outside
// [0, n) is read), NUL past the end (it satisfies no condition), `before` (NUL if unknown) at -1.
template <bool kInner>
VIGIE_VBMI inline __attribute__((always_inline)) __m512i LoadAt(const std::uint8_t* data, std::size_t n, std::size_t b,
                                                                int r, int before) {
  if constexpr (kInner) {
    return _mm512_loadu_si512(data + b + static_cast<std::size_t>(r) - 1);
  } else {
    auto lanes = [](std::size_t k) { return k >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1; };
    if (b + static_cast<std::size_t>(r) >= 1) {
      const std::size_t start = b + static_cast<std::size_t>(r) - 1;
      return _mm512_maskz_loadu_epi8(start >= n ? 0 : lanes(n - start), data + start);
    }
    const __m512i x = _mm512_maskz_loadu_epi8(lanes(n < 63 ? n : 63), data);  // b == 0, r == 0
    const __m512i shifted = _mm512_maskz_permutexvar_epi8(~__mmask64{0}, _mm512_load_si512(kShiftIndex.b), x);
    return _mm512_mask_mov_epi8(shifted, 1, _mm512_set1_epi8(static_cast<char>(before >= 0 ? before : 0)));
  }
}

// The kinds whose condition at relative position r - 1 holds, for the 64 bytes v.
VIGIE_VBMI inline __attribute__((always_inline)) __m512i VbmiCond(__m512i v, int r, const __m512i* lo,
                                                                  const __m512i* hi, const __m512i* any) {
  return _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(lo[r], v, hi[r]), _mm512_movepi8_mask(v), any[r]);
}

struct VbmiTables {
  __m512i lo[5], hi[5], any[5];
};

// Block b: the anchors at b .. b + 63 (below lim) appended to out.
template <bool kInner>
VIGIE_VBMI inline __attribute__((always_inline)) void FindBlock(const VbmiTables& t, const std::uint8_t* data,
                                                                std::size_t n, std::size_t b, std::size_t lim,
                                                                int before, std::vector<std::uint32_t>& out) {
  // Relative positions 0, 1, 2 first (index 1..3): together they are rare in binary or
  // encrypted data (~0.2 % of positions), so most such blocks stop after three permutes.
  __m512i acc = _mm512_and_si512(_mm512_and_si512(VbmiCond(LoadAt<kInner>(data, n, b, 1, before), 1, t.lo, t.hi, t.any),
                                                  VbmiCond(LoadAt<kInner>(data, n, b, 2, before), 2, t.lo, t.hi, t.any)),
                                 VbmiCond(LoadAt<kInner>(data, n, b, 3, before), 3, t.lo, t.hi, t.any));
  if (_mm512_test_epi8_mask(acc, acc) == 0) return;
  acc = _mm512_and_si512(acc, _mm512_and_si512(VbmiCond(LoadAt<kInner>(data, n, b, 0, before), 0, t.lo, t.hi, t.any),
                                               VbmiCond(LoadAt<kInner>(data, n, b, 4, before), 4, t.lo, t.hi, t.any)));
  std::uint64_t m = _mm512_test_epi8_mask(acc, acc);
  if (b + 64 > lim) m &= (std::uint64_t{1} << (lim - b)) - 1;
  if (m == 0) return;
  alignas(64) std::uint8_t kinds[64];
  _mm512_store_si512(kinds, acc);
  while (m != 0) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(m));
    out.push_back(AnchorFinder::Entry(b + i, kinds[i]));
    m &= m - 1;
  }
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
  const std::size_t lim = n > 3 ? n - 3 : 0;  // beyond: look-ahead leaves the data (scalar tail)
  // Blocks whose bytes b - 1 .. b + 66 all lie in the data are read directly; the first and the
  // last ones with masked loads.
  std::size_t b = 0;
  if (b < lim) {
    FindBlock<false>(t, data, n, b, lim, before, out);
    b += 64;
  }
  for (; b < lim && b + 67 <= n; b += 64) FindBlock<true>(t, data, n, b, lim, before, out);
  for (; b < lim; b += 64) FindBlock<false>(t, data, n, b, lim, before, out);
  f.ScalarTail(data, n, lim, before, out);
}
#undef VIGIE_VBMI

}  // namespace

std::optional<AnchorKind> AnchorKindFromName(std::string_view name) {
  if (name == "iban") return kAnchorIban;
  if (name == "at_sign") return kAnchorAtSign;
  if (name == "plus33") return kAnchorPlus33;
  if (name == "street") return kAnchorStreet;
  if (name == "date_sep") return kAnchorDateSep;
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
  };
  // Tails (bytes a match may hold after the anchor), by kind bit index.
  const struct {
    Pred in;
    std::uint32_t extra;
  } tails[5] = {
      {[](int c) { return IsUpper(c) || IsDigit(c) || c == ' '; }, 0},                               // iban
      {[](int c) { return IsAlpha(c) || IsDigit(c) || c == '.' || c == '-'; }, 0},                   // at_sign
      {[](int c) { return IsDigit(c) || c == ' ' || c == '.' || c == '-'; }, 0},                     // plus33
      {[](int c) { return IsAlpha(c) || IsDigit(c) || c >= 0x80 || c == '\'' || c == ' ' || c == '.' || c == '-'; },
       9},                                                                                            // street
      {[](int c) { return IsDigit(c) || c == '/' || c == '-'; }, 0},                                 // date_sep
  };
  for (std::size_t k = 0; k < 5; ++k) {
    tails_[k].extra = tails[k].extra;
    for (int b = 0; b < 256; ++b) tails_[k].in[static_cast<std::size_t>(b)] = tails[k].in(b);
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

void AnchorFinder::ScalarTail(const std::uint8_t* data, std::size_t n, std::size_t from, int before,
                              std::vector<std::uint32_t>& out) const {
  for (std::size_t i = from; i < n; ++i)
    if (const unsigned k = KindsAt(data, n, i, before); k != 0) out.push_back(Entry(i, k));
}

void AnchorFinder::Find(const std::uint8_t* data, std::size_t n, int before, std::vector<std::uint32_t>& out) const {
  if (n == 0 || kinds_ == 0) return;
  switch (impl_) {
    case Impl::kAvx512:
      FindVbmi(*this, data, n, before, out);
      return;
    default:
      ScalarTail(data, n, 0, before, out);
  }
}

}  // namespace vigie::match
