// Validators for bank identifiers: IBAN (ISO 13616 mod-97 with per-country lengths) and
// payment cards (issuer prefix/length table + Luhn).
#include <array>
#include <cstdint>
#include <cstring>

#include "match/byte_sets.h"
#include "match/validators.h"
#include "match/validators_util.h"

namespace vigie::match {

using namespace detail;

namespace {

struct IbanCountry {
  char code[3];
  int length;
};
// ISO 13616 registry lengths for the EU/EEA and neighbours whose IBANs show up in French data.
constexpr std::array<IbanCountry, 38> kIbanCountries = {{
    {"AD", 24}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27}, {"LI", 21},
    {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15}, {"PL", 28},
    {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
}};

// Country code -> IBAN length, indexed [A-Z][A-Z] (0: unknown): one load per lookup.
constexpr std::array<std::uint8_t, 26 * 26> kIbanLengthTable = [] {
  std::array<std::uint8_t, 26 * 26> t{};
  for (const auto& c : kIbanCountries)
    t[static_cast<std::size_t>((c.code[0] - 'A') * 26 + (c.code[1] - 'A'))] = static_cast<std::uint8_t>(c.length);
  return t;
}();

inline int IbanLengthOf(char a, char b) {
  return IsUpper(a) && IsUpper(b) ? kIbanLengthTable[static_cast<std::size_t>((a - 'A') * 26 + (b - 'A'))] : 0;
}

}  // namespace

int IbanLength(std::string_view country) {
  if (country.size() != 2) return 0;
  return IbanLengthOf(country[0], country[1]);
}

namespace {
// 10^k mod 97, k < 70 (a 34-char IBAN of letters has 68 digits).
constexpr std::array<std::uint8_t, 70> kPow10Mod97 = [] {
  std::array<std::uint8_t, 70> t{};
  unsigned v = 1;
  for (auto& x : t) {
    x = static_cast<std::uint8_t>(v);
    v = v * 10 % 97;
  }
  return t;
}();

// Whether the 8 bytes x (as loaded from memory) are all digits, and the number they write (SWAR:
// no per-byte loop).
inline bool EightDigitsOf(std::uint64_t x, std::uint64_t& value) {
  if (!EightDigitBytes(x)) return false;
  x -= 0x3030303030303030ull;  // digit k in byte k (little endian)
  x = x * 10 + (x >> 8);       // bytes 0, 2, 4, 6: the pairs d0d1, d2d3, d4d5, d6d7
  constexpr std::uint64_t kPairs = 0x000000FF000000FFull;
  // High half: d0d1 * 10^6 + d4d5 * 100 (from bytes 0 and 4) + d2d3 * 10^4 + d6d7 (bytes 2 and 6).
  x = ((x & kPairs) * (100 + (1000000ull << 32)) + ((x >> 16) & kPairs) * (1 + (10000ull << 32))) >> 32;
  value = x;
  return true;
}
inline bool EightDigits(const char* p, std::uint64_t& value) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return EightDigitsOf(x, value);
}

// The mod-97 remainder of p[0..n) read as a number (digits as themselves, letters as 10..35),
// and how many decimal digits that number has. REQUIRES: every byte is [0-9A-Z]. Runs of 8
// digits at once; rem stays below 10^16 before reducing.
struct Mod97Part {
  std::uint64_t rem = 0;
  unsigned digits = 0;
};
inline Mod97Part Mod97(const char* p, std::size_t n) {
  Mod97Part r;
  std::size_t k = 0;
  while (k < n) {
    std::uint64_t eight;
    if (n - k >= 8 && EightDigits(p + k, eight)) {
      r.rem = r.rem % 97 * 100000000 + eight;
      r.digits += 8;
      k += 8;
      continue;
    }
    const char c = p[k++];
    if (IsDigit(c)) {
      r.rem = r.rem * 10 + static_cast<std::uint64_t>(Digit(c));
      r.digits += 1;
    } else {
      r.rem = r.rem * 100 + static_cast<std::uint64_t>(c - 'A' + 10);
      r.digits += 2;
    }
    if (r.rem >= 100000000000000ull) r.rem %= 97;
  }
  r.rem %= 97;
  return r;
}
// (a followed by b) mod 97.
inline Mod97Part Append(Mod97Part a, Mod97Part b) {
  return Mod97Part{(a.rem * kPow10Mod97[b.digits % 70] + b.rem) % 97, a.digits + b.digits};
}

// The check over a compact candidate whose bytes are all [0-9A-Z]: the first four chars moved
// to the end (read in place, no copy), the number mod 97 must be 1. A BBAN with letters is read
// as two halves, two independent dependency chains instead of one.
// REQUIRES: s is 15..34 chars of [0-9A-Z], two letters then two digits first.
bool IbanChecksumOk(std::string_view s) {
  // A BBAN of digits only (most countries' format, letters being rare): its 8-digit chunks, each
  // weighted by 10^(digits after it) mod 97, and the moved country code and check digits are
  // summed, then reduced once: independent products, no chain of reductions.
  const char* p = s.data();
  const std::size_t m = s.size() - 4;  // BBAN digits (11..30)
  std::uint64_t sum = 0;
  std::size_t after = m + 6;  // digits after the next chunk's start (the country code's 4, the check's 2)
  std::size_t k = 0;
  bool digits = true;
  for (; k + 8 <= m && digits; k += 8) {
    std::uint64_t v = 0;
    digits = EightDigits(p + 4 + k, v);
    after -= 8;
    sum += v * kPow10Mod97[after];
  }
  if (digits && k < m) {
    // The last t < 8 digits: the 8 bytes ending there (m >= 11), the ones before them read as '0'.
    const std::size_t t = m - k;
    std::uint64_t x;
    std::memcpy(&x, p + 4 + m - 8, 8);
    const std::uint64_t lead = (std::uint64_t{1} << (8 * (8 - t))) - 1;
    std::uint64_t v = 0;
    digits = EightDigitsOf((x & ~lead) | (0x3030303030303030ull & lead), v);
    sum += v * kPow10Mod97[6];
  }
  if (digits) {
    sum += static_cast<std::uint64_t>(((p[0] - 'A' + 10) * 100 + (p[1] - 'A' + 10)) * 100 + Digit(p[2]) * 10 + Digit(p[3]));
    return sum % 97 == 1;
  }
  const std::size_t half = 4 + (s.size() - 4) / 2;
  const Mod97Part a = Mod97(s.data() + 4, half - 4);
  const Mod97Part b = Mod97(s.data() + half, s.size() - half);
  const Mod97Part c = Mod97(s.data(), 4);
  return Append(Append(a, b), c).rem == 1;
}
}  // namespace

