#pragma once
// CSV columns: the scanner's shortcut for CSV exports (the densest PII a sensor sees: a row per
// person, a value per column).
//
// A unit whose first line is a CSV header naming a detector's column (the signatures'
// `columns:` lists, e.g. `nir`, `email`, `telephone`), or whose header follows at most
// kCsvMaxPreamble short preamble lines ("sep=;", a title), is split into fields as it streams. A
// field of a typed column whose whole content passes that detector's validator is taken as one
// finding directly: its bytes are blanked (NUL) before the candidate finders run, so they find
// nothing in it, and the finding joins the other candidates in end order. Every other field
// (untyped columns, a typed field holding anything else: two phones, a note, a value with
// blanks around it) is scanned as usual. What changes against the plain scan: inside a
// validated typed field, no other detector and no keyword is looked for (the field IS that
// value; the plain scan counted, e.g., the NIR's 15 digits as a rejected card candidate too),
// and a record-only type given a column (a birth date, an address) is read in its columns only:
// its candidates elsewhere in the rows are not looked for (sensor/match/README.md, step 0b).
//
// Chunking never changes a decision: a typed field not complete at the end of a feed (at most
// kMaxDeferred bytes) is held back and scanned with the next feed; the first lines of a unit
// (the header at most kMaxHeader bytes) are held until the header's end is seen or a byte
// neither a header nor a preamble line can hold ('{', '<', '@', a control byte...) shows it is
// not one.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "match/cpu.h"

namespace vigie::match {

struct Detector;

inline constexpr std::size_t kCsvMaxHeader = 4096;   // a longer line: not a CSV header
inline constexpr std::size_t kCsvMaxPreamble = 2;        // lines before the header ("sep=;", a title)
inline constexpr std::size_t kCsvMaxPreambleLine = 256;  // bytes in one (its CR included)
inline constexpr std::size_t kCsvMaxDeferred = 256;  // a longer field (quotes and CR included)
                                                     // is never taken as a typed value

struct CsvHeader {
  char delimiter = 0;
  std::vector<std::int32_t> column_detector;  // per column: the detector it names, or -1
};

// A column name (or a signature's `columns:` entry) in lower case: ASCII letters, and the
// accented capitals of French names in UTF-8 (U+00C0..U+00DE but U+00D7: "SÉCURITÉ" ->
// "sécurité"). Other bytes are kept.
std::string LowerColumnName(std::string_view name);

// Whether byte c can be part of a CSV header line (names, delimiters, quotes, blanks, UTF-8).
bool CsvHeaderByte(std::uint8_t c);
// Whether byte c can be part of a preamble line before the header: a header byte, ':' or '='
// (Excel's "sep=;", "Export du 12/03/2024 : demandeurs").
inline bool CsvPreambleByte(std::uint8_t c) { return CsvHeaderByte(c) || c == ':' || c == '='; }

// The signatures' `columns:` names, indexed to type a column by its name: the detector typing a
// column named `name` (lower case: LowerColumnName) is the first of the file one of whose names
// it holds as a word (bounded by its ends or a byte that is not a letter or digit; a blank and
// '_' read alike: "Identifiant France Travail" holds `identifiant_france_travail`), or -1. A CSV
// header's and an HTML table's columns are typed by it. Only the names starting with the byte
// at each word start of `name` are compared (~30 ns a name, BM_ColumnNames): a header of many columns, a page
// of many header rows cost little more than their bytes.
class ColumnNames {
 public:
  ColumnNames() = default;
  explicit ColumnNames(const std::vector<Detector>& detectors);
  std::int32_t Find(std::string_view name) const;

 private:
  struct Name {
    std::string text;
    std::int32_t detector;
  };
  std::array<std::vector<Name>, 256> by_first_;  // by first byte (' ' read as '_'), in file order
};

// The header of a unit: its first line, without the '\n'. The delimiter is the most frequent of
// ; , TAB | (at least 2: 3 columns); each name (blanks and one pair of quotes trimmed, ASCII
// lower case) is typed by the first detector one of whose `columns:` names it holds as a word
// (bounded by the name's ends or a byte that is not a letter or digit: `telephone_portable`
// holds `telephone`, `nirvana` does not hold `nir`). nullopt: not a header, or no typed column.
std::optional<CsvHeader> ParseCsvHeader(std::string_view line, const ColumnNames& names);

// Splits CSV rows into fields (RFC 4180 quoting: a field starting with '"' runs to the '"'
// before a delimiter or newline, `""` inside it is a quote) and reports the complete fields of
// typed columns. Stateful across calls: the bytes not consumed by one call are given again at
// the front of the next.
class CsvSplitter {
 public:
  // A field of a typed column. kWhole: complete, content [begin, end) (quotes excluded; a CR
  // before the newline excluded), `after` the index of the byte that follows the content (its
  // closing quote, delimiter, CR or newline; == n at the end of the data). The others are not
  // given whole (their bytes are scanned as text): kUnread, a non-empty field whose quoting is
  // broken (junk after the closing quote, a `""` inside, the data ending inside quotes), its
  // bytes [begin, end) quotes included, after == end its terminator; kLong, longer than
  // kCsvMaxDeferred bytes, from `begin` (end == after == begin: it may go on in later calls).
  enum class Kind : std::uint8_t { kWhole, kUnread, kLong };
  struct Field {
    std::int32_t detector;
    std::size_t begin, end, after;
    Kind kind = Kind::kWhole;
  };

