// Validators for bank identifiers: IBAN (ISO 13616 mod-97 with per-country lengths) and
// payment cards (issuer prefix/length table + Luhn).
#include <array>
#include <cstdint>
#include <cstring>

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
// Continues the mod-97 remainder over p[0..n): digits as themselves, letters as 10..35. False on
// any other byte. One division per ~14 digits: rem stays below 10^16 before reducing. (An
// 8-digits-at-a-time SWAR version measured no faster: the digit loop's branches predict well.)
bool Mod97(const char* p, std::size_t n, std::uint64_t& rem) {
  for (std::size_t k = 0; k < n; ++k) {
    const char c = p[k];
    if (IsDigit(c)) {
      rem = rem * 10 + static_cast<std::uint64_t>(Digit(c));
    } else if (IsUpper(c)) {
      rem = rem * 100 + static_cast<std::uint64_t>(c - 'A' + 10);
    } else {
      return false;
    }
    if (rem >= 100000000000000ull) rem %= 97;
  }
  return true;
}
}  // namespace

bool IbanValid(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  if (!IsUpper(s[0]) || !IsUpper(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3])) return false;
  if (IbanLengthOf(s[0], s[1]) != static_cast<int>(s.size())) return false;
  // The first four chars moved to the end (two runs, no copy), letters become 10..35: the
  // number mod 97 must be 1.
  std::uint64_t rem = 0;
  return Mod97(s.data() + 4, s.size() - 4, rem) && Mod97(s.data(), 4, rem) && rem % 97 == 1;
}

std::optional<std::size_t> CheckIban(std::string_view w, std::string& norm) {
  // Walk back over [A-Z0-9] with single spaces; at each position where a country code could
  // start, try the length that country requires.
  char sig[34];
  int n = 0;
  std::size_t i = w.size();
  bool prev_space = true;
  while (i > 0 && n < 34) {
    const char c = w[i - 1];
    if (c == ' ') {
      if (prev_space) break;
      prev_space = true;
      --i;
      continue;
    }
    if (!IsDigit(c) && !IsUpper(c)) break;
    sig[33 - n] = c;
    ++n;
    --i;
    prev_space = false;
    if (n >= 15 && IsUpper(c) && i + 1 < w.size() && IbanLengthOf(c, sig[34 - n + 1]) == n && TokenStart(w, i) &&
        IsUpper(w[i + 1])) {
      std::string_view compact(sig + 34 - n, static_cast<std::size_t>(n));
      if (!IbanValid(compact)) return std::nullopt;
      std::memcpy(SizedData(norm, compact.size()), compact.data(), compact.size());
      return i;
    }
  }
  return std::nullopt;
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
        std::memcpy(SizedData(norm, d.size()), d.data(), d.size());
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
