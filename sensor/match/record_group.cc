// Record grouping: validated findings of one unit are grouped into "records" (one person each).
//
// Rule (findings arrive in end-offset order):
//   1. A finding overlapping the previous one replaces it when it is of the same type (the
//      longer/later shape wins, e.g. the 19-digit card over its 16-digit prefix) or of a stronger
//      type (lower rank); otherwise it is dropped. Two types never count the same bytes.
//   2. A new group starts before a finding when
//        - more than record_window_bytes separate it from the previous finding, or
//        - the bytes between them contain a '}' then a '{' with only blanks and commas between,
//          the '}' closing a nesting open where the gap starts (the next object of the array
//          holding the finding's object; brackets and braces are counted from the gap's start).
//          `}, "contact": {` is a sibling object of the same person and does not split, nor does
//          a "},{" deeper than the finding's object (an array of objects inside the person:
//          `"historique": [{…}, {…}]`), or
//        - they contain a newline whose previous non-blank byte is not one of , { [ : > (a CSV/
//          text row ends; pretty-printed JSON lines end with , { [ : and do not split, nor do
//          XML and HTML lines, ending with a tag's '>': a person's fields there are a line each,
//          and the next person starts where a type repeats), and whose next line does not start
//          with '}' or ']' (pretty-printed JSON closing a nested object or array after its last
//          member) — except when it is the gap's last newline and the finding comes right after
//          a label's ':' or '=' on the next line, or after the quote opening its value
//          ("Téléphone : 06…\nNIR : 1 85…", YAML, key=value, `nir: '1 85…'`: a field per line; a
//          blank line, or a line without a finding, between two persons still splits), or
//        - the group already holds a finding of the same type (the next person starts) —
//          except for a repeatable type (phone, e-mail: Detector::repeatable) written as a
//          member of the JSON object holding the group's last one of that type or of an object
//          nested in it (its key's `":` right before it, no bracket between closing the object
//          holding the previous one: a person's second phone, its advisor's e-mail), or as the
//          text of an XML/HTML element whose parent holds the previous one too ('>' right
//          before it, no tag between closing that parent, but for one followed by an element
//          of another name: `</etatCivil><contacts>`), which joins the group, and for a
//          non-standalone type (birth date, address) once the group is a record: that finding
//          is another field of the same person (a second date column whose header-wide
//          context makes it a birth-date candidate) and is dropped — unless it is an element's
//          text outside every anchor's element (2c): the next person's, in XML whose persons
//          nothing but element names separates; one inside an anchor's object or element is
//          dropped too before the group is a record, or across a bracket boundary (an array
//          of the person's addresses, its children's birth dates) — or
//        - Gap() or Finish() is called;
//      except (2c) for a repeatable type, or a non-repeatable one the group does not hold yet,
//      written so (a member, an element's text) in the object or element holding one of the
//      group's non-repeatable findings (its anchors), at most record_window_bytes before it, or
//      in an object nested in it or a sibling of it: it joins the group despite a bracket or
//      newline boundary or its type repeating (a phone in the person's array of contact
//      objects, after a `},{`; the person's NIR after that array); the byte window still
//      applies. Objects: the one holding the earlier finding may close when a member follows
//      (`"etatCivil":{…},"contacts":[…]`), not when an array's next object does.
//      In a CSV unit read column by column (csv_columns.h), from its first row on, the rule is
//      the row instead: a group is a row's findings (the splitter's row ends, so a newline
//      inside a quoted field does not end it), a repeated type stays in it (a non-standalone
//      one is dropped, and not even validated: scanner.cc OnCandidate), whatever the bytes
//      between; a row of more than kMaxRowFindings findings is cut.
//   3. A group is a record when it holds >= 2 distinct types and at least one primary type.
//      Its key is the keyed hash of the normalized value of its strongest primary (lowest
//      rank: NIR > IBAN > card > FT id > email > phone in the default signatures).
//   4. Non-standalone types (birth date, address) are counted only inside a record.
#include <emmintrin.h>
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <string_view>

#include "match/cpu.h"
#include "match/scan_state.h"
#include "match/validators_util.h"

namespace vigie::match {

namespace {
inline std::uint64_t Below(unsigned i) { return i >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << i) - 1; }  // bits < i
inline char Highest(const char* b, std::uint64_t mask) { return b[63 - __builtin_clzll(mask)]; }
}  // namespace

