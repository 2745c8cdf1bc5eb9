// Validators for identity-like values: NIR, France Travail identifier, phone, e-mail.
#include <algorithm>
#include <array>
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
// The digits checked 8 bytes at a time (SWAR); every rule then computed without a branch on the
// value (the rules' outcomes on real data are unpredictable: a branch per rule mispredicts).
bool NirValid(std::string_view c) {
  if (c.size() != 15) return false;
  const char* p = c.data();
  std::uint64_t lo, hi;
  std::memcpy(&lo, p, 8);      // chars 0..7
  std::memcpy(&hi, p + 7, 8);  // chars 7..14
  const bool corsica = p[5] == '2' && (p[6] == 'A' || p[6] == 'B');
  if (corsica) lo = (lo & ~(std::uint64_t{0xFF} << 48)) | (std::uint64_t{'0'} << 48);  // its letter: not a digit
  if (!EightDigitBytes(lo) || !EightDigitBytes(hi)) return false;
  const int month = Two(c, 3);
  // The department as a number for the key: 2A -> 19, 2B -> 18 (Corsica).
  const int dept = corsica ? (p[6] == 'A' ? 19 : 18) : Two(c, 5);
  const int commune = Digit(p[7]) * 100 + Two(c, 8);  // 97x/98x: x then a 2-digit commune
  const int order = Digit(p[10]) * 100 + Two(c, 11);
  // Months 01-12, and the special ranges 20-42 and 50-99 (bit m of the two words).
  constexpr std::array<std::uint64_t, 2> kMonths = [] {
    std::array<std::uint64_t, 2> m{};
    for (unsigned x = 1; x < 100; ++x)
      if (x <= 12 || (x >= 20 && x <= 42) || x >= 50) m[x >> 6] |= std::uint64_t{1} << (x & 63);
    return m;
  }();
  const bool month_ok = (kMonths[static_cast<unsigned>(month) >> 6] >> (month & 63)) & 1;
  const bool overseas = dept == 97 || dept == 98;
  const bool place_ok = corsica | ((dept != 0) & (dept != 96) & ((overseas ? commune % 100 : commune) != 0));
  // The 13-digit number S YY MM DD CCC OOO, as three independent parts (no long dependency chain).
  const auto head = static_cast<std::uint64_t>(Digit(p[0]) * 10000 + Two(c, 1) * 100 + month);
  const std::uint64_t num = (head * 100 + static_cast<std::uint64_t>(dept)) * 1000000 +
                            static_cast<std::uint64_t>(commune * 1000 + order);
  return ((0x19Eu >> Digit(p[0])) & 1) & month_ok & place_ok & (order != 0) &
         (Two(c, 13) == static_cast<int>(97 - num % 97));
}

// Spaces may only separate the groups S YY MM DD CCC OOO KK (bit k: a space before char k), or
// S YY MM DDD CC OOO KK for departments 97x/98x (the shapes the signature accepts).
constexpr std::uint32_t kNirSpaces = (1u << 1) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 10) | (1u << 13);
constexpr std::uint32_t kNirOverseasSpaces = (1u << 1) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 10) | (1u << 13);

namespace {
constexpr auto kInNirChar = [](char c) { return IsDigit(c) || c == 'A' || c == 'B' || c == 'a' || c == 'b'; };
constexpr ByteSet16 kNirCharSet = MakeByteSet16(kInNirChar);
static_assert(SameSet(kNirCharSet, kInNirChar));

// The start in w of the 15 significant chars ending at its end, their spacing checked, or
// nullopt. Spaced: the chars, upper-cased, are copied into sig. Compact (the last 15 bytes all
// NIR chars, what the byte walk would find with no space; read 16 bytes at a time): sig is not
// written, the chars are read in place.
std::optional<std::size_t> NirChars(std::string_view w, char (&sig)[15]) {
  if (w.size() >= 15) {
    __m128i v;  // its bytes 1..15: w's last 15
    if (w.size() >= 16) {
      v = Load16(w.data() + w.size() - 16);
    } else {  // exactly 15 (a CSV field): two 8-byte loads, nothing read outside w
      std::uint64_t lo, hi;
      std::memcpy(&lo, w.data(), 8);
      std::memcpy(&hi, w.data() + 7, 8);
      v = _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo << 8));
    }
    if ((Outside16(v, kNirCharSet) & 0xfffeu) == 0) return w.size() - 15;
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
  if (!start || !TokenStart(w, *start)) return std::nullopt;
  const char* chars = sig;
  if (w.size() - *start == 15) {  // compact: read in place (no reload of just-stored bytes)
    chars = w.data() + *start;
    if (chars[6] == 'a' || chars[6] == 'b') {  // a lower-case Corsica letter (no other letter is valid)
      std::memcpy(sig, chars, 15);
      sig[6] = ToUpper(sig[6]);
      chars = sig;
    }
  }
  if (!NirValid(std::string_view(chars, 15))) return std::nullopt;
  std::memcpy(SizedData(norm, 15), chars, 15);
  return start;
}

