#pragma once
// HTML table columns: the names a table's header row gives its columns, for the cells rows away.
//
// An advisor's web tool lists people as an HTML table: a header row (`<th>NIR</th><th>Nom</th>`)
// then a row per person (`<td>2 85 05 …</td><td>MARTIN</td>`). The header is rows away from most
// values, beyond what the scanner keeps behind a candidate, so its names could neither name a
// NIR (a record alone) nor give a France Travail id or a birth date the context it needs. This
// tracker follows the tables of a markup unit as it streams (a unit whose first non-blank byte is
// '<'), types each column by its header cell's text as a CSV header's column is typed (the
// signatures' `columns:` names, csv_columns.h ColumnNames), and remembers where each cell of a
// typed column starts, so the scanner can ask, for a candidate right after a `<td>` start tag,
// which detector its column names (sensor/match/README.md, step 4).
//
// What it reads: `<table>` … `</table>` (nested up to kMaxDepth), `<tr>`, `<th>`, `<td>` (their
// `colspan`), end tags optional as in HTML. A row holding `<th>` cells and no `<td>` cell is a
// header row, and so is a table's first row of `<td>` cells (a spreadsheet saved as HTML has no
// `<th>`) when its text names a column, or the first after up to kMaxTitleRows title rows (at
// most one cell with text: the sheet's title above its header, a blank row): its cells' text
// (inner tags read as blanks, `&nbsp;`, `&eacute;`-like and numeric character references
// decoded, at most kMaxName bytes) names the table's columns from the next row on. In a
// key/value row (`<tr><th>NIR</th><td>…</td>`, one person's file), the `<th>` right before a
// `<td>` names that cell. Comments and the content of `<script>` and `<style>` are skipped.
// Chunking never changes what it finds (a byte-level state machine, entered only at the '<' that
// may open a tag it reads: NextOfInterest in html_tables.cc).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::match {

class ColumnNames;

class HtmlTables {
 public:
  static constexpr std::size_t kMaxDepth = 8;      // nested tables followed (deeper ones: skipped)
  static constexpr std::size_t kMaxColumns = 256;  // columns typed per table
  static constexpr std::size_t kMaxName = 128;     // bytes of a header cell's text read
  static constexpr std::size_t kMaxTitleRows = 3;  // title rows a header row of <td> cells may follow

  void Bind(const ColumnNames* names);  // the engine's `columns:` names, which type columns
  void Reset();  // no table open, nothing known (a unit's start, a gap)
  // Bytes p[0, n) of the unit, p[0] at absolute offset `offset` (consecutive calls, in order).
  void Feed(const std::uint8_t* p, std::size_t n, std::uint64_t offset);
  // The detector whose column holds the `<td>` cell whose content starts at `at` (the byte after
  // its start tag's '>'), or -1 (no such cell, an untyped column, or a cell forgotten).
  std::int32_t CellAt(std::uint64_t at) const;
  // Cells starting before `before` will not be asked for.
  void Forget(std::uint64_t before);
  bool HasCells() const { return cells_.size() > cells_head_; }

 private:
  enum class St : std::uint8_t { kText, kOpen, kName, kAttrs, kBang, kBangDash, kComment, kSkip };
  enum class Raw : std::uint8_t { kNone, kScript, kStyle };
  enum class Kind : std::uint8_t { kOther, kTable, kTr, kTd, kTh, kScript, kStyle };  // of a tag's name
  static Kind KindOf(std::string_view name);
  // A cell of the row being read whose text may name its column (a <th>, or a <td> of a row
  // that may be the header: HeaderCandidateTds): its columns [col, col + span), its text in
  // Table::pending_text [from, from + len). Typed only if the row is a header row.
  struct HeaderCell {
    std::size_t col, span, from, len;
    bool th;
  };
  struct Table {
    std::vector<std::int32_t> columns;  // the header row's types, by column
    std::vector<HeaderCell> pending;    // the row's cells that may name their column
    std::string pending_text;
    std::size_t col = 0;  // the next cell's column in the row
    bool in_row = false, row_th = false, row_td = false;
    bool typed = false;    // a column is typed (else a row's cells after its first <td> are not read)
    std::size_t rows = 0;  // rows begun
    // The rows before the one being read, at most kMaxTitleRows, are title rows (at most one cell
    // with text): none, or a sheet's title and blank rows above its header.
    bool titles_only = true;
  };
  // The row being read holds <td> cells, no <th>, and only title rows came before it: a header
  // if its text names a column (a sheet exported as HTML).
  static bool HeaderCandidateTds(const Table& t) { return t.titles_only && t.row_td && !t.row_th; }
  struct Cell {
    std::uint64_t at;
    std::int32_t detector;
  };
  // A complete tag (kind_, closing_; its attributes' bytes); `after`: the offset past its '>'.
  void Tag(std::uint64_t after, std::string_view attrs);
  void StartRow(Table& t);
  void EndRow(Table& t);
  void EndCell();
  static std::string NameOf(const Table& t, const HeaderCell& h);  // its text as a column name
  // The detector a key/value row's <th> right before column `col` names (`<tr><th>NIR</th><td>`:
  // one person's file), or -1.
  std::int32_t RowHeaderBefore(const Table& t, std::size_t col) const;
  bool Reads() const;        // whether the tag named name_ is one acted on (else: text)
  static std::size_t Span(std::string_view attrs);  // their colspan (1 when absent or unreadable)
  Table* Top() { return depth_ > 0 && overflow_ == 0 ? &tables_[depth_ - 1] : nullptr; }

  const ColumnNames* names_ = nullptr;
  std::vector<Table> tables_;  // [0, depth_) open
  std::size_t depth_ = 0;
  std::size_t overflow_ = 0;  // tables open deeper than kMaxDepth
  std::vector<Cell> cells_;   // by `at`; [cells_head_, size) not forgotten
  std::size_t cells_head_ = 0;
  mutable std::size_t hint_ = 0;  // CellAt's last answer (queries come nearly in order)
  St st_ = St::kText;
  Raw raw_ = Raw::kNone;
  bool closing_ = false;
  char quote_ = 0;  // kAttrs: inside an attribute value quoted with it
  std::size_t dashes_ = 0;  // kComment: '-' bytes right before
  char name_[9] = {};       // the tag's name, lower case (its first 9 bytes: longer, not one we read)
  std::uint8_t name_len_ = 0;
  Kind kind_ = Kind::kOther;  // name_'s
  char attrs_[96] = {};     // a <td>/<th> start tag's attributes begun in an earlier chunk (their first 96 bytes)
  std::uint8_t attrs_len_ = 0;
  bool collect_ = false;    // kAttrs: a <td>/<th> start tag (its attributes kept across a chunk end)
  bool capturing_ = false;  // inside a cell that may name its column: its text goes to text_
  bool capture_th_ = false;
  std::size_t capture_col_ = 0, capture_span_ = 1;
  std::string text_;
};

}  // namespace vigie::match
