// JSON MIME parts (SMTP attachments, HTTP multipart parts) are JSON-unescaped before the scan
// like JSON HTTP bodies: a part is JSON by its media type (IsJsonMediaType) or its file name
// (.json, .jsonl, .ndjson, any case). Other parts are scanned as sent.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "app/http/http_session.h"
#include "app/json_text.h"
#include "app/smtp/smtp_session.h"
#include "http_test_util.h"

namespace vigie::app {
namespace {

using flow::Direction;
using match::PiiType;

using httptest::M;

using httptest::Listing;

using httptest::PhpListing;

// httptest::Base64 with a short `line` makes the MIME parser hand the part out in pieces of
// line*3/4 bytes, which cuts the escapes across OnPartData calls.
using httptest::Base64;

class MimeJsonPart : public ::testing::Test {
 protected:
  void SetUp() override {
    httptest::TestContext t;
    if (t.ctx.scanner == nullptr) GTEST_SKIP() << "no PII engine: " << t.load_error;
  }
};

// ---- SMTP ----------------------------------------------------------------------------------

// One mail whose second part has the given headers and (already encoded) body.
std::string Mail(const std::string& part_headers, const std::string& part_body) {
  return "From: Jean <j.dupont@example.fr>\r\nTo: x@y.example\r\nSubject: export\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"==sep==\"\r\n\r\n"
         "--==sep==\r\nContent-Type: text/plain\r\n\r\nVoici l'export.\r\n"
         "--==sep==\r\n" +
         part_headers + "\r\n" + part_body + "\r\n--==sep==--\r\n";
}

// Plays a whole SMTP session carrying `mail` (no line of it starts with '.'), fed in pieces of
// at most `chunk` bytes (0: one buffer, 1: one byte at a time); returns the message's event.
track::TransactionEvent SmtpExchange(const std::string& mail, std::size_t chunk) {
  httptest::TestContext t;
  auto f = httptest::MakeTcpFlow(25);
  SmtpSession s(t.ctx, *f);
  std::mt19937 rng(3);
  const std::vector<std::pair<Direction, std::string>> script = {
      {Direction::kToClient, "220 mx.example.fr ESMTP\r\n"},
      {Direction::kToServer, "EHLO client.example\r\n"},
      {Direction::kToClient, "250 mx.example.fr\r\n"},
      {Direction::kToServer, "MAIL FROM:<j.dupont@example.fr>\r\nRCPT TO:<a@x.example>\r\nDATA\r\n"},
      {Direction::kToClient, "250 ok\r\n250 ok\r\n354 go ahead\r\n"},
      {Direction::kToServer, mail + ".\r\n"},
      {Direction::kToClient, "250 queued\r\n"},
  };
  for (const auto& [dir, bytes] : script) httptest::FeedPieces(s, *f, dir, bytes, chunk, rng);
  s.OnClose(*f);
  EXPECT_EQ(t.sink.tx.size(), 1u);
  return t.sink.tx.empty() ? track::TransactionEvent{} : t.sink.tx.back();
}

TEST_F(MimeJsonPart, SmtpOctetStreamJsonAttachmentIsUnescaped) {
  const Listing l = PhpListing(5);
  for (std::size_t line : {76u, 4u}) {      // 4: every escape is cut across two part pieces
    for (std::size_t chunk : {0u, 1u, 7u}) {
      const auto e = SmtpExchange(Mail("Content-Type: application/octet-stream\r\n"
                                       "Content-Disposition: attachment; filename=\"Demandeurs.JSON\"\r\n"
                                       "Content-Transfer-Encoding: base64\r\n",
                                       Base64(l.escaped, line)),
                                  chunk);
      EXPECT_EQ(M(e, PiiType::kNir), 5u) << line << " " << chunk;
      EXPECT_EQ(M(e, PiiType::kBirthDate), 5u) << line << " " << chunk;
      EXPECT_EQ(M(e, PiiType::kAddress), 5u) << line << " " << chunk;
      EXPECT_EQ(M(e, PiiType::kPhone), 5u) << line << " " << chunk;
      EXPECT_EQ(e.pii.records.size(), 5u) << line << " " << chunk;
      // Counting is unchanged: bytes and the listed size are the MIME-decoded (escaped) file.
      EXPECT_EQ(e.bytes, std::string("Voici l'export.").size() + l.escaped.size()) << line << " " << chunk;
      EXPECT_NE(e.detail.find("Demandeurs.JSON (" + std::to_string(l.escaped.size()) + " B)"), std::string::npos)
          << e.detail;
    }
  }
}

TEST_F(MimeJsonPart, SmtpApplicationJsonPartIsUnescaped) {
  const Listing l = PhpListing(4);
  for (std::size_t chunk : {0u, 1u}) {
    // 8bit inline part without a file name: the media type alone makes it JSON.
    const auto e = SmtpExchange(Mail("Content-Type: application/json; charset=utf-8\r\n", l.escaped), chunk);
    EXPECT_EQ(M(e, PiiType::kBirthDate), 4u) << chunk;
    EXPECT_EQ(M(e, PiiType::kAddress), 4u) << chunk;
    EXPECT_EQ(M(e, PiiType::kPhone), 4u) << chunk;
    EXPECT_EQ(e.pii.records.size(), 4u) << chunk;
  }
  // The same bytes sent plain find the same.
  const auto plain = SmtpExchange(Mail("Content-Type: application/json\r\n", l.plain), 0);
  const auto esc = SmtpExchange(Mail("Content-Type: application/json\r\n", l.escaped), 0);
  EXPECT_EQ(esc.pii.matches, plain.pii.matches);
  EXPECT_EQ(esc.pii.records, plain.pii.records);
}

// Pinned: a part neither typed nor named JSON, and not starting as JSON, is scanned as sent,
// even next to a JSON part holding the same listing in the same mail (only the JSON one is
// unescaped).
TEST_F(MimeJsonPart, SmtpTextPlainPartIsScannedAsSent) {
  const Listing l = PhpListing(4);
  const std::string text = "Liste du jour :\r\n" + l.escaped;
  const std::string text_part = "Content-Type: text/plain\r\n"
                                "Content-Disposition: attachment; filename=\"demandeurs.txt\"\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n" +
                                Base64(text) + "\r\n--==sep==\r\n";
  const auto e = SmtpExchange(Mail(text_part + "Content-Type: application/octet-stream\r\n"
                                               "Content-Disposition: attachment; filename=\"demandeurs.json\"\r\n"
                                               "Content-Transfer-Encoding: base64\r\n",
                                   Base64(l.escaped)),
                              0);
  EXPECT_EQ(M(e, PiiType::kNir), 8u);        // both parts
  EXPECT_EQ(M(e, PiiType::kBirthDate), 4u);  // the .json part only
  EXPECT_EQ(M(e, PiiType::kAddress), 4u);
  EXPECT_NE(e.detail.find("demandeurs.txt (" + std::to_string(text.size()) + " B), demandeurs.json ("),
            std::string::npos)
      << e.detail;
}

// ---- HTTP multipart ------------------------------------------------------------------------

constexpr char kBoundary[] = "----vigieJsonPart7";

std::string FormData(const std::string& part_headers, const std::string& part_body) {
  const std::string b = kBoundary;
  return "--" + b + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nexport hebdo\r\n--" + b + "\r\n" +
         part_headers + "\r\n" + part_body + "\r\n--" + b + "--\r\n";
}

track::TransactionEvent HttpUpload(const std::string& body, std::size_t chunk) {
  httptest::TestContext t;
  auto f = httptest::MakeTcpFlow();
  http::HttpSession s(t.ctx, *f);
  std::mt19937 rng(5);
  const std::string req = "POST /upload HTTP/1.1\r\nHost: api.example.fr\r\n"
                          "Content-Type: multipart/form-data; boundary=" +
                          std::string(kBoundary) + "\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
  httptest::FeedPieces(s, *f, Direction::kToServer, req, chunk, rng);
  s.OnClose(*f);
  EXPECT_EQ(t.sink.tx.size(), 1u);
  return t.sink.tx.empty() ? track::TransactionEvent{} : t.sink.tx.back();
}

TEST_F(MimeJsonPart, HttpMultipartJsonFilePartIsUnescaped) {
  const Listing l = PhpListing(5);
  for (std::size_t line : {76u, 4u}) {
    for (std::size_t chunk : {0u, 1u, 7u}) {
      const std::string body = FormData("Content-Disposition: form-data; name=\"file\"; filename=\"people.ndjson\"\r\n"
                                        "Content-Type: application/octet-stream\r\n"
                                        "Content-Transfer-Encoding: base64\r\n",
                                        Base64(l.escaped, line));
      const auto e = HttpUpload(body, chunk);
      EXPECT_EQ(M(e, PiiType::kBirthDate), 5u) << line << " " << chunk;
      EXPECT_EQ(M(e, PiiType::kAddress), 5u) << line << " " << chunk;
      EXPECT_EQ(M(e, PiiType::kPhone), 5u) << line << " " << chunk;
      EXPECT_EQ(e.pii.records.size(), 5u) << line << " " << chunk;
      EXPECT_EQ(e.bytes, body.size());  // the entity before MIME, as for any multipart body
      EXPECT_EQ(e.detail, "POST api.example.fr/upload; parts: people.ndjson (" + std::to_string(l.escaped.size()) +
                              " B)");
    }
  }
}

TEST_F(MimeJsonPart, HttpMultipartApplicationJsonFieldIsUnescapedTextPlainIsNot) {
  const Listing l = PhpListing(3);
  const auto json = HttpUpload(
      FormData("Content-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n", l.escaped), 1);
  EXPECT_EQ(M(json, PiiType::kBirthDate), 3u);
  EXPECT_EQ(M(json, PiiType::kAddress), 3u);
  // The same bytes in a text/plain part (a form field's default type), or one without a type
  // (a browser's FormData field holding JSON.stringify(…)), start as JSON: read as JSON too.
  for (const char* type : {"Content-Type: text/plain\r\n", ""}) {
    const auto text = HttpUpload(FormData("Content-Disposition: form-data; name=\"data\"\r\n" + std::string(type),
                                          "\r\n " + l.escaped), 1);
    EXPECT_EQ(M(text, PiiType::kBirthDate), 3u) << type;
    EXPECT_EQ(M(text, PiiType::kAddress), 3u) << type;
  }
  // Pinned: text that does not start as JSON, or a type that never hides it, is scanned as sent.
  for (const auto& [type, body] : {std::pair<std::string, std::string>{"text/plain", "data = " + l.escaped},
                                   {"text/csv", l.escaped}}) {
    const auto text = HttpUpload(
        FormData("Content-Disposition: form-data; name=\"data\"\r\nContent-Type: " + type + "\r\n", body), 1);
    EXPECT_EQ(M(text, PiiType::kNir), 3u) << type;
    EXPECT_EQ(M(text, PiiType::kBirthDate), 0u) << type;
    EXPECT_EQ(M(text, PiiType::kAddress), 0u) << type;
  }
}

// ---- JsonUnescaper on its own ----------------------------------------------------------

TEST(JsonUnescaper, WhichPartsAreJson) {
  EXPECT_TRUE(IsJsonPart("application/json", ""));
  EXPECT_TRUE(IsJsonPart("application/vnd.api+json", "x.bin"));
  EXPECT_TRUE(IsJsonPart("application/octet-stream", "export.json"));
  EXPECT_TRUE(IsJsonPart("application/octet-stream", "EXPORT.JSONL"));
  EXPECT_TRUE(IsJsonPart("text/plain", "logs.NdJson"));
  EXPECT_FALSE(IsJsonPart("text/plain", ""));
  EXPECT_FALSE(IsJsonPart("application/octet-stream", "export.json.gz"));
  EXPECT_FALSE(IsJsonPart("application/octet-stream", "json"));
  EXPECT_FALSE(IsJsonPart("text/csv", "people.csv"));
}

std::string FeedAll(JsonUnescaper& u, std::string_view in, std::size_t piece) {
  std::string out;
  auto emit = [&out](ByteView d) { out.append(AsStringView(d)); };
  for (std::size_t i = 0; i < in.size(); i += piece) u.Feed(AsBytes(in.substr(i, piece)), emit);
  u.Flush(emit);
  return out;
}

TEST(JsonUnescaper, OneByteFeedsDecodeTheSameAndStateResetsPerPart) {
  const Listing l = PhpListing(3);
  JsonUnescaper u;
  for (std::size_t piece : {l.escaped.size(), std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
    u.Begin("application/octet-stream", "a.json");
    EXPECT_EQ(FeedAll(u, l.escaped, piece), l.plain) << piece;
  }
  // A held partial escape is flushed verbatim at the part's end and does not leak into the next.
  u.Begin("application/json", "");
  EXPECT_EQ(FeedAll(u, R"(x \u00)", 1), R"(x \u00)");
  u.Begin("application/json", "");
  EXPECT_EQ(FeedAll(u, "e9", 1), "e9");
  // Not JSON: bytes pass unchanged, escapes included.
  u.Begin("text/csv", "a.csv");
  EXPECT_EQ(FeedAll(u, l.escaped, 1), l.escaped);
  u.Begin("text/plain", "a.txt");
  EXPECT_EQ(FeedAll(u, "x" + l.escaped, 1), "x" + l.escaped);
  // A type that may hide JSON: its first bytes decide, in any feeding.
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, l.escaped.size() + 2}) {
    u.Begin("text/plain", "a.txt");
    EXPECT_EQ(FeedAll(u, "\n " + l.escaped, piece), "\n " + l.plain) << piece;
    u.Begin("", "");
    EXPECT_EQ(FeedAll(u, l.escaped, piece), l.plain) << piece;
  }
}

TEST(JsonUnescaper, PiecesWithoutBackslashAreNotCopied) {
  JsonUnescaper u;
  u.Begin("application/json", "");
  const std::string in = R"({"a":"plain"})";
  const std::uint8_t* seen = nullptr;
  u.Feed(AsBytes(in), [&seen](ByteView d) { seen = d.data(); });
  EXPECT_EQ(seen, reinterpret_cast<const std::uint8_t*>(in.data()));
}

}  // namespace
}  // namespace vigie::app
