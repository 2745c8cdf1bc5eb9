// Streaming scanner: chunking invariance, records on generated JSON/CSV people, look-alikes,
// masking, context rules, gaps, reload and metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <random>
#include <set>
#include <string_view>

#include "core/hash.h"
#include "match/cpu.h"
#include "match/scan_state.h"
#include "scan_helpers.h"

namespace vigie::match::testing {
namespace {

std::string JsonPeople(const std::vector<Person>& people, bool pretty) {
  std::string s = "[";
  const char* nl = pretty ? "\n    " : "";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    if (i) s += ",";
    s += pretty ? "\n  {" : "{";
    s += nl + std::string("\"nom\": \"Martin\", \"prenom\": \"Claire\",");
    s += nl + std::string("\"nir\": \"") + (i % 2 ? p.nir_spaced : p.nir) + "\",";
    s += nl + std::string("\"identifiant\": \"") + p.ft_id + "\",";
    s += nl + std::string("\"date_naissance\": \"") + p.birth + "\",";
    s += nl + std::string("\"email\": \"") + p.email + "\",";
    s += nl + std::string("\"telephone\": \"") + p.phone + "\",";
    s += nl + std::string("\"adresse\": {\"rue\": \"") + p.street + "\", \"code_postal\": \"75011\", \"ville\": \"Paris\"},";
    s += nl + std::string("\"iban\": \"") + p.iban + "\"";
    s += pretty ? "\n  }" : "}";
  }
  return s + (pretty ? "\n]\n" : "]");
}

std::vector<std::uint64_t> ExpectedNirKeys(const std::vector<Person>& people, const std::string& secret) {
  KeyedHasher h(secret);
  std::vector<std::uint64_t> v;
  for (const auto& p : people) v.push_back(h(p.nir));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Other date columns of a row whose header names the birth date get the birth-date context too
// (field names give it to the whole unit): once the row's group is a record, such a second
// "birth date" is another field of the same person, not the next person. One record per row,
// one birth date per row; the same in JSON objects with a second date field.
TEST(Records, ExtraDateFieldsDoNotSplitAPerson) {
  Harness h;
  const auto people = People(50, 24);
  std::string csv = "id_france_travail;date_naissance;nir;email;date_inscription;telephone;date_entretien;iban\n";
  std::string json = "[";
  for (const Person& p : people) {
    csv += p.ft_id + ";" + p.birth + ";" + p.nir + ";" + p.email + ";2023-05-12;" + p.phone + ";2024-02-05;" + p.iban +
           "\n";
    json += "{\"nir\":\"" + p.nir + "\",\"date_naissance\":\"" + p.birth + "\",\"email\":\"" + p.email +
            "\",\"date_inscription\":\"2023-05-12\",\"telephone\":\"" + p.phone + "\",\"iban\":\"" + p.iban + "\"},";
  }
  for (const std::string& text : {csv, json}) {
    const ScanSummary s = h.Scan(text);
    EXPECT_EQ(s.records.size(), people.size()) << text.substr(0, 40);
    EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], people.size()) << text.substr(0, 40);
    EXPECT_EQ(s.matches[Idx(PiiType::kIban)], people.size()) << text.substr(0, 40);
  }
  // Before the group is a record, a repeated birth date still starts the next person.
  const ScanSummary s =
      h.Scan("naissance " + people[0].birth + " naissance " + people[1].birth + " tel " + people[1].phone);
  EXPECT_EQ(s.records.size(), 1u);
}

TEST(Records, JsonArrayCompactAndPretty) {
  PiiEngineOptions o;
  o.secret = "test-secret";
  Harness h(DefaultEngine(o));
  for (bool pretty : {false, true}) {
    const auto people = People(300, 7);
    const ScanSummary s = h.Scan(JsonPeople(people, pretty));
    EXPECT_EQ(s.records.size(), 300u) << pretty;
    EXPECT_EQ(s.records, ExpectedNirKeys(people, "test-secret")) << pretty;
    EXPECT_EQ(s.matches[Idx(PiiType::kNir)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kEmail)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kPhone)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kIban)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 300u);
    EXPECT_EQ(s.matches[Idx(PiiType::kAddress)], 300u);
    EXPECT_EQ(s.rejected[Idx(PiiType::kNir)], 0u);
    EXPECT_EQ(s.excerpts.size(), 3u);
  }
}

// XML (a SOAP listing) and an HTML table, pretty-printed: a field per line, each line ending
// with '>'. A person is one record; the next person starts where a type repeats.
std::string XmlPeople(const std::vector<Person>& people) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<demandeurs>\n";
  for (const Person& p : people)
    s += "  <demandeur>\n    <nom>MARTIN</nom>\n    <nir>" + p.nir + "</nir>\n    <identifiant>" + p.ft_id +
         "</identifiant>\n    <dateNaissance>" + p.birth + "</dateNaissance>\n    <email>" + p.email +
         "</email>\n    <telephone>" + p.phone + "</telephone>\n    <adresse>" + p.street + "</adresse>\n    <iban>" +
         p.iban + "</iban>\n  </demandeur>\n";
  return s + "</demandeurs>\n";
}
std::string HtmlTablePeople(const std::vector<Person>& people) {
  std::string s = "<table>\n  <tr><th>NIR</th><th>Nom</th><th>Courriel</th><th>T\xc3\xa9l\xc3\xa9phone</th></tr>\n";
  for (const Person& p : people)
    s += "  <tr>\n    <td>" + p.nir_spaced + "</td>\n    <td>MARTIN Claire</td>\n    <td>" + p.email +
         "</td>\n    <td>" + p.phone + "</td>\n    <td>" + p.street + "</td>\n  </tr>\n";
  return s + "</table>\n";
}

// Each text lists `people` once: one record per person, keyed by the NIR, and one match per
// person of each of `types`.
void ExpectOneRecordPerPerson(const std::vector<Person>& people, const std::vector<std::string>& texts,
                              std::initializer_list<PiiType> types) {
  PiiEngineOptions o;
  o.secret = "one-per-person";
  Harness h(DefaultEngine(o));
  const auto keys = ExpectedNirKeys(people, o.secret);
  for (const std::string& text : texts) {
    const ScanSummary s = h.Scan(text);
    EXPECT_EQ(s.records, keys) << text.substr(0, 40);
    for (PiiType t : types)
      EXPECT_EQ(s.matches[Idx(t)], people.size()) << kPiiTypeNames[Idx(t)] << " in " << text.substr(0, 40);
  }
}

TEST(Records, XmlAndHtmlPrettyPrinted) {
  const auto people = People(200, 17);
  // The address too: its street name ends at '<'.
  ExpectOneRecordPerPerson(people, {XmlPeople(people), HtmlTablePeople(people)},
                           {PiiType::kNir, PiiType::kEmail, PiiType::kPhone, PiiType::kAddress});
}

// An API whose records nest a person's data in sibling objects (civil status, contact details,
// bank), as DTO-shaped APIs do: one record per person, keyed by the NIR (before, each sibling
// object was a group: the civil status one record, the contact details a second, keyed by the
// e-mail: every person counted twice).
TEST(Records, NestedJsonOnePersonEach) {
  const auto people = People(150, 23);
  std::vector<std::string> texts;
  for (bool pretty : {false, true}) {
    const char* nl = pretty ? "\n      " : "";
    std::string s = "{\"page\":1,\"demandeurs\":[";
    for (std::size_t i = 0; i < people.size(); ++i) {
      const Person& p = people[i];
      s += std::string(i ? "," : "") + (pretty ? "\n  " : "") + "{\"etatCivil\": {" + nl + "\"nir\": \"" + p.nir +
           "\"," + nl + "\"dateNaissance\": \"" + p.birth + "\"}," + nl + "\"coordonnees\": {\"email\": \"" +
           p.email + "\", \"telephone\": \"" + p.phone + "\"}, \"historique\": [{\"type\": \"RDV\"}, {\"type\": \"MAIL\"}]," +
           nl + "\"banque\": {\"iban\": \"" + p.iban + "\"}}";
    }
    texts.push_back(s + "]}");
  }
  ExpectOneRecordPerPerson(people, texts, {PiiType::kEmail, PiiType::kIban});
}

// `json` (compact) pretty-printed as JSON.stringify(x, null, 2) or `jq .` write it: a member per
// line, closing brackets on lines of their own.
std::string PrettyJson(std::string_view json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] { out += "\n" + std::string(2 * static_cast<std::size_t>(depth), ' '); };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') out += json[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '}' || c == ']') {
      --depth;
      newline();
    }
    out += c;
    if (c == ':') out += ' ';
    if (c == '{' || c == '[') ++depth;
    if (c == '{' || c == '[' || c == ',') newline();
  }
  return out;
}

// DTO-shaped persons with an array of objects (a follow-up history) inside each person, before
// its civil status: one record per person, compact and pretty-printed. Before, the array's "},{"
// ended the person's group (the contact details made one record keyed by the e-mail, the civil
// status a second keyed by the NIR), and pretty-printed, the line closing a nested object
// ended it too (a line not ending in , { [ : > is a row's end): every person counted twice.
TEST(Records, ArrayInsideAPersonOnePersonEach) {
  const auto people = People(150, 29);
  std::string s = "{\"page\":1,\"demandeurs\":[";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    s += std::string(i ? "," : "") + "{\"coordonnees\":{\"email\":\"" + p.email + "\",\"telephone\":\"" + p.phone +
         "\"},\"historique\":[{\"type\":\"RDV\",\"canal\":\"agence\"},{\"type\":\"MAIL\"},{\"type\":\"ATELIER\"}],"
         "\"etatCivil\":{\"nir\":\"" + p.nir + "\",\"dateNaissance\":\"" + p.birth + "\"},\"banque\":{\"iban\":\"" +
         p.iban + "\"}}";
  }
  s += "]}";
  ExpectOneRecordPerPerson(people, {s, PrettyJson(s)},
                           {PiiType::kNir, PiiType::kEmail, PiiType::kPhone, PiiType::kIban, PiiType::kBirthDate});
}

