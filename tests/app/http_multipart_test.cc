// HTTP multipart bodies decoded by the MIME parser at the end of the body chain: encoded parts
// are scanned decoded, file parts are named in the event detail, chunking does not matter.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "app/http/http_session.h"
#include "http_test_util.h"
#include "match/test_util.h"

namespace vigie::app::http {
namespace {

using flow::Direction;

constexpr char kBoundary[] = "----vigieTestBoundary42";

struct Harness {
  // The PII assertions need the real scanner (signatures/pii.yaml): a missing one fails them.
  Harness() : flow(httptest::MakeTcpFlow()), s(std::make_unique<HttpSession>(t.ctx, *flow)) {}
  // max_chunk 0: one buffer; 1: one byte at a time; k: random 1..k byte pieces.
  void Feed(Direction d, const std::string& bytes, std::size_t max_chunk, std::uint32_t seed = 7) {
    std::mt19937 rng(seed);
    httptest::FeedPieces(*s, *flow, d, bytes, max_chunk, rng);
  }
  std::int64_t Mime(std::string_view reason) const {
    return t.Counter("vigie_mime_anomalies_total", {{"reason", std::string(reason)}});
  }
  httptest::TestContext t;
  std::unique_ptr<flow::Flow> flow;
  std::unique_ptr<HttpSession> s;
};

using httptest::Base64;
using httptest::PeopleCsv;


// Quoted-printable with soft line breaks every ~60 characters; '=' and ';' are escaped so the
// decoder has work to do on every record.
std::string QuotedPrintable(const std::string& in) {
  std::string out;
  std::size_t col = 0;
  for (char c : in) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "\r\n";
      col = 0;
      continue;
    }
    char enc[4];
    if (c == '=' || c == ';' || c == '@') {
      std::snprintf(enc, sizeof enc, "=%02X", static_cast<unsigned char>(c));
    } else {
      enc[0] = c;
      enc[1] = '\0';
    }
    if (col > 60) {
      out += "=\r\n";
      col = 0;
    }
    out += enc;
    col += std::string_view(enc).size();
  }
  return out;
}

