#include "app/mime/mime_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "app/encode_test_util.h"
#include "app/mime/mime_header.h"

namespace vigie::app::mime {
namespace {

struct Part {
  PartInfo info;
  std::string data;
  std::uint64_t size = 0;
  bool ended = false;
  int gaps = 0;
};

class CollectSink : public MimeSink {
 public:
  void OnPartBegin(const PartInfo& p) override { parts.push_back({p, {}, 0, false, 0}); }
  void OnPartData(ByteView d) override { parts.back().data.append(AsStringView(d)); }
  void OnPartEnd(const PartInfo&, std::uint64_t size) override {
    parts.back().size = size;
    parts.back().ended = true;
  }
  void OnPartGap() override { parts.back().gaps++; }
  std::vector<Part> parts;
};

struct MimeRun {
  std::vector<Part> parts;
  std::array<std::int64_t, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
};

// Feeds `input` in chunks given by `cut` (size of each chunk; 0 = all at once).
MimeRun Parse(std::string_view input, std::size_t chunk = 0, std::string_view boundary = {}) {
  metrics::CounterSet set;
  MimeMetrics m(set);
  CollectSink sink;
  MimeParser p(sink, &m);
  if (boundary.empty()) {
    p.StartEntity();
  } else {
    p.StartMultipart(boundary);
  }
  if (chunk == 0) chunk = input.size() + 1;
  for (std::size_t i = 0; i < input.size(); i += chunk) p.Feed(AsBytes(input.substr(i, chunk)));
  p.Finish();
  MimeRun r;
  r.parts = sink.parts;
  for (std::size_t i = 0; i < r.anomalies.size(); ++i) r.anomalies[i] = m.Get(static_cast<Anomaly>(i));
  return r;
}

std::int64_t Anom(const MimeRun& r, Anomaly a) { return r.anomalies[static_cast<std::size_t>(a)]; }

const char kMultipart[] =
    "From: a@example.org\r\n"
    "Content-Type: multipart/mixed;\r\n"
    " boundary=\"XyZ-42\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--XyZ-42\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Bonjour =C3=A9t=C3=A9, voici une ligne tr=\r\n"
    "\xC3\xA8s longue.\r\n"
    "--XyZ-42\r\n"
    "Content-Type: text/csv; name=\"ignored.csv\"\r\n"
    "Content-Disposition: attachment; filename=\"export.csv\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "bm9tO25pcgpEdXBv\r\n"
    "bnQ7MTg1MDU3NTEx\r\n"
    "MjM0NQo=\r\n"
    "--XyZ-42--\r\n"
    "epilogue\r\n";

TEST(MimeParser, MultipartWithQpAndBase64) {
  MimeRun r = Parse(kMultipart);
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].info.content_type, "text/plain");
  EXPECT_EQ(r.parts[0].info.charset, "utf-8");
  EXPECT_EQ(r.parts[0].info.encoding, TransferEncoding::kQuotedPrintable);
  EXPECT_EQ(r.parts[0].data, "Bonjour \xC3\xA9t\xC3\xA9, voici une ligne tr\xC3\xA8s longue.");
  EXPECT_FALSE(r.parts[0].info.attachment);
  EXPECT_EQ(r.parts[1].info.filename, "export.csv");
  EXPECT_TRUE(r.parts[1].info.attachment);
  EXPECT_EQ(r.parts[1].info.depth, 1);
  EXPECT_EQ(r.parts[1].data, "nom;nir\nDupont;1850575112345\n");
  EXPECT_EQ(r.parts[1].size, r.parts[1].data.size());
  EXPECT_TRUE(r.parts[1].ended);
  for (auto a : r.anomalies) EXPECT_EQ(a, 0);
}

TEST(MimeParser, OneByteAtATimeEqualsOneBuffer) {
  MimeRun whole = Parse(kMultipart);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 13u, 64u}) {
    MimeRun r = Parse(kMultipart, chunk);
    ASSERT_EQ(r.parts.size(), whole.parts.size()) << chunk;
    for (std::size_t i = 0; i < r.parts.size(); ++i) {
      EXPECT_EQ(r.parts[i].data, whole.parts[i].data) << "chunk " << chunk << " part " << i;
      EXPECT_EQ(r.parts[i].info.filename, whole.parts[i].info.filename);
    }
    EXPECT_EQ(r.anomalies, whole.anomalies);
  }
}

