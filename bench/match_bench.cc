// PII scanner throughput: the whole default signature set (signatures/pii.yaml), streaming mode,
// validators and record grouping included. bytes/s is what to compare with the targets
// (>= 1 GB/s per core on JSON/CSV text, >= 5 GB/s on random bytes).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>

#include "../tests/match/test_util.h"
#include "match/anchor_finder.h"
#include "match/csv_columns.h"
#include "match/digit_tokenizer.h"
#include "match/html_tables.h"
#include "match/validators.h"

namespace vigie::match::testing {
namespace {

// A JSON API response of job-seeker records: every object holds 8 kinds of PII (worst case).
// blank_values: the personal values replaced by as many NUL bytes (what a shortcut that took
// them from their keys, as the CSV columns are, would leave to the finders).
std::string PeopleJson(std::size_t bytes, bool blank_values = false) {
  PiiGenerator g(1);
  std::string s = "[";
  auto v = [blank_values](const std::string& x) { return blank_values ? std::string(x.size(), '\0') : x; };
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    s += "{\"id\":" + std::to_string(i) + ",\"nom\":\"Martin\",\"prenom\":\"Claire\",\"nir\":\"" + v(p.nir) +
         "\",\"identifiant\":\"" + v(p.ft_id) + "\",\"date_naissance\":\"" + v(p.birth) + "\",\"email\":\"" +
         v(p.email) + "\",\"telephone\":\"" + v(p.phone) + "\",\"adresse\":\"" + v(p.street) +
         "\",\"code_postal\":\"75011\",\"iban\":\"" + v(p.iban) +
         "\",\"conseiller\":\"capemploi-0042\",\"statut\":\"inscrit\",\"updated\":\"2024-02-06T10:15:02Z\"},";
  }
  return s;
}

// The same people, e-mail first and phones in an array of contact objects: every person and
// every contact object after the first opens with a `},{` that the record rule must look across
// (ScanStream::State::AnchoringOf walks back to the person's NIR or IBAN).
std::string PeopleJsonContacts(std::size_t bytes) {
  PiiGenerator g(7);
  std::string s = "[";
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    s += "{\"email\":\"" + p.email + "\",\"id\":" + std::to_string(i) + ",\"nom\":\"Martin\",\"prenom\":\"Claire\",\"nir\":\"" +
         p.nir + "\",\"identifiant\":\"" + p.ft_id + "\",\"date_naissance\":\"" + p.birth +
         "\",\"contacts\":[{\"type\":\"MOBILE\",\"valeur\":\"" + p.phone +
         "\"},{\"type\":\"FIXE\",\"valeur\":\"01 45 67 89 " + PiiGenerator::Pad(i % 100, 2) +
         "\"}],\"adresse\":\"" + p.street + "\",\"iban\":\"" + p.iban + "\",\"statut\":\"inscrit\"},";
  }
  return s;
}

// Ordinary API JSON without personal data: ids, prices, timestamps, UUIDs, prose.
std::string GenericJson(std::size_t bytes) {
  PiiGenerator g(2);
  std::string s = "[";
  while (s.size() < bytes) {
    s += "{\"order_id\":" + g.Digits(9) + ",\"sku\":\"SKU-" + g.Digits(6) + "\",\"ean\":\"" + g.Digits(13) +
         "\",\"price\":" + g.Digits(3) + "." + g.Digits(2) + ",\"qty\":" + g.Digits(1) +
         ",\"created_at\":\"2024-02-06T10:" + g.Digits(2) + ":" + g.Digits(2) + ".123Z\",\"uuid\":\"" + g.Digits(8) +
         "-4b1c-9f0e-" + g.Digits(12) + "\",\"status\":\"shipped\",\"note\":\"Livraison en point relais, "
         "merci de prevenir le client avant le passage du transporteur.\",\"ts\":17" + g.Digits(11) + "},";
  }
  return s;
}

