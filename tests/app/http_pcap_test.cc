// Replays the project's own HTTP captures (pcaps/http_*.pcap, built by
// tests/tools/scenarios/http_exfil.py) through the AppRouter with a minimal in-test TCP reader
// (the captures are loss-free, in order, one connection each) and checks the events against
// each capture's JSON sidecar: accounts, client addresses, distinct people, PII by type.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/router.h"
#include "http_test_util.h"

namespace vigie::app {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Feeds every TCP payload of a single-connection Ethernet/IPv4 capture to the router.
bool Replay(const std::string& path, AppRouter& router, flow::Flow& fl) {
  const std::string pcap = ReadFile(path);
  if (pcap.size() < 24) return false;
  const auto* p = reinterpret_cast<const std::uint8_t*>(pcap.data());
  bool have_client = false;
  for (std::size_t off = 24; off + 16 <= pcap.size();) {
    const std::uint32_t sec = LoadLe32(p + off), caplen = LoadLe32(p + off + 8);
    const std::uint8_t* fr = p + off + 16;
    off += 16 + caplen;
    if (off > pcap.size() || caplen < 14 + 20 + 20 || LoadBe16(fr + 12) != 0x0800) continue;
    const std::uint8_t* ip = fr + 14;
    const std::size_t ihl = (ip[0] & 0xf) * 4, total = LoadBe16(ip + 2);
    if (ip[9] != 6) continue;
    const std::uint8_t* tcp = ip + ihl;
    const std::size_t thl = (tcp[12] >> 4) * 4;
    const std::size_t plen = total - ihl - thl;
    const IpAddr src = IpAddr::FromV4(ip + 12), dst = IpAddr::FromV4(ip + 16);
    const std::uint16_t sport = LoadBe16(tcp), dport = LoadBe16(tcp + 2);
    if (!have_client) {  // the first packet is the client's SYN
      fl.client = {src, sport};
      fl.server = {dst, dport};
      fl.proto = 6;
      fl.key.lo = fl.client;
      fl.key.hi = fl.server;
      fl.key.proto = 6;
      have_client = true;
    }
    const flow::Direction d = (src == fl.client.ip && sport == fl.client.port) ? flow::Direction::kToServer
                                                                                : flow::Direction::kToClient;
    fl.last_seen = Seconds(sec);
    fl.payload_bytes[flow::Index(d)] += plen;
    router.OnPacket(fl, d);
    if (plen > 0) router.OnData(fl, d, ByteView(tcp + thl, plen));
  }
  router.OnClose(fl, flow::CloseReason::kFin);
  return have_client;
}

struct Outcome {
  std::set<std::string> accounts, clients;
  std::set<std::uint64_t> records;
  std::array<std::uint64_t, match::kPiiTypeCount> matches{};
  std::vector<track::TransactionEvent> tx;
};

Outcome ReplayCapture(const std::string& name, bool xff, nlohmann::json* sidecar) {
  httptest::TestContext t;
  t.config.use_x_forwarded_for = xff;
  Outcome o;
  if (!t.ctx.scanner) return o;
  AppRouter router(t.ctx);
  flow::Flow fl;
  const std::string path = std::string(VIGIE_SOURCE_DIR) + "/pcaps/" + name;
  EXPECT_TRUE(Replay(path, router, fl)) << path;
  *sidecar = nlohmann::json::parse(ReadFile(path + ".json"));
  for (const auto& e : t.sink.tx) {
    if (!e.account.empty()) o.accounts.insert(e.account);
    o.clients.insert(e.client_ip.ToString());
    o.records.insert(e.pii.records.begin(), e.pii.records.end());
    for (std::size_t i = 0; i < match::kPiiTypeCount; ++i) o.matches[i] += e.pii.matches[i];
  }
  o.tx = t.sink.tx;
  return o;
}

std::uint64_t M(const Outcome& o, match::PiiType t) { return o.matches[static_cast<std::size_t>(t)]; }

class HttpPcap : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    if (!httptest::TestContext::SharedEngine(&err)) GTEST_SKIP() << "no PII engine: " << err;
  }
};

TEST_F(HttpPcap, GzipChunkedApiResponseInTinySegments) {
  nlohmann::json sc;
  const Outcome o = ReplayCapture("http_api_gzip_chunked.pcap", false, &sc);
  ASSERT_EQ(o.tx.size(), 1u);
  EXPECT_EQ(o.tx[0].bytes, sc["response"]["decoded_bytes"].get<std::uint64_t>());
  EXPECT_EQ(o.tx[0].detail, sc["response"]["detail"].get<std::string>());
  EXPECT_EQ(o.records.size(), sc["people"].get<std::size_t>());
  EXPECT_EQ(M(o, match::PiiType::kNir), sc["by_type"]["nir"].get<std::uint64_t>());
  EXPECT_EQ(M(o, match::PiiType::kEmail), sc["by_type"]["email"].get<std::uint64_t>());
  EXPECT_EQ(M(o, match::PiiType::kIban), sc["by_type"]["iban"].get<std::uint64_t>());
  EXPECT_TRUE(o.accounts.empty());
}