// A compact field (15 bytes, the common form) is read in place as CheckNir reads a compact
// candidate, without looking for its start: NirValid then requires every byte but the Corsica
// letter to be a digit, so no byte test is needed before it. The spaced forms go to CheckNir.
bool FieldNir(std::string_view s, std::string& norm) {
  if (s.size() != 15) return CheckNir(s, norm) == std::optional<std::size_t>(0);
  const char* chars = s.data();
  char sig[15];
  if (chars[6] == 'a' || chars[6] == 'b') {  // a lower-case Corsica letter (no other letter is valid)
    std::memcpy(sig, chars, 15);
    sig[6] = ToUpper(sig[6]);
    chars = sig;
  }
  if (!NirValid(std::string_view(chars, 15))) return false;
  std::memcpy(SizedData(norm, 15), chars, 15);
  return true;
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
  const char* v = w.data() + s;
  std::uint64_t x;  // the 8 chars as one word: byte k = char k
  std::memcpy(&x, v, 8);
  constexpr std::uint64_t kSeven = 0x00FFFFFFFFFFFFFFull;  // chars 0..6
  if (!EightDigitBytes((x & kSeven) | 0x3000000000000000ull)) return std::nullopt;  // 7 digits (char 7 read as '0')
  if (!IsDigit(v[7]) && !IsUpper(v[7])) return std::nullopt;
  if (!TokenStart(w, s)) return std::nullopt;
  if (((x ^ (0x0101010101010101ull * static_cast<unsigned char>(v[0]))) & kSeven) == 0) return std::nullopt;  // 0000000X: placeholders
  std::memcpy(SizedData(norm, 8), v, 8);
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
  // The digits go straight into the normalized value (written on failure too, which the contract
  // allows): copying them from a local array read back bytes just stored one by one, a stall.
  char* const out = SizedData(norm, 10);
  char* const digits = out + 1;
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
  // "+33 (0)6 12 34 56 78": the national prefix kept in parentheses after the country code.
  const bool paren = j >= 3 && w[j - 3] == '(' && w[j - 2] == '0' && w[j - 1] == ')';
  if (paren) {
    j -= 3;
    if (j > 0 && w[j - 1] == ' ') --j;
  }
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
  out[0] = '0';
  return start;
}

// The shapes CheckPhone accepts from byte 0, read forward: a prefix ("0", or "+33"/"0033" then
// an optional space, "(0)" and an optional space), the lead digit (not 0 or 8), and four pairs of
// digits each after the same separator (space, dot, dash, or none). The length alone tells the
// separator: 9 + 4 * (1 if any) bytes after the prefix.
bool FieldPhone(std::string_view s, std::string& norm) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i;  // the lead digit
  if (n >= 2 && p[0] == '0' && IsDigit(p[1])) {
    i = 1;  // national (the common form; "0033..." has '0' there, handled below)
    if (p[1] == '0') {
      if (n < 4 || p[2] != '3' || p[3] != '3') return false;
      i = 4;
    }
  } else if (n >= 3 && p[0] == '+' && p[1] == '3' && p[2] == '3') {
    i = 3;
  } else {
    return false;
  }
  if (i > 1) {  // after the country code: [ ][(0)[ ]]
    if (i < n && p[i] == ' ') ++i;
    if (i + 3 <= n && p[i] == '(' && p[i + 1] == '0' && p[i + 2] == ')') {
      i += 3;
      if (i < n && p[i] == ' ') ++i;
    }
  }
  const std::size_t rest = n - i;  // the lead digit and the pairs
  if (rest != 9 && rest != 13) return false;
  const char lead = p[i];
  if (!IsDigit(lead) || lead == '0' || lead == '8') return false;
  char* const out = SizedData(norm, 10);
  out[0] = '0';
  out[1] = lead;
  if (rest == 9) {
    for (std::size_t k = 0; k < 8; ++k) {
      if (!IsDigit(p[i + 1 + k])) return false;
      out[2 + k] = p[i + 1 + k];
    }
  } else {
    const char sep = p[i + 1];
    if (sep != ' ' && sep != '.' && sep != '-') return false;
    for (std::size_t k = 0; k < 4; ++k) {
      const char* q = p + i + 1 + 3 * k;
      if (q[0] != sep || !IsDigit(q[1]) || !IsDigit(q[2])) return false;
      out[2 + 2 * k] = q[1];
      out[3 + 2 * k] = q[2];
    }
  }
  bool same = true;  // 06 00 00 00 00, 01 11 11 11 11
  for (int k = 3; k < 10; ++k) same = same && out[k] == out[2];
  return !same;
}

