// The whole-field validators (Validator::field, the CSV path) against the generic ones: for every
// validator that has one, field(s, n) must be true exactly when check(s, n2) returns start 0, and
// then give the same normalized value. Checked on generated values in every written form, every
// single-byte mutation of them (a byte replaced by one of the type's alphabet or any byte,
// deleted, inserted; every truncation; a blank before or after), and random strings over each
// type's alphabet, built from its tokens. Deterministic seeds. Each field is copied to the end of
// a page followed by an inaccessible one, so a validator reading past the field's end crashes
// the test.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_util.h"
#include "match/validators.h"
#include "match/validators_util.h"

namespace vigie::match {
namespace {

using testing::PiiGenerator;

// A field at the very end of readable memory: the page after it is PROT_NONE.
class GuardedField {
 public:
  GuardedField() {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* m = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + page_, page_, PROT_NONE) != 0) std::abort();
  }
  ~GuardedField() { munmap(base_, 2 * page_); }
  GuardedField(const GuardedField&) = delete;
  GuardedField& operator=(const GuardedField&) = delete;
  std::string_view Place(std::string_view s) {
    if (s.size() > page_) std::abort();
    char* p = base_ + page_ - s.size();
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

 private:
  std::size_t page_ = 0;
  char* base_ = nullptr;
};

// Compares field() with check() on each string it is given; counts and reports disagreements
// (the first few in full: the strings are generated, not personal data).
class Comparer {
 public:
  explicit Comparer(const Validator& v) : v_(v) {}
  void operator()(std::string_view s) {
    const std::string_view f = guard_.Place(s);
    std::string n_field = "stale value from before";
    std::string n_check = "another stale value";
    const bool got = v_.field(f, n_field);
    const std::optional<std::size_t> begin = v_.check(f, n_check);
    const bool want = begin == std::optional<std::size_t>(0);
    ++cases_;
    accepted_ += want;
    if (got != want || (want && n_field != n_check)) {
      if (++mismatches_ <= 10) {
        ADD_FAILURE() << v_.name << ": field=" << got << " check start="
                      << (begin ? std::to_string(*begin) : std::string("none")) << " on \"" << Escaped(s) << "\""
                      << (got && want ? " normalized \"" + Escaped(n_field) + "\" vs \"" + Escaped(n_check) + "\"" : "");
      }
    }
  }
  std::size_t cases() const { return cases_; }
  std::size_t accepted() const { return accepted_; }
  std::size_t mismatches() const { return mismatches_; }

 private:
  static std::string Escaped(std::string_view s) {
    std::string o;
    for (const char c : s) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0x20 && b < 0x7f && c != '\\') {
        o.push_back(c);
      } else {
        static const char kHex[] = "0123456789abcdef";
        o += "\\x";
        o.push_back(kHex[b >> 4]);
        o.push_back(kHex[b & 15]);
      }
    }
    return o;
  }
  const Validator& v_;
  GuardedField guard_;
  std::size_t cases_ = 0, accepted_ = 0, mismatches_ = 0;
};

struct TypeSpec {
  const char* validator;
  std::string alphabet;                  // bytes the mutations and random strings draw from
  std::vector<std::string> tokens;       // pieces the random strings are made of
  std::function<std::string(PiiGenerator&, std::mt19937&)> valid;  // one value in a random form
  std::string suffix;                    // appended to every case built from tokens (the address's terminator)
};

std::string Pick(std::mt19937& rng, const std::vector<std::string>& v) { return v[rng() % v.size()]; }
char PickByte(std::mt19937& rng, const std::string& alphabet) { return alphabet[rng() % alphabet.size()]; }
bool Coin(std::mt19937& rng, unsigned one_in) { return rng() % one_in == 0; }

// ---------------------------------------------------------------- generators of valid values