TEST(MimeParser, RandomChunkingProperty) {
  // Long base64 lines, long identity lines (> kMaxLine) and nested parts, random cuts.
  std::string payload;
  for (int i = 0; i < 300; ++i) payload += "ligne " + std::to_string(i) + " 2 85 05 75 112 345 42\n";
  std::string long_line(3000, 'x');
  std::string msg = "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
                    "Content-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\n\r\n" +
                    long_line + "\r\nend\r\n--b2--\r\n--b1\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  // Base64 of payload, 76-char lines each ended by a CRLF (the test's own encoder, not the
  // decoder under test).
  const std::string b64 = testutil::Base64(payload, 76);
  msg += b64;
  if (!b64.empty() && !b64.ends_with("\r\n")) msg += "\r\n";
  msg += "--b1--\r\n";

  MimeRun whole = Parse(msg);
  ASSERT_EQ(whole.parts.size(), 2u);
  EXPECT_EQ(whole.parts[0].data, long_line + "\r\nend");
  EXPECT_EQ(whole.parts[0].info.depth, 2);
  EXPECT_EQ(whole.parts[1].data, payload);

  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    metrics::CounterSet set;
    MimeMetrics m(set);
    CollectSink sink;
    MimeParser p(sink, &m);
    p.StartEntity();
    std::size_t pos = 0;
    while (pos < msg.size()) {
      std::size_t n = std::uniform_int_distribution<std::size_t>(1, 200)(rng);
      n = std::min(n, msg.size() - pos);
      p.Feed(AsBytes(std::string_view(msg).substr(pos, n)));
      pos += n;
    }
    p.Finish();
    ASSERT_EQ(sink.parts.size(), 2u);
    EXPECT_EQ(sink.parts[0].data, whole.parts[0].data);
    EXPECT_EQ(sink.parts[1].data, payload);
  }
}

TEST(MimeParser, NoClosingBoundaryFlushesAtEnd) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
      "Content-Disposition: attachment; filename=a.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "SGVsbG8gd29y\r\nbGQ";  // "Hello world" with the last quantum cut and no padding
  MimeRun r = Parse(msg);
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].data, "Hello wor" "ld");
  EXPECT_TRUE(r.parts[0].ended);
  EXPECT_EQ(r.parts[0].info.filename, "a.txt");
  EXPECT_EQ(Anom(r, Anomaly::kMissingCloseBoundary), 1);
}

TEST(MimeParser, BoundarySplitAcrossChunksAndLookalikes) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n--abc\r\n\r\n"
      "--abcd is not a delimiter\r\n-- abc neither\r\n--abc--\r\n";
  for (std::size_t chunk : {1u, 2u, 5u, 0u}) {
    MimeRun r = Parse(msg, chunk);
    ASSERT_EQ(r.parts.size(), 1u);
    EXPECT_EQ(r.parts[0].data, "--abcd is not a delimiter\r\n-- abc neither");
    EXPECT_EQ(Anom(r, Anomaly::kMissingCloseBoundary), 0);
  }
}

TEST(MimeParser, NestedDepthLimit) {
  std::string msg;
  for (int i = 0; i < 10; ++i)
    msg += "Content-Type: multipart/mixed; boundary=L" + std::to_string(i) + "\r\n\r\n--L" + std::to_string(i) + "\r\n";
  msg += "\r\ninner\r\n";
  MimeRun r = Parse(msg);
  // Levels 0..7 are multiparts; the 9th multipart header is taken as a leaf.
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].info.depth, MimeParser::kMaxDepth);
  EXPECT_EQ(Anom(r, Anomaly::kDepthExceeded), 1);
  EXPECT_EQ(Anom(r, Anomaly::kMissingCloseBoundary), 1);
}

TEST(MimeParser, OuterBoundaryClosesInnerPart) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\n"
      "Content-Type: multipart/alternative; boundary=in\r\n\r\n--in\r\n\r\ninner text\r\n"
      "--out\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--out--\r\n";
  MimeRun r = Parse(msg);
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].data, "inner text");
  EXPECT_EQ(r.parts[0].info.depth, 2);
  EXPECT_EQ(r.parts[1].data, "second");
  EXPECT_EQ(r.parts[1].info.depth, 1);
  EXPECT_EQ(Anom(r, Anomaly::kMissingCloseBoundary), 1);
}

TEST(MimeParser, QuotedPrintableSoftBreaksAnyChunking) {
  std::string msg =
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Num=C3=A9ro: 1 85 05 75 =\r\n112 345 42=\n=3D done=20\r\nbad =ZZ escape\r\n";
  MimeRun whole = Parse(msg);
  ASSERT_EQ(whole.parts.size(), 1u);
  EXPECT_EQ(whole.parts[0].data, "Num\xC3\xA9ro: 1 85 05 75 112 345 42= done \r\nbad =ZZ escape");
  EXPECT_EQ(Anom(whole, Anomaly::kBadQuotedPrintable), 1);
  for (std::size_t c = 1; c < 6; ++c) EXPECT_EQ(Parse(msg, c).parts[0].data, whole.parts[0].data);
}