bool IbanValid(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  if (!IsUpper(s[0]) || !IsUpper(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3])) return false;
  if (IbanLengthOf(s[0], s[1]) != static_cast<int>(s.size())) return false;
  for (char c : s)
    if (!IsBbanChar(c)) return false;
  return IbanChecksumOk(s);
}

std::optional<std::size_t> CheckIban(std::string_view w, std::string& norm) {
  // Walk back word by word ([A-Z0-9] runs separated by single spaces). A candidate can only
  // start at a word's first byte (\b before it), where its country code must name the length
  // counted so far: 15..34 significant chars. The first (shortest) such start decides.
  const char* p = w.data();
  char sig[34];  // the significant chars, right-aligned (copied only once a space was crossed)
  std::size_t n = 0;
  std::size_t i = w.size();
  bool spaced = false;
  for (;;) {
    // The word ending at i, up to the 34 significant chars in all.
    const std::size_t j = RunStart(p, i, i > 34 - n ? i - (34 - n) : 0, kBbanSet);
    const std::size_t len = i - j;
    if (len == 0) return std::nullopt;  // a trailing or double space, or no word
    n += len;
    if (spaced) std::memcpy(sig + 34 - n, p + j, len);
    if (n >= 15 && len >= 2 && IbanLengthOf(p[j], p[j + 1]) == static_cast<int>(n) && TokenStart(w, j)) {
      std::string_view compact = spaced ? std::string_view(sig + 34 - n, n) : std::string_view(p + j, n);
      if (!IsDigit(compact[2]) || !IsDigit(compact[3]) || !IbanChecksumOk(compact)) return std::nullopt;
      CopyShort(compact.data(), n, SizedData(norm, n));
      return j;
    }
    if (n >= 34 || j == 0 || p[j - 1] != ' ') return std::nullopt;
    if (!spaced) {
      std::memcpy(sig + 34 - n, p + j, len);
      spaced = true;
    }
    i = j - 1;
  }
}