// What a job-seeker API actually returns (the France Travail case): each record holds the same
// 8 kinds of PII as PeopleJson, inside the rest of a real file (registration, follow-up history,
// skills, preferences): ~1.3 KB per person instead of ~360 bytes.
std::string JobSeekerApiJson(std::size_t bytes) {
  PiiGenerator g(5);
  std::string s = "{\"total\":" + std::to_string(bytes / 1300) + ",\"page\":1,\"resultats\":[";
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    s += "{\"identifiant\":\"" + p.ft_id + "\",\"nir\":\"" + p.nir + "\",\"civilite\":\"MME\",\"nom\":\"MARTIN\","
         "\"prenom\":\"Claire\",\"date_naissance\":\"" + p.birth + "\",\"email\":\"" + p.email +
         "\",\"telephone\":\"" + p.phone + "\",\"adresse\":{\"ligne\":\"" + p.street +
         "\",\"code_postal\":\"75011\",\"commune\":\"PARIS 11\",\"code_insee\":\"75111\"},\"iban\":\"" + p.iban +
         "\",\"inscription\":{\"date\":\"2023-0" + g.Digits(1) + "-1" + g.Digits(1) + "T09:" + g.Digits(2) +
         ":00Z\",\"categorie\":\"1\",\"motif\":\"FIN DE CONTRAT A DUREE DETERMINEE\",\"agence\":\"" +
         g.Digits(5) + "\",\"conseiller\":{\"matricule\":\"CNS" + g.Digits(5) +
         "\",\"equipe\":\"accompagnement renforce\"}},\"metiers\":[{\"code_rome\":\"K2111\",\"libelle\":"
         "\"Formation professionnelle\",\"experience_mois\":" + g.Digits(2) + "},{\"code_rome\":\"M1607\","
         "\"libelle\":\"Secretariat\",\"experience_mois\":" + g.Digits(2) + "}],\"mobilite\":{\"rayon_km\":" +
         g.Digits(2) + ",\"permis\":[\"B\"],\"vehicule\":true},\"souhaits\":{\"contrats\":[\"CDI\",\"CDD\"],"
         "\"temps_plein\":true,\"salaire_annuel_min\":" + g.Digits(5) + "},\"historique\":[{\"date\":\"2024-01-"
         "1" + g.Digits(1) + "T14:" + g.Digits(2) + ":00Z\",\"type\":\"ENTRETIEN\",\"canal\":\"visio\","
         "\"commentaire\":\"Point sur le projet professionnel, relance des candidatures en cours.\"},{\"date\":"
         "\"2024-02-0" + g.Digits(1) + "T10:" + g.Digits(2) + ":00Z\",\"type\":\"ATELIER\",\"canal\":\"agence\","
         "\"commentaire\":\"Atelier CV et lettre de motivation.\"}],\"indemnisation\":{\"droits_ouverts\":true,"
         "\"montant_journalier\":" + g.Digits(2) + "." + g.Digits(2) + ",\"fin_droits\":\"2025-0" + g.Digits(1) +
         "-2" + g.Digits(1) + "\"},\"derniere_maj\":\"2024-02-06T10:15:02.512Z\",\"version\":" + g.Digits(3) + "},";
  }
  return s;
}