void ScanStream::State::AddFinding(std::uint16_t d, std::uint64_t start, std::uint64_t end, std::string_view raw,
                                   std::string& value, bool named) {
  const Detector& det = engine->detectors[d];
  const std::uint32_t bit = 1u << static_cast<unsigned>(det.type);
  const std::uint64_t row = start >= rows_from ? RowOf(start) : kNone;
  if (group_size > 0) {
    Finding& last = group[group_size - 1];
    if (start < last.end) {
      if (last.type != det.type && det.rank >= last.rank) return;
      // Replace the previous finding.
      --group_size;
      RecomputeGroup();
    } else if (row != kNone) {
      // A CSV row: its findings are one person's, whatever lies between them.
      if (row != group_row || group_size >= kMaxRowFindings) {
        FlushGroup();
      } else if ((group_types & bit) != 0 && !det.standalone) {
        return;  // the person's birth date (address) is known: another date column of the row
      }
    } else if (const bool held = (group_types & bit) != 0;
               start - last.end > engine->options.record_window_bytes) {
      FlushGroup();
    } else if (held && det.standalone) {
      // The type repeats: the next person starts, but for a repeatable one inside the object
      // (element) of the group's last one of that type or of an anchor.
      if (!det.repeatable || AnchoringOf(start, LastEndOf(det.type)) != Anchoring::kInside) FlushGroup();
    } else if (BoundaryBetween(last.end, start)) {
      // Across a boundary: inside an anchor's object, a type the group lacks joins it, and a
      // second address or birth date is another of the person's fields (an array of its
      // addresses, its children's birth dates): dropped.
      const bool inside = AnchoringOf(start) == Anchoring::kInside;
      if (held && !det.standalone && inside) return;
      if (!inside) FlushGroup();
    } else if (held && !det.standalone) {
      // A second field of a type that only counts inside a record (a birth date, an address):
      // once the group is a record, it is another field of the same person (a registration
      // date in a row whose header names the birth date), not the next person: dropped. But
      // in XML/HTML nothing else than element names separates two persons (`</demandeur>
      // <demandeur>` on one line: no bracket, no newline): an element's text is the same
      // person's only inside an anchor's element (none within the byte window: the next one's).
      // Before the group is a record, one inside an anchor's object or element is the same
      // person's too (`"date_naissance":…,"enfants":[{"date_naissance":…}]`), elsewhere the
      // next person's.
      const bool record = __builtin_popcount(group_types) >= 2 && group_key != kNoKey;
      if ((record && ElementTextStart(last.end, start) == kNone) || AnchoringOf(start) == Anchoring::kInside) return;
      FlushGroup();
    }
  }
  if (group_size == group.size()) group.emplace_back().normalized.reserve(kNormalizedReserve);
  Finding& f = group[group_size++];
  f.detector = d;
  f.type = det.type;
  f.standalone = det.standalone;
  f.named = named;
  group_named = group_named || named;
  f.rank = det.rank;
  f.key_rank = det.primary ? det.rank : kNotPrimary;
  ConsiderKey(group_size - 1);
  f.start = start;
  f.end = end;
  // Only a primary's normalized value can key the record: take the validator's buffer (a swap,
  // no copy; the validator refills the one it gets back). The clear bytes are kept only while
  // an excerpt may still be taken from them (excerpts only grow within a unit).
  if (det.primary) f.normalized.swap(value);
  f.has_raw = summary.excerpts.size() < engine->options.max_excerpts;
  if (f.has_raw) f.raw.assign(raw);
  group_types |= bit;
  group_row = row;
}

namespace {

__attribute__((target("avx512f,avx512bw"))) BoundaryMasks MasksAvx512(const char* p, std::size_t n) {
  const __mmask64 valid = n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
  const __m512i v = _mm512_maskz_loadu_epi8(valid, p);
  // (a macro: a lambda would not inherit the function's target)
#define VIGIE_EQ(c) _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8(c))
  BoundaryMasks m;
  m.open = VIGIE_EQ('{');
  m.nest_open = m.open | VIGIE_EQ('[');
  m.nest_close = VIGIE_EQ('}') | VIGIE_EQ(']');
  m.comma = VIGIE_EQ(',');
  m.newline = VIGIE_EQ('\n');
  const __mmask64 blank = VIGIE_EQ(' ') | VIGIE_EQ('\t') | VIGIE_EQ('\r') | m.newline;
#undef VIGIE_EQ
  m.non_blank = valid & ~blank;
  return m;
}

__attribute__((target("avx2"))) BoundaryMasks MasksAvx2(const char* p, std::size_t n) {
  alignas(32) char tmp[64];
  p = Block64(p, n, tmp, ' ');  // blank: neither a bracket, a newline nor a non-blank byte
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  // (a macro: a lambda would not inherit the function's target)
#define VIGIE_EQ(c)                                                                                         \
  (static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, _mm256_set1_epi8(c))))) \
       << 32 |                                                                                             \
   static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, _mm256_set1_epi8(c)))))
  BoundaryMasks m;
  m.open = VIGIE_EQ('{');
  m.nest_open = m.open | VIGIE_EQ('[');
  m.nest_close = VIGIE_EQ('}') | VIGIE_EQ(']');
  m.comma = VIGIE_EQ(',');
  m.newline = VIGIE_EQ('\n');
  m.non_blank = ~(VIGIE_EQ(' ') | VIGIE_EQ('\t') | VIGIE_EQ('\r') | m.newline);
