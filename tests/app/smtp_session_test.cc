#include "app/smtp/smtp_session.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "app/encode_test_util.h"
#include "app/mail_dns_tls_test_util.h"
#include "app/smtp/smtp_util.h"

namespace vigie::app {
namespace {

using flow::Direction;
using testing::CounterValue;
using testing::MakeFlow;
using testing::TestContext;

using Script = std::vector<std::pair<Direction, std::string>>;
constexpr Direction C = Direction::kToServer;
constexpr Direction S = Direction::kToClient;

// Plays the script; each step is cut into `chunk`-byte pieces (0 = whole).
void Play(TestContext& t, const Script& script, std::size_t chunk = 0, bool close = true) {
  flow::Flow f = MakeFlow(25);
  SmtpSession s(t.ctx, f);
  for (const auto& [dir, bytes] : script) {
    std::size_t c = chunk == 0 ? bytes.size() : chunk;
    for (std::size_t i = 0; i < bytes.size(); i += c)
      s.OnData(f, dir, AsBytes(std::string_view(bytes).substr(i, c)));
  }
  if (close) s.OnClose(f);
}

using testutil::Base64;  // CRLF every 76 characters

// 13 digits + key = 97 - (n mod 97).
std::string Nir(int i) {
  std::string base = std::to_string(1 + i % 2) + "85" + "05" + "75" + "112" + std::to_string(100 + i % 900);
  long long n = std::stoll(base);
  int key = 97 - static_cast<int>(n % 97);
  return base + (key < 10 ? "0" : "") + std::to_string(key);
}

std::string Csv(int people) {
  std::string csv = "nom;prenom;nir;email\n";
  for (int i = 0; i < people; ++i)
    csv += "Nom" + std::to_string(i) + ";Prenom;" + Nir(i) + ";p" + std::to_string(i) + "@exemple.fr\n";
  return csv;
}

std::string Message(const std::string& file, const std::string& name = "export.csv",
                    const std::string& type = "text/csv") {
  return "From: Jean <j.dupont@example.fr>\r\nTo: x@y.example\r\nSubject: export\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"==sep==\"\r\n\r\n"
         "--==sep==\r\nContent-Type: text/plain\r\n\r\nVoici l'export.\r\n.. and a dotted line\r\n"
         "--==sep==\r\nContent-Type: " + type + "\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         Base64(file) + "\r\n--==sep==--\r\n";
}

// Dot-stuffs lines that start with '.'.
std::string Stuff(const std::string& msg) {
  std::string out;
  bool bol = true;
  for (char c : msg) {
    if (bol && c == '.') out += '.';
    out += c;
    bol = c == '\n';
  }
  return out;
}

Script Session(const std::string& file, const std::string& name = "export.csv", const std::string& type = "text/csv") {
  return {
      {S, "220 mx.example.fr ESMTP\r\n"},
      {C, "EHLO client.example\r\n"},
      {S, "250-mx.example.fr\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"},
      // base64("\0capemploi-0042\0s3cret")
      {C, "AUTH PLAIN AGNhcGVtcGxvaS0wMDQyAHMzY3JldA==\r\n"},
      {S, "235 2.7.0 ok\r\n"},
      {C, "MAIL FROM:<j.dupont@Example.FR> SIZE=1000\r\nRCPT TO:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
          "RCPT TO:<c@x.example>\r\nDATA\r\n"},
      {S, "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n"},
      {C, Stuff(Message(file, name, type)) + ".\r\n"},
      {S, "250 queued\r\n"},
      {C, "QUIT\r\n"},
      {S, "221 bye\r\n"},
  };
}

TEST(SmtpUtil, Helpers) {
  EXPECT_EQ(smtp::MaskAddress("j.dupont@Example.FR"), "j***@example.fr");
  EXPECT_EQ(smtp::MaskAddress(""), "<>");
  EXPECT_EQ(smtp::PathArgument("FROM:<a@b.c> SIZE=3"), "a@b.c");
  EXPECT_EQ(smtp::PathArgument("TO: x@y"), "x@y");
  EXPECT_EQ(smtp::DecodeBase64("dXNlcg=="), "user");
  EXPECT_FALSE(smtp::DecodeBase64("!!"));
  EXPECT_EQ(smtp::ParseBdat("123 LAST")->size, 123u);
  EXPECT_TRUE(smtp::ParseBdat("123 last")->last);
  EXPECT_FALSE(smtp::ParseBdat("12x"));
  EXPECT_FALSE(smtp::ParseBdat(""));
}

TEST(SmtpSession, OneEventPerMessageWithMaskedDetail) {
  TestContext t;
  std::string csv = Csv(20);
  Play(t, Session(csv));
  ASSERT_EQ(t.events.transactions.size(), 1u);
  const auto& e = t.events.transactions[0];
  EXPECT_EQ(e.app_proto, track::AppProto::kSmtp);
  EXPECT_EQ(e.account, "capemploi-0042");
  EXPECT_EQ(e.detail, "mail from j***@example.fr to 3 rcpt; attachments: export.csv (" + std::to_string(csv.size()) + " B)");
  // Text part "Voici l'export.\r\n. and a dotted line" (unstuffed) + the CSV.
  EXPECT_EQ(e.bytes, std::string("Voici l'export.\r\n.. and a dotted line").size() + csv.size());
  EXPECT_EQ(e.path.src_ip, *IpAddr::Parse("10.1.2.3"));
  EXPECT_EQ(e.path.dest_port, 25);
  EXPECT_EQ(e.client_ip, *IpAddr::Parse("10.1.2.3"));
  EXPECT_EQ(e.detail.find("dupont"), std::string::npos);
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_messages_total"), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_attachments_total"), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
  EXPECT_EQ(CounterValue(t.set, "vigie_mime_anomalies_total"), 0);
}

TEST(SmtpSession, OneByteAtATimeEqualsOneBuffer) {
  TestContext whole;
  Play(whole, Session(Csv(30)));
  ASSERT_EQ(whole.events.transactions.size(), 1u);
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 8u, 100u}) {
    TestContext t;
    Play(t, Session(Csv(30)), chunk);
    ASSERT_EQ(t.events.transactions.size(), 1u) << chunk;
    EXPECT_EQ(t.events.transactions[0].bytes, whole.events.transactions[0].bytes) << chunk;
    EXPECT_EQ(t.events.transactions[0].detail, whole.events.transactions[0].detail);
    EXPECT_EQ(t.events.transactions[0].account, whole.events.transactions[0].account);
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
  }
}