TEST(MimeParser, Base64LineBreaksAnywhere) {
  // "personne@example.fr" split by CRLF at odd places inside quanta.
  std::string msg = "Content-Transfer-Encoding: BASE64\r\n\r\ncGVy\r\nc29ubmVA\r\nZ\r\nXhhbXBsZS\r\n5mcg==\r\n";
  for (std::size_t c : {0u, 1u, 3u}) {
    MimeRun r = Parse(msg, c);
    ASSERT_EQ(r.parts.size(), 1u);
    EXPECT_EQ(r.parts[0].data, "personne@example.fr");
    EXPECT_EQ(Anom(r, Anomaly::kBadBase64), 0);
  }
  MimeRun bad = Parse("Content-Transfer-Encoding: base64\r\n\r\nQUJD!!RE\r\n");
  EXPECT_EQ(bad.parts[0].data, "ABCD");
  EXPECT_EQ(Anom(bad, Anomaly::kBadBase64), 1);
}

TEST(MimeParser, Rfc2231FilenameContinuations) {
  ParsedHeader p = ParseHeaderValue(
      " attachment;\r\n filename*0*=UTF-8''donn%C3%A9es%20; filename*1=\"clients\"; filename*2*=%2Ecsv");
  EXPECT_EQ(p.value, "attachment");
  EXPECT_EQ(p.filename, "donn\xC3\xA9" "es clients.csv");
  EXPECT_EQ(ParseHeaderValue("attachment; filename*=iso-8859-1'fr'r%E9sum%E9.txt").filename, "r\xE9sum\xE9.txt");
  EXPECT_EQ(ParseHeaderValue("text/plain; name=\"a\\\"b.txt\"; charset=ISO-8859-1").name, "a\"b.txt");
  // The two families are kept apart: the caller decides which one names a file.
  const ParsedHeader fd = ParseHeaderValue("form-data; name=\"comment\"");
  EXPECT_EQ(fd.name, "comment");
  EXPECT_EQ(fd.filename, "");
  const ParsedHeader both = ParseHeaderValue("form-data; name=\"file\"; filename=\"x.csv\"");
  EXPECT_EQ(both.name, "file");
  EXPECT_EQ(both.filename, "x.csv");
  EXPECT_EQ(ParseHeaderValue("Multipart/Mixed; boundary=\"=_Part;1\"").boundary, "=_Part;1");
}

TEST(MimeParser, FormDataModeWithGivenBoundary) {
  std::string body =
      "------WebKitFormBoundary7MA\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n"
      "a;b\r\n1;2\r\n"
      "------WebKitFormBoundary7MA--\r\n";
  MimeRun r = Parse(body, 0, "----WebKitFormBoundary7MA");
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].info.filename, "people.csv");
  EXPECT_EQ(r.parts[0].data, "a;b\r\n1;2");
  EXPECT_EQ(Anom(r, Anomaly::kMissingCloseBoundary), 0);
}

// Content-Disposition name= is a form field name, never a file name; Content-Type name= is
// the legacy attachment name and still counts.
TEST(MimeParser, FormFieldNameIsNotAFilename) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\na;b\r\n"
      "--b\r\nContent-Type: application/pdf; name=\"old.pdf\"\r\n\r\n%PDF\r\n--b--\r\n";
  MimeRun r = Parse(body, 0, "b");
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[0].info.filename, "");
  EXPECT_FALSE(r.parts[0].info.attachment);
  EXPECT_EQ(r.parts[0].data, "hello");
  EXPECT_EQ(r.parts[1].info.filename, "x.csv");
  EXPECT_TRUE(r.parts[1].info.attachment);
  EXPECT_EQ(r.parts[2].info.filename, "old.pdf");
  EXPECT_TRUE(r.parts[2].info.attachment);
}

TEST(MimeParser, MissingBoundaryParameterIsOnePart) {
  MimeRun r = Parse("Content-Type: multipart/mixed\r\n\r\n--x\r\nbody\r\n");
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].data, "--x\r\nbody");
  EXPECT_EQ(Anom(r, Anomaly::kMissingBoundary), 1);
}

TEST(MimeParser, GapIsReportedAndParsingContinues) {
  metrics::CounterSet set;
  MimeMetrics m(set);
  CollectSink sink;
  MimeParser p(sink, &m);
  p.StartEntity();
  p.Feed(AsBytes("Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nfirst par"));
  p.Gap();
  p.Feed(AsBytes("lost tail\r\n--q\r\n\r\nsecond\r\n--q--\r\n"));
  p.Finish();
  ASSERT_EQ(sink.parts.size(), 2u);
  EXPECT_EQ(sink.parts[0].gaps, 1);
  EXPECT_EQ(sink.parts[1].data, "second");
}

}  // namespace
}  // namespace vigie::app::mime