#undef VIGIE_EQ
  return m;
}

BoundaryMasks MasksSse2(const char* p, std::size_t n) {
  alignas(16) char tmp[64];
  p = Block64(p, n, tmp, ' ');  // blank: neither a bracket, a newline nor a non-blank byte
  BoundaryMasks m;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    auto bits = [&](char c) {
      return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)))))
             << (16 * k);
    };
    const std::uint64_t nl = bits('\n'), open = bits('{');
    m.open |= open;
    m.nest_open |= open | bits('[');
    m.nest_close |= bits('}') | bits(']');
    m.comma |= bits(',');
    m.newline |= nl;
    m.non_blank |= ~(bits(' ') | bits('\t') | bits('\r') | nl) & (std::uint64_t{0xffff} << (16 * k));
  }
  return m;
}

}  // namespace

BoundaryMasks BoundaryMasksOf(const char* p, std::size_t n, Simd simd) {
  return simd == Simd::kAvx512 ? MasksAvx512(p, n) : simd == Simd::kAvx2 ? MasksAvx2(p, n) : MasksSse2(p, n);
}


namespace {
// Gaps inside the chunk (a CSV ';', a JSON '","nir":"' or a few fields between two of a person's
// values), the common case between two findings of a record: a boundary needs a newline or a
// '}' with a '{' after it (rule 2's "},{"), and most such gaps hold neither: a '{' alone
// (`"adresse":{"ligne":"`) or a '}' alone (`…"75111"},"iban":"`, session 24: it sent a
// job-seeker record's address-to-IBAN gap through the walk, ~370 instructions) never makes one.
// Compares then say "no boundary" without the walk's masks, which other gaps go through (they
// give the same answer for such a gap): first whether a newline or a '}' is there at all (one
// compare of each a vector; a newline first: the walk), then, where a '}' is first, the exact
// condition — a newline, or a '{' after a '}' — out of line (most gaps do not get there and
// need not set it up). AVX-512BW masked loads, 64 bytes at a time, any length (the untyped
// columns between two typed ones of a CSV export are often over 128 bytes: the walk's masks
// took 6 % of the job-seeker CSV's scan); elsewhere AVX2 (32 bytes at a time) or SSE2 (16), up
// to 128 bytes.
// One block's newlines, '}' and '{' (bit = byte); `closed`: a '}' in an earlier block.
inline bool BlockMayHoldBoundary(std::uint64_t newline, std::uint64_t close, std::uint64_t open, bool& closed) {
  if (newline != 0) return true;
  // The bits above the block's first '}' (all of them after an earlier block's).
  const std::uint64_t after = closed ? ~std::uint64_t{0} : close == 0 ? 0 : ~(((close & (~close + 1)) << 1) - 1);
  if ((open & after) != 0) return true;
  closed = closed || close != 0;
  return false;
}
// What the first block holding a newline or a '}' holds (GapBytes); kNeither: none does.
enum class GapBytes : std::uint8_t { kNeither, kNewline, kCloseOnly };
__attribute__((target("avx512f,avx512bw"))) GapBytes AnyCloseOrNewlineAvx512(const char* p, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 64) {
    const __mmask64 valid = n - k >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - k)) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(valid, p + k);
    if (_mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\n')) != 0) return GapBytes::kNewline;
    if (_mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('}')) != 0) return GapBytes::kCloseOnly;
  }
  return GapBytes::kNeither;
}
__attribute__((target("avx512f,avx512bw"), noinline)) bool CloseThenOpenOrNewlineAvx512(const char* p, std::size_t n) {
  bool closed = false;
  for (std::size_t k = 0; k < n; k += 64) {
    const __mmask64 valid = n - k >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - k)) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(valid, p + k);
    if (BlockMayHoldBoundary(_mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('\n')),
                             _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('}')),
                             _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_set1_epi8('{')), closed))
      return true;
  }
  return false;
}
// REQUIRES (these two): p[0, n rounded up to 32) readable.
__attribute__((target("avx2"))) GapBytes AnyCloseOrNewlineAvx2(const char* p, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + k));
    const __m256i nl = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n'));
    auto m = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('}')), nl)));
    if (n - k < 32) m &= (1u << (n - k)) - 1;
    if (m != 0) return (static_cast<std::uint32_t>(_mm256_movemask_epi8(nl)) & m) != 0 ? GapBytes::kNewline : GapBytes::kCloseOnly;
  }
  return GapBytes::kNeither;
}
__attribute__((target("avx2"), noinline)) bool CloseThenOpenOrNewlineAvx2(const char* p, std::size_t n) {
  bool closed = false;
  for (std::size_t k = 0; k < n; k += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + k));
    const std::uint32_t valid = n - k < 32 ? (1u << (n - k)) - 1 : ~0u;
    // (a macro: a lambda would not inherit the function's target)
