// Validators for record-only fields (birth dates, postal addresses) and the validator registry.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "match/byte_sets.h"
#include "match/validators.h"
#include "match/validators_util.h"

namespace vigie::match {

using namespace detail;

namespace {
// Plausible birth years. Fixed (not configurable) so two sensors count the same way.
constexpr int kMinBirthYear = 1900;
constexpr int kMaxBirthYear = 2025;
}  // namespace

bool PlausibleBirthDate(int y, int m, int d) {
  if (y < kMinBirthYear || y > kMaxBirthYear || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

namespace {
// The time a date written as a datetime at midnight ends with: "T00:00:00", "T00:00:00Z".
std::size_t MidnightSuffix(std::string_view w) {
  constexpr std::string_view kMidnight = "T00:00:00";
  if (w.size() >= 19 && w.substr(w.size() - 9) == kMidnight) return 9;
  if (w.size() >= 20 && w.back() == 'Z' && w.substr(w.size() - 10, 9) == kMidnight) return 10;
  return 0;
}
}  // namespace

// yyyy-mm-dd, dd/mm/yyyy, dd-mm-yyyy (10 chars ending at the match end, or before a midnight
// time "T00:00:00[Z]": the datetime form of a date). The value is first rearranged as
// yyyy-mm-dd (what the normalized value is), then its eight digits checked at once.
std::optional<std::size_t> CheckBirthDate(std::string_view w, std::string& norm) {
  w.remove_suffix(MidnightSuffix(w));
  if (w.size() < 10) return std::nullopt;
  const std::size_t s = w.size() - 10;
  const char* v = w.data() + s;
  if (!TokenStart(w, s)) return std::nullopt;
  char buf[10];
  if (v[4] == '-' && v[7] == '-') {
    std::memcpy(buf, v, 10);
  } else if ((v[2] == '/' || v[2] == '-') && v[5] == v[2]) {
    std::memcpy(buf, v + 6, 4);
    buf[4] = '-';
    std::memcpy(buf + 5, v + 3, 2);
    buf[7] = '-';
    std::memcpy(buf + 8, v, 2);
  } else {
    return std::nullopt;
  }
  // Bytes 0-3, 5-6 (the '-' at 4 and 7 read as '0') and 8-9 (with six '0' bytes) of buf must
  // be digits.
  constexpr std::uint64_t kDashes = 0xFFull << 32 | 0xFFull << 56;  // bytes 4 and 7
  std::uint64_t head;
  std::memcpy(&head, buf, 8);
  head = (head & ~kDashes) | (0x3030303030303030ull & kDashes);
  std::uint16_t day;
  std::memcpy(&day, buf + 8, 2);
  if (!EightDigitBytes(head) || !EightDigitBytes(0x3030303030300000ull | day)) return std::nullopt;
  const std::string_view b(buf, 10);
  const int y = Two(b, 0) * 100 + Two(b, 2), m = Two(b, 5), d = Two(b, 8);
  if (!PlausibleBirthDate(y, m, d)) return std::nullopt;
  std::memcpy(SizedData(norm, 10), buf, 10);
  return s;
}

// 8 digits: YYYYMMDD, or DDMMYYYY. Both readings cannot be plausible at once (the month of a
// YYYYMMDD date would be its year's "19" or "20"), so the one that is decides.
namespace {
enum class CompactDate { kNone, kYearFirst, kDayFirst };
CompactDate ReadCompactDate(std::string_view s) {
  if (s.size() != 8 || !std::all_of(s.begin(), s.end(), IsDigit)) return CompactDate::kNone;
  if (PlausibleBirthDate(Two(s, 0) * 100 + Two(s, 2), Two(s, 4), Two(s, 6))) return CompactDate::kYearFirst;
  if (PlausibleBirthDate(Two(s, 4) * 100 + Two(s, 6), Two(s, 2), Two(s, 0))) return CompactDate::kDayFirst;
  return CompactDate::kNone;
}
}  // namespace

bool ColumnCompactBirthDate(std::string_view s, std::string& norm) {
  const CompactDate form = ReadCompactDate(s);
  if (form == CompactDate::kNone) return false;
  const bool year_first = form == CompactDate::kYearFirst;
  char buf[10];
  std::memcpy(buf, s.data() + (year_first ? 0 : 4), 4);
  std::memcpy(buf + 5, s.data() + (year_first ? 4 : 2), 2);
  std::memcpy(buf + 8, s.data() + (year_first ? 6 : 0), 2);
  buf[4] = buf[7] = '-';
  std::memcpy(SizedData(norm, 10), buf, 10);
  return true;
}

// Only the decade stays: "19**-**-**" (a midnight time after it is left out); "198*****" and
// "****198*" for the compact forms of a typed column.
void MaskBirthDate(std::string_view c, std::string& out) {
  c.remove_suffix(MidnightSuffix(c));
  out.clear();
  if (c.size() == 8) {
    const CompactDate form = ReadCompactDate(c);
    out = form == CompactDate::kYearFirst  ? std::string(c.substr(0, 3)) + "*****"
          : form == CompactDate::kDayFirst ? "****" + std::string(c.substr(4, 3)) + "*"
                                           : "********";
    return;
  }
  if (c.size() != 10) { out = "****-**-**"; return; }
  if (c[4] == '-') {
    out.append(c.substr(0, 3)).append("*-**-**");
  } else {
    out.append("**").append(1, c[2]).append("**").append(1, c[5]).append(c.substr(6, 3)).append("*");
  }
}

// ---------------------------------------------------------------- postal address
namespace {
// Longest "NUM[ bis|ter][,] TYPE " before a street name: 4 digits, " bis", ',', ' ', the longest
// type ("r\xc3\xa9sidence", 10 bytes), ' '.
constexpr std::size_t kMaxStreetHead = 4 + 4 + 1 + 1 + 10 + 1;

// The street types by lower-case initial byte: bit i for kStreetTypes[i] (tried in that order).
constexpr std::array<std::uint32_t, 256> kTypesByInitial = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::size_t i = 0; i < kStreetTypes.size(); ++i) t[static_cast<unsigned char>(kStreetTypes[i][0])] |= 1u << i;
  return t;
}();
static_assert(kStreetTypes.size() <= 32);

// "bis" or "ter" at s[i] (ASCII-caselessly), within s[0, n).
inline bool BisTerAt(const char* s, std::size_t n, std::size_t i) {
  if (i > n || n - i < 3) return false;
  const char a = ToLower(s[i]), b = ToLower(s[i + 1]), c = ToLower(s[i + 2]);
  return (a == 'b' && b == 'i' && c == 's') || (a == 't' && b == 'e' && c == 'r');
}

// Parses "NUM[ bis|ter][,] TYPE " at s[0] (s[0, n)); returns the length through the type word,
// or 0; *type (if asked) is the type. Indexes instead of string_view copies (whose substr() calls
// were not inlined: a third of the field validator's time), and only the types of the byte's
// initial tried (no type is a prefix of another followed by a space: at most one matches).
std::size_t StreetHeadLength(const char* s, std::size_t n, std::string_view* type = nullptr) {
  std::size_t k = 0;
  while (k < n && k < 4 && IsDigit(s[k])) ++k;
  if (k == 0 || (k < n && IsDigit(s[k]))) return 0;
  std::size_t r = k;
  if (r < n && s[r] == ' ') {
    if (BisTerAt(s, n, r + 1)) r += 4;
  } else if (BisTerAt(s, n, r)) {
    r += 3;
  }
  if (r < n && s[r] == ',') ++r;
  if (n - r < 2 || s[r] != ' ') return 0;
  ++r;
  for (std::uint32_t m = kTypesByInitial[static_cast<unsigned char>(ToLower(s[r]))]; m != 0; m &= m - 1) {
    const std::string_view t = kStreetTypes[static_cast<std::size_t>(__builtin_ctz(m))];
    if (n - r <= t.size() + 2 || s[r + t.size()] != ' ') continue;
    bool same = true;
    for (std::size_t j = 1; j < t.size(); ++j) same = same && ToLower(s[r + j]) == t[j];
    if (!same) continue;
    if (type != nullptr) *type = t;
    return r + t.size();
  }
  return 0;
}

}  // namespace

// "12 rue de la Paix" followed by a field terminator (", ; newline), or the full form
// "12 rue de la Paix, 75002 P" ending on the town's first letter: the two shapes of the
// signature's patterns. The street name (after the type and its space, before the terminator
// or the ",? 75002 P" tail) must be 2..60 bytes of [0-9A-Za-z\x80-\xff' .-], as in the
// patterns: the bound is enforced here, so the patterns may leave it open.
std::optional<std::size_t> CheckAddress(std::string_view w, std::string& norm) {
  if (w.size() < 8) return std::nullopt;
  std::string_view body = w;
  const char last = w.back();
  std::size_t name_end;  // end of the street name in body
  if (IsAddressFieldEnd(last)) {
    body.remove_suffix(1);
    name_end = body.size();
  } else {
    // ",? [0-9]{5} [A-Za-z\x80-\xff]"
    const std::size_t n = body.size();
    if (!IsTownInitial(last) || body[n - 2] != ' ' || body[n - 8] != ' ' ||
        !AllDigits(body.substr(n - 7, 5)))
      return std::nullopt;
    name_end = n - 8;
    if (name_end > 0 && body[name_end - 1] == ',') --name_end;
  }
  if (name_end < kMinStreetName) return std::nullopt;
  // A start further back than the longest head and name cannot match; nor can one before a byte
  // that is neither in a name nor in a head (the head's bytes are name bytes, or ',').
  const std::size_t reach = kMaxStreetHead + kMaxStreetName;
  std::size_t lo = body.size() > kMaxCandidateBytes ? body.size() - kMaxCandidateBytes : 0;
  if (name_end > reach) lo = std::max(lo, name_end - reach);
  std::size_t comma = 0;  // 1 + position of the last ',' seen (the name must start after it)
  for (std::size_t p = name_end; p-- > lo;) {
    const char c = body[p];
    if (!HasClass(c, kClsStreetName)) {
      if (c != ',') break;
      if (comma == 0) comma = p + 1;
      continue;
    }
    if (!IsDigit(c) || !TokenStart(body, p)) continue;
    const std::size_t head = StreetHeadLength(body.data() + p, name_end - p);
    if (head == 0) continue;
    const std::size_t name = p + head + 1;  // after the type's space
    if (name_end - name < kMinStreetName || name_end - name > kMaxStreetName || name < comma) continue;
    LowerCopy(body.data() + p, body.size() - p, SizedData(norm, body.size() - p));
    return p;
  }
  return std::nullopt;
}

namespace {
// Whether a word starting with a digit at body[p] (p > 0, after a byte that is not a word byte)
// begins a head whose name fits before body's end: a start the backward walk would take first.
inline bool NearerStart(const char* body, std::size_t n, std::size_t p) {
  const std::size_t h = StreetHeadLength(body + p, n - p);
  if (h == 0) return false;
  const std::size_t len = n - (p + h + 1);
  return len >= kMinStreetName && len <= kMaxStreetName;
}

constexpr auto kInWord = [](char c) { return IsWordByte(c); };
constexpr ByteSet16 kWordSet = MakeByteSet16(kInWord);
static_assert(SameSet(kWordSet, kInWord));
}  // namespace

// A whole field ending with its terminator, as TypeFields passes it: CheckAddress accepts it
// from byte 0 iff the head parses at byte 0, the name after it is 2..60 bytes of the street
// name's class (no ',': the name starts after the last comma), and no word starting with a digit
// inside the name begins a head whose own name fits (the backward walk would stop at that nearer
// start). Everything before the name is a head's bytes, which the walk crosses without stopping
// (digits, bis/ter, ',', spaces and the type are street-name bytes or ','). The head is parsed
// once instead of walking back over the whole field, and the name is tested 16 bytes at a time
// (byte by byte in a field shorter than 16 bytes). The postcode form (no terminator) is not a
// CSV field's shape: it goes to CheckAddress.
bool FieldAddress(std::string_view s, std::string& norm) {
  if (s.size() < 8) return false;
  if (!IsAddressFieldEnd(s.back())) return CheckAddress(s, norm) == std::optional<std::size_t>(0);
  const char* b = s.data();
  const std::size_t n = s.size() - 1;  // the body: the field without its terminator
  if (!IsDigit(b[0])) return false;
  const std::size_t head = StreetHeadLength(b, n);
  if (head == 0) return false;
  const std::size_t name = head + 1;  // after the type's space
  if (n - name < kMinStreetName || n - name > kMaxStreetName) return false;
  if (s.size() >= 16) {
    // Blocks of 16 bytes within s (the last one may hold the terminator, and start before the
    // name): bits of bytes outside the name's class, and of digits after a non-word byte.
    for (std::size_t o = name; o < n;) {
      const std::size_t q = std::min(o, s.size() - 16);
      const __m128i v = Load16(b + q);
      const unsigned valid = ((n - q >= 16 ? 0xffffu : (1u << (n - q)) - 1)) & ~((1u << (o - q)) - 1);
      if ((Outside16(v, kStreetNameSet) & valid) != 0) return false;  // a comma or another byte: the walk stops there
      const unsigned digits = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(
          _mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)))));
      const unsigned word = (~Outside16(v, kWordSet) & 0xffffu) << 1 | (q > 0 && IsWordByte(b[q - 1]));
      for (unsigned m = digits & ~word & valid; m != 0; m &= m - 1)  // "12 rue du 8 mai": a nearer start?
        if (NearerStart(b, n, q + static_cast<std::size_t>(__builtin_ctz(m)))) return false;
      o = q + 16;
    }
  } else {
    for (std::size_t p = name; p < n; ++p) {
      const char c = b[p];
      if (!HasClass(c, kClsStreetName)) return false;
      if (IsDigit(c) && !IsWordByte(b[p - 1]) && NearerStart(b, n, p)) return false;
    }
  }
  LowerCopy(b, n, SizedData(norm, n));
  return true;
}

