// CSV columns (csv_columns.h): header typing, the field splitter against a reference split for
// any chunking, and whole scans with the shortcut on and off.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include "match/cpu.h"
#include "match/csv_columns.h"
#include "match/engine.h"
#include "match/validators_util.h"
#include "scan_helpers.h"

namespace vigie::match::testing {
namespace {

std::int32_t DetectorOf(const PiiEngine& e, std::string_view id) {
  for (std::size_t d = 0; d < e.detectors.size(); ++d)
    if (e.detectors[d].id == id) return static_cast<std::int32_t>(d);
  return -2;
}

TEST(CsvHeader, TypesTheColumnsTheSignaturesName) {
  const auto e = DefaultEngine();
  const auto h = ParseCsvHeader("nom;Prenom;\"NIR\"; email ;telephone_portable;adresse;code_postal;iban;date_naissance\r",
                                e->column_names);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->delimiter, ';');
  const std::vector<std::int32_t> want = {-1, -1, DetectorOf(*e, "nir"), DetectorOf(*e, "email"),
                                          DetectorOf(*e, "phone_fr"), DetectorOf(*e, "address_fr"), -1,
                                          DetectorOf(*e, "iban"), DetectorOf(*e, "birth_date")};
  EXPECT_EQ(h->column_detector, want);
  // Words only: `nirvana` does not name the NIR; the first detector of the file wins.
  const auto w = ParseCsvHeader("nirvana,adresse_email,x", e->column_names);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->delimiter, ',');
  EXPECT_EQ(w->column_detector, (std::vector<std::int32_t>{-1, DetectorOf(*e, "email"), -1}));
  EXPECT_EQ(ParseCsvHeader("id\tnir\tiban", e->column_names)->delimiter, '\t');
  // A spreadsheet's UTF-8 byte-order mark before the first name does not hide it.
  const auto bom = ParseCsvHeader("\xef\xbb\xbfnir;nom;email", e->column_names);
  ASSERT_TRUE(bom.has_value());
  EXPECT_EQ(bom->column_detector.at(0), DetectorOf(*e, "nir"));
  // A French export's header as a spreadsheet writes it: accented capitals, spaces, "N°".
  const auto fr = ParseCsvHeader(
      "Identifiant;Civilité;NOM;Prénom;Date de naissance;N° de SÉCURITÉ SOCIALE;Adresse;Code postal;Commune;"
      "Téléphone;Courriel;IBAN;Hôtel",
      e->column_names);
  ASSERT_TRUE(fr.has_value());
  const std::vector<std::int32_t> fr_want = {-1, -1, -1, -1, DetectorOf(*e, "birth_date"), DetectorOf(*e, "nir"),
                                             DetectorOf(*e, "address_fr"), -1, -1, DetectorOf(*e, "phone_fr"),
                                             DetectorOf(*e, "email"), DetectorOf(*e, "iban"), -1};
  EXPECT_EQ(fr->column_detector, fr_want);
  EXPECT_EQ(LowerColumnName("N° SÉCURITÉ ÀÇÈ×Þ"), "n° sécurité àçè×þ");
  // A name's blanks also read as '_': "Identifiant France Travail" holds `identifiant_france_travail`,
  // "Id FT" `id_ft` (the bare "Identifiant" above names no column: any French API's ids).
  const auto ft = ParseCsvHeader("Nom;Identifiant France Travail;Id FT;Identifiant", e->column_names);
  ASSERT_TRUE(ft.has_value());
  EXPECT_EQ(ft->column_detector, (std::vector<std::int32_t>{-1, DetectorOf(*e, "france_travail_id"),
                                                            DetectorOf(*e, "france_travail_id"), -1}));
  // Not headers: fewer than 3 columns, no column typed.
  EXPECT_FALSE(ParseCsvHeader("nir;iban", e->column_names).has_value());
  EXPECT_FALSE(ParseCsvHeader("a;b;c;d", e->column_names).has_value());
  EXPECT_FALSE(ParseCsvHeader("Bonjour, voici le fichier, merci", e->column_names).has_value());
  EXPECT_TRUE(CsvHeaderByte('a') && CsvHeaderByte(';') && CsvHeaderByte(0xc3) && CsvHeaderByte('"'));
  EXPECT_FALSE(CsvHeaderByte('{') || CsvHeaderByte(':') || CsvHeaderByte('<') || CsvHeaderByte('=') ||
               CsvHeaderByte(0) || CsvHeaderByte('\n'));
}

// ---------------------------------------------------------------- splitter vs a reference

constexpr std::int32_t kRowEnd = -1;  // a Reported row end (the newline's offset)

struct Reported {
  std::int32_t detector;  // kRowEnd: a row end
  std::size_t begin, end, after;  // absolute offsets
  CsvSplitter::Kind kind = CsvSplitter::Kind::kWhole;
  bool operator==(const Reported&) const = default;
};

