#pragma once
// Helpers shared by the match tests: engine loading, scanning, and generators of valid PII
// (seeded, so every run sees the same people).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "match/engine.h"
#include "match/scanner.h"
#include "metrics/counters.h"

namespace vigie::match::testing {

// (One string literal: a std::string built with operator+ here set off a GCC 12 -Wstringop-overflow
// false positive in profile-guided LTO builds.)
// Index of a type in ScanSummary's per-type arrays.
inline std::size_t Idx(PiiType t) { return static_cast<std::size_t>(t); }

// A number from the environment (the fuzz tests' seeds and iterations), or `fallback`.
inline std::uint64_t EnvOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

// The default signature set of the source tree, or the file VIGIE_SIGNATURES names (bench A/B
// runs of a signature change: the same binary on two files).
inline std::string SignaturePath() {
  const char* v = std::getenv("VIGIE_SIGNATURES");
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(VIGIE_SOURCE_DIR "/signatures/pii.yaml");
}

inline std::shared_ptr<const PiiEngine> DefaultEngine(PiiEngineOptions o = {}) {
  return LoadPiiEngine(SignaturePath(), o);
}

// One scanner + its metrics, the way a worker owns them.
struct Harness {
  explicit Harness(std::shared_ptr<const PiiEngine> e = DefaultEngine()) : scanner(std::move(e), metrics) {}
  ScanSummary Scan(const std::string& text) {
    ScanStream s(scanner);
    s.Feed(AsBytes(text));
    return s.Finish();
  }
  metrics::CounterSet metrics;
  Scanner scanner;
};

struct Person {
  std::string nir;        // compact
  std::string nir_spaced;
  std::string iban;       // compact
  std::string card;
  std::string ft_id;
  std::string email;
  std::string phone;      // as written
  std::string birth;      // yyyy-mm-dd
  std::string street;
};

class PiiGenerator {
 public:
  explicit PiiGenerator(std::uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string Digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Uniform(0, 9)));
    return s;
  }
  static std::string Pad(int v, int w) {
    std::string s = std::to_string(v);
    while (static_cast<int>(s.size()) < w) s.insert(s.begin(), '0');
    return s;
  }

  std::string Nir() {
    std::string s = std::to_string(Uniform(1, 2)) + Pad(Uniform(0, 99), 2) + Pad(Uniform(1, 12), 2);
    const int kind = Uniform(0, 9);
    std::uint64_t corsica_adjust = 0;
    if (kind == 0) {
      s += Uniform(0, 1) ? "2A" : "2B";
      corsica_adjust = 0;
      s += Pad(Uniform(1, 990), 3);
    } else if (kind == 1) {
      s += "97" + std::to_string(Uniform(1, 6)) + Pad(Uniform(1, 99), 2);
    } else {
      int dept = Uniform(1, 95);
      if (dept == 20) dept = 21;
      s += Pad(dept, 2) + Pad(Uniform(1, 990), 3);
    }
    s += Pad(Uniform(1, 999), 3);
    std::string numeric = s;
    if (numeric.substr(5, 2) == "2A") numeric.replace(5, 2, "19");
    if (numeric.substr(5, 2) == "2B") numeric.replace(5, 2, "18");
    (void)corsica_adjust;
    const std::uint64_t n = std::stoull(numeric);
    return s + Pad(static_cast<int>(97 - n % 97), 2);
  }

  static std::string Mod97Check(const std::string& rearranged) {
    unsigned rem = 0;
    for (char c : rearranged) {
      if (c >= '0' && c <= '9') rem = (rem * 10 + static_cast<unsigned>(c - '0')) % 97;
      else rem = (rem * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    }
    return Pad(static_cast<int>(98 - rem), 2);
  }
  std::string IbanFr() {
    const std::string bban = Digits(21) + "0" + Digits(1);  // 23 chars
    return "FR" + Mod97Check(bban + "FR00") + bban;
  }
  static char LuhnDigit(const std::string& body) {
    int sum = 0;
    bool dbl = true;
    for (std::size_t k = body.size(); k > 0; --k) {
      int v = body[k - 1] - '0';
      if (dbl) { v *= 2; if (v > 9) v -= 9; }
      sum += v;
      dbl = !dbl;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
  }
  std::string Card() {
    std::string body = "49" + Digits(13);
    return body + LuhnDigit(body);
  }
  std::string FtId() { return Pad(Uniform(1000000, 9999999), 7) + static_cast<char>('A' + Uniform(0, 25)); }
  std::string Phone() {
    std::string d = "0" + std::to_string(Uniform(6, 7)) + Digits(8);
    return d.substr(0, 2) + " " + d.substr(2, 2) + " " + d.substr(4, 2) + " " + d.substr(6, 2) + " " + d.substr(8, 2);
  }
  std::string Birth() { return std::to_string(Uniform(1940, 2005)) + "-" + Pad(Uniform(1, 12), 2) + "-" + Pad(Uniform(1, 28), 2); }

  Person NextPerson(int i) {
    Person p;
    p.nir = Nir();
    p.nir_spaced = p.nir.substr(0, 1) + " " + p.nir.substr(1, 2) + " " + p.nir.substr(3, 2) + " " + p.nir.substr(5, 2) + " " +
                   p.nir.substr(7, 3) + " " + p.nir.substr(10, 3) + " " + p.nir.substr(13, 2);
    p.iban = IbanFr();
    p.card = Card();
    p.ft_id = FtId();
    p.email = "prenom" + std::to_string(i) + ".nom@example.org";
    p.phone = Phone();
    p.birth = Birth();
    p.street = std::to_string(Uniform(1, 200)) + " rue des Lilas";
    return p;
  }

 private:
  std::mt19937 rng_;
};

// n generated people (PiiGenerator(seed)).
inline std::vector<Person> People(int n, std::uint32_t seed) {
  PiiGenerator g(seed);
  std::vector<Person> v;
  for (int i = 0; i < n; ++i) v.push_back(g.NextPerson(i));
  return v;
}

// A CSV export of people: a header naming each column, one row per person.
inline std::string CsvPeople(const std::vector<Person>& people) {
  std::string s = "nom;prenom;identifiant_ft;nir;date_naissance;email;telephone;adresse;iban\n";
  for (const Person& p : people)
    s += "Martin;Claire;" + p.ft_id + ";" + p.nir + ";" + p.birth + ";" + p.email + ";" + p.phone + ";" + p.street +
         ";" + p.iban + "\n";
  return s;
}


}  // namespace vigie::match::testing
