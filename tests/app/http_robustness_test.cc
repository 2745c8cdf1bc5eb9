// Adversarial inputs: mutated exchanges and random bytes in random chunkings must neither crash
// (run under ASan/UBSan) nor grow memory; every event stays well-formed.
#include <gtest/gtest.h>

#include <random>

#include "app/http/http_session.h"
#include "http_test_util.h"

namespace vigie::app::http {
namespace {

std::string Seed() {
  const std::string gz = httptest::Gzip(httptest::PeopleJson(20));
  return "POST /a?x=%41%4 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Transfer-Encoding: gzip, chunked\r\n\r\n" + httptest::Chunked(httptest::Gzip("a=%40%%2&b=c+d"), 5) +
         "GET /b HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer a.e30.b\r\n\r\n"
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: br, gzip, deflate, gzip\r\n"
         "Content-Length: 20\r\n\r\n0123456789abcdefghij"
         "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
         httptest::Chunked(gz, 64);
}

TEST(HttpRobustness, MutatedExchangesNeverCrash) {
  httptest::TestContext t;
  t.config.max_header_bytes = 512;
  t.config.decompress_max_output = 1 << 20;
  const std::string seed = Seed();
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 300; ++iter) {
    std::string m = seed;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) {
      const std::size_t pos = rng() % m.size();
      switch (rng() % 4) {
        case 0: m[pos] = static_cast<char>(rng()); break;
        case 1: m.erase(pos, 1 + rng() % 16); break;
        case 2: m.insert(pos, std::string(1 + rng() % 8, "\r\n:; 0f%"[rng() % 8])); break;
        default: m.insert(pos, "\r\n0\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n"); break;
      }
    }
    auto fl = httptest::MakeTcpFlow();
    HttpSession s(t.ctx, *fl);
    // Split the mutated text between the directions at its first "HTTP/1.1 1".
    const std::size_t split = std::min(m.size(), m.find("HTTP/1.1 1"));
    const std::string c = m.substr(0, split), srv = m.substr(split);
    for (const auto& [dir, data] : {std::pair{flow::Direction::kToServer, c}, std::pair{flow::Direction::kToClient, srv}}) {
      for (std::size_t i = 0; i < data.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 23, data.size() - i);
        s.OnData(*fl, dir, AsBytes(std::string_view(data).substr(i, n)));
        if (rng() % 50 == 0) s.OnGap(*fl, dir, rng() % 100);
        i += n;
      }
    }
    s.OnClose(*fl);
  }
  for (const auto& e : t.sink.tx) {
    EXPECT_LE(e.bytes, std::uint64_t{1} << 20);
    EXPECT_EQ(e.detail.find("?x="), std::string::npos);  // never a query string in detail
  }
  EXPECT_GT(t.sink.tx.size(), 100u);  // most mutants still carry decodable messages
}

TEST(HttpRobustness, RandomBytesBothDirections) {
  httptest::TestContext t(false);
  std::mt19937 rng(99);
  for (int iter = 0; iter < 50; ++iter) {
    auto fl = httptest::MakeTcpFlow();
    HttpSession s(t.ctx, *fl);
    std::string junk(4096, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng() % 4 == 0 ? "\r\n :HTTP/1.GET"[rng() % 14] : rng());
    s.OnData(*fl, flow::Direction::kToServer, AsBytes(junk));
    s.OnData(*fl, flow::Direction::kToClient, AsBytes(junk));
    s.OnClose(*fl);
  }
  EXPECT_GT(t.Counter("vigie_http_anomalies_total", {{"reason", "bad_start_line"}}), 0);
  std::size_t http = 0;
  std::uint64_t raw_bytes = 0;
  for (const auto& e : t.sink.tx) {
    if (e.app_proto == track::AppProto::kHttp) ++http;
    if (e.app_proto == track::AppProto::kRaw) raw_bytes += e.bytes;
  }
  EXPECT_LT(http, 100u);
  // What could not be framed was handed on as raw units, and nothing was counted twice.
  EXPECT_GT(raw_bytes, 50u * 4096u);
  EXPECT_LE(raw_bytes, 2u * 50u * 4096u);
  EXPECT_EQ(static_cast<std::int64_t>(raw_bytes), t.Counter("vigie_http_unframed_bytes_total"));
}

}  // namespace
}  // namespace vigie::app::http
