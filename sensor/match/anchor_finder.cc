// AnchorFinder: see anchor_finder.h. One definition of the anchors: per relative position, a
// table of the kinds each ASCII byte satisfies, built from the byte classes below; the scalar
// path and the AVX-512 VBMI path both read the tables.
#include "match/anchor_finder.h"
#include "match/cpu.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

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

// A street anchor's head, beyond the five positions the tables hold: the bytes before its blank
// at i end "NUM[ bis|ter][,]", so the byte before it (or before its ',') is a digit or ends
// "bis" / "ter" (any case). Prose's "professionnel, relance", "des candidatures", "Atelier CV"
// pass the tables (a ',', 's' or 'r', a blank, a street type's initial) and fail here. Bytes
// before the data: the one at -1 is `before` (-1: none), those before it are unknown (satisfy).
// What the native matcher reads first (native_finder.cc, AddressHead), one byte less precise
// (the number before "bis"/"ter" is left to it).
bool StreetHead(const std::uint8_t* data, std::size_t i, int before) {
  auto at = [&](std::ptrdiff_t j) { return j >= 0 ? int{data[j]} : j == -1 ? before : -2; };  // -2: unknown
  std::ptrdiff_t j = static_cast<std::ptrdiff_t>(i) - 1;
  int c = at(j);
  if (c == ',') c = at(--j);
  if (c == -2 || IsDigit(c)) return true;
  const int m = at(j - 1), f = at(j - 2);
  auto is = [](int x, char lower) { return x == -2 || (x | 0x20) == lower; };  // (-1 | 0x20 is no letter)
  if ((c | 0x20) == 's') return is(m, 'i') && is(f, 'b');
  if ((c | 0x20) == 'r') return is(m, 'e') && is(f, 't');
  return false;
}

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

// ---- AVX2: the prefilter's three conditions by nibble lookups (a superset: AnchorFinder::
// pre_lo_nibble), 32 positions a step; the few positions passing it (and the one after each:
// shifted kinds are tested at i - 1) are then decided by the definition, KindsAt. Nothing outside
// [0, n) is read: the last bytes go through a zero-padded copy, and the positions whose three
// bytes reach past the end are candidates whatever the prefilter says.
#define VIGIE_AVX2 __attribute__((target("avx2,bmi,bmi2")))
struct Avx2Tables {
  __m256i lo[3], hi[3];                          // the prefilter
  __m256i rule_lo[5], rule_hi[5], spare[5][2];  // the nibble rules
  bool spares[5];
};

// Bit j set where the prefilter passes at p + j (p[0 .. 33] readable). kAsciiOnly (pre_usable()):
// no byte >= 0x80 passes at any of the three positions (the default kinds), so
// the lo lookup takes the byte itself as its index (pshufb gives 0 where its bit 7 is set).
template <bool kAsciiOnly>
VIGIE_AVX2 inline __attribute__((always_inline)) std::uint32_t Avx2Prefilter(const Avx2Tables& t, const std::uint8_t* p) {
  const __m256i nib = _mm256_set1_epi8(0x0f);
  __m256i acc = _mm256_set1_epi8(-1);
#pragma GCC unroll 3
  for (int k = 0; k < 3; ++k) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + k));
    const __m256i lo = _mm256_shuffle_epi8(t.lo[k], kAsciiOnly ? v : _mm256_and_si256(v, nib));
    const __m256i hi = _mm256_shuffle_epi8(t.hi[k], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
    acc = _mm256_and_si256(acc, _mm256_and_si256(lo, hi));
  }
  return ~static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256())));
}

