#include "match/html_tables.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "match/csv_columns.h"
#include "match/validators_util.h"

namespace vigie::match {

namespace {

constexpr bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

void AppendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// The character reference `ref` (between its '&' and its ';'), decoded into out; false when it
// is not one read here (kept as written).
bool DecodeReference(std::string_view ref, std::string& out) {
  if (ref.size() >= 2 && ref[0] == '#') {
    unsigned cp = 0;
    const bool hex = ref[1] == 'x' || ref[1] == 'X';
    const std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 6) return false;
    for (char c : digits) {
      unsigned v;
      if (detail::IsDigit(c)) v = static_cast<unsigned>(c - '0');
      else if (hex && detail::ToLower(c) >= 'a' && detail::ToLower(c) <= 'f') v = static_cast<unsigned>(detail::ToLower(c) - 'a' + 10);
      else return false;
      cp = cp * (hex ? 16 : 10) + v;
    }
    if (cp == 0xa0) cp = ' ';
    if (cp == 0 || cp >= 0x10000) return false;
    AppendUtf8(out, cp);
    return true;
  }
  // The references of French headers (N&deg; de s&eacute;curit&eacute; sociale, T&eacute;l&eacute;phone).
  struct Named {
    std::string_view name;
    unsigned cp;
  };
  static constexpr Named kNamed[] = {
      {"nbsp", ' '},    {"amp", '&'},      {"deg", 0xb0},    {"ordm", 0xba},   {"eacute", 0xe9}, {"Eacute", 0xc9},
      {"egrave", 0xe8}, {"Egrave", 0xc8},  {"ecirc", 0xea},  {"Ecirc", 0xca},  {"agrave", 0xe0}, {"Agrave", 0xc0},
      {"acirc", 0xe2},  {"ccedil", 0xe7},  {"Ccedil", 0xc7}, {"icirc", 0xee},  {"ocirc", 0xf4},  {"ucirc", 0xfb},
      {"ugrave", 0xf9}, {"euml", 0xeb},    {"iuml", 0xef},
  };
  for (const Named& n : kNamed)
    if (ref == n.name) {
      AppendUtf8(out, n.cp);
      return true;
    }
  return false;
}

// A header cell's text as a column name: references decoded, blanks trimmed and runs of them
// read as one space, lower case (LowerColumnName).
std::string HeaderName(std::string_view text) {
  std::string out, decoded;
  bool blank = false;
  const auto put = [&](char c) {
    if (IsBlank(c)) {
      blank = !out.empty();
      return;
    }
    if (blank) out.push_back(' ');
    blank = false;
    out.push_back(c);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const std::size_t semi = text.find(';', i + 1);
      decoded.clear();
      if (semi != std::string_view::npos && semi - i <= 10 && DecodeReference(text.substr(i + 1, semi - i - 1), decoded)) {
        for (char c : decoded) put(c);
        i = semi;
        continue;
      }
    }
    put(text[i]);
  }
  return LowerColumnName(out);
}

}  // namespace

void HtmlTables::Bind(const ColumnNames* names) {
  names_ = names;
  Reset();
}

void HtmlTables::Reset() {
  depth_ = overflow_ = 0;
  cells_.clear();
  if (cells_.capacity() > 4096) std::vector<Cell>().swap(cells_);  // a huge table's: not kept per stream
  cells_head_ = hint_ = 0;
  st_ = St::kText;
  raw_ = Raw::kNone;
  closing_ = false;
  quote_ = 0;
  dashes_ = 0;
  name_len_ = 0;
  attrs_len_ = 0;
  capturing_ = false;
  text_.clear();
}

void HtmlTables::Forget(std::uint64_t before) {
  while (cells_head_ < cells_.size() && cells_[cells_head_].at < before) ++cells_head_;
  if (cells_head_ == cells_.size()) {
    cells_.clear();
    cells_head_ = hint_ = 0;
  } else if (cells_head_ >= 1024 && cells_head_ * 2 >= cells_.size()) {
    cells_.erase(cells_.begin(), cells_.begin() + static_cast<std::ptrdiff_t>(cells_head_));
    hint_ -= std::min(hint_, cells_head_);
    cells_head_ = 0;
  }
}

std::int32_t HtmlTables::CellAt(std::uint64_t at) const {
  // Candidates come in end order and their cells in order: walk from the last answer.
  std::size_t k = std::clamp(hint_, cells_head_, cells_.size());
  while (k < cells_.size() && cells_[k].at < at) ++k;
  while (k > cells_head_ && cells_[k - 1].at >= at) --k;
  hint_ = k;
  return k < cells_.size() && cells_[k].at == at ? cells_[k].detector : -1;
}

