#include "app/tls/tls_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/mail_dns_tls_test_util.h"

namespace vigie::app::tls {
namespace {

using testing::CounterValue;
using testing::MakeFlow;
using testing::TestContext;

std::string Be16(std::uint16_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string Be24(std::uint32_t v) { return std::string(1, static_cast<char>(v >> 16)) + Be16(v & 0xffff); }

struct Ext {
  std::uint16_t type;
  std::string data;
};

std::string Sni(std::string_view host) {
  std::string entry = std::string(1, '\0') + Be16(static_cast<std::uint16_t>(host.size())) + std::string(host);
  return Be16(static_cast<std::uint16_t>(entry.size())) + entry;
}
std::string Alpn(std::vector<std::string> protos) {
  std::string list;
  for (auto& p : protos) list += static_cast<char>(p.size()) + p;
  return Be16(static_cast<std::uint16_t>(list.size())) + list;
}
std::string U16List(std::vector<std::uint16_t> v, bool one_byte_len) {
  std::string s;
  for (auto x : v) s += Be16(x);
  return (one_byte_len ? std::string(1, static_cast<char>(s.size())) : Be16(static_cast<std::uint16_t>(s.size()))) + s;
}

// Handshake message (type 1 + 24-bit length + body).
std::string Hello(std::uint16_t legacy, const std::vector<std::uint16_t>& ciphers, const std::vector<Ext>& exts) {
  std::string body = Be16(legacy) + std::string(32, 'r') + std::string(1, 32) + std::string(32, 's');
  std::string cs;
  for (auto c : ciphers) cs += Be16(c);
  body += Be16(static_cast<std::uint16_t>(cs.size())) + cs + std::string("\x01\x00", 2);
  std::string e;
  for (auto& x : exts) e += Be16(x.type) + Be16(static_cast<std::uint16_t>(x.data.size())) + x.data;
  body += Be16(static_cast<std::uint16_t>(e.size())) + e;
  return std::string(1, 1) + Be24(static_cast<std::uint32_t>(body.size())) + body;
}

// Wraps handshake bytes into records of at most `max_record` bytes.
std::string Records(const std::string& hs, std::size_t max_record = 16384) {
  std::string out;
  for (std::size_t i = 0; i < hs.size(); i += max_record) {
    std::string frag = hs.substr(i, max_record);
    out += std::string("\x16\x03\x01", 3) + Be16(static_cast<std::uint16_t>(frag.size())) + frag;
  }
  return out;
}

// Chrome-like hello: ciphers/extensions/signature algorithms of a published JA4 example
// (ja4_ro "t13d1516h2_1301,...": the expected fingerprint is t13d1516h2_8daaf6152771_d8a2da3f94cd),
// plus GREASE entries that JA4 must ignore.
std::string ChromeHello() {
  std::vector<std::uint16_t> ciphers = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                        0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  std::vector<Ext> exts;
  exts.push_back({0x2a2a, ""});
  for (std::uint16_t t : {0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01,
                          0x0023, 0x0012, 0x0005, 0x000d, 0x001b}) {
    std::string d;
    if (t == 0x0000) d = Sni("Www.Example.fr");
    if (t == 0x0010) d = Alpn({"h2", "http/1.1"});
    if (t == 0x002b) d = U16List({0x7a7a, 0x0304, 0x0303}, true);
    if (t == 0x000d) d = U16List({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}, false);
    exts.push_back({t, d});
  }
  exts.push_back({0xfafa, std::string(1, '\0')});
  return Hello(0x0303, ciphers, exts);
}

constexpr char kChromeJa4[] = "t13d1516h2_8daaf6152771_d8a2da3f94cd";

struct Result {
  bool seen;
  std::string sni, ja4;
  std::vector<std::string> alpn;
  std::uint16_t version;
};

Result Feed(TestContext& t, const std::string& stream, std::size_t chunk) {
  flow::Flow f = MakeFlow(443);
  TlsSession s(t.ctx, f);
  if (chunk == 0) chunk = stream.size();
  for (std::size_t i = 0; i < stream.size(); i += chunk)
    s.OnData(f, flow::Direction::kToServer, AsBytes(std::string_view(stream).substr(i, chunk)));
  s.OnClose(f);
  return {s.hello_seen(), std::string(s.sni()), std::string(s.ja4()), s.alpn(), s.version()};
}

TEST(TlsClientHello, Ja4OfKnownHelloWithGrease) {
  TestContext t;
  Result r = Feed(t, Records(ChromeHello()), 0);
  ASSERT_TRUE(r.seen);
  EXPECT_EQ(r.sni, "Www.Example.fr");
  EXPECT_EQ(r.ja4, kChromeJa4);
  EXPECT_EQ(r.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(r.version, 0x0304);
  EXPECT_EQ(CounterValue(t.set, "vigie_tls_client_hellos_total"), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total"), 0);
}

TEST(TlsClientHello, OneByteSegmentsAndTinyRecordsGiveTheSameResult) {
  for (std::size_t record : {16384u, 7u, 1u}) {
    for (std::size_t chunk : {0u, 1u, 3u, 300u}) {
      TestContext t;
      Result r = Feed(t, Records(ChromeHello(), record), chunk);
      ASSERT_TRUE(r.seen) << record << "/" << chunk;
      EXPECT_EQ(r.sni, "Www.Example.fr");
      EXPECT_EQ(r.ja4, kChromeJa4);
      EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total"), 0);
    }
  }
}

TEST(TlsClientHello, NoSniNoAlpnTls12) {
  TestContext t;
  std::string hs = Hello(0x0303, {0xc02f, 0x0a0a, 0x002f}, {{0x000a, U16List({0x001d}, false)}});
  Result r = Feed(t, Records(hs), 0);
  ASSERT_TRUE(r.seen);
  EXPECT_TRUE(r.sni.empty());
  // Counts exclude GREASE; no signature algorithms: extension hash over "000a" alone.
  EXPECT_EQ(r.ja4.substr(0, 10), "t12i020100");
  EXPECT_EQ(r.ja4.size(), 36u);
  EXPECT_EQ(r.ja4.substr(11), std::string("37f356531c84") + "_" + "a8f3e973773c")
      << "sha256('002f,c02f'), sha256('000a') prefixes";
}

TEST(TlsClientHello, NonAlphanumericAlpnUsesHex) {
  TestContext t;
  std::string hs = Hello(0x0303, {0x1301}, {{0x0010, Alpn({std::string("\x01x\xff", 3)})}});
  Result r = Feed(t, Records(hs), 0);
  ASSERT_TRUE(r.seen);
  EXPECT_EQ(r.ja4.substr(0, 8), "t12i0101");  // first nibble of 0x01 is '0', last of 0xff is 'f'
  EXPECT_EQ(r.ja4.substr(8, 2), "0f");
}

TEST(TlsClientHello, TruncatedHelloIsCountedNotParsed) {
  TestContext t;
  std::string rec = Records(ChromeHello());
  Result r = Feed(t, rec.substr(0, rec.size() - 10), 1);
  EXPECT_FALSE(r.seen);
  EXPECT_TRUE(r.sni.empty());
  EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total", {{"reason", "truncated_hello"}}), 1);
}

TEST(TlsClientHello, HelloWhoseLengthsLie) {
  TestContext t;
  std::string hs = ChromeHello();
  hs[4 + 2 + 32] = static_cast<char>(200);  // session id length beyond the body
  Result r = Feed(t, Records(hs), 0);
  EXPECT_FALSE(r.seen);
  EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total", {{"reason", "malformed_hello"}}), 1);
}

TEST(TlsClientHello, NotTlsAndOversizedAndServerSideIgnored) {
  {
    TestContext t;
    EXPECT_FALSE(Feed(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0).seen);
    EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total", {{"reason", "not_tls"}}), 1);
  }
  {
    TestContext t;
    std::string big = std::string(1, 1) + Be24(40000) + std::string(20000, 'x');
    EXPECT_FALSE(Feed(t, Records(big), 0).seen);
    EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total", {{"reason", "hello_too_large"}}), 1);
  }
  {
    TestContext t;
    flow::Flow f = MakeFlow(443);
    TlsSession s(t.ctx, f);
    std::string rec = Records(ChromeHello());
    s.OnData(f, flow::Direction::kToClient, AsBytes(rec));
    EXPECT_FALSE(s.hello_seen());
    s.OnData(f, flow::Direction::kToServer, AsBytes(rec));
    EXPECT_TRUE(s.hello_seen());
    EXPECT_EQ(s.server_name(), "Www.Example.fr");
    // Later application data is never parsed.
    s.OnData(f, flow::Direction::kToServer, AsBytes(std::string("\x17\x03\x03\x00\x05hello", 10)));
    EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total"), 0);
  }
}

}  // namespace
}  // namespace vigie::app::tls
