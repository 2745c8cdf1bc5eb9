#include "match/csv_columns.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "core/text.h"
#include "match/cpu.h"
#include "match/engine.h"
#include "match/validators_util.h"

namespace vigie::match {

bool CsvHeaderByte(std::uint8_t c) {
  if (c >= 0x80 || detail::IsAlnum(static_cast<char>(c))) return true;
  switch (c) {
    case ' ': case '\t': case '\r': case '_': case '-': case '.': case '"': case '\'':
    case ';': case ',': case '|': case '(': case ')': case '/': case '#':
      return true;
    default:
      return false;
  }
}

namespace {

// A byte of a word in a name: an ASCII letter or digit, or any byte of a UTF-8 sequence (an
// accented letter: "hôtel" does not hold the word "tel").
bool NameChar(char c) { return detail::IsAlnum(c) || static_cast<unsigned char>(c) >= 0x80; }

constexpr char Blank(char c) { return c == ' ' ? '_' : c; }  // a blank reads as '_'

}  // namespace

std::string LowerColumnName(std::string_view name) {
  std::string out(name);
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k] = detail::ToLower(out[k]);
    if (static_cast<unsigned char>(out[k]) == 0xc3 && k + 1 < out.size()) {
      const auto n = static_cast<unsigned char>(out[++k]);
      if (detail::IsCasedLatin1Tail(n)) out[k] = static_cast<char>(n | 0x20);
    }
  }
  return out;
}

ColumnNames::ColumnNames(const std::vector<Detector>& detectors) {
  for (std::size_t d = 0; d < detectors.size(); ++d)
    for (const std::string& c : detectors[d].columns)
      if (!c.empty())
        by_first_[static_cast<unsigned char>(Blank(c[0]))].push_back(Name{c, static_cast<std::int32_t>(d)});
}

std::int32_t ColumnNames::Find(std::string_view name) const {
  std::int32_t best = -1;
  for (std::size_t at = 0; at < name.size(); ++at) {
    if (at > 0 && NameChar(name[at - 1])) continue;  // not a word start
    for (const Name& c : by_first_[static_cast<unsigned char>(Blank(name[at]))]) {
      const std::size_t end = at + c.text.size();
      if (end > name.size() || (best >= 0 && c.detector >= best)) continue;
      if (end < name.size() && NameChar(name[end])) continue;  // not a word end
      std::size_t k = 1;
      while (k < c.text.size() && Blank(name[at + k]) == Blank(c.text[k])) ++k;
      if (k == c.text.size()) best = c.detector;
    }
  }
  return best;
}

std::optional<CsvHeader> ParseCsvHeader(std::string_view line, const ColumnNames& names) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.substr(0, 3) == "\xef\xbb\xbf") line.remove_prefix(3);  // a spreadsheet's UTF-8 byte-order mark
  constexpr std::array<char, 4> kDelimiters = {';', ',', '\t', '|'};
  char delim = 0;
  std::ptrdiff_t best = 1;
  for (char d : kDelimiters) {
    const std::ptrdiff_t c = std::count(line.begin(), line.end(), d);
    if (c > best) {
      best = c;
      delim = d;
    }
  }
  if (delim == 0) return std::nullopt;
  CsvHeader h;
  h.delimiter = delim;
  bool typed = false;
  for (std::size_t pos = 0;;) {
    const std::size_t end = std::min(line.find(delim, pos), line.size());
    std::string_view raw = TrimAny(line.substr(pos, end - pos));
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = TrimAny(raw.substr(1, raw.size() - 2));
    const std::int32_t type = names.Find(LowerColumnName(raw));
    typed = typed || type >= 0;
    h.column_detector.push_back(type);
    if (end == line.size()) break;
    pos = end + 1;
  }
  if (!typed) return std::nullopt;
  return h;
}

CsvSplitter::Masks CsvSplitter::Specials(const std::uint8_t* p, std::size_t len, char delimiter) {
  alignas(16) std::uint8_t tmp[64];
  p = Block64<std::uint8_t>(p, len, tmp, 0);
  const __m128i d = _mm_set1_epi8(delimiter), nl = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
  Masks m;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    auto bits = [&](__m128i hit) {
      return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(hit))) << (16 * k);
    };
    const __m128i n = _mm_cmpeq_epi8(v, nl);
    m.ends |= bits(_mm_or_si128(_mm_cmpeq_epi8(v, d), n));
    m.newlines |= bits(n);
    m.quotes |= bits(_mm_cmpeq_epi8(v, q));
  }
  return m;
}

// Two loads, three compares each (a block shorter than 64 bytes copied zero-padded, as SSE2's).
__attribute__((target("avx2"))) CsvSplitter::Masks CsvSplitter::SpecialsAvx2(const std::uint8_t* p, std::size_t len,
                                                                             char delimiter) {
  alignas(32) std::uint8_t tmp[64];
  p = Block64<std::uint8_t>(p, len, tmp, 0);
  const __m256i d = _mm256_set1_epi8(delimiter), nl = _mm256_set1_epi8('\n'), q = _mm256_set1_epi8('"');
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  // (a macro: a lambda would not inherit the function's target)
#define VIGIE_BITS(x, y)                                                           \
  (static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(y))) << 32 | \
   static_cast<std::uint32_t>(_mm256_movemask_epi8(x)))
  Masks m;
  const __m256i nl_lo = _mm256_cmpeq_epi8(lo, nl), nl_hi = _mm256_cmpeq_epi8(hi, nl);
  m.newlines = VIGIE_BITS(nl_lo, nl_hi);
  m.ends = VIGIE_BITS(_mm256_or_si256(_mm256_cmpeq_epi8(lo, d), nl_lo), _mm256_or_si256(_mm256_cmpeq_epi8(hi, d), nl_hi));
  m.quotes = VIGIE_BITS(_mm256_cmpeq_epi8(lo, q), _mm256_cmpeq_epi8(hi, q));
#undef VIGIE_BITS
  return m;
}

// One masked load, three compares (out of line as the SSE2 one: the walk calls it per block).
__attribute__((target("avx512f,avx512bw,bmi2"))) CsvSplitter::Masks CsvSplitter::SpecialsAvx512(const std::uint8_t* p,
                                                                                              std::size_t len,
                                                                                              char delimiter) {
  const std::uint64_t valid = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(len < 64 ? len : 64));
  const __m512i v = _mm512_maskz_loadu_epi8(valid, p);
  Masks m;
  m.newlines = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\n'));
  m.ends = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8(delimiter)) | m.newlines;
  m.quotes = _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('"'));
  return m;
}

void CsvSplitter::Start(const CsvHeader& header) {
  simd_ = BestSimd();
  delim_ = header.delimiter;
  types_ = header.column_detector;
  typed_ = 0;
  fast_ = true;
  for (std::size_t c = 0; c < types_.size(); ++c) {
    if (types_[c] < 0) continue;
    if (c < 64) typed_ |= std::uint64_t{1} << c;
    else fast_ = false;
  }
  Restart(false);
}

void CsvSplitter::Resync() { Restart(true); }

void CsvSplitter::Restart(bool skip_row) {
  col_ = 0;
  fs_ = 0;
  in_ = In::kUnquoted;
  escaped_ = false;
  skip_row_ = skip_row;
  quote_pending_ = false;
}

}  // namespace vigie::match