// A person holding two phones and two e-mails (mobile and landline, personal and work), the
// second of each after other members (an address object between), and an object with their
// advisor's e-mail: one record per person, each value counted. A related person nested in it
// (a spouse with his own NIR) is a record of his own, as is each person of the array. Compact
// and pretty-printed. Before, the second phone started the next person: the rest of the object
// made a second record, keyed by the IBAN (every person counted twice).
TEST(Records, RepeatedTypeInOnePersonObject) {
  const auto people = People(100, 37), spouses = People(100, 38);
  std::string s = "[";
  std::vector<std::uint64_t> keys;
  KeyedHasher hash("repeat");
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string n = PiiGenerator::Pad(static_cast<int>(i), 2);
    s += std::string(i ? "," : "") + "{\"nir\":\"" + p.nir + "\",\"telephone\":\"" + p.phone + "\",\"email\":\"" +
         p.email + "\",\"adresse\":{\"rue\":\"" + p.street + "\",\"ville\":\"Paris\"},\"portable\":\"06 12 34 56 " +
         n.substr(n.size() - 2) + "\",\"email_pro\":\"c.martin" + n + "@example.com\",\"conseiller\":{\"nom\":\"DURAND\"," +
         "\"email\":\"a.durand@francetravail.fr\"},\"iban\":\"" + p.iban + "\"" +
         (i % 2 ? ",\"conjoint\":{\"nir\":\"" + spouses[i].nir + "\",\"telephone\":\"" + spouses[i].phone + "\"}" : "") +
         "}";
    keys.push_back(hash(p.nir));
    if (i % 2) keys.push_back(hash(spouses[i].nir));
  }
  s += "]";
  std::sort(keys.begin(), keys.end());
  PiiEngineOptions o;
  o.secret = "repeat";
  Harness h(DefaultEngine(o));
  for (const std::string& text : {s, PrettyJson(s)}) {
    const ScanSummary r = h.Scan(text);
    EXPECT_EQ(r.records, keys) << text.substr(0, 40);
    EXPECT_EQ(r.matches[Idx(PiiType::kPhone)], 2 * people.size() + people.size() / 2) << text.substr(0, 40);
    EXPECT_EQ(r.matches[Idx(PiiType::kEmail)], 3 * people.size()) << text.substr(0, 40);
    EXPECT_EQ(r.matches[Idx(PiiType::kAddress)], people.size()) << text.substr(0, 40);
  }
  // DTO-shaped: both phones and the e-mail in the contact object, the NIR in a sibling one
  // before it (before, the second phone and the e-mail made a second record).
  std::string dto = "[";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    dto += std::string(i ? "," : "") + "{\"etatCivil\":{\"nir\":\"" + p.nir + "\"},\"contact\":{\"telephone\":\"" +
           p.phone + "\",\"mobile\":\"07 12 34 56 " + PiiGenerator::Pad(static_cast<int>(i % 100), 2) + "\",\"email\":\"" +
           p.email + "\"}}";
  }
  ExpectOneRecordPerPerson(people, {dto + "]", PrettyJson(dto + "]")}, {PiiType::kNir});
}

// The same in XML (a SOAP listing, pretty-printed) and in an HTML table: a person's second phone
// and second e-mail, each in an element of its own next to the first, and the advisor's e-mail in
// an element the person's holds, are that person's; the next person's element is another.
TEST(Records, RepeatedTypeInOnePersonElement) {
  const auto people = People(100, 47);
  std::string xml = "<?xml version=\"1.0\"?>\n<demandeurs>\n", html = "<table>\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string n = PiiGenerator::Pad(static_cast<int>(i % 100), 2);
    xml += "  <demandeur>\n    <nir>" + p.nir + "</nir>\n    <telephone>" + p.phone + "</telephone>\n    <portable>07 12 34 56 " +
           n + "</portable>\n    <email>" + p.email + "</email>\n    <emailPro>c.martin" + n +
           "@entreprise.fr</emailPro>\n    <conseiller>\n      <nom>DURAND</nom>\n      <email>a.durand@francetravail.fr</email>\n"
           "    </conseiller>\n    <iban>" + p.iban + "</iban>\n  </demandeur>\n";
    html += "  <tr>\n    <td>" + p.nir_spaced + "</td>\n    <td>" + p.phone + "</td>\n    <td>07 12 34 56 " + n +
            "</td>\n    <td>" + p.email + "</td>\n    <td>" + p.iban + "</td>\n  </tr>\n";
  }
  xml += "</demandeurs>\n";
  html += "</table>\n";
  ExpectOneRecordPerPerson(people, {xml, html}, {PiiType::kNir, PiiType::kIban});
  Harness h;
  EXPECT_EQ(h.Scan(xml).matches[Idx(PiiType::kPhone)], 2 * people.size());
  EXPECT_EQ(h.Scan(xml).matches[Idx(PiiType::kEmail)], 3 * people.size());
  EXPECT_EQ(h.Scan(html).matches[Idx(PiiType::kPhone)], 2 * people.size());
}

// A person's contact details as an array of objects (`"contacts":[{"type":…,"valeur":…},…]`),
// the NIR next to it or in a sibling object before it, in JSON (compact and pretty-printed) and
// XML: one record per person. Before, each `},{` of the array ended the group: the second phone
// and the e-mail made a second record keyed by the e-mail (every person counted twice). People
// listed e-mail first stay one record each (the NIR's object closes before the next person's
// e-mail), and a contact listing without such an identifier keeps a record per contact.
TEST(Records, ContactArrayInsideAPerson) {
  const auto people = People(100, 53);
  std::string flat = "{\"resultats\":[", dto = "[", xml = "<demandeurs>\n", email_first = "[";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string n = PiiGenerator::Pad(static_cast<int>(i % 100), 2);
    const std::string contacts = "\"contacts\":[{\"type\":\"MOBILE\",\"valeur\":\"" + p.phone +
                                 "\"},{\"type\":\"FIXE\",\"valeur\":\"01 45 67 89 " + n +
                                 "\"},{\"type\":\"MAIL\",\"valeur\":\"" + p.email + "\"}]";
    const std::string sep = i ? "," : "";
    flat += sep + "{\"nir\":\"" + p.nir + "\",\"nom\":\"MARTIN\"," + contacts + ",\"iban\":\"" + p.iban + "\"}";
    dto += sep + "{\"etatCivil\":{\"nir\":\"" + p.nir + "\",\"nom\":\"MARTIN\"},\"coordonnees\":{" + contacts +
           "},\"banque\":{\"iban\":\"" + p.iban + "\"}}";
    xml += "  <demandeur>\n    <nir>" + p.nir + "</nir>\n    <contacts>\n      <contact><type>MOBILE</type><valeur>" +
           p.phone + "</valeur></contact>\n      <contact><type>FIXE</type><valeur>01 45 67 89 " + n +
           "</valeur></contact>\n      <contact><type>MAIL</type><valeur>" + p.email +
           "</valeur></contact>\n    </contacts>\n    <iban>" + p.iban + "</iban>\n  </demandeur>\n";
    email_first += sep + "{\"email\":\"" + p.email + "\",\"nir\":\"" + p.nir + "\",\"telephone\":\"" + p.phone + "\"}";
  }
  flat += "]}";
  dto += "]";
  xml += "</demandeurs>\n";
  email_first += "]";
  ExpectOneRecordPerPerson(people, {flat, PrettyJson(flat), dto, PrettyJson(dto), xml},
                           {PiiType::kNir, PiiType::kEmail, PiiType::kIban});
  ExpectOneRecordPerPerson(people, {email_first, PrettyJson(email_first)},
                           {PiiType::kNir, PiiType::kEmail, PiiType::kPhone});
  Harness h;
  for (const std::string& text : {flat, PrettyJson(dto), xml})
    EXPECT_EQ(h.Scan(text).matches[Idx(PiiType::kPhone)], 2 * people.size()) << text.substr(0, 40);
  // Contacts alone (a phone and an e-mail each, no NIR, IBAN, birth date nor address around
  // them): each is a record of its own, keyed by its e-mail.
  std::string listing = "{\"agence\":\"PARIS 11\",\"contacts\":[";
  for (std::size_t i = 0; i < people.size(); ++i)
    listing += std::string(i ? "," : "") + "{\"telephone\":\"" + people[i].phone + "\",\"email\":\"" + people[i].email + "\"}";
  EXPECT_EQ(h.Scan(listing + "]}").records.size(), people.size());
  // Any chunking reads the same (the walk back to the anchor crosses feeds).
  for (const std::string& text : {dto, xml, email_first}) {
    const ScanSummary whole = h.Scan(text);
    std::vector<std::size_t> every, cuts;
    for (std::size_t i = 1; i < text.size(); ++i) every.push_back(i);
    for (std::size_t i = 37; i < text.size(); i += 37 + i % 101) cuts.push_back(i);
    ExpectSame(whole, ScanChunked(h.scanner, text, every), "1 byte at a time: " + text.substr(0, 20));
    ExpectSame(whole, ScanChunked(h.scanner, text, cuts), "chunks: " + text.substr(0, 20));
  }
}

// A person's data as a tree, written as JSON or XML: a leaf (name, value), an object (name,
// members) or an array of objects (name, the items' element name in XML, items).
struct Node {
  std::string name, value, item;
  std::vector<Node> kids;
  enum class Kind { kLeaf, kObject, kArray } kind = Kind::kLeaf;
  static Node Leaf(std::string n, std::string v) { return Node{std::move(n), std::move(v), "", {}, Kind::kLeaf}; }
  static Node Object(std::string n, std::vector<Node> k) { return Node{std::move(n), "", "", std::move(k), Kind::kObject}; }
  static Node Array(std::string n, std::string item, std::vector<Node> objects) {
    return Node{std::move(n), "", std::move(item), std::move(objects), Kind::kArray};
  }
};

std::string ToJson(const std::vector<Node>& members) {
  std::string s = "{";
  for (std::size_t k = 0; k < members.size(); ++k) {
    const Node& m = members[k];
    s += std::string(k ? "," : "") + "\"" + m.name + "\":";
    if (m.kind == Node::Kind::kLeaf) {
      s += "\"" + m.value + "\"";
    } else if (m.kind == Node::Kind::kObject) {
      s += ToJson(m.kids);
    } else {
      s += "[";
      for (std::size_t i = 0; i < m.kids.size(); ++i) s += (i ? "," : "") + ToJson(m.kids[i].kids);
      s += "]";
    }
  }
  return s + "}";
}

// Pretty: an element per line, indented by depth.
std::string ToXml(const std::string& name, const std::vector<Node>& members, bool pretty, int depth) {
  const std::string in = pretty ? "\n" + std::string(2 * static_cast<std::size_t>(depth + 1), ' ') : "";
  std::string s = "<" + name + ">";
  for (const Node& m : members) {
    s += in;
    if (m.kind == Node::Kind::kLeaf) {
      s += "<" + m.name + ">" + m.value + "</" + m.name + ">";
    } else if (m.kind == Node::Kind::kObject) {
      s += ToXml(m.name, m.kids, pretty, depth + 1);
    } else {
      std::vector<Node> items;
      for (const Node& it : m.kids) items.push_back(Node::Object(m.item, it.kids));
      s += ToXml(m.name, items, pretty, depth + 1);
    }
  }
  return s + (pretty ? "\n" + std::string(2 * static_cast<std::size_t>(depth), ' ') : "") + "</" + name + ">";
}

