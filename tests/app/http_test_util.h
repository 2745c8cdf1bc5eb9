#pragma once
// Shared fixtures for the HTTP / router / raw tests: an event-collecting sink, a TCP flow,
// a context with the real PII scanner when signatures/pii.yaml loads, and compressors.
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "app/app_context.h"
#include "app/encode_test_util.h"
#include "app/session.h"
#include "core/hash.h"
#include "flow/flow.h"
#include "match/scanner.h"
#include "metrics/counters.h"
#include "track/events.h"
#include "match/test_util.h"

namespace vigie::app::httptest {

class CollectSink : public track::EventSink {
 public:
  void OnTransaction(const track::TransactionEvent& e) override { tx.push_back(e); }
  void OnVolume(const track::VolumeEvent& e) override { vol.push_back(e); }
  void OnDnsQuery(const track::DnsQueryEvent& e) override { dns.push_back(e); }
  std::vector<track::TransactionEvent> tx;
  std::vector<track::VolumeEvent> vol;
  std::vector<track::DnsQueryEvent> dns;
};

inline std::unique_ptr<flow::Flow> MakeTcpFlow(std::uint16_t server_port = 80, std::uint8_t proto = 6) {
  auto f = std::make_unique<flow::Flow>();
  f->client.ip = *IpAddr::Parse("10.1.2.3");
  f->client.port = 51234;
  f->server.ip = *IpAddr::Parse("203.0.113.50");
  f->server.port = server_port;
  f->proto = proto;
  f->key.lo = f->client;
  f->key.hi = f->server;
  f->key.proto = proto;
  f->first_seen = f->last_seen = Seconds(1700000000);
  return f;
}

// A worker's application context. `scanner` is null when the signature file cannot be loaded.
struct TestContext {
  explicit TestContext(bool with_scanner = true) {
    ctx.config = &config;
    ctx.events = &sink;
    ctx.metrics = &counters;
    ctx.hasher = &hasher;
    if (with_scanner) {
      engine = SharedEngine(&load_error);
      if (engine) {
        scanner = std::make_unique<match::Scanner>(engine, counters);
        ctx.scanner = scanner.get();
      }
    }
  }
  // signatures/pii.yaml compiled once per test process (Hyperscan compilation takes ~1 s).
  static std::shared_ptr<const match::PiiEngine> SharedEngine(std::string* error) {
    static std::string load_error;
    static const std::shared_ptr<const match::PiiEngine> e = [] {
      try {
        return match::LoadPiiEngine(std::string(VIGIE_SOURCE_DIR) + "/signatures/pii.yaml", {});
      } catch (const std::exception& ex) {
        load_error = ex.what();
        return std::shared_ptr<const match::PiiEngine>();
      }
    }();
    *error = load_error;
    return e;
  }
  std::int64_t Counter(const std::string& name, const metrics::Labels& labels = {}) const {
    std::int64_t v = 0;
    for (const auto& s : counters.Read())
      if (s.name == name && (labels.empty() || s.labels == labels)) v += s.value;
    return v;
  }
  AppConfig config;
  CollectSink sink;
  metrics::CounterSet counters;
  KeyedHasher hasher{"test-secret"};
  std::shared_ptr<const match::PiiEngine> engine;
  std::unique_ptr<match::Scanner> scanner;
  std::string load_error;
  AppContext ctx;
};

// zlib-based compressors: window_bits 15+16 gzip, 15 zlib, -15 raw deflate.
using ::vigie::app::testutil::Deflate;
inline std::string Gzip(const std::string& in) { return Deflate(in, 15 + 16); }
using ::vigie::app::testutil::Zip;
using ::vigie::app::testutil::ZipFile;


// A transaction's validated matches of type t.
inline std::uint32_t M(const track::TransactionEvent& e, match::PiiType t) { return e.pii.matches[static_cast<int>(t)]; }

// A JSON listing as a serializer writes it (`escaped`) and as its values read (`plain`, what the
// JSON unescaper must produce).
struct Listing {
  std::string escaped, plain;
};

using ::vigie::app::testutil::Base64;

inline std::string Chunked(const std::string& body, std::size_t chunk, const std::string& ext = "") {
  std::string out;
  char hex[32];
  for (std::size_t i = 0; i < body.size(); i += chunk) {
    const std::size_t n = std::min(chunk, body.size() - i);
    std::snprintf(hex, sizeof hex, "%zx", n);
    out += hex + ext + "\r\n" + body.substr(i, n) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// A NIR with its valid key: 13 digits + (97 - n mod 97).
inline std::string Nir(std::uint64_t thirteen_digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%013llu%02llu", static_cast<unsigned long long>(thirteen_digits),
                static_cast<unsigned long long>(97 - thirteen_digits % 97));
  return buf;
}

// A PHP json_encode listing of `n` people ('/' → "\/", non-ASCII → \u00XX in lower-case hex;
// the phone's '+' written "\u002B" as .NET does): NIR, e-mail, birth date `dd\/05\/1985`,
// accented address, phone, a URL.
inline Listing PhpListing(int n) {
  Listing l{R"({"data":[)", R"({"data":[)"};
  for (int i = 0; i < n; ++i) {
    const std::string sep = i ? "," : "";
    const std::string head = sep + R"({"id":)" + std::to_string(i) + R"(,"nom":"Dupont","nir":")" +
                             Nir(1850575100001ull + static_cast<std::uint64_t>(i)) + R"(","email":"jean.dupont)" +
                             std::to_string(i) + R"(@example.fr","date_naissance":")";
    const std::string day = (i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1);
    char phone[32];
    std::snprintf(phone, sizeof phone, "33 6 12 34 56 %02d", i % 100);
    l.escaped += head + day + R"(\/05\/1985","adresse":")" + std::to_string(i + 1) +
                 R"( all\u00e9e Jean Jaur\u00e8s","tel":"\u002B)" + phone + R"(","site":"https:\/\/example.fr\/p"})";
    l.plain += head + day + R"(/05/1985","adresse":")" + std::to_string(i + 1) +
               " all\xc3\xa9" "e Jean Jaur\xc3\xa8s\",\"tel\":\"+" + phone + "\",\"site\":\"https://example.fr/p\"}";
  }
  l.escaped += "]}";
  l.plain += "]}";
  return l;
}