std::string NirForm(PiiGenerator& g, std::mt19937& rng) {
  std::string c = g.Nir();
  if (Coin(rng, 4) && (c[6] == 'A' || c[6] == 'B')) c[6] = static_cast<char>(c[6] + 32);  // 2a / 2b
  const bool overseas = c[5] == '9' && (c[6] == '7' || c[6] == '8');
  switch (rng() % 4) {
    case 0: return c;  // compact
    case 1: {          // the groups, every space (overseas: S YY MM DDD CC OOO KK)
      const std::vector<int> cuts = overseas && Coin(rng, 2) ? std::vector<int>{1, 3, 5, 8, 10, 13}
                                                             : std::vector<int>{1, 3, 5, 7, 10, 13};
      std::string s;
      for (int k = 0; k < 15; ++k) {
        if (std::find(cuts.begin(), cuts.end(), k) != cuts.end()) s.push_back(' ');
        s.push_back(c[static_cast<std::size_t>(k)]);
      }
      return s;
    }
    default: {  // some of the group spaces (each optional)
      std::string s;
      for (int k = 0; k < 15; ++k) {
        if ((k == 1 || k == 3 || k == 5 || k == 7 || k == 10 || k == 13) && Coin(rng, 2)) s.push_back(' ');
        s.push_back(c[static_cast<std::size_t>(k)]);
      }
      return s;
    }
  }
}

std::string FtIdForm(PiiGenerator& g, std::mt19937& rng) {
  std::string s = g.FtId();
  if (Coin(rng, 3)) s.back() = static_cast<char>('0' + rng() % 10);
  return s;
}

std::string PhoneForm(PiiGenerator& g, std::mt19937& rng) {
  static const char kLeads[] = "1234567999";
  const std::string digits = std::string(1, kLeads[rng() % 10]) + g.Digits(8);
  static const std::vector<std::string> kSeps = {"", " ", ".", "-"};
  const std::string sep = Pick(rng, kSeps);
  std::string pairs;
  for (int k = 0; k < 4; ++k) pairs += sep + digits.substr(1 + 2 * static_cast<std::size_t>(k), 2);
  switch (rng() % 3) {
    case 0: return "0" + digits.substr(0, 1) + pairs;
    default: {
      static const std::vector<std::string> kPrefixes = {"+33", "0033"};
      static const std::vector<std::string> kMiddles = {"", " ", "(0)", " (0)", "(0) ", " (0) "};
      return Pick(rng, kPrefixes) + Pick(rng, kMiddles) + digits.substr(0, 1) + pairs;
    }
  }
}

std::string EmailForm(PiiGenerator& g, std::mt19937& rng) {
  static const std::string kLocal = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789";
  static const std::string kLocalPunct = "._%+-";
  std::string local;
  const int words = 1 + static_cast<int>(rng() % 3);
  for (int w = 0; w < words; ++w) {
    if (w > 0) local.push_back(kLocalPunct[rng() % kLocalPunct.size()]);
    const int len = 1 + static_cast<int>(rng() % (Coin(rng, 10) ? 40 : 10));
    for (int k = 0; k < len; ++k) local.push_back(PickByte(rng, kLocal));
  }
  std::string domain;
  const int labels = 1 + static_cast<int>(rng() % 3);
  for (int l = 0; l < labels; ++l) {
    const int len = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) domain.push_back(k > 0 && k + 1 < len && Coin(rng, 8) ? '-' : PickByte(rng, kLocal));
    domain.push_back('.');
  }
  static const std::vector<std::string> kTlds = {"fr", "com", "org", "gouv", "FR", "Com", "museum", "xn", "io"};
  (void)g;
  return local + "@" + domain + Pick(rng, kTlds);
}