// Random layouts of the same people (RandomLayouts*, RandomHtmlTables*): draws, and what every
// layout must read: one record per person keyed by its NIR, and per person `per_person[t]`
// matches of each type t (an exact count, 0 included).
struct LayoutTrials {
  LayoutTrials(std::uint32_t people_seed, std::uint32_t draw_seed, const std::string& secret)
      : people(People(40, people_seed)), rng(draw_seed), h(DefaultEngine(Options(secret))), keys(ExpectedNirKeys(people, secret)) {}
  static PiiEngineOptions Options(const std::string& secret) {
    PiiEngineOptions o;
    o.secret = secret;
    return o;
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  void Expect(const std::string& text, const std::map<PiiType, std::size_t>& per_person, const std::string& what) {
    const ScanSummary r = h.Scan(text);
    EXPECT_EQ(r.records, keys) << r.records.size() << " records, " << what;
    for (const auto& [type, n] : per_person)
      EXPECT_EQ(r.matches[Idx(type)], n * people.size()) << kPiiTypeNames[Idx(type)] << ", " << what;
  }
  std::vector<Person> people;
  std::mt19937 rng;
  Harness h;
  std::vector<std::uint64_t> keys;
};

// Job-seeker APIs lay a person out in many ways; the record rules must read one person per
// object (element) in each. Random layouts (fixed within a listing, as an API's are): the NIR
// flat or in a civil-status object with the birth date; the phones flat (one or two), in a
// contact object with the e-mail, or in an array of contact objects (the e-mail in it too); the
// IBAN flat, in a bank object or absent; maybe an array of two addresses or of two children
// with their birth dates; non-personal members between (a history array of objects, an id); the
// members in random order; JSON (bare array or in a wrapper, compact or
// pretty-printed), JSON Lines or XML (compact or pretty-printed). One record per person keyed by its NIR,
// and each value counted once (a second address or child's birth date is another field of the
// person: not counted). Excluded (documented limits, sensor/match/README.md): an array of
// contact objects or addresses before every non-repeatable value of its person (its `},{` cannot
// be told from the next person's); a person longer than record_window_bytes (512 bytes as
// written, its indentation counted: such layouts are skipped, about half of the pretty ones).
TEST(Records, RandomLayoutsOnePersonEach) {
  LayoutTrials t(61, 2024, "layouts");
  const auto& people = t.people;
  auto pick = [&](int n) { return t.Pick(n); };
  int run = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const bool nir_nested = pick(2) == 1, birth = pick(3) != 0, two_phones = pick(2) == 1, pretty = pick(2) == 1;
    const int contact = pick(3);  // 0 flat, 1 object, 2 array of contact objects
    const int iban = pick(3);     // 0 absent, 1 flat, 2 bank object
    const int format = pick(5);   // 0-2 JSON (bare array, two wrappers), 3 XML, 4 JSON Lines (one object a line)
    const int extra = pick(3);    // 0 none, 1 an array of two addresses, 2 of two children with their birth dates
    enum Block { kNir, kBirth, kContact, kIban, kHistory, kId, kExtra };
    std::vector<Block> order = {kNir, kContact, kHistory, kId};
    if (birth && !nir_nested) order.push_back(kBirth);
    if (iban != 0) order.push_back(kIban);
    if (extra != 0) order.push_back(kExtra);
    std::shuffle(order.begin(), order.end(), t.rng);
    // Arrays of objects holding personal data come after a non-repeatable value of the person.
    for (Block array : {kContact, kExtra}) {
      if (array == kContact && contact != 2) continue;
      const auto c = std::find(order.begin(), order.end(), array);
      const auto first_anchor = std::find_if(order.begin(), order.end(), [](Block b) { return b == kNir || b == kBirth || b == kIban; });
      if (c < first_anchor) std::iter_swap(c, first_anchor);
    }
    std::string json, xml;
    std::size_t longest = 0;  // the longest person as written
    for (std::size_t i = 0; i < people.size(); ++i) {
      const Person& p = people[i];
      const std::string mobile = "07 12 34 56 " + PiiGenerator::Pad(static_cast<int>(i), 2);
      std::vector<Node> phones = {Node::Leaf("telephone", p.phone)};
      if (two_phones) phones.push_back(Node::Leaf("portable", mobile));
      auto contact_means = [](std::string type, std::string v) {
        return Node::Object("", {Node::Leaf("type", std::move(type)), Node::Leaf("valeur", std::move(v))});
      };
      std::vector<Node> person;
      for (Block b : order) {
        switch (b) {
          case kNir:
            if (!nir_nested) {
              person.push_back(Node::Leaf("nir", p.nir));
            } else {
              std::vector<Node> civil = {Node::Leaf("nir", p.nir)};
              if (birth) civil.push_back(Node::Leaf("dateNaissance", p.birth));
              civil.push_back(Node::Leaf("nom", "MARTIN"));
              person.push_back(Node::Object("etatCivil", civil));
            }
            break;
          case kBirth: person.push_back(Node::Leaf("date_naissance", p.birth)); break;
          case kContact:
            if (contact == 0) {
              person.insert(person.end(), phones.begin(), phones.end());
              person.push_back(Node::Leaf("email", p.email));
            } else if (contact == 1) {
              phones.push_back(Node::Leaf("email", p.email));
              person.push_back(Node::Object("coordonnees", phones));
            } else {
              std::vector<Node> means = {contact_means("MOBILE", p.phone)};
              if (two_phones) means.push_back(contact_means("FIXE", mobile));
              means.push_back(contact_means("MAIL", p.email));
              person.push_back(Node::Array("contacts", "contact", means));
            }
            break;
          case kIban:
            person.push_back(iban == 1 ? Node::Leaf("iban", p.iban)
                                       : Node::Object("banque", {Node::Leaf("iban", p.iban), Node::Leaf("bic", "AGRIFRPP")}));
            break;
          case kHistory:
            person.push_back(Node::Array("historique", "evenement", {Node::Object("", {Node::Leaf("type", "RDV")}),
                                                                     Node::Object("", {Node::Leaf("type", "MAIL")})}));
            break;
          case kId: person.push_back(Node::Leaf("id", std::to_string(1000 + i))); break;
          case kExtra:
            if (extra == 1) {
              person.push_back(Node::Array("adresses", "adresse",
                                           {Node::Object("", {Node::Leaf("type", "PRINCIPALE"), Node::Leaf("ligne", p.street)}),
                                            Node::Object("", {Node::Leaf("type", "CORRESPONDANCE"),
                                                              Node::Leaf("ligne", "3 avenue Foch")})}));
            } else {
              person.push_back(Node::Array("enfants", "enfant",
                                           {Node::Object("", {Node::Leaf("prenom", "Lea"), Node::Leaf("date_naissance", "2012-04-0" + std::to_string(1 + i % 9))}),
                                            Node::Object("", {Node::Leaf("prenom", "Tom"), Node::Leaf("date_naissance", "2015-09-1" + std::to_string(i % 10))})}));
            }
            break;
        }
      }
      json += (i ? format == 4 ? "\n" : "," : "") + ToJson(person);
      xml += (pretty ? "\n  " : "") + ToXml("demandeur", person, pretty, 1);
      const bool indented = pretty && format < 3;
      const std::string one = format == 3 ? ToXml("demandeur", person, pretty, 1) : indented ? PrettyJson(ToJson(person)) : ToJson(person);
      longest = std::max(longest, one.size() + (indented ? 4 * static_cast<std::size_t>(std::count(one.begin(), one.end(), '\n')) : 0));
    }
    if (longest > PiiEngineOptions{}.record_window_bytes) continue;  // (its indentation counted) beyond the documented reach
    ++run;
    if (format < 3)
      json = (format == 0 ? "[" : format == 1 ? "{\"total\":40,\"data\":[" : "{\"page\":1,\"resultats\":[") + json +
             (format == 0 ? "]" : "]}");
    const std::string text = format == 3 ? "<resultats>" + xml + (pretty ? "\n" : "") + "</resultats>\n"
                             : format == 4 ? json + "\n"  // (never pretty-printed)
                             : pretty      ? PrettyJson(json)
                                           : json;
    // A second address or birth date in the person is another of its fields: not counted.
    t.Expect(text,
             {{PiiType::kNir, 1}, {PiiType::kEmail, 1}, {PiiType::kPhone, two_phones ? 2 : 1}, {PiiType::kIban, iban != 0},
              {PiiType::kBirthDate, birth || extra == 2}, {PiiType::kAddress, extra == 1}},
             "trial " + std::to_string(trial) + ": " + (format == 3 ? xml : json).substr(0, 700));
  }
  EXPECT_GT(run, 300) << run;
}

// The same people as an HTML page an advisor's tool renders: a table, a row per person, its
// cells in a random order (the NIR plain or spaced, the birth date as dd/mm/yyyy, one or two
// phones in one cell (a line break or a list between them) or in two, the e-mail, maybe the
// IBAN, non-personal cells), compact or a tag per line, with or without a header row. One record
// per person keyed by its NIR, each value counted once (a birth date only under its header).
TEST(Records, RandomHtmlTablesOnePersonEach) {
  LayoutTrials t(67, 2025, "tables");
  const auto& people = t.people;
  auto pick = [&](int n) { return t.Pick(n); };
  for (int trial = 0; trial < 200; ++trial) {
    const bool spaced = pick(2) == 1, two_phones = pick(2) == 1, iban = pick(2) == 1, pretty = pick(2) == 1,
               header = pick(2) == 1;
    const int phones = pick(3);  // two phones: 0 two cells, 1 a <br> between, 2 a list
    enum Cell { kNir, kName, kBirth, kPhone, kEmail, kIban, kStatus };
    std::vector<Cell> order = {kNir, kName, kBirth, kPhone, kEmail, kStatus};
    if (iban) order.push_back(kIban);
    std::shuffle(order.begin(), order.end(), t.rng);
    const std::string nl = pretty ? "\n    " : "";
    std::string html = std::string("<table>") + (pretty ? "\n  " : "");
    if (header) {
      html += "<tr>";
      for (Cell c : order) {
        static const char* const kNames[] = {"NIR", "Nom", "Date de naissance", "T\xc3\xa9l\xc3\xa9phone", "Courriel", "IBAN", "Statut"};
        html += nl + "<th>" + kNames[c] + "</th>";
      }
      html += (pretty ? "\n  " : "") + std::string("</tr>") + (pretty ? "\n  " : "");
    }
    for (std::size_t i = 0; i < people.size(); ++i) {
      const Person& p = people[i];
      const std::string mobile = "07 12 34 56 " + PiiGenerator::Pad(static_cast<int>(i), 2);
      const std::string birth = p.birth.substr(8, 2) + "/" + p.birth.substr(5, 2) + "/" + p.birth.substr(0, 4);
      html += "<tr>";
      for (Cell c : order) {
        switch (c) {
          case kNir: html += nl + "<td>" + (spaced ? p.nir_spaced : p.nir) + "</td>"; break;
          case kName: html += nl + "<td>MARTIN Claire</td>"; break;
          case kBirth: html += nl + "<td>" + birth + "</td>"; break;
          case kPhone:
            if (!two_phones) html += nl + "<td>" + p.phone + "</td>";
            else if (phones == 0) html += nl + "<td>" + p.phone + "</td>" + nl + "<td>" + mobile + "</td>";
            else if (phones == 1) html += nl + "<td>" + p.phone + "<br>" + mobile + "</td>";
            else html += nl + "<td><ul><li>" + p.phone + "</li><li>" + mobile + "</li></ul></td>";
            break;
          case kEmail: html += nl + "<td>" + p.email + "</td>"; break;
          case kIban: html += nl + "<td>" + p.iban + "</td>"; break;
          case kStatus: html += nl + "<td>inscrit</td>"; break;
        }
      }
      html += (pretty ? "\n  " : "") + std::string("</tr>") + (pretty ? "\n  " : "");
    }
    html += "</table>\n";
    // A birth date needs its context: the header's "Date de naissance" names it for the page.
    t.Expect(html,
             {{PiiType::kNir, 1}, {PiiType::kEmail, 1}, {PiiType::kPhone, two_phones ? 2 : 1}, {PiiType::kIban, iban},
              {PiiType::kBirthDate, header}},
             "trial " + std::to_string(trial) + ": " + html.substr(0, 600));
  }
}