#define VIGIE_BITS(c) \
  std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c)))) & valid}
    if (BlockMayHoldBoundary(VIGIE_BITS('\n'), VIGIE_BITS('}'), VIGIE_BITS('{'), closed)) return true;
#undef VIGIE_BITS
  }
  return false;
}
// REQUIRES (these two): p[0, n rounded up to 16) readable.
inline GapBytes AnyCloseOrNewlineSse2(const char* p, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
    const __m128i nl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
    auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('}')), nl)));
    if (n - k < 16) m &= (1u << (n - k)) - 1;
    if (m != 0) return (static_cast<unsigned>(_mm_movemask_epi8(nl)) & m) != 0 ? GapBytes::kNewline : GapBytes::kCloseOnly;
  }
  return GapBytes::kNeither;
}
__attribute__((noinline)) bool CloseThenOpenOrNewlineSse2(const char* p, std::size_t n) {
  bool closed = false;
  for (std::size_t k = 0; k < n; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
    const unsigned valid = n - k < 16 ? (1u << (n - k)) - 1 : 0xffffu;
    auto bits = [&](char c) {
      return std::uint64_t{static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)))) & valid};
    };
    if (BlockMayHoldBoundary(bits('\n'), bits('}'), bits('{'), closed)) return true;
  }
  return false;
}
}  // namespace

bool GapMayHoldBoundary(const char* p, std::size_t n, Simd simd) {
  // A newline first: a boundary may be there (the walk decides); a '}' first: the exact test.
  switch (simd) {
    case Simd::kAvx512: {
      const GapBytes g = AnyCloseOrNewlineAvx512(p, n);
      return g == GapBytes::kNewline || (g == GapBytes::kCloseOnly && CloseThenOpenOrNewlineAvx512(p, n));
    }
    case Simd::kAvx2: {
      const GapBytes g = AnyCloseOrNewlineAvx2(p, n);
      return g == GapBytes::kNewline || (g == GapBytes::kCloseOnly && CloseThenOpenOrNewlineAvx2(p, n));
    }
    default: {
      const GapBytes g = AnyCloseOrNewlineSse2(p, n);
      return g == GapBytes::kNewline || (g == GapBytes::kCloseOnly && CloseThenOpenOrNewlineSse2(p, n));
    }
  }
}

bool ScanStream::State::BoundaryBetween(std::uint64_t from, std::uint64_t to) const {
  if (!Readable(from, to)) return true;
  const std::uint64_t n = to - from;
  const Simd simd = BestSimd();
  if (from >= chunk_start) {  // (Readable: to is inside the chunk too)
    const char* p = reinterpret_cast<const char*>(chunk) + (from - chunk_start);
    const auto len = static_cast<std::size_t>(n);
    const std::uint64_t width = simd == Simd::kAvx2 ? 32 : 16;  // the AVX2 / SSE2 loads read n rounded up to it
    const bool clear = (simd == Simd::kAvx512 ||
                        (n <= 128 && from - chunk_start + ((n + width - 1) & ~(width - 1)) <= chunk_len)) &&
                       !GapMayHoldBoundary(p, len, simd);
    if (clear) return false;
  }
  GapWalker walk;
  ForEachSpan(from, to, [&](const char* p, std::size_t len) { walk.Add(p, len, simd); });
  return walk.Boundary();
}

