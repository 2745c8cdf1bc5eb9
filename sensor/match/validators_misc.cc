// Validators for record-only fields (birth dates, postal addresses) and the validator registry.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

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

// yyyy-mm-dd, dd/mm/yyyy, dd-mm-yyyy (10 chars ending at the match end). The value is first
// rearranged as yyyy-mm-dd (what the normalized value is), then its eight digits checked at once.
std::optional<std::size_t> CheckBirthDate(std::string_view w, std::string& norm) {
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

// Only the decade stays: "19**-**-**".
void MaskBirthDate(std::string_view c, std::string& out) {
  out.clear();
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

// Parses "NUM[ bis|ter][,] TYPE " at s[0]; returns the length of the type word or 0.
std::size_t ParseStreetHead(std::string_view s, std::string_view* type) {
  std::size_t k = 0;
  while (k < s.size() && k < 4 && IsDigit(s[k])) ++k;
  if (k == 0 || (k < s.size() && IsDigit(s[k]))) return 0;
  std::string_view rest = s.substr(k);
  if (!rest.empty() && rest[0] == ' ') {
    std::string_view r2 = rest.substr(1);
    if (StartsWithNoCase(r2, "bis") || StartsWithNoCase(r2, "ter")) rest = r2.substr(3);
  } else if (StartsWithNoCase(rest, "bis") || StartsWithNoCase(rest, "ter")) {
    rest = rest.substr(3);
  }
  if (!rest.empty() && rest[0] == ',') rest = rest.substr(1);
  if (rest.size() < 2 || rest[0] != ' ') return 0;
  rest = rest.substr(1);
  // No type is a prefix of another followed by a space, so at most one type matches: only the
  // types with the right first letter are tried.
  const char first = ToLower(rest[0]);
  for (std::string_view t : kStreetTypes) {
    if (t[0] != first) continue;
    if (StartsWithNoCase(rest, t) && rest.size() > t.size() + 2 && rest[t.size()] == ' ') {
      *type = t;
      return s.size() - rest.size() + t.size();
    }
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
    std::string_view type;
    const std::size_t head = ParseStreetHead(body.substr(p, name_end - p), &type);
    if (head == 0) continue;
    const std::size_t name = p + head + 1;  // after the type's space
    if (name_end - name < kMinStreetName || name_end - name > kMaxStreetName || name < comma) continue;
    LowerCopy(body.data() + p, body.size() - p, SizedData(norm, body.size() - p));
    return p;
  }
  return std::nullopt;
}

// "** rue ****": the kind of street, nothing that locates anybody.
void MaskAddress(std::string_view c, std::string& out) {
  std::string_view type;
  out.clear();
  if (ParseStreetHead(c, &type) == 0) { out = "** ****"; return; }
  out.append("** ").append(type).append(" ****");
}

// ---------------------------------------------------------------- registry
namespace {
constexpr std::array<Validator, 8> kValidators = {{
    {"nir", &CheckNir, &MaskNir},
    {"france_travail_id", &CheckFranceTravailId, &MaskFranceTravailId},
    {"phone_fr", &CheckPhone, &MaskPhone},
    {"email", &CheckEmail, &MaskEmail},
    {"iban", &CheckIban, &MaskIban},
    {"luhn_card", &CheckCard, &MaskCard},
    {"birth_date", &CheckBirthDate, &MaskBirthDate},
    {"address_fr", &CheckAddress, &MaskAddress},
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