// An advisor's web page listing job seekers: a table whose header row names the columns (France
// Travail id, birth date) far above most rows. Each id counts (its column is the context it
// needs) and is one person by itself (its column names it), each birth date counts in its row,
// whatever the chunking (pieces and staging as the sensor feeds them, one byte at a time). After
// a gap the table open before it is not followed: its later rows' ids lack their context.
TEST(Records, HtmlTableColumnsWhateverTheChunking) {
  const auto people = People(150, 43);
  std::string html =
      "<!DOCTYPE html>\n<html><head><style>th { text-align: left }</style></head><body>\n"
      "<table id=\"portefeuille\"><thead><tr><th>Nom</th><th>Identifiant&nbsp;FT</th><th>Date de naissance</th>"
      "<th>Agence</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string birth = p.birth.substr(8, 2) + "/" + p.birth.substr(5, 2) + "/" + p.birth.substr(0, 4);
    html += "<tr><td>MARTIN Claire</td><td><a href=\"/dossier?id=" + std::to_string(i) + "\">" + p.ft_id +
            "</a></td><td>" + birth + "</td><td>75011</td></tr>\n";
  }
  html += "</tbody></table></body></html>\n";
  for (std::size_t coalesce : {std::size_t{0}, std::size_t{64}, std::size_t{16384}}) {
    PiiEngineOptions o;
    o.coalesce_bytes = coalesce;
    const auto engine = DefaultEngine(o);
    Harness h(engine);
    const ScanSummary whole = ScanChunked(h.scanner, html, {});
    std::vector<std::uint64_t> keys;
    for (const Person& p : people) keys.push_back(engine->hasher(p.ft_id));
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(whole.records, keys);
    EXPECT_EQ(whole.matches[Idx(PiiType::kFranceTravailId)], people.size());
    EXPECT_EQ(whole.matches[Idx(PiiType::kBirthDate)], people.size());
    std::mt19937 rng(static_cast<std::uint32_t>(coalesce) + 5);
    for (int round = 0; round < 20; ++round) {
      std::set<std::size_t> cut_set;
      const int n = std::uniform_int_distribution<int>(1, 60)(rng);
      for (int k = 0; k < n; ++k) cut_set.insert(std::uniform_int_distribution<std::size_t>(1, html.size() - 1)(rng));
      ExpectSame(whole, ScanChunked(h.scanner, html, {cut_set.begin(), cut_set.end()}),
                 "round " + std::to_string(round) + " coalesce " + std::to_string(coalesce));
    }
    std::vector<std::size_t> every;
    for (std::size_t k = 1; k < html.size(); ++k) every.push_back(k);
    ExpectSame(whole, ScanChunked(h.scanner, html, every), "1 byte at a time, coalesce " + std::to_string(coalesce));
    // A gap in the middle: the rows after it (but the one it cuts) are not typed any more.
    const std::size_t gap = html.find("<tr>", html.size() / 2);
    const ScanSummary g = ScanChunked(h.scanner, html, {}, gap);
    const std::size_t before = static_cast<std::size_t>(std::count(html.begin(), html.begin() + static_cast<std::ptrdiff_t>(gap), '\n')) - 3;
    EXPECT_EQ(g.matches[Idx(PiiType::kFranceTravailId)], before);
    EXPECT_EQ(g.records.size(), before);
  }
}

// An identity API serialized by .NET (a DateTime birth date: "1985-05-12T00:00:00"), a JSON
// date at UTC midnight and a CSV export of the same form: the NIR and the birth date are two
// types, so one record per person. Before, the tokenizer read "12T00" as one word: no birth
// date, the NIR alone, no record (0 distinct people for the tracker).
TEST(Records, MidnightDateTimeBirthDates) {
  const auto people = People(120, 31);
  std::string dotnet = "[", js = "[", csv = "nir;dateNaissance;statut\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    dotnet += std::string(i ? "," : "") + "{\"nir\":\"" + p.nir + "\",\"nom\":\"MARTIN\",\"dateNaissance\":\"" + p.birth +
              "T00:00:00\"}";
    js += std::string(i ? "," : "") + "{\"nir\":\"" + p.nir + "\",\"birthDate\":\"" + p.birth + "T00:00:00.000Z\"}";
    csv += p.nir + ";" + p.birth + "T00:00:00;inscrit\n";
  }
  ExpectOneRecordPerPerson(people, {dotnet + "]", js + "]", csv}, {PiiType::kNir, PiiType::kBirthDate});
  // Another time of day is a timestamp, not a birth date.
  const auto engine = DefaultEngine();
  Harness h(engine);
  const ScanSummary s = h.Scan("{\"nir\":\"" + people[0].nir + "\",\"dateNaissance\":\"" + people[0].birth + "T10:00:00\"}");
  EXPECT_EQ(s.records, std::vector<std::uint64_t>{engine->hasher(people[0].nir)});  // the named NIR alone
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 0u);
}

// A NIR (a France Travail id) is one person by itself where its name is certain (signatures'
// `identifies`): a listing of names and NIRs counts its people, in JSON (`"nir": "…"`,
// camelCase keys), in a typed CSV column (rows grouped one by one or at once), after a label,
// as an XML element's text (`<ns:NIR>`), in an HTML table's column its header names (rows away;
// the value in a link too). A valid NIR whose name is not certain (under "imei" or `<imei>`, in
// running text, in an array under another key, in an HTML table without a header or under
// another one) stays a match without a record; the elements of an array under a NIR key are
// named; an IBAN alone is no person (not `identifies`).
TEST(Records, NamedIdentifierAloneIsAPerson) {
  const auto people = People(80, 37);
  std::string json = "[", camel = "{\"items\":[", csv = "nom;prenom;numero_securite_sociale\n", labeled,
              imei = "[", text, ibans = "[", xml = "<liste>", xml_imei = "<appareils>\n", table = "<table>",
              ft = "[", ft_camel = "[", ft_csv = "nom;prenom;identifiant_ft\n", generic = "[",
              // Keys and elements holding a name as words, wherever in them (KeyNames).
              words = "[", xml_attr = "<liste>", ft_words = "[", unnamed_words = "[", xml_unnamed = "<liste>",
              // HTML tables whose header row names (or not) the column, rows away.
              table_named = "<table>\n<thead><tr><th>Nom</th><th>N&deg; de s&eacute;curit&eacute; sociale</th></tr></thead>\n",
              table_imei = "<table><tr><th>Nom</th><th>IMEI</th></tr>",
              // A sheet saved as HTML: no <th>, its first row of <td> cells names the columns.
              sheet = "<table border=1><tr><td><b>Nom</b></td><td><b>NIR</b></td></tr>\n",
              ft_table = "<html><body><table><tr><th>Nom</th><th>Identifiant France Travail</th></tr>",
              // A file per person, as key/value tables: the <th> before a <td> names it.
              files = "<!DOCTYPE html><html><body>\n", files_imei = "<html><body>\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const std::string sep = i ? "," : "";
    ft += sep + "{\"nom\":\"MARTIN\",\"id_france_travail\":\"" + p.ft_id + "\"}";
    ft_camel += sep + "{\"nom\":\"MARTIN\",\"identifiantFt\": \"" + p.ft_id + "\"}";
    ft_csv += "MARTIN;Claire;" + p.ft_id + "\n";
    generic += sep + "{\"nom\":\"MARTIN\",\"identifiant\":\"" + p.ft_id + "\"}";
    json += sep + "{\"nom\":\"MARTIN\",\"prenom\":\"Claire\",\"nir\":\"" + p.nir + "\"}";
    camel += sep + "{\"nom\":\"MARTIN\",\"numeroSecuriteSociale\": \"" + p.nir + "\",\"statut\":\"inscrit\"}";
    csv += "MARTIN;Claire;" + p.nir + "\n";
    labeled += "Nom : MARTIN Claire\nNIR : " + p.nir_spaced + "\n\n";
    imei += sep + "{\"imei\":\"" + p.nir + "\",\"modele\":\"T" + std::to_string(i) + "\"}";
    text += "Le terminal " + p.nir + " est en panne.\n";
    ibans += sep + "{\"nom\":\"MARTIN\",\"iban\":\"" + p.iban + "\"}";
    xml += "<demandeur><nom>MARTIN</nom><ns:NIR>" + (i % 2 ? p.nir : p.nir_spaced) + "</ns:NIR></demandeur>";
    xml_imei += "  <appareil>\n    <imei>\n      " + p.nir + "\n    </imei>\n  </appareil>\n";
    table += "<tr><td>MARTIN</td><td>" + p.nir + "</td></tr>";
    table_named += "<tr><td>MARTIN</td><td>" +
                   (i % 3 == 0 ? "<a href=\"/dossiers/" + std::to_string(i) + "\">" + p.nir + "</a>" : " " + p.nir_spaced) +
                   "</td></tr>\n";
    table_imei += "<tr><td>MARTIN</td><td>" + p.nir + "</td></tr>";
    sheet += "<tr><td>MARTIN</td><td x:str>" + p.nir + "</td></tr>\n";
    ft_table += "<tr><td>MARTIN</td><td>" + p.ft_id + "</td></tr>";
    files += "<h2>Dossier " + std::to_string(i) + "</h2><table class=\"fiche\"><tr><th>Nom</th><td>MARTIN Claire</td></tr>\n"
             "<tr><th scope=\"row\">N&deg; de s&eacute;curit&eacute; sociale</th><td>" + (i % 2 ? p.nir : p.nir_spaced) +
             "</td></tr>\n<tr><th>Statut</th><td>inscrit</td></tr></table>\n" + std::string(400, ' ') + "\n";
    files_imei += "<table><tr><th>Mod&egrave;le</th><td>T" + std::to_string(i) + "</td></tr><tr><th>IMEI</th><td>" + p.nir +
                  "</td></tr></table>\n" + std::string(400, ' ') + "\n";
    static const char* const kNirKeys[] = {"nir_assure", "nirAssure", "NIR-BENEFICIAIRE", "numeroNirCertifie", "nir2"};
    words += sep + "{\"nom\":\"MARTIN\",\"" + kNirKeys[i % 5] + "\": \"" + p.nir + "\"}";
    static const char* const kNirTags[] = {"nir type=\"certifie\"", "ns:nirAssure", "NIR\n  statut=\"ok\""};
    const std::string tag = kNirTags[i % 3];
    xml_attr += "<demandeur><nom>MARTIN</nom><" + tag + ">" + p.nir + "</" + tag.substr(0, tag.find_first_of(" \n")) +
                "></demandeur>";
    ft_words += sep + "{\"nom\":\"MARTIN\",\"identifiantFtDemandeur\":\"" + p.ft_id + "\"}";
    // "nir" inside a word, not one: no name.
    static const char* const kNotNirKeys[] = {"nirvana", "miniRapport", "nirvanaId", "codeNIRVANA"};
    unnamed_words += sep + "{\"nom\":\"MARTIN\",\"" + kNotNirKeys[i % 4] + "\":\"" + p.nir + "\"}";
    xml_unnamed += i % 2 ? "<nirvana type=\"x\">" + p.nir + "</nirvana>" : "<imei nir=\"non\">" + p.nir + "</imei>";
  }
  // Arrays of NIRs under a NIR key: each element named (strings, numbers, pretty-printed); under
  // another key, none.
  const std::string bare = "{\"nir\":[\"" + people[0].nir + "\",\"" + people[1].nir + "\", \"" + people[2].nir + "\"]}",
                    numbers = "{\"nirs\": [\n    " + people[0].nir + ",\n    " + people[1].nir + ",\n    " + people[2].nir + "\n  ]}",
                    imeis = "{\"imeis\":[\"" + people[0].nir + "\",\"" + people[1].nir + "\",\"" + people[2].nir + "\"]}";
  for (std::uint32_t excerpts : {0u, 3u, 1000u}) {
    PiiEngineOptions o;
    o.max_excerpts = excerpts;
    const auto engine = DefaultEngine(o);
    Harness h(engine);
    std::vector<std::uint64_t> keys;
    for (const Person& p : people) keys.push_back(engine->hasher(p.nir));
    std::sort(keys.begin(), keys.end());
    for (const std::string& listing :
         {json + "]", camel + "]}", csv, labeled, xml + "</liste>", words + "]", xml_attr + "</liste>",
          table_named + "</table>", sheet + "</table>", files}) {
      const ScanSummary s = h.Scan(listing);
      EXPECT_EQ(s.records, keys) << listing.substr(0, 40) << " excerpts " << excerpts;
      EXPECT_EQ(s.matches[Idx(PiiType::kNir)], people.size()) << listing.substr(0, 40);
    }
    for (const std::string& unnamed : {imei + "]", text, xml_imei + "</appareils>", table + "</table>",
                                       unnamed_words + "]", xml_unnamed + "</liste>", table_imei + "</table>",
                                       files_imei}) {
      const ScanSummary s = h.Scan(unnamed);
      EXPECT_TRUE(s.records.empty()) << unnamed.substr(0, 40);
      EXPECT_EQ(s.matches[Idx(PiiType::kNir)], people.size()) << unnamed.substr(0, 40);
    }
    std::vector<std::uint64_t> three{engine->hasher(people[0].nir), engine->hasher(people[1].nir),
                                     engine->hasher(people[2].nir)};
    std::sort(three.begin(), three.end());
    for (const std::string& array : {bare, numbers}) {
      const ScanSummary b = h.Scan(array);
      EXPECT_EQ(b.records, three) << array;
      EXPECT_EQ(b.matches[Idx(PiiType::kNir)], 3u) << array;
    }
    EXPECT_TRUE(h.Scan(imeis).records.empty());
    const ScanSummary i = h.Scan(ibans + "]");
    EXPECT_TRUE(i.records.empty());
    EXPECT_EQ(i.matches[Idx(PiiType::kIban)], people.size());
  }
  // The France Travail id: named by its own names (a key, a typed column), not by the generic
  // `identifiant` (the context it needs, not a name).
  {
    const auto engine = DefaultEngine();
    Harness h(engine);
    std::vector<std::uint64_t> keys;
    for (const Person& p : people) keys.push_back(engine->hasher(p.ft_id));
    std::sort(keys.begin(), keys.end());
    for (const std::string& listing : {ft + "]", ft_camel + "]", ft_csv, ft_words + "]", ft_table + "</table>"}) {
      const ScanSummary s = h.Scan(listing);
      EXPECT_EQ(s.records, keys) << listing.substr(0, 40);
      EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], people.size()) << listing.substr(0, 40);
    }
    const ScanSummary g = h.Scan(generic + "]");
    EXPECT_TRUE(g.records.empty());
    EXPECT_EQ(g.matches[Idx(PiiType::kFranceTravailId)], people.size());
  }
  // Not `identifies` (a signature file without it): no record alone, as before.
  std::ifstream in(SignaturePath());
  std::stringstream read;
  read << in.rdbuf();
  std::string yaml = read.str();
  const std::size_t at = yaml.find("    identifies: true\n");
  ASSERT_NE(at, std::string::npos);
  yaml.erase(at, std::string("    identifies: true\n").size());
  const std::size_t ft_at = yaml.find("    identifies: [");
  ASSERT_NE(ft_at, std::string::npos);
  yaml.erase(ft_at, yaml.find("    requires_context", ft_at) - ft_at);
  Harness plain(CompilePiiEngine(yaml, "no-identifies.yaml", PiiEngineOptions{}));
  EXPECT_TRUE(plain.Scan(json + "]").records.empty());
  EXPECT_TRUE(plain.Scan(csv).records.empty());
}