// The reference: the whole text split at once, field by field, the way csv_columns.h describes
// it (RFC 4180 quotes; a field longer than kCsvMaxDeferred bytes, quotes and CR included, is
// reported kLong at its start; a quoted field is reported whole only when its closing quote is
// right before its terminator and it holds no `""`, else kUnread with its bytes), each newline
// ending a row after the row's last field.
std::vector<Reported> ReferenceSplit(const std::string& t, std::size_t from, const std::vector<std::int32_t>& types,
                                     char delim) {
  std::vector<Reported> out;
  std::size_t col = 0, i = from;
  while (i <= t.size()) {
    const std::size_t fs = i;
    bool quoted = false, escaped = false;
    std::size_t close = std::string::npos;  // no closing quote: the field runs to the end of the data
    if (i < t.size() && t[i] == '"') {
      quoted = true;
      ++i;
      while (i < t.size()) {
        if (t[i] == '"') {
          if (i + 1 < t.size() && t[i + 1] == '"') {
            escaped = true;
            i += 2;
            continue;
          }
          close = i++;
          break;
        }
        ++i;
      }
    }
    while (i < t.size() && t[i] != delim && t[i] != '\n') ++i;
    const std::size_t term = i;
    const bool row_end = term == t.size() || t[term] == '\n';
    const std::int32_t d = col < types.size() ? types[col] : -1;
    if (d >= 0 && term > fs) {
      std::size_t b = fs, e = term, after = term;
      bool ok = true;
      if (quoted) {
        ok = close != std::string::npos && close + 1 == term && !escaped;
        b = fs + 1;
        e = after = close;
      } else if (row_end && e > b && t[e - 1] == '\r') {
        after = --e;
      }
      if (term - fs > kCsvMaxDeferred) {
        out.push_back(Reported{d, fs, fs, fs, CsvSplitter::Kind::kLong});
      } else if (!ok) {
        out.push_back(Reported{d, fs, term, term, CsvSplitter::Kind::kUnread});
      } else if (e > b) {
        out.push_back(Reported{d, b, e, after});
      }
    }
    if (term == t.size()) break;
    if (t[term] == '\n') out.push_back(Reported{kRowEnd, term, term, term});
    col = t[term] == '\n' ? 0 : col + 1;
    i = term + 1;
  }
  return out;
}

// The scanner's protocol: each call walks the bytes held back by the previous one plus the new
// piece; the last call has eod.
std::vector<Reported> ChunkedSplit(const std::string& t, std::size_t from, const CsvHeader& h,
                                   const std::vector<std::size_t>& cuts) {
  CsvSplitter sp;
  sp.Start(h);
  std::vector<Reported> out;
  std::string held;
  std::size_t base = 0;  // absolute offset of held[0]
  std::size_t pos = from;
  bool first = true;
  auto walk = [&](std::string buf, bool eod) {
    const std::size_t start = first ? from - base : 0;
    first = false;
    const std::size_t cut = sp.Walk(
        reinterpret_cast<const std::uint8_t*>(buf.data()), start, buf.size(), eod,
        [&](const CsvSplitter::Field& f) {
          out.push_back(Reported{f.detector, base + f.begin, base + f.end, base + f.after, f.kind});
        },
        [&](std::size_t i) { out.push_back(Reported{kRowEnd, base + i, base + i, base + i}); });
    held = buf.substr(cut);
    base += cut;
  };
  base = 0;
  held = t.substr(0, from);
  for (std::size_t c : cuts) {
    if (c <= pos) continue;
    walk(held + t.substr(pos, c - pos), false);
    pos = c;
  }
  walk(held + t.substr(pos), true);
  return out;
}

std::string RandomCsvText(std::mt19937& rng, char delim, std::size_t rows, std::size_t cols, bool quotes) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const std::string plain = "0123456789abcdefXYZ @.-/";
  std::string s;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t n = cols + (pick(8) == 0 ? 1 : 0) - (pick(8) == 0 ? 1 : 0);
    for (std::size_t c = 0; c < n; ++c) {
      if (c) s += delim;
      std::string v;
      const int len = pick(10) == 0 ? 240 + pick(40) : pick(20);
      for (int k = 0; k < len; ++k) v += plain[static_cast<std::size_t>(pick(static_cast<int>(plain.size())))];
      switch (quotes ? pick(10) : 9) {
        case 0: s += "\"" + v + "\""; break;
        case 1: s += "\"" + v + std::string(1, delim) + "\n\"\"" + v + "\""; break;  // delimiter, newline, ""
        case 2: s += "\"" + v + "\"x"; break;                                          // junk after the quote
        case 3: s += v + "\"" + v; break;                                              // a quote inside
        case 4: s += "\"" + v; break;                                                  // never closed (row eaten)
        default: s += v;
      }
    }
    s += pick(4) == 0 ? "\r\n" : "\n";
  }
  return s;
}