TEST_F(HttpPcap, MultipartCsvUploadIsAttributedToTheUploader) {
  nlohmann::json sc;
  const Outcome o = ReplayCapture("http_multipart_upload.pcap", false, &sc);
  ASSERT_EQ(o.tx.size(), 2u);  // the upload and the small JSON answer
  EXPECT_EQ(o.tx[0].path.src_ip.ToString(), "10.20.0.16");  // an upload: the client is the source
  // bytes: the multipart entity after HTTP decoding (the MIME parser comes after the count).
  EXPECT_EQ(o.tx[0].bytes, sc["request"]["decoded_bytes"].get<std::uint64_t>());
  // The body is decoded part by part: only the CSV file is named (the comment field has no
  // filename). The CSV part is the entity less the part headers, delimiters and the comment.
  const std::string b = "----vigieBoundary7MA4YWxkTrZu0gW";
  const std::size_t overhead = ("--" + b + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nexport hebdo\r\n--" + b +
                                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.csv\"\r\n"
                                "Content-Type: text/csv\r\n\r\n\r\n--" + b + "--\r\n").size();
  const std::uint64_t csv = sc["request"]["decoded_bytes"].get<std::uint64_t>() - overhead;
  EXPECT_EQ(o.tx[0].detail, sc["request"]["detail"].get<std::string>() + "; parts: export.csv (" +
                                std::to_string(csv) + " B)");
  EXPECT_EQ(o.records.size(), sc["people"].get<std::size_t>());
  EXPECT_EQ(M(o, match::PiiType::kNir), sc["by_type"]["nir"].get<std::uint64_t>());
  EXPECT_EQ(M(o, match::PiiType::kEmail), sc["by_type"]["email"].get<std::uint64_t>());
  EXPECT_EQ(o.accounts, (std::set<std::string>{"agent-lyon-07"}));
}

TEST_F(HttpPcap, BasicAndJwtSessions) {
  for (const char* name : {"http_basic_session.pcap", "http_jwt_session.pcap"}) {
    nlohmann::json sc;
    const Outcome o = ReplayCapture(name, false, &sc);
    EXPECT_EQ(o.tx.size(), sc["http"]["responses"].get<std::size_t>()) << name;
    EXPECT_EQ(o.records.size(), sc["people"].get<std::size_t>()) << name;
    EXPECT_EQ(M(o, match::PiiType::kPhone), sc["by_type"]["phone"].get<std::uint64_t>()) << name;
    std::set<std::string> want;
    for (const auto& a : sc["accounts"]) want.insert(a.get<std::string>());
    EXPECT_EQ(o.accounts, want) << name;
  }
}

// An advisor portal's HTML table and a SOAP XML listing, pretty-printed (a field per line, each
// line ending with a tag's '>'): every person is a record, attributed to the account.
TEST_F(HttpPcap, HtmlAndXmlPagesCountPeople) {
  nlohmann::json sc;
  const Outcome o = ReplayCapture("http_html_xml_pages.pcap", false, &sc);
  ASSERT_EQ(o.tx.size(), 3u);  // the page, the SOAP request (a body) and its answer
  EXPECT_EQ(o.records.size(), sc["people"].get<std::size_t>());
  std::vector<std::size_t> per_response;
  for (const auto& e : o.tx)
    if (e.pii.records.size() > 0) per_response.push_back(e.pii.records.size());
  EXPECT_EQ(per_response, sc["people_by_response"].get<std::vector<std::size_t>>());
  for (const auto& [type, name] : {std::pair{match::PiiType::kNir, "nir"}, {match::PiiType::kEmail, "email"},
                                    {match::PiiType::kPhone, "phone"}, {match::PiiType::kBirthDate, "birth_date"},
                                    {match::PiiType::kAddress, "address"}})
    EXPECT_EQ(M(o, type), sc["by_type"][name].get<std::uint64_t>()) << name;
  EXPECT_EQ(o.accounts, (std::set<std::string>{"conseiller-0099"}));
}

// PHP-style (`\/`, `\u00e9`) and .NET-style (`\u002B33`, `\u00E9`, chunked, escapes cut across
// chunks and segments) JSON listings: the escapes are undone before the scan, so every value the
// generator wrote is found (tests/tools/scenarios/http_json_escaped.py).
TEST_F(HttpPcap, EscapedJsonListingsAreUnescaped) {
  nlohmann::json sc;
  const Outcome o = ReplayCapture("http_json_escaped.pcap", false, &sc);
  ASSERT_EQ(o.tx.size(), sc["http"]["responses"].get<std::size_t>());
  EXPECT_EQ(o.records.size(), sc["people"].get<std::size_t>());
  std::vector<std::size_t> per_response;
  std::uint64_t decoded = 0;
  for (const auto& e : o.tx) {
    per_response.push_back(e.pii.records.size());
    decoded += e.bytes;
  }
  EXPECT_EQ(per_response, sc["people_by_response"].get<std::vector<std::size_t>>());
  EXPECT_EQ(decoded, sc["decoded_body_bytes"].get<std::uint64_t>());
  for (const auto& [type, name] : {std::pair{match::PiiType::kNir, "nir"}, {match::PiiType::kEmail, "email"},
                                    {match::PiiType::kPhone, "phone"}, {match::PiiType::kBirthDate, "birth_date"},
                                    {match::PiiType::kAddress, "address"}})
    EXPECT_EQ(M(o, type), sc["by_type"][name].get<std::uint64_t>()) << name;
  EXPECT_EQ(o.accounts, (std::set<std::string>{"conseiller-0123"}));
}

TEST_F(HttpPcap, ProxyWithForwardedFor) {
  nlohmann::json sc;
  const Outcome with = ReplayCapture("http_proxy_xff.pcap", true, &sc);
  std::set<std::string> want;
  for (const auto& a : sc["client_ips"]) want.insert(a.get<std::string>());
  EXPECT_EQ(with.clients, want);
  EXPECT_EQ(with.records.size(), sc["people"].get<std::size_t>());
  const Outcome without = ReplayCapture("http_proxy_xff.pcap", false, &sc);
  EXPECT_EQ(without.clients, (std::set<std::string>{sc["proxy_ip"].get<std::string>()}));
}

}  // namespace
}  // namespace vigie::app