// Text with a field per line after its label, as a mail body or a .txt export lists people
// ("NIR : …", or key=value / unquoted YAML): one record per person, persons apart by a blank
// line or simply by the next "Nom" line.
TEST(Records, LabeledLinesOnePersonEach) {
  const auto people = People(120, 19);
  std::string text = "Bonjour,\n\nvoici les dossiers demand\xc3\xa9s :\n\n", yaml = "demandeurs:\n",
              quoted = "demandeurs:\n";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    text += "Nom : MARTIN Claire\nNIR : " + p.nir_spaced + "\nCourriel : " + p.email + "\nT\xc3\xa9l\xc3\xa9phone : " +
            p.phone + "\nIBAN : " + p.iban + (i % 2 ? "\n\n" : "\n");
    yaml += "  - nom: MARTIN\n    nir: " + p.nir + "\n    email: " + p.email + "\n    iban=" + p.iban + "\n";
    // Quoted values after their labels (YAML that quotes strings, key="value" lines).
    quoted += "  - nom: 'MARTIN'\n    nir: '" + p.nir + "'\n    email: \"" + p.email + "\"\n    iban=\"" + p.iban + "\"\n";
  }
  ExpectOneRecordPerPerson(people, {text, yaml, quoted}, {PiiType::kNir, PiiType::kEmail});
}

TEST(Records, CsvFile) {
  PiiEngineOptions o;
  o.secret = "csv";
  Harness h(DefaultEngine(o));
  const auto people = People(250, 11);
  const ScanSummary s = h.Scan(CsvPeople(people));
  EXPECT_EQ(s.records, ExpectedNirKeys(people, "csv"));
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 250u);  // context from the CSV header
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 250u);
  EXPECT_EQ(s.matches[Idx(PiiType::kAddress)], 250u);
}

// NextPart(): the parts of one unit (a request target then its body, MIME parts, an archive's
// files) are each read from their start as a unit is (a CSV part's header types its columns,
// an HTML part is markup), and their findings add up in the one summary Finish() returns
// (records distinct across the parts), whatever the chunking.
TEST(Records, PartsReadFromTheirStartFindingsAddUp) {
  const auto people = People(300, 71);
  // A caseload CSV: its France Travail ids have the context only their column's header gives.
  // Read as columns, its registration dates are not birth dates (their column says what they are).
  std::string csv = "nom;prenom;identifiant_ft;date_naissance;date_inscription\n";
  for (const Person& p : people) csv += "MARTIN;Claire;" + p.ft_id + ";" + p.birth + ";2023-05-12\n";
  // A JSON listing of 60 people, 20 of them in the CSV too (keyed by their France Travail id in both).
  std::string json = "[";
  for (std::size_t i = 280; i < 340; ++i) {
    const Person p = PiiGenerator(71).NextPerson(static_cast<int>(i));
    json += std::string(i > 280 ? "," : "") + "{\"id_france_travail\":\"" + p.ft_id + "\",\"email\":\"" + p.email + "\"}";
  }
  json += "]";
  // An HTML page: followed as markup, its table names a NIR alone (a person).
  const std::string html = "<table><tr><th>Nom</th><th>NIR</th></tr><tr><td>MARTIN</td><td>" +
                           PiiGenerator(72).NextPerson(0).nir + "</td></tr></table>";
  const auto engine = DefaultEngine();
  Harness h(engine);
  const ScanSummary alone_csv = h.Scan(csv), alone_json = h.Scan(json), alone_html = h.Scan(html);
  ASSERT_EQ(alone_csv.matches[Idx(PiiType::kFranceTravailId)], people.size());
  ASSERT_EQ(alone_csv.matches[Idx(PiiType::kBirthDate)], people.size());
  ASSERT_EQ(alone_html.records.size(), 1u);
  const std::vector<std::string> parts = {"/import?lot=3&agence=69003", csv, json, html};
  std::vector<std::uint64_t> want_records;
  for (const ScanSummary* s : {&alone_csv, &alone_json, &alone_html})
    want_records.insert(want_records.end(), s->records.begin(), s->records.end());
  std::sort(want_records.begin(), want_records.end());
  want_records.erase(std::unique(want_records.begin(), want_records.end()), want_records.end());
  ASSERT_LT(want_records.size(), alone_csv.records.size() + alone_json.records.size() + alone_html.records.size());
  std::mt19937 rng(9);
  for (int round = 0; round < 6; ++round) {
    ScanStream s(h.scanner);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k > 0) s.NextPart();
      const std::string& part = parts[k];
      for (std::size_t off = 0; off < part.size();) {
        const std::size_t n = round == 0 ? part.size() : 1 + rng() % (round == 1 ? 3 : 2000);
        s.Feed(AsBytes(std::string_view(part).substr(off, n)));
        off += n;
      }
    }
    const ScanSummary got = s.Finish();
    for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
      EXPECT_EQ(got.matches[t], alone_csv.matches[t] + alone_json.matches[t] + alone_html.matches[t]) << round << " " << t;
      EXPECT_EQ(got.rejected[t], alone_csv.rejected[t] + alone_json.rejected[t] + alone_html.rejected[t]) << round << " " << t;
    }
    EXPECT_EQ(got.records, want_records) << round;
  }
}

// PiiEngineOptions::validate off (bench_match's finders-alone runs): every candidate is counted
// as rejected, nothing is validated, grouped or kept.
TEST(Records, WithoutValidationEveryCandidateIsRejected) {
  const auto people = People(250, 11);
  const std::string csv = CsvPeople(people);
  Harness full;
  PiiEngineOptions o;
  o.validate = false;
  Harness find_only(DefaultEngine(o));
  const ScanSummary a = full.Scan(csv);
  const ScanSummary b = find_only.Scan(csv);
  EXPECT_TRUE(b.records.empty());
  EXPECT_TRUE(b.excerpts.empty());
  for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
    EXPECT_EQ(b.matches[t], 0u) << t;
    EXPECT_GE(b.rejected[t], a.matches[t] + a.rejected[t]) << t;  // every candidate the full scan validated
  }
  EXPECT_EQ(b.rejected[Idx(PiiType::kNir)], 250u);
  EXPECT_EQ(b.rejected[Idx(PiiType::kEmail)], 250u);
}

TEST(Records, KeyIsStrongestPrimaryAndDistinct) {
  PiiEngineOptions o;
  o.secret = "k";
  Harness h(DefaultEngine(o));
  KeyedHasher kh("k");
  // email + phone, no NIR: keyed by the (lower-cased) email.
  auto s = h.Scan("{\"email\":\"Jean.Dupont@Example.org\",\"tel\":\"+33 6 12 34 56 78\"}");
  ASSERT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.records[0], kh("jean.dupont@example.org"));
  // The same person twice in one unit is one record.
  s = h.Scan("{\"tel\":\"0612345678\",\"iban\":\"FR1420041010050500013M02606\"}\n"
             "{\"tel\":\"06.12.34.56.78\",\"iban\":\"FR14 2004 1010 0505 0001 3M02 606\"}\n");
  ASSERT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.records[0], kh("FR1420041010050500013M02606"));
  EXPECT_EQ(s.matches[Idx(PiiType::kPhone)], 2u);
  // A lone identifier is a match, not a record.
  s = h.Scan("contact: jean@example.org");
  EXPECT_EQ(s.records.size(), 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kEmail)], 1u);
}

