// AppRouter: detection with buffering, session choice, volume reports, raw fallback.
#include "app/router.h"

#include <gtest/gtest.h>

#include "http_test_util.h"

namespace vigie::app {
namespace {

using flow::Direction;
using track::AppProto;

struct RouterHarness {
  RouterHarness() : t(false), flow(httptest::MakeTcpFlow(8080)) {}
  // Feeds data as the flow table would: accounting, OnPacket, then the bytes.
  void Send(Direction d, const std::string& bytes) {
    flow->payload_bytes[flow::Index(d)] += bytes.size();
    flow->last_seen += 1000;
    router->OnPacket(*flow, d);
    if (flow->proto == 17)
      router->OnDatagram(*flow, d, AsBytes(bytes));
    else
      router->OnData(*flow, d, AsBytes(bytes));
  }
  void Make() { router = std::make_unique<AppRouter>(t.ctx); }
  httptest::TestContext t;
  std::unique_ptr<flow::Flow> flow;
  std::unique_ptr<AppRouter> router;
};

TEST(Router, DetectsHttpFromSplitFirstBytes) {
  RouterHarness h;
  h.Make();
  h.Send(Direction::kToServer, "GE");
  EXPECT_EQ(AppRouter::SessionOf(*h.flow), nullptr);
  h.Send(Direction::kToServer, "T /data HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_NE(AppRouter::SessionOf(*h.flow), nullptr);
  EXPECT_EQ(AppRouter::SessionOf(*h.flow)->proto(), AppProto::kHttp);
  h.Send(Direction::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd");
  h.router->OnClose(*h.flow, flow::CloseReason::kFin);
  ASSERT_EQ(h.t.sink.tx.size(), 1u);
  EXPECT_EQ(h.t.sink.tx[0].detail, "GET h/data -> 200");
  EXPECT_EQ(h.t.Counter("vigie_app_flows_total", {{"proto", "http"}}), 1);
  EXPECT_EQ(h.flow->app, nullptr);  // state released at close
}

TEST(Router, ServerFirstBannerAndUnknownGoRaw) {
  RouterHarness h;
  h.Make();
  h.Send(Direction::kToClient, "220 files.example FTP server ready\r\n");
  ASSERT_NE(AppRouter::SessionOf(*h.flow), nullptr);
  EXPECT_EQ(AppRouter::SessionOf(*h.flow)->proto(), AppProto::kRaw);
  h.Send(Direction::kToServer, "USER bob\r\n");
  h.router->OnClose(*h.flow, flow::CloseReason::kFin);
  ASSERT_EQ(h.t.sink.tx.size(), 2u);
  EXPECT_EQ(h.t.sink.tx[0].app_proto, AppProto::kRaw);
  EXPECT_EQ(h.t.sink.tx[0].bytes, 10u);  // client → server first
  EXPECT_EQ(h.t.sink.tx[0].path.src_ip, h.flow->client.ip);
  EXPECT_EQ(h.t.sink.tx[1].bytes, 36u);
  EXPECT_EQ(h.t.Counter("vigie_app_detect_unknown_total"), 1);
}

TEST(Router, ShortStreamDecidedAtClose) {
  RouterHarness h;
  h.Make();
  h.Send(Direction::kToServer, "HE");
  h.router->OnClose(*h.flow, flow::CloseReason::kFin);
  ASSERT_EQ(h.t.sink.tx.size(), 1u);
  EXPECT_EQ(h.t.sink.tx[0].app_proto, AppProto::kRaw);
  EXPECT_EQ(h.t.sink.tx[0].bytes, 2u);
}

TEST(Router, RawScanCanBeDisabled) {
  RouterHarness h;
  h.t.config.scan_raw_streams = false;
  h.Make();
  h.Send(Direction::kToServer, std::string("\x00\x01\x02", 3));
  h.router->OnClose(*h.flow, flow::CloseReason::kFin);
  EXPECT_TRUE(h.t.sink.tx.empty());
  ASSERT_EQ(h.t.sink.vol.size(), 1u);  // volume still reported
}

TEST(Router, TlsIsVolumeOnlyOrTlsSession) {
  RouterHarness h;
  h.Make();
  h.Send(Direction::kToServer, std::string("\x16\x03\x01\x00\x30\x01\x00\x00\x2c\x03\x03", 11) + std::string(41, '\0'));
  ASSERT_NE(AppRouter::SessionOf(*h.flow), nullptr);
  EXPECT_EQ(AppRouter::SessionOf(*h.flow)->proto(), AppProto::kTls);
}

TEST(Router, VolumeReportsByBytesTimeAndClose) {
  RouterHarness h;
  h.t.config.volume_report_bytes = 1000;
  h.t.config.volume_report_seconds = 10;
  h.Make();
  h.Send(Direction::kToServer, std::string(600, '\x01'));
  EXPECT_TRUE(h.t.sink.vol.empty());
  h.Send(Direction::kToServer, std::string(600, '\x01'));
  ASSERT_EQ(h.t.sink.vol.size(), 1u);
  EXPECT_EQ(h.t.sink.vol[0].bytes, 1200u);
  EXPECT_EQ(h.t.sink.vol[0].path.src_ip, h.flow->client.ip);
  EXPECT_EQ(h.t.sink.vol[0].app_proto, AppProto::kRaw);
  // Time-based: 11 s later a small amount is reported.
  h.Send(Direction::kToClient, std::string(10, 'x'));
  h.flow->last_seen += Seconds(11);
  h.Send(Direction::kToClient, std::string(5, 'x'));
  ASSERT_EQ(h.t.sink.vol.size(), 2u);
  EXPECT_EQ(h.t.sink.vol[1].bytes, 15u);
  EXPECT_EQ(h.t.sink.vol[1].path.src_ip, h.flow->server.ip);
  // Close flushes the rest; a packet without payload reports nothing.
  h.Send(Direction::kToServer, std::string(7, '\x01'));
  h.flow->packets[0]++;
  h.router->OnPacket(*h.flow, Direction::kToServer);
  h.router->OnClose(*h.flow, flow::CloseReason::kFin);
  ASSERT_EQ(h.t.sink.vol.size(), 3u);
  EXPECT_EQ(h.t.sink.vol[2].bytes, 7u);
}

TEST(Router, UdpDnsAndOtherUdp) {
  RouterHarness h;
  h.flow = httptest::MakeTcpFlow(53, 17);
  h.Make();
  static const char kQuery[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07" "example\x02" "fr\x00\x00\x01\x00\x01";
  h.Send(Direction::kToServer, std::string(kQuery, sizeof kQuery - 1));
  EXPECT_EQ(h.t.Counter("vigie_app_flows_total", {{"proto", "dns"}}), 1);
#if __has_include("app/dns/dns_session.h")
  ASSERT_EQ(h.t.sink.dns.size(), 1u);
  EXPECT_EQ(h.t.sink.dns[0].qname, "www.example.fr");
#endif
  RouterHarness u;
  u.flow = httptest::MakeTcpFlow(9999, 17);
  u.Make();
  u.Send(Direction::kToServer, "hello");
  EXPECT_EQ(u.t.Counter("vigie_app_udp_ignored_total"), 1);
  EXPECT_TRUE(u.t.sink.tx.empty());
}

}  // namespace
}  // namespace vigie::app

namespace vigie::app {
namespace {

TEST(Router, RawStreamWithPiiIsScanned) {
  httptest::TestContext t;
  if (!t.ctx.scanner) GTEST_SKIP() << t.load_error;
  auto fl = httptest::MakeTcpFlow(2121);
  AppRouter router(t.ctx);
  const std::string data = "STOR\x01 dump\nnom;email\nDupont;jean.dupont@example.fr\nMartin;claire.martin@example.fr\n";
  for (char c : data) {  // one byte at a time through detection and the raw scanner
    fl->payload_bytes[0] += 1;
    router.OnPacket(*fl, flow::Direction::kToServer);
    router.OnData(*fl, flow::Direction::kToServer, AsBytes(std::string_view(&c, 1)));
  }
  router.OnClose(*fl, flow::CloseReason::kFin);
  ASSERT_EQ(t.sink.tx.size(), 1u);
  EXPECT_EQ(t.sink.tx[0].app_proto, track::AppProto::kRaw);
  EXPECT_EQ(t.sink.tx[0].bytes, data.size());
  EXPECT_EQ(t.sink.tx[0].pii.matches[static_cast<int>(match::PiiType::kEmail)], 2u);
}

// A raw stream that starts as JSON (JSON lines from a log shipper, PHP-escaped) is unescaped
// before the scan, fed one byte at a time: its birth dates (`12\/05\/1985`) and accented
// addresses are found. One that starts otherwise is scanned as sent.
TEST(Router, RawJsonStreamIsUnescaped) {
  httptest::TestContext t;
  if (!t.ctx.scanner) GTEST_SKIP() << t.load_error;
  std::string lines;
  for (int i = 0; i < 4; ++i)
    lines += R"({"nir":")" + httptest::Nir(1850575100001ull + static_cast<std::uint64_t>(i)) +
             R"(","date_naissance":"1)" + std::to_string(i) + R"(\/05\/1985","adresse":")" + std::to_string(i + 1) +
             " all\\u00e9e Jean Jaur\\u00e8s\"}\n";
  for (const std::string& data : {"\n" + lines, "LOG " + lines}) {
    t.sink.tx.clear();
    auto fl = httptest::MakeTcpFlow(5170);
    AppRouter router(t.ctx);
    for (char c : data) {
      fl->payload_bytes[0] += 1;
      router.OnPacket(*fl, flow::Direction::kToServer);
      router.OnData(*fl, flow::Direction::kToServer, AsBytes(std::string_view(&c, 1)));
    }
    router.OnClose(*fl, flow::CloseReason::kFin);
    ASSERT_EQ(t.sink.tx.size(), 1u) << data.substr(0, 4);
    EXPECT_EQ(t.sink.tx[0].app_proto, track::AppProto::kRaw);
    EXPECT_EQ(t.sink.tx[0].bytes, data.size());  // the stream's bytes, as sent
    const bool json = data[0] == '\n';
    EXPECT_EQ(t.sink.tx[0].pii.matches[static_cast<int>(match::PiiType::kNir)], 4u) << data.substr(0, 4);
    EXPECT_EQ(t.sink.tx[0].pii.matches[static_cast<int>(match::PiiType::kBirthDate)], json ? 4u : 0u)
        << data.substr(0, 4);
    EXPECT_EQ(t.sink.tx[0].pii.matches[static_cast<int>(match::PiiType::kAddress)], json ? 4u : 0u)
        << data.substr(0, 4);
  }
}

}  // namespace
}  // namespace vigie::app
