#pragma once
// Byte sets tested 16 bytes at a time (SSSE3, in the x86-64-v2 baseline the builds target), shared
// by the native matchers (native_finder.cc: runs forward from an anchor) and the validators
// (validators_*.cc: runs backward from a candidate's end).
#include <tmmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "match/validators_util.h"

namespace vigie::match::detail {

// A byte set as two 16-entry tables indexed by the byte's low and high nibbles: byte b is in the
// set when lo[b & 15] & hi[b >> 4] is not 0 (one bit per distinct row of the 16x16 byte grid; at
// most 8 distinct rows).
struct ByteSet16 {
  alignas(16) std::array<std::uint8_t, 16> lo{};
  alignas(16) std::array<std::uint8_t, 16> hi{};
  bool ok = true;  // the set fits (checked at compile time)
};
template <typename In>
constexpr ByteSet16 MakeByteSet16(In in) {
  ByteSet16 s;
  std::array<std::uint16_t, 8> rows{};
  std::size_t used = 0;
  for (unsigned h = 0; h < 16; ++h) {
    std::uint16_t row = 0;
    for (unsigned l = 0; l < 16; ++l)
      if (in(static_cast<char>(h << 4 | l))) row = static_cast<std::uint16_t>(row | 1u << l);
    if (row == 0) continue;
    std::size_t k = 0;
    while (k < used && rows[k] != row) ++k;
    if (k == used) {
      if (used == rows.size()) {
        s.ok = false;
        return s;
      }
      rows[used++] = row;
    }
    s.hi[h] = static_cast<std::uint8_t>(1u << k);
    for (unsigned l = 0; l < 16; ++l)
      if (row >> l & 1u) s.lo[l] = static_cast<std::uint8_t>(s.lo[l] | 1u << k);
  }
  return s;
}
// Whether byte c is in s (one byte: the two table lookups the 16-byte test does per byte).
constexpr bool InSet(const ByteSet16& s, char c) {
  const auto b = static_cast<unsigned char>(c);
  return (s.lo[b & 15] & s.hi[b >> 4]) != 0;
}
template <typename In>
constexpr bool SameSet(const ByteSet16& s, In in) {
  for (unsigned b = 0; b < 256; ++b)
    if (InSet(s, static_cast<char>(b)) != in(static_cast<char>(b))) return false;
  return s.ok;
}

// The sets' members, as compile-time predicates (kByteClass is the validators' table).
constexpr auto kInDomain = [](char c) { return HasClass(c, kClsDomain); };
constexpr auto kInAlpha = [](char c) { return HasClass(c, kClsAlpha); };
constexpr auto kInStreetName = [](char c) { return HasClass(c, kClsStreetName); };
constexpr auto kInEmailLocal = [](char c) { return HasClass(c, kClsEmailLocal); };
inline constexpr ByteSet16 kBbanSet = MakeByteSet16(IsBbanChar);
inline constexpr ByteSet16 kDomainSet = MakeByteSet16(kInDomain);
inline constexpr ByteSet16 kAlphaSet = MakeByteSet16(kInAlpha);
inline constexpr ByteSet16 kStreetNameSet = MakeByteSet16(kInStreetName);
inline constexpr ByteSet16 kEmailLocalSet = MakeByteSet16(kInEmailLocal);
static_assert(SameSet(kBbanSet, IsBbanChar) && SameSet(kDomainSet, kInDomain) && SameSet(kAlphaSet, kInAlpha) &&
              SameSet(kStreetNameSet, kInStreetName) && SameSet(kEmailLocalSet, kInEmailLocal));

inline __m128i Load16(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
// Bit k set when byte k of v is NOT in s.
inline unsigned Outside16(__m128i v, const ByteSet16& s) {
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i lo = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(s.lo.data())), _mm_and_si128(v, nibble));
  const __m128i hi = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(s.hi.data())),
                                      _mm_and_si128(_mm_srli_epi16(v, 4), nibble));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128())));
}
// Bit k set when byte k of v is c.
inline unsigned Equal16(__m128i v, char c) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
}

// The start of the run of bytes of s ending before p[i]: the smallest j in [lo, i] with p[j, i)
// all in the set. Reads p[0, i) only: 16 bytes per step while 16 bytes lie below the position
// reached (the bytes below lo it reads do not count), byte by byte near p[0]. One compare per
// 16 bytes instead of a loop exit per run: the runs a validator walks (an IBAN, an e-mail's
// parts) mostly end within the first 16 bytes.
inline std::size_t RunStart(const char* p, std::size_t i, std::size_t lo, const ByteSet16& s) {
  while (i > lo && i >= 16) {
    if (const unsigned out = Outside16(Load16(p + i - 16), s); out != 0) {
      const std::size_t j = i - 16 + static_cast<std::size_t>(32 - __builtin_clz(out));  // after the last outsider
      return j > lo ? j : lo;
    }
    i -= 16;
  }
  if (i <= lo) return lo;
  while (i > lo && InSet(s, p[i - 1])) --i;
  return i;
}

}  // namespace vigie::match::detail