// The walk's block masks: the AVX-512 implementation (used where the CPU has it, so the
// splitter tests above exercise only it there) equals the SSE2 one on random blocks of the
// special bytes and others, of every length 0..64, with each delimiter.
// ColumnNames::Find (the index by first byte) against the rule as written: the first detector one
// of whose `columns:` names the name holds as a word, a blank and '_' alike, on generated names
// (signature names, other words, separators, accents, names cut short or run together).
TEST(ColumnNames, FirstDetectorWhoseNameIsAWordOfIt) {
  const auto e = DefaultEngine();
  const auto word_char = [](char c) { return detail::IsAlnum(c) || static_cast<unsigned char>(c) >= 0x80; };
  const auto blank_as_underscore = [](std::string s) {
    std::replace(s.begin(), s.end(), ' ', '_');
    return s;
  };
  const auto holds = [&](const std::string& name, const std::string& word) {
    for (std::size_t at = name.find(word); at != std::string::npos; at = name.find(word, at + 1)) {
      const std::size_t end = at + word.size();
      if ((at == 0 || !word_char(name[at - 1])) && (end == name.size() || !word_char(name[end]))) return true;
    }
    return false;
  };
  const auto reference = [&](const std::string& name) {
    for (std::size_t d = 0; d < e->detectors.size(); ++d)
      for (const std::string& c : e->detectors[d].columns)
        if (holds(blank_as_underscore(name), blank_as_underscore(c))) return static_cast<std::int32_t>(d);
    return std::int32_t{-1};
  };
  std::vector<std::string> words = {"nom", "statut", "date", "de", "numéro", "n°", "x1", "pe", "ft", "id", "tel",
                                    "télé", "hôtel", "mail", "naissance2", "securite", "sociale", "sécurité"};
  for (const Detector& d : e->detectors)
    for (const std::string& c : d.columns) words.push_back(c);
  const std::vector<std::string> seps = {" ", "_", "-", ".", "", "é", "  ", "/", "'"};
  std::mt19937 rng(18);
  auto pick = [&](const std::vector<std::string>& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; };
  int typed = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string name;
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int k = 0; k < n; ++k) name += (k ? pick(seps) : "") + pick(words);
    if (trial % 7 == 0 && name.size() > 2) name.erase(std::uniform_int_distribution<std::size_t>(0, name.size() - 1)(rng), 1);
    name = LowerColumnName(name);
    const std::int32_t want = reference(name);
    typed += want >= 0;
    ASSERT_EQ(e->column_names.Find(name), want) << name;
  }
  // A blank and '_' alike, both ways; words only; the first detector of the file wins.
  const auto id = [&](std::string_view n) { return e->column_names.Find(LowerColumnName(n)); };
  EXPECT_EQ(id("Identifiant France Travail"), DetectorOf(*e, "france_travail_id"));
  EXPECT_EQ(id("numero pe"), DetectorOf(*e, "france_travail_id"));
  EXPECT_EQ(id("securite_sociale"), DetectorOf(*e, "nir"));
  EXPECT_EQ(id("Sécurité_Sociale du bénéficiaire"), DetectorOf(*e, "nir"));
  EXPECT_EQ(id("date de naissance"), DetectorOf(*e, "birth_date"));
  EXPECT_EQ(id("identifiant"), -1);
  EXPECT_EQ(id("nirvana"), -1);
  EXPECT_EQ(id("e-mail / téléphone"), DetectorOf(*e, "email"));
  EXPECT_GT(typed, 5000);
  EXPECT_LT(typed, 19000);
  EXPECT_EQ(ColumnNames().Find("nir"), -1);  // no signatures: no column typed
}

TEST(CsvSplitter, BlockMasksSameOnEveryPath) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "no AVX2: the SSE2 path alone runs";
  std::mt19937_64 rng(11);
  static const std::string kBytes = ";,\t|\n\r\"a0 \x80\xff";
  std::size_t specials = 0;
  for (int round = 0; round < 4000; ++round) {
    std::array<std::uint8_t, 64> block{};
    for (auto& c : block) c = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : kBytes[rng() % kBytes.size()]);
    const std::size_t len = rng() % 65;
    const char delimiter = ";,\t|"[rng() % 4];
    const CsvSplitter::Masks sse = CsvSplitter::Specials(block.data(), len, delimiter);
    std::vector<CsvSplitter::Masks> others = {CsvSplitter::SpecialsAvx2(block.data(), len, delimiter)};
    if (CpuHasAvx512Bw()) others.push_back(CsvSplitter::SpecialsAvx512(block.data(), len, delimiter));
    for (const CsvSplitter::Masks& avx : others) {
      ASSERT_EQ(avx.ends, sse.ends) << "len " << len << " round " << round;
      ASSERT_EQ(avx.newlines, sse.newlines) << "len " << len << " round " << round;
      ASSERT_EQ(avx.quotes, sse.quotes) << "len " << len << " round " << round;
    }
    specials += static_cast<std::size_t>(__builtin_popcountll(sse.ends | sse.quotes));
  }
  EXPECT_GT(specials, 4000u * 4);
}

