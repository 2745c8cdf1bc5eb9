// JSON bodies through the HTTP session: the escapes serializers write by default (`\/` from PHP,
// `\uXXXX` from Python and .NET) are undone before the scan, whatever the framing and coding.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "app/http/http_session.h"
#include "http_test_util.h"

namespace vigie::app::http {
namespace {

using flow::Direction;
using match::PiiType;

struct Harness {
  Harness() : flow(httptest::MakeTcpFlow()) { s = std::make_unique<HttpSession>(t.ctx, *flow); }
  void Feed(Direction d, const std::string& bytes, std::size_t max_chunk = 0, std::uint32_t seed = 1) {
    std::mt19937 rng(seed);
    httptest::FeedPieces(*s, *flow, d, bytes, max_chunk, rng);
  }
  const std::vector<track::TransactionEvent>& tx() const { return t.sink.tx; }
  httptest::TestContext t;
  std::unique_ptr<flow::Flow> flow;
  std::unique_ptr<HttpSession> s;
};

using httptest::M;

using httptest::Listing;

using httptest::PhpListing;

// .NET System.Text.Json default encoder: '+' → \u002B, non-ASCII → \u00XX (upper-case hex).
Listing DotNetListing(int n) {
  Listing l{"[", "["};
  for (int i = 0; i < n; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "33 6 12 34 %02d %02d", (i / 100) % 100, i % 100);
    const std::string sep = i ? "," : "";
    const std::string head = sep + R"({"nir":")" + httptest::Nir(2900175100001ull + static_cast<std::uint64_t>(i)) +
                             R"(","email":"marie.lef)";
    l.escaped += head + R"(\u00E8vre)" + std::to_string(i) + R"(@example.fr","t\u00E9l\u00E9phone":"\u002B)" + phone +
                 R"("})";
    l.plain += head + "\xc3\xa8vre" + std::to_string(i) + "@example.fr\",\"t\xc3\xa9l\xc3\xa9phone\":\"+" + phone +
               "\"}";
  }
  l.escaped += "]";
  l.plain += "]";
  return l;
}

std::string Response(const std::string& body, const std::string& type, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\n" + extra + "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kGet = "GET /api/demandeurs HTTP/1.1\r\nHost: api.example.fr\r\n\r\n";

// One response → its event (the request has no body and no PII: no event).
track::TransactionEvent Exchange(const std::string& response, std::size_t max_chunk = 0) {
  Harness h;
  h.Feed(Direction::kToServer, kGet);
  h.Feed(Direction::kToClient, response, max_chunk);
  h.s->OnClose(*h.flow);
  EXPECT_EQ(h.tx().size(), 1u);
  return h.tx().empty() ? track::TransactionEvent{} : h.tx().back();
}

class HttpJsonBody : public ::testing::Test {
 protected:
  void SetUp() override {
    httptest::TestContext t;
    if (t.ctx.scanner == nullptr) GTEST_SKIP() << "no PII engine: " << t.load_error;
  }
};

TEST_F(HttpJsonBody, PhpEscapesFindBirthDateAndAddress) {
  const Listing l = PhpListing(5);
  const auto e = Exchange(Response(l.escaped, "application/json"));
  EXPECT_EQ(M(e, PiiType::kBirthDate), 5u);
  EXPECT_EQ(M(e, PiiType::kAddress), 5u);
  EXPECT_EQ(M(e, PiiType::kNir), 5u);
  EXPECT_EQ(e.pii.records.size(), 5u);
  EXPECT_EQ(e.bytes, l.plain.size());  // decoded_bytes counts the unescaped body
  // The escaped body finds what the plain one finds.
  const auto plain = Exchange(Response(l.plain, "application/json"));
  EXPECT_EQ(e.pii.matches, plain.pii.matches);
  EXPECT_EQ(e.pii.records, plain.pii.records);
}

TEST_F(HttpJsonBody, DotNetEscapesFindThePhone) {
  const Listing l = DotNetListing(6);
  const auto e = Exchange(Response(l.escaped, "application/json; charset=utf-8"));
  EXPECT_EQ(M(e, PiiType::kPhone), 6u);
  EXPECT_EQ(M(e, PiiType::kEmail), 6u);
  EXPECT_EQ(e.pii.records.size(), 6u);
  EXPECT_EQ(e.bytes, l.plain.size());
}

TEST_F(HttpJsonBody, JsonMediaTypesAreDecodedOthersAreNot) {
  const Listing l = PhpListing(4);
  for (const char* type : {"Application/JSON; Charset=UTF-8", "text/json", "application/problem+json",
                           "application/ld+json; profile=\"x\"", "application/x-ndjson", "application/jsonl"}) {
    const auto e = Exchange(Response(l.escaped, type));
    EXPECT_EQ(M(e, PiiType::kBirthDate), 4u) << type;
    EXPECT_EQ(M(e, PiiType::kAddress), 4u) << type;
  }
  // Pinned: a body of another type is scanned as sent (its NIRs are found, the escaped values not).
  for (const char* type : {"application/xml", "text/csv", "application/x-www-form-urlencoded; x=1", "image/json"}) {
    const auto e = Exchange(Response(l.escaped, type));
    EXPECT_EQ(M(e, PiiType::kBirthDate), 0u) << type;
    EXPECT_EQ(M(e, PiiType::kAddress), 0u) << type;
  }
}

// JSON sent under a type that does not say so — PHP's default text/html when a script echoes
// json_encode() without a header, text/plain, octet-stream, none — is read as JSON when it
// starts (after blanks or a byte-order mark) with '{' or '['; otherwise it is scanned as sent.
// Before, such PHP listings lost their birth dates and accented addresses.
TEST_F(HttpJsonBody, UnlabelledJsonIsSniffedByItsFirstByte) {
  const Listing l = PhpListing(4);
  for (const char* type : {"text/html; charset=UTF-8", "text/plain", "application/octet-stream", "TEXT/JAVASCRIPT",
                           "application/javascript", ""}) {
    for (const std::string& lead : {std::string(), std::string("\r\n  "), std::string("\xef\xbb\xbf")}) {
      const std::string body = lead + l.escaped;
      const std::string resp = *type ? Response(body, type)
                                     : "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                           "\r\n\r\n" + body;
      for (std::size_t feed : {0u, 1u}) {  // whole, then one byte at a time (the sniff across writes)
        const auto e = Exchange(resp, feed);
        EXPECT_EQ(M(e, PiiType::kNir), 4u) << type << " " << lead.size() << " " << feed;
        EXPECT_EQ(M(e, PiiType::kBirthDate), 4u) << type << " " << lead.size() << " " << feed;
        EXPECT_EQ(M(e, PiiType::kAddress), 4u) << type << " " << lead.size() << " " << feed;
        EXPECT_EQ(e.bytes, lead.size() + l.plain.size()) << type << " " << lead.size() << " " << feed;
      }
    }
  }
  // Text that is not JSON is scanned as sent, escapes and all.
  const std::string text = "Export du 12/03/2024 :\n" + l.escaped;
  const auto e = Exchange(Response(text, "text/plain"));
  EXPECT_EQ(M(e, PiiType::kNir), 4u);
  EXPECT_EQ(M(e, PiiType::kBirthDate), 0u);
  EXPECT_EQ(e.bytes, text.size());
}

TEST_F(HttpJsonBody, GzipJsonIsDecompressedThenUnescaped) {
  const Listing l = PhpListing(7);
  const std::string gz = httptest::Gzip(l.escaped);
  const auto e = Exchange(Response(gz, "application/json", "Content-Encoding: gzip\r\n"), 5);
  EXPECT_EQ(M(e, PiiType::kBirthDate), 7u);
  EXPECT_EQ(M(e, PiiType::kAddress), 7u);
  EXPECT_EQ(e.bytes, l.plain.size());
}

TEST_F(HttpJsonBody, EscapesSplitAcrossChunksAndSegments) {
  const Listing php = PhpListing(5), net = DotNetListing(5);
  // 1..7-byte chunks cut nearly every escape; then the same bytes fed 1 byte at a time.
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u}) {
    for (const Listing* l : {&php, &net}) {
      const std::string resp =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
          httptest::Chunked(l->escaped, chunk);
      for (std::size_t feed : {0u, 1u}) {
        const auto e = Exchange(resp, feed);
        EXPECT_EQ(e.bytes, l->plain.size()) << chunk << " " << feed;
        if (l == &php) {
          EXPECT_EQ(M(e, PiiType::kBirthDate), 5u) << chunk << " " << feed;
          EXPECT_EQ(M(e, PiiType::kAddress), 5u) << chunk << " " << feed;
        } else {
          EXPECT_EQ(M(e, PiiType::kPhone), 5u) << chunk << " " << feed;
        }
      }
    }
  }
}