std::uint64_t ScanStream::State::LastEndOf(PiiType type) const {
  for (std::size_t k = group_size; k > 0; --k)
    if (group[k - 1].type == type) return group[k - 1].end;
  return kNone;
}

ScanStream::State::Anchoring ScanStream::State::AnchoringOf(std::uint64_t start, std::uint64_t also) const {
  std::array<std::uint64_t, kMaxAnchors + 1> ends;
  std::size_t n = 0;
  for (std::size_t k = 0; k < group_size && n < kMaxAnchors; ++k) {
    const Finding& a = group[k];
    if (!engine->detectors[a.detector].repeatable && start - a.end <= engine->options.record_window_bytes &&
        a.end >= Oldest())
      ends[n++] = a.end;
  }
  if (also != kNone && also >= Oldest() && std::find(ends.begin(), ends.begin() + n, also) == ends.begin() + n) {
    std::size_t k = n++;
    for (; k > 0 && ends[k - 1] > also; --k) ends[k] = ends[k - 1];  // in end order
    ends[k] = also;
  }
  if (n == 0) return Anchoring::kUnshaped;
  const std::uint64_t key = JsonKeyBefore(ends[0], start);
  if (key != kNone) return InAnObjectOf(ends.data(), n, key) ? Anchoring::kInside : Anchoring::kOutside;
  const std::uint64_t text = ElementTextStart(ends[0], start);
  if (text == kNone) return Anchoring::kUnshaped;
  for (std::size_t k = 0; k < n; ++k)  // (an anchor the blanks before the text reach: not before it)
    if (text > ends[k] && InTheSameElement(ends[k], text)) return Anchoring::kInside;
  return Anchoring::kOutside;
}

namespace {
// HTML's void elements (`<br>`, `<img …>`): an opening tag without an end tag.
bool IsVoidElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br",   "col",   "embed",  "hr",    "img",
                                                "input", "link", "meta", "param", "source", "track", "wbr"};
  if (name.size() < 2 || name.size() > 6) return false;
  char lower[6];
  for (std::size_t k = 0; k < name.size(); ++k) lower[k] = detail::ToLower(name[k]);
  const std::string_view n(lower, name.size());
  return std::find(std::begin(kVoid), std::end(kVoid), n) != std::end(kVoid);
}
}  // namespace

std::uint64_t ScanStream::State::ElementTextStart(std::uint64_t from, std::uint64_t start) const {
  if (!Readable(from, start)) return kNone;
  std::uint64_t i = start;
  while (i > from && (At(i - 1) == ' ' || At(i - 1) == '\t')) --i;
  return i == from || At(i - 1) != '>' ? kNone : i;
}