TEST(Records, BirthDateAndAddressNeverAlone) {
  Harness h;
  auto s = h.Scan("{\"date_naissance\":\"1985-05-12\",\"adresse\":\"12 rue de la Paix\"}");
  EXPECT_EQ(s.records.size(), 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kAddress)], 0u);
  s = h.Scan("{\"date_naissance\":\"1985-05-12\",\"email\":\"a.b@example.org\"}");
  EXPECT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 1u);
}

// The group boundaries between two findings, wherever they fall in the scanned 64-byte blocks:
// a '}' then a '{' (next JSON object), and a newline not preceded by , { [ : > (next CSV/text row).
// Each side holds two types, so joined sides would make one record instead of two (and a side
// alone of one type makes none).
TEST(Records, BoundariesAtAnyPosition) {
  Harness h;
  const std::string email = "jean.dupont@example.org", phone = "06 12 34 56 78";
  const std::string nir = "295109912611193", iban = "FR1420041010050500013M02606";
  for (std::size_t pad = 0; pad < 140; pad += 3) {
    const std::string gap(pad, ' ');
    // {text, records}
    const std::pair<std::string, std::size_t> cases[] = {
        // Rows: two records; a line ending in ',' continues the row: one record of four types.
        {email + " " + phone + gap + "\n" + nir + " " + iban, 2},
        {email + " " + phone + "," + gap + "\n" + nir + " " + iban, 1},
        {email + " " + phone + gap + "," + gap + "\n" + gap + nir + " " + iban, 1},
        // A field per line after a label ("NIR : …"): one person; a blank line between: two.
        {"mail " + email + gap + "\ntel: " + phone + "\nNIR : " + nir + "\niban=" + iban, 1},
        {"mail " + email + "\ntel: " + phone + gap + "\n\nNIR : " + nir + "\niban=" + iban, 2},
        {"mail " + email + "\ntel: " + phone + "\nnom\nNIR : " + nir + "\niban=" + iban, 2},
        // A line ending in a tag's '>' (XML, HTML) continues too.
        {"<a>" + email + " " + phone + "</a>" + gap + "\n" + nir + " " + iban, 1},
        {"<a>" + email + " " + phone + "</a" + gap + "\n" + nir + " " + iban, 2},
        // Objects: "}" then "{" splits (a one-type object then counts nothing); "}" alone does not,
        // nor a sibling object after a key.
        {"{\"a\":\"" + email + "\"}" + gap + ",{\"b\":\"" + phone + "\"}", 0},
        {"{\"a\":\"" + email + "\"}" + gap + "\"b\":\"" + phone + "\"}", 1},
        {"{\"a\":\"" + email + "\"" + gap + "{\"b\":\"" + phone + "\"}", 1},
        {"{\"a\":{\"x\":\"" + email + "\"}," + gap + "\"b\":{\"y\":\"" + phone + "\"}}", 1},
        {"[{\"a\":{\"x\":\"" + email + "\"}}," + gap + "{\"b\":{\"y\":\"" + phone + "\"}}]", 0},
        // An array of objects inside the object ("},{" deeper than the finding's object) does not
        // split; pretty-printed, neither does a line closing a nested object or array.
        {"{\"a\":\"" + email + "\",\"h\":[{\"t\":1}," + gap + "{\"t\":2}],\"b\":\"" + phone + "\"}", 1},
        {"{\"a\":\"" + email + "\",\"h\":[{\"t\":1}]}," + gap + "{\"b\":\"" + phone + "\"}", 0},
        {"{\"c\": {\"a\": \"" + email + "\"" + gap + "\n  },\n  \"d\": [\n    \"" + phone + "\"\n  ]\n}", 1},
        {"{\"c\": [\"" + email + "\"" + gap + "\n  ],\n  \"d\": {\"b\": \"" + phone + "\"}}", 1},
        {"{\"a\": \"" + email + "\"\n" + gap + "x\n  },\n  \"b\": \"" + phone + "\"}", 0},
        // A quoted value after its label continues the lines of one person.
        {"mail: '" + email + "'" + gap + "\ntel: \"" + phone + "\"", 1},
        {"mail: '" + email + "'" + gap + "\n\"" + phone + "\"", 0},
    };
    for (const auto& [text, records] : cases)
      EXPECT_EQ(h.Scan(text).records.size(), records) << "padding " << pad << ": " << text;
  }
}

TEST(Records, BoundaryMasksSameOnEveryPath) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "no AVX2: only the SSE2 masks exist here";
  std::mt19937 rng(17);
  const std::string alphabet = "{}\n \t\r,:[]ax\x80\xff";
  std::string text(200, ' ');
  for (int round = 0; round < 200; ++round) {
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    for (std::size_t n = 0; n <= 64; ++n) {
      const std::size_t at = rng() % (text.size() - 64);
      const BoundaryMasks sse2 = BoundaryMasksOf(text.data() + at, n, Simd::kSse2);
      ASSERT_EQ(BoundaryMasksOf(text.data() + at, n, Simd::kAvx2), sse2) << "round " << round << ", " << n << " bytes";
      if (CpuHasAvx512Bw()) {
        ASSERT_EQ(BoundaryMasksOf(text.data() + at, n, Simd::kAvx512), sse2) << "round " << round << ", " << n << " bytes";
      }
    }
  }
}

// The block walk (64-byte masks, over spans of any size: the ring's pieces) against the record
// boundary rule written out byte by byte: a newline whose previous non-blank byte in the gap is
// not one of , { [ : > (none: the finding's own last byte) and whose next line does not start
// with '}' or ']', unless it is the last newline and the gap ends with ':' or '=' (a label),
// possibly followed by a quote; or a '{' whose previous byte other than blanks and commas is a
// '}' closing deeper than the gap's start (brackets and braces counted from it). Gaps are drawn
// from the bytes the rule looks at.
TEST(Records, BlockWalkSameAsTheRuleByteByByte) {
  auto rule = [](std::string_view gap) {
    char last_non_blank = 0, before_last = 0, last_significant = 0;
    bool row_end = false, fresh = false, close_below = false;
    int depth = 0;
    for (const char c : gap) {
      const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
      if (c == '\n') {
        if (row_end) return true;
        row_end = fresh = std::string_view(",{[:>").find(last_non_blank) == std::string_view::npos;
      } else if (!blank && fresh) {
        fresh = false;
        if (c == '}' || c == ']') row_end = false;  // a pretty-printed JSON line closing a nesting
      }
      if (c == '{' && last_significant == '}' && close_below) return true;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      if (c == '}') close_below = depth < 0;
      if (!blank) {
        before_last = last_non_blank;
        last_non_blank = c;
      }
      if (!blank && c != ',') last_significant = c;
    }
    const char label = last_non_blank == '"' || last_non_blank == '\'' ? before_last : last_non_blank;
    return row_end && label != ':' && label != '=';
  };
  std::mt19937 rng(23);
  const std::string alphabet = "{}\n \t\r,:[]>=\"'ax\x80";
  std::string text(200, ' ');
  int boundaries = 0;
  for (int round = 0; round < 3000; ++round) {
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    // Few special bytes in some rounds, so both answers are common.
    if (round % 2 == 0)
      for (auto& c : text)
        if (rng() % 4 != 0) c = 'a';
    const std::size_t n = rng() % 129;  // up to two 64-byte blocks
    const char* p = text.data() + rng() % (text.size() - n + 1);
    GapWalker one_span;
    one_span.Add(p, n, Simd::kSse2);
    GapWalker split;  // in two spans, as a gap straddling the ring and the chunk is
    const std::size_t cut = n == 0 ? 0 : rng() % n;
    split.Add(p, cut, BestSimd());
    split.Add(p + cut, n - cut, BestSimd());
    const bool expected = rule(std::string_view(p, n));
    ASSERT_EQ(one_span.Boundary(), expected) << "round " << round << ": " << std::string(p, n);
    ASSERT_EQ(split.Boundary(), expected) << "round " << round << ": " << std::string(p, n);
    boundaries += expected;
  }
  EXPECT_GT(boundaries, 500);
  EXPECT_LT(boundaries, 2500);
}

// BoundaryBetween's shortcut (GapMayHoldBoundary): "no boundary" only where the walk finds
// none, on every vector path this CPU runs; a '}' alone (an address object closing before the
// IBAN) or a '{' alone (one opening before the street) is no boundary, a '}' then a '{' in any
// two blocks may be one.
TEST(Records, GapShortcutOnlySaysNoBoundaryWhereTheWalkFindsNone) {
  std::vector<Simd> paths = {Simd::kSse2};
  if (BestSimd() != Simd::kSse2) paths.push_back(Simd::kAvx2);
  if (BestSimd() == Simd::kAvx512) paths.push_back(Simd::kAvx512);
  auto walk = [](const char* p, std::size_t n) {
    GapWalker w;
    w.Add(p, n, Simd::kSse2);
    return w.Boundary();
  };
  std::mt19937 rng(29);
  const std::string alphabet = "{}\n ,:[]\"ax";
  std::string text(256, ' ');  // gaps up to 128 bytes from the first 128: 32 bytes past each readable
  int cleared_with_close = 0;
  for (int round = 0; round < 20000; ++round) {
    for (auto& c : text) c = rng() % 6 == 0 ? alphabet[rng() % alphabet.size()] : 'a';
    const std::size_t n = rng() % 129;
    const char* p = text.data() + rng() % 96;
    for (const Simd simd : paths) {
      if (GapMayHoldBoundary(p, n, simd)) continue;
      ASSERT_FALSE(walk(p, n)) << "round " << round << ", path " << static_cast<int>(simd) << ": "
                               << std::string(p, n);
      cleared_with_close += std::string_view(p, n).find('}') != std::string_view::npos;
    }
  }
  EXPECT_GT(cleared_with_close, 1000);
  // Padded: the AVX2 and SSE2 paths read whole vectors.
  for (const Simd simd : paths) {
    for (const std::string& g : {std::string("\"},\"iban\":\""), std::string("\",\"adresse\":{\"ligne\":\"")}) {
      const std::string padded = g + std::string(64, ' ');
      EXPECT_FALSE(GapMayHoldBoundary(padded.data(), g.size(), simd)) << g;
    }
    for (const std::size_t at : {0u, 10u, 31u, 32u, 63u, 64u, 100u}) {  // '}' and '{' in any blocks
      std::string g(128, 'a');
      g[at] = '}';
      g[std::min<std::size_t>(at + 1 + at % 7, 127)] = '{';
      const std::string padded = g + std::string(64, ' ');
      EXPECT_TRUE(GapMayHoldBoundary(padded.data(), g.size(), simd)) << at;
      std::string nl(128, 'a');
      nl[at] = '\n';
      EXPECT_TRUE(GapMayHoldBoundary((nl + std::string(64, ' ')).data(), nl.size(), simd)) << at;
    }
  }
}

TEST(Records, FarApartIsNotOneRecord) {
  Harness h;
  const auto s = h.Scan("mail a.b@example.org " + std::string(2000, 'x') + " tel 06 12 34 56 78");
  EXPECT_EQ(s.records.size(), 0u);
  EXPECT_EQ(s.TotalMatches(), 2u);
}