namespace {

// The tag's '>' at or after i (not one inside a quoted value; q: the quote open at i, 0 if none,
// updated), or n. Byte by byte: a tag's attributes are short (a library search or a 16-byte
// block per quote measured slower).
std::size_t TagEnd(const char* s, std::size_t i, std::size_t n, char& q) {
  char quote = q;
  for (; i < n; ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '>') {
      break;
    } else if (c == '"' || c == '\'') {
      quote = c;
    }
  }
  q = quote;
  return i;
}

// Whether the '<' at s[k] may open a tag the tracker reads outside a header cell: `<t…` (table,
// tr, td, th), `</tr`, `</ta…` (</table>), `<script`, `<style`, `<!` (a comment); not `</td>` nor
// `</th>` (a cell ends where the next one starts; a header cell's end is read in the cell, where
// every tag is). Every other '<' is text to it (its tag's attributes are not parsed, so a quoted
// '>' or '<' in them reads the same whatever the chunking). Fewer than 8 bytes left in the
// chunk: yes (the state machine decides, byte by byte, as Reads() does).
// skip_td: `<td` is not one either (a row of a table no header typed, that already holds a <td>
// and no <th>: nothing in it can be typed nor make it a header row).
inline bool OfInterest(const char* s, std::size_t k, std::size_t n, bool skip_td) {
  if (k + 8 > n) return true;
  const char c1 = s[k + 1];
  if (c1 == '!') return true;
  if (c1 == '/') return (s[k + 2] | 0x20) == 't' && ((s[k + 3] | 0x20) == 'r' || (s[k + 3] | 0x20) == 'a');
  const char c = static_cast<char>(c1 | 0x20);
  if (c == 't') return !skip_td || (s[k + 2] | 0x20) != 'd';
  if (c != 's') return false;
  char w[6];
  for (int j = 0; j < 6; ++j) w[j] = static_cast<char>(s[k + 1 + static_cast<std::size_t>(j)] | 0x20);
  return std::memcmp(w, "script", 6) == 0 || std::memcmp(w, "style", 5) == 0;
}

// The first '<' at or after i that is OfInterest, or n (16 bytes at a time).
std::size_t NextOfInterest(const char* s, std::size_t i, std::size_t n, bool skip_td) {
  const __m128i lt = _mm_set1_epi8('<');
  for (; i + 16 <= n; i += 16) {
    auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)), lt)));
    for (; m != 0; m &= m - 1) {
      const std::size_t k = i + static_cast<std::size_t>(__builtin_ctz(m));
      if (OfInterest(s, k, n, skip_td)) return k;
    }
  }
  for (; i < n; ++i)
    if (s[i] == '<' && OfInterest(s, i, n, skip_td)) return i;
  return n;
}

}  // namespace

HtmlTables::Kind HtmlTables::KindOf(std::string_view name) {
  if (name.size() == 2 && name[0] == 't') return name[1] == 'r' ? Kind::kTr : name[1] == 'd' ? Kind::kTd : name[1] == 'h' ? Kind::kTh : Kind::kOther;
  if (name == "table") return Kind::kTable;
  if (name == "script") return Kind::kScript;
  if (name == "style") return Kind::kStyle;
  return Kind::kOther;
}

// A tag is read when its name is one we act on (or, inside a header cell, any: an inline tag is
// a blank in the cell's name); every other '<' is text. NextOfInterest skips the '<' whose tag
// cannot be one, so most of a page's tags are never visited.
bool HtmlTables::Reads() const {
  if (capturing_) return true;
  switch (kind_) {
    case Kind::kTr: case Kind::kTable: return true;
    case Kind::kTd: case Kind::kTh: case Kind::kScript: case Kind::kStyle: return !closing_;
    case Kind::kOther: return false;
  }
  return false;
}