// What CheckIban accepts from byte 0, read forward: words of [0-9A-Z] joined by single spaces,
// 15..34 significant chars in all, the first word of 2 chars or more naming that count with its
// country code, and no later word that the backward walk would stop at first (one of 2 chars or
// more whose two first chars name the count from it to the end, when that is 15 or more: the
// walk decides at the first such start, which would not be byte 0). A compact field (no space,
// the common form) is checked in place, 16 bytes at a time.
bool FieldIban(std::string_view s, std::string& norm) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n < 15) return false;
  if (n <= 32 && IbanLengthOf(p[0], p[1]) == static_cast<int>(n)) {
    // Compact, or spaced with a length that happens to match (then refused: a space is outside
    // the set, and the spaced count would be lower than n).
    unsigned out;
    if (n == 15) {  // two 8-byte loads, nothing read past the field: its bytes in v's bytes 1..15
      std::uint64_t lo, hi;
      std::memcpy(&lo, p, 8);
      std::memcpy(&hi, p + 7, 8);
      out = Outside16(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo << 8)), kBbanSet) & 0xfffeu;
    } else {  // 16..31 bytes (no country's IBAN is longer): blocks at 0 and n - 16, overlapping
      out = Outside16(Load16(p), kBbanSet) | Outside16(Load16(p + n - 16), kBbanSet);
    }
    if (out != 0 || !IsDigit(p[2]) || !IsDigit(p[3]) || !IbanChecksumOk(s)) return false;
    CopyShort(p, n, SizedData(norm, n));
    return true;
  }
  char sig[34];
  std::size_t count = 0;       // significant chars copied to sig
  std::uint64_t starts = 0;    // bit k: a word starts at sig[k]
  std::size_t k = 0;
  for (;;) {  // one word, then its space
    const std::size_t word = k;
    while (k < n && IsBbanChar(p[k])) {
      if (count == 34) return false;  // more than 34 chars: the walk stops short of byte 0
      sig[count++] = p[k++];
    }
    const std::size_t len = k - word;
    if (len == 0) return false;  // a leading, trailing or double space, or another byte
    if (len >= 2) starts |= std::uint64_t{1} << (count - len);
    if (k == n) break;
    if (p[k] != ' ') return false;
    ++k;
  }
  const std::size_t total = count;
  if (total < 15 || (starts & 1) == 0 || IbanLengthOf(sig[0], sig[1]) != static_cast<int>(total)) return false;
  for (std::uint64_t later = starts & ~std::uint64_t{1}; later != 0; later &= later - 1) {
    const auto j = static_cast<std::size_t>(__builtin_ctzll(later));
    if (total - j >= 15 && IbanLengthOf(sig[j], sig[j + 1]) == static_cast<int>(total - j)) return false;
  }
  const std::string_view compact(sig, total);
  if (!IsDigit(sig[2]) || !IsDigit(sig[3]) || !IbanChecksumOk(compact)) return false;
  CopyShort(sig, total, SizedData(norm, total));
  return true;
}

