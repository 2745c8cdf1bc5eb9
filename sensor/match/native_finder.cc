// Native matchers (see native_finder.h).
#include "match/native_finder.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "match/anchor_finder.h"
#include "match/validators_util.h"

namespace vigie::match {

namespace {

using Kind = NativePattern::Kind;

// The default set's e-mail and address regexes, as written in signatures/pii.yaml.
constexpr std::string_view kEmailRegex = R"([A-Za-z0-9._%+-]@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b)";
constexpr std::string_view kAddressHead =
    R"(\b[0-9]{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\.?|bd|boulevard|chemin|all(?:e|\xc3\xa9)e|impasse|place|route|quai|cours|square|voie|passage|r(?:e|\xc3\xa9)sidence|sentier) [0-9A-Za-z\x80-\xff' .-]{2,60})";
constexpr std::string_view kAddressFieldEnd = R"([",;\r\n])";
constexpr std::string_view kAddressPostcodeEnd = R"(,? [0-9]{5} [A-Za-z\x80-\xff])";

// Byte classes and address pieces: the validators' (validators_util.h), plus one only IBANs use.
using detail::HasClass;
using detail::IsAlnum;
using detail::IsAlpha;
using detail::IsDigit;
using detail::IsUpper;
using detail::IsAddressFieldEnd;
using detail::IsTownInitial;
using detail::IsWordByte;
using detail::kMaxStreetName;
using detail::kMinStreetName;
using detail::kStreetTypes;
using detail::ToLower;
bool IsBban(char c) { return IsUpper(c) || IsDigit(c); }

// Reads d[k] when k < n; records that more bytes were needed otherwise.
struct Reader {
  const NativeInput& in;
  bool short_of_bytes = false;
  bool Has(std::size_t k) {
    if (k < in.n) return true;
    if (!in.data_end) short_of_bytes = true;
    return false;
  }
  // \b after a word byte ending at k: the byte at k is not \w, or the data ends there.
  bool WordEndsAt(std::size_t k) { return Has(k) ? !IsWordByte(static_cast<char>(in.d[k])) : in.data_end; }
  // The match is complete when nothing was cut short by the end of the available bytes.
  bool Complete() const { return !short_of_bytes; }
};

// \b before the word byte at k.
bool WordStartsAt(const NativeInput& in, std::size_t k) {
  return k == 0 ? in.data_start : !IsWordByte(static_cast<char>(in.d[k - 1]));
}

// Collects one group's ends.
struct Out {
  const NativeInput& in;
  std::vector<NativeEnd>& ends;
  void Add(std::size_t end, unsigned id, const NativePattern& p) {
    if (end <= in.limit) ends.push_back(NativeEnd{static_cast<std::uint32_t>(end), id, p.lookahead()});
  }
};

std::size_t CountryBit(char c0, char c1) { return static_cast<std::size_t>((c0 - 'A') * 26 + (c1 - 'A')); }
bool HasCountry(const NativePattern& p, std::size_t bit) { return (p.countries[bit / 64] >> (bit % 64) & 1u) != 0; }

// ---- IBAN: country code at a, check digits at a + 2, then the compact or the grouped form.
bool Iban(const NativeGroup& group, const NativeInput& in, Out& out) {
  Reader r{in};
  const std::size_t a = in.a;
  const char* d = reinterpret_cast<const char*>(in.d);
  if (!r.Has(a + 3)) return r.Complete();
  if (!WordStartsAt(in, a) || !IsUpper(d[a]) || !IsUpper(d[a + 1]) || !IsDigit(d[a + 2]) || !IsDigit(d[a + 3]))
    return true;
  const std::size_t cc = CountryBit(d[a], d[a + 1]);
  const std::size_t bban = a + 4;
  // Compact: the run of [0-9A-Z] after the check digits (a \b can only follow its last byte).
  std::size_t q = bban;
  while (q - bban <= 64 && r.Has(q) && IsBban(d[q])) ++q;
  bool q_ends = false, q_known = false;
  // Grouped: " XXXX" groups after the check digits; at[g] = offset after g groups.
  std::array<std::size_t, 9> at{};
  at[0] = bban;
  std::size_t full = 0;
  auto group_at = [&](std::size_t x, std::size_t len) {  // " " then len bytes of [0-9A-Z] at x
    if (!r.Has(x) || d[x] != ' ') return false;
    for (std::size_t k = 1; k <= len; ++k)
      if (!r.Has(x + k) || !IsBban(d[x + k])) return false;
    return true;
  };
  bool grouped_done = false;
  for (const auto& [id, p] : group) {
    if (!HasCountry(p, cc)) continue;
    if (p.kind == NativePattern::Kind::kIbanCompact) {
      const std::size_t len = q - bban;
      if (len < p.min_len || len > p.max_len) continue;
      if (!q_known) {
        q_ends = r.WordEndsAt(q);
        q_known = true;
      }
      if (q_ends) out.Add(q, id, p);
      continue;
    }
    if (!grouped_done) {
      while (full < 8 && group_at(at[full], 4)) {
        at[full + 1] = at[full] + 5;
        ++full;
      }
      grouped_done = true;
    }
    if (full < p.groups) continue;
    std::size_t x = at[p.groups];
    if (p.last > 0) {
      if (!group_at(x, p.last)) continue;
      x += p.last + 1;
    }
    if (r.WordEndsAt(x)) out.Add(x, id, p);
  }
  return r.Complete();
}