TEST(Context, FranceTravailNeedsKeyword) {
  Harness h;
  auto s = h.Scan("commande 1234567A livree");
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 0u);
  EXPECT_EQ(s.rejected[Idx(PiiType::kFranceTravailId)], 1u);
  s = h.Scan("{\"identifiant\": \"1234567A\"}");
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u);
  // Too far from the keyword (window 64 in the default signatures).
  s = h.Scan("identifiant " + std::string(200, ' ') + "1234567A");
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 0u);
}

// Keywords with accented letters match them in either case ("pôle emploi" in "PÔLE EMPLOI",
// "né le" in "NÉ LE"); ASCII letters were already caseless. A different accented letter does not.
TEST(Context, AccentedKeywordsInEitherCase) {
  Harness h;
  for (const char* kw : {"p\xc3\xb4le emploi", "P\xc3\x94LE EMPLOI", "P\xc3\xb4le Emploi", "POLE EMPLOI"}) {
    const auto s = h.Scan(std::string("inscrit \xc3\xa0 ") + kw + " sous le 1234567A depuis mars");
    EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u) << kw;
  }
  const auto no = h.Scan("inscrit \xc3\xa0 P\xc3\x96LE EMPLOI sous le 1234567A depuis mars");  // O with diaeresis
  EXPECT_EQ(no.matches[Idx(PiiType::kFranceTravailId)], 0u);
}

// A CSV header's field names give the unit-wide context; it must not leak into the stream's
// next unit. There, a France Travail id and a birth date with no context nearby are refused,
// and a field name seen later, in the window of a France Travail id that needed its keyword,
// gives the birth dates after it their context, exactly as on a fresh stream.
TEST(Context, UnitWideContextEndsWithTheUnit) {
  const auto people = People(20, 21);
  const std::string unit_a = CsvPeople(people);
  const std::string dots(1000, '.');
  const std::string unit_b = "email\n" + std::string(5000, '.') + "\n" + people[0].ft_id + "\n" + dots + "\n" +
                             people[3].birth + "\n" + dots + "\ndate_naissance_inconnue;identifiant " +
                             people[1].ft_id + "\n" + dots + "\n" + people[2].email + ";" + people[2].birth + ";" +
                             people[2].nir + "\n";
  Harness h;
  ScanStream s(h.scanner);
  s.Feed(AsBytes(unit_a));
  const ScanSummary a = s.Finish();
  EXPECT_EQ(a.matches[Idx(PiiType::kFranceTravailId)], 20u);
  EXPECT_EQ(a.matches[Idx(PiiType::kBirthDate)], 20u);
  s.Feed(AsBytes(unit_b));
  const ScanSummary b = s.Finish();
  const ScanSummary fresh = h.Scan(unit_b);
  EXPECT_EQ(fresh.matches[Idx(PiiType::kFranceTravailId)], 1u);   // the one after "identifiant"
  EXPECT_EQ(fresh.rejected[Idx(PiiType::kFranceTravailId)], 1u);  // the first: no context
  EXPECT_EQ(fresh.matches[Idx(PiiType::kBirthDate)], 1u);         // the field name near the second FT id
  EXPECT_EQ(fresh.rejected[Idx(PiiType::kBirthDate)], 1u);        // the one before it
  EXPECT_EQ(fresh.records.size(), 1u);
  ExpectSame(fresh, b, "second unit of a stream");
}

// Keywords are looked for only for a candidate they can decide: one whose detector needs context
// and does not have the unit-wide context yet. A France Travail id that has it (from the header)
// does not look, so a field name that only its window holds is not seen, and the birth date after
// it stays without context; the same field name in the window of an id that needs its keyword
// is seen.
TEST(Context, OnlyCandidatesWithoutUnitContextLookForKeywords) {
  const auto people = People(3, 22);
  const std::string pad(5000, '.');
  auto unit = [&](const std::string& header, const std::string& before_id) {
    // (the first birth date, without context, makes the unit's first keyword scan: from the unit
    // start to it; later scans cover only the windows of the candidates that need them)
    return header + "\n" + pad + "\n" + people[2].birth + "\n" + pad + "\ndate_naissance_inconnue;" + before_id +
           people[0].ft_id + "\n" + pad + "\n" + people[1].email + ";" + people[1].birth + ";" + people[1].nir + "\n";
  };
  Harness h;
  // The id has the header's context: no keyword scan, the field name is not seen.
  ScanSummary s = h.Scan(unit("identifiant_ft;email", ""));
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 0u);
  EXPECT_EQ(s.rejected[Idx(PiiType::kBirthDate)], 2u);
  // The id needs its keyword: its window is scanned, field name included.
  s = h.Scan(unit("email", "identifiant "));
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 1u);
  EXPECT_EQ(s.rejected[Idx(PiiType::kBirthDate)], 1u);
  EXPECT_EQ(s.records.size(), 1u);
}

// A candidate written right after one of its detector's keywords and a key/value separator (a
// JSON key, `key=value`) has its context from that keyword without a scan of its window; the
// outcome is the one the scan would give (case-insensitive, the context window respected,
// other keys fall back to the scan).
TEST(Context, KeywordRightBeforeTheValue) {
  Harness h;
  const auto ft = [&](const std::string& text) {
    const ScanSummary s = h.Scan(text);
    return std::make_pair(s.matches[Idx(PiiType::kFranceTravailId)], s.rejected[Idx(PiiType::kFranceTravailId)]);
  };
  using P = decltype(ft(""));
  EXPECT_EQ(ft("{\"identifiant\":\"1234567A\"}"), P(1, 0));
  EXPECT_EQ(ft("{\"IDENTIFIANT\" :\t\"1234567A\"}"), P(1, 0));
  EXPECT_EQ(ft("?identifiant=1234567A&x=1"), P(1, 0));
  EXPECT_EQ(ft("{\"demandeur_identifiant\": 12345678}"), P(1, 0));      // keywords match anywhere
  EXPECT_EQ(ft("{\"identifiant_client\":\"1234567A\"}"), P(1, 0));   // ... found by the scan
  EXPECT_EQ(ft("{\"commande\":\"1234567A\"}"), P(0, 1));
  EXPECT_EQ(ft("{\"identifiant\":" + std::string(70, ' ') + "\"1234567A\"}"), P(0, 1));  // window 64
  EXPECT_EQ(ft("{\"identifiant\":" + std::string(50, ' ') + "\"1234567A\"}"), P(1, 0));
  // Such a candidate does not search its window: a field name there is not seen (the birth date
  // after it stays without context); searched when the id needs the scan (a key that is not a
  // keyword, the keyword further up).
  const auto people = People(3, 23);
  const std::string pad(5000, '.');
  auto unit = [&](const std::string& id_entry) {
    return "email\n" + pad + "\n" + people[2].birth + "\n" + pad + "\n{\"date_naissance_x\":0," + id_entry + "}\n" +
           pad + "\n" + people[1].email + ";" + people[1].birth + ";" + people[1].nir + "\n";
  };
  ScanSummary s;
  for (const char* key : {"identifiant", "Identifiant"}) {
    s = h.Scan(unit("\"" + std::string(key) + "\":\"" + people[0].ft_id + "\""));
    EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u) << key;
    EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 0u) << key;
  }
  s = h.Scan(unit("\"identifiant\":0,\"id\":\"" + people[0].ft_id + "\""));
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 1u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 1u);
  EXPECT_EQ(s.records.size(), 1u);
}

// CheckAddress bounds the street name itself (2..60 bytes), so the address patterns may leave
// it open ({2,}, cheaper for Hyperscan) with the same findings.
TEST(Records, StreetNameBoundWithAnOpenPattern) {
  std::ifstream in(SignaturePath());
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string bounded = buf.str();
  std::string open = bounded;
  int replaced = 0;
  for (std::size_t k; (k = open.find("{2,60}")) != std::string::npos; ++replaced) open.replace(k, 6, "{2,}");
  ASSERT_EQ(replaced, 2);
  PiiGenerator g(31);
  std::string text;
  std::uint32_t fitting = 0;
  for (std::size_t len : {2u, 3u, 30u, 59u, 60u, 61u, 62u, 75u}) {
    const std::string name = len < 6 ? std::string(len, 'p') : "de la " + std::string(len - 6, 'p');
    const std::string street = std::to_string(len) + " rue " + name;
    for (const char* tail : {"\"}", ", 75011 Paris\"}"}) {  // the two shapes: terminator, postcode + town
      const Person p = g.NextPerson(static_cast<int>(len));
      text += "{\"nir\":\"" + p.nir + "\",\"email\":\"" + p.email + "\",\"adresse\":\"" + street + tail + "\n";
      fitting += len <= 60 ? 1 : 0;
    }
  }
  for (bool gate : {true, false}) {
    PiiEngineOptions o;
    o.max_excerpts = 1000;
    o.gate_patterns = gate;
    Harness hb(CompilePiiEngine(bounded, "pii.yaml", o));
    Harness ho(CompilePiiEngine(open, "pii-open.yaml", o));
    const ScanSummary rb = hb.Scan(text), ro = ho.Scan(text);
    const std::string what = gate ? "gated" : "ungated";
    EXPECT_EQ(rb.matches[Idx(PiiType::kAddress)], fitting) << what;
    EXPECT_EQ(ro.matches, rb.matches) << what;
    EXPECT_EQ(ro.records, rb.records) << what;
    EXPECT_EQ(ro.excerpts, rb.excerpts) << what;
    EXPECT_GT(ro.rejected[Idx(PiiType::kAddress)], 0u) << what;  // the long names reached the validator
  }
}

// Staging sizes the chunking tests run with: 0 (every Feed scanned as it comes: the scanner's
// own chunk handling), a tiny buffer (feeds split across fills, and larger feeds flushing it),
// and the default.
constexpr std::uint32_t kCoalesceSizes[] = {0, 64, PiiEngineOptions{}.coalesce_bytes};

std::shared_ptr<const PiiEngine> StagingEngine(std::uint32_t coalesce, std::uint32_t max_excerpts) {
  PiiEngineOptions o;
  o.max_excerpts = max_excerpts;
  o.coalesce_bytes = coalesce;
  return DefaultEngine(o);
}

TEST(Chunking, SameSummaryAnyChunking) {
  const auto people = People(40, 3);
  const std::string text = "GET /x?tel=0612345678 HTTP/1.1\r\n\r\n" + JsonPeople(people, false) + CsvPeople(people) +
                           "fin 1 85 05 75 111 042 71 et 253072B07300470 iban FR76 3000 6000 0112 3456 7890 18";
  for (std::uint32_t coalesce : kCoalesceSizes) {
    Harness h(StagingEngine(coalesce, 1000));
    const ScanSummary whole = h.Scan(text);
    ASSERT_GT(whole.records.size(), 30u);
    std::mt19937 rng(42);
    const std::string with = " (coalesce " + std::to_string(coalesce) + ")";
    for (int round = 0; round < 20; ++round) {
      std::vector<std::size_t> cuts;
      std::size_t pos = 0;
      while (true) {
        pos += std::uniform_int_distribution<std::size_t>(1, round < 10 ? 16 : 700)(rng);
        if (pos >= text.size()) break;
        cuts.push_back(pos);
      }
      ExpectSame(whole, ScanChunked(h.scanner, text, cuts), "round " + std::to_string(round) + with);
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < text.size(); ++i) every.push_back(i);
    ExpectSame(whole, ScanChunked(h.scanner, text, every), "1 byte at a time" + with);
  }
}

