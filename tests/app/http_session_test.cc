// HttpSession: framing, pairing, decoding and attribution, judged by the TransactionEvents.
#include "app/http/http_session.h"

#include <gtest/gtest.h>

#include <random>

#include "http_test_util.h"

namespace vigie::app::http {
namespace {

using flow::Direction;
using httptest::Chunked;
using httptest::Gzip;
using httptest::PeopleJson;

struct Harness {
  explicit Harness(bool scanner = true) : t(scanner), flow(httptest::MakeTcpFlow()) {}
  void Start() { s = std::make_unique<HttpSession>(t.ctx, *flow); }
  void Feed(Direction d, const std::string& bytes, std::size_t max_chunk = 0, std::uint32_t seed = 1) {
    if (!s) Start();
    std::mt19937 rng(seed);
    httptest::FeedPieces(*s, *flow, d, bytes, max_chunk, rng);
  }
  void C(const std::string& b, std::size_t chunk = 0) { Feed(Direction::kToServer, b, chunk); }
  void S(const std::string& b, std::size_t chunk = 0) { Feed(Direction::kToClient, b, chunk); }
  void Close() {
    if (!s) Start();
    s->OnClose(*flow);
  }
  std::int64_t Anomaly(std::string_view reason) const {
    return t.Counter("vigie_http_anomalies_total", {{"reason", std::string(reason)}});
  }
  const std::vector<track::TransactionEvent>& tx() const { return t.sink.tx; }
  httptest::TestContext t;
  std::unique_ptr<flow::Flow> flow;
  std::unique_ptr<HttpSession> s;
};

std::string Response(const std::string& body, const std::string& extra = "", const std::string& status = "200 OK") {
  return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(HttpSession, RealScannerLoads) {
  httptest::TestContext t;
  EXPECT_NE(t.ctx.scanner, nullptr) << "PII assertions below are skipped: " << t.load_error;
}

TEST(HttpSession, SimpleGetJsonResponse) {
  Harness h;
  const std::string body = PeopleJson(5);
  h.C("GET /v1/demandeurs?page=3&nir=" + httptest::Nir(1850575100001) + " HTTP/1.1\r\nHost: api.example.fr\r\n\r\n");
  h.S(Response(body));
  ASSERT_EQ(h.tx().size(), h.t.ctx.scanner ? 2u : 1u);  // the query string carries a NIR
  const auto& e = h.tx().back();
  EXPECT_EQ(e.detail, "GET api.example.fr/v1/demandeurs -> 200 application/json");
  EXPECT_EQ(e.bytes, body.size());
  EXPECT_EQ(e.app_proto, track::AppProto::kHttp);
  EXPECT_EQ(e.path.src_ip, h.flow->server.ip);  // a download: the server is the source
  EXPECT_EQ(e.path.dest_port, h.flow->client.port);
  EXPECT_EQ(e.client_ip, h.flow->client.ip);
  EXPECT_TRUE(e.path.community_id.empty());  // derived by the tracker for alerts only
  if (h.t.ctx.scanner) {
    EXPECT_EQ(e.pii.matches[static_cast<int>(match::PiiType::kNir)], 5u);
    EXPECT_EQ(e.pii.matches[static_cast<int>(match::PiiType::kEmail)], 5u);
    EXPECT_EQ(e.pii.records.size(), 5u);
    const auto& req = h.tx().front();
    EXPECT_EQ(req.bytes, 0u);
    EXPECT_EQ(req.detail, "GET api.example.fr/v1/demandeurs");
    EXPECT_EQ(req.path.src_ip, h.flow->client.ip);
    EXPECT_EQ(req.pii.matches[static_cast<int>(match::PiiType::kNir)], 1u);
  }
  EXPECT_EQ(h.t.Counter("vigie_http_transactions_total"), 2);
}

// The key property: the same exchange in one buffer, in random 1–7 byte pieces and one byte
// at a time gives identical events.
TEST(HttpSession, ChunkingDoesNotChangeEvents) {
  const std::string json = PeopleJson(40, 3);
  const std::string gz = Gzip(json);
  const std::string form = "email=marie.curie%40example.fr&q=tout+le+monde";
  const std::string req =
      "POST /v1/export HTTP/1.1\r\nHost: api.example.fr\r\nAuthorization: Basic Y2FwZW1wbG9pLTAwNDI6c2VjcmV0\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) +
      "\r\n\r\n" + form;
  bool scanned = false;
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunked(gz, 97, ";ext=1");
  std::vector<std::vector<track::TransactionEvent>> runs;
  for (std::size_t chunk : {0u, 7u, 1u}) {
    Harness h;
    h.C(req, chunk);
    h.S(resp, chunk);
    h.Close();
    scanned = h.t.ctx.scanner != nullptr;
    runs.push_back(h.tx());
  }
  ASSERT_EQ(runs[0].size(), 2u);
  EXPECT_EQ(runs[0][0].bytes, form.size() - 2);  // percent-decoded form body
  EXPECT_EQ(runs[0][1].bytes, json.size());
  EXPECT_EQ(runs[0][1].account, "capemploi-0042");
  EXPECT_EQ(runs[0][0].account, "capemploi-0042");
  for (std::size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size()) << r;
    for (std::size_t i = 0; i < runs[0].size(); ++i) {
      EXPECT_EQ(runs[r][i].bytes, runs[0][i].bytes);
      EXPECT_EQ(runs[r][i].detail, runs[0][i].detail);
      EXPECT_EQ(runs[r][i].account, runs[0][i].account);
      EXPECT_EQ(runs[r][i].pii.matches, runs[0][i].pii.matches);
      EXPECT_EQ(runs[r][i].pii.records, runs[0][i].pii.records);
    }
  }
  if (scanned) {
    EXPECT_EQ(runs[0][1].pii.records.size(), 40u);
    EXPECT_EQ(runs[0][0].pii.matches[static_cast<int>(match::PiiType::kEmail)], 1u);
  }
}

TEST(HttpSession, PipeliningPairsInOrder) {
  Harness h;
  h.C("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S(Response("AAAA") + "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + Response("CCCCCC", "", "404 Not Found"));
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].detail, "GET h/a -> 200 application/json");
  EXPECT_EQ(h.tx()[0].bytes, 4u);
  EXPECT_EQ(h.tx()[1].detail, "GET h/c -> 404 application/json");
  EXPECT_EQ(h.tx()[1].bytes, 6u);
  EXPECT_EQ(h.Anomaly("resync"), 0);
}