// Bit j set where the nibble rules pass at p + j (p[-1 .. 34] readable): a superset of the
// anchors there.
VIGIE_AVX2 inline __attribute__((always_inline)) std::uint32_t Avx2Rules(const Avx2Tables& t, const std::uint8_t* p) {
  const __m256i nib = _mm256_set1_epi8(0x0f);
  __m256i acc = _mm256_set1_epi8(-1);
#pragma GCC unroll 5
  for (int r = 0; r < 5; ++r) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + r - 1));
    __m256i x = _mm256_and_si256(_mm256_shuffle_epi8(t.rule_lo[r], _mm256_and_si256(v, nib)),
                                 _mm256_shuffle_epi8(t.rule_hi[r], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
    if (t.spares[r]) {  // bit 7, then bit 6 (moved to the top), stand for their kinds
      const __m256i top = _mm256_blendv_epi8(_mm256_setzero_si256(), t.spare[r][1], x);
      const __m256i six = _mm256_blendv_epi8(_mm256_setzero_si256(), t.spare[r][0], _mm256_slli_epi16(x, 1));
      x = _mm256_or_si256(_mm256_and_si256(x, _mm256_set1_epi8(0x3f)), _mm256_or_si256(top, six));
    }
    acc = _mm256_and_si256(acc, x);
  }
  return ~static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256())));
}

template <bool kAsciiOnly>
VIGIE_AVX2 void FindBlocksAvx2(const AnchorFinder& f, const std::uint8_t* data, std::size_t n, int before,
                               std::vector<std::uint32_t>& out) {
  Avx2Tables t;
  for (std::size_t k = 0; k < 3; ++k) {
    t.lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f.pre_lo_nibble()[k].data())));
    t.hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f.pre_hi_nibble()[k].data())));
  }
  for (std::size_t r = 0; r < 5; ++r) {
    const AnchorFinder::NibbleRule& rule = f.nibble_rules()[r];
    t.rule_lo[r] = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rule.lo.data())));
    t.rule_hi[r] = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rule.hi.data())));
    t.spare[r][0] = _mm256_set1_epi8(static_cast<char>(rule.spare[0]));
    t.spare[r][1] = _mm256_set1_epi8(static_cast<char>(rule.spare[1]));
    t.spares[r] = (rule.spare[0] | rule.spare[1]) != 0;
  }
  // Positions to decide: where the prefilter passed, and the position after each (a shifted
  // kind's anchor at i passes at i - 1). Position 0 always (its shifted kinds' j is -1).
  std::uint32_t carry = 1;
  const auto decide = [&](std::size_t b, std::uint64_t cand) {
    while (cand != 0) {
      const std::size_t i = b + static_cast<std::size_t>(__builtin_ctzll(cand));
      if (const unsigned k = f.TableKindsAt(data, n, i, before); k != 0) out.push_back(AnchorFinder::Entry(i, k));
      cand &= cand - 1;
    }
  };
  std::size_t b = 0;
  for (; b + 34 <= n; b += 32) {
    const std::uint32_t m = Avx2Prefilter<kAsciiOnly>(t, data + b);
    std::uint64_t cand = (std::uint64_t{m} << 1 | m | carry) & 0xffffffffu;
    carry = m >> 31;
    if (cand == 0) continue;
    // Inside the data (bytes b - 1 .. b + 34): the nibble rules leave fewer positions to decide.
    if (b != 0 && b + 35 <= n) cand &= Avx2Rules(t, data + b);
    decide(b, cand);
  }
  if (b < n) {  // the last 1..33 positions, from a zero-padded copy
    alignas(32) std::uint8_t tail[66] = {};
    const std::size_t left = n - b;
    std::memcpy(tail, data + b, left);
    const std::uint64_t lanes = (std::uint64_t{1} << left) - 1;
    // Positions whose bytes j + 1 or j + 2 lie past the end pass whatever those bytes are.
    const std::uint64_t past = left >= 2 ? std::uint64_t{3} << (left - 2) : 1;
    const std::uint64_t m = (std::uint64_t{Avx2Prefilter<kAsciiOnly>(t, tail + 32)} << 32 | Avx2Prefilter<kAsciiOnly>(t, tail)) | past;
    decide(b, (m << 1 | m | carry) & lanes);
  }
}