TEST(SmtpSession, DotUnstuffingAndTerminatorSplitEverywhere) {
  // Body lines: "a", ".b" (sent "..b"), ".." (sent "..."), "c". Then a second command.
  std::string data = "Subject: t\r\n\r\na\r\n..b\r\n...\r\nc\r\n.\r\nQUIT\r\n";
  for (std::size_t cut = 1; cut < data.size(); ++cut) {
    TestContext t;
    Script s = {{C, "MAIL FROM:<x@y.z>\r\nDATA\r\n"}, {S, "250 ok\r\n354 go\r\n"}, {C, data.substr(0, cut)},
                {C, data.substr(cut)}};
    Play(t, s);
    ASSERT_EQ(t.events.transactions.size(), 1u) << cut;
    EXPECT_EQ(t.events.transactions[0].bytes, std::string("a\r\n.b\r\n..\r\nc").size()) << cut;
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0) << cut;  // QUIT was a command
  }
}

TEST(SmtpSession, BdatChunksWithoutDotProcessing) {
  std::string part1 = "Subject: b\r\n\r\nfirst\r\n.not-a-terminator\r\n";
  std::string part2 = "second\r\n";
  for (std::size_t chunk : {0u, 1u, 4u}) {
    TestContext t;
    Script s = {{C, "MAIL FROM:<x@y.z>\r\nRCPT TO:<a@b.c>\r\nBDAT " + std::to_string(part1.size()) + "\r\n" + part1},
                {C, "BDAT " + std::to_string(part2.size()) + " LAST\r\n" + part2 + "QUIT\r\n"},
                {S, "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n221 bye\r\n"}};
    Play(t, s, chunk);
    ASSERT_EQ(t.events.transactions.size(), 1u) << chunk;
    EXPECT_EQ(t.events.transactions[0].bytes, std::string("first\r\n.not-a-terminator\r\nsecond").size());
    EXPECT_EQ(t.events.transactions[0].detail, "mail from x***@y.z to 1 rcpt");
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
  }
}

TEST(SmtpSession, StartTlsAcceptedStopsParsing) {
  TestContext t;
  Play(t, {{C, "EHLO a\r\n"}, {S, "250 STARTTLS\r\n"}, {C, "STARTTLS\r\n"}, {S, "220 go\r\n"},
           {C, std::string("\x16\x03\x01\x00\x10MAIL FROM:<a@b>\r\nDATA\r\n", 29)}, {S, "354 \r\n"},
           {C, "x\r\n.\r\n"}});
  EXPECT_TRUE(t.events.transactions.empty());
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_starttls_total"), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
}

TEST(SmtpSession, StartTlsRefusedKeepsParsing) {
  TestContext t;
  Play(t, {{C, "STARTTLS\r\n"}, {S, "454 not now\r\n"}, {C, "MAIL FROM:<a@b.c>\r\nDATA\r\n"}, {S, "250 ok\r\n354 go\r\n"},
           {C, "\r\nhello\r\n.\r\n"}});
  ASSERT_EQ(t.events.transactions.size(), 1u);
  EXPECT_EQ(t.events.transactions[0].bytes, 5u);
}