// More streams than staging buffers, fed in turn (each Feed may take over another stream's
// buffer, scanning its bytes first), some destroyed or moved while holding one: every unit's
// findings are those of its text scanned in one piece.
TEST(Staging, StreamsShareThePool) {
  constexpr std::size_t kStreams = 3 * Scanner::kStageBuffers;
  Harness h(StagingEngine(512, 1000));
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < kStreams; ++i) {
    const auto people = People(3, static_cast<std::uint32_t>(100 + i));
    texts.push_back(i % 2 ? CsvPeople(people) : JsonPeople(people, i % 4 == 0));
  }
  std::vector<std::unique_ptr<ScanStream>> streams;
  for (std::size_t i = 0; i < kStreams; ++i) streams.push_back(std::make_unique<ScanStream>(h.scanner));
  std::vector<std::size_t> pos(kStreams, 0);
  std::mt19937 rng(7);
  bool left = true;
  for (int round = 0; left; ++round) {
    left = false;
    for (std::size_t i = 0; i < kStreams; ++i) {
      if (pos[i] >= texts[i].size()) continue;
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 300)(rng);
      streams[i]->Feed(AsBytes(std::string_view(texts[i]).substr(pos[i], n)));
      pos[i] += n;
      left = true;
    }
    if (round == 2) {
      // A stream dropped holding a buffer gives it back; a moved one keeps its bytes.
      for (std::size_t i = 0; i < kStreams; i += 5) streams[i] = std::make_unique<ScanStream>(h.scanner);
      for (std::size_t i = 3; i < kStreams; i += 5) {
        ScanStream moved(std::move(*streams[i]));
        *streams[i] = std::move(moved);
      }
    }
  }
  std::size_t records = 0;
  for (std::size_t i = 0; i < kStreams; ++i) {
    const ScanSummary got = streams[i]->Finish();
    if (i % 5 == 0) {  // restarted: only the bytes fed after round 2
      EXPECT_LT(got.bytes_scanned, texts[i].size()) << i;
      continue;
    }
    ExpectSame(h.Scan(texts[i]), got, "stream " + std::to_string(i));
    records += got.records.size();
  }
  EXPECT_GT(records, kStreams);  // the units held records (3 people each)
}

// A reload while every buffer holds staged bytes: streams of the new engine (another staging
// size) take buffers over; the bytes staged before are scanned with their stream's engine.
TEST(Staging, ReloadWhileStaged) {
  Harness h(StagingEngine(PiiEngineOptions{}.coalesce_bytes, 100));
  const std::string text = JsonPeople(People(2, 11), false);
  std::vector<std::unique_ptr<ScanStream>> old_streams;
  for (std::size_t i = 0; i < Scanner::kStageBuffers; ++i) {
    old_streams.push_back(std::make_unique<ScanStream>(h.scanner));
    old_streams.back()->Feed(AsBytes(std::string_view(text).substr(0, 100)));  // staged
  }
  h.scanner.Reload(StagingEngine(64, 100));
  std::vector<std::unique_ptr<ScanStream>> new_streams;
  for (std::size_t i = 0; i < Scanner::kStageBuffers / 2; ++i) {
    new_streams.push_back(std::make_unique<ScanStream>(h.scanner));
    for (std::size_t off = 0; off < text.size(); off += 20)
      new_streams.back()->Feed(AsBytes(std::string_view(text).substr(off, 20)));
  }
  const ScanSummary whole = h.Scan(text);
  ASSERT_EQ(whole.records.size(), 2u);
  for (auto& s : old_streams) {
    s->Feed(AsBytes(std::string_view(text).substr(100)));
    ExpectSame(whole, s->Finish(), "stream staged before the reload");
  }
  for (auto& s : new_streams) ExpectSame(whole, s->Finish(), "stream of the new engine");
}

TEST(Chunking, StreamIsReusableAfterFinish) {
  Harness h;
  ScanStream s(h.scanner);
  s.Feed(AsBytes("{\"nir\":\"253072B07300470\",\"email\":\"x.y@example.org\"}"));
  const auto a = s.Finish();
  s.Feed(AsBytes("{\"nir\":\"253072B07300470\",\"email\":\"x.y@example.org\"}"));
  const auto b = s.Finish();
  ExpectSame(a, b, "second unit");
  EXPECT_EQ(a.records.size(), 1u);
  EXPECT_EQ(s.bytes_fed(), 2 * a.bytes_scanned);
}

TEST(Gap, MatchesDoNotSpanAHole) {
  Harness h;
  ScanStream s(h.scanner);
  s.Feed(AsBytes("nir 253072B"));
  s.Gap();
  s.Feed(AsBytes("07300470 "));
  const auto r = s.Finish();
  EXPECT_EQ(r.matches[Idx(PiiType::kNir)], 0u);
}

TEST(FalsePositives, LookAlikesMakeNoRecords) {
  std::string text;
  PiiGenerator g(99);
  for (int i = 0; i < 300; ++i) {
    // 15-digit invoice numbers shaped like a NIR but with a wrong key.
    std::string nir = g.Nir();
    nir[14] = static_cast<char>('0' + (nir[14] - '0' + 1) % 10);
    text += "{\"facture\": \"" + nir + "\", \"ean\": \"" + g.Digits(13) + "\", \"ts\": 17" + g.Digits(8) +
            ", \"ts_ms\": 17" + g.Digits(11) + ", \"id\": " + g.Digits(18) + ", \"uuid\": \"" + g.Digits(20) + "\"}\n";
    text += "GET /api/v1/items/06" + g.Digits(8) + "/07" + g.Digits(8) + "?ref=3" + g.Digits(14) + " HTTP/1.1\n";
    text += "2024-02-06T10:15:02." + g.Digits(6) + "Z commande " + g.Digits(7) + "A montant 1" + g.Digits(3) + ",00 EUR\n";
    text += "version 1.85.05.75.111 build FR76-3000-6000 order 4" + g.Digits(14) + "x\n";
  }
  Harness h;
  const auto s = h.Scan(text);
  EXPECT_EQ(s.records.size(), 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kNir)], 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kIban)], 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kFranceTravailId)], 0u);
  EXPECT_EQ(s.matches[Idx(PiiType::kBirthDate)], 0u);
  EXPECT_GT(s.rejected[Idx(PiiType::kNir)], 250u);  // the look-alikes were seen and refused
}

TEST(Privacy, NoExcerptContainsAFullValue) {
  PiiEngineOptions o;
  o.max_excerpts = 100000;
  Harness h(DefaultEngine(o));
  const auto people = People(100, 5);
  const auto s = h.Scan(JsonPeople(people, false) + CsvPeople(people));
  ASSERT_GT(s.excerpts.size(), 1000u);
  std::set<std::string> values;
  for (const auto& p : people) {
    for (const std::string& v : {p.nir, p.nir_spaced, p.iban, p.card, p.ft_id, p.email, p.phone, p.street})
      values.insert(v);
    std::string phone_digits;
    for (char c : p.phone)
      if (c != ' ') phone_digits.push_back(c);
    values.insert(phone_digits);
    values.insert(p.email.substr(0, p.email.find('@')));
  }
  for (const auto& e : s.excerpts)
    for (const auto& v : values) EXPECT_EQ(e.find(v), std::string::npos) << e << " contains " << v;
  // Masks keep the documented shape: the first excerpt is person 0's NIR.
  EXPECT_EQ(s.excerpts[0], people[0].nir.substr(0, 1) + " " + people[0].nir.substr(1, 2) + " " +
                               people[0].nir.substr(3, 2) + " ** *** *** " + people[0].nir.substr(13, 2));
}

TEST(Reload, OpenStreamsKeepTheirEngine) {
  Harness h;
  const std::string yaml = "version: 1\ndetectors:\n  - id: email\n    type: email\n    validator: email\n"
                           "    patterns:\n      - regex: '[a-z]@[a-z]+\\.[a-z]{2,6}\\b'\n";
  auto email_only = CompilePiiEngine(yaml, "inline.yaml", {});
  ScanStream old_stream(h.scanner);
  old_stream.Feed(AsBytes("nir 253072B07300470 "));
  h.scanner.Reload(email_only);
  old_stream.Feed(AsBytes("et 1 85 05 75 111 042 71 "));
  auto r = old_stream.Finish();
  EXPECT_EQ(r.matches[Idx(PiiType::kNir)], 2u);
  // The next unit of that stream and new streams use the new engine.
  old_stream.Feed(AsBytes("nir 253072B07300470 a@b.fr"));
  r = old_stream.Finish();
  EXPECT_EQ(r.matches[Idx(PiiType::kNir)], 0u);
  EXPECT_EQ(r.matches[Idx(PiiType::kEmail)], 1u);
  r = h.Scan("nir 253072B07300470 a@b.fr");
  EXPECT_EQ(r.matches[Idx(PiiType::kNir)], 0u);
}

TEST(Metrics, CountersFollowSummaries) {
  Harness h;
  const std::string text = "{\"nir\":\"253072B07300470\",\"email\":\"x.y@example.org\"} 253072B07300471";
  h.Scan(text);
  auto value = [&](const std::string& name, const metrics::Labels& l) -> std::int64_t {
    for (const auto& s : h.metrics.Read())
      if (s.name == name && s.labels == l) return s.value;
    return -1;
  };
  EXPECT_EQ(value("vigie_pii_matches_total", {{"type", "nir"}}), 1);
  EXPECT_EQ(value("vigie_pii_matches_total", {{"type", "email"}}), 1);
  EXPECT_EQ(value("vigie_pii_rejected_total", {{"type", "nir"}}), 1);
  EXPECT_EQ(value("vigie_pii_records_total", {}), 1);
  EXPECT_EQ(value("vigie_pii_scanned_bytes_total", {}), static_cast<std::int64_t>(text.size()));
}

}  // namespace
}  // namespace vigie::match::testing

namespace vigie::match::testing {
namespace {

// Binary noise with PII sprinkled in: never crashes, same result in any chunking.
TEST(Chunking, RandomBytesWithPii) {
  std::mt19937 rng(1234);
  std::string text;
  PiiGenerator g(8);
  for (int i = 0; i < 200; ++i) {
    for (int k = 0; k < 300; ++k) text.push_back(static_cast<char>(rng()));
    const Person p = g.NextPerson(i);
    text += " " + p.nir + " " + p.email + "\n" + p.phone + ";" + p.iban + "}{" + p.card + " ";
  }
  for (std::uint32_t coalesce : kCoalesceSizes) {
    Harness h(StagingEngine(coalesce, 10000));
    const ScanSummary whole = h.Scan(text);
    EXPECT_GT(whole.matches[Idx(PiiType::kNir)], 150u);
    for (std::size_t step : {1u, 7u, 64u, 1500u}) {
      std::vector<std::size_t> cuts;
      for (std::size_t c = step; c < text.size(); c += step) cuts.push_back(c);
      ExpectSame(whole, ScanChunked(h.scanner, text, cuts),
                 "step " + std::to_string(step) + " coalesce " + std::to_string(coalesce));
    }
  }
}

}  // namespace
}  // namespace vigie::match::testing