TEST(HttpSession, KeepAliveAndNoBodyStatuses) {
  Harness h;
  for (const char* status : {"204 No Content", "304 Not Modified", "200 OK"}) {
    h.C("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    if (std::string(status) == "200 OK")
      h.S(Response("{}"));
    else
      h.S(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 50\r\n\r\n");
  }
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].bytes, 2u);
  EXPECT_EQ(h.t.Counter("vigie_http_transactions_total"), 6);
}

TEST(HttpSession, HundredContinueDoesNotConsumeTheRequest) {
  Harness h;
  h.C("PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  h.S("HTTP/1.1 100 Continue\r\n\r\n");
  h.C("hello");
  h.S(Response("ok!"));
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].detail, "PUT h/up");
  EXPECT_EQ(h.tx()[0].bytes, 5u);
  EXPECT_EQ(h.tx()[1].detail, "PUT h/up -> 200 application/json");
}

TEST(HttpSession, ConnectTunnelStopsParsing) {
  Harness h;
  h.C("CONNECT api.example.fr:443 HTTP/1.1\r\nHost: api.example.fr:443\r\n\r\n");
  h.S("HTTP/1.1 200 Connection established\r\n\r\n");
  h.C(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9) + std::string(500, 'x'));
  h.S(std::string("\x16\x03\x03\x00\x5a\x02", 6) + Response("not http any more"));
  h.Close();
  EXPECT_TRUE(h.tx().empty());
  EXPECT_EQ(h.t.Counter("vigie_http_tunnels_total"), 1);
  EXPECT_EQ(h.Anomaly("resync"), 0);
}

TEST(HttpSession, ConnectRefusedThenRetried) {
  Harness h;
  h.C("CONNECT a:443 HTTP/1.1\r\n\r\n");
  h.S(Response("denied", "", "407 Proxy Authentication Required"));
  h.C("CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic dTpw\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\n\r\n");
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.t.Counter("vigie_http_tunnels_total"), 1);
}

