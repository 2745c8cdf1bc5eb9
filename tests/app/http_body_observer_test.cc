// The optional HTTP body tap (app/http/body_observer.h): what it sees (de-chunked, decompressed,
// before percent-decoding and MIME), per message and direction, whatever the chunking; and that
// events are unchanged whether it is set or not.
#include <gtest/gtest.h>

#include <random>

#include "app/http/body_observer.h"
#include "app/http/http_session.h"
#include "http_test_util.h"

namespace vigie::app::http {
namespace {

using flow::Direction;

struct Seen {
  BodyMeta meta;  // string views copied below
  std::string method, target, host, content_type, codings;
  std::string body;
  int gaps = 0;
  bool ended = false;
  BodyEnd end;
};

class Recorder final : public BodyObserver {
 public:
  void OnBodyBegin(const flow::Flow& flow, const BodyMeta& m) override {
    ASSERT_EQ(open_[flow::Index(m.dir)], -1) << "Begin while a body is open";
    Seen s;
    s.meta = m;
    s.method = m.method;
    s.target = m.target;
    s.host = m.host;
    s.content_type = m.content_type;
    s.codings = m.codings;
    s.meta.method = s.meta.target = s.meta.host = s.meta.content_type = s.meta.codings = {};
    flow_ = &flow;
    open_[flow::Index(m.dir)] = static_cast<int>(seen.size());
    seen.push_back(std::move(s));
  }
  void OnBodyData(const flow::Flow& flow, Direction dir, ByteView decoded) override {
    EXPECT_EQ(&flow, flow_);
    ASSERT_GE(open_[flow::Index(dir)], 0) << "data outside a body";
    seen[static_cast<std::size_t>(open_[flow::Index(dir)])].body.append(AsStringView(decoded));
  }
  void OnBodyGap(const flow::Flow&, Direction dir) override {
    ASSERT_GE(open_[flow::Index(dir)], 0);
    ++seen[static_cast<std::size_t>(open_[flow::Index(dir)])].gaps;
  }
  void OnBodyEnd(const flow::Flow&, Direction dir, const BodyEnd& end) override {
    ASSERT_GE(open_[flow::Index(dir)], 0) << "End without Begin";
    Seen& s = seen[static_cast<std::size_t>(open_[flow::Index(dir)])];
    s.ended = true;
    s.end = end;
    open_[flow::Index(dir)] = -1;
  }
  std::vector<Seen> seen;