bool ScanStream::State::InTheSameElement(std::uint64_t from, std::uint64_t text) const {
  // Tags between: closing the previous value's own element (-1) is fine; closing its parent
  // (-2) is fine when an element of another name opens next (`</etatCivil><contacts>`: a
  // sibling of the parent, in the same person), and from then on the walk is among the
  // person's children (-2 again is fine, -3 is not); an element of the same name opening next
  // is the next item of a list (`</demandeur><demandeur>`, `</tr><tr>`: the next person's).
  // Opening ones may stay open (a nested element); HTML's void elements (`<br>`) open
  // nothing. A tag is read from its '<': "</" closes, '<' then a letter opens unless it ends
  // with "/>"; "<!", "<?" and a '<' in text count for nothing. Names are compared on their
  // first kName bytes.
  constexpr std::size_t kName = 32;
  std::int64_t depth = 0;
  enum class Tag : std::uint8_t { kNone, kStart, kOpenName, kOpening, kCloseName, kOther } tag = Tag::kNone;
  std::array<char, kName> name{}, parent{};  // the tag's name; the parent's, once closed
  std::size_t name_len = 0, parent_len = 0;
  bool sibling_next = false;  // the parent closed: the next tag must open another name
  bool left = false;          // it did: among the person's children
  bool void_tag = false;      // the opening tag's element has no content nor end tag (<br>)
  bool ok = true;
  char prev = 0;
  auto name_byte = [&](char c) {
    if (name_len < kName) name[name_len] = c;
    ++name_len;
  };
  auto same_name = [&] {
    return name_len == parent_len && std::equal(name.begin(), name.begin() + std::min(name_len, kName), parent.begin());
  };
  ForEachSpan(from, text, [&](const char* p, std::size_t n) {
    for (std::size_t k = 0; k < n && ok; ++k) {
      const char c = p[k];
      const bool ends_name = c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
      switch (tag) {
        case Tag::kNone:
          if (c == '<') tag = Tag::kStart;
          break;
        case Tag::kStart:
          name_len = 0;
          if (c == '/') {
            tag = Tag::kCloseName;
          } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            tag = Tag::kOpenName;
            name_byte(c);
          } else {
            tag = c == '>' ? Tag::kNone : Tag::kOther;
          }
          break;
        case Tag::kOpenName:
          if (!ends_name) {
            name_byte(c);
            break;
          }
          void_tag = IsVoidElement(std::string_view(name.data(), std::min(name_len, kName)));
          if (sibling_next && !void_tag) {  // the first element opening after the parent closed
            ok = !same_name();
            sibling_next = false;
            left = true;
          }
          tag = Tag::kOpening;
          [[fallthrough]];
        case Tag::kOpening:
          if (c == '>') {
            if (prev != '/' && !void_tag) ++depth;
            tag = Tag::kNone;
          }
          break;
        case Tag::kCloseName:
          if (!ends_name) {
            name_byte(c);
            break;
          }
          --depth;
          if (depth < -2 || sibling_next) {
            ok = false;
          } else if (depth == -2 && !left) {
            sibling_next = true;
            parent = name;
            parent_len = name_len;
          }
          tag = Tag::kOther;
          [[fallthrough]];
        case Tag::kOther:
          if (c == '>') tag = Tag::kNone;
          break;
      }
      prev = c;
    }
  });
  return ok && !sibling_next;
}

std::uint64_t ScanStream::State::JsonKeyBefore(std::uint64_t from, std::uint64_t start) const {
  if (!Readable(from, start)) return kNone;
  std::uint64_t i = start;
  auto blanks = [&] {
    while (i > from && (At(i - 1) == ' ' || At(i - 1) == '\t')) --i;
  };
  auto take = [&](char c) {
    if (i == from || At(i - 1) != c) return false;
    --i;
    return true;
  };
  take('"');
  blanks();
  if (!take(':')) return kNone;
  blanks();
  if (!take('"')) return kNone;
  return i;
}

// Members between them may hold objects and arrays (an address object between two phones), and
// the finding may be in an object the person holds (its advisor's e-mail, a phone in an array of
// contact objects). The object holding an anchor may close when a member follows it
// (`"etatCivil":{…},"contacts":[…]`: a sibling object of the same person; from then on the walk
// is among the parent's members, whose values may open and close), not when the next object of
// an array does (`},{`: the next person's); the object holding that one may not close (depth
// -2), nor an array open at the anchor (a ']' to -1 first). The walk visits brackets only
// (64-byte masks), each anchor joining it at its end.
bool ScanStream::State::InAnObjectOf(const std::uint64_t* ends, std::size_t n, std::uint64_t to) const {
  static_assert(kMaxAnchors + 1 <= 32, "one bit per anchor in `valid` and `left`");
  const Simd simd = BestSimd();
  std::array<std::int64_t, kMaxAnchors + 1> floor{};  // per anchor: its depth - 1, the lowest allowed
  std::uint32_t valid = 0;                        // bit k: anchor k joined and still holds
  std::uint32_t left = 0;                         // bit k: anchor k's object closed (a sibling follows)
  std::size_t next = 0;                           // the next anchor to join
  std::int64_t depth = 0;
  // After a '}' that took some anchor's object's depth to its floor: whether a member follows
  // (the next byte but blanks and commas opens a key).
  auto member_follows = [&](std::uint64_t pos) {
    for (; pos < to; ++pos) {
      const std::uint8_t c = At(pos);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',') return c == '"';
    }
    return false;
  };
  std::uint64_t at = ends[0];
  ForEachSpan(ends[0], to, [&](const char* p, std::size_t len) {
    for (std::size_t k = 0; k < len && (valid != 0 || next < n); k += 64) {
      const std::size_t blen = std::min<std::size_t>(64, len - k);
      const std::uint64_t base = at + k;
      const BoundaryMasks m = BoundaryMasksOf(p + k, blen, simd);
      std::uint64_t brackets = m.nest_open | m.nest_close;
      for (;;) {
        // The brackets before the next anchor's end, then that anchor joins.
        const bool joins = next < n && ends[next] < base + blen;
        std::uint64_t take = brackets;
        if (joins) take &= Below(static_cast<unsigned>(ends[next] - base));
        brackets &= ~take;
        for (; take != 0; take &= take - 1) {
          const auto j = static_cast<unsigned>(__builtin_ctzll(take));
          if ((m.nest_open >> j) & 1) {
            ++depth;
            continue;
          }
          const char c = p[k + j];
          --depth;
          for (std::uint32_t v = valid; v != 0; v &= v - 1) {
            const auto a = static_cast<unsigned>(__builtin_ctz(v));
            if (depth > floor[a] || ((left >> a) & 1) != 0) {
              if (depth < floor[a]) valid &= ~(1u << a);
            } else if (depth < floor[a] || c == ']' || !member_follows(base + j + 1)) {
              valid &= ~(1u << a);
            } else {
              left |= 1u << a;  // its object closed, a member of the parent follows: the parent's members now
            }
          }
        }
        if (!joins) break;
        floor[next] = depth - 1;
        valid |= 1u << next;
        ++next;
      }
    }
    at += len;
  });
  return valid != 0;
}

