// Validators for identity-like values: NIR, France Travail identifier, phone, e-mail.
#include <cstdint>
#include <cstring>

#include "match/byte_sets.h"
#include "match/validators.h"
#include "match/validators_util.h"

namespace vigie::match {

using namespace detail;

// ---------------------------------------------------------------- NIR
// 15 significant chars: S YY MM DD(D) CCC(CC) OOO KK. Corsica uses 2A/2B in the department;
// the key is computed on the number with 2A→19 and 2B→18.
bool NirValid(std::string_view c) {
  if (c.size() != 15) return false;
  switch (c[0]) {
    case '1': case '2': case '3': case '4': case '7': case '8': break;
    default: return false;
  }
  for (std::size_t i = 1; i < 15; ++i)
    if (i != 6 && !IsDigit(c[i])) return false;
  const int month = Two(c, 3);
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || (month >= 50 && month <= 99))) return false;
  int dept;  // the two department chars as a number (2A -> 19, 2B -> 18 for the key)
  if (c[5] == '2' && (c[6] == 'A' || c[6] == 'B')) {
    dept = c[6] == 'A' ? 19 : 18;  // Corsica
  } else {
    if (!IsDigit(c[6])) return false;
    dept = Two(c, 5);
    if (dept == 0 || dept == 96) return false;
    if (dept == 97 || dept == 98) {
      if (c[8] == '0' && c[9] == '0') return false;   // 3-digit dept, 2-digit commune
    } else if (c[7] == '0' && c[8] == '0' && c[9] == '0') {  // commune (or country code for 99)
      return false;
    }
  }
  if (c[10] == '0' && c[11] == '0' && c[12] == '0') return false;  // birth order 001-999
  // The 13-digit number S YY MM DD CCC OOO, as three independent parts (no long dependency chain).
  const auto head = static_cast<std::uint64_t>(Digit(c[0]) * 10000 + Two(c, 1) * 100 + month);
  const auto tail = static_cast<std::uint64_t>(((Digit(c[7]) * 10 + Digit(c[8])) * 10 + Digit(c[9])) * 1000 +
                                               (Digit(c[10]) * 10 + Digit(c[11])) * 10 + Digit(c[12]));
  const std::uint64_t num = (head * 100 + static_cast<std::uint64_t>(dept)) * 1000000 + tail;
  const int key = Two(c, 13);
  return key >= 1 && key <= 97 && key == static_cast<int>(97 - num % 97);
}

// Spaces may only separate the groups S YY MM DD CCC OOO KK (bit k: a space before char k), or
// S YY MM DDD CC OOO KK for departments 97x/98x (the shapes the signature accepts).
constexpr std::uint32_t kNirSpaces = (1u << 1) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 10) | (1u << 13);
constexpr std::uint32_t kNirOverseasSpaces = (1u << 1) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 10) | (1u << 13);

namespace {
constexpr auto kInNirChar = [](char c) { return IsDigit(c) || c == 'A' || c == 'B' || c == 'a' || c == 'b'; };
constexpr ByteSet16 kNirCharSet = MakeByteSet16(kInNirChar);
static_assert(SameSet(kNirCharSet, kInNirChar));

// The 15 significant chars ending at the end of w, upper-cased into sig, with their spacing
// checked; returns their start in w, or nullopt. A compact NIR (the last 15 bytes all NIR chars,
// what the byte walk would find with no space) is read 16 bytes at a time.
std::optional<std::size_t> NirChars(std::string_view w, char (&sig)[15]) {
  if (w.size() >= 16 && (Outside16(Load16(w.data() + w.size() - 16), kNirCharSet) & 0xfffeu) == 0) {
    MapShort(w.data() + w.size() - 15, 15, sig, [](__m128i v) {  // a/b (Corsica) upper-cased
      const __m128i lower = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
      return _mm_andnot_si128(_mm_and_si128(lower, _mm_set1_epi8(0x20)), v);
    });
    return w.size() - 15;
  }
  int n = 0;
  std::size_t i = w.size();
  bool prev_space = true;  // no trailing space
  std::uint32_t spaces = 0;
  while (i > 0 && n < 15) {
    char ch = w[i - 1];
    if (ch == ' ') {
      if (prev_space) return std::nullopt;
      prev_space = true;
      spaces |= 1u << (15 - n);
      --i;
      continue;
    }
    if (!IsDigit(ch) && ch != 'A' && ch != 'B' && ch != 'a' && ch != 'b') return std::nullopt;
    sig[14 - n] = ToUpper(ch);
    ++n;
    --i;
    prev_space = false;
  }
  if (n != 15) return std::nullopt;
  const bool overseas = spaces == kNirOverseasSpaces && sig[5] == '9' && (sig[6] == '7' || sig[6] == '8');
  if ((spaces & ~kNirSpaces) != 0 && !overseas) return std::nullopt;
  return i;
}

}  // namespace