  void Start(const CsvHeader& header);  // the row after the header starts
  void Resync();                        // after a gap: typing resumes after the next newline
  // Walks buf[from, n). Calls on_field(const Field&) for each typed field (Field::Kind) and
  // on_row(std::size_t i) for each newline i that ends a row (not one inside a quoted field),
  // in order; returns how many bytes of buf can be scanned now: the rest (a typed field not
  // complete yet, at most kCsvMaxDeferred bytes, never holding a row end) must be given again
  // at the front of the next call. eod: buf ends the data (its last field is complete).
  template <typename Fn, typename RowFn>
  std::size_t Walk(const std::uint8_t* buf, std::size_t from, std::size_t n, bool eod, Fn&& on_field, RowFn&& on_row);

  // The delimiter and newline bytes (ends), the newlines and the quotes of p[0, len) (len <= 64),
  // as bit masks.
  struct Masks {
    std::uint64_t ends = 0, newlines = 0, quotes = 0;
  };
  static Masks Specials(const std::uint8_t* p, std::size_t len, char delimiter);        // SSE2
  static Masks SpecialsAvx2(const std::uint8_t* p, std::size_t len, char delimiter);    // REQUIRES: AVX2
  static Masks SpecialsAvx512(const std::uint8_t* p, std::size_t len, char delimiter);  // REQUIRES: AVX-512BW