VIGIE_AVX2 void FindAvx2(const AnchorFinder& f, const std::uint8_t* data, std::size_t n, int before,
                         std::vector<std::uint32_t>& out) {
  if (f.pre_usable())  // (no byte >= 0x80 passes: as FindVbmi's choice)
    FindBlocksAvx2<true>(f, data, n, before, out);
  else
    FindBlocksAvx2<false>(f, data, n, before, out);
}
#undef VIGIE_AVX2

// A condition on one byte (nullptr: any byte), per relative position -1..3, for one kind.
using Pred = bool (*)(int);
struct Cond {
  unsigned kind;
  Pred at[5];
};
// Whether condition `at` holds for byte b (bytes >= 0x80 are judged as 0x80: the conditions are
// on ASCII classes).
bool Accepts(Pred at, int b) { return at == nullptr || at(b >= 128 ? 0x80 : b); }
// The first of the three relative positions (index into Cond::at) the prefilter tests a kind on:
// -1 for the kPreShifted kinds, 0 for the others.
std::size_t PrefilterFirst(unsigned kind) { return (kind & AnchorFinder::kPreShifted) != 0 ? 0 : 1; }

// A set of bytes as rectangles: hi nibbles x lo nibbles (the hi nibbles whose lo-nibble sets
// are the same: a digit {3} x {0..9}). A nibble lookup's bit can only hold a rectangle: the
// smallest one covering a group (its Bound).
struct Rect {
  std::uint16_t hi = 0, lo = 0;  // nibble sets
  bool Has(int b) const { return ((hi >> (b >> 4)) & 1) != 0 && ((lo >> (b & 15)) & 1) != 0; }
};
struct Group {  // rectangles sharing one bit
  std::vector<Rect> rects;
  Rect Bound() const {
    Rect b;
    for (const Rect& x : rects) b = {static_cast<std::uint16_t>(b.hi | x.hi), static_cast<std::uint16_t>(b.lo | x.lo)};
    return b;
  }
};
// The bytes condition `at` accepts, as rectangles.
Group RectsOf(Pred at) {
  std::array<std::uint16_t, 16> lo_of{};  // per hi nibble, its lo nibbles
  for (int b = 0; b < 256; ++b)
    if (Accepts(at, b)) lo_of[static_cast<std::size_t>(b >> 4)] |= static_cast<std::uint16_t>(1u << (b & 15));
  Group g;
  for (std::size_t h = 0; h < 16; ++h) {
    if (lo_of[h] == 0) continue;
    auto same = std::find_if(g.rects.begin(), g.rects.end(), [&](const Rect& x) { return x.lo == lo_of[h]; });
    if (same == g.rects.end()) same = g.rects.insert(g.rects.end(), Rect{0, lo_of[h]});
    same->hi = static_cast<std::uint16_t>(same->hi | (1u << h));
  }
  return g;
}
// A rough model of text's bytes (JSON, CSV, HTML): lower-case letters and blanks common, then
// quotes, digits, capitals and punctuation; '@' and bytes outside ASCII rare. Shares of text
// (they sum to 1).
std::array<double, 256> TextWeights() {
  std::array<double, 256> weight{};
  double total = 0;
  for (int b = 0; b < 256; ++b) {
    double w = b >= 0x20 && b < 0x7f ? 0.3 : b == '\n' ? 1 : 0.05;
    if (b >= 'a' && b <= 'z') w = 6;
    if (b >= 'A' && b <= 'Z') w = 1;
    if (b >= '0' && b <= '9') w = 3;
    if (b == ' ') w = 15;
    if (b == '"') w = 8;
    if (b == ':' || b == ',') w = 3;
    if (b == '.' || b == '<' || b == '>' || b == '=') w = 2;
    if (b == '@') w = 0.1;
    weight[static_cast<std::size_t>(b)] = w;
    total += w;
  }
  for (double& w : weight) w /= total;
  return weight;
}