// 64 bytes at a time, as masks: most blocks hold no bracket and no newline, and only update the
// last non-blank bytes and the depth. The newlines and '{' of a block are visited in order; the
// depth at a '}' is counted only for one right before a '{' or last in its block.
void GapWalker::Add(const char* p, std::size_t n, Simd simd) {
  for (std::size_t k = 0; k < n && !boundary; k += 64) {
    const char* b = p + k;
    const std::size_t len = std::min<std::size_t>(64, n - k);
    const BoundaryMasks m = BoundaryMasksOf(b, len, simd);
    const std::uint64_t significant = m.non_blank & ~m.comma;
    // fresh: the first non-blank byte after bit `fresh_from` (64: from an earlier block) and
    // through bit `upto` decides a row end: a '}' or ']' starting the next line (a pretty-printed
    // JSON line closing a nested object or array) cancels it.
    unsigned fresh_from = 64;
    auto settle = [&](unsigned upto) {
      if (!fresh) return;
      const std::uint64_t x = m.non_blank & ~(fresh_from == 64 ? 0 : Below(fresh_from + 1)) & Below(upto + 1);
      if (x == 0) return;
      fresh = false;
      const char c = b[__builtin_ctzll(x)];
      if (c == '}' || c == ']') row_end = false;
    };
    // Whether the '}' at bit j closed a nesting open at the gap's start.
    auto closes_below = [&](unsigned j) {
      return depth + __builtin_popcountll(m.nest_open & Below(j)) - __builtin_popcountll(m.nest_close & Below(j + 1)) < 0;
    };
    for (std::uint64_t ev = m.newline | m.open; ev != 0 && !boundary; ev &= ev - 1) {
      const auto i = static_cast<unsigned>(__builtin_ctzll(ev));
      settle(i);
      if ((m.newline >> i) & 1) {
        if (row_end) {  // a newline after a row's end: that end is not the gap's last newline
          boundary = true;
          break;
        }
        const std::uint64_t before = m.non_blank & Below(i);
        const char c = before != 0 ? Highest(b, before) : last_non_blank;
        row_end = fresh = c != ',' && c != '{' && c != '[' && c != ':' && c != '>';
        fresh_from = i;
      } else {
        // A '{' right after a '}' (blanks and commas between) that closed a nesting open at the
        // gap's start: the next object of the array holding the finding's object. A '}' then a
        // key before the '{' is a sibling object of the same person; a '},{' deeper than the
        // finding (an array of objects inside the person) does not split either.
        const std::uint64_t before = significant & Below(i);
        if (before != 0) {
          const auto j = static_cast<unsigned>(63 - __builtin_clzll(before));
          boundary = b[j] == '}' && closes_below(j);
        } else {
          boundary = last_significant == '}' && close_below;
        }
      }
    }
    settle(63);
    if (significant != 0) {  // close_below is only read for a '}' that is the last significant byte
      const auto j = static_cast<unsigned>(63 - __builtin_clzll(significant));
      if (b[j] == '}') close_below = closes_below(j);
    }
    depth += __builtin_popcountll(m.nest_open) - __builtin_popcountll(m.nest_close);
    if (m.non_blank != 0) {
      const std::uint64_t others = m.non_blank & ~(std::uint64_t{1} << (63 - __builtin_clzll(m.non_blank)));
      before_last = others != 0 ? Highest(b, others) : last_non_blank;
      last_non_blank = Highest(b, m.non_blank);
    }
    if (significant != 0) last_significant = Highest(b, significant);
  }
}