// "06 ** ** ** 78"
void MaskPhone(std::string_view c, std::string& out) {
  std::string d;
  for (char ch : c)
    if (IsDigit(ch)) d.push_back(ch);
  // International forms: the country code off, the national '0' back (or kept: "(0)").
  if (d.size() >= 13 && d.rfind("0033", 0) == 0) d = d.substr(4);
  else if (d.size() >= 11 && d.rfind("33", 0) == 0) d = d.substr(2);
  if (d.size() == 9) d = "0" + d;
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

// What CheckEmail accepts from byte 0, read forward: a local part of 1..64 bytes of its class
// (not starting with '.', '-' or '+', not ending with '.') up to the first '@', then a domain of
// 4..253 bytes of its class, not starting with '.' or '-', without "..", whose last byte that is
// not a letter is a '.' followed by 2 letters or more (the TLD). One pass, where CheckEmail
// walks back over the TLD, the domain and the local part in turn: a field of 16..64 bytes (most
// addresses) as 64-bit masks of its byte classes, from 16-byte blocks (the last one ending at the
// field's end, overlapping the one before), others byte by byte.
bool FieldEmail(std::string_view s, std::string& norm) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 16 && n <= 64) {
    std::uint64_t not_local = 0, not_domain = 0, not_alpha = 0, ats = 0, dots = 0;
    for (std::size_t o = 0; o < n; o += 16) {
      const std::size_t q = std::min(o, n - 16);
      const __m128i v = Load16(p + q);
      not_local |= std::uint64_t{Outside16(v, kEmailLocalSet)} << q;
      not_domain |= std::uint64_t{Outside16(v, kDomainSet)} << q;
      not_alpha |= std::uint64_t{Outside16(v, kAlphaSet)} << q;
      ats |= std::uint64_t{Equal16(v, '@')} << q;
      dots |= std::uint64_t{Equal16(v, '.')} << q;
    }
    if (not_local == 0) return false;  // only local-part bytes: no '@'
    const auto at = static_cast<std::size_t>(__builtin_ctzll(not_local));  // the local part's end
    if (at == 0 || (ats >> at & 1) == 0) return false;
    if (p[0] == '.' || p[0] == '-' || p[0] == '+' || p[at - 1] == '.') return false;
    if (n - at - 1 < 4 || p[at + 1] == '.' || p[at + 1] == '-') return false;
    const std::uint64_t from_at = ~std::uint64_t{0} << at;  // bits at..63 (n <= 64: no bit past n is set below)
    const std::uint64_t domain = from_at << 1;               // at < 63 here (4 domain bytes follow)
    const std::uint64_t all = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
    if ((not_domain & domain & all) != 0 || (dots & (dots >> 1) & domain) != 0) return false;
    const std::uint64_t non_letters = not_alpha & from_at & all;  // holds the '@'
    const auto last = static_cast<std::size_t>(63 - __builtin_clzll(non_letters));
    if ((dots >> last & 1) == 0 || n - last - 1 < 2) return false;
    LowerCopy(p, n, SizedData(norm, n));
    return true;
  }
  std::size_t at = 0;
  while (at < n && at <= 64 && HasClass(p[at], kClsEmailLocal)) ++at;
  if (at == 0 || at > 64 || at == n || p[at] != '@') return false;
  if (p[0] == '.' || p[0] == '-' || p[0] == '+' || p[at - 1] == '.') return false;
  const std::size_t domain_len = n - at - 1;
  if (domain_len < 4 || domain_len > 253) return false;
  if (p[at + 1] == '.' || p[at + 1] == '-') return false;
  std::size_t last = at;  // the last byte that is not a letter
  for (std::size_t k = at + 1; k < n; ++k) {
    const std::uint8_t cls = kByteClass[static_cast<unsigned char>(p[k])];
    if ((cls & kClsDomain) == 0) return false;
    if ((cls & kClsAlpha) == 0) {
      if (p[k] == '.' && p[k - 1] == '.') return false;
      last = k;
    }
  }
  if (p[last] != '.' || n - last - 1 < 2) return false;
  LowerCopy(p, n, SizedData(norm, n));
  return true;
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