std::string IbanForm(PiiGenerator& g, std::mt19937& rng) {
  static const std::vector<std::string> kCountries = {"FR", "DE", "BE", "NL", "AT", "CH", "ES", "PT", "IT", "GB",
                                                      "NO", "MT", "PL", "LU", "SI", "MC", "IS", "HU", "GI"};
  const std::string cc = Pick(rng, kCountries);
  const int length = IbanLength(cc);
  std::string bban;
  const bool letters = Coin(rng, 3);
  for (int k = 4; k < length; ++k)
    bban += letters && Coin(rng, 4) ? static_cast<char>('A' + rng() % 26) : static_cast<char>('0' + rng() % 10);
  // One in 5: a valid IBAN with a later word that starts with a country code naming the count
  // from there to the end ("SI.. NO.. .... ...."): the backward walk decides at that word, so
  // the field is refused (byte 0 is not the start check() finds).
  const int inner = Coin(rng, 5) && length >= 19 ? 15 + static_cast<int>(rng() % static_cast<unsigned>(length - 18)) : 0;
  static const std::vector<std::pair<std::string, int>> kByLength = {
      {"NO", 15}, {"BE", 16}, {"NL", 18}, {"SI", 19}, {"AT", 20}, {"CH", 21}, {"DE", 22}, {"GI", 23},
      {"ES", 24}, {"PT", 25}, {"IS", 26}, {"FR", 27}, {"HU", 28}, {"MT", 31}};
  std::string inner_cc;
  for (const auto& [c, l] : kByLength)
    if (l == inner) inner_cc = c;
  const std::size_t cut = static_cast<std::size_t>(length - inner);  // the inner word's start
  if (!inner_cc.empty()) bban.replace(cut - 4, 2, inner_cc);
  const std::string iban = cc + PiiGenerator::Mod97Check(bban + cc + "00") + bban;
  (void)g;
  if (!inner_cc.empty()) {
    std::string s = iban.substr(0, cut);
    for (std::size_t k = cut; k < iban.size(); ++k) {
      if ((k - cut) % 4 == 0) s.push_back(' ');
      s.push_back(iban[k]);
    }
    return s;
  }
  if (Coin(rng, 2)) return iban;
  std::string s;  // grouped by 4
  for (std::size_t k = 0; k < iban.size(); ++k) {
    if (k > 0 && k % 4 == 0) s.push_back(' ');
    s.push_back(iban[k]);
  }
  return s;
}

std::string BirthForm(PiiGenerator& g, std::mt19937& rng) {
  const std::string y = std::to_string(g.Uniform(1900, 2025));
  const std::string m = PiiGenerator::Pad(g.Uniform(1, 12), 2);
  const std::string d = PiiGenerator::Pad(g.Uniform(1, 31), 2);  // 30/31 of short months: refused by both
  switch (rng() % 3) {
    case 0: return y + "-" + m + "-" + d;
    case 1: return d + "/" + m + "/" + y;
    default: return d + "-" + m + "-" + y;
  }
}

std::string AddressForm(PiiGenerator& g, std::mt19937& rng) {
  std::string s = std::to_string(g.Uniform(1, Coin(rng, 5) ? 9999 : 200));
  static const std::vector<std::string> kSuffixes = {"", "", "", " bis", " ter", "bis", "TER", " Bis"};
  s += Pick(rng, kSuffixes);
  if (Coin(rng, 4)) s += ",";
  std::string type(detail::kStreetTypes[rng() % detail::kStreetTypes.size()]);
  if (Coin(rng, 4)) type[0] = detail::ToUpper(type[0]);
  if (Coin(rng, 8)) type = detail::LowerAscii(type), type = std::string(1, detail::ToUpper(type[0])) + type.substr(1);
  s += " " + type + " ";
  static const std::vector<std::string> kNames = {
      "des Lilas", "de la Paix", "du 8 mai 1945", "Victor Hugo", "de l'\xc3\xa9glise", "St-Jean", "Jean-Baptiste Cl\xc3\xa9ment",
      "du G\xc3\xa9n\xc3\xa9ral de Gaulle", "F.Roosevelt", "des 3 Ponts", "ab", "X", "de la R\xc3\xa9publique prolong\xc3\xa9" "e",
      "4 rue Xy", "12 bis rue de la Gare", "10", "Jean-Baptiste Cl\xc3\xa9ment prolong\xc3\xa9" "e 4 rue Xy",
      "du 11 novembre 1918 _7 rue Ab", "des Lilas (B\xc3\xa2t. 2)", "du Port, 7 bd Ab"};
  std::string name = Pick(rng, kNames);
  if (Coin(rng, 10)) name += std::string(rng() % 60, 'a');  // around the 60-byte bound
  s += name;
  switch (rng() % 5) {
    case 0: {  // the postcode form: no terminator, ends on the town's initial
      return s + (Coin(rng, 2) ? ", " : " ") + PiiGenerator::Pad(g.Uniform(1000, 97999), 5) + " " +
             static_cast<char>('A' + rng() % 26);
    }
    case 1: return s + ", 75011 Paris;";  // a comma inside the field: refused by both
    default: {
      static const std::string kEnds = "\",;\r\n<";
      return s + kEnds[rng() % kEnds.size()];
    }
  }
}