void HtmlTables::Feed(const std::uint8_t* p, std::size_t n, std::uint64_t offset) {
  const char* s = reinterpret_cast<const char*>(p);
  std::size_t i = 0;
  while (i < n) {
    switch (st_) {
      case St::kText: {
        std::size_t end;
        if (capturing_ || raw_ != Raw::kNone) {
          const void* lt = std::memchr(s + i, '<', n - i);
          end = lt != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lt) - s) : n;
          if (capturing_ && text_.size() < kMaxName) text_.append(s + i, std::min(end - i, kMaxName - text_.size()));
        } else {
          const Table* t = Top();
          end = NextOfInterest(s, i, n,
                               t != nullptr && t->in_row && t->row_td && !t->row_th && !t->typed && !HeaderCandidateTds(*t));
        }
        i = end;
        if (i == n) break;
        st_ = St::kOpen;
        if (++i == n) break;
        [[fallthrough]];  // (the states of one tag follow each other without the switch)
      }
      case St::kOpen: {  // right after '<'
        const char c = s[i];
        name_len_ = 0;
        closing_ = false;
        if (c == '/') {
          closing_ = true;
          st_ = St::kName;
          ++i;
        } else if (c == '!' && raw_ == Raw::kNone) {
          st_ = St::kBang;
          ++i;
        } else if (detail::IsAlpha(c) && raw_ == Raw::kNone) {
          st_ = St::kName;  // c is read there
        } else {  // "a < b", or a '<' inside a script: text
          if (capturing_ && text_.size() < kMaxName) text_.push_back('<');
          st_ = St::kText;
        }
        if (st_ != St::kName || i == n) break;
        [[fallthrough]];
      }
      case St::kName: {
        std::size_t k = i;
        while (k < n && detail::IsAlnum(s[k])) ++k;
        for (std::size_t j = i; j < k && name_len_ < sizeof(name_); ++j) name_[name_len_++] = detail::ToLower(s[j]);
        i = k;
        if (i == n) break;  // the name goes on in the next chunk
        const std::string_view name(name_, name_len_);
        kind_ = KindOf(name);
        if (raw_ != Raw::kNone) {  // inside a script or style: only its end tag counts
          const bool ends = closing_ && kind_ == (raw_ == Raw::kScript ? Kind::kScript : Kind::kStyle);
          if (ends) raw_ = Raw::kNone;
          st_ = ends ? St::kSkip : St::kText;
          break;
        }
        if (name.empty()) {  // "</" then no name: text, as NextOfInterest reads it (s[i] is read there)
          st_ = St::kText;
          break;
        }
        if (!Reads()) {  // text to the tracker (s[i] is read there)
          st_ = St::kText;
          break;
        }
        attrs_len_ = 0;
        collect_ = !closing_ && (kind_ == Kind::kTd || kind_ == Kind::kTh);
        quote_ = 0;
        st_ = St::kAttrs;  // s[i] is read there
        [[fallthrough]];
      }
      case St::kAttrs: {  // to the tag's '>' (not one inside a quoted value)
        const std::size_t k = TagEnd(s, i, n, quote_);
        if (k == n) {  // the tag goes on in the next chunk: its attributes so far are kept
          if (collect_)
            for (std::size_t j = i; j < n && attrs_len_ < sizeof(attrs_); ++j) attrs_[attrs_len_++] = s[j];
          i = n;
          break;
        }
        // Its first sizeof(attrs_) bytes, whether the tag lies in this chunk or began in an
        // earlier one (where only those are kept): the same colspan whatever the chunking.
        std::string_view attrs(s + i, std::min(k - i, sizeof(attrs_)));
        if (attrs_len_ > 0) {  // begun in an earlier chunk
          for (std::size_t j = i; j < k && attrs_len_ < sizeof(attrs_); ++j) attrs_[attrs_len_++] = s[j];
          attrs = std::string_view(attrs_, attrs_len_);
        }
        i = k + 1;
        st_ = St::kText;
        Tag(offset + i, attrs);
        break;
      }
      case St::kBang:  // "<!": a comment if "--" follows, else a declaration
        st_ = s[i] == '-' ? St::kBangDash : St::kSkip;
        if (s[i] == '-') ++i;
        break;
      case St::kBangDash:
        st_ = s[i] == '-' ? St::kComment : St::kSkip;
        if (s[i] == '-') ++i;
        dashes_ = 0;
        break;
      case St::kComment: {
        const char c = s[i++];
        if (c == '>' && dashes_ >= 2) st_ = St::kText;
        dashes_ = c == '-' ? dashes_ + 1 : 0;
        break;
      }
      case St::kSkip: {
        const void* gt = std::memchr(s + i, '>', n - i);
        if (gt == nullptr) {
          i = n;
        } else {
          i = static_cast<std::size_t>(static_cast<const char*>(gt) - s) + 1;
          st_ = St::kText;
        }
        break;
      }
    }
  }
}

std::size_t HtmlTables::Span(std::string_view attrs) {
  // "colspan" by its bytes, any case (most cells have a class or nothing: no library search).
  std::size_t i = 0;
  const auto lower = [&](std::size_t k) { return static_cast<char>(attrs[k] | 0x20); };
  for (;; ++i) {
    if (i + 7 > attrs.size()) return 1;
    if (lower(i) == 'c' && lower(i + 1) == 'o' && lower(i + 2) == 'l' && lower(i + 3) == 's' && lower(i + 4) == 'p' &&
        lower(i + 5) == 'a' && lower(i + 6) == 'n')
      break;
  }
  i += 7;
  while (i < attrs.size() && IsBlank(attrs[i])) ++i;
  if (i == attrs.size() || attrs[i] != '=') return 1;
  ++i;
  while (i < attrs.size() && (IsBlank(attrs[i]) || attrs[i] == '"' || attrs[i] == '\'')) ++i;
  std::size_t v = 0;
  for (; i < attrs.size() && detail::IsDigit(attrs[i]) && v <= kMaxColumns; ++i)
    v = v * 10 + static_cast<std::size_t>(attrs[i] - '0');
  return std::clamp<std::size_t>(v, 1, kMaxColumns);
}

