#pragma once
// Internal: Scanner::Impl and ScanStream::State (shared by scanner.cc and record grouping).
#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "match/cpu.h"
#include "match/csv_columns.h"
#include "match/engine.h"
#include "match/html_tables.h"
#include "match/scanner.h"

namespace vigie::match {

struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
struct HsStreamDeleter {
  // Closing without a scratch discards pending end-of-data matches: only used on destruction
  // and engine swaps, after Finish()/Gap() already flushed what mattered.
  void operator()(hs_stream_t* s) const { hs_close_stream(s, nullptr, nullptr, nullptr); }
};
using HsScratchPtr = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;
using HsStreamPtr = std::unique_ptr<hs_stream_t, HsStreamDeleter>;

// The bytes of one block (n <= 64) that the record boundary rule looks at, as bit masks (bit i =
// byte i): AVX-512BW, AVX2 or SSE2 (exposed for the test that they agree). nest_open: '{' and '[';
// nest_close: '}' and ']'.
struct BoundaryMasks {
  std::uint64_t open = 0, nest_open = 0, nest_close = 0, comma = 0, newline = 0, non_blank = 0;
  bool operator==(const BoundaryMasks&) const = default;
};
BoundaryMasks BoundaryMasksOf(const char* p, std::size_t n, Simd simd);

// Whether a gap may hold a record boundary: a newline, or a '}' with a '{' after it; false
// means GapWalker would find none (record_group.cc, BoundaryBetween's shortcut). REQUIRES for
// Simd::kAvx2 / kSse2: p[0, n rounded up to 32 / 16) readable.
bool GapMayHoldBoundary(const char* p, std::size_t n, Simd simd);

// The record boundary rule (record_group.cc) over the bytes between two findings, given as
// consecutive spans, then Boundary().
struct GapWalker {
  bool boundary = false;    // decided
  char last_significant = 0;  // the last byte that is neither blank nor ',' (none yet: the finding's)
  bool row_end = false;     // a newline ended a row: a boundary unless it stays the gap's last
                            // newline and a label's ':' or '=' comes right before the finding
  bool fresh = false;       // row_end, and no non-blank byte since its newline yet (the next
                            // line starting with '}' or ']' cancels it: pretty-printed JSON)
  bool close_below = false;   // the last '}' closed a nesting open at the gap's start (kept
                              // for a '}' last significant in its block)
  std::int64_t depth = 0;     // '{' and '[' minus '}' and ']' since the gap's start
  char last_non_blank = 0;  // none yet: the finding's own last byte, never one of , { [ : > =
  char before_last = 0;     // the non-blank byte before last_non_blank
  void Add(const char* p, std::size_t n, Simd simd);
  bool Boundary() const {
    // A label's ':' or '=' right before the finding, or before the quote that opens its value.
    const char label = last_non_blank == '"' || last_non_blank == '\'' ? before_last : last_non_blank;
    return boundary || (row_end && label != ':' && label != '=');
  }
};

struct Scanner::Impl {
  std::shared_ptr<const PiiEngine> engine;
  // Staging buffers (PiiEngineOptions::coalesce_bytes), lent to streams fed small chunks.
  // owner: the ScanStream::State holding it (opaque here), null when free. `hand`: the next slot
  // to take over when none is free (round robin: the one held longest, roughly).
  struct Stage {
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t capacity = 0;
    void* owner = nullptr;
  };
  std::vector<Stage> stages;
  std::size_t hand = 0;
  std::vector<std::uint64_t> sort_scratch;  // Finish(): radix sort of the unit's record keys
  std::vector<std::uint8_t> csv_buf;  // CSV units: held-back bytes + the feed, typed fields blanked
  HsScratchPtr scratch;     // pattern database (streams)
  HsScratchPtr kw_scratch;  // keyword database (block scans)
  std::array<metrics::Cell*, kPiiTypeCount> matches{};
  std::array<metrics::Cell*, kPiiTypeCount> rejected{};
  metrics::Cell* records = nullptr;
  metrics::Cell* csv_units = nullptr;
  metrics::Cell* bytes = nullptr;
  metrics::Cell* scan_errors = nullptr;
  metrics::Cell* reloads = nullptr;
};

// One validated match waiting in the current record group. `raw` is the clear candidate: it
// never leaves the scanner (only its mask and the keyed hash of `normalized` do).
// `normalized` is set for primary detectors only (the only ones that can key a record); `raw`
// only when has_raw (an excerpt could still be taken when the finding was added).
struct Finding {
  std::uint16_t detector = 0;
  PiiType type = PiiType::kNir;
  bool has_raw = false;
  bool standalone = true;  // the detector's (Detector::standalone)
  bool named = false;      // a value that is one person by itself, its name certain (Detector::identifies)
  int rank = 0;            // the detector's (Detector::rank)
  int key_rank = 0;        // rank for a primary, kNotPrimary otherwise (ConsiderKey)
  std::uint64_t start = 0;  // absolute stream offsets [start, end)
  std::uint64_t end = 0;
  std::string normalized;
  std::string raw;
};

struct ScanStream::State {
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::size_t kWindow = kMaxCandidateBytes + 16;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { ReleaseStage(); }