std::size_t ScanStream::State::RowBatch(std::uint64_t end) {
  if (summary.excerpts.size() < engine->options.max_excerpts) return 0;
  while (row_out_next < row_out.size() && row_out[row_out_next].first < col_next) ++row_out_next;
  if (row_out_next == row_out.size() || row_out[row_out_next].first != col_next) return 0;
  const RowOutcome& o = row_out[row_out_next];
  if (!o.clean) return 0;
  const ColumnFinding& first = col_found[col_next];
  const std::uint64_t row = RowOf(first.start);
  if (row == batch_refused) return 0;
  batch_refused = row;
  // Candidates ending before the row's first field go first, as they would one by one.
  DrainTokens(first.start + 1);
  if (group_size > 0 && group_row == row) return 0;  // a candidate of this row is in the group
  const std::size_t ri = static_cast<std::size_t>(row - rows_base);
  if (ri >= row_ends.size()) return 0;
  const std::uint64_t newline = row_ends[ri];
  // A candidate ending at newline + 1 may start in the row (an address ended by the newline);
  // one ending later starts after it (no value holds a newline). Candidates of later chunks end
  // at the chunk's end or later.
  if (end <= newline + 1 || newline + 1 >= chunk_start + chunk_len) return 0;
  // The tokenizer's candidates in the row: each must be one OnCandidate drops unvalidated (a
  // non-standalone type the row's fields before it hold: another date column under a
  // date_naissance header).
  std::size_t t = tok_next;
  for (; t < tok_events.size() && tok_events[t].end <= newline + 1; ++t) {
    const DigitEvent& ev = tok_events[t];
    if (OwnDrops(engine->detectors[ev.detector].type, ev.end)) continue;  // not looked for
    std::uint32_t before = 0;
    for (std::size_t j = 0; j < o.count && col_found[col_next + j].end < ev.end; ++j)
      before |= 1u << static_cast<unsigned>(engine->detectors[col_found[col_next + j].detector].type);
    const Detector& det = engine->detectors[ev.detector];
    if (det.standalone || (before & (1u << static_cast<unsigned>(det.type))) == 0) return 0;
  }
  for (; tok_next < t; ++tok_next) last_end[tok_events[tok_next].detector] = tok_events[tok_next].end;
  batch_refused = kNone;
  // What AddFinding then FlushGroup would count.
  FlushGroup();
  const bool record = (__builtin_popcount(o.types) >= 2 || o.named) && o.key_rank != kNotPrimary;
  for (std::uint32_t m = o.types; m != 0; m &= m - 1) {
    const auto ty = static_cast<unsigned>(__builtin_ctz(m));
    const std::uint64_t add = o.standalone[ty] + (record ? (o.non_standalone >> ty) & 1 : 0);
    summary.matches[ty] += add;
    if (add != 0) scanner->matches[ty]->Inc(add);
  }
  if (record) summary.records.push_back(engine->hasher(col_found[o.key].normalized));
  return o.count;
}

void ScanStream::State::RecomputeGroup() {
  group_types = 0;
  group_key = kNoKey;
  group_named = false;
  for (std::size_t k = 0; k < group_size; ++k) {
    group_types |= 1u << static_cast<unsigned>(group[k].type);
    group_named = group_named || group[k].named;
    ConsiderKey(k);
  }
}

void ScanStream::State::FlushGroup() {
  if (group_size == 0) return;
  // Rule 3: two types and a primary, or a named identifier alone.
  const bool record = (__builtin_popcount(group_types) >= 2 || group_named) && group_key != kNoKey;
  for (std::size_t k = 0; k < group_size; ++k) {
    Finding& f = group[k];
    if (record || f.standalone) {
      const auto t = static_cast<std::size_t>(f.type);
      ++summary.matches[t];
      scanner->matches[t]->Inc();
      if (f.has_raw && summary.excerpts.size() < engine->options.max_excerpts) {
        engine->detectors[f.detector].validator->mask(f.raw, masked);
        summary.excerpts.push_back(masked);
      }
    }
    if (f.has_raw) f.raw.clear();  // clear values are not kept past their group
  }
  if (record) summary.records.push_back(engine->hasher(group[group_key].normalized));
  group_size = 0;
  group_types = 0;
  group_key = kNoKey;
  group_named = false;
}

}  // namespace vigie::match