// AnchorFinder::NibbleRule for each relative position. A kind's own bit holds the smallest
// rectangle covering its condition's bytes, and a spare bit may take one of its rectangles out
// of it. The spares go, one at a time, where they remove the most of what text lets through
// (TextWeights: a kind passes with the product over positions of its bytes' share), so text's
// frequent near-misses (a word's last letter, a blank, a street type's initial: "t a") stop at
// the vector test.
std::array<AnchorFinder::NibbleRule, 5> NibbleRules(const Cond (&conds)[kAnchorKinds], unsigned enabled) {
  // groups[r][k]: kind k's bits at r (the first: its own bit; then spares).
  std::array<std::array<std::vector<Group>, kAnchorKinds>, 5> groups;
  for (std::size_t r = 0; r < 5; ++r)
    for (std::size_t k = 0; k < kAnchorKinds; ++k)
      if ((enabled & conds[k].kind) != 0) groups[r][k].push_back(RectsOf(conds[k].at[r]));
  const std::array<double, 256> weight = TextWeights();
  const auto share = [&](std::size_t r, std::size_t k) {  // the share of text kind k's bits let through at r
    std::array<std::uint16_t, 16> lo_in{};  // per hi nibble, the lo nibbles one of the bits takes
    for (const Group& g : groups[r][k]) {
      const Rect x = g.Bound();
      for (std::size_t h = 0; h < 16; ++h)
        if ((x.hi >> h) & 1) lo_in[h] = static_cast<std::uint16_t>(lo_in[h] | x.lo);
    }
    double n = 0;
    for (int b = 0; b < 256; ++b)
      if ((lo_in[static_cast<std::size_t>(b >> 4)] >> (b & 15)) & 1) n += weight[static_cast<std::size_t>(b)];
    return n;
  };
  const auto passing = [&] {
    double sum = 0;
    for (std::size_t k = 0; k < kAnchorKinds; ++k) {
      if ((enabled & conds[k].kind) == 0) continue;
      double p = 1;
      for (std::size_t r = 0; r < 5; ++r) p *= share(r, k);
      sum += p;
    }
    return sum;
  };
  // Rectangle i of kind k's own bit at r moves to a spare bit of its own.
  const auto split_off = [&](std::size_t r, std::size_t k, std::size_t i) {
    std::vector<Rect>& own = groups[r][k][0].rects;
    Group out;
    out.rects.push_back(own[i]);
    own.erase(own.begin() + static_cast<std::ptrdiff_t>(i));
    groups[r][k].push_back(out);
  };
  std::array<int, 5> spares_used{};
  for (;;) {  // the best split left, until no spare is left or none lets less through
    double best = passing();
    std::size_t br = 0, bk = 0, bi = 0;
    bool found = false;
    for (std::size_t r = 0; r < 5; ++r) {
      if (spares_used[r] == 2) continue;
      for (std::size_t k = 0; k < kAnchorKinds; ++k) {
        if (groups[r][k].empty() || groups[r][k][0].rects.size() < 2) continue;
        for (std::size_t i = 0; i < groups[r][k][0].rects.size(); ++i) {
          const std::vector<Group> saved = groups[r][k];
          split_off(r, k, i);
          const double p = passing();
          groups[r][k] = saved;
          if (p < best - 1e-12) {
            best = p;
            br = r, bk = k, bi = i, found = true;
          }
        }
      }
    }
    if (!found) break;
    split_off(br, bk, bi);
    ++spares_used[br];
  }
  std::array<AnchorFinder::NibbleRule, 5> rules{};
  for (std::size_t r = 0; r < 5; ++r) {
    int spare = 0;
    for (std::size_t k = 0; k < kAnchorKinds; ++k) {
      for (std::size_t g = 0; g < groups[r][k].size(); ++g) {
        unsigned bit = conds[k].kind;
        if (g > 0) {
          bit = 0x40u << spare;
          rules[r].spare[static_cast<std::size_t>(spare++)] = static_cast<std::uint8_t>(conds[k].kind);
        }
        const Rect x = groups[r][k][g].Bound();
        for (std::size_t nib = 0; nib < 16; ++nib) {
          if ((x.lo >> nib) & 1) rules[r].lo[nib] = static_cast<std::uint8_t>(rules[r].lo[nib] | bit);
          if ((x.hi >> nib) & 1) rules[r].hi[nib] = static_cast<std::uint8_t>(rules[r].hi[nib] | bit);
        }
      }
    }
  }
  return rules;
}