// ---- e-mail: '@' at a. The domain is dot-separated non-empty labels of [A-Za-z0-9-]; a match
// ends after a label's leading letters (2-24 of them) when a dot came before that label and the
// byte after the letters is not \w.
bool Email(unsigned id, const NativePattern& p, const NativeInput& in, Out& out) {
  Reader r{in};
  const std::size_t a = in.a;
  const char* d = reinterpret_cast<const char*>(in.d);
  if (a == 0 || d[a] != '@' || !HasClass(d[a - 1], detail::kClsEmailLocal)) return true;
  std::size_t label = a + 1;  // start of the current label
  bool dotted = false;        // a dot came before it
  bool letters = true;        // every byte of the label so far is a letter
  for (std::size_t x = a + 1;; ++x) {
    if (x > in.limit) return true;  // ends past the bound are not reported
    const bool has = r.Has(x);
    const char c = has ? d[x] : '\0';
    if (letters && !(has && IsAlpha(c))) {  // the label's leading letters end before x
      letters = false;
      const std::size_t n = x - label;
      if (dotted && n >= 2 && n <= 24 && r.WordEndsAt(x)) out.Add(x, id, p);
    }
    if (has && (IsAlnum(c) || c == '-')) continue;
    if (!has || c != '.' || x == label) return r.Complete();  // the domain ends (or an empty label)
    dotted = true;
    label = x + 1;
    letters = true;
  }
}

// ---- postal address: the space at a between "NUM[ bis|ter][,]" and the street type.
// Parses the head backwards from a; true when it is the regex's.
bool AddressHead(const NativeInput& in) {
  const char* d = reinterpret_cast<const char*>(in.d);
  std::size_t i = in.a;
  if (d[i] != ' ') return false;
  if (i > 0 && d[i - 1] == ',') --i;
  if (i >= 3) {
    const char b0 = ToLower(d[i - 3]), b1 = ToLower(d[i - 2]), b2 = ToLower(d[i - 1]);
    if ((b0 == 'b' && b1 == 'i' && b2 == 's') || (b0 == 't' && b1 == 'e' && b2 == 'r')) {
      i -= 3;
      if (i > 0 && d[i - 1] == ' ') --i;
    }
  }
  std::size_t digits = 0;
  while (i > 0 && IsDigit(d[i - 1]) && digits < 5) {
    --i;
    ++digits;
  }
  return digits >= 1 && digits <= 4 && WordStartsAt(in, i);
}

bool Address(const NativeGroup& group, const NativeInput& in, Out& out) {
  Reader r{in};
  const char* d = reinterpret_cast<const char*>(in.d);
  if (!AddressHead(in)) return true;
  // The street type after the anchor, then a space: at most one type fits.
  const std::size_t t = in.a + 1;
  std::size_t name = 0;
  const bool has_initial = r.Has(t);
  for (std::string_view type : kStreetTypes) {
    if (has_initial && ToLower(d[t]) != type[0]) continue;
    bool ok = true;
    for (std::size_t k = 0; k <= type.size() && ok; ++k) {
      if (!r.Has(t + k)) {
        ok = false;
      } else {
        ok = k < type.size() ? ToLower(d[t + k]) == type[k] : d[t + k] == ' ';
      }
    }
    if (ok) {
      name = t + type.size() + 1;
      break;
    }
  }
  if (name == 0) return r.Complete();
  // The name: a run of name bytes, 2-60 of them.
  std::size_t q = name;
  while (q - name <= kMaxStreetName && r.Has(q) && HasClass(d[q], detail::kClsStreetName)) ++q;
  for (const auto& [id, p] : group) {
    if (p.kind == NativePattern::Kind::kAddressField) {
      const std::size_t len = q - name;
      if (len >= kMinStreetName && len <= kMaxStreetName && r.Has(q) && IsAddressFieldEnd(d[q])) out.Add(q + 1, id, p);
      continue;
    }
    // ",? [0-9]{5} [A-Za-z\x80-\xff]" after a name ending at j (a comma only where the run stops).
    const std::size_t last = std::min(q, name + kMaxStreetName);
    for (std::size_t j = name + kMinStreetName; j <= last; ++j) {
      std::size_t k = j;
      if (j == q) {
        if (!r.Has(j) || d[j] != ',') continue;
        k = j + 1;
      } else if (d[j] != ' ') {
        continue;
      }
      bool ok = r.Has(k) && d[k] == ' ';
      for (std::size_t m = 1; m <= 5 && ok; ++m) ok = r.Has(k + m) && IsDigit(d[k + m]);
      ok = ok && r.Has(k + 6) && d[k + 6] == ' ' && r.Has(k + 7) && IsTownInitial(d[k + 7]);
      if (ok) out.Add(k + 8, id, p);
    }
  }
  return r.Complete();
}