std::optional<std::size_t> CheckNir(std::string_view w, std::string& norm) {
  char sig[15];
  const auto start = NirChars(w, sig);
  if (!start || !TokenStart(w, *start) || !NirValid(std::string_view(sig, 15))) return std::nullopt;
  std::memcpy(SizedData(norm, 15), sig, 15);
  return start;
}

// "2 85 05 ** *** *** 42": sex, year and month stay (coarse), place and order are hidden.
void MaskNir(std::string_view c, std::string& out) {
  std::string compact;
  for (char ch : c)
    if (ch != ' ') compact.push_back(ToUpper(ch));
  out.clear();
  if (compact.size() != 15) { out = "***"; return; }
  out.append(1, compact[0]).append(" ").append(compact, 1, 2).append(" ").append(compact, 3, 2);
  out.append(" ** *** *** ").append(compact, 13, 2);
}

// ---------------------------------------------------------------- France Travail identifier
// 7 digits then a digit or upper-case letter; no checksum (context is required by signatures).
std::optional<std::size_t> CheckFranceTravailId(std::string_view w, std::string& norm) {
  if (w.size() < 8) return std::nullopt;
  const std::size_t s = w.size() - 8;
  std::string_view v = w.substr(s);
  for (std::size_t i = 0; i < 7; ++i)
    if (!IsDigit(v[i])) return std::nullopt;
  if (!IsDigit(v[7]) && !IsUpper(v[7])) return std::nullopt;
  if (!TokenStart(w, s)) return std::nullopt;
  if (v.substr(1, 6).find_first_not_of(v[0]) == std::string_view::npos) return std::nullopt;  // 0000000X: placeholders
  std::memcpy(SizedData(norm, 8), v.data(), 8);
  return s;
}

void MaskFranceTravailId(std::string_view c, std::string& out) {
  out.clear();
  if (c.size() != 8) { out = "***"; return; }
  out.append(c.substr(0, 2)).append("*****").append(c.substr(7, 1));
}