// The AVX2 prefilter's nibble tables (AnchorFinder::pre_lo_nibble, pre_hi_nibble): each kind's
// three conditions by the smallest rectangles covering them. A condition of several rectangles
// may be split: a spare bit (6, 7) stands for the kind with one of them there and its other two
// conditions, the kind's own bit for the rest. The prefilter passes where some bit holds at all
// three bytes, so a spare narrows what the kind lets through at no cost in instructions. The
// spares go where they remove the most of what text lets through (TextWeights); for the
// default kinds, to street's byte before the blank ([0-9,sSrR], whose covering rectangle also
// takes blanks, quotes and "p".."y": prose's "t l", "y p" passed), which becomes exact.
struct PreNibbles {
  std::array<std::array<std::uint8_t, 16>, 3> lo{}, hi{};
};
PreNibbles PrefilterNibbles(const Cond (&conds)[kAnchorKinds], unsigned enabled) {
  struct Virtual {
    unsigned bit;
    std::array<Group, 3> at;
  };
  std::vector<Virtual> vs;
  for (const Cond& c : conds) {
    if ((enabled & c.kind) == 0) continue;
    const std::size_t first = PrefilterFirst(c.kind);
    Virtual v{c.kind, {}};
    for (std::size_t k = 0; k < 3; ++k) v.at[k] = RectsOf(c.at[first + k]);
    vs.push_back(std::move(v));
  }
  const std::array<double, 256> weight = TextWeights();
  const auto share = [&](const Rect& x) {
    double n = 0;
    for (int b = 0; b < 256; ++b)
      if (x.Has(b)) n += weight[static_cast<std::size_t>(b)];
    return n;
  };
  const auto passing = [&](const Virtual& v) {
    return share(v.at[0].Bound()) * share(v.at[1].Bound()) * share(v.at[2].Bound());
  };
  for (unsigned spare = 0; spare < 2; ++spare) {
    double best = 1e-12;
    std::size_t bv = 0, bk = 0, bi = 0;
    bool found = false;
    for (std::size_t v = 0; v < vs.size(); ++v) {
      for (std::size_t k = 0; k < 3; ++k) {
        const std::vector<Rect>& rects = vs[v].at[k].rects;
        for (std::size_t i = 0; rects.size() >= 2 && i < rects.size(); ++i) {
          Virtual rest = vs[v], out = vs[v];
          rest.at[k].rects.erase(rest.at[k].rects.begin() + static_cast<std::ptrdiff_t>(i));
          out.at[k].rects = {rects[i]};
          const double gain = passing(vs[v]) - passing(rest) - passing(out);
          if (gain > best) best = gain, bv = v, bk = k, bi = i, found = true;
        }
      }
    }
    if (!found) break;
    Virtual out = vs[bv];
    out.bit = 0x40u << spare;
    out.at[bk].rects = {vs[bv].at[bk].rects[bi]};
    vs[bv].at[bk].rects.erase(vs[bv].at[bk].rects.begin() + static_cast<std::ptrdiff_t>(bi));
    vs.push_back(std::move(out));
  }
  PreNibbles t;
  for (const Virtual& v : vs) {
    for (std::size_t k = 0; k < 3; ++k) {
      const Rect x = v.at[k].Bound();
      for (std::size_t nib = 0; nib < 16; ++nib) {
        if ((x.lo >> nib) & 1) t.lo[k][nib] = static_cast<std::uint8_t>(t.lo[k][nib] | v.bit);
        if ((x.hi >> nib) & 1) t.hi[k][nib] = static_cast<std::uint8_t>(t.hi[k][nib] | v.bit);
      }
    }
  }
  return t;
}

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
  if (impl_ == Impl::kAuto)
    impl_ = CpuHasAvx512Vbmi() ? Impl::kAvx512 : CpuHasAvx2() ? Impl::kAvx2 : Impl::kScalar;
  // Conditions per relative position (index r + 1): bit = kind; a kind without a condition at r
  // accepts every byte there (`any`).
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
  // so every anchor passes it (the definition then decides). The AVX-512 path masks off the
  // positions with a byte >= 0x80 among the three: no condition used may accept one (none does).
  // The AVX2 prefilter from the same conditions (PrefilterNibbles): each byte's kinds widened to
  // lo-nibble kinds & hi-nibble kinds; bytes >= 0x80 (hi nibbles 8..15) get the kinds whose
  // condition accepts them.
  for (const Cond& c : conds) {
    if (!(kinds_ & c.kind)) continue;
    const std::size_t first = PrefilterFirst(c.kind);
    const auto bit = static_cast<std::uint8_t>(c.kind);
    for (std::size_t k = 0; k < 3; ++k) {
      const Pred at = c.at[first + k];
      if (Accepts(at, 0x80)) pre_usable_ = false;
      for (int b = 0; b < 128; ++b)
        if (Accepts(at, b)) pre_tables_[k][static_cast<std::size_t>(b)] |= bit;
    }
  }
  const PreNibbles nibbles = PrefilterNibbles(conds, kinds_);
  pre_lo_nibble_ = nibbles.lo;
  pre_hi_nibble_ = nibbles.hi;
  nibble_rules_ = NibbleRules(conds, kinds_);
  for (std::size_t r = 0; r < 5; ++r) {
    any_[r] = 0;
    tables_[r].fill(0);
    for (const Cond& c : conds) {
      if (!(kinds_ & c.kind)) continue;
      // Bytes >= 0x80 and an unknown byte before the data: accepted where the condition accepts
      // 0x80 (none is a word byte; the data's start is a \b).
      if (Accepts(c.at[r], 0x80)) any_[r] = static_cast<std::uint8_t>(any_[r] | c.kind);
      for (int b = 0; b < 128; ++b)
        if (Accepts(c.at[r], b)) tables_[r][static_cast<std::size_t>(b)] |= static_cast<std::uint8_t>(c.kind);
    }
  }
}