const std::vector<TypeSpec>& Specs() {
  static const std::vector<TypeSpec> specs = {
      {"nir", "0123456789ABab ", {"1", "2", "85", "05", "2A", "2b", "97", "99", "00", "123", "000", " ", "7", "42"}, &NirForm, ""},
      {"france_travail_id", "0123456789AZa", {"1234567", "0000000", "1111111", "A", "Z", "9", "0", " "}, &FtIdForm, ""},
      {"phone_fr", "0123456789 .-+()", {"0", "06", "+33", "0033", " ", ".", "-", "(0)", "12", "34", "8", "00", "6"}, &PhoneForm, ""},
      {"email", "aZ09._%+-@", {"a", "Jean", "9", ".", "-", "+", "_", "%", "@", "..", "fr", "com", "x-y", "b."}, &EmailForm, ""},
      {"iban", "0123456789ABFRZ ", {"FR", "DE", "BE", "NL", "MT", "NO", "76", "12", "3456", "0000", " ", "7", "A", "M02"}, &IbanForm, ""},
      {"birth_date", "0123456789/-", {"19", "85", "05", "12", "-", "/", "2000", "29", "02", "31", "1900", "2025"}, &BirthForm, ""},
      {"address_fr", "0123456789 ,.'-abdeilrsuvBRT\xc3\xa9\";\r\n<",
       {"12", "4", "9999", "12345", " ", " ", "bis", "TER", ",", "rue", "Av.", "av", "bd", "all\xc3\xa9" "e", "allee",
        "r\xc3\xa9sidence", "de", "la", "Paix", "l'", "\xc3\xa9", "-", ".", "8 mai 1945", "4 rue Xy", ", 75011 P", "_", ":"},
       &AddressForm, ";"},
  };
  return specs;
}

// Every single-byte mutation of `value`, each given to `f`: a byte replaced (by bytes of the
// alphabet and random bytes), deleted, a byte inserted, every truncation, blanks around it.
void Mutations(const std::string& value, const std::string& alphabet, std::mt19937& rng,
               const std::function<void(std::string_view)>& f) {
  f(value);
  for (std::size_t k = 0; k < value.size(); ++k) {
    std::string s = value;
    for (int r = 0; r < 4; ++r) {
      s[k] = PickByte(rng, alphabet);
      f(s);
    }
    s[k] = static_cast<char>(rng());
    f(s);
    s[k] = '\0';
    f(s);
    f(std::string(value).erase(k, 1));
  }
  for (std::size_t k = 0; k <= value.size(); ++k) {
    for (int r = 0; r < 2; ++r) f(std::string(value).insert(k, 1, PickByte(rng, alphabet)));
    f(std::string(value).insert(k, 1, static_cast<char>(rng())));
    f(std::string_view(value).substr(0, k));  // truncated
    f(std::string_view(value).substr(k));     // its start cut
  }
  for (const char* blank : {" ", "\t", "  "}) {
    f(blank + value);
    f(value + blank);
    if (!value.empty()) f(value.substr(0, value.size() - 1) + blank + value.back());  // before a terminator
  }
}

class FieldValidators : public ::testing::TestWithParam<std::size_t> {};

// The spec's validator, or nullptr when it is unknown or has no field version.
const Validator* WithField(const TypeSpec& spec) {
  const Validator* v = FindValidator(spec.validator);
  return v != nullptr && v->field != nullptr ? v : nullptr;
}

// Generated values in every form, and all their single-byte mutations.
TEST_P(FieldValidators, SameAsCheckOnValuesAndTheirMutations) {
  const TypeSpec& spec = Specs()[GetParam()];
  const Validator* v = WithField(spec);
  ASSERT_NE(v, nullptr) << spec.validator;
  Comparer cmp(*v);
  PiiGenerator g(static_cast<std::uint32_t>(100 + GetParam()));
  std::mt19937 rng(static_cast<std::uint32_t>(200 + GetParam()));
  std::size_t values = 0, valid = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string value = spec.valid(g, rng);
    ++values;
    const std::size_t before = cmp.accepted();
    cmp(value);
    valid += cmp.accepted() > before;
    Mutations(value, spec.alphabet, rng, std::ref(cmp));
    if (cmp.mismatches() > 10) break;
  }
  EXPECT_EQ(cmp.mismatches(), 0u) << cmp.cases() << " cases";
  EXPECT_GT(cmp.cases(), 20000u);
  // Most generated values are valid (some forms are refused on purpose: dates past a month's
  // end, addresses with a comma in the name, too long a name...).
  EXPECT_GT(valid, values / 2) << spec.validator;
}

