// Bytes of an HTTP flow that are not framed HTTP/1.x are still scanned: HTTP/0.9 responses are
// decoded as bodies, anything else the framer skips (a non-HTTP reply to an HTTP-looking request,
// garbage before a message, a request body skipped after a bad Transfer-Encoding) is scanned as a
// raw unit. Each case is checked in one buffer, random 1-7 byte pieces and one byte at a time.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "app/http/http_session.h"
#include "http_test_util.h"
#include "match/test_util.h"

namespace vigie::app::http {
namespace {

using flow::Direction;

using httptest::PeopleCsv;

// One exchange: a sequence of (direction, bytes) pieces, then gaps and the close as scripted.
struct Step {
  Direction dir;
  std::string bytes;
  std::uint64_t gap = 0;  // when non-zero: a hole of this length instead of bytes
};

struct Outcome {
  std::vector<track::TransactionEvent> tx;
  std::int64_t unframed = 0, unframed_bytes = 0, http09 = 0, bad_start_line = 0;
  bool scanner = false;
};

// max_chunk 0: one buffer per step; 1: one byte at a time; k: random 1..k byte pieces.
Outcome Play(const std::vector<Step>& steps, std::size_t max_chunk, bool scan_raw = true) {
  httptest::TestContext t;
  t.config.scan_raw_streams = scan_raw;
  auto flow = httptest::MakeTcpFlow();
  HttpSession s(t.ctx, *flow);
  std::mt19937 rng(11);
  for (const Step& st : steps) {
    if (st.gap > 0) {
      s.OnGap(*flow, st.dir, st.gap);
      continue;
    }
    httptest::FeedPieces(s, *flow, st.dir, st.bytes, max_chunk, rng);
  }
  s.OnClose(*flow);
  Outcome r;
  r.tx = t.sink.tx;
  r.scanner = t.ctx.scanner != nullptr;
  r.unframed = t.Counter("vigie_http_anomalies_total", {{"reason", "unframed_data"}});
  r.http09 = t.Counter("vigie_http_anomalies_total", {{"reason", "http09"}});
  r.bad_start_line = t.Counter("vigie_http_anomalies_total", {{"reason", "bad_start_line"}});
  r.unframed_bytes = t.Counter("vigie_http_unframed_bytes_total");
  return r;
}

// Plays the exchange in three chunkings and checks that they give identical events and counts.
Outcome PlayAllChunkings(const std::vector<Step>& steps) {
  const Outcome whole = Play(steps, 0);
  for (std::size_t chunk : {7u, 1u}) {
    const Outcome r = Play(steps, chunk);
    EXPECT_EQ(r.unframed, whole.unframed) << chunk;
    EXPECT_EQ(r.unframed_bytes, whole.unframed_bytes) << chunk;
    EXPECT_EQ(r.http09, whole.http09) << chunk;
    EXPECT_EQ(r.bad_start_line, whole.bad_start_line) << chunk;
    EXPECT_EQ(r.tx.size(), whole.tx.size()) << chunk;
    if (r.tx.size() != whole.tx.size()) continue;
    for (std::size_t i = 0; i < r.tx.size(); ++i) {
      EXPECT_EQ(r.tx[i].app_proto, whole.tx[i].app_proto) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].bytes, whole.tx[i].bytes) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].detail, whole.tx[i].detail) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].account, whole.tx[i].account) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].path.src_ip, whole.tx[i].path.src_ip) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].pii.matches, whole.tx[i].pii.matches) << chunk << " event " << i;
      EXPECT_EQ(r.tx[i].pii.records, whole.tx[i].pii.records) << chunk << " event " << i;
    }
  }
  return whole;
}

std::size_t Records(const track::TransactionEvent& e) { return e.pii.records.size(); }

TEST(HttpUnframed, ScannerLoads) {
  httptest::TestContext t;
  ASSERT_NE(t.ctx.scanner, nullptr) << "the PII assertions of this file need signatures/pii.yaml: " << t.load_error;
}

