// Hostile input: random and mutated bytes into the SMTP, MIME, DNS and TLS decoders must never
// crash, hang or read out of bounds (run under ASan/UBSan), and bounded state stays bounded.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "app/dns/dns_session.h"
#include "app/mail_dns_tls_test_util.h"
#include "app/mime/mime_parser.h"
#include "app/smtp/smtp_session.h"
#include "app/tls/tls_session.h"

namespace vigie::app {
namespace {

using testing::MakeFlow;
using testing::TestContext;

std::string RandomBytes(std::mt19937& rng, std::size_t n, std::string_view alphabet = {}) {
  std::string s(n, '\0');
  for (char& c : s) {
    c = alphabet.empty() ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
  }
  return s;
}

// Bytes biased towards the syntax the decoders look for.
constexpr std::string_view kSmtpish = "\r\n.-=:;\"' ABCDEFMTailnot0123456789+/*";

TEST(RandomInput, SmtpAndMimeSurvive) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    TestContext t;
    flow::Flow f = MakeFlow(25);
    SmtpSession s(t.ctx, f);
    std::string prefix = round % 2 ? "MAIL FROM:<a@b>\r\nDATA\r\n" : "BDAT 300\r\n";
    s.OnData(f, flow::Direction::kToServer, AsBytes(prefix));
    s.OnData(f, flow::Direction::kToClient, AsBytes(std::string("354 go\r\n")));
    std::string body = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: " +
                       std::string(round % 3 ? "base64" : "quoted-printable") + "\r\n\r\n" +
                       RandomBytes(rng, 2000, round % 4 ? kSmtpish : std::string_view());
    std::size_t pos = 0;
    while (pos < body.size()) {
      std::size_t n = std::min<std::size_t>(body.size() - pos, 1 + rng() % 97);
      flow::Direction d = rng() % 5 == 0 ? flow::Direction::kToClient : flow::Direction::kToServer;
      s.OnData(f, d, AsBytes(std::string_view(body).substr(pos, n)));
      if (rng() % 50 == 0) s.OnGap(f, d, rng() % 1000);
      pos += n;
    }
    s.OnClose(f);
    EXPECT_LE(t.events.transactions.size(), 200u);
  }
}

TEST(RandomInput, DnsSurvives) {
  std::mt19937 rng(99);
  TestContext t;
  flow::Flow f = MakeFlow(53, 17);
  for (int round = 0; round < 3000; ++round) {
    std::string m = RandomBytes(rng, 12 + rng() % 300);
    m[4] = 0;
    m[5] = static_cast<char>(1 + rng() % 3);
    HandleDnsDatagram(t.ctx, f, flow::Direction::kToServer, AsBytes(m));
  }
  flow::Flow tf = MakeFlow(53);
  DnsTcpSession s(t.ctx, tf);
  for (int round = 0; round < 300; ++round) {
    std::string chunk = RandomBytes(rng, 1 + rng() % 500);
    s.OnData(tf, round % 2 ? flow::Direction::kToServer : flow::Direction::kToClient, AsBytes(chunk));
  }
  s.OnClose(tf);
  for (const auto& e : t.events.dns) EXPECT_LE(e.qname.size(), dns::kMaxTextName);
}

TEST(RandomInput, TlsSurvivesMutatedHellos) {
  std::mt19937 rng(5);
  // A minimal valid record header + hello header, then random bytes of the declared size.
  for (int round = 0; round < 2000; ++round) {
    TestContext t;
    flow::Flow f = MakeFlow(443);
    TlsSession s(t.ctx, f);
    std::size_t len = 40 + rng() % 400;
    std::string body = RandomBytes(rng, len);
    std::string hs = std::string(1, 1) + std::string(1, 0) + std::string(1, static_cast<char>(len >> 8)) +
                     std::string(1, static_cast<char>(len & 0xff)) + body;
    std::string rec = std::string("\x16\x03\x01", 3) + std::string(1, static_cast<char>(hs.size() >> 8)) +
                      std::string(1, static_cast<char>(hs.size() & 0xff)) + hs;
    std::size_t pos = 0;
    while (pos < rec.size()) {
      std::size_t n = std::min<std::size_t>(rec.size() - pos, 1 + rng() % 64);
      s.OnData(f, flow::Direction::kToServer, AsBytes(std::string_view(rec).substr(pos, n)));
      pos += n;
    }
    s.OnClose(f);
    EXPECT_LE(s.sni().size(), tls::kMaxSni);
  }
}

}  // namespace
}  // namespace vigie::app