TEST(CsvSplitter, SameFieldsAsTheReferenceForAnyChunking) {
  std::mt19937 rng(7);
  std::array<std::size_t, 3> kinds{};  // reports (and row ends) by Kind: each is exercised
  for (int round = 0; round < 60; ++round) {
    // Quote-free rounds take the splitter's block path; > 64 columns (a typed one past the 64th)
    // turn it off; short fields put many rows in one 64-byte block.
    const char delim = ";,\t|"[round % 4];
    const std::size_t cols = round % 10 == 9 ? 70 : 2 + static_cast<std::size_t>(round % 7);
    const bool quotes = round % 3 != 0;
    CsvHeader h;
    h.delimiter = delim;
    for (std::size_t c = 0; c < cols; ++c)
      h.column_detector.push_back((c + static_cast<std::size_t>(round)) % 3 != 0 ? static_cast<std::int32_t>(c) : -1);
    const std::string head = "h" + std::string(cols - 1, delim) + "\n";
    const std::string text = head + RandomCsvText(rng, delim, 40, cols, quotes);
    const auto want = ReferenceSplit(text, head.size(), h.column_detector, delim);
    ASSERT_FALSE(want.empty());
    for (const Reported& r : want) ++kinds[static_cast<std::size_t>(r.kind)];
    EXPECT_EQ(ChunkedSplit(text, head.size(), h, {}), want) << "round " << round << " whole";
    for (int k = 0; k < 6; ++k) {
      std::vector<std::size_t> cuts;
      const std::size_t step = k < 2 ? 1 + static_cast<std::size_t>(k) : 3 + rng() % 300;
      for (std::size_t c = head.size() + rng() % step; c < text.size(); c += 1 + rng() % step) cuts.push_back(c);
      EXPECT_EQ(ChunkedSplit(text, head.size(), h, cuts), want) << "round " << round << " chunking " << k;
    }
  }
  EXPECT_GT(kinds[static_cast<std::size_t>(CsvSplitter::Kind::kUnread)], 50u);
  EXPECT_GT(kinds[static_cast<std::size_t>(CsvSplitter::Kind::kLong)], 50u);
}

std::int64_t CsvUnits(Harness& h) {
  for (const auto& m : h.metrics.Read())
    if (m.name == "vigie_pii_csv_units_total") return m.value;
  return -1;
}

std::shared_ptr<const PiiEngine> Engine(bool csv_columns, std::uint32_t coalesce = 16384) {
  PiiEngineOptions o;
  o.csv_columns = csv_columns;
  o.coalesce_bytes = coalesce;
  return DefaultEngine(o);
}

// A provisional NIR (sex 3): 15 digits starting with 3, the shape of an Amex card number too.
std::string ProvisionalNir(const Person& p) {
  std::string s = "3" + p.nir.substr(1, 12);
  for (char& c : s)
    if (c == 'A' || c == 'B') c = '1';
  const std::uint64_t v = std::stoull(s);
  const std::uint64_t key = 97 - v % 97;
  return s + (key < 10 ? "0" : "") + std::to_string(key);
}

// The plain scan also tries a typed field's bytes as other detectors' candidates (a provisional
// NIR is a 15-digit card candidate, rejected by Luhn or the issuer table); with the column
// typed, the field is the NIR and nothing else.
TEST(CsvScan, ATypedFieldIsThatValueOnly) {
  const auto people = People(60, 5);
  std::string csv = "nir;email;telephone\n";
  for (const Person& p : people) csv += ProvisionalNir(p) + ";" + p.email + ";" + p.phone + "\n";
  Harness on(Engine(true)), off(Engine(false));
  const ScanSummary a = on.Scan(csv), b = off.Scan(csv);
  EXPECT_EQ(a.matches[Idx(PiiType::kNir)], people.size());
  EXPECT_EQ(a.matches, b.matches);
  EXPECT_EQ(a.records, b.records);
  EXPECT_EQ(a.records.size(), people.size());
  EXPECT_GT(b.rejected[Idx(PiiType::kCard)], 0u);
  EXPECT_EQ(a.rejected[Idx(PiiType::kCard)], 0u);
  EXPECT_EQ(CsvUnits(on), 1);
  EXPECT_EQ(CsvUnits(off), 0);
}

// A job-seeker export with the quirks real files have: quoted values (some holding the
// delimiter), CRLF rows, a typed field holding something else (two phones, "n/a", a value with
// a blank around it), a field longer than kCsvMaxDeferred, a row with a column too many, spaced
// NIRs, extra date columns.
std::string QuirkyCsv(const std::vector<Person>& people) {
  std::string s = "id_france_travail;nom;date_naissance;nir;email;telephone;adresse;date_inscription;iban;commentaire\r\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string phone = i % 7 == 3 ? p.phone + " / 06 11 22 33 44" : i % 7 == 5 ? "n/a" : p.phone;
    const std::string nir = i % 3 == 1 ? p.nir_spaced : p.nir;
    const std::string email = i % 5 == 2 ? "\"" + p.email + "\"" : i % 5 == 4 ? " " + p.email : p.email;
    const std::string addr = i % 4 == 1 ? "\"" + p.street + ", 75011 Paris\"" : "\"" + p.street + "\"";
    std::string note = i % 6 == 0 ? "\"rappel; tel " + people[(i + 1) % people.size()].phone + "\"" : "RAS";
    if (i % 11 == 4) note = std::string(300, 'x') + " " + p.email;
    s += p.ft_id + ";\"MARTIN; Claire\";" + p.birth + ";" + nir + ";" + email + ";" + phone + ";" + addr +
         ";2023-05-12;" + p.iban + ";" + note + (i % 9 == 8 ? ";extra" : "") + (i % 2 ? "\r\n" : "\n");
  }
  return s;
}