std::string Upload(const std::string& body, const std::string& content_type, bool chunked = false) {
  std::string req = "POST /upload HTTP/1.1\r\nHost: api.example.fr\r\nContent-Type: " + content_type + "\r\n";
  if (chunked) return req + "Transfer-Encoding: chunked\r\n\r\n" + httptest::Chunked(body, 113);
  return req + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string FormData(const std::string& csv_b64) {
  const std::string b = kBoundary;
  return "--" + b + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nexport hebdo\r\n--" + b +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n"
         "Content-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         csv_b64 + "\r\n--" + b + "--\r\n";
}

TEST(HttpMultipart, Base64CsvPartFoundWhateverTheChunking) {
  const int kPeople = 50;
  const std::string csv = PeopleCsv(kPeople, 11);
  const std::string body = FormData(Base64(csv));
  const std::string req = Upload(body, std::string("multipart/form-data; boundary=") + kBoundary);
  std::vector<track::TransactionEvent> runs;
  for (std::size_t chunk : {0u, 7u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, req, chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 1u) << chunk;
    runs.push_back(h.t.sink.tx[0]);
    EXPECT_EQ(h.t.Counter("vigie_http_multipart_bodies_total"), 1) << chunk;
    EXPECT_EQ(h.Mime("bad_base64"), 0) << chunk;
    EXPECT_EQ(h.Mime("missing_close_boundary"), 0) << chunk;
    // The CSV part is read from its start (ScanStream::NextPart), after the request target and
    // the text field: its header types its columns.
    EXPECT_EQ(h.t.Counter("vigie_pii_csv_units_total"), 1) << chunk;
  }
  const auto& e = runs[0];
  EXPECT_EQ(e.bytes, body.size());  // HTTP-decoded entity size (before MIME)
  // Only the file is listed: the text field (name="comment", no filename) is scanned, not named.
  EXPECT_EQ(e.detail, "POST api.example.fr/upload; parts: people.csv (" + std::to_string(csv.size()) + " B)");
  EXPECT_EQ(e.pii.records.size(), static_cast<std::size_t>(kPeople));
  EXPECT_EQ(e.pii.matches[static_cast<int>(match::PiiType::kNir)], static_cast<std::uint32_t>(kPeople));
  for (std::size_t r = 1; r < runs.size(); ++r) {
    EXPECT_EQ(runs[r].bytes, e.bytes) << r;
    EXPECT_EQ(runs[r].detail, e.detail) << r;
    EXPECT_EQ(runs[r].pii.matches, e.pii.matches) << r;
    EXPECT_EQ(runs[r].pii.records, e.pii.records) << r;
  }
}

// A CSV uploaded as the body itself (POST text/csv) is read from its header, not from the
// request target scanned before it: its columns are typed.
TEST(HttpMultipart, CsvBodyAfterTheTargetIsReadByItsColumns) {
  const std::string csv = PeopleCsv(30, 12);
  for (std::size_t chunk : {0u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer,
           "POST /import?lot=3 HTTP/1.1\r\nHost: api.example.fr\r\nContent-Type: text/csv\r\nContent-Length: " +
               std::to_string(csv.size()) + "\r\n\r\n" + csv,
           chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 1u);
    EXPECT_EQ(h.t.Counter("vigie_pii_csv_units_total"), 1) << chunk;
    EXPECT_EQ(h.t.sink.tx[0].pii.records.size(), 30u) << chunk;
  }
}

// A ZIP archive, as a response body (an .xlsx export: its sheet's strings in
// xl/sharedStrings.xml) or as an uploaded part (a .zip of CSV files): the files inside are
// inflated and each scanned as a part of the unit (a CSV file's header types its columns),
// whatever the chunking; the archive's compressed bytes alone showed nothing.
TEST(HttpMultipart, ZipArchivesAreReadFileByFile) {
  match::testing::PiiGenerator gen(77);
  std::string strings = "<?xml version=\"1.0\"?><sst count=\"400\">";
  for (const char* h : {"Nom", "NIR", "Courriel", "T\xc3\xa9l\xc3\xa9phone"}) strings += std::string("<si><t>") + h + "</t></si>";
  for (int i = 0; i < 40; ++i) {
    const match::testing::Person p = gen.NextPerson(i);
    strings += "<si><t>Nom" + std::to_string(i) + "</t></si><si><t>" + p.nir + "</t></si><si><t>" + p.email +
               "</t></si><si><t>" + p.phone + "</t></si>";
  }
  strings += "</sst>";
  const std::string xlsx = httptest::Zip({{"[Content_Types].xml", "<Types/>"},
                                          {"xl/media/image1.png", std::string(3000, '\x89'), false},
                                          {"xl/sharedStrings.xml", strings, true, 16},
                                          {"xl/worksheets/sheet1.xml", "<worksheet/>", true, 16}});
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet\r\nContent-Length: " + std::to_string(xlsx.size()) + "\r\n\r\n" + xlsx;
  // A caseload CSV zipped: its France Travail ids have the context only their column gives.
  std::string caseload = "nom;identifiant_ft;date_naissance\n";
  for (int i = 0; i < 300; ++i) {
    const match::testing::Person p = gen.NextPerson(100 + i);
    caseload += "MARTIN;" + p.ft_id + ";" + p.birth + "\n";
  }
  const std::string zip = httptest::Zip({{"lisez-moi.txt", "Export du portefeuille"}, {"portefeuille.csv", caseload}});
  const std::string b = kBoundary;
  const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.zip\"\r\n"
                           "Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                           Base64(zip) + "\r\n--" + b + "--\r\n";
  for (std::size_t chunk : {0u, 1u, 9u}) {
    Harness h;
    h.Feed(Direction::kToServer, "GET /export.xlsx HTTP/1.1\r\nHost: portail\r\n\r\n", 0);
    h.Feed(Direction::kToClient, response, chunk);
    h.Feed(Direction::kToServer, Upload(body, "multipart/form-data; boundary=" + b), chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 2u) << chunk;  // the download (request and response), the upload
    const auto& x = h.t.sink.tx[0];
    EXPECT_EQ(x.pii.records.size(), 40u) << chunk;
    EXPECT_EQ(httptest::M(x, match::PiiType::kNir), 40u) << chunk;
    EXPECT_EQ(httptest::M(x, match::PiiType::kEmail), 40u) << chunk;
    const auto& u = h.t.sink.tx[1];
    EXPECT_EQ(u.pii.records.size(), 300u) << chunk;
    EXPECT_EQ(httptest::M(u, match::PiiType::kFranceTravailId), 300u) << chunk;
    EXPECT_EQ(httptest::M(u, match::PiiType::kBirthDate), 300u) << chunk;
    EXPECT_EQ(h.t.Counter("vigie_pii_csv_units_total"), 1) << chunk;
    EXPECT_EQ(h.t.Counter("vigie_archive_files_total", {{"result", "read"}}), 5) << chunk;
    EXPECT_EQ(h.t.Counter("vigie_archive_files_total", {{"result", "skipped"}}), 1) << chunk;  // the image
    EXPECT_EQ(h.t.Counter("vigie_archives_total", {{"outcome", "complete"}}), 2) << chunk;
  }
}

// A part is named by its file name only: a form field (`name="comment"`, no filename) is
// scanned but not listed; filename= and filename*= name a file, and so does the legacy
// Content-Type name= of mail clients. The field's content is still scanned (its NIR counts).
TEST(HttpMultipart, FormFieldWithoutFilenameIsNotANamedPart) {
  const std::string csv = PeopleCsv(3, 18);
  const std::string comment = PeopleCsv(1, 19);  // PII in the text field too
  const std::string b = kBoundary;
  const std::string body =
      "--" + b + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n" + comment + "\r\n--" + b +
      "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
      csv + "\r\n--" + b +
      "\r\nContent-Disposition: form-data; name=\"doc\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\n\r\nabc\r\n--" + b +
      "\r\nContent-Type: text/plain; name=\"legacy.txt\"\r\n\r\nde\r\n--" + b +
      "\r\nContent-Disposition: form-data; name=\"other\"\r\nContent-Type: text/plain\r\n\r\nplain value\r\n--" + b +
      "--\r\n";
  for (std::size_t chunk : {0u, 3u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, Upload(body, "multipart/form-data; boundary=" + b), chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 1u) << chunk;
    const auto& e = h.t.sink.tx[0];
    EXPECT_EQ(e.detail, "POST api.example.fr/upload; parts: x.csv (" + std::to_string(csv.size()) +
                            " B), r\xC3\xA9sum\xC3\xA9.txt (3 B), legacy.txt (2 B)")
        << chunk;
    EXPECT_EQ(e.detail.find("comment"), std::string::npos) << chunk;
    EXPECT_EQ(e.detail.find("other"), std::string::npos) << chunk;
    EXPECT_EQ(e.pii.records.size(), 4u) << chunk;  // 3 people in x.csv + 1 in the comment field
  }
}

// Without the MIME parser the base64 text hides every NIR: this is what the wiring buys.
TEST(HttpMultipart, MissingBoundaryIsCountedAndScannedRaw) {
  const std::string csv = PeopleCsv(10, 12);
  Harness h;
  h.Feed(Direction::kToServer, Upload(FormData(Base64(csv)), "multipart/form-data"), 0);
  ASSERT_EQ(h.t.sink.tx.size(), 1u);
  EXPECT_EQ(h.Mime("missing_boundary"), 1);
  EXPECT_EQ(h.t.Counter("vigie_http_multipart_bodies_total"), 0);
  EXPECT_EQ(h.t.sink.tx[0].detail, "POST api.example.fr/upload");  // parts unknown
  EXPECT_EQ(h.t.sink.tx[0].pii.matches[static_cast<int>(match::PiiType::kNir)], 0u);
}

TEST(HttpMultipart, QuotedPrintablePartInChunkedGzipBody) {
  const int kPeople = 20;
  const std::string csv = PeopleCsv(kPeople, 13);
  const std::string b = kBoundary;
  const std::string body = "--" + b +
                           "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"qp.csv\"\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
                           QuotedPrintable(csv) + "\r\n--" + b + "--\r\n";
  const std::string gz = httptest::Gzip(body);
  const std::string req = "POST /upload HTTP/1.1\r\nHost: api.example.fr\r\nContent-Type: multipart/form-data; "
                          "boundary=\"" + b + "\"\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          httptest::Chunked(gz, 61);
  for (std::size_t chunk : {0u, 5u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, req, chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 1u) << chunk;
    const auto& e = h.t.sink.tx[0];
    EXPECT_EQ(e.bytes, body.size()) << chunk;
    // QP hard line breaks decode to CRLF: the part is the CSV again, byte for byte.
    EXPECT_EQ(e.detail, "POST api.example.fr/upload; parts: qp.csv (" + std::to_string(csv.size()) + " B)") << chunk;
    EXPECT_EQ(h.Mime("bad_quoted_printable"), 0) << chunk;
    EXPECT_EQ(e.pii.records.size(), static_cast<std::size_t>(kPeople)) << chunk;
  }
}

// A multipart/mixed response (nested in a multipart/mixed) carrying two files.
TEST(HttpMultipart, NestedMultipartMixedResponse) {
  const std::string csv1 = PeopleCsv(8, 14), csv2 = PeopleCsv(9, 15);
  const std::string body =
      "preamble\r\n--outer\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n--outer\r\n"
      "Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n"
      "Content-Type: text/csv\r\nContent-Disposition: attachment; filename=\"a.csv\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      Base64(csv1) + "\r\n--inner\r\nContent-Disposition: attachment; filename=\"b.csv\"\r\n\r\n" + csv2 +
      "\r\n--inner--\r\n--outer--\r\nepilogue\r\n";
  for (std::size_t chunk : {0u, 3u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, "GET /export HTTP/1.1\r\nHost: api.example.fr\r\n\r\n", chunk);
    h.Feed(Direction::kToClient,
           "HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=outer\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body,
           chunk);
    ASSERT_EQ(h.t.sink.tx.size(), 1u) << chunk;
    const auto& e = h.t.sink.tx[0];
    EXPECT_EQ(e.detail, "GET api.example.fr/export -> 200 multipart/mixed; parts: a.csv (" +
                            std::to_string(csv1.size()) + " B), b.csv (" + std::to_string(csv2.size()) + " B)")
        << chunk;
    EXPECT_EQ(h.Mime("missing_close_boundary"), 0) << chunk;
    EXPECT_EQ(e.pii.records.size(), 17u) << chunk;
  }
}

// The connection closes before the closing boundary: the open part is still scanned and named.
TEST(HttpMultipart, NoClosingBoundary) {
  const int kPeople = 12;
  const std::string csv = PeopleCsv(kPeople, 16);
  const std::string b = kBoundary;
  const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"cut.csv\"\r\n\r\n" + csv;
  for (std::size_t chunk : {0u, 7u, 1u}) {
    Harness h;
    h.Feed(Direction::kToServer, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", chunk);
    h.Feed(Direction::kToClient, "HTTP/1.1 200 OK\r\nContent-Type: multipart/form-data; boundary=" + b +
                                     "\r\nConnection: close\r\n\r\n" + body, chunk);
    h.s->OnClose(*h.flow);
    ASSERT_EQ(h.t.sink.tx.size(), 1u) << chunk;
    const auto& e = h.t.sink.tx[0];
    EXPECT_EQ(e.bytes, body.size()) << chunk;
    // The last CRLF is held back as the start of a delimiter that never came: 2 bytes less.
    EXPECT_EQ(e.detail,
              "GET h/ -> 200 multipart/form-data; parts: cut.csv (" + std::to_string(csv.size() - 2) + " B)")
        << chunk;
    EXPECT_EQ(h.Mime("missing_close_boundary"), 1) << chunk;
    EXPECT_EQ(e.pii.records.size(), static_cast<std::size_t>(kPeople)) << chunk;
  }
}

// Many file parts: the detail names the first kMaxPartNames and counts the rest; keep-alive
// reuses the parser for the next message.
TEST(HttpMultipart, ManyPartsAreBoundedAndParserIsReused) {
  const std::string b = kBoundary;
  std::string body;
  for (int i = 0; i < 11; ++i)
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f" + std::to_string(i) +
            ".txt\"\r\n\r\nxy\r\n";
  body += "--" + b + "--\r\n";
  Harness h;
  const std::string req = Upload(body, "multipart/form-data; boundary=" + b);
  h.Feed(Direction::kToServer, req + req, 0);
  ASSERT_EQ(h.t.sink.tx.size(), 2u);
  std::string want = "POST api.example.fr/upload; parts: ";
  for (int i = 0; i < 8; ++i) want += (i ? ", f" : "f") + std::to_string(i) + ".txt (2 B)";
  want += ", +3 more";
  EXPECT_EQ(h.t.sink.tx[0].detail, want);
  EXPECT_EQ(h.t.sink.tx[1].detail, want);
  EXPECT_EQ(h.t.Counter("vigie_http_multipart_bodies_total"), 2);
}

// A hole in a plain multipart body: the part is told (scan gap), the closing boundary after the
// hole is still found, and only the records touching the hole are lost.
TEST(HttpMultipart, GapInsideAPartResumesAtTheNextBoundary) {
  const int kPeople = 30;
  const std::string csv = PeopleCsv(kPeople, 17);
  const std::string b = kBoundary;
  const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"g.csv\"\r\n\r\n" +
                           csv + "\r\n--" + b + "--\r\n";
  const std::string req = Upload(body, "multipart/form-data; boundary=" + b);
  const std::size_t cut = req.size() - body.size() + body.size() / 2, hole = 10;
  Harness h;
  h.Feed(Direction::kToServer, req.substr(0, cut), 0);
  h.s->OnGap(*h.flow, Direction::kToServer, hole);
  h.Feed(Direction::kToServer, req.substr(cut + hole), 0);
  ASSERT_EQ(h.t.sink.tx.size(), 1u);
  const auto& e = h.t.sink.tx[0];
  EXPECT_TRUE(e.detail.starts_with("POST api.example.fr/upload; parts: g.csv (")) << e.detail;
  EXPECT_EQ(h.Mime("missing_close_boundary"), 0);
  EXPECT_GE(e.pii.records.size(), static_cast<std::size_t>(kPeople - 2));
  EXPECT_LT(e.pii.records.size(), static_cast<std::size_t>(kPeople));
}

// Random bytes and broken structure around real delimiters: never a crash (run under ASan),
// always one event per message, and the parser is ready for the next message.
TEST(HttpMultipart, RandomBodiesAreHarmless) {
  std::mt19937 rng(99);
  const std::string b = "zz";
  const char* pieces[] = {"--zz\r\n", "--zz--\r\n", "\r\n", "Content-Transfer-Encoding: base64\r\n",
                          "Content-Type: multipart/mixed; boundary=yy\r\n", "--yy\r\n", "=\r\n", "=4", "\r\n\r\n",
                          "Content-Transfer-Encoding: quoted-printable\r\n", "QUJD", "%%%", "filename=\"x\"\r\n"};
  Harness h;
  for (int m = 0; m < 40; ++m) {
    std::string body;
    const int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        for (int k = static_cast<int>(rng() % 20); k > 0; --k) body.push_back(static_cast<char>(rng()));
      } else {
        body += pieces[rng() % std::size(pieces)];
      }
    }
    h.Feed(Direction::kToServer, Upload(body, "multipart/form-data; boundary=" + b), 1 + rng() % 5, m);
  }
  EXPECT_EQ(h.t.sink.tx.size(), 40u);  // every body is non-empty: one event each
  EXPECT_EQ(h.t.Counter("vigie_http_multipart_bodies_total"), 40);
  // A clean message after all that is decoded normally.
  const std::string csv = PeopleCsv(5, 18);
  const std::size_t before = h.t.sink.tx.size();
  h.Feed(Direction::kToServer, Upload(FormData(Base64(csv)), "multipart/form-data; boundary=" + std::string(kBoundary)), 0);
  ASSERT_EQ(h.t.sink.tx.size(), before + 1);
  EXPECT_EQ(h.t.sink.tx.back().pii.records.size(), 5u);
}

}  // namespace
}  // namespace vigie::app::http
