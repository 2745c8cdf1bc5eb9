// HtmlTables (sensor/match/html_tables.h): the columns an HTML table's header row types, and the
// cells of those columns, found the same whatever the chunking.
#include "match/html_tables.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "match/engine.h"
#include "test_util.h"

namespace vigie::match::testing {
namespace {

std::int32_t DetectorOf(const PiiEngine& e, const std::string& id) {
  for (std::size_t d = 0; d < e.detectors.size(); ++d)
    if (e.detectors[d].id == id) return static_cast<std::int32_t>(d);
  ADD_FAILURE() << "no detector " << id;
  return -1;
}

// (offset of the cell content, detector) for every typed cell of `html`, its bytes fed in the
// pieces `cuts` make (ascending offsets).
std::vector<std::pair<std::uint64_t, std::int32_t>> TypedCells(const PiiEngine& e, const std::string& html,
                                                               const std::vector<std::size_t>& cuts = {}) {
  HtmlTables t;
  t.Bind(&e.column_names);
  std::size_t from = 0;
  auto feed = [&](std::size_t to) {
    t.Feed(reinterpret_cast<const std::uint8_t*>(html.data()) + from, to - from, from);
    from = to;
  };
  for (std::size_t c : cuts) feed(c);
  feed(html.size());
  std::vector<std::pair<std::uint64_t, std::int32_t>> out;
  for (std::uint64_t at = 0; at <= html.size(); ++at)
    if (const std::int32_t d = t.CellAt(at); d >= 0) out.emplace_back(at, d);
  return out;
}

using Cells = std::vector<std::pair<std::uint64_t, std::int32_t>>;

// `want` from `html` whole, cut at every point, and one byte at a time.
void ExpectCellsAnyChunking(const PiiEngine& e, const std::string& html, const Cells& want) {
  EXPECT_EQ(TypedCells(e, html), want);
  for (std::size_t cut = 1; cut < html.size(); ++cut) ASSERT_EQ(TypedCells(e, html, {cut}), want) << cut;
  std::vector<std::size_t> bytes;
  for (std::size_t k = 1; k < html.size(); ++k) bytes.push_back(k);
  EXPECT_EQ(TypedCells(e, html, bytes), want);
}

// Where the content of the cell holding `marker` begins.
std::uint64_t After(const std::string& html, const std::string& marker) {
  const std::size_t at = html.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  return html.rfind('>', at) + 1;
}

class HtmlTablesTest : public ::testing::Test {
 protected:
  std::shared_ptr<const PiiEngine> engine = DefaultEngine();
  std::int32_t nir = DetectorOf(*engine, "nir"), ft = DetectorOf(*engine, "france_travail_id"),
               phone = DetectorOf(*engine, "phone_fr"), birth = DetectorOf(*engine, "birth_date"),
               email = DetectorOf(*engine, "email");
};

TEST_F(HtmlTablesTest, HeaderRowTypesTheCellsOfItsColumns) {
  const std::string html =
      "<html><body><table class=\"liste\">\n<thead><tr><th>Nom</th><th>NIR</th><th>Date de naissance</th></tr></thead>\n"
      "<tbody><tr><td>MARTIN</td><td>[a]</td><td>[b]</td></tr>\n<tr><td>DURAND</td><td> [c]</td><td>[d]</td></tr></tbody>"
      "</table></body></html>";
  ExpectCellsAnyChunking(
      *engine, html, {{After(html, "[a]"), nir}, {After(html, "[b]"), birth}, {After(html, " [c]"), nir}, {After(html, "[d]"), birth}});
}

TEST_F(HtmlTablesTest, HeaderTextAsPagesWriteIt) {
  // Inner tags, character references, upper-case tags and attributes, blanks and line breaks,
  // the blanks of a name read as '_' ("Identifiant France Travail"), a column spanning two.
  const std::string html =
      "<TABLE><TR>\n  <TH class=\"c\"><b>N&deg; de s&eacute;curit&eacute;\n sociale</b></TH>\n"
      "  <th>Identifiant&nbsp;France Travail</th><th colspan=\"2\">T&#233;l&#xE9;phone</th><th>Courriel</th>"
      "<th>Statut</th></TR>\n"
      "<TR><TD class=\"x\">[a]</TD><td>[b]</td><td>[c]</td><td>[d]</td><td>[e]</td><td>[f]</td></TR></TABLE>";
  const Cells want = {{After(html, "[a]"), nir},
                                                                    {After(html, "[b]"), ft},
                                                                    {After(html, "[c]"), phone},
                                                                    {After(html, "[d]"), phone},
                                                                    {After(html, "[e]"), email}};
  EXPECT_EQ(TypedCells(*engine, html), want);
}

// A colspan is read in a tag's first 96 bytes of attributes, whether the tag lies in one chunk or
// is cut anywhere (a colspan past them is not read, cut or not).
TEST_F(HtmlTablesTest, ColspanReadTheSameWhereverTheTagIsCut) {
  const std::string pad(70, 'x');
  const std::string html = "<table><tr><th class=\"" + pad + "\" colspan=\"2\">T&eacute;l&eacute;phone</th><th>NIR</th></tr>"
                           "<tr><td>[a]</td><td>[b]</td><td>[c]</td></tr>"
                           "<tr><td class=\"" + pad + pad + "\" colspan=\"2\">[d]</td><td>[e]</td></tr></table>";
  // [d]'s colspan lies past its tag's first 96 bytes: one column, [e] is the second (a phone's).
  ExpectCellsAnyChunking(*engine, html,
                         {{After(html, "[a]"), phone},
                          {After(html, "[b]"), phone},
                          {After(html, "[c]"), nir},
                          {After(html, "[d]"), phone},
                          {After(html, "[e]"), phone}});
}

TEST_F(HtmlTablesTest, EndTagsMayBeLeftOut) {
  const std::string html = "<table><tr><th>Nom<th>NIR<tr><td>MARTIN<td>[a]<tr><td>DURAND<td>[b]</table>";
  ExpectCellsAnyChunking(*engine, html, {{After(html, "[a]"), nir}, {After(html, "[b]"), nir}});
}

TEST_F(HtmlTablesTest, OnlyRowsOfHeaderCellsAreHeaders) {
  // A row opening with a header cell (scope=row) is a data row: it types no column, its <th>
  // names only the cell right after it. A later header row replaces the columns; no header: no
  // typed cell; a cell outside a table: none.
  const std::string html =
      "<td>[x]</td><table><tr><td>[y]</td></tr><tr><th scope=\"row\">NIR</th><td>[z]</td></tr>"
      "<tr><th>NIR</th><th>Nom</th></tr><tr><td>[a]</td><td>[b]</td></tr>"
      "<tr><th>Nom</th><th>NIR</th></tr><tr><td>[c]</td><td>[d]</td></tr></table><td>[w]</td>";
  ExpectCellsAnyChunking(*engine, html, {{After(html, "[z]"), nir}, {After(html, "[a]"), nir}, {After(html, "[d]"), nir}});
}

// One person's file as a key/value table: each <th> names the <td> right after it (two pairs a
// row too); a <th> naming nothing (a person's name as a row header) leaves the cell its column's.
TEST_F(HtmlTablesTest, KeyValueRowsNameTheCellAfterTheirHeader) {
  const std::string file =
      "<h2>Dossier</h2><table class=\"fiche\">\n<tr><th>Nom</th><td>MARTIN Claire</td></tr>\n"
      "<tr><th scope=\"row\">N&deg; de s&eacute;curit&eacute; sociale</th>\n  <td>[a]</td></tr>\n"
      "<tr><th>Identifiant FT</th><td>[b]</td><th>Date de naissance</th><td>[c]</td></tr>\n"
      "<tr><th colspan=2>T&eacute;l&eacute;phone</th><td>[d]</td><td>[e]</td></tr>\n"
      "<tr><th>Commentaire</th><td>[f]</td></tr></table>\n"
      "<table><tr><th>Nom</th><th>NIR</th></tr><tr><th>MARTIN</th><td>[g]</td></tr>"
      "<tr><th>Courriel</th><td>[h]</td></tr></table>";
  ExpectCellsAnyChunking(*engine, file,
                         {{After(file, "[a]"), nir},
                          {After(file, "[b]"), ft},
                          {After(file, "[c]"), birth},
                          {After(file, "[d]"), phone},
                          {After(file, "[g]"), nir},
                          {After(file, "[h]"), email}});
}

// A sheet saved as HTML has no <th>: its table's first row of <td> cells is the header when its
// text names a column (not a later row, not a first row of values).
TEST_F(HtmlTablesTest, FirstRowOfTdCellsNamingAColumnIsTheHeader) {
  const std::string sheet =
      "<table border=1 cellspacing=0><tr><td><b>Nom</b></td><td><b>Identifiant France Travail</b></td>"
      "<td>N&deg; s&eacute;cu</td></tr>\n<tr><td>MARTIN</td><td>[a]</td><td>[b]</td></tr>"
      "<tr><td>Nom</td><td>NIR</td><td>x</td></tr><tr><td>DURAND</td><td>[c]</td><td>[d]</td></tr></table>";
  // (The third row is data of the typed columns, not a header: the columns stay the first row's.)
  ExpectCellsAnyChunking(*engine, sheet,
                         {{After(sheet, "[a]"), ft},
                          {After(sheet, "[b]"), nir},
                          {After(sheet, "NIR</td><td>x"), ft},
                          {After(sheet, "x</td></tr><tr><td>DURAND"), nir},
                          {After(sheet, "[c]"), ft},
                          {After(sheet, "[d]"), nir}});
  // A first row of values names nothing; the next row naming columns is no header either.
  EXPECT_TRUE(TypedCells(*engine, "<table><tr><td>MARTIN</td><td>1850578006084</td></tr>"
                                  "<tr><td>Nom</td><td>NIR</td></tr><tr><td>DURAND</td><td>[a]</td></tr></table>")
                  .empty());
  // A first row mixing <th> and <td> cells is neither kind of header.
  EXPECT_TRUE(TypedCells(*engine, "<table><tr><td>Nom</td><th>NIR</th></tr><tr><td>x</td><td>[a]</td></tr></table>").empty());
}

// A sheet exported with its title above the header: up to kMaxTitleRows rows holding at most one
// cell with text (a merged title cell, a title then empty cells, a blank row) may come first.
TEST_F(HtmlTablesTest, HeaderOfTdCellsAfterTitleRows) {
  const std::string sheet =
      "<table><tr><td colspan=\"3\"><b>Export portefeuille du 12/03/2024</b></td></tr>\n"
      "<tr><td>Agence 75011</td><td>&nbsp;</td><td></td></tr>\n<tr></tr>\n"
      "<tr><td>Nom</td><td>Identifiant FT</td><td>NIR</td></tr>\n"
      "<tr><td>MARTIN</td><td>[a]</td><td>[b]</td></tr><tr><td>DURAND</td><td>[c]</td><td>[d]</td></tr></table>";
  ExpectCellsAnyChunking(*engine, sheet,
                         {{After(sheet, "[a]"), ft}, {After(sheet, "[b]"), nir}, {After(sheet, "[c]"), ft},
                          {After(sheet, "[d]"), nir}});
  // A title naming a column types it until the header row names the table's columns.
  const std::string titled =
      "<table><tr><td>Liste NIR</td></tr><tr><td>[x]</td></tr><tr><td>Identifiant FT</td><td>NIR</td></tr>"
      "<tr><td>[a]</td><td>[b]</td></tr></table>";
  EXPECT_EQ(TypedCells(*engine, titled),
            (Cells{{After(titled, "[x]"), nir}, {After(titled, "Identifiant FT"), nir}, {After(titled, "[a]"), ft},
                   {After(titled, "[b]"), nir}}));
  // Four title rows are too many; a row with two cells of text is no title (a row of values).
  EXPECT_TRUE(TypedCells(*engine, "<table><tr><td>a</td></tr><tr><td>b</td></tr><tr><td>c</td></tr><tr><td>d</td></tr>"
                                  "<tr><td>Nom</td><td>NIR</td></tr><tr><td>x</td><td>[a]</td></tr></table>")
                  .empty());
  EXPECT_TRUE(TypedCells(*engine, "<table><tr><td>Titre</td><td>12/03/2024</td></tr>"
                                  "<tr><td>Nom</td><td>NIR</td></tr><tr><td>x</td><td>[a]</td></tr></table>")
                  .empty());
  // A title row of <th> then a header of <td> cells.
  const std::string th_title =
      "<table><tr><th colspan=2>Demandeurs</th></tr><tr><td>Nom</td><td>NIR</td></tr><tr><td>x</td><td>[a]</td></tr></table>";
  EXPECT_EQ(TypedCells(*engine, th_title), (Cells{{After(th_title, "[a]"), nir}}));
}

TEST_F(HtmlTablesTest, NestedTablesHaveTheirOwnColumns) {
  const std::string html =
      "<table><tr><th>NIR</th><th>Contacts</th></tr>"
      "<tr><td>[a]</td><td><table><tr><th>T\xc3\xa9l\xc3\xa9phone</th></tr><tr><td>[b]</td></tr></table></td></tr>"
      "<tr><td>[c]</td><td>[d]</td></tr></table>";
  const Cells want = {
      {After(html, "[a]"), nir}, {After(html, "[b]"), phone}, {After(html, "[c]"), nir}};
  EXPECT_EQ(TypedCells(*engine, html), want);
}

TEST_F(HtmlTablesTest, CommentsScriptsAndStylesAreSkipped) {
  // Their '<tr><th>…' is no table's; the table's own header names its columns.
  const std::string html =
      "<!-- <table><tr><th>NIR</th></tr> --><style>td > b { color: red }</style>"
      "<table><script>var row = '<tr><th>NIR</th></tr>'; if (a < b) {}</script>"
      "<tr><th>Nom</th><th>IBAN</th></tr><!-- <tr><th>NIR</th><th>NIR</th></tr> --><tr><td>[a]</td><td>[b]</td></tr>"
      "</table>";
  const auto cells = TypedCells(*engine, html);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].first, After(html, "[b]"));
  EXPECT_EQ(engine->detectors[static_cast<std::size_t>(cells[0].second)].type, PiiType::kIban);
}