// On a plain export the shortcut changes no count but the candidates it spares (rejected): same
// matches, same records as the text scan.
TEST(CsvScan, SameFindingsAsTheTextScan) {
  const auto people = People(200, 9);
  Harness on(Engine(true)), off(Engine(false));
  const std::string text = CsvPeople(people);
  const ScanSummary a = on.Scan(text), b = off.Scan(text);
  EXPECT_EQ(a.matches, b.matches);
  EXPECT_EQ(a.records, b.records);
  for (std::size_t t = 0; t < kPiiTypeCount; ++t) EXPECT_LE(a.rejected[t], b.rejected[t]) << kPiiTypeNames[t];
  EXPECT_EQ(a.records.size(), people.size());
}

// A CSV row is one person, whatever else it holds: each row of the quirky export (two phones in
// one field, the next person's phone in a note, an e-mail after 300 bytes of note, a
// registration date after the birth date) is one record keyed by its NIR, each of its values
// counted once. The text scan, which starts a person where a type repeats, cuts some in two
// (and takes their registration date for the second half's birth date).
TEST(CsvScan, EachRowIsOnePerson) {
  const auto people = People(200, 9);
  const auto engine = Engine(true);
  Harness on(engine), off(Engine(false));
  const std::string text = QuirkyCsv(people);
  const ScanSummary a = on.Scan(text), b = off.Scan(text);
  std::vector<std::uint64_t> keys;
  for (const Person& p : people) keys.push_back(engine->hasher(p.nir));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(a.records, keys);
  EXPECT_GT(b.records.size(), people.size());
  std::uint64_t phones = 0, emails = 0;
  for (std::size_t i = 0; i < people.size(); ++i) {  // QuirkyCsv's rows
    phones += (i % 7 != 5 ? 1 : 0) + (i % 7 == 3 ? 1 : 0) + (i % 6 == 0 && i % 11 != 4 ? 1 : 0);
    emails += i % 11 == 4 ? 2 : 1;
  }
  EXPECT_EQ(a.matches[Idx(PiiType::kPhone)], phones);
  EXPECT_EQ(a.matches[Idx(PiiType::kEmail)], emails);
  for (PiiType t : {PiiType::kNir, PiiType::kFranceTravailId, PiiType::kIban, PiiType::kBirthDate, PiiType::kAddress})
    EXPECT_EQ(a.matches[Idx(t)], people.size()) << kPiiTypeNames[Idx(t)];
  EXPECT_GT(b.matches[Idx(PiiType::kBirthDate)], people.size());
}

// The same export under the header a spreadsheet gives it (accented capitals, spaces): read
// as a CSV, with the text scan's findings.
TEST(CsvScan, FrenchHeaderSameFindingsAsTheTextScan) {
  const auto people = People(150, 21);
  std::string csv = "Identifiant;NOM;Date de naissance;N° de SÉCURITÉ SOCIALE;Courriel;Téléphone;Adresse;IBAN\r\n";
  for (const Person& p : people)
    csv += p.ft_id + ";MARTIN;" + p.birth + ";" + p.nir_spaced + ";" + p.email + ";" + p.phone + ";" + p.street + ";" +
           p.iban + "\r\n";
  Harness on(Engine(true)), off(Engine(false));
  const ScanSummary a = on.Scan(csv), b = off.Scan(csv);
  EXPECT_EQ(a.matches, b.matches);
  EXPECT_EQ(a.records, b.records);
  EXPECT_EQ(a.records.size(), people.size());
  EXPECT_EQ(a.matches[Idx(PiiType::kNir)], people.size());
  EXPECT_EQ(CsvUnits(on), 1);
}

// The last row without its newline is a row too: a phone at the very end of the data (found
// when the data ends) joins the row's e-mail across a 600-byte comment, as on every other row.
TEST(CsvScan, LastRowWithoutNewlineIsARow) {
  const auto people = People(20, 43);
  std::string csv = "nom;email;commentaire\n";
  for (std::size_t i = 0; i < people.size(); ++i)
    csv += "MARTIN;" + people[i].email + ";" + std::string(600, 'x') + " rappel " + people[i].phone +
           (i + 1 < people.size() ? "\n" : "");
  Harness h;
  const ScanSummary s = h.Scan(csv);
  EXPECT_EQ(s.records.size(), people.size());
  EXPECT_EQ(s.matches[Idx(PiiType::kPhone)], people.size());
}