void HtmlTables::StartRow(Table& t) {
  EndRow(t);
  t.in_row = true;
  t.row_th = t.row_td = false;
  t.col = 0;
  ++t.rows;
}

void HtmlTables::EndRow(Table& t) {
  EndCell();
  // A header row: <th> cells and no <td>; or a row of <td> cells after title rows only (as
  // spreadsheets export a sheet as HTML: no <th> at all, maybe a title above), when it names a
  // column.
  const bool th_row = t.row_th && !t.row_td, td_row = HeaderCandidateTds(t);
  std::size_t texts = 0;  // the row's cells with text (of those read)
  if (t.in_row && (th_row || td_row) && names_ != nullptr) {
    std::vector<std::int32_t> columns;
    bool typed = false;
    for (const HeaderCell& h : t.pending) {
      const std::string name = NameOf(t, h);
      texts += !name.empty();
      const std::int32_t d = names_->Find(name);
      if (columns.size() < h.col + h.span) columns.resize(h.col + h.span, -1);
      std::fill(columns.begin() + static_cast<std::ptrdiff_t>(h.col), columns.begin() + static_cast<std::ptrdiff_t>(h.col + h.span),
                d);
      typed = typed || d >= 0;
    }
    if (th_row || typed) {
      t.columns = std::move(columns);
      t.typed = typed;
    }
  }
  // The next row may still be a header of <td> cells if this one was a title row.
  if (t.in_row && (texts > 1 || (t.row_th && t.row_td) || t.rows > kMaxTitleRows)) t.titles_only = false;
  t.pending.clear();
  t.pending_text.clear();
  t.in_row = false;
}

std::string HtmlTables::NameOf(const Table& t, const HeaderCell& h) {
  return HeaderName(std::string_view(t.pending_text).substr(h.from, h.len));
}

std::int32_t HtmlTables::RowHeaderBefore(const Table& t, std::size_t col) const {
  if (!t.row_th || t.pending.empty() || names_ == nullptr) return -1;
  const HeaderCell& h = t.pending.back();
  if (!h.th || h.col + h.span != col) return -1;
  return names_->Find(NameOf(t, h));
}

void HtmlTables::EndCell() {
  if (!capturing_) return;
  capturing_ = false;
  Table* t = Top();
  if (t == nullptr) return;
  t->pending.push_back(HeaderCell{capture_col_, capture_span_, t->pending_text.size(), text_.size(), capture_th_});
  t->pending_text += text_;
}

void HtmlTables::Tag(std::uint64_t after, std::string_view attrs) {
  Table* t = Top();
  const bool row = kind_ == Kind::kTr, cell = kind_ == Kind::kTd || kind_ == Kind::kTh;
  if ((row || cell) && t != nullptr) {
    if (row) {
      if (closing_) EndRow(*t);
      else StartRow(*t);
      return;
    }
    EndCell();
    if (closing_) return;
    if (!t->in_row) StartRow(*t);
    const std::size_t col = t->col;
    t->col = std::min(col + Span(attrs), kMaxColumns);
    if (kind_ == Kind::kTh) {
      t->row_th = true;
    } else {
      t->row_td = true;
      std::int32_t d = col < t->columns.size() ? t->columns[col] : -1;
      if (const std::int32_t k = RowHeaderBefore(*t, col); k >= 0) d = k;
      if (d >= 0) cells_.push_back(Cell{after, d});
    }
    if (kind_ == Kind::kTh || HeaderCandidateTds(*t)) {  // its text may name the column (EndRow)
      capturing_ = true;
      capture_th_ = kind_ == Kind::kTh;
      capture_col_ = col;
      capture_span_ = t->col - col;
      text_.clear();
    }
    return;
  }
  if (kind_ == Kind::kTable) {
    if (closing_) {
      if (overflow_ > 0) {
        --overflow_;
      } else if (depth_ > 0) {
        EndRow(tables_[depth_ - 1]);
        --depth_;
      }
    } else if (depth_ == kMaxDepth || overflow_ > 0) {
      ++overflow_;
    } else {
      EndCell();  // a table inside a header cell ends the cell's name
      if (tables_.size() <= depth_) tables_.resize(depth_ + 1);
      tables_[depth_] = Table{};
      ++depth_;
    }
    return;
  }
  if (!closing_ && (kind_ == Kind::kScript || kind_ == Kind::kStyle)) {
    raw_ = kind_ == Kind::kScript ? Raw::kScript : Raw::kStyle;
    return;
  }
  if (capturing_ && text_.size() < kMaxName) text_.push_back(' ');  // an inline tag in a named cell: a blank
}

}  // namespace vigie::match