// An advisor's web page listing job seekers (the HTML form of the France Travail case): a table
// whose header row names the columns, a row per person with the same 8 kinds of PII, styled
// cells and a link to each file, as a server-rendered page writes them (~900 bytes a person).
// typed = false: the header row names no column a detector reads (a table of anything else).
std::string PeopleHtml(std::size_t bytes, bool typed = true) {
  PiiGenerator g(8);
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Portefeuille</title>"
      "<link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/app.js\"></script></head>\n"
      "<body><div class=\"container\"><h1>Mon portefeuille</h1>\n<table class=\"table table-striped\">\n" +
      std::string(typed ? "<thead><tr><th>Nom</th><th>Identifiant FT</th><th>NIR</th><th>Date de naissance</th>"
                          "<th>T&eacute;l&eacute;phone</th><th>Courriel</th><th>Adresse</th><th>IBAN</th><th>Statut</th>"
                          "<th></th></tr></thead>\n<tbody>\n"
                        : "<thead><tr><th>A</th><th>B</th><th>C</th><th>D</th><th>E</th><th>F</th><th>G</th><th>H</th>"
                          "<th>I</th><th></th></tr></thead>\n<tbody>\n");
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    const std::string birth = p.birth.substr(8, 2) + "/" + p.birth.substr(5, 2) + "/" + p.birth.substr(0, 4);
    s += "<tr class=\"row-" + std::to_string(i % 2) + "\">\n  <td class=\"nom\">MARTIN Claire</td>\n"
         "  <td class=\"id\"><a href=\"/dossiers/" + p.ft_id + "\" title=\"Ouvrir le dossier\">" + p.ft_id +
         "</a></td>\n  <td class=\"nir\">" + p.nir + "</td>\n  <td>" + birth + "</td>\n  <td class=\"tel\">" + p.phone +
         "</td>\n  <td><a href=\"mailto:" + p.email + "\">" + p.email + "</a></td>\n  <td class=\"adresse\">" + p.street +
         "<br>75011 PARIS</td>\n  <td class=\"iban\">" + p.iban + "</td>\n"
         "  <td><span class=\"badge badge-success\">inscrit</span></td>\n  <td><button type=\"button\" "
         "class=\"btn btn-sm btn-outline-primary\" data-action=\"relancer\" data-id=\"" + std::to_string(i) +
         "\">Relancer</button></td>\n</tr>\n";
  }
  return s;
}

std::string PeopleCsv(std::size_t bytes) {
  PiiGenerator g(3);
  std::string s = "nom;prenom;identifiant_ft;nir;date_naissance;email;telephone;adresse;iban\n";
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    s += "Martin;Claire;" + p.ft_id + ";" + p.nir + ";" + p.birth + ";" + p.email + ";" + p.phone + ";" + p.street +
         ";" + p.iban + "\n";
  }
  return s;
}

// A job-seeker export as an advisor tool writes it (the CSV form of the France Travail case):
// the same 8 kinds of PII per row as PeopleCsv, among the file's other columns (registration,
// follow-up, wishes): ~270 bytes per person instead of ~140.
std::string JobSeekerCsv(std::size_t bytes) {
  PiiGenerator g(6);
  std::string s =
      "id_france_travail;civilite;nom;prenom;date_naissance;nir;email;telephone;adresse;code_postal;commune;"
      "date_inscription;categorie;motif_inscription;agence;conseiller;code_rome;libelle_rome;experience_mois;"
      "permis;salaire_souhaite;dernier_entretien;iban\n";
  for (int i = 0; s.size() < bytes; ++i) {
    const Person p = g.NextPerson(i);
    s += p.ft_id + ";MME;MARTIN;Claire;" + p.birth + ";" + p.nir + ";" + p.email + ";" + p.phone + ";" + p.street +
         ";75011;PARIS 11;2023-0" + g.Digits(1) + "-1" + g.Digits(1) + ";1;FIN DE CONTRAT A DUREE DETERMINEE;" +
         g.Digits(5) + ";CNS" + g.Digits(5) + ";K2111;Formation professionnelle;" + g.Digits(2) + ";B;" +
         g.Digits(5) + ";2024-02-0" + g.Digits(1) + ";" + p.iban + "\n";
  }
  return s;
}

