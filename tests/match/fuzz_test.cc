// Randomised scans: texts built from personal data in every written form, look-alikes, the
// patterns' alphabet, field names, JSON/CSV punctuation, random bytes and byte mutations. Each
// text is scanned
//   - as the sensor does (anchor gate, native matchers, staging) in random chunks, some of one
//     byte, with a random staging size, and
//   - by the reference (every byte through Hyperscan: no gate, no native matcher) in one piece;
// the summaries (matches, rejected, records, excerpts) must be the same, and no excerpt may hold
// a generated value in full.
//
// Half the texts start with a CSV header line (csv_columns.h: typed fields validated whole in
// both scans). The default test run does a few texts (VIGIE_FUZZ_ITERATIONS, default 4). The long run
// (cmake -DVIGIE_LONG_TESTS=ON: ctest -L long) does thousands, each with its own seed; a failure
// names the seed, and VIGIE_FUZZ_FIRST=<seed> VIGIE_FUZZ_ITERATIONS=1 replays it.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace vigie::match::testing {
namespace {

struct FuzzText {
  std::string text;
  std::vector<std::string> values;  // generated personal values (never to appear whole in an excerpt)
};

// One text of about `size` bytes from seed.
FuzzText MakeText(std::uint32_t seed, std::size_t size) {
  std::mt19937 rng(seed);
  PiiGenerator g(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> alphabet = {
      "FR", "DE", "76", "3000", " ", "  ", "@", ".", "-", "/", "+33", "0033", "rue", "bis", "ter", ",", "avenue",
      "Lilas", "75011", "Paris", "1985", "05", "12", "\n", ";", "\"", "example", "org", "x", "A", "\xc3\xa9", "_",
      "%", "{", "}", "[", "]", ":", "2A", "2B", "97", "06", "07", "\r\n", "\t", "0", "1", "9", "(0)", "(", ")",
      "T00:00:00", "T00:", "Z", "T"};
  const std::vector<std::string> keys = {"nir", "identifiant", "id_france_travail", "date_naissance", "iban",
                                         "telephone", "email", "adresse", "numero de securite sociale", "insee",
                                         "commentaire", "montant", "id", "created_at"};
  FuzzText f;
  if (pick(2) == 0) {  // half the texts start with a CSV header: the column shortcut engages
    if (pick(4) == 0) f.text += pick(2) ? "sep=;\r\n" : "Export du 12/03/2024 : 06 12 34 56 78\n";  // a preamble line
    const char delim = pick(2) ? ';' : ',';
    const std::size_t cols = 3 + pick(7);
    for (std::size_t c = 0; c < cols; ++c) f.text += (c ? std::string(1, delim) : "") + keys[pick(keys.size())];
    f.text += pick(3) ? "\n" : "\r\n";
  } else if (pick(2) == 0) {  // a quarter start as an HTML page whose table's header row types columns
    f.text += "<html><body><table><tr><th>Identifiant FT</th><th>NIR</th><th>Date de naissance</th>"
              "<th>Courriel</th></tr>\n";
  }
  while (f.text.size() < size) {
    const Person p = g.NextPerson(static_cast<int>(pick(100000)));
    switch (pick(10)) {
      case 0: {  // a JSON object, compact or pretty, forms chosen at random
        const bool pretty = pick(2) == 0;
        const std::string sep = pretty ? ",\n  " : ",";
        f.text += std::string("{") + (pretty ? "\n  " : "") + "\"identifiant\":\"" + p.ft_id + "\"" + sep +
                  "\"nir\":\"" + (pick(2) ? p.nir : p.nir_spaced) + "\"" + sep + "\"date_naissance\":\"" + p.birth +
                  (pick(3) == 0 ? "T00:00:00" : "") + "\"" + sep + "\"email\":\"" + p.email + "\"" + sep + "\"telephone\":\"" + p.phone + "\"" + sep +
                  "\"adresse\":\"" + p.street + (pick(2) ? ", 75011 Paris" : "") + "\"" + sep + "\"iban\":\"" +
                  p.iban + "\"}" + (pick(2) ? ",\n" : "\n");
        f.values.insert(f.values.end(), {p.nir, p.iban, p.email, p.ft_id});
        break;
      }
      case 1:  // a CSV row (a header now and then)
        if (pick(4) == 0) f.text += "identifiant;nir;date_naissance;email;telephone;adresse;iban;carte\n";
        f.text += p.ft_id + ";" + (pick(2) ? p.nir : p.nir_spaced) + ";" + p.birth + ";" + p.email + ";" + p.phone + ";" +
                  p.street + ";" + p.iban + ";" + p.card + "\n";
        f.values.insert(f.values.end(), {p.nir, p.iban, p.email, p.card});
        break;
      case 2:  // prose with values and keywords
        f.text += "Le " + keys[pick(keys.size())] + " de M. Martin est " + (pick(2) ? p.nir_spaced : p.nir) +
                  ", joignable au +33 " + (pick(2) ? "(0)6 " : "6 ") + g.Digits(2) + " " + g.Digits(2) + " " + g.Digits(2) + " " + g.Digits(2) +
                  " ou " + p.email + ". ";
        f.values.insert(f.values.end(), {p.nir, p.email});
        break;
      case 3: {  // look-alikes: long numbers, EAN-like, timestamps, ids in URLs
        f.text += "{\"id\":" + g.Digits(15) + ",\"ean\":\"" + g.Digits(13) + "\",\"ts\":\"2024-0" + g.Digits(1) +
                  "-1" + g.Digits(1) + "T12:00:00Z\",\"url\":\"/items/06" + g.Digits(8) + "\",\"uuid\":\"" +
                  g.Digits(8) + "-ab" + g.Digits(2) + "-4cde\"}\n";
        break;
      }
      case 4:  // the patterns' alphabet
        for (int k = 0; k < 40; ++k) f.text += alphabet[pick(alphabet.size())];
        break;
      case 5:  // random bytes
        for (int k = 0; k < 64; ++k) f.text.push_back(static_cast<char>(rng()));
        break;
      case 6:  // a field name, then a value of another kind
        f.text += "\"" + keys[pick(keys.size())] + "\": \"" + (pick(2) ? p.ft_id : p.birth) + "\", ";
        break;
      case 7:  // a grouped IBAN, a card grouped by 4, a 0033 phone
        f.text += "iban FR" + p.iban.substr(2, 2) + " " + p.iban.substr(4, 4) + " " + p.iban.substr(8, 4) + " " +
                  p.iban.substr(12, 4) + " " + p.iban.substr(16, 4) + " " + p.iban.substr(20, 4) + " " +
                  p.iban.substr(24) + " carte " + p.card.substr(0, 4) + " " + p.card.substr(4, 4) + " " +
                  p.card.substr(8, 4) + " " + p.card.substr(12) + " tel 0033 1 " + g.Digits(2) + " " + g.Digits(2) +
                  " " + g.Digits(2) + " " + g.Digits(2) + "\n";
        f.values.insert(f.values.end(), {p.iban, p.card});
        break;
      case 8:  // an HTML table row (typed by the page's header row, if it has one)
        if (pick(3) == 0) {  // or a key/value row (one person's file), or a title row
          if (pick(2) == 0) {
            f.text += "<tr><td colspan=4>Dossier</td></tr>";
            break;
          }
          f.text += "<tr><th>N&deg; de s&eacute;curit&eacute; sociale</th><td>" + p.nir + "</td></tr>";
          f.values.push_back(p.nir);
          break;
        }
        f.text += "<tr><td>" + (pick(2) ? p.ft_id : "<a href=\"/d\">" + p.ft_id + "</a>") + "</td><td>" +
                  (pick(2) ? p.nir : p.nir_spaced) + "</td><td>" + p.birth.substr(8, 2) + "/" + p.birth.substr(5, 2) +
                  "/" + p.birth.substr(0, 4) + "</td><td>" + p.email + "</td></tr>" + (pick(2) ? "\n" : "");
        f.values.insert(f.values.end(), {p.nir, p.ft_id, p.email});
        break;
      default:  // mutate the last bytes: flips, a deleted byte, a doubled one
        if (f.text.size() > 8) {
          for (int k = 0; k < 3; ++k) {
            const std::size_t at = f.text.size() - 1 - pick(std::min<std::size_t>(f.text.size(), 200));
            switch (pick(3)) {
              case 0: f.text[at] = static_cast<char>(rng()); break;
              case 1: f.text.erase(at, 1); break;
              default: f.text.insert(at, 1, f.text[at]); break;
            }
          }
        }
        break;
    }
  }
  return f;
}

std::shared_ptr<const PiiEngine> Engine(bool reference, std::uint32_t coalesce) {
  PiiEngineOptions o;
  o.max_excerpts = 1000;  // every value's excerpt is compared (and checked for privacy)
  o.coalesce_bytes = coalesce;
  o.gate_patterns = !reference;
  o.native_patterns = !reference;
  o.gate_without_vector_finder = !reference;  // the gate on every CPU (scalar finder elsewhere)
  return DefaultEngine(o);
}

TEST(ScannerFuzz, SameFindingsAnyChunkingAsTheReference) {
  const std::uint64_t first = EnvOr("VIGIE_FUZZ_FIRST", 1);
  const std::uint64_t iterations = EnvOr("VIGIE_FUZZ_ITERATIONS", 4);
  constexpr std::uint32_t kCoalesce[] = {0, 64, 16384};
  metrics::CounterSet metrics;
  Scanner reference(Engine(true, 0), metrics);
  std::vector<std::unique_ptr<Scanner>> sensors;
  for (std::uint32_t c : kCoalesce) sensors.push_back(std::make_unique<Scanner>(Engine(false, c), metrics));
  for (std::uint64_t seed = first; seed < first + iterations; ++seed) {
    const FuzzText f = MakeText(static_cast<std::uint32_t>(seed), 16384 + seed % 7 * 4096);
    ScanStream r(reference);
    r.Feed(AsBytes(f.text));
    const ScanSummary want = r.Finish();
    std::mt19937 rng(static_cast<std::uint32_t>(seed * 7919));
    const std::size_t which = rng() % sensors.size();
    ScanStream s(*sensors[which]);
    for (std::size_t off = 0; off < f.text.size();) {
      const std::size_t kind = rng() % 4;
      const std::size_t n = kind == 0 ? 1 : kind == 1 ? 1 + rng() % 16 : kind == 2 ? 1 + rng() % 1500 : 1 + rng() % 20000;
      s.Feed(AsBytes(std::string_view(f.text).substr(off, n)));
      off += n;
    }
    const ScanSummary got = s.Finish();
    const std::string where = "seed " + std::to_string(seed) + " (coalesce " + std::to_string(kCoalesce[which]) +
                              "; replay: VIGIE_FUZZ_FIRST=" + std::to_string(seed) + " VIGIE_FUZZ_ITERATIONS=1)";
    ASSERT_EQ(got.matches, want.matches) << where;
    ASSERT_EQ(got.rejected, want.rejected) << where;
    ASSERT_EQ(got.records, want.records) << where;
    ASSERT_EQ(got.excerpts, want.excerpts) << where;
    EXPECT_GT(got.TotalMatches(), 0u) << where;  // the texts do hold personal data
    for (const std::string& e : got.excerpts)
      for (const std::string& v : f.values) ASSERT_EQ(e.find(v), std::string::npos) << where << ": " << e;
  }
}

}  // namespace
}  // namespace vigie::match::testing