  Scanner::Impl* scanner = nullptr;
  std::shared_ptr<const PiiEngine> engine;

  // Small feeds wait in a staging buffer from the scanner's pool (coalesce_bytes): the bytes of
  // scanner->stages[stage] [0, staged) are fed but not scanned yet. kNoStage: none held.
  static constexpr std::size_t kNoStage = std::numeric_limits<std::size_t>::max();
  std::size_t stage = kNoStage;
  std::size_t staged = 0;
  void StageBytes(ByteView data);  // copies into the held buffer, scanning it each time it fills
  void AcquireStage();  // one is always free or taken over
  void FlushStage();    // scans the staged bytes
  void ReleaseStage();  // REQUIRES: nothing staged (or the bytes are to be dropped)
  void Scan(ByteView data);       // the scan of one feed (Feed without staging): CSV or not
  void ScanChunk(ByteView data);  // the finders, validation and grouping over these bytes
  void FollowTables();            // the chunk's bytes to `html` (a markup unit), before the finders

  // CSV units (csv_columns.h; options.csv_columns). kUndecided: the unit's first line is held in
  // csv_carry until its end shows whether it is a header. kOn: csv_carry holds a typed field not
  // complete yet. Fields of typed columns that validate whole are findings (col_found, in end
  // order, dispatched merged with the finders' candidates) and are blanked in the bytes the
  // finders see (scanner->csv_buf).
  enum class Csv : std::uint8_t { kUndecided, kOff, kOn };
  Csv csv = Csv::kUndecided;
  std::size_t csv_line = 0;      // kUndecided: where the line held in csv_carry starts (after preamble lines)
  std::size_t csv_preamble = 0;  // kUndecided: preamble lines held before it
  CsvSplitter splitter;
  std::vector<std::uint8_t> csv_carry;
  struct ColumnFinding {
    std::uint64_t start = 0, end = 0;
    std::uint16_t detector = 0;
    std::uint32_t blank = 0;      // bytes blanked from `start` (the content; not an address's terminator)
    std::string normalized, raw;  // raw: only while an excerpt may still be taken
  };
  std::vector<ColumnFinding> col_found;
  std::size_t col_size = 0, col_next = 0;
  // A row's column findings col_found[first, first + count) grouped as AddFinding would group
  // them alone (TypeFields, as they are validated; RowBatch applies it when nothing else can
  // join the row): the types held, the standalone findings kept per type, the non-standalone
  // types kept (one finding each: a repeat is dropped), the key (first strongest primary).
  struct RowOutcome {
    std::size_t first = 0, count = 0, key = 0;
    int key_rank = kNotPrimary;  // kNotPrimary: no primary
    std::uint32_t types = 0, non_standalone = 0;
    std::array<std::uint8_t, kPiiTypeCount> standalone{};
    bool named = false;  // holds a named identifier (Detector::identifies): a record alone
    bool clean = true;  // no clear value kept (ColumnFinding::raw) and at most kMaxRowFindings
  };
  std::vector<RowOutcome> row_out;  // the rows TypeFields saw whole, in col_found order
  std::size_t row_out_next = 0;
  // CSV rows are records (record_group.cc): from rows_from (the first row after the header;
  // kNone outside a CSV unit) a finding's row is the number of row ends before its start.
  // row_ends: the absolute offsets of the row-ending newlines the walk saw (ascending; those
  // more than the ring behind `fed` are dropped, rows_base counting them), row_next the cursor
  // of RowOf (findings come in end order, so it mostly moves forward).
  std::uint64_t rows_from = kNone;
  std::vector<std::uint64_t> row_ends;
  std::uint64_t rows_base = 0;
  std::size_t row_next = 0;
  std::uint64_t RowOf(std::uint64_t offset) {
    while (row_next < row_ends.size() && row_ends[row_next] < offset) ++row_next;
    while (row_next > 0 && row_ends[row_next - 1] >= offset) --row_next;
    return rows_base + row_next;
  }
  // Record-only types read in their columns (csv_columns.h): in a CSV unit whose header types a
  // column of a `standalone: false` type (a birth date, an address), that type's candidates are
  // taken from its columns only. own_types: those types (bit per PiiType; 0: none, or not a CSV
  // unit); own_specs: their digit specs (bit = index in engine->digit_specs, the tokenizer's
  // SetMuted); from own_from (the first row) on, a candidate of them ending elsewhere than in
  // an own_except range (lo, hi] — a field of their columns not taken whole, scanned as text —
  // is dropped before its validation (OwnDrops). Ends at the unit's end or a gap.
  std::uint32_t own_types = 0;
  std::uint64_t own_specs = 0;
  std::uint64_t own_from = kNone;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> own_except;  // by lo; hi kNone: the rest of the unit
  void StartOwnTypes(const CsvHeader& header);
  void EndOwnTypes();
  void ExceptOwn(std::uint64_t lo, std::uint64_t hi);
  bool OwnDrops(PiiType type, std::uint64_t end) const;
  // The tokenizer's muted specs for the chunk [from, to): own_specs when the whole chunk lies in
  // the rows and no exception reaches into it, else 0.
  std::uint64_t MutedSpecs(std::uint64_t from, std::uint64_t to) const;
  void ScanCsv(ByteView data);
  // Walks buf[from, n) (buf[0] is at `fed`): validates the typed fields, blanks those that pass
  // and queues their findings; returns how many bytes can be scanned now (csv_columns.h).
  std::size_t TypeFields(std::uint8_t* buf, std::size_t from, std::size_t n, bool eod);
  void FlushCsv(bool end_of_unit);  // Gap()/Finish(): the held bytes, their last field complete
  void EndRows();  // EndUnit(), once every finding of the unit is grouped: no CSV rows any more
  // The end of a unit (Finish(), NextPart()): every finding grouped, what is read from a unit's
  // start (a CSV header, markup, keywords) starts again with the next byte; the summary stays.
  void EndUnit();
  void AddColumnFinding(ColumnFinding& f);
  // A CSV row whose findings are all column findings, col_found[col_next, col_next + k): when
  // no other candidate can join its group (none of this row already in the group, the next
  // finder candidates, the tokenizer's and the one ending at `end`, lie past its newline, which
  // is not the chunk's last byte) and no excerpt is still to take, the row is grouped at once,
  // as AddFinding then FlushGroup would group it, and k is returned; else 0 (AddColumnFinding
  // one by one).
  std::size_t RowBatch(std::uint64_t end);
  std::uint64_t batch_refused = kNone;  // the row RowBatch last refused (its next fields: refused too)
  // A Hyperscan report: expression id and absolute end offset (pattern matches and keywords).
  struct Hit {
    std::uint64_t end;
    unsigned id;
  };
  // One Hyperscan stream per pattern group (engine->groups). Gated groups see only regions
  // ([anchor - before, until], plus the byte after `until` for the patterns' final \b):
  // the regions of a chunk are gathered into one buffer, each closed region followed by a NUL
  // (no pattern matches a NUL, so no match spans two regions and every pending \b resolves),
  // and the buffer is scanned with ONE stream call per group and chunk, whatever the number of
  // regions. A region still open at the chunk's end continues in the next chunk's buffer.
  // Segments map stream offsets back to absolute offsets; matches ending after the segment's
  // `until` (artefacts of the region's end) or at/before its `floor` (reported by the region
  // before it, which a region opened in a later chunk may overlap) are dropped. Ungated: one
  // segment, until = kNone, every byte fed. `events`: the group's matches of the current chunk
  // in (end, id) order, dispatched merged across groups and with the digit tokenizer's events
  // once every group has been fed.
  struct Segment {
    std::uint64_t stream_start;  // stream offset of its first byte
    std::uint64_t abs;           // absolute offset of its first byte
    std::uint64_t until;  // the open region's end grows while anchors extend it
    std::uint64_t floor;
  };
  struct Region {
    std::vector<Hit> events;
    std::size_t next = 0;  // first event not dispatched
    HsStreamPtr stream;
    std::uint64_t stream_fed = 0;  // bytes given to the stream since it was opened or reset
    std::vector<Segment> segs;     // in stream order; the open region's is the last
    std::size_t seg_next = 0;      // segment of the last match reported
    std::vector<char> gather;      // this chunk's region bytes (gated)
    std::uint64_t pos = 0;         // gated: bytes below it were gathered
    std::uint64_t floor = 0;       // gated: `until` of the last closed region
    bool active = false;
  };
  std::vector<Region> regions;
  std::vector<std::uint32_t> anchors;
  // Native groups (PatternGroup::native): the matchers run from each anchor and append to the
  // group's events. An anchor whose matches may end past the bytes seen so far waits here and
  // runs again on the next chunk (or at the end of the data); `seen` is the absolute end of the
  // bytes it saw, so the ends already reported are not reported twice.
  struct PendingAnchor {
    std::uint64_t anchor;
    std::uint64_t seen;
    std::size_t group;
  };
  std::vector<PendingAnchor> pending;
  std::vector<NativeEnd> native_ends;
  std::vector<std::uint8_t> native_buf;