// ---- recognition of the IBAN regexes: \b(?:CC|..)[0-9]{2} then the compact or grouped tail.
struct Cursor {
  std::string_view s;
  bool Eat(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  bool Int(unsigned& v) {
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr == s.data()) return false;
    s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
    return true;
  }
  bool Country(std::array<std::uint64_t, 11>& bits) {
    if (s.size() < 2 || !IsUpper(s[0]) || !IsUpper(s[1])) return false;
    const std::size_t bit = CountryBit(s[0], s[1]);
    bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
    s.remove_prefix(2);
    return true;
  }
};

NativePattern RecognizeIban(std::string_view regex) {
  NativePattern p;
  Cursor c{regex};
  if (!c.Eat(R"(\b)")) return {};
  if (c.Eat("(?:")) {
    do {
      if (!c.Country(p.countries)) return {};
    } while (c.Eat("|"));
    if (!c.Eat(")")) return {};
  } else if (!c.Country(p.countries)) {
    return {};
  }
  if (!c.Eat("[0-9]{2}")) return {};
  const Cursor tail = c;
  unsigned lo = 0, hi = 0;
  if (c.Eat("[0-9A-Z]{") && c.Int(lo) && c.Eat(",") && c.Int(hi) && c.Eat(R"(}\b)") && c.s.empty()) {
    if (lo == 0 || lo > hi || hi > 64) return {};
    p.kind = Kind::kIbanCompact;
    p.min_len = static_cast<std::uint8_t>(lo);
    p.max_len = static_cast<std::uint8_t>(hi);
    return p;
  }
  c = tail;
  unsigned groups = 0, last = 0;
  if (!c.Eat("(?: [0-9A-Z]{4}){") || !c.Int(groups) || !c.Eat("}")) return {};
  if (c.Eat(" [0-9A-Z]{") && (!c.Int(last) || !c.Eat("}") || last == 0 || last > 4)) return {};
  if (!c.Eat(R"(\b)") || !c.s.empty() || groups == 0 || groups > 8) return {};
  p.kind = Kind::kIbanGrouped;
  p.groups = static_cast<std::uint8_t>(groups);
  p.last = static_cast<std::uint8_t>(last);
  return p;
}

bool IsAddress(std::string_view regex, std::string_view tail) {
  return regex.size() == kAddressHead.size() + tail.size() && regex.substr(0, kAddressHead.size()) == kAddressHead &&
         regex.substr(kAddressHead.size()) == tail;
}

}  // namespace

NativePattern RecognizeNative(std::string_view regex, unsigned hs_flags, unsigned anchor) {
  NativePattern p;
  if (anchor == kAnchorIban && hs_flags == 0) return RecognizeIban(regex);
  if (anchor == kAnchorAtSign && hs_flags == 0 && regex == kEmailRegex) p.kind = Kind::kEmail;
  if (anchor == kAnchorStreet && hs_flags == HS_FLAG_CASELESS) {
    if (IsAddress(regex, kAddressFieldEnd)) p.kind = Kind::kAddressField;
    if (IsAddress(regex, kAddressPostcodeEnd)) p.kind = Kind::kAddressPostcode;
  }
  return p;
}

bool NativeEnds(const NativeGroup& group, const NativeInput& in, std::vector<NativeEnd>& ends) {
  if (group.empty()) return true;
  Out out{in, ends};
  switch (group.front().second.kind) {
    case Kind::kIbanCompact:
    case Kind::kIbanGrouped:
      return Iban(group, in, out);
    case Kind::kEmail: {
      bool complete = true;
      for (const auto& [id, p] : group) complete = Email(id, p, in, out) && complete;
      return complete;
    }
    case Kind::kAddressField:
    case Kind::kAddressPostcode:
      return Address(group, in, out);
    case Kind::kNone:
      break;
  }
  return true;
}

}  // namespace vigie::match