 private:
  enum class In : std::uint8_t { kUnquoted, kQuoted, kAfterQuote };
  static constexpr std::size_t kEarlier = static_cast<std::size_t>(-1);  // began in an earlier call
  void Restart(bool skip_row);  // a row starts (skip_row: once the next newline is seen)
  char delim_ = ';';
  Simd simd_ = Simd::kSse2;  // the Specials the CPU runs best
  std::vector<std::int32_t> types_;
  std::uint64_t typed_ = 0;  // bit c: column c is typed
  bool fast_ = false;        // no typed column past the 64th: the quote-free block path applies
  std::size_t col_ = 0;
  std::size_t fs_ = 0;       // start of the current field in this call's buffer, or kEarlier
  std::size_t close_ = 0;    // kAfterQuote: index of the closing quote
  In in_ = In::kUnquoted;
  bool escaped_ = false;     // the quoted field holds a `""`
  bool skip_row_ = false;    // columns unknown until the next newline
  bool quote_pending_ = false;  // kQuoted and the last buffer ended with a quote
};

template <typename Fn, typename RowFn>
std::size_t CsvSplitter::Walk(const std::uint8_t* buf, std::size_t from, std::size_t n, bool eod, Fn&& on_field,
                              RowFn&& on_row) {
  // The state lives in locals during the walk (the validators called per field would make the
  // compiler reload members), written back at the end.
  std::size_t col = col_, fs = fs_ == kEarlier ? kEarlier : from;  // a held-back field starts the buffer
  std::size_t close = close_;
  In in = in_;
  bool escaped = escaped_, skip_row = skip_row_;
  const std::size_t ntypes = types_.size();
  const std::int32_t* types = types_.data();
  std::size_t skip_quote = kEarlier;  // the second quote of a `""`
  if (quote_pending_ && (from < n || eod)) {  // the quote that ended the last buffer
    quote_pending_ = false;
    if (from < n && buf[from] == '"') {
      escaped = true;
      skip_quote = from;
    } else {
      in = In::kAfterQuote;  // (a field begun earlier: never typed, close unused)
    }
  }
  auto type = [&] { return skip_row || col >= ntypes ? -1 : types[col]; };
  auto next = [&](std::size_t term, bool row_end) {
    fs = term + 1;
    in = In::kUnquoted;
    escaped = false;
    if (row_end) {
      if (term < n) on_row(term);  // (the end of the data at eod is not a newline)
      col = 0;
      skip_row = false;
    } else {
      ++col;
    }
  };
  // Inlined where called (GCC left it out of line: +2-3 % on the CSV corpora once inlined).
  auto complete = [&](std::size_t term, bool row_end) __attribute__((always_inline)) {
    const std::int32_t d = type();
    if (d >= 0 && fs != kEarlier) {
      std::size_t b = fs, e = term, after = term;
      bool ok = true;
      if (in == In::kAfterQuote) {
        ok = !escaped && close + 1 == term;
        b = fs + 1;
        e = after = close;
      } else if (in == In::kQuoted) {
        ok = false;  // end of data inside quotes
      } else if (row_end && e > b && buf[e - 1] == '\r') {
        after = --e;
      }
      if (term - fs > kCsvMaxDeferred) {
        on_field(Field{d, fs, fs, fs, Kind::kLong});
      } else if (!ok) {
        on_field(Field{d, fs, term, term, Kind::kUnread});
      } else if (e > b) {
        on_field(Field{d, b, e, after, Kind::kWhole});
      }
    }
    next(term, row_end);
  };
  for (std::size_t base = from; base < n; base += 64) {
    const std::size_t len = std::min<std::size_t>(64, n - base);
    const Masks bm = simd_ == Simd::kAvx512 ? SpecialsAvx512(buf + base, len, delim_)
                     : simd_ == Simd::kAvx2 ? SpecialsAvx2(buf + base, len, delim_)
                                            : Specials(buf + base, len, delim_);
    std::uint64_t m = bm.ends | bm.quotes;
    if (bm.quotes == 0 && in == In::kUnquoted && !skip_row && fast_) {
      // No quote in the block: the field ends are its delimiters and newlines. Between two
      // newlines the j-th end closes column col + j, so only the typed columns' ends are
      // looked up (typed_: bit c = column c is typed).
      while (m != 0) {
        const std::uint64_t nl = m & bm.newlines;
        const std::uint64_t seg = nl != 0 ? m & ((nl & -nl) * 2 - 1) : m;  // through the first newline
        const auto k = static_cast<unsigned>(__builtin_popcountll(seg));
        std::uint64_t typed = col < 64 ? typed_ >> col : 0;
        if (k < 64) typed &= (std::uint64_t{1} << k) - 1;
        const std::size_t col0 = col;
        std::uint64_t x = seg;
        unsigned at = 0;          // x's lowest bit closes column col0 + at
        std::size_t start = fs;  // where that column's field starts
        while (typed != 0) {
          const auto t = static_cast<unsigned>(__builtin_ctzll(typed));
          typed &= typed - 1;
          for (; at < t; ++at) {
            start = base + static_cast<std::size_t>(__builtin_ctzll(x)) + 1;
            x &= x - 1;
          }
          const std::size_t term = base + static_cast<std::size_t>(__builtin_ctzll(x));
          fs = start;
          col = col0 + t;
          complete(term, (bm.newlines >> (term - base)) & 1);  // then fs = term + 1, col + 1 (0 at a newline)
          x &= x - 1;
          at = t + 1;
          start = term + 1;
        }
        if (x != 0) {  // the untyped ends left in the segment: its last one starts the next field
          next(base + static_cast<std::size_t>(63 - __builtin_clzll(x)), nl != 0);
          if (nl == 0) col = col0 + k;
        }
        m &= ~seg;
      }
      continue;
    }
    for (; m != 0; m &= m - 1) {
      const std::size_t i = base + static_cast<std::size_t>(__builtin_ctzll(m));
      const std::uint8_t c = buf[i];
      if (skip_row) {
        if (c == '\n') next(i, true);
        continue;
      }
      if (in == In::kQuoted) {
        if (c != '"' || i == skip_quote) continue;
        if (i + 1 < n && buf[i + 1] == '"') {
          escaped = true;
          skip_quote = i + 1;
        } else if (i + 1 < n || eod) {
          in = In::kAfterQuote;
          close = i;
        } else {
          // A quote ending the buffer: closing or escaping, known with the next byte (a typed
          // field is held back below and walked again whole).
          quote_pending_ = true;
        }
        continue;
      }
      if (c == '"') {
        if (in == In::kUnquoted && i == fs) in = In::kQuoted;  // else a quote inside the content
        continue;
      }
      complete(i, c == '\n');
    }
  }
  std::size_t cut = n;
  if (eod) {
    if (fs != kEarlier && fs < n) complete(n, true);
    fs = 0;
  } else if (fs != kEarlier && fs < n && type() >= 0 && n - fs <= kCsvMaxDeferred) {
    cut = fs;  // held back: the next call starts with this field
    in = In::kUnquoted;
    escaped = false;
    quote_pending_ = false;
  } else if (fs != kEarlier && fs < n) {
    const std::int32_t d = type();
    if (d >= 0) on_field(Field{d, fs, fs, fs, Kind::kLong});
    fs = kEarlier;  // continues in the next call, never typed
  }
  col_ = col;
  fs_ = fs == kEarlier ? kEarlier : 0;
  close_ = close;
  in_ = in;
  escaped_ = escaped;
  skip_row_ = skip_row;
  return cut;
}

}  // namespace vigie::match