// ---------------------------------------------------------------- phone
// National 0X XX XX XX XX (separator space, dot, dash or none, used consistently), +33 X...,
// 0033 X... Prefixes 01-05, 06, 07, 09 (08 are service numbers, not people).
std::optional<std::size_t> CheckPhone(std::string_view w, std::string& norm) {
  std::size_t i = w.size();
  char digits[9];
  char seps[4];
  for (int pair = 3; pair >= 0; --pair) {
    if (i < 2 || !IsDigit(w[i - 1]) || !IsDigit(w[i - 2])) return std::nullopt;
    digits[1 + pair * 2] = w[i - 2];
    digits[2 + pair * 2] = w[i - 1];
    i -= 2;
    seps[pair] = 0;
    if (i > 0 && (w[i - 1] == ' ' || w[i - 1] == '.' || w[i - 1] == '-')) {
      seps[pair] = w[i - 1];
      --i;
    }
  }
  for (int k = 1; k < 4; ++k)
    if (seps[k] != seps[0]) return std::nullopt;   // "06 12.34-5678" is not how people write
  if (i == 0 || !IsDigit(w[i - 1])) return std::nullopt;
  const char lead = w[i - 1];
  if (lead == '0' || lead == '8') return std::nullopt;
  digits[0] = lead;
  --i;
  std::size_t start;
  std::size_t j = i;
  if (j > 0 && w[j - 1] == ' ') --j;
  // The national form first (the common one): the three are exclusive (the byte before the
  // lead digit is '0' for it, '3' or ' ' for the others). Byte compares, no memcmp call.
  if (i >= 1 && w[i - 1] == '0' && TokenStart(w, i - 1)) {
    start = i - 1;
  } else if (j >= 3 && w[j - 3] == '+' && w[j - 2] == '3' && w[j - 1] == '3') {
    start = j - 3;
  } else if (j >= 4 && w[j - 4] == '0' && w[j - 3] == '0' && w[j - 2] == '3' && w[j - 1] == '3' && TokenStart(w, j - 4)) {
    start = j - 4;
  } else {
    return std::nullopt;
  }
  // Digits right after '/' are a URL path segment (/items/0612345678), an id, not a phone.
  if (start > 0 && w[start - 1] == '/') return std::nullopt;
  bool same = true;
  for (int k = 1; k < 9; ++k) same = same && digits[k] == digits[1];
  if (same) return std::nullopt;                       // 06 00 00 00 00, 01 11 11 11 11
  char* out = SizedData(norm, 10);
  out[0] = '0';
  std::memcpy(out + 1, digits, 9);
  return start;
}

// "06 ** ** ** 78"
void MaskPhone(std::string_view c, std::string& out) {
  std::string d;
  for (char ch : c)
    if (IsDigit(ch)) d.push_back(ch);
  if (d.size() == 12 && d.rfind("0033", 0) == 0) d = "0" + d.substr(4);
  if (d.size() == 11 && d.rfind("33", 0) == 0) d = "0" + d.substr(2);
  out.clear();
  if (d.size() != 10) { out = "** ** ** ** **"; return; }
  out.append(d, 0, 2).append(" ** ** ** ").append(d, 8, 2);
}

// ---------------------------------------------------------------- e-mail

std::optional<std::size_t> CheckEmail(std::string_view w, std::string& norm) {
  const char* p = w.data();
  const std::size_t end = w.size();
  const std::size_t tld = RunStart(p, end, 0, kAlphaSet);
  if (end - tld < 2 || tld == 0 || p[tld - 1] != '.') return std::nullopt;
  // The domain (through the tld's dot): no "..".
  const std::size_t i = RunStart(p, tld, 0, kDomainSet);
  bool double_dot = false;
  for (std::size_t k = i; k + 1 < tld; ++k) double_dot |= p[k] == '.' && p[k + 1] == '.';
  if (i == 0 || p[i - 1] != '@') return std::nullopt;
  const std::size_t at = i - 1;
  const std::size_t domain_len = end - at - 1;
  if (domain_len < 4 || domain_len > 253) return std::nullopt;
  if (p[at + 1] == '.' || p[at + 1] == '-' || double_dot) return std::nullopt;
  std::size_t s = RunStart(p, at, at > 64 ? at - 64 : 0, kEmailLocalSet);  // at most 64 bytes of local part
  while (s < at && (p[s] == '.' || p[s] == '-' || p[s] == '+')) ++s;  // punctuation before the address
  if (s == at || p[at - 1] == '.') return std::nullopt;
  LowerCopy(p + s, end - s, SizedData(norm, end - s));
  return s;
}

// "j***@gmail.com": the domain says which provider, not who.
void MaskEmail(std::string_view c, std::string& out) {
  out.clear();
  const auto at = c.find('@');
  if (at == std::string_view::npos || at == 0) { out = "***"; return; }
  out.push_back(ToLower(c[0]));
  out.append("***@");
  for (char ch : c.substr(at + 1)) out.push_back(ToLower(ch));
}

}  // namespace vigie::match