// "** rue ****": the kind of street, nothing that locates anybody.
void MaskAddress(std::string_view c, std::string& out) {
  std::string_view type;
  out.clear();
  if (StreetHeadLength(c.data(), c.size(), &type) == 0) { out = "** ****"; return; }
  out.append("** ").append(type).append(" ****");
}

// ---------------------------------------------------------------- registry
namespace {
constexpr std::array<Validator, 8> kValidators = {{
    {"nir", &CheckNir, &MaskNir, &FieldNir},
    {"france_travail_id", &CheckFranceTravailId, &MaskFranceTravailId, nullptr},
    {"phone_fr", &CheckPhone, &MaskPhone, &FieldPhone},
    {"email", &CheckEmail, &MaskEmail, &FieldEmail},
    {"iban", &CheckIban, &MaskIban, &FieldIban},
    {"luhn_card", &CheckCard, &MaskCard, nullptr},
    {"birth_date", &CheckBirthDate, &MaskBirthDate, nullptr, &ColumnCompactBirthDate},
    {"address_fr", &CheckAddress, &MaskAddress, &FieldAddress},
}};
}  // namespace

const Validator* FindValidator(std::string_view name) {
  for (const auto& v : kValidators)
    if (v.name == name) return &v;
  return nullptr;
}

std::string ValidatorNames() {
  std::string s;
  for (const auto& v : kValidators) {
    if (!s.empty()) s += ", ";
    s += v.name;
  }
  return s;
}

}  // namespace vigie::match