TEST(HttpSession, ResyncAfterGarbage) {
  Harness h;
  const std::string junk = "\x01\x02garbage line\r\nmore junk GET / HTTP/1.1\r\n";
  h.C(junk + "GET /real HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("xx\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  // The skipped bytes of each side are one raw unit, reported before the message after them.
  ASSERT_EQ(h.tx().size(), 3u);
  EXPECT_EQ(h.tx()[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(h.tx()[0].bytes, junk.size());
  EXPECT_EQ(h.tx()[0].path.src_ip, h.flow->client.ip);
  EXPECT_EQ(h.tx()[1].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(h.tx()[1].bytes, 4u);
  EXPECT_EQ(h.tx()[1].path.src_ip, h.flow->server.ip);
  EXPECT_EQ(h.tx()[2].detail, "GET h/real -> 200");
  EXPECT_EQ(h.Anomaly("bad_start_line"), 2);
  EXPECT_EQ(h.Anomaly("resync"), 2);
  EXPECT_EQ(h.Anomaly("unframed_data"), 2);
  EXPECT_EQ(h.t.Counter("vigie_http_unframed_bytes_total"), static_cast<std::int64_t>(junk.size() + 4));
}

TEST(HttpSession, HugeHeaderBlockIsAnAnomalyAndRecovers) {
  Harness h;
  h.t.config.max_header_bytes = 4096;
  std::string big = "GET /big HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 200; ++i) big += "X-Filler-" + std::to_string(i) + ": " + std::string(100, 'a') + "\r\n";
  big += "\r\n";
  h.C(big + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n", 3);
  h.S(Response("{\"a\":1}"));
  EXPECT_EQ(h.Anomaly("header_too_large"), 1);
  // The line that crossed the limit and the rest of the block are scanned as one raw unit.
  std::size_t cut = 0;
  while (big.find('\n', cut) + 1 <= 4096) cut = big.find('\n', cut) + 1;
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(h.tx()[0].bytes, big.size() - cut);
  EXPECT_EQ(h.tx()[1].detail, "GET h/next -> 200 application/json");
  // An endless line without CRLF is cut too, memory stays bounded.
  h.S(std::string(100000, 'Z'));
  EXPECT_EQ(h.Anomaly("header_too_large"), 2);  // cut once at the limit, then skipped
  h.S("\r\n" + Response("{}"));
  ASSERT_EQ(h.tx().size(), 4u);
  EXPECT_EQ(h.tx()[2].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(h.tx()[2].bytes, 100002u);
  EXPECT_EQ(h.tx()[3].app_proto, track::AppProto::kHttp);
}

TEST(HttpSession, ChunkSizeOverflowIsCounted) {
  Harness h;
  h.C("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n1FFFFFFFFFFFFFFFFF\r\nxyz\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(h.Anomaly("chunk_size_overflow"), 1);
  ASSERT_EQ(h.tx().size(), 3u);
  EXPECT_EQ(h.tx()[0].bytes, 4u);  // truncated first body still reported
  EXPECT_EQ(h.tx()[1].app_proto, track::AppProto::kRaw);  // "F\r\nxyz\r\n": the rest, skipped
  EXPECT_EQ(h.tx()[1].bytes, 8u);
  EXPECT_EQ(h.tx()[2].detail, "GET h/2 -> 200");
}

TEST(HttpSession, ChunkedWithTrailersAndTeOverCl) {
  Harness h;
  h.C("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nContent-Length: 999\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;name=val\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].bytes, 5u);
  EXPECT_EQ(h.tx()[1].bytes, 1u);
  EXPECT_EQ(h.Anomaly("te_and_cl"), 1);
  EXPECT_EQ(h.Anomaly("response_without_request"), 1);  // the second response came first
}

TEST(HttpSession, ObsFoldAndReadUntilClose) {
  Harness h;
  h.t.config.account_headers = {"X-User"};
  h.C("GET /f HTTP/1.0\r\nHost: h\r\nX-User: alice\r\n  continued\r\n\r\n");
  h.S("HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\n\r\nnom;prenom\r\nDupont;Jean\r\n", 2);
  EXPECT_TRUE(h.tx().empty());
  h.Close();
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].bytes, 25u);
  EXPECT_EQ(h.Anomaly("obs_fold"), 1);
  EXPECT_EQ(h.tx()[0].account.rfind("X-User:alic\xE2\x80\xA6#", 0), 0u) << h.tx()[0].account;
}

TEST(HttpSession, InvalidGzipIsScannedRaw) {
  Harness h;
  const std::string body = "{\"email\":\"jean.dupont@example.fr\"}";
  h.C("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].bytes, body.size());
  EXPECT_EQ(h.t.Counter("vigie_http_decompression_errors_total", {{"encoding", "gzip"}}), 1);
  if (h.t.ctx.scanner) {
    EXPECT_EQ(h.tx()[0].pii.matches[static_cast<int>(match::PiiType::kEmail)], 1u);
  }
}

TEST(HttpSession, BombIsCutAndTheNextMessageStillParses) {
  Harness h;
  h.t.config.decompress_max_output = 4 << 20;
  const std::string gz = Gzip(std::string(64 << 20, 'A'));
  h.C("GET /bomb HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n\r\n" + gz +
      Response("{}"));
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_LE(h.tx()[0].bytes, 4u << 20);
  EXPECT_EQ(h.t.Counter("vigie_http_decompression_bombs_total"), 1);
  EXPECT_EQ(h.tx()[1].detail, "GET h/after -> 200 application/json");
}

TEST(HttpSession, StackedEncodings) {
  Harness h;
  const std::string body = "{\"x\":\"stacked\"}";
  const std::string twice = httptest::Deflate(Gzip(body), 15);
  h.C("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, deflate\r\nContent-Length: " + std::to_string(twice.size()) +
          "\r\n\r\n" + twice,
      5);
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].bytes, body.size());
  EXPECT_EQ(h.t.Counter("vigie_http_bodies_decoded_total", {{"encoding", "deflate"}}), 1);
}

TEST(HttpSession, GapInsideBodyKeepsFraming) {
  Harness h(false);
  h.C("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
  h.S("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(40, 'a'));
  h.s->OnGap(*h.flow, Direction::kToClient, 30);
  h.S(std::string(30, 'b') + Response("zz"));
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].bytes, 70u);
  EXPECT_EQ(h.tx()[1].bytes, 2u);
}

TEST(HttpSession, ForwardedForGivesTheClient) {
  Harness h(false);
  h.t.config.use_x_forwarded_for = true;
  h.C("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 192.0.2.44, 10.0.0.1\r\n\r\n"
      "GET / HTTP/1.1\r\nHost: h\r\nX-Real-IP: [2001:db8::7]:443\r\n\r\n");
  h.S(Response("a") + Response("b"));
  ASSERT_EQ(h.tx().size(), 2u);
  EXPECT_EQ(h.tx()[0].client_ip.ToString(), "192.0.2.44");
  EXPECT_EQ(h.tx()[1].client_ip.ToString(), "2001:db8::7");
  EXPECT_EQ(h.tx()[0].path.dest_ip, h.flow->client.ip);  // the path stays the flow's
}

TEST(HttpSession, ForwardedForIgnoredUnlessConfigured) {
  Harness h(false);
  h.C("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 192.0.2.44\r\n\r\n");
  h.S(Response("a"));
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].client_ip, h.flow->client.ip);
}

}  // namespace
}  // namespace vigie::app::http

namespace vigie::app::http {
namespace {

TEST(HttpSession, BodyLimitCapsDecodedBytes) {
  httptest::TestContext t(false);
  t.config.http_body_limit = 10;
  auto fl = httptest::MakeTcpFlow();
  HttpSession s(t.ctx, *fl);
  const std::string req = "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a') +
                           "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz";
  s.OnData(*fl, flow::Direction::kToServer, AsBytes(req));
  s.OnData(*fl, flow::Direction::kToClient, AsBytes(resp));
  ASSERT_EQ(t.sink.tx.size(), 2u);
  EXPECT_EQ(t.sink.tx[0].bytes, 10u);
  EXPECT_EQ(t.sink.tx[1].bytes, 3u);
  EXPECT_EQ(t.Counter("vigie_http_body_bytes_total", {{"stage", "wire"}}), 103);
}

TEST(HttpSession, BearerJwtAccountAppliesToTheResponse) {
  httptest::TestContext t(false);
  auto fl = httptest::MakeTcpFlow();
  HttpSession s(t.ctx, *fl);
  // {"alg":"none"} . {"sub":"conseiller-7731"} . sig
  const std::string req =
      "GET /v2/dossiers HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer eyJhbGciOiJub25lIn0."
      "eyJzdWIiOiJjb25zZWlsbGVyLTc3MzEifQ.c2ln\r\n\r\n";
  s.OnData(*fl, flow::Direction::kToServer, AsBytes(req));
  s.OnData(*fl, flow::Direction::kToClient, AsBytes(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")));
  ASSERT_EQ(t.sink.tx.size(), 1u);
  EXPECT_EQ(t.sink.tx[0].account, "conseiller-7731");
}

}  // namespace
}  // namespace vigie::app::http