// A legacy export whose birth dates have no separators (YYYYMMDD, some rows DDMMYYYY): each date
// is the birth date its column names, so each row with the NIR is a person. Before, such a row
// held the NIR alone (no record), or, under a header naming a France Travail id column, the
// 8 digits counted as a France Travail id. In text (no typed column) they are no date.
TEST(CsvScan, CompactBirthDatesOfATypedColumn) {
  const auto people = People(80, 41);
  PiiEngineOptions o;
  o.max_excerpts = 1000;
  Harness h(DefaultEngine(o));
  for (const std::string header : {"nir;date_naissance;statut", "id_france_travail;nir;date_naissance;statut"}) {
    std::string csv = header + "\n", text;
    for (std::size_t i = 0; i < people.size(); ++i) {
      const Person& p = people[i];
      const std::string y = p.birth.substr(0, 4), m = p.birth.substr(5, 2), d = p.birth.substr(8, 2);
      const std::string compact = i % 3 == 1 ? d + m + y : y + m + d;
      csv += (header[0] == 'i' ? "n/a;" : "") + p.nir + ";" + compact + ";inscrit\n";
      text += "nir " + p.nir + " ne le " + compact + "\n";
    }
    const ScanSummary s = h.Scan(csv);
    EXPECT_EQ(s.records.size(), people.size()) << header;
    EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], people.size()) << header;
    EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 0u) << header;
    for (const std::string& e : s.excerpts)  // masked: the decade at most
      for (const Person& p : people) ASSERT_EQ(e.find(p.birth.substr(0, 4)), std::string::npos) << e;
    const ScanSummary t = h.Scan(text);
    EXPECT_EQ(t.records.size(), 0u) << header;
    EXPECT_EQ(t.matches[Idx(PiiType::kBirthDate)], 0u) << header;
  }
}

// Whatever the chunking (the header and typed fields cut anywhere, staging on or off), and with
// a gap anywhere, the same findings as the text in one piece.
TEST(CsvScan, SameSummaryAnyChunking) {
  const auto people = People(40, 12);
  std::mt19937 rng(3);
  for (const std::string& text : {QuirkyCsv(people), "sep=;\r\nExport du 12/03/2024 : 06 12 34 56 78\r\n" + QuirkyCsv(people)})
  for (std::uint32_t coalesce : {0u, 64u, 16384u}) {
    PiiEngineOptions o;
    o.coalesce_bytes = coalesce;
    o.max_excerpts = 1000;
    Harness h(DefaultEngine(o));
    const ScanSummary whole = ScanChunked(h.scanner, text, {});
    ASSERT_GE(whole.records.size(), 30u);
    const std::string with = " (coalesce " + std::to_string(coalesce) + ", " + text.substr(0, 5) + ")";
    for (int round = 0; round < 12; ++round) {
      std::vector<std::size_t> cuts;
      for (std::size_t c = 1 + rng() % 50; c < text.size(); c += 1 + rng() % (round < 6 ? 20 : 600)) cuts.push_back(c);
      ExpectSame(whole, ScanChunked(h.scanner, text, cuts), "round " + std::to_string(round) + with);
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < text.size(); ++i) every.push_back(i);
    ExpectSame(whole, ScanChunked(h.scanner, text, every), "1 byte at a time" + with);
    // A gap: the same findings whatever the chunking around it.
    for (std::size_t gap : {std::size_t{3}, std::size_t{40}, text.size() / 3, text.size() / 2 + 7}) {
      const ScanSummary g = ScanChunked(h.scanner, text, {}, gap);
      ExpectSame(g, ScanChunked(h.scanner, text, every, gap), "gap at " + std::to_string(gap) + with);
      EXPECT_GE(g.records.size(), whole.records.size() - 2) << gap;
    }
  }
}

// Not a CSV header: a JSON body, a long first line, text; the same as the text scan. Units
// after a CSV unit on the same stream start undecided again.
TEST(CsvScan, OtherUnitsAreText) {
  const auto people = People(30, 4);
  std::string json = "[";
  for (const Person& p : people) json += "{\"nir\":\"" + p.nir + "\",\"email\":\"" + p.email + "\"},";
  const std::string long_line = std::string(kCsvMaxHeader, 'a') + ";nir;email\n" + CsvPeople(people);
  // Prose: more lines before the header than a preamble has (kCsvMaxPreamble).
  const std::string prose = "Bonjour,\nvoici la liste;\nmerci de la traiter\n" + CsvPeople(people);
  Harness on(Engine(true)), off(Engine(false));
  ScanStream s(on.scanner);
  for (const std::string& text : {json, long_line, prose, CsvPeople(people), json}) {
    s.Feed(AsBytes(text));
    const ScanSummary a = s.Finish(), b = off.Scan(text);
    EXPECT_EQ(a.matches, b.matches) << text.substr(0, 20);
    EXPECT_EQ(a.rejected, b.rejected) << text.substr(0, 20);  // identical: no shortcut here...
    EXPECT_EQ(a.records, b.records) << text.substr(0, 20);
  }
  EXPECT_EQ(CsvUnits(on), 1);  // the plain export only
}