TEST(SmtpSession, AuthLoginAndRefusedAuth) {
  {
    TestContext t;
    Play(t, {{C, "AUTH LOGIN\r\n"}, {S, "334 VXNlcm5hbWU6\r\n"}, {C, "Y2FwZW1wbG9pLTAwMDc=\r\n"},
             {S, "334 UGFzc3dvcmQ6\r\n"}, {C, "c2VjcmV0\r\n"}, {S, "235 ok\r\n"},
             {C, "MAIL FROM:<a@b.c>\r\nDATA\r\n"}, {S, "250 ok\r\n354 go\r\n"}, {C, "\r\nx\r\n.\r\n"}});
    ASSERT_EQ(t.events.transactions.size(), 1u);
    EXPECT_EQ(t.events.transactions[0].account, "capemploi-0007");
  }
  {
    TestContext t;
    Play(t, {{C, "AUTH PLAIN AGNhcGVtcGxvaS0wMDQyAHMzY3JldA==\r\n"}, {S, "535 no\r\n"},
             {C, "MAIL FROM:<a@b.c>\r\nDATA\r\n"}, {S, "250 ok\r\n354 go\r\n"}, {C, "\r\nx\r\n.\r\n"}});
    ASSERT_EQ(t.events.transactions.size(), 1u);
    EXPECT_EQ(t.events.transactions[0].account, "");
  }
}

TEST(SmtpSession, RefusedDataDoesNotSwallowCommands) {
  TestContext t;
  Play(t, {{C, "MAIL FROM:<a@b.c>\r\nDATA\r\n"}, {S, "250 ok\r\n554 no valid recipients\r\n"}, {C, "RSET\r\nQUIT\r\n"}});
  EXPECT_TRUE(t.events.transactions.empty());
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
}

TEST(SmtpSession, CloseInsideDataEmitsTruncatedMessage) {
  TestContext t;
  Play(t, {{C, "MAIL FROM:<a@b.c>\r\nDATA\r\n"}, {S, "354 go\r\n"}, {C, "Subject: x\r\n\r\npartial body"}});
  ASSERT_EQ(t.events.transactions.size(), 1u);
  EXPECT_EQ(t.events.transactions[0].bytes, 12u);
  EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total", {{"reason", "truncated_message"}}), 1);
}

TEST(SmtpSession, RealScannerCountsPeopleInBase64Attachment) {
  std::shared_ptr<const match::PiiEngine> engine;
  try {
    engine = match::LoadPiiEngine(std::string(VIGIE_SOURCE_DIR) + "/signatures/pii.yaml", {});
  } catch (const std::exception& e) {
    GTEST_SKIP() << "signatures not loadable yet: " << e.what();
  }
  for (std::size_t chunk : {0u, 1u, 7u}) {
    TestContext t;
    match::Scanner scanner(engine, t.set);
    t.ctx.scanner = &scanner;
    Play(t, Session(Csv(25)), chunk);
    ASSERT_EQ(t.events.transactions.size(), 1u);
    const auto& pii = t.events.transactions[0].pii;
    EXPECT_EQ(pii.matches[static_cast<std::size_t>(match::PiiType::kNir)], 25u) << chunk;
    EXPECT_EQ(pii.records.size(), 25u) << chunk;
    // Sender/recipient addresses are in headers, which are not scanned: 25 emails, not 26+.
    EXPECT_EQ(pii.matches[static_cast<std::size_t>(match::PiiType::kEmail)], 25u) << chunk;
  }
}

// A zipped attachment: the archive's files are read (app/zip_scan.h), the CSV inside by its
// columns; the same in any chunking.
TEST(SmtpSession, ZippedAttachmentIsReadFileByFile) {
  std::shared_ptr<const match::PiiEngine> engine;
  try {
    engine = match::LoadPiiEngine(std::string(VIGIE_SOURCE_DIR) + "/signatures/pii.yaml", {});
  } catch (const std::exception& e) {
    GTEST_SKIP() << "signatures not loadable yet: " << e.what();
  }
  const std::string zip = testutil::Zip({{"LISEZMOI.txt", "export", false}, {"export.csv", Csv(25), true, 16}});
  for (std::size_t chunk : {0u, 1u, 7u}) {
    TestContext t;
    match::Scanner scanner(engine, t.set);
    t.ctx.scanner = &scanner;
    Play(t, Session(zip, "export.zip", "application/zip"), chunk);
    ASSERT_EQ(t.events.transactions.size(), 1u);
    const auto& pii = t.events.transactions[0].pii;
    EXPECT_EQ(pii.matches[static_cast<std::size_t>(match::PiiType::kNir)], 25u) << chunk;
    EXPECT_EQ(pii.records.size(), 25u) << chunk;
    EXPECT_EQ(CounterValue(t.set, "vigie_pii_csv_units_total"), 1) << chunk;
    EXPECT_EQ(CounterValue(t.set, "vigie_archives_total", {{"outcome", "complete"}}), 1) << chunk;
    EXPECT_EQ(CounterValue(t.set, "vigie_archive_files_total", {{"result", "read"}}), 2) << chunk;
  }
}

}  // namespace
}  // namespace vigie::app