// Random strings made of the type's tokens and alphabet bytes.
TEST_P(FieldValidators, SameAsCheckOnRandomStrings) {
  const TypeSpec& spec = Specs()[GetParam()];
  const Validator* v = WithField(spec);
  ASSERT_NE(v, nullptr) << spec.validator;
  Comparer cmp(*v);
  std::mt19937 rng(static_cast<std::uint32_t>(300 + GetParam()));
  for (int i = 0; i < 30000; ++i) {
    std::string s;
    const int pieces = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < pieces; ++k) {
      if (Coin(rng, 3)) s.push_back(PickByte(rng, spec.alphabet));
      else s += Pick(rng, spec.tokens);
    }
    if (Coin(rng, 50)) s += std::string(rng() % 300, PickByte(rng, spec.alphabet));  // long fields
    if (!spec.suffix.empty() && Coin(rng, 2)) s += spec.suffix;
    cmp(s);
    if (cmp.mismatches() > 10) break;
  }
  // Pure alphabet strings of every short length.
  for (int i = 0; i < 10000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = PickByte(rng, spec.alphabet);
    cmp(s);
  }
  EXPECT_EQ(cmp.mismatches(), 0u) << cmp.cases() << " cases";
}

// The lengths where the field validators change method (16-byte blocks from 16 bytes on, 64-bit
// masks up to 64 bytes for e-mails, the 64-byte local part), each side of them.
TEST(FieldValidatorsEdges, LengthsAroundTheBlockSizes) {
  Comparer email(*FindValidator("email"));
  for (std::size_t local = 1; local <= 70; ++local) {
    for (std::size_t domain = 1; domain <= 60; ++domain) {
      const std::string a = std::string(local, 'a') + "@" + std::string(domain, 'b') + ".fr";
      email(a);
      email(std::string(local, 'A') + "@" + std::string(domain, 'b') + ".c0");
      email(std::string(local, 'x') + "@b." + std::string(domain, 'c'));
      email("." + a);
      email(a + ".");
    }
  }
  EXPECT_EQ(email.mismatches(), 0u);
  EXPECT_GT(email.accepted(), 2000u);
  Comparer address(*FindValidator("address_fr"));
  for (std::size_t len = 0; len <= 70; ++len) {
    for (const char* head : {"1 rue ", "12 bis, av. ", "9999 r\xc3\xa9sidence "}) {
      const std::string name(len, 'e');
      for (const char* end : {";", "\"", "\n", ", 75011 P", " 75011 P", ""}) {
        address(head + name + end);
        address(head + name + " 4 rue ab" + end);
        address(head + std::string("9 ") + name + end);
      }
    }
  }
  EXPECT_EQ(address.mismatches(), 0u);
  EXPECT_GT(address.accepted(), 300u);
}

std::string SpecName(const ::testing::TestParamInfo<std::size_t>& info) { return Specs()[info.param].validator; }
// The types whose validator has a field version (the others keep their TypeSpec for when one
// is written: France Travail id and birth date, whose check() on a whole field is already as
// cheap as a field version measured).
std::vector<std::size_t> WithField() {
  std::vector<std::size_t> v;
  for (std::size_t k = 0; k < Specs().size(); ++k) {
    const Validator* validator = FindValidator(Specs()[k].validator);
    if (validator != nullptr && validator->field != nullptr) v.push_back(k);
  }
  return v;
}
INSTANTIATE_TEST_SUITE_P(Types, FieldValidators, ::testing::ValuesIn(WithField()), SpecName);

// Every registered field validator is exercised above (a new one needs its TypeSpec).
TEST(FieldValidatorsRegistry, EveryFieldValidatorIsTested) {
  for (const char* name : {"nir", "france_travail_id", "phone_fr", "email", "iban", "luhn_card", "birth_date", "address_fr"}) {
    const Validator* v = FindValidator(name);
    ASSERT_NE(v, nullptr) << name;
    if (v->field == nullptr) continue;
    bool tested = false;
    for (const TypeSpec& spec : Specs()) tested = tested || std::string_view(spec.validator) == name;
    EXPECT_TRUE(tested) << name;
  }
}

}  // namespace
}  // namespace vigie::match