// JSON array of `n` people with NIR, email and phone.
inline std::string PeopleJson(int n, int seed = 1) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    const std::uint64_t base = 1850575100001ull + static_cast<std::uint64_t>(seed % 50) * 1000 + static_cast<std::uint64_t>(i % 998);
    char rec[256];
    std::snprintf(rec, sizeof rec,
                  "%s{\"id\":%d,\"nir\":\"%s\",\"email\":\"jean.dupont%d@example.fr\",\"telephone\":\"06 12 34 %02d %02d\"}",
                  i ? "," : "", i, Nir(base).c_str(), i, (i / 100) % 100, i % 100);
    out += rec;
  }
  return out + "]";
}

// A CSV of `n` generated people with distinct valid NIRs.
inline std::string PeopleCsv(int n, std::uint32_t seed) {
  match::testing::PiiGenerator gen(seed);
  std::set<std::string> nirs;
  std::string csv = "nom;prenom;nir;email;telephone\r\n";
  for (int i = 0; static_cast<int>(nirs.size()) < n; ++i) {
    const match::testing::Person p = gen.NextPerson(i);
    if (!nirs.insert(p.nir).second) continue;
    csv += "Nom" + std::to_string(i) + ";Prenom;" + p.nir + ";" + p.email + ";" + p.phone + "\r\n";
  }
  return csv;
}

// Feeds `bytes` to one direction of a session. max_chunk 0: one buffer; 1: one byte at a time;
// k: random 1..k byte pieces drawn from `rng`.
inline void FeedPieces(AppSession& s, flow::Flow& f, flow::Direction d, const std::string& bytes, std::size_t max_chunk,
                       std::mt19937& rng) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = max_chunk == 0 ? bytes.size() : std::min<std::size_t>(1 + rng() % max_chunk, bytes.size() - i);
    s.OnData(f, d, AsBytes(std::string_view(bytes).substr(i, n)));
    i += n;
  }
}

}  // namespace vigie::app::httptest