std::string RandomBytes(std::size_t bytes) {
  std::mt19937_64 rng(4);
  std::string s(bytes, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

constexpr std::size_t kCorpus = 8 << 20;

// kFull: the sensor's scan. kHyperscanOnly: the IBAN, e-mail and address regexes by Hyperscan
// instead of their C++ matchers (PiiEngineOptions::native_patterns), to measure what the
// matchers save. kFindOnly: the candidate finders alone, every candidate counted as rejected
// without validation, keywords or grouping (PiiEngineOptions::validate): the part of the scan
// time that finding takes. kText: CSV units scanned as text (PiiEngineOptions::csv_columns off),
// to measure what the column shortcut saves.
enum class Mode { kFull, kHyperscanOnly, kFindOnly, kText };
void Run(benchmark::State& state, const std::string& text, Mode mode = Mode::kFull) {
  static const auto full = DefaultEngine();
  static const auto hyperscan_only = [] {
    PiiEngineOptions o;
    o.native_patterns = false;
    return DefaultEngine(o);
  }();
  static const auto find_only = [] {
    PiiEngineOptions o;
    o.validate = false;
    return DefaultEngine(o);
  }();
  static const auto text_only = [] {
    PiiEngineOptions o;
    o.csv_columns = false;
    return DefaultEngine(o);
  }();
  const auto& engine = mode == Mode::kFull            ? full
                       : mode == Mode::kHyperscanOnly ? hyperscan_only
                       : mode == Mode::kText          ? text_only
                                                      : find_only;
  metrics::CounterSet metrics;
  Scanner scanner(engine, metrics);
  const auto chunk = static_cast<std::size_t>(state.range(0));
  std::uint64_t records = 0, matches = 0, rejected = 0;
  for (auto _ : state) {
    ScanStream s(scanner);
    for (std::size_t off = 0; off < text.size(); off += chunk)
      s.Feed(AsBytes(std::string_view(text).substr(off, chunk)));
    const ScanSummary sum = s.Finish();
    records += sum.records.size();
    for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
      matches += sum.matches[t];
      rejected += sum.rejected[t];
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  const double mb = static_cast<double>(state.iterations()) * static_cast<double>(text.size()) / 1e6;
  state.counters["records_per_MB"] = static_cast<double>(records) / mb;
  state.counters["matches_per_MB"] = static_cast<double>(matches) / mb;
  state.counters["rejected_per_MB"] = static_cast<double>(rejected) / mb;
  // Validated values per second of CPU (matches + rejected candidates): the rate that does not
  // depend on how dense the corpus is (a people CSV holds 50 000 values a MB, a JSON API 6 000).
  state.counters["values_per_s"] = benchmark::Counter(static_cast<double>(matches + rejected), benchmark::Counter::kIsRate);
}

// The same database with an empty callback: Hyperscan's share of the cost (no validation).
int CountOnly(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<std::uint64_t*>(ctx);
  return 0;
}
// Ungated: one database with every pattern (keywords are scanned lazily, not here).
void RunHsOnly(benchmark::State& state, const std::string& text) {
  static auto engine = [] {
    PiiEngineOptions o;
    o.gate_patterns = false;
    return DefaultEngine(o);
  }();
  hs_database_t* db = engine->groups.at(0).db.get();
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  std::uint64_t n = 0;
  for (auto _ : state) {
    hs_stream_t* s = nullptr;
    hs_open_stream(db, 0, &s);
    for (std::size_t off = 0; off < text.size(); off += 65536)
      hs_scan_stream(s, text.data() + off, static_cast<unsigned>(std::min<std::size_t>(65536, text.size() - off)), 0,
                     scratch, &CountOnly, &n);
    hs_close_stream(s, scratch, &CountOnly, &n);
  }
  hs_free_scratch(scratch);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["hs_matches_per_MB"] =
      static_cast<double>(n) / static_cast<double>(state.iterations()) / (static_cast<double>(text.size()) / 1e6);
}

// One stage alone over the corpus (no Hyperscan, no validation): the anchor gate's finder and
// the digit tokenizer, the two passes every byte goes through.
// Chunk size: state.range(0) (1460 shows what each call costs beyond its bytes).
std::size_t ChunkOf(const benchmark::State& state) { return static_cast<std::size_t>(state.range(0)); }
void RunAnchors(benchmark::State& state, const std::string& text) {
  const AnchorFinder finder;
  const std::size_t chunk = ChunkOf(state);
  std::vector<std::uint32_t> out;
  std::size_t found = 0;
  for (auto _ : state) {
    for (std::size_t off = 0; off < text.size(); off += chunk) {
      out.clear();
      finder.Find(AsBytes(text).data() + off, std::min<std::size_t>(chunk, text.size() - off), -1, out);
      found += out.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["anchors_per_MB"] =
      static_cast<double>(found) / static_cast<double>(state.iterations()) / (static_cast<double>(text.size()) / 1e6);
}
void RunTokenizer(benchmark::State& state, const std::string& text, std::uint64_t muted = 0) {
  static auto engine = DefaultEngine();
  DigitTokenizer tok;
  tok.SetSpecs(&engine->digit_specs);
  tok.SetMuted(muted);
  const std::size_t chunk = ChunkOf(state);
  std::vector<DigitEvent> out;
  std::size_t found = 0;
  for (auto _ : state) {
    for (std::size_t off = 0; off < text.size(); off += chunk) {
      out.clear();
      tok.Feed(AsBytes(text).data() + off, std::min<std::size_t>(chunk, text.size() - off), off, out);
      found += out.size();
    }
    tok.Finish(text.size(), out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["events_per_MB"] =
      static_cast<double>(found) / static_cast<double>(state.iterations()) / (static_cast<double>(text.size()) / 1e6);
}

// The HTML table tracker alone (html_tables.h): what following a markup unit's tables costs.
// state.range(1): 0 the page's table typed by its header, 1 a header naming no detector's column.
void BM_HtmlTablesInCache(benchmark::State& state) {
  static const std::string typed = PeopleHtml(256 << 10), untyped = PeopleHtml(256 << 10, false);
  const std::string& text = state.range(1) == 0 ? typed : untyped;
  static const auto engine = DefaultEngine();
  HtmlTables tables;
  tables.Bind(&engine->column_names);
  const std::size_t chunk = ChunkOf(state);
  std::size_t cells = 0;
  for (auto _ : state) {
    tables.Reset();
    for (std::size_t off = 0; off < text.size(); off += chunk) {
      tables.Forget(off > 4096 ? off - 4096 : 0);
      tables.Feed(AsBytes(text).data() + off, std::min<std::size_t>(chunk, text.size() - off), off);
      cells += tables.HasCells();
    }
  }
  benchmark::DoNotOptimize(cells);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// Typing a column by its name (csv_columns.h ColumnNames::Find: a CSV header's fields, an HTML
// header row's cells): ns per name, over names as exports and pages write them.
void BM_ColumnNames(benchmark::State& state) {
  static const auto engine = DefaultEngine();
  static const std::vector<std::string> names = {
      "nom", "prénom", "n° de sécurité sociale", "identifiant france travail", "date de naissance",
      "téléphone portable", "courriel", "adresse postale", "code postal", "commune", "statut de l'inscription",
      "conseiller référent", "date de la dernière mise à jour du dossier par l'agence"};
  std::int64_t typed = 0;
  for (auto _ : state)
    for (const std::string& n : names) typed += engine->column_names.Find(n) >= 0;
  benchmark::DoNotOptimize(typed);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * names.size()));
}
BENCHMARK(BM_ColumnNames);

// One validator alone, called as the scanner calls it: a window of the people CSV ending at a
// value's match end (the ';' after an address). ns per call; state.range(0) picks the type.
struct ValidatorCase {
  std::optional<std::size_t> (*check)(std::string_view, std::string&);
  std::string Person::*field;
  bool terminator;  // the match ends after the field's ';'
};
constexpr ValidatorCase kValidatorCases[] = {
    {&CheckNir, &Person::nir, false},     {&CheckFranceTravailId, &Person::ft_id, false},
    {&CheckPhone, &Person::phone, false}, {&CheckEmail, &Person::email, false},
    {&CheckIban, &Person::iban, false},   {&CheckBirthDate, &Person::birth, false},
    {&CheckAddress, &Person::street, true},
};
constexpr const char* kValidatorCaseNames[] = {"nir", "ft_id", "phone", "email", "iban", "birth_date", "address"};
void BM_Validator(benchmark::State& state) {
  const ValidatorCase& c = kValidatorCases[state.range(0)];
  PiiGenerator g(3);
  std::string text;
  std::vector<std::size_t> ends;
  for (int i = 0; i < 4096; ++i) {
    const Person p = g.NextPerson(i);
    const std::string row = "Martin;Claire;" + p.ft_id + ";" + p.nir + ";" + p.birth + ";" + p.email + ";" +
                            p.phone + ";" + p.street + ";" + p.iban + "\n";
    // The field's end in the row as written.
    const std::string& v = p.*c.field;
    ends.push_back(text.size() + row.rfind(v) + v.size() + (c.terminator ? 1 : 0));
    text += row;
  }
  std::string norm;
  std::size_t accepted = 0, calls = 0;
  for (auto _ : state) {
    for (const std::size_t e : ends) {
      const std::size_t from = e > kMaxCandidateBytes + 16 ? e - kMaxCandidateBytes - 16 : 0;
      accepted += c.check(std::string_view(text).substr(from, e - from), norm).has_value();
    }
    calls += ends.size();
  }
  state.SetLabel(kValidatorCaseNames[state.range(0)]);
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
  state.counters["accepted"] = static_cast<double>(accepted) / static_cast<double>(calls);
}
BENCHMARK(BM_Validator)->DenseRange(0, 6)->Unit(benchmark::kMicrosecond);

// Whole-field validation as the CSV path calls it (scanner.cc TypeFields): each value of the people
// CSV passed alone, an address with the ';' that ends it. state.range(0) picks the type (the
// cases of BM_Validator), state.range(1) the entry point: 0 = the generic check() accepting from
// byte 0, 1 = the validator's field() (skipped when it has none). ns per call.
constexpr const char* kFieldValidatorNames[] = {"nir", "france_travail_id", "phone_fr", "email", "iban", "birth_date", "address_fr"};
void BM_FieldValidator(benchmark::State& state) {
  const ValidatorCase& c = kValidatorCases[state.range(0)];
  const Validator* v = FindValidator(kFieldValidatorNames[state.range(0)]);
  const bool field = state.range(1) == 1;
  if (v == nullptr || (field && v->field == nullptr)) {
    state.SkipWithError("no field validator");
    return;
  }
  PiiGenerator g(3);
  std::vector<std::string> values;
  for (int i = 0; i < 4096; ++i) {
    const Person p = g.NextPerson(i);
    values.push_back(p.*c.field + (c.terminator ? ";" : ""));
  }
  std::string norm;
  std::size_t accepted = 0, calls = 0;
  for (auto _ : state) {
    if (field) {
      for (const std::string& s : values) accepted += v->field(s, norm);
    } else {
      for (const std::string& s : values) {
        const auto begin = v->check(s, norm);
        accepted += begin && *begin == 0;
      }
    }
    calls += values.size();
  }
  state.SetLabel(std::string(kValidatorCaseNames[state.range(0)]) + (field ? " field" : " check"));
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
  state.counters["accepted"] = static_cast<double>(accepted) / static_cast<double>(calls);
}
BENCHMARK(BM_FieldValidator)->ArgsProduct({benchmark::CreateDenseRange(0, 6, 1), {0, 1}})->Unit(benchmark::kMicrosecond);

void BM_JobSeekerApiJson(benchmark::State& st) { static const std::string t = JobSeekerApiJson(kCorpus); Run(st, t); }
void BM_AnchorsRandomBytes(benchmark::State& st) { static const std::string t = RandomBytes(kCorpus); RunAnchors(st, t); }
void BM_AnchorsGenericJson(benchmark::State& st) { static const std::string t = GenericJson(kCorpus); RunAnchors(st, t); }
void BM_TokenizerRandomBytes(benchmark::State& st) { static const std::string t = RandomBytes(kCorpus); RunTokenizer(st, t); }
void BM_TokenizerGenericJson(benchmark::State& st) { static const std::string t = GenericJson(kCorpus); RunTokenizer(st, t); }
// The two passes alone on 256 KiB (in cache: their own cost, without the memory reads).
void BM_AnchorsRandomBytesInCache(benchmark::State& st) { static const std::string t = RandomBytes(256 << 10); RunAnchors(st, t); }
void BM_AnchorsGenericJsonInCache(benchmark::State& st) { static const std::string t = GenericJson(256 << 10); RunAnchors(st, t); }
void BM_TokenizerRandomBytesInCache(benchmark::State& st) { static const std::string t = RandomBytes(256 << 10); RunTokenizer(st, t); }
void BM_TokenizerGenericJsonInCache(benchmark::State& st) { static const std::string t = GenericJson(256 << 10); RunTokenizer(st, t); }
void BM_TokenizerJobSeekerApiJsonInCache(benchmark::State& st) {
  static const std::string t = JobSeekerApiJson(256 << 10);
  RunTokenizer(st, t);
}
void BM_TokenizerPeopleCsvInCache(benchmark::State& st) { static const std::string t = PeopleCsv(256 << 10); RunTokenizer(st, t); }
void BM_TokenizerJobSeekerCsvInCache(benchmark::State& st) { static const std::string t = JobSeekerCsv(256 << 10); RunTokenizer(st, t); }
// What the finders see of a CSV export (sensor/match/README.md step 0b): the fields of its typed
// columns blanked (NUL), the specs of the record-only types given a column muted (the dates of
// its other columns are not looked for).
struct CsvAsFindersSeeIt {
  std::string text;
  std::uint64_t muted = 0;
};
CsvAsFindersSeeIt AsFindersSeeIt(std::string text) {
  static auto engine = DefaultEngine();
  CsvAsFindersSeeIt r;
  const std::size_t eol = text.find('\n');
  const auto header = ParseCsvHeader(std::string_view(text).substr(0, eol), engine->column_names);
  if (!header) return {text, 0};
  r.muted = engine->DigitSpecsOfTypes(engine->RecordOnlyColumnTypes(header->column_detector));
  std::size_t col = 0, start = eol + 1;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (text[i] != header->delimiter && text[i] != '\n') continue;
    if (col < header->column_detector.size() && header->column_detector[col] >= 0)
      std::fill(text.begin() + static_cast<std::ptrdiff_t>(start), text.begin() + static_cast<std::ptrdiff_t>(i), '\0');
    col = text[i] == '\n' ? 0 : col + 1;
    start = i + 1;
  }
  r.text = std::move(text);
  return r;
}
void BM_TokenizerJobSeekerCsvBlankedInCache(benchmark::State& st) {
  static const CsvAsFindersSeeIt t = AsFindersSeeIt(JobSeekerCsv(256 << 10));
  RunTokenizer(st, t.text, st.range(1) != 0 ? t.muted : 0);
}
void BM_AnchorsJobSeekerCsvInCache(benchmark::State& st) { static const std::string t = JobSeekerCsv(256 << 10); RunAnchors(st, t); }
void BM_PeopleJson(benchmark::State& st) { static const std::string t = PeopleJson(kCorpus); Run(st, t); }
void BM_PeopleJsonContacts(benchmark::State& st) { static const std::string t = PeopleJsonContacts(kCorpus); Run(st, t); }
// The people JSON with its personal values blanked: the scan of everything around them.
void BM_PeopleJsonValuesBlanked(benchmark::State& st) {
  static const std::string t = PeopleJson(kCorpus, true);
  Run(st, t);
}
void BM_GenericJson(benchmark::State& st) { static const std::string t = GenericJson(kCorpus); Run(st, t); }
void BM_PeopleHtml(benchmark::State& st) { static const std::string t = PeopleHtml(kCorpus); Run(st, t); }
void BM_PeopleCsv(benchmark::State& st) { static const std::string t = PeopleCsv(kCorpus); Run(st, t); }
void BM_JobSeekerCsv(benchmark::State& st) { static const std::string t = JobSeekerCsv(kCorpus); Run(st, t); }
void BM_RandomBytes(benchmark::State& st) { static const std::string t = RandomBytes(kCorpus); Run(st, t); }
// The same bytes, 256 KiB scanned again and again: in cache, as a body just decompressed or
// reassembled is (the 8 MiB corpora above are read from memory on every pass).
void BM_RandomBytesInCache(benchmark::State& st) { static const std::string t = RandomBytes(256 << 10); Run(st, t); }
void BM_GenericJsonInCache(benchmark::State& st) { static const std::string t = GenericJson(256 << 10); Run(st, t); }
void BM_JobSeekerApiJsonInCache(benchmark::State& st) { static const std::string t = JobSeekerApiJson(256 << 10); Run(st, t); }
void BM_PeopleCsvHyperscanOnly(benchmark::State& st) {
  static const std::string t = PeopleCsv(kCorpus);
  Run(st, t, Mode::kHyperscanOnly);
}
void BM_PeopleCsvAsText(benchmark::State& st) { static const std::string t = PeopleCsv(kCorpus); Run(st, t, Mode::kText); }
void BM_JobSeekerCsvAsText(benchmark::State& st) {
  static const std::string t = JobSeekerCsv(kCorpus);
  Run(st, t, Mode::kText);
}
void BM_JobSeekerCsvFindOnly(benchmark::State& st) { static const std::string t = JobSeekerCsv(kCorpus); Run(st, t, Mode::kFindOnly); }
void BM_JobSeekerApiJsonFindOnly(benchmark::State& st) {
  static const std::string t = JobSeekerApiJson(kCorpus);
  Run(st, t, Mode::kFindOnly);
}
void BM_JobSeekerApiJsonHyperscanOnly(benchmark::State& st) {
  static const std::string t = JobSeekerApiJson(kCorpus);
  Run(st, t, Mode::kHyperscanOnly);
}
void BM_HsOnlyGenericJson(benchmark::State& st) { static const std::string t = GenericJson(kCorpus); RunHsOnly(st, t); }
void BM_HsOnlyPeopleCsv(benchmark::State& st) { static const std::string t = PeopleCsv(kCorpus); RunHsOnly(st, t); }
void BM_HsOnlyRandomBytes(benchmark::State& st) { static const std::string t = RandomBytes(kCorpus); RunHsOnly(st, t); }

// Chunk sizes: 1460 (one TCP segment per Feed) and 64 KiB (a reassembled/decompressed body).
BENCHMARK(BM_PeopleJson)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleJsonContacts)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleJsonValuesBlanked)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GenericJson)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerApiJson)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleHtml)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleCsv)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerCsv)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleCsvAsText)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerCsvAsText)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeopleCsvHyperscanOnly)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerCsvFindOnly)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerApiJsonFindOnly)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JobSeekerApiJsonHyperscanOnly)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RandomBytes)->Arg(1460)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RandomBytesInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GenericJsonInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_JobSeekerApiJsonInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HsOnlyGenericJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HsOnlyPeopleCsv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HsOnlyRandomBytes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnchorsRandomBytes)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnchorsGenericJson)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TokenizerRandomBytes)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TokenizerGenericJson)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnchorsRandomBytesInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnchorsGenericJsonInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TokenizerRandomBytesInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TokenizerGenericJsonInCache)->Arg(1460)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TokenizerJobSeekerApiJsonInCache)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TokenizerPeopleCsvInCache)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TokenizerJobSeekerCsvInCache)->Arg(65536)->Unit(benchmark::kMicrosecond);
// Args: chunk, then 0 nothing muted or 1 the dates muted (as the scan does).
BENCHMARK(BM_TokenizerJobSeekerCsvBlankedInCache)->Args({65536, 0})->Args({65536, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HtmlTablesInCache)->ArgsProduct({{1460, 65536}, {0, 1}})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnchorsJobSeekerCsvInCache)->Arg(65536)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigie::match::testing

BENCHMARK_MAIN();