 private:
  const flow::Flow* flow_ = nullptr;
  int open_[2] = {-1, -1};
};

struct Harness {
  explicit Harness(bool observe = true) : flow(httptest::MakeTcpFlow()) {
    if (observe) t.ctx.http_bodies = &rec;
    s = std::make_unique<HttpSession>(t.ctx, *flow);
  }
  void Feed(Direction d, const std::string& bytes, std::size_t max_chunk, std::uint32_t seed = 3) {
    std::mt19937 rng(seed);
    httptest::FeedPieces(*s, *flow, d, bytes, max_chunk, rng);
  }
  httptest::TestContext t{/*with_scanner=*/false};
  Recorder rec;
  std::unique_ptr<flow::Flow> flow;
  std::unique_ptr<HttpSession> s;
};

const std::string kJson = R"([{"nom":"Dupont","ville":"Lyon"},{"nom":"Martin","ville":"Paris"}])";

TEST(HttpBodyObserver, SeesDecodedRequestAndResponseBodiesWhateverTheChunking) {
  const std::string form = "q=caf%C3%A9+au+lait&n=1";
  const std::string req = "POST /api/find?x=1 HTTP/1.1\r\nHost: api.example.fr\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                          std::to_string(form.size()) + "\r\n\r\n" + form;
  const std::string gz = httptest::Gzip(kJson);
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n" + httptest::Chunked(gz, 17);
  for (std::size_t chunk : {0u, 5u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, req, chunk);
    h.Feed(Direction::kToClient, resp, chunk);
    ASSERT_EQ(h.rec.seen.size(), 2u) << chunk;
    const Seen& q = h.rec.seen[0];
    EXPECT_EQ(q.meta.dir, Direction::kToServer);
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.target, "/api/find?x=1");
    EXPECT_EQ(q.host, "api.example.fr");
    EXPECT_EQ(q.meta.status, 0);
    EXPECT_EQ(q.content_type, "application/x-www-form-urlencoded");
    EXPECT_EQ(q.body, form) << "the form as sent: percent-decoding is a scan step";
    EXPECT_TRUE(q.ended && q.end.complete && !q.end.coding_failed);
    const Seen& r = h.rec.seen[1];
    EXPECT_EQ(r.meta.dir, Direction::kToClient);
    EXPECT_EQ(r.method, "POST");  // the paired request's
    EXPECT_EQ(r.target, "/api/find?x=1");
    EXPECT_EQ(r.meta.status, 200);
    EXPECT_EQ(r.codings, "gzip");
    EXPECT_EQ(r.body, kJson) << chunk;  // de-chunked and gunzipped
    EXPECT_TRUE(r.ended && r.end.complete && !r.end.coding_failed);
    EXPECT_EQ(r.gaps, 0);
  }
}

TEST(HttpBodyObserver, MultipartIsSeenWholeAndEventsAreUnchanged) {
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.csv\"\r\n\r\na;b\r\n--b--\r\n";
  const std::string req = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  Harness with, without(/*observe=*/false);
  with.Feed(Direction::kToServer, req, 0);
  without.Feed(Direction::kToServer, req, 0);
  ASSERT_EQ(with.rec.seen.size(), 1u);
  EXPECT_EQ(with.rec.seen[0].body, body);  // the entity, before MIME splitting
  EXPECT_TRUE(without.rec.seen.empty());
  ASSERT_EQ(with.t.sink.tx.size(), 1u);
  ASSERT_EQ(without.t.sink.tx.size(), 1u);
  EXPECT_EQ(with.t.sink.tx[0].detail, without.t.sink.tx[0].detail);
  EXPECT_EQ(with.t.sink.tx[0].bytes, without.t.sink.tx[0].bytes);
}

TEST(HttpBodyObserver, BodylessMessagesGapsAndFailedCodings) {
  Harness h;
  // A GET (empty unit), a HEAD answered with a length but no body (no unit for the response).
  h.Feed(Direction::kToServer, "GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"
                               "GET /bad HTTP/1.1\r\nHost: h\r\n\r\nGET /gap HTTP/1.1\r\nHost: h\r\n\r\n", 0);
  h.Feed(Direction::kToClient, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0);
  // Content-Encoding: gzip over plain text: the coding fails, the raw bytes are passed on.
  h.Feed(Direction::kToClient, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 11\r\n\r\nhello world", 0);
  h.Feed(Direction::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0);
  h.s->OnGap(*h.flow, Direction::kToClient, 4);
  h.Feed(Direction::kToClient, "xyz", 0);
  h.s->OnClose(*h.flow);
  std::vector<std::string> got;
  for (const Seen& s : h.rec.seen) {
    EXPECT_TRUE(s.ended);
    got.push_back((s.meta.dir == Direction::kToServer ? "req " : "resp ") + s.target + " [" + s.body + "] gaps=" +
                  std::to_string(s.gaps) + (s.end.complete ? " complete" : "") +
                  (s.end.coding_failed ? " coding_failed" : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "req / [] gaps=0 complete", "req /x [] gaps=0 complete", "req /bad [] gaps=0 complete",
                     "req /gap [] gaps=0 complete",
                     // 204 and the HEAD response: no unit
                     "resp /bad [hello world] gaps=0 complete coding_failed",
                     "resp /gap [abcxyz] gaps=1 complete"}));
}

}  // namespace
}  // namespace vigie::app::http
