#pragma once
// Small character helpers shared by the validators (ASCII only on purpose: the patterns are
// byte patterns, and locale-dependent <cctype> must not decide what a digit is).
#include <emmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::match::detail {

constexpr bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
constexpr bool IsUpper(char c) { return static_cast<unsigned char>(c - 'A') < 26; }
constexpr bool IsLower(char c) { return static_cast<unsigned char>(c - 'a') < 26; }
constexpr bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
constexpr bool IsWordByte(char c) { return IsAlnum(c) || c == '_'; }  // the regex \w
constexpr bool IsBbanChar(char c) { return IsDigit(c) || IsUpper(c); }  // an IBAN's [0-9A-Z]
constexpr char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
// Whether b, the byte after 0xC3 in UTF-8, ends a Latin-1 letter that has two cases: capitals
// 0x80..0x9E (À..Þ) and their small letters 0xA0..0xBE, 0x20 apart; not the × ÷ signs (0x97,
// 0xB7), nor ß ÿ (0x9F, 0xBF).
constexpr bool IsCasedLatin1Tail(unsigned char b) {
  const unsigned u = b & ~0x20u;
  return u >= 0x80 && u <= 0x9e && u != 0x97;
}
// Whether s begins with `prefix` (lower case) in ASCII case-insensitive comparison.
inline bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k)
    if (ToLower(s[k]) != prefix[k]) return false;
  return true;
}
// ASCII lower case of s.
inline std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}
inline int Digit(char c) { return c - '0'; }
// Value of two decimal digits; REQUIRES: both are digits.
inline int Two(std::string_view s, std::size_t i) { return Digit(s[i]) * 10 + Digit(s[i + 1]); }
inline bool AllDigits(std::string_view s) {
  for (char c : s)
    if (!IsDigit(c)) return false;
  return !s.empty();
}
// Whether the 8 bytes of x (little endian, as loaded from memory) are all ASCII digits (SWAR):
// a digit's high nibble is 3, and stays 3 once 6 is added (':' and above reach 4).
constexpr bool EightDigitBytes(std::uint64_t x) {
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull;
  return ((x & kHigh) | (((x + 0x0606060606060606ull) & kHigh) >> 4)) == 0x3333333333333333ull;
}
// True when the byte before `start` (if any) cannot continue a word, i.e. `start` begins a token
// (the regex \b: '_' is a word byte too, so "_0612345678" is not a phone).
inline bool TokenStart(std::string_view w, std::size_t start) { return start == 0 || !IsWordByte(w[start - 1]); }

// The street types of the address patterns' alternation, lower case (compared ASCII-caselessly;
// the accented forms as UTF-8 bytes). Used by the address validator and the native matcher.
inline constexpr std::array<std::string_view, 20> kStreetTypes = {
    "rue", "avenue", "av.", "av", "bd", "boulevard", "chemin", "allee", "all\xc3\xa9" "e", "impasse",
    "place", "route", "quai", "cours", "square", "voie", "passage", "residence", "r\xc3\xa9sidence", "sentier"};

// The address patterns' street name ([0-9A-Za-z\x80-\xff' .-]{2,60}), what may end an address
// field (["',;\r\n<]: a quote, a CSV delimiter, a line end, an XML/HTML tag) and the town's
// first byte after the postcode ([A-Za-z\x80-\xff]): shared by
// the address validator and the native matcher.
inline constexpr std::size_t kMinStreetName = 2;
inline constexpr std::size_t kMaxStreetName = 60;
inline bool IsAddressFieldEnd(char c) {
  return c == '"' || c == ',' || c == ';' || c == '\r' || c == '\n' || c == '<';
}
inline bool IsTownInitial(char c) { return IsAlpha(c) || static_cast<unsigned char>(c) >= 0x80; }

// Byte classes the validators walk over, one table lookup per byte (bit flags).
enum : std::uint8_t {
  kClsAlpha = 1,        // [A-Za-z]
  kClsDomain = 2,       // [A-Za-z0-9.-]: e-mail domain
  kClsEmailLocal = 4,   // [A-Za-z0-9._%+-]: e-mail local part
  kClsStreetName = 8,   // [0-9A-Za-z\x80-\xff' .-]: street name in the address patterns
};
inline constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool alnum = alpha || (c >= '0' && c <= '9');
    std::uint8_t v = 0;
    if (alpha) v |= kClsAlpha;
    if (alnum || c == '.' || c == '-') v |= kClsDomain;
    if (alnum || c == '.' || c == '_' || c == '%' || c == '+' || c == '-') v |= kClsEmailLocal;
    if (alnum || c >= 0x80 || c == '\'' || c == ' ' || c == '.' || c == '-') v |= kClsStreetName;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}();
constexpr bool HasClass(char c, std::uint8_t cls) { return (kByteClass[static_cast<unsigned char>(c)] & cls) != 0; }

// norm resized to n (no call when it already has that size, the common case: a detector's
// normalized values mostly have one length) and its bytes, to be overwritten.
inline char* SizedData(std::string& norm, std::size_t n) {
  if (norm.size() != n) norm.resize(n);
  return norm.data();
}

// Short copies (a normalized value: 8-64 bytes) without a libc call: 16 bytes per SSE2 step,
// the last step overlapping the one before (it rewrites the same bytes), two overlapping 8-byte
// halves for 8..15 bytes, byte by byte below. f maps each 16-byte (or 8-byte) block.
template <typename F>
inline void MapShort(const char* src, std::size_t n, char* dst, F f) {
  auto step16 = [&](std::size_t k) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k), f(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k))));
  };
  auto step8 = [&](std::size_t k) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + k), f(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + k))));
  };
  if (n >= 16) {
    std::size_t k = 0;
    for (; k + 16 <= n; k += 16) step16(k);
    if (k < n) step16(n - 16);
  } else if (n >= 8) {
    step8(0);
    step8(n - 8);
  } else {
    for (std::size_t k = 0; k < n; ++k) {
      const __m128i one = f(_mm_cvtsi32_si128(static_cast<unsigned char>(src[k])));
      dst[k] = static_cast<char>(_mm_cvtsi128_si32(one));
    }
  }
}

// dst[0..n) = src[0..n) (no overlap).
inline void CopyShort(const char* src, std::size_t n, char* dst) {
  MapShort(src, n, dst, [](__m128i v) { return v; });
}

// ASCII lower case of 16 bytes. Bytes >= 0x80 are negative as signed chars, so never in 'A'..'Z'.
inline __m128i Lower16(__m128i v) {
  const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
  return _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}

// dst[0..n) = ASCII lower case of src[0..n). (The values are short: a vectorised loop's scalar
// remainder cost more than the rest.)
inline void LowerCopy(const char* src, std::size_t n, char* dst) {
  MapShort(src, n, dst, [](__m128i v) { return Lower16(v); });
}

}  // namespace vigie::match::detail