TEST_F(HttpJsonBody, JsonRequestBodiesAreDecodedToo) {
  const Listing l = DotNetListing(3);
  Harness h;
  h.Feed(Direction::kToServer, "POST /import HTTP/1.1\r\nHost: api.example.fr\r\nContent-Type: application/json\r\n"
                               "Content-Length: " + std::to_string(l.escaped.size()) + "\r\n\r\n" + l.escaped, 1);
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(M(h.tx()[0], PiiType::kPhone), 3u);
  EXPECT_EQ(h.tx()[0].bytes, l.plain.size());
}

// A gap passes a held partial escape on verbatim: the bytes after the hole do not complete it
// (and it is not dropped either).
TEST(HttpJsonBodyGap, HeldEscapeIsFlushedBeforeTheGap) {
  Harness h;
  const std::string before = R"({"a":"x\/y \u00)", after = R"(e9 \u00e9"})";
  h.Feed(Direction::kToServer, kGet);
  h.Feed(Direction::kToClient, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(before.size() + 3 + after.size()) + "\r\n\r\n" + before);
  h.s->OnGap(*h.flow, Direction::kToClient, 3);
  h.Feed(Direction::kToClient, after);
  h.s->OnClose(*h.flow);
  ASSERT_EQ(h.tx().size(), 1u);
  // {"a":"x/y \u00  +  e9 é"}  (the held "\u00" verbatim, 3 gap bytes not counted)
  EXPECT_EQ(h.tx()[0].bytes, before.size() - 1 + after.size() - 4);
}

// The form decoder follows the same rule (it used to drop the held "%4" at a gap).
TEST(HttpJsonBodyGap, FormHeldEscapeIsFlushedBeforeTheGap) {
  Harness h;
  h.Feed(Direction::kToServer, "POST /f HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                               "Content-Length: 10\r\n\r\na=%4");
  h.s->OnGap(*h.flow, Direction::kToServer, 4);
  h.Feed(Direction::kToServer, "1b");
  ASSERT_EQ(h.tx().size(), 1u);
  EXPECT_EQ(h.tx()[0].bytes, 6u);  // "a=%4" + "1b", not "a=A" + "b"
}

}  // namespace
}  // namespace vigie::app::http