// HTTP/0.9: "GET /path" without version, answered by the raw body until the close.
TEST(HttpUnframed, Http09ResponseBodyIsDecodedAndScanned) {
  const std::string csv = PeopleCsv(40, 1);
  const Outcome r = PlayAllChunkings({{Direction::kToServer, "GET /export/people.csv\r\n\r\n"},
                                  {Direction::kToClient, csv}});
  ASSERT_EQ(r.tx.size(), 1u);
  const auto& e = r.tx[0];
  EXPECT_EQ(e.app_proto, track::AppProto::kHttp);
  EXPECT_EQ(e.detail, "GET /export/people.csv -> HTTP/0.9");
  EXPECT_EQ(e.bytes, csv.size());
  EXPECT_EQ(e.path.src_ip, httptest::MakeTcpFlow()->server.ip);
  EXPECT_EQ(r.http09, 1);
  EXPECT_EQ(r.unframed, 0);
  EXPECT_EQ(r.bad_start_line, 0);
  if (r.scanner) {
    EXPECT_EQ(Records(e), 40u);
  }
}

// A Simple-Response that starts with blank lines or with 'H' (but not "HTTP/1.") is a body too;
// a very short one is complete at the close.
TEST(HttpUnframed, Http09ResponsePrefixesOfAStatusLine) {
  for (const std::string& body : {std::string("\r\n\r\n<html>x</html>"), std::string("HTTP/2 is not 1.x"),
                                 std::string("HTT"), std::string("H")}) {
    const Outcome r = PlayAllChunkings({{Direction::kToServer, "GET /\r\n"}, {Direction::kToClient, body}});
    ASSERT_EQ(r.tx.size(), 1u) << body;
    EXPECT_EQ(r.tx[0].bytes, body.size()) << body;
    EXPECT_EQ(r.tx[0].detail, "GET / -> HTTP/0.9") << body;
    EXPECT_EQ(r.unframed, 0) << body;
  }
}

// A server that answers an HTTP/0.9 request with a status line is read as HTTP/1.x.
TEST(HttpUnframed, Http09RequestAnsweredWithAStatusLine) {
  const std::string json = httptest::PeopleJson(5);
  const Outcome r = PlayAllChunkings(
      {{Direction::kToServer, "GET /api\r\n"},
       {Direction::kToClient, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(json.size()) + "\r\n\r\n" + json}});
  ASSERT_EQ(r.tx.size(), 1u);
  EXPECT_EQ(r.tx[0].detail, "GET /api -> 200 application/json");
  EXPECT_EQ(r.tx[0].bytes, json.size());
  EXPECT_EQ(r.unframed, 0);
  if (r.scanner) {
    EXPECT_EQ(Records(r.tx[0]), 5u);
  }
}

// The HTTP/0.9 request target is scanned (percent-decoded) like any request target.
TEST(HttpUnframed, Http09RequestTargetIsScanned) {
  const Outcome r = PlayAllChunkings(
      {{Direction::kToServer, "GET /find?nir=" + httptest::Nir(1850575100001) + "\r\n"}, {Direction::kToClient, "ok"}});
  ASSERT_EQ(r.tx.size(), r.scanner ? 2u : 1u);
  if (!r.scanner) return;
  EXPECT_EQ(r.tx[0].detail, "GET /find");
  EXPECT_EQ(r.tx[0].pii.matches[static_cast<int>(match::PiiType::kNir)], 1u);
}

// A valid request answered by a non-HTTP reply (binary framing + a CSV): one raw unit from the
// server, attributed to the account of the request it answers.
TEST(HttpUnframed, NonHttpReplyIsScannedRaw) {
  const std::string csv = PeopleCsv(30, 2);
  const std::string reply = std::string("\x00\x01\x7f\xfe\x10\x00\x00\x2a", 8) + "BEGIN\n" + csv + "\x00\x00END";
  const Outcome r = PlayAllChunkings(
      {{Direction::kToServer,
        "GET /v1/export HTTP/1.1\r\nHost: api.example.fr\r\nAuthorization: Basic Y2FwZW1wbG9pLTAwNDI6c2VjcmV0\r\n\r\n"},
       {Direction::kToClient, reply}});
  ASSERT_EQ(r.tx.size(), 1u);
  const auto& e = r.tx[0];
  EXPECT_EQ(e.app_proto, track::AppProto::kRaw);
  EXPECT_EQ(e.bytes, reply.size());
  EXPECT_EQ(e.path.src_ip, httptest::MakeTcpFlow()->server.ip);
  EXPECT_EQ(e.account, "capemploi-0042");
  EXPECT_EQ(e.detail, "unframed server->client in http flow");
  EXPECT_EQ(r.unframed, 1);
  EXPECT_EQ(r.unframed_bytes, static_cast<std::int64_t>(reply.size()));
  EXPECT_GE(r.bad_start_line, 1);
  if (r.scanner) {
    EXPECT_EQ(Records(e), 30u);
  }
}