// Random markup from the pieces the tracker reads and those it must not be fooled by (tags cut
// anywhere, quotes holding '<' and '>', comments, scripts, character references, spans): the
// same cells whatever the chunking, and cells at all in most texts.
TEST_F(HtmlTablesTest, RandomMarkupSameCellsAnyChunking) {
  static const char* const kPieces[] = {
      "<table>", "</table>", "<TABLE class=\"t\">", "<tr>", "</tr>", "<tr class='a>b'>", "<th>", "</th>", "<TH>",
      "<th colspan=\"2\">", "<th colspan=3>", "<td>", "</td>", "<td class=\"x\">", "<td title=\"<td>\">",
      "<td colspan='2'>", "<thead>", "</thead>", "<tbody>", "<b>", "</b>", "<br/>", "<span>", "</span>",
      "<a href=\"/d?n=1\">", "</a>", "<!-- <tr><th>NIR</th></tr> -->", "<!DOCTYPE html>", "<script>",
      "</script>", "<style>", "</style>", "if (a < b && c > d)", "NIR", "Nom", "Identifiant FT",
      "T&eacute;l&eacute;phone", "Date de naissance", "IBAN", "&nbsp;", "1 85 05 78 006 084 36", "MARTIN",
      " ", "\n", "<", ">", "\"", "'", "</", "<!", "-->", "&"};
  std::mt19937 rng(1805);
  const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int with_cells = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string html;
    const std::size_t n = 20 + pick(200);
    for (std::size_t k = 0; k < n; ++k) {
      // Mostly well-formed tables: a header row then data rows, with noise between.
      if (pick(3) == 0) html += "<tr><th>NIR</th><th>Nom</th><th>Date de naissance</th></tr><tr><td>a</td><td>b</td><td>c</td></tr>";
      html += kPieces[pick(std::size(kPieces))];
    }
    const auto whole = TypedCells(*engine, html);
    with_cells += !whole.empty();
    std::vector<std::size_t> cuts;
    for (std::size_t at = 1 + pick(16); at < html.size(); at += 1 + pick(trial % 2 ? 8 : 64)) cuts.push_back(at);
    ASSERT_EQ(TypedCells(*engine, html, cuts), whole) << html;
  }
  EXPECT_GT(with_cells, 100);
}

TEST_F(HtmlTablesTest, ForgetAndReset) {
  const std::string html = "<table><tr><th>NIR</th></tr><tr><td>[a]</td></tr><tr><td>[b]</td></tr>";
  HtmlTables t;
  t.Bind(&engine->column_names);
  t.Feed(reinterpret_cast<const std::uint8_t*>(html.data()), html.size(), 1000);
  const std::uint64_t a = 1000 + After(html, "[a]"), b = 1000 + After(html, "[b]");
  EXPECT_EQ(t.CellAt(a), nir);
  EXPECT_EQ(t.CellAt(b), nir);
  t.Forget(a + 1);
  EXPECT_EQ(t.CellAt(a), -1);
  EXPECT_EQ(t.CellAt(b), nir);
  // After a reset (a gap), the table open before is not followed: its rows type nothing.
  t.Reset();
  EXPECT_FALSE(t.HasCells());
  const std::string more = "<tr><td>[c]</td></tr>";
  t.Feed(reinterpret_cast<const std::uint8_t*>(more.data()), more.size(), 1000 + html.size());
  EXPECT_FALSE(t.HasCells());
}

}  // namespace
}  // namespace vigie::match::testing