unsigned AnchorFinder::TableKindsAt(const std::uint8_t* data, std::size_t n, std::size_t i, int before) const {
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

unsigned AnchorFinder::KindsAt(const std::uint8_t* data, std::size_t n, std::size_t i, int before) const {
  unsigned k = TableKindsAt(data, n, i, before);
  if ((k & kAnchorStreet) != 0 && !StreetHead(data, i, before)) k &= ~unsigned{kAnchorStreet};
  return k;
}

void AnchorFinder::Find(const std::uint8_t* data, std::size_t n, int before, std::vector<std::uint32_t>& out) const {
  if (n == 0 || kinds_ == 0) return;
  const std::size_t first = out.size();
  switch (impl_) {
    case Impl::kAvx512:
      FindVbmi(*this, data, n, before, out);
      break;
    case Impl::kAvx2:
      FindAvx2(*this, data, n, before, out);
      break;
    default:  // the definition at every position
      for (std::size_t i = 0; i < n; ++i)
        if (const unsigned k = KindsAt(data, n, i, before); k != 0) out.push_back(Entry(i, k));
      return;
  }
  // The vector paths decide the tables' conditions; street's head then, on their few entries
  // (out of their loops: a call there made GCC keep the AVX2 prefilter's tables on the stack,
  // +5 % instructions on random bytes).
  if ((kinds_ & kAnchorStreet) == 0) return;
  std::size_t kept = first;
  for (std::size_t k = first; k < out.size(); ++k) {
    std::uint32_t e = out[k];
    if ((e & kAnchorStreet) != 0 && !StreetHead(data, Offset(e), before)) {
      e &= ~std::uint32_t{kAnchorStreet};
      if (Kinds(e) == 0) continue;
    }
    out[kept++] = e;
  }
  out.resize(kept);
}

}  // namespace vigie::match