  // Keywords, scanned lazily (block mode) over the bytes before each candidate, plus eagerly
  // over the first kEagerKeywordBytes of a unit (a CSV header's field names). kw_hits holds the
  // keywords found, in end order, not yet applied to keyword_end (applied when a candidate
  // ending at or after them is validated); keywords ending at or before kw_done are known.
  static constexpr std::uint64_t kEagerKeywordBytes = 4096;
  std::vector<Hit> kw_hits;
  std::size_t kw_next = 0;
  std::uint64_t kw_done = 0;
  std::uint64_t kw_eager_until = kEagerKeywordBytes;
  std::uint64_t kw_scan_base = 0;
  std::vector<char> kw_buf;

  std::uint64_t fed = 0;         // absolute offset of the next byte
  std::uint64_t valid_from = 0;  // nothing before this is readable (unit start or gap)
  std::uint64_t total_fed = 0;

  // Bytes already scanned, as a ring indexed by absolute offset (allocated on the first Feed so
  // idle streams stay small); plus the chunk being scanned.
  std::size_t ring_size = 0;
  std::vector<std::uint8_t> ring;
  std::uint64_t ring_mask = 0;
  const std::uint8_t* chunk = nullptr;
  std::uint64_t chunk_start = 0;
  std::size_t chunk_len = 0;