// Lines before the header, as exports write them: Excel's "sep=;", a title, an empty line (at
// most kCsvMaxPreamble of them, each at most kCsvMaxPreambleLine bytes). They are scanned as
// text (a phone in a title counts); the header after them types the columns.
TEST(CsvScan, PreambleLinesBeforeTheHeader) {
  const auto people = People(60, 31);
  const std::string csv = CsvPeople(people);
  for (const std::string& pre : {std::string("sep=;\r\n"), std::string("Export du 12/03/2024 : demandeurs d'emploi\n"),
                                 std::string("sep=;\nExport du 12/03/2024;;;;\n"), std::string("\r\n"),
                                 std::string("Export pour le 06 12 34 56 78\n")}) {
    Harness on(Engine(true)), off(Engine(false));
    const ScanSummary a = on.Scan(pre + csv), b = off.Scan(pre + csv);
    EXPECT_EQ(CsvUnits(on), 1) << pre;
    EXPECT_EQ(a.matches, b.matches) << pre;
    EXPECT_EQ(a.records, b.records) << pre;
    EXPECT_EQ(a.records.size(), people.size()) << pre;
  }
  EXPECT_EQ(Harness(Engine(true)).Scan("Export pour le 06 12 34 56 78\n" + csv).matches[Idx(PiiType::kPhone)],
            people.size() + 1);
  // Not a preamble: three lines, a line longer than kCsvMaxPreambleLine, a byte no title holds.
  for (const std::string& pre : {std::string("a\nb\nc\n"), std::string(kCsvMaxPreambleLine + 1, 'x') + "\n",
                                 std::string("Export {12/03}\n")}) {
    Harness on(Engine(true)), off(Engine(false));
    const ScanSummary a = on.Scan(pre + csv), b = off.Scan(pre + csv);
    EXPECT_EQ(CsvUnits(on), 0) << pre.substr(0, 20);
    EXPECT_EQ(a.matches, b.matches) << pre.substr(0, 20);
    EXPECT_EQ(a.rejected, b.rejected) << pre.substr(0, 20);
    EXPECT_EQ(a.records, b.records) << pre.substr(0, 20);
  }
}

// The clear values of the typed fields never leave the scanner: excerpts are masked.
// Rows are grouped at once (RowBatch) once no excerpt is left to take, one finding at a time
// before: both give the same findings, whatever a row holds besides its typed fields (dates
// before and after the birth date's column, not looked for; a second address column, dropped;
// a note with a phone or e-mail; a row of more than kMaxRowFindings typed fields)
// and whatever the chunking. max_excerpts 0: every row that can be is grouped at once; 1000:
// none is.
TEST(CsvScan, RowsGroupedAtOnceAsOneByOne) {
  const auto people = People(120, 17);
  std::string dated =
      "date_inscription;id_france_travail;nom;date_naissance;nir;email;telephone;adresse;date_maj;iban;commentaire;"
      "adresse_postale\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const Person& q = people[(i + 1) % people.size()];
    const std::string note = i % 5 == 1 ? "rappel " + q.phone : i % 5 == 3 ? "copie a " + q.email : "RAS";
    dated += (i % 4 == 0 ? "2023-05-12;" : "inscrit;") + p.ft_id + ";MARTIN;" + (i % 7 == 2 ? "" : p.birth) + ";" +
             p.nir + ";" + p.email + ";" + (i % 6 == 4 ? "n/a" : p.phone) + ";" + p.street + ";2024-0" +
             std::to_string(1 + i % 9) + "-15;" + (i % 3 == 0 ? p.iban : "") + ";" + note + ";" +
             (i % 2 == 0 ? q.street : "") + "\n";
  }
  // 66 typed fields a row: the e-mail, 64 phones, the birth date (cut after the 64th finding).
  std::string wide = "email";
  for (int k = 1; k <= 64; ++k) wide += ";tel_" + std::to_string(k);
  wide += ";date_naissance\n";
  for (std::size_t i = 0; i < 20; ++i) {
    wide += people[i].email;
    for (int k = 0; k < 64; ++k) wide += ";" + people[(i + static_cast<std::size_t>(k)) % people.size()].phone;
    wide += ";" + people[i].birth + "\n";
  }
  PiiEngineOptions at_once, one_by_one;
  at_once.max_excerpts = 0;
  one_by_one.max_excerpts = 1000;
  Harness a(DefaultEngine(at_once)), b(DefaultEngine(one_by_one));
  std::mt19937 rng(5);
  for (const std::string& text : {dated, wide, QuirkyCsv(people), CsvPeople(people)}) {
    const ScanSummary ref = ScanChunked(b.scanner, text, {});
    ASSERT_GE(ref.records.size(), 20u);
    for (int round = 0; round < 4; ++round) {
      std::vector<std::size_t> cuts;
      if (round > 0)
        for (std::size_t c = 1 + rng() % 50; c < text.size(); c += 1 + rng() % (round == 1 ? 40 : 3000)) cuts.push_back(c);
      const ScanSummary s = ScanChunked(a.scanner, text, cuts);
      const std::string what = text.substr(0, 12) + " round " + std::to_string(round);
      EXPECT_EQ(s.matches, ref.matches) << what;
      EXPECT_EQ(s.rejected, ref.rejected) << what;
      EXPECT_EQ(s.records, ref.records) << what;
      EXPECT_TRUE(s.excerpts.empty()) << what;
    }
  }
  // What the rows hold, counted: every person of the dated export is a record keyed by the NIR,
  // with the birth date of its column (where that column is empty, none: the registration and
  // update dates are not birth dates); a wide row's 65th finding starts a second group (its
  // last phone and the birth date: a record keyed by the phone).
  const ScanSummary d = a.Scan(dated);
  EXPECT_EQ(d.records.size(), people.size());
  std::size_t born = 0;
  for (std::size_t i = 0; i < people.size(); ++i) born += i % 7 != 2;
  EXPECT_EQ(d.matches[Idx(PiiType::kBirthDate)], born);
  EXPECT_EQ(d.matches[Idx(PiiType::kAddress)], people.size());
  const ScanSummary w = a.Scan(wide);
  EXPECT_EQ(w.records.size(), 40u);
  EXPECT_EQ(w.matches[Idx(PiiType::kBirthDate)], 20u);
  EXPECT_EQ(w.matches[Idx(PiiType::kPhone)], 20u * 64);
}