// Garbage (carrying PII) before a valid response: the garbage is one raw unit, the response an
// HTTP unit; both are scanned and come out in stream order.
TEST(HttpUnframed, GarbageThenValidResponse) {
  const std::string csv = PeopleCsv(25, 3);
  const std::string json = httptest::PeopleJson(12, 4);
  const Outcome r = PlayAllChunkings(
      {{Direction::kToServer, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"},
       {Direction::kToClient, csv + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(json.size()) + "\r\n\r\n" + json}});
  ASSERT_EQ(r.tx.size(), 2u);
  EXPECT_EQ(r.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[0].bytes, csv.size());
  EXPECT_EQ(r.tx[1].app_proto, track::AppProto::kHttp);
  EXPECT_EQ(r.tx[1].detail, "GET h/a -> 200 application/json");
  EXPECT_EQ(r.tx[1].bytes, json.size());
  EXPECT_EQ(r.unframed, 1);
  if (!r.scanner) return;
  EXPECT_EQ(Records(r.tx[0]), 25u);
  EXPECT_EQ(Records(r.tx[1]), 12u);
}

// The same on the request side: garbage lines that hide "GET " prefixes and a line starting
// like a request that is not one, then a valid request.
TEST(HttpUnframed, GarbageBeforeARequest) {
  const std::string csv = PeopleCsv(20, 5);
  const std::string junk = "GE" + csv + "GET \x01 bad\r\nPOS";
  const Outcome r = PlayAllChunkings({{Direction::kToServer, junk + "\r\nGET /ok HTTP/1.1\r\nHost: h\r\n\r\n"},
                                  {Direction::kToClient, "HTTP/1.1 204 No Content\r\n\r\n"}});
  ASSERT_EQ(r.tx.size(), 1u);
  EXPECT_EQ(r.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[0].bytes, junk.size() + 2);
  EXPECT_EQ(r.tx[0].path.src_ip, httptest::MakeTcpFlow()->client.ip);
  EXPECT_EQ(r.tx[0].account, "");
  if (r.scanner) {
    EXPECT_EQ(Records(r.tx[0]), 20u);
  }
}

// A request whose Transfer-Encoding does not end in chunked cannot be framed (RFC 9112: 400);
// its body used to be skipped until the next request line. It is now a raw unit.
TEST(HttpUnframed, BodySkippedAfterBadTransferEncodingIsScanned) {
  const std::string csv = PeopleCsv(15, 6);
  const Outcome r = PlayAllChunkings(
      {{Direction::kToServer, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n" + csv +
                                  "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"}});
  std::size_t raw = 0;
  for (const auto& e : r.tx) {
    if (e.app_proto != track::AppProto::kRaw) continue;
    ++raw;
    EXPECT_EQ(e.bytes, csv.size());
    if (r.scanner) {
      EXPECT_EQ(Records(e), 15u);
    }
  }
  EXPECT_EQ(raw, 1u);
}

// A hole in the middle of a garbage run: the unit goes on (one event), bytes on both sides are
// scanned, and no match joins the two sides.
TEST(HttpUnframed, GapInsideUnframedData) {
  const std::string a = PeopleCsv(10, 7), b = PeopleCsv(10, 8);
  const Outcome r = PlayAllChunkings({{Direction::kToServer, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
                                  {Direction::kToClient, "\x01\x02" + a.substr(0, a.size() - 9)},
                                  {Direction::kToClient, "", 100},
                                  {Direction::kToClient, b}});
  ASSERT_EQ(r.tx.size(), 1u);
  EXPECT_EQ(r.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[0].bytes, 2 + a.size() - 9 + b.size());
  if (!r.scanner) return;
  // The last line of `a` lost its tail (phone digits): its NIR is still there.
  EXPECT_EQ(Records(r.tx[0]), 20u);
}

// A binary reply without any newline, shorter than the header limit: held as a would-be status
// line, then handed over at the close.
TEST(HttpUnframed, UnterminatedReplyIsScannedAtClose) {
  std::string csv = PeopleCsv(8, 9);
  for (char& c : csv)
    if (c == '\n') c = '|';
  const Outcome r = PlayAllChunkings({{Direction::kToServer, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
                                  {Direction::kToClient, csv}});
  ASSERT_EQ(r.tx.size(), 1u);
  EXPECT_EQ(r.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[0].bytes, csv.size());
  if (r.scanner) {
    EXPECT_EQ(Records(r.tx[0]), 8u);
  }
}

// "GET key" (a Redis inline command, say) is not an HTTP/0.9 request: both sides are raw.
TEST(HttpUnframed, GetWithoutPathIsNotHttp09) {
  const Outcome r = PlayAllChunkings({{Direction::kToServer, "GET user:42\r\n"},
                                  {Direction::kToClient, "$11\r\nmarie curie\r\n"}});
  EXPECT_EQ(r.http09, 0);
  ASSERT_EQ(r.tx.size(), 2u);
  EXPECT_EQ(r.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[0].bytes, 13u);
  EXPECT_EQ(r.tx[1].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(r.tx[1].bytes, 18u);
  EXPECT_EQ(r.unframed, 2);
}

// scan_raw_streams: false keeps unframed bytes volume-only (counted, no event), as raw streams.
TEST(HttpUnframed, ScanRawStreamsOffCountsOnly) {
  const std::string reply = "\x01\x02" + PeopleCsv(5, 10);
  const Outcome r = Play({{Direction::kToServer, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"}, {Direction::kToClient, reply}}, 0,
                     /*scan_raw=*/false);
  EXPECT_TRUE(r.tx.empty());
  EXPECT_EQ(r.unframed, 1);
  EXPECT_EQ(r.unframed_bytes, static_cast<std::int64_t>(reply.size()));
}

// The framer alone: what it reports (heads, body bytes, unframed bytes, ends; and the anomalies,
// in order) is the same sequence whatever the chunking, on mutated exchanges with a hole at a
// fixed offset. Runs of body bytes and of unframed bytes are merged, since their split follows
// the input's.
class Recorder final : public HttpFramer::Handler {
 public:
  explicit Recorder(bool simple_response) : simple_(simple_response) {}
  BodyPlan OnHead(const HttpHead& h) override {
    Log('H', h.method + " " + h.target + " " + std::to_string(h.status) + (h.http09 ? " 0.9" : ""));
    if (h.status == 204 || (h.status > 0 && h.status < 200)) return {BodyKind::kNone, 0};
    if (h.http09 || (h.status >= 200 && !h.Has("content-length"))) return {BodyKind::kUntilClose, 0};
    const std::string_view cl = h.Get("content-length");
    std::uint64_t n = 0;
    for (char c : cl) n = n * 10 + static_cast<std::uint64_t>(c >= '0' && c <= '9' ? c - '0' : 0);
    if (h.Has("transfer-encoding")) return {BodyKind::kChunked, 0};
    if (h.is_request && h.method == "CONNECT") return {BodyKind::kAwaitResync, 0};
    return {BodyKind::kLength, n % 100000};
  }
  void OnBody(ByteView b) override { Log('B', std::string(AsStringView(b))); }
  void OnBodyGap(std::uint64_t) override { Log('g', ""); }
  void OnMessageEnd(bool complete) override { Log('E', complete ? "1" : "0"); }
  // Kept apart: when an anomaly fires within a run of bytes may follow the chunking (a line
  // over the limit is cut where the limit is crossed), the bytes reported may not.
  void OnAnomaly(Anomaly a) override { anomalies.emplace_back(kAnomalyNames[static_cast<std::size_t>(a)]); }
  void OnUnframed(ByteView b) override {
    EXPECT_FALSE(b.empty());
    unframed_bytes += b.size();
    Log('U', std::string(AsStringView(b)));
  }
  bool SimpleResponseNext() override { return simple_; }
  std::vector<std::pair<char, std::string>> log;
  std::vector<std::string> anomalies;
  std::uint64_t unframed_bytes = 0;

 private:
  void Log(char kind, const std::string& text) {
    if ((kind == 'B' || kind == 'U') && !log.empty() && log.back().first == kind) {
      log.back().second += text;
      return;
    }
    log.emplace_back(kind, text);
  }
  bool simple_;
};

TEST(HttpUnframed, FramerReportsTheSameWhateverTheChunking) {
  const std::string csv = PeopleCsv(5, 12);
  const std::string seed =
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" + csv + "GE\r\nGET /0.9\r\n\x01junk GET \r\nPOST /p HTTP/1.1\r\n"
      "Content-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n"
      "1FFFFFFFFFFFFFFFFF\r\nxyz\r\nCONNECT a:1 HTTP/1.1\r\n\r\n\x16\x03\x01rest\nHTTP/1.1 204 No Content\r\n\r\n" +
      std::string(700, 'L') + "\r\nHTTP/1.1 200 OK\r\n" + std::string(600, 'h') + ": v\r\n\r\ntail";
  std::mt19937 rng(77);
  int with_unframed = 0, with_09 = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string m = seed;
    const int flips = static_cast<int>(rng() % 6);
    for (int i = 0; i < flips; ++i) {
      const std::size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[pos] = "\r\n GHTP/1.0\x00"[rng() % 12]; break;
        case 1: m.erase(pos, 1 + rng() % 16); break;
        default: m.insert(pos, std::string(1 + rng() % 4, "\r\nGET HTTP/1."[rng() % 13])); break;
      }
    }
    const std::size_t gap_at = rng() % (m.size() + 1);
    const bool request_side = iter % 2 == 0;
    const bool simple = iter % 3 == 0;
    std::vector<std::pair<char, std::string>> first;
    std::vector<std::string> first_anomalies;
    std::uint64_t first_unframed = 0;
    for (std::size_t chunk : {0u, 5u, 1u}) {
      Recorder rec(simple);
      HttpFramer f(request_side, 512, rec);
      std::mt19937 split(iter);
      const auto feed = [&](std::string_view part) {
        for (std::size_t i = 0; i < part.size();) {
          const std::size_t n = chunk == 0 ? part.size() : std::min<std::size_t>(1 + split() % chunk, part.size() - i);
          f.Feed(AsBytes(part.substr(i, n)));
          i += n;
        }
      };
      feed(std::string_view(m).substr(0, gap_at));
      f.Gap(10);
      feed(std::string_view(m).substr(gap_at));
      f.Close();
      if (chunk == 0) {
        first = rec.log;
        first_anomalies = rec.anomalies;
        first_unframed = rec.unframed_bytes;
        EXPECT_LE(first_unframed, m.size());
        with_unframed += first_unframed > 0;
        for (const auto& [kind, text] : first) with_09 += kind == 'H' && text.ends_with(" 0.9");
        continue;
      }
      ASSERT_EQ(rec.unframed_bytes, first_unframed) << "iter " << iter << " chunk " << chunk;
      ASSERT_EQ(rec.anomalies, first_anomalies) << "iter " << iter << " chunk " << chunk;
      ASSERT_EQ(rec.log.size(), first.size()) << "iter " << iter << " chunk " << chunk;
      for (std::size_t i = 0; i < first.size(); ++i) {
        ASSERT_EQ(rec.log[i].first, first[i].first) << "iter " << iter << " chunk " << chunk << " entry " << i;
        ASSERT_EQ(rec.log[i].second, first[i].second) << "iter " << iter << " chunk " << chunk << " entry " << i;
      }
    }
  }
  // The mutants exercise what is under test (a response side told to expect a Simple-Response
  // reads everything as its body: 50 runs have nothing unframed).
  EXPECT_GE(with_unframed, 240);
  EXPECT_GT(with_09, 100);
}

}  // namespace
}  // namespace vigie::app::http