  // Per detector: end of the last keyword seen, unit-wide field context, last match end (dedupe
  // of several patterns of one detector reporting the same candidate).
  std::vector<std::uint64_t> keyword_end;
  std::vector<std::uint8_t> unit_context;
  std::vector<std::uint64_t> last_end;
  // Where the unit's last named identifier ended (Finding::named), kNone: the next element of
  // the JSON array it is in (`"nir": ["…", "…"]`) is named too.
  std::uint64_t named_end = kNone;

  std::vector<Finding> group;
  std::size_t group_size = 0;
  std::uint32_t group_types = 0;
  // The group's strongest primary finding (lowest rank; the first of equals), kNoKey if none.
  static constexpr std::size_t kNoKey = std::numeric_limits<std::size_t>::max();
  std::size_t group_key = kNoKey;
  // The CSV row of the group's last finding (RowOf), kNone when it is not in a CSV row.
  bool group_named = false;  // a finding of the group is named (Finding::named): a record alone
  std::uint64_t group_row = kNone;
  // A CSV row holding more findings than this is cut into several groups (a row is one person;
  // this only bounds the group of a pathological one, e.g. a column holding a whole listing).
  static constexpr std::size_t kMaxRowFindings = 64;
  static constexpr int kNotPrimary = std::numeric_limits<int>::max();
  // group[k] becomes the key if it is a stronger primary (strictly lower rank: the first of equals stays).
  void ConsiderKey(std::size_t k) {
    if (group[k].key_rank < (group_key == kNoKey ? kNotPrimary : group[group_key].key_rank)) group_key = k;
  }
  void RecomputeGroup();  // group_types and group_key from group[0, group_size)