// "FR76 **** **** **** **** **** 189": country and check digits, then only the last 3 chars.
void MaskIban(std::string_view c, std::string& out) {
  std::string compact;
  for (char ch : c)
    if (ch != ' ') compact.push_back(ch);
  out.clear();
  if (compact.size() < 15) { out = "****"; return; }
  for (std::size_t k = 0; k < compact.size(); ++k) {
    if (k > 0 && k % 4 == 0) out.push_back(' ');
    out.push_back(k < 4 || k + 3 >= compact.size() ? compact[k] : '*');
  }
}

// ---------------------------------------------------------------- cards
bool LuhnValid(std::string_view d) {
  if (d.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (std::size_t k = d.size(); k > 0; --k) {
    if (!IsDigit(d[k - 1])) return false;
    int v = Digit(d[k - 1]);
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool CardIssuerAccepts(std::string_view d) {
  const std::size_t n = d.size();
  if (n < 13 || n > 19 || !AllDigits(d)) return false;
  const int p2 = Two(d, 0);
  const int p3 = p2 * 10 + Digit(d[2]);
  const int p4 = p3 * 10 + Digit(d[3]);
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;                       // Visa (and CB)
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;   // Mastercard
  if (p2 == 34 || p2 == 37) return n == 15;                                    // Amex
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) return n == 14 || n == 16;  // Diners
  if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || p2 == 62) return n >= 16;  // Discover, UnionPay
  if (p4 >= 3528 && p4 <= 3589) return n >= 16;                                // JCB
  return false;
}

namespace {
// The written shapes the signature accepts (bit k of `seps`: a separator k digits before the end):
// 16 = 4-4-4-4 (leading 2-6), 19 = 4-4-4-4-3 (leading 4/6), 14/15 = 4-6-4 / 4-6-5 (leading 3);
// each separator optional. 13-digit Visa is left out (it looks like an EAN-13).
bool CardShape(int n, std::uint32_t seps, char first) {
  switch (n) {
    case 16: return first >= '2' && first <= '6' && (seps & ~((1u << 4) | (1u << 8) | (1u << 12))) == 0;
    case 19: return (first == '4' || first == '6') && (seps & ~((1u << 3) | (1u << 7) | (1u << 11) | (1u << 15))) == 0;
    case 14: return first == '3' && (seps & ~((1u << 4) | (1u << 10))) == 0;
    case 15: return first == '3' && (seps & ~((1u << 5) | (1u << 11))) == 0;
    default: return false;
  }
}
}  // namespace

std::optional<std::size_t> CheckCard(std::string_view w, std::string& norm) {
  char digits[19];
  int n = 0;
  std::size_t i = w.size();
  bool prev_sep = true;
  std::uint32_t seps = 0;
  while (i > 0 && n < 19) {
    const char c = w[i - 1];
    if (c == ' ' || c == '-') {
      if (prev_sep) break;
      prev_sep = true;
      seps |= 1u << n;
      --i;
      continue;
    }
    if (!IsDigit(c)) break;
    digits[18 - n] = c;
    ++n;
    --i;
    prev_sep = false;
    // Digits right after '/' are a URL path segment: an object id, not a card.
    if (n >= 13 && TokenStart(w, i) && (i == 0 || w[i - 1] != '/') && CardShape(n, seps, c)) {
      std::string_view d(digits + 19 - n, static_cast<std::size_t>(n));
      if (CardIssuerAccepts(d) && LuhnValid(d)) {
        bool same = true;
        for (char ch : d.substr(1)) same = same && ch == d[0];
        if (same) return std::nullopt;
        CopyShort(d.data(), d.size(), SizedData(norm, d.size()));
        return i;
      }
    }
  }
  return std::nullopt;
}

// "4*** **** **** 1234"
void MaskCard(std::string_view c, std::string& out) {
  std::string d;
  for (char ch : c)
    if (IsDigit(ch)) d.push_back(ch);
  out.clear();
  if (d.size() < 13) { out = "****"; return; }
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (k > 0 && k % 4 == 0) out.push_back(' ');
    out.push_back(k == 0 || k + 4 >= d.size() ? d[k] : '*');
  }
}

}  // namespace vigie::match