TEST(CsvScan, ExcerptsAreMasked) {
  const auto people = People(20, 8);
  PiiEngineOptions o;
  o.max_excerpts = 1000;
  Harness h(DefaultEngine(o));
  const ScanSummary s = h.Scan(CsvPeople(people));
  ASSERT_GE(s.excerpts.size(), 100u);
  for (const std::string& e : s.excerpts)
    for (const Person& p : people)
      for (const std::string& v : {p.nir, p.iban, p.email, p.phone, p.ft_id, p.birth, p.street})
        EXPECT_EQ(e.find(v), std::string::npos) << e;
}

// Record-only types read in their columns: under a header naming a birth-date column and an
// address column, a date or an address elsewhere in a row (a registration date, a note) is not
// the person's; a field of those columns not taken whole (blanks around it, broken quotes) is
// scanned as text and its value counts; after a field too long to take, the rule ends for the
// rest of the unit. Same summary in any chunking, grouped at once or one by one.
TEST(CsvScan, RecordOnlyTypesReadInTheirColumns) {
  const auto people = People(80, 23);
  std::string csv = "nom;email;date_inscription;date_naissance;commentaire;adresse;date_maj\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    std::string birth, note = "RAS", street;
    if (i < 30) {  // A: each column holds its value
      birth = p.birth;
      street = p.street;
    } else if (i < 50) {  // B: no birth date, the address in a note: the e-mail alone
      note = "voir " + p.street + ", 75002 Paris";
    } else if (i < 60) {  // C: the birth date with a blank before it (not whole: scanned as text)
      birth = " " + p.birth;
    } else if (i < 65) {  // D: broken quotes around it (scanned as text)
      birth = "\"" + p.birth + "\"x";
    } else if (i == 65) {  // E: too long to take: the rule ends here
      birth = "ne le " + p.birth + " " + std::string(300, 'x');
    }  // F: as B without the note, after E: the registration date stands for the birth date
    csv += "MARTIN;" + p.email + ";2023-05-12;" + birth + ";" + note + ";" + street + ";2024-01-15\n";
  }
  PiiEngineOptions at_once, one_by_one, small;
  at_once.max_excerpts = 0;
  one_by_one.max_excerpts = 1000;
  small.coalesce_bytes = 256;  // pieces of 128 bytes or more scanned as they come: most after the header
  Harness a(DefaultEngine(at_once)), b(DefaultEngine(one_by_one)), c(DefaultEngine(small));
  const ScanSummary ref = a.Scan(csv);
  EXPECT_EQ(ref.records.size(), 30u + 10 + 5 + 1 + 14);
  EXPECT_EQ(ref.matches[Idx(PiiType::kEmail)], people.size());
  EXPECT_EQ(ref.matches[Idx(PiiType::kBirthDate)], 30u + 10 + 5 + 1 + 14);
  EXPECT_EQ(ref.matches[Idx(PiiType::kAddress)], 30u);
  EXPECT_EQ(ref.rejected[Idx(PiiType::kBirthDate)], 0u);
  std::mt19937 rng(9);
  for (int round = 0; round < 6; ++round) {
    std::vector<std::size_t> cuts;
    if (round > 0)
      for (std::size_t c = 1 + rng() % 50; c < csv.size(); c += 1 + rng() % (round < 3 ? 30 : 2000)) cuts.push_back(c);
    for (Harness* h : {&a, &b, &c}) {
      const ScanSummary s = ScanChunked(h->scanner, csv, cuts);
      EXPECT_EQ(s.matches, ref.matches) << "round " << round;
      EXPECT_EQ(s.rejected, ref.rejected) << "round " << round;
      EXPECT_EQ(s.records, ref.records) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace vigie::match::testing