  // Digit detectors: the tokenizer runs over each chunk before Hyperscan; its events are
  // merged with Hyperscan's in end-offset order (tok_next = first event not yet dispatched).
  DigitTokenizer tokenizer;
  std::vector<DigitEvent> tok_events;
  std::size_t tok_next = 0;

  ScanSummary summary;
  std::array<char, kWindow> window{};
  // Per detector: the buffer its validator writes the normalized value into (one detector's
  // values mostly have one length, so rewriting it rarely resizes; AddFinding swaps it into the
  // finding for primaries).
  // Every such buffer (and every Finding's) is reserved past the small-string size, so a swap
  // exchanges pointers instead of copying bytes.
  static constexpr std::size_t kNormalizedReserve = 32;
  std::vector<std::string> normalized;
  std::string masked;

  static int OnHsMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);  // ctx: Region
  static void AddHit(std::vector<Hit>& events, Hit h);
  void Bind(std::shared_ptr<const PiiEngine> e);
  void ResetUnitContext();
  bool Readable(std::uint64_t from, std::uint64_t to) const;
  // The oldest byte that can be read now: the unit/gap start, or the ring's oldest byte.
  std::uint64_t Oldest() const {
    return std::max<std::uint64_t>(valid_from, chunk_start > ring.size() ? chunk_start - ring.size() : 0);
  }
  // A region at rest at `fed` (no bytes fed, nothing reported before it).
  void ResetRegion(Region& r) const {
    r.pos = r.floor = fed;
    r.active = false;
    r.segs.clear();
    r.seg_next = 0;
    if (!engine->gated) r.segs.push_back(Segment{r.stream_fed, fed, kNone, fed});
  }
  std::uint8_t At(std::uint64_t offset) const;  // REQUIRES: Readable(offset, offset + 1)
  // Visits [from, to) as at most three contiguous spans. REQUIRES: Readable(from, to).
  template <typename Fn>
  void ForEachSpan(std::uint64_t from, std::uint64_t to, Fn&& fn) const {
    const std::uint64_t ring_to = to < chunk_start ? to : chunk_start;
    while (from < ring_to) {
      const std::size_t pos = static_cast<std::size_t>(from & ring_mask);
      std::size_t n = ring.size() - pos;
      if (ring_to - from < n) n = static_cast<std::size_t>(ring_to - from);
      fn(reinterpret_cast<const char*>(ring.data()) + pos, n);
      from += n;
    }
    if (from < to) fn(reinterpret_cast<const char*>(chunk) + (from - chunk_start), static_cast<std::size_t>(to - from));
  }
  void Copy(std::uint64_t from, std::uint64_t to, char* dst) const {
    ForEachSpan(from, to, [&](const char* p, std::size_t n) {
      std::memcpy(dst, p, n);
      dst += n;
    });
  }
  void OnMatch(unsigned id, std::uint64_t end);
  // Patterns over the current chunk: every byte, or only the anchors' regions.
  bool OpenStream(Region& r);
  void ScanPatterns();
  void FeedHs(Region& r, const char* p, std::size_t n);
  void OpenRegion(Region& r, std::uint64_t start, std::uint64_t until);
  void Gather(Region& r, std::uint64_t to);
  void CloseRegion(Region& r);
  void ScanGathered(Region& r);
  // Native matchers of group g around the anchor at `a`; true when no later byte can add an end.
  bool RunNative(std::size_t g, std::uint64_t a, std::uint64_t seen, bool eod);
  void RunPending(bool eod);  // the waiting anchors, with the bytes now known
  void DispatchHsEvents();
  void StartUnitKeywords();  // at unit start and after a gap: nothing known before `fed`
  void ScanKeywords(std::uint64_t need, std::uint64_t start);
  const char* KeywordBytes(std::uint64_t from, std::uint64_t to);  // [from, to): readable
  void ApplyKeywords(std::uint64_t end);
  static int OnKeyword(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);
  void OnCandidate(std::uint16_t detector, std::uint64_t end);
  // Dispatches the tokenizer's events and the CSV column findings ending before `end` (all of
  // them for kNone), in end order (a tokenizer event first on a tie).
  void DrainDigits(std::uint64_t end) {
    while (col_next < col_size && col_found[col_next].end < end) {
      if (const std::size_t k = RowBatch(end); k != 0) {
        col_next += k;
        continue;
      }
      DrainTokens(col_found[col_next].end + 1);
      AddColumnFinding(col_found[col_next]);
      ++col_next;
    }
    if (col_next == col_size) {
      col_next = col_size = 0;
      row_out.clear();
      row_out_next = 0;
    }
    DrainTokens(end);
  }
  void DrainTokens(std::uint64_t end) {
    while (tok_next < tok_events.size() && tok_events[tok_next].end < end) {
      const DigitEvent ev = tok_events[tok_next++];
      OnCandidate(ev.detector, ev.end);
    }
    if (tok_next == tok_events.size()) {
      tok_events.clear();
      tok_next = 0;
    }
  }
  // `value`: the validator's normalized value, swapped into the finding for a primary.
  // `named`: a value of an `identifies` detector whose name is certain (its CSV column, its key
  // or label right before it).
  void AddFinding(std::uint16_t detector, std::uint64_t start, std::uint64_t end, std::string_view raw,
                  std::string& value, bool named);
  bool BoundaryBetween(std::uint64_t from, std::uint64_t to) const;
  // Where the key of a JSON member whose value is the finding at `start` ends (its closing
  // quote: `"key": "value`, blanks allowed), or kNone: not a member's value, or not after `from`.
  std::uint64_t JsonKeyBefore(std::uint64_t from, std::uint64_t start) const;
  // Whether a member whose key ends at `to` belongs to the object holding one of the findings
  // ending at ends[0..n) (ascending, at most kMaxAnchors + 1: the group's anchors and
  // AnchoringOf's `also`), to an object nested in it, or to a sibling object of the same parent
  // (its '}' followed by a member, not by the '{' of an array's next object): no bracket in
  // [ends[k], to) closes that parent, nor an array open at ends[k]. Not the next person's.
  static constexpr std::size_t kMaxAnchors = 8;
  bool InAnObjectOf(const std::uint64_t* ends, std::size_t n, std::uint64_t to) const;
  // Whether the element text starting at `text` (ElementTextStart) is in the XML/HTML element
  // holding the finding ending at `from`: no tag in [from, text) closes that element's parent,
  // but for one followed by an element of another name (a sibling in the same person).
  bool InTheSameElement(std::uint64_t from, std::uint64_t text) const;
  // Where the text of an element holding the finding at `start` begins (right after its '>',
  // blanks allowed), or kNone: not an element's text, or not after `from`.
  std::uint64_t ElementTextStart(std::uint64_t from, std::uint64_t start) const;
  // Where a finding at `start` lies against the group's anchors (its non-repeatable findings at
  // most record_window_bytes before it) and the finding ending at `also` (the group's last one
  // of a repeatable type the finding repeats, whatever its distance; kNone: none): a member of
  // the JSON object (the text of an element of the XML/HTML element) holding one of them, or of
  // an object nested in it or a sibling of it (InAnObjectOf, InTheSameElement); a
  // member or element text outside every one; or neither (or nothing to look back at). A phone
  // in the person's array of contact objects (`"nir":…,"contacts":[{…"06…"},{…"01…"}]`) is
  // inside the NIR's object though a `},{` lies between the two phones, and so is an IBAN after
  // that array.
  enum class Anchoring : std::uint8_t { kUnshaped, kInside, kOutside };
  Anchoring AnchoringOf(std::uint64_t start, std::uint64_t also = kNone) const;
  std::uint64_t LastEndOf(PiiType type) const;  // the group's last finding of that type (kNone: none)
  void FlushGroup();
  void EndHsStream();

  // (Last: cold for JSON, CSV and text units, and out of the hot members' cache lines.)
  // Markup units (a unit whose first non-blank byte is '<': HTML, XML): their HTML tables are
  // followed (html_tables.h) so a `<td>` cell's value gets what its column's header gives it
  // (TableColumnBefore). kUndecided until the unit's first non-blank byte.
  enum class Markup : std::uint8_t { kUndecided, kOff, kOn };
  Markup markup = Markup::kUndecided;
  HtmlTables html;
  // The detector typing the HTML table column of the cell a candidate opens (its value right after
  // the `<td>` start tag, blanks and other start tags between: `<td><a href="…">`), or -1.
  // `before`: the bytes before the candidate, from absolute offset `from`.
  std::int32_t TableColumnBefore(std::string_view before, std::uint64_t from) const;
};

}  // namespace vigie::match
