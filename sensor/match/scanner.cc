// Scanner (per worker: scratch + counters) and ScanStream (per unit: Hyperscan stream, tail ring,
// keyword context). Record grouping lives in record_group.cc.
#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/error.h"
#include "core/radix_sort.h"
#include "match/scan_state.h"
#include "match/validators_util.h"

namespace vigie::match {

namespace {

std::uint64_t RingSize(std::uint64_t bytes) {  // bytes that must stay readable behind a chunk
  const std::uint64_t need = std::min<std::uint64_t>(bytes, 1u << 20) + 256;
  std::uint64_t r = 512;
  while (r < need) r <<= 1;
  return r;
}

// Grows the worker's scratches to fit every database of `e` (a scratch grown stays valid for the
// databases it fitted before, so streams on an older engine carry on). False on failure.
bool GrowScratches(Scanner::Impl& impl, const PiiEngine& e) {
  std::vector<std::pair<const hs_database_t*, HsScratchPtr*>> dbs;
  for (const auto& g : e.groups) {
    dbs.emplace_back(g.db.get(), &impl.scratch);
  }
  dbs.emplace_back(e.kw_db.get(), &impl.kw_scratch);
  for (auto [db, scratch] : dbs) {
    if (db == nullptr) continue;
    hs_scratch_t* s = scratch->release();
    const hs_error_t rc = hs_alloc_scratch(db, &s);
    scratch->reset(s);
    if (rc != HS_SUCCESS) return false;
  }
  return true;
}

// Zeroes p[0, n): a typed field's bytes (most under 32). Overlapping stores instead of a memset
// call per field (the call and its size dispatch cost more than the stores: 4.5 % of the people
// CSV's scan time went to memset).
inline void ZeroField(std::uint8_t* p, std::size_t n) {
  if (n >= 16) {
    if (n > 32) {
      std::memset(p, 0, n);
      return;
    }
    const __m128i z = _mm_setzero_si128();
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), z);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16), z);
  } else if (n >= 8) {
    const std::uint64_t z = 0;
    std::memcpy(p, &z, 8);
    std::memcpy(p + n - 8, &z, 8);
  } else {
    for (std::size_t k = 0; k < n; ++k) p[k] = 0;  // no validator accepts so short a value
  }
}

}  // namespace

int ScanStream::State::OnHsMatch(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
                                 void* ctx) {
  auto* r = static_cast<Region*>(ctx);
  // Matches come in end order: the segment holding the match's last byte is at or after the
  // previous match's.
  while (r->seg_next + 1 < r->segs.size() && r->segs[r->seg_next + 1].stream_start < to) ++r->seg_next;
  const Segment& s = r->segs[r->seg_next];
  const std::uint64_t end = s.abs + (to - s.stream_start);
  if (end > s.until || end <= s.floor) return 0;  // outside the gated region
  // Hyperscan reports in end order; equal ends are put in id order (the dispatch order).
  AddHit(r->events, Hit{end, id});
  return 0;
}

// A group's events stay in (end, id) order, each once. Sources report in (nearly) end order, so
// this is almost always a push: Hyperscan orders by end only; native matchers run anchor by
// anchor, and two anchors can find the same match end, which Hyperscan reports once.
void ScanStream::State::AddHit(std::vector<Hit>& ev, Hit h) {
  auto after = [&h](const Hit& x) { return x.end > h.end || (x.end == h.end && x.id > h.id); };
  std::size_t k = ev.size();
  while (k > 0 && after(ev[k - 1])) --k;
  if (k > 0 && ev[k - 1].end == h.end && ev[k - 1].id == h.id) return;
  ev.insert(ev.begin() + static_cast<std::ptrdiff_t>(k), h);
}

// ------------------------------------------------------------------ Scanner

Scanner::Scanner(std::shared_ptr<const PiiEngine> engine, metrics::CounterSet& m) : impl_(std::make_unique<Impl>()) {
  if (!engine) throw StartupError("match: Scanner needs a compiled PiiEngine");
  if (!GrowScratches(*impl_, *engine)) throw StartupError("match: cannot allocate Hyperscan scratch");
  impl_->engine = std::move(engine);
  for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
    const metrics::Labels labels = {{"type", std::string(kPiiTypeNames[t])}};
    impl_->matches[t] = &m.Counter("vigie_pii_matches_total", "Validated PII matches counted, by type", labels);
    impl_->rejected[t] =
        &m.Counter("vigie_pii_rejected_total", "PII candidates that failed validation or lacked context, by type", labels);
  }
  impl_->records = &m.Counter("vigie_pii_records_total", "Distinct records (people) found, summed over scanned units");
  impl_->csv_units =
      &m.Counter("vigie_pii_csv_units_total", "Scanned units read as CSV exports, column by column (pii.csv_columns)");
  impl_->bytes = &m.Counter("vigie_pii_scanned_bytes_total", "Bytes given to the PII scanner");
  impl_->scan_errors = &m.Counter("vigie_pii_scan_errors_total", "Hyperscan runtime errors (unit findings may be partial)");
  impl_->reloads = &m.Counter("vigie_pii_reloads_total", "Signature sets swapped in by Scanner::Reload");
}

Scanner::~Scanner() = default;

void Scanner::Reload(std::shared_ptr<const PiiEngine> engine) {
  if (!engine) return;
  if (!GrowScratches(*impl_, *engine)) {
    impl_->scan_errors->Inc();
    return;
  }
  impl_->engine = std::move(engine);
  impl_->reloads->Inc();
}

// ------------------------------------------------------------------ ScanStream

ScanStream::ScanStream(Scanner& scanner) : state_(std::make_unique<State>()) {
  state_->scanner = &scanner.impl();
  state_->Bind(scanner.impl().engine);
}

ScanStream::~ScanStream() = default;
ScanStream::ScanStream(ScanStream&&) noexcept = default;
ScanStream& ScanStream::operator=(ScanStream&&) noexcept = default;

void ScanStream::State::Bind(std::shared_ptr<const PiiEngine> e) {
  regions.clear();
  pending.clear();
  engine = std::move(e);
  const std::size_t n = engine->detectors.size();
  keyword_end.assign(n, kNone);
  unit_context.assign(n, 0);
  last_end.assign(n, kNone);
  tokenizer.SetSpecsFrom(engine->tokenizer);
  html.Bind(&engine->column_names);
  EndOwnTypes();
  tok_events.clear();
  tok_next = 0;
  regions.resize(engine->groups.size());
  for (Region& r : regions) ResetRegion(r);
  StartUnitKeywords();
  // The ring serves validators (kWindow), record gaps (record_window_bytes) and the lazy keyword
  // scan (the context reach before a candidate's start).
  const std::uint64_t r =
      RingSize(std::max<std::uint64_t>(engine->options.record_window_bytes, kWindow + engine->context_reach));
  ring.clear();
  ring.shrink_to_fit();
  ring_size = r;
  ring_mask = r - 1;
}

void ScanStream::State::ResetUnitContext() {
  named_end = kNone;
  std::fill(keyword_end.begin(), keyword_end.end(), kNone);
  std::fill(unit_context.begin(), unit_context.end(), 0);
}

bool ScanStream::State::Readable(std::uint64_t from, std::uint64_t to) const {
  return from >= Oldest() && from <= to && to <= chunk_start + chunk_len;  // ring empty until first Feed
}

std::uint8_t ScanStream::State::At(std::uint64_t o) const {
  return o >= chunk_start ? chunk[o - chunk_start] : ring[o & ring_mask];
}

void ScanStream::Feed(ByteView data) {
  if (!state_ || data.empty()) return;
  State& st = *state_;
  st.total_fed += data.size();
  st.summary.bytes_scanned += data.size();
  st.scanner->bytes->Inc(data.size());
  const std::size_t cap = st.engine->options.coalesce_bytes;
  if (data.size() * 2 >= cap) {  // large enough to be scanned where it is (or staging off)
    st.FlushStage();
    st.Scan(data);
    return;
  }
  if (st.stage == State::kNoStage) st.AcquireStage();
  st.StageBytes(data);
}

// ------------------------------------------------------------------ staging

void ScanStream::State::AcquireStage() {
  auto& pool = scanner->stages;
  const std::size_t cap = engine->options.coalesce_bytes;
  if (pool.empty()) pool.resize(Scanner::kStageBuffers);
  std::size_t k = 0;
  while (k < pool.size() && pool[k].owner != nullptr) ++k;
  if (k == pool.size()) {  // all held: the next one round the pool is scanned and taken over
    k = scanner->hand;
    scanner->hand = (k + 1) % pool.size();
    auto* other = static_cast<State*>(pool[k].owner);
    other->FlushStage();
    other->ReleaseStage();
  }
  Scanner::Impl::Stage& s = pool[k];
  if (s.capacity != cap) {  // first use, or a reload changed coalesce_bytes
    s.bytes = std::make_unique<std::uint8_t[]>(cap);
    s.capacity = cap;
  }
  s.owner = this;
  stage = k;
  staged = 0;
}

void ScanStream::State::StageBytes(ByteView data) {
  Scanner::Impl::Stage& s = scanner->stages[stage];
  while (!data.empty()) {
    const std::size_t n = std::min(s.capacity - staged, data.size());
    std::memcpy(s.bytes.get() + staged, data.data(), n);
    staged += n;
    data = data.subspan(n);
    if (staged == s.capacity) FlushStage();
  }
}

void ScanStream::State::FlushStage() {
  if (stage == kNoStage || staged == 0) return;
  const std::size_t n = staged;
  staged = 0;
  Scan(ByteView(scanner->stages[stage].bytes.get(), n));
}

void ScanStream::State::ReleaseStage() {
  if (stage == kNoStage) return;
  scanner->stages[stage].owner = nullptr;
  stage = kNoStage;
  staged = 0;
}

void ScanStream::State::Scan(ByteView data) {
  if (csv == Csv::kOff || !engine->options.csv_columns || !engine->options.validate) {
    ScanChunk(data);
  } else {
    ScanCsv(data);
  }
}

void ScanStream::State::ScanChunk(ByteView data) {
  if (data.empty()) return;
  if (ring.empty()) ring.assign(ring_size, 0);
  // Hyperscan takes unsigned int lengths; feed huge buffers in slices.
  constexpr std::size_t kSlice = AnchorFinder::kMaxBytes;
  for (std::size_t off = 0; off < data.size(); off += kSlice) {
    const std::size_t len = std::min(kSlice, data.size() - off);
    chunk = data.data() + off;
    chunk_start = fed;
    chunk_len = len;
    if (markup != Markup::kOff) FollowTables();
    // A unit's first bytes are searched for keywords whatever follows (CSV header fields).
    if (kw_done < kw_eager_until) {
      const std::uint64_t eager = std::min<std::uint64_t>(fed + len, kw_eager_until);
      ScanKeywords(eager, eager);
    }
    tokenizer.SetMuted(MutedSpecs(chunk_start, chunk_start + len));
    tokenizer.Feed(chunk, len, chunk_start, tok_events);
    ScanPatterns();
    DispatchHsEvents();
    // Keep the last ring.size() bytes for candidates and record gaps that straddle chunks.
    const std::size_t keep = std::min<std::size_t>(len, ring.size());
    for (std::size_t k = len - keep; k < len;) {
      const std::size_t pos = static_cast<std::size_t>((fed + k) & ring_mask);
      const std::size_t n = std::min(len - k, ring.size() - pos);
      std::memcpy(ring.data() + pos, chunk + k, n);
      k += n;
    }
    fed += len;
  }
  chunk = nullptr;
  chunk_start = fed;
  chunk_len = 0;
}

// HTML tables (html_tables.h): a markup unit's tables followed before the finders run over the
// chunk, so each candidate's cell is known when it is dispatched. Out of line: inlined into
// ScanChunk (LTO), it changed what else GCC inlined there (JSON and CSV units never call it).
__attribute__((noinline)) void ScanStream::State::FollowTables() {
  if (markup == Markup::kUndecided) {
    std::size_t i = 0;
    constexpr auto skipped = [](std::uint8_t c) {  // blanks and a UTF-8 byte-order mark
      return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xef || c == 0xbb || c == 0xbf;
    };
    while (i < chunk_len && skipped(chunk[i])) ++i;
    if (i == chunk_len) return;  // blanks (or a byte-order mark) so far
    markup = chunk[i] == '<' ? Markup::kOn : Markup::kOff;
    if (markup == Markup::kOff) return;
  }
  html.Forget(Oldest());
  html.Feed(chunk, chunk_len, chunk_start);
}

// ------------------------------------------------------------------ CSV columns

void ScanStream::State::ScanCsv(ByteView data) {
  auto& buf = scanner->csv_buf;
  constexpr std::size_t kPiece = 256 << 10;  // bounds the worker's buffer
  while (!data.empty()) {
    const std::size_t piece = std::min(kPiece, data.size());
    std::size_t from = 0;
    if (csv == Csv::kUndecided) {
      // The line (csv_carry from csv_line, then data): held until its newline shows a header,
      // or a byte no header nor preamble line holds (or its length) shows it is not one. Up to
      // kCsvMaxPreamble lines that are not a header may come first ("sep=;", a title): they
      // stay held, then scanned as text with the rest.
      std::size_t i = 0;
      while (i < piece && data[i] != '\n' && CsvPreambleByte(data[i])) ++i;
      const bool newline = i < piece && data[i] == '\n';
      const std::size_t line = csv_carry.size() - csv_line + i;
      const bool too_long = line >= kCsvMaxHeader;
      if (i == piece && !too_long) {
        csv_carry.insert(csv_carry.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(piece));
        data = data.subspan(piece);
        continue;
      }
      std::optional<CsvHeader> header;
      if (newline && !too_long) {
        csv_carry.insert(csv_carry.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(i));
        const auto line_begin = csv_carry.begin() + static_cast<std::ptrdiff_t>(csv_line);
        if (std::all_of(line_begin, csv_carry.end(), CsvHeaderByte))  // not "sep=;" nor a title with ':'
          header = ParseCsvHeader(std::string_view(reinterpret_cast<const char*>(csv_carry.data()) + csv_line, line),
                                  engine->column_names);
        csv_carry.resize(csv_carry.size() - i);
        if (!header && csv_preamble < kCsvMaxPreamble && line <= kCsvMaxPreambleLine) {
          // A preamble line: the next one may be the header.
          csv_carry.insert(csv_carry.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(i + 1));
          data = data.subspan(i + 1);
          csv_line = csv_carry.size();
          ++csv_preamble;
          continue;
        }
      }
      if (!header) {  // not a CSV: the held lines, then everything as text
        csv = Csv::kOff;
        ScanChunk(ByteView(csv_carry.data(), csv_carry.size()));
        csv_carry.clear();
        csv_carry.shrink_to_fit();
        ScanChunk(data);
        return;
      }
      csv = Csv::kOn;
      scanner->csv_units->Inc();
      splitter.Start(*header);
      from = csv_carry.size() + i + 1;  // the walk starts after the header line
      rows_from = fed + from;
      StartOwnTypes(*header);
    }
    const std::size_t held = csv_carry.size();
    const std::size_t n = held + piece;
    if (buf.size() < n) buf.resize(std::max(n, kPiece + kCsvMaxHeader));
    if (held > 0) std::memcpy(buf.data(), csv_carry.data(), held);
    std::memcpy(buf.data() + held, data.data(), piece);
    data = data.subspan(piece);
    const std::size_t cut = TypeFields(buf.data(), from, n, false);
    csv_carry.assign(buf.begin() + static_cast<std::ptrdiff_t>(cut), buf.begin() + static_cast<std::ptrdiff_t>(n));
    ScanChunk(ByteView(buf.data(), cut));
  }
}

namespace {
// A typed field's validation (validators.h: field() when the validator has one, the same verdict
// as check() from byte 0, cheaper). The default set's validators by direct calls: one indirect
// call per field, its target changing with each column, was mispredicted often enough to cost
// more than the branches that pick the call.
inline bool ValidateField(const PiiEngine::ColumnPlan& plan, std::string_view w, std::string& normalized) {
  const auto field = plan.field;
  if (field == &FieldNir) return FieldNir(w, normalized);
  if (field == &FieldPhone) return FieldPhone(w, normalized);
  if (field == &FieldEmail) return FieldEmail(w, normalized);
  if (field == &FieldAddress) return FieldAddress(w, normalized);
  if (field == &FieldIban) return FieldIban(w, normalized);
  if (field != nullptr) return field(w, normalized);
  const auto check = plan.check;
  if (check == &CheckBirthDate) return CheckBirthDate(w, normalized) == std::optional<std::size_t>(0);
  if (check == &CheckFranceTravailId) return CheckFranceTravailId(w, normalized) == std::optional<std::size_t>(0);
  return check(w, normalized) == std::optional<std::size_t>(0);
}
}  // namespace

std::size_t ScanStream::State::TypeFields(std::uint8_t* buf, std::size_t from, std::size_t n, bool eod) {
  const bool excerpts = summary.excerpts.size() < engine->options.max_excerpts;
  const std::size_t first = col_size;
  // Row ends no candidate still to come can start before (every start is readable: in the ring).
  const std::uint64_t oldest = fed > ring_size ? fed - ring_size : 0;
  if (!row_ends.empty() && row_ends.front() < oldest) {
    const auto k = static_cast<std::size_t>(std::lower_bound(row_ends.begin(), row_ends.end(), oldest) - row_ends.begin());
    row_ends.erase(row_ends.begin(), row_ends.begin() + static_cast<std::ptrdiff_t>(k));
    rows_base += k;
    row_next = row_next > k ? row_next - k : 0;
  }
  // The same for the spans of fields scanned as text (their ends ascend too).
  own_except.erase(own_except.begin(),
                   std::partition_point(own_except.begin(), own_except.end(),
                                        [oldest](const std::pair<std::uint64_t, std::uint64_t>& r) { return r.second < oldest; }));
  // Row outcomes (RowBatch): only for rows begun and ended in this call (an earlier call's
  // findings of the first row may be dispatched already; the last row ends in the next call).
  RowOutcome row_acc;         // the row being walked
  bool row_acc_whole = false;  // row_acc began with its row
  const auto on_row = [&](std::size_t i) {
    row_ends.push_back(fed + i);
    if (row_acc_whole && row_acc.count != 0) row_out.push_back(row_acc);
    row_acc = RowOutcome{};
    row_acc.first = col_size;
    row_acc_whole = true;
  };
  const PiiEngine::ColumnPlan* plans = engine->column_plans.data();
  // The field callback inlined into the walk (GCC kept it out of line; with the walk's AVX-512
  // masks out of line, +4..7 % on the CSV corpora: bench/README.md "Session 17").
  const std::size_t cut = splitter.Walk(buf, from, n, eod, [&](const CsvSplitter::Field& f) __attribute__((always_inline)) {
    const PiiEngine::ColumnPlan& plan = plans[static_cast<std::size_t>(f.detector)];
    // A field of a record-only type's column that is not taken whole is scanned as text: the
    // type's candidates ending in it count (its content, or an address with its terminator).
    const auto as_text = [&](std::uint64_t hi) {
      if (((own_types >> plan.type) & 1u) != 0) ExceptOwn(fed + f.begin, hi);
    };
    if (f.kind != CsvSplitter::Kind::kWhole) {
      as_text(f.kind == CsvSplitter::Kind::kLong ? kNone : fed + f.after + 1);
      return;
    }
    // Its column names it: the context a keyword or field name would give (usable: enough).
    // An address is read with the byte that ends it, as its patterns end: the field's
    // terminator (its closing quote, delimiter, CR or newline) must be one of them.
    if (!plan.usable ||
        (plan.address && (f.after >= n || !detail::IsAddressFieldEnd(static_cast<char>(buf[f.after]))))) {
      as_text(fed + f.after + 1);
      return;
    }
    const std::size_t wend = plan.address ? f.after + 1 : f.end;
    const std::string_view w(reinterpret_cast<const char*>(buf) + f.begin, wend - f.begin);
    if (col_size == col_found.size()) col_found.emplace_back().normalized.reserve(kNormalizedReserve);
    ColumnFinding& c = col_found[col_size];
    const bool whole = ValidateField(plan, w, c.normalized) ||
                       (plan.column != nullptr && plan.column(w, c.normalized));  // a form only a column may take
    if (!whole) {  // not the whole field: the finders see it
      as_text(fed + f.after + 1);
      return;
    }
    c.detector = static_cast<std::uint16_t>(f.detector);
    c.start = fed + f.begin;
    c.end = fed + wend;
    if (excerpts) c.raw.assign(w);
    c.blank = static_cast<std::uint32_t>(f.end - f.begin);
    // The row's outcome, as AddFinding's row branch groups it.
    const std::uint32_t bit = 1u << plan.type;
    if (plan.standalone) {
      ++row_acc.standalone[plan.type];
    } else if ((row_acc.types & bit) == 0) {
      row_acc.non_standalone |= bit;
    }
    row_acc.types |= bit;
    row_acc.named = row_acc.named || plan.identifies;
    if (plan.primary && plan.rank < row_acc.key_rank) {
      row_acc.key_rank = plan.rank;
      row_acc.key = col_size;
    }
    if (++row_acc.count > kMaxRowFindings || excerpts) row_acc.clean = false;
    ++col_size;
  }, on_row);
  // Blanked after the walk: a store right before the walk's next loads in the same cache line
  // would stall them.
  for (std::size_t k = first; k < col_size; ++k) {
    const ColumnFinding& c = col_found[k];
    ZeroField(buf + (c.start - fed), c.blank);
  }
  return cut;
}

void ScanStream::State::FlushCsv(bool end_of_unit) {
  if (!csv_carry.empty()) {
    if (csv == Csv::kOn) TypeFields(csv_carry.data(), 0, csv_carry.size(), true);
    ScanChunk(ByteView(csv_carry.data(), csv_carry.size()));
  }
  csv_carry.clear();
  if (end_of_unit) {
    csv = Csv::kUndecided;
    csv_line = 0;
    csv_preamble = 0;
    csv_carry.shrink_to_fit();  // (the rows stay until Finish() has grouped the last findings)
  } else if (csv == Csv::kOn) {
    splitter.Resync();  // the row in progress is cut: columns are known again after a newline
  } else {
    csv = Csv::kOff;  // a gap before the header
  }
}

void ScanStream::State::StartOwnTypes(const CsvHeader& header) {
  EndOwnTypes();
  own_types = engine->RecordOnlyColumnTypes(header.column_detector);
  if (own_types == 0) return;
  own_from = rows_from;
  own_specs = engine->DigitSpecsOfTypes(own_types);
}

void ScanStream::State::EndOwnTypes() {
  own_types = 0;
  own_specs = 0;
  own_from = kNone;
  own_except.clear();
}

// Fields come in order and never overlap; after a range to the end of the unit (a field too long
// to take), every later one is inside it.
void ScanStream::State::ExceptOwn(std::uint64_t lo, std::uint64_t hi) {
  if (!own_except.empty() && own_except.back().second == kNone) return;
  own_except.emplace_back(lo, hi);
}

bool ScanStream::State::OwnDrops(PiiType type, std::uint64_t end) const {
  if (((own_types >> static_cast<unsigned>(type)) & 1u) == 0 || end <= own_from) return false;
  // The last range starting before `end` is the only one that may hold it (ranges are disjoint).
  const auto it = std::partition_point(own_except.begin(), own_except.end(),
                                       [end](const std::pair<std::uint64_t, std::uint64_t>& r) { return r.first < end; });
  return it == own_except.begin() || end > std::prev(it)->second;
}

std::uint64_t ScanStream::State::MutedSpecs(std::uint64_t from, std::uint64_t to) const {
  if (own_specs == 0 || from < own_from) return 0;
  // Candidates of the chunk end in (from, to + 1] (an address with the byte after it).
  const auto it = std::partition_point(own_except.begin(), own_except.end(),
                                       [to](const std::pair<std::uint64_t, std::uint64_t>& r) { return r.first <= to; });
  return it != own_except.begin() && std::prev(it)->second > from ? 0 : own_specs;
}

void ScanStream::State::EndRows() {
  rows_from = kNone;
  row_ends.clear();
  rows_base = 0;
  row_next = 0;
}

void ScanStream::State::AddColumnFinding(ColumnFinding& f) {
  AddFinding(f.detector, f.start, f.end, f.raw, f.normalized, engine->detectors[f.detector].identifies);
  f.raw.clear();  // clear values are not kept past their finding
}

// A group's stream is opened when it first has bytes to scan: most units never see most anchor
// kinds, so most streams are never allocated.
bool ScanStream::State::OpenStream(Region& r) {
  const auto g = static_cast<std::size_t>(&r - regions.data());
  hs_stream_t* h = nullptr;
  if (hs_open_stream(engine->groups[g].db.get(), 0, &h) != HS_SUCCESS) {
    scanner->scan_errors->Inc();
    return false;
  }
  r.stream.reset(h);
  return true;
}

// Pattern matches then digit candidates ending before them, in end order: findings stay in end
// order whichever group found them.
void ScanStream::State::DispatchHsEvents() {
  for (;;) {
    Region* best = nullptr;
    for (Region& r : regions) {
      if (r.next == r.events.size()) continue;
      const Hit& e = r.events[r.next];
      if (best == nullptr || e.end < best->events[best->next].end ||
          (e.end == best->events[best->next].end && e.id < best->events[best->next].id))
        best = &r;
    }
    if (best == nullptr) break;
    const Hit ev = best->events[best->next++];
    DrainDigits(ev.end);
    OnMatch(ev.id, ev.end);
  }
  for (Region& r : regions) {
    r.events.clear();
    r.next = 0;
  }
  DrainDigits(kNone);
}

// Delivers end-of-data matches (patterns ending in \b wait for the next byte) and restarts the
// Hyperscan streams so offsets start again from `fed`.
// The digit tokenizer ends its last word here too, and both are merged in end order.
void ScanStream::State::EndHsStream() {
  chunk = nullptr;
  chunk_start = fed;
  chunk_len = 0;
  tokenizer.Finish(fed, tok_events);
  for (Region& r : regions) {
    if (r.stream && (!engine->gated || r.active)) {
      r.segs.back().until = kNone;  // true end of data: the \b after a final word holds
      if (hs_reset_stream(r.stream.get(), 0, scanner->scratch.get(), &OnHsMatch, &r) != HS_SUCCESS)
        scanner->scan_errors->Inc();
      r.stream_fed = 0;
    }
    ResetRegion(r);
  }
  RunPending(true);
  DispatchHsEvents();
}

void ScanStream::State::FeedHs(Region& r, const char* p, std::size_t n) {
  if (n == 0 || (!r.stream && !OpenStream(r))) return;
  if (hs_scan_stream(r.stream.get(), p, static_cast<unsigned>(n), 0, scanner->scratch.get(), &OnHsMatch, &r) !=
      HS_SUCCESS)
    scanner->scan_errors->Inc();
  r.stream_fed += n;
}

void ScanStream::State::OpenRegion(Region& r, std::uint64_t start, std::uint64_t until) {
  r.segs.push_back(Segment{r.stream_fed + r.gather.size(), start, until, r.floor});
  r.pos = start;
  r.active = true;
}

// Appends the region's bytes [pos, to) to the chunk's buffer.
void ScanStream::State::Gather(Region& r, std::uint64_t to) {
  if (r.pos >= to) return;
  const std::size_t at = r.gather.size();
  r.gather.resize(at + static_cast<std::size_t>(to - r.pos));
  Copy(r.pos, to, r.gather.data() + at);
  r.pos = to;
}

// The region's last bytes (through the byte after `until`), then the NUL that ends it.
void ScanStream::State::CloseRegion(Region& r) {
  const std::uint64_t until = r.segs.back().until;
  Gather(r, until + 1);
  r.gather.push_back('\0');
  r.floor = until;
  r.active = false;
}

// One stream call for every region of the chunk; only the open region's segment stays.
void ScanStream::State::ScanGathered(Region& r) {
  FeedHs(r, r.gather.data(), r.gather.size());
  r.gather.clear();
  if (r.active) {
    r.segs.erase(r.segs.begin(), r.segs.end() - 1);
  } else {
    r.segs.clear();
  }
  r.seg_next = 0;
}

bool ScanStream::State::RunNative(std::size_t g, std::uint64_t a, std::uint64_t seen, bool eod) {
  const auto& group = engine->groups[g];
  const std::uint64_t avail = chunk_start + chunk_len;
  const std::uint64_t lo = std::max<std::uint64_t>(a > kNativeBack ? a - kNativeBack : 0, Oldest());
  const std::uint64_t cap = a + group.after + 1;  // a match ends by a + after; +1: its final \b
  const std::uint64_t hi = std::min(avail, cap);
  const auto n = static_cast<std::size_t>(hi - lo);
  const std::uint8_t* d;
  if (chunk != nullptr && lo >= chunk_start) {
    d = chunk + (lo - chunk_start);
  } else {
    if (native_buf.size() < n) native_buf.resize(n);
    Copy(lo, hi, reinterpret_cast<char*>(native_buf.data()));
    d = native_buf.data();
  }
  NativeInput in;
  in.d = d;
  in.n = n;
  in.a = static_cast<std::size_t>(a - lo);
  in.data_start = lo == valid_from;
  in.data_end = eod && hi == avail;
  in.limit = static_cast<std::size_t>(a + group.after - lo);
  native_ends.clear();
  const bool complete = NativeEnds(group.native, in, native_ends);
  auto& ev = regions[g].events;
  for (const NativeEnd& e : native_ends) {
    const std::uint64_t end = lo + e.end;
    if (end + e.lookahead > seen) AddHit(ev, Hit{end, e.id});  // else decided (and reported) by an earlier run
  }
  return complete || hi == cap;
}

void ScanStream::State::RunPending(bool eod) {
  const std::uint64_t avail = chunk_start + chunk_len;
  std::size_t kept = 0;
  for (const PendingAnchor& p : pending)
    if (!RunNative(p.group, p.anchor, p.seen, eod) && !eod) pending[kept++] = PendingAnchor{p.anchor, avail, p.group};
  pending.resize(kept);
}

void ScanStream::State::ScanPatterns() {
  const std::uint64_t cend = chunk_start + chunk_len;
  if (!engine->gated) {
    for (Region& r : regions) FeedHs(r, reinterpret_cast<const char*>(chunk), chunk_len);
    return;
  }
  RunPending(false);
  anchors.clear();
  const int before = chunk_start > valid_from && Readable(chunk_start - 1, chunk_start) ? At(chunk_start - 1) : -1;
  engine->anchors.Find(chunk, chunk_len, before, anchors);
  const std::uint64_t lowest = Oldest();
  // Regions of group g: [a - before_g, a + after_g] around its kind's anchors (anchors come in
  // order, so a later anchor never needs bytes before the group's open region's start).
  for (const std::uint32_t entry : anchors) {
    const std::uint64_t a = chunk_start + AnchorFinder::Offset(entry);
    const unsigned kinds = AnchorFinder::Kinds(entry);
    for (std::size_t g = 0; g < regions.size(); ++g) {
      const auto& group = engine->groups[g];
      if (!(kinds & group.kinds)) continue;
      if (!group.native.empty()) {
        if (!RunNative(g, a, 0, false)) pending.push_back(PendingAnchor{a, cend, g});
        continue;
      }
      Region& r = regions[g];
      std::uint64_t until = a + group.after;
      // The kind's tail ends the region earlier when the chunk shows where it stops.
      const AnchorFinder::TailRule& tail = engine->anchors.Tail(group.kinds);
      const std::uint64_t lim = std::min(until, cend);
      std::uint64_t t = a + 1;
      while (t < lim && tail.in[chunk[t - chunk_start]]) ++t;
      if (t < lim) until = std::min(until, t + tail.extra);
      if (r.active) {
        // A region that would touch the open one extends it (one scan costs about the same
        // whatever the number of regions, so only touching regions merge).
        Segment& open = r.segs.back();
        if (a <= open.until + 1 + group.before) {
          open.until = std::max(open.until, until);
          continue;
        }
        CloseRegion(r);
      }
      OpenRegion(r, std::max<std::uint64_t>(a > group.before ? a - group.before : 0, lowest), until);
    }
  }
  for (Region& r : regions) {
    if (r.active) {
      if (r.segs.back().until + 1 <= cend) {
        CloseRegion(r);
      } else {
        Gather(r, cend);
      }
    }
    if (!r.gather.empty()) ScanGathered(r);
  }
}

// ------------------------------------------------------------------ keywords

void ScanStream::State::StartUnitKeywords() {
  kw_hits.clear();
  kw_next = 0;
  kw_done = fed;
  kw_eager_until = fed + kEagerKeywordBytes;
}

int ScanStream::State::OnKeyword(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
                                 void* ctx) {
  auto* st = static_cast<State*>(ctx);
  const std::uint64_t end = st->kw_scan_base + to;
  if (end > st->kw_done) st->kw_hits.push_back(Hit{end, id});  // not found by the previous scan
  return 0;
}

const char* ScanStream::State::KeywordBytes(std::uint64_t from, std::uint64_t to) {
  if (from >= chunk_start) return reinterpret_cast<const char*>(chunk) + (from - chunk_start);
  const auto n = static_cast<std::size_t>(to - from);
  if (kw_buf.size() < n) kw_buf.resize(n);
  Copy(from, to, kw_buf.data());
  return kw_buf.data();
}

// Makes every keyword ending at or before `need` known (in kw_hits). `start` is the candidate's
// start: bytes more than the context reach before it are skipped (no candidate from here on can
// use their keywords; candidates come in end order and start <= end), except in the unit's eager
// part. eager: start == need.
void ScanStream::State::ScanKeywords(std::uint64_t need, std::uint64_t start) {
  if (!engine->kw_db || need <= kw_done) return;
  std::uint64_t from = kw_done > engine->max_keyword_bytes ? kw_done - engine->max_keyword_bytes : 0;
  const std::uint64_t reach = engine->context_reach;
  if (start > reach && kw_done >= kw_eager_until) from = std::max(from, start - reach);
  from = std::max(from, Oldest());
  if (from < need) {
    kw_scan_base = from;
    if (hs_scan(engine->kw_db.get(), KeywordBytes(from, need), static_cast<unsigned>(need - from), 0,
                scanner->kw_scratch.get(), &OnKeyword, this) != HS_SUCCESS)
      scanner->scan_errors->Inc();
  }
  kw_done = need;
}

// Keywords ending at or before `end` take effect (in end order, as the old streaming scan did).
void ScanStream::State::ApplyKeywords(std::uint64_t end) {
  while (kw_next < kw_hits.size() && kw_hits[kw_next].end <= end) {
    const Hit& h = kw_hits[kw_next++];
    const Expression& e = engine->expressions[h.id];
    for (std::uint16_t d : engine->keyword_targets[e.detector]) {
      keyword_end[d] = h.end;
      if (e.field) unit_context[d] = 1;
    }
  }
  if (kw_next == kw_hits.size()) {
    kw_hits.clear();
    kw_next = 0;
  }
}

void ScanStream::Gap() {
  if (!state_) return;
  State& st = *state_;
  st.FlushStage();
  st.FlushCsv(false);
  st.EndHsStream();
  st.EndOwnTypes();  // the rows after a gap: their columns are known again, the rule is not
  st.html.Reset();    // the tables open before the gap are not followed
  st.FlushGroup();
  st.valid_from = st.fed;
  std::fill(st.keyword_end.begin(), st.keyword_end.end(), State::kNone);
  st.StartUnitKeywords();
}

void ScanStream::State::EndUnit() {
  FlushStage();
  ReleaseStage();
  FlushCsv(true);
  EndHsStream();  // (candidates ending with the data: still in the last CSV row)
  EndOwnTypes();
  FlushGroup();
  EndRows();
  valid_from = fed;
  ResetUnitContext();
  markup = Markup::kUndecided;
  html.Reset();
  StartUnitKeywords();
}

void ScanStream::NextPart() {
  if (state_) state_->EndUnit();
}

ScanSummary ScanStream::Finish() {
  if (!state_) return {};
  State& st = *state_;
  st.EndUnit();
  ScanSummary out = std::move(st.summary);
  RadixSortU64(out.records, st.scanner->sort_scratch);
  out.records.erase(std::unique(out.records.begin(), out.records.end()), out.records.end());
  st.scanner->records->Inc(out.records.size());
  st.summary = ScanSummary{};
  // The next unit uses the scanner's current engine (a reload may have happened meanwhile).
  if (st.scanner->engine != st.engine) st.Bind(st.scanner->engine);
  return out;
}

std::uint64_t ScanStream::bytes_fed() const { return state_ ? state_->total_fed : 0; }

// ------------------------------------------------------------------ matches

void ScanStream::State::OnMatch(unsigned id, std::uint64_t end) {
  if (id >= engine->expressions.size()) return;
  OnCandidate(engine->expressions[id].detector, end);
}

namespace {
// A byte of a key or an element name (letters, digits, '_', '-', '.', ':' of a namespace).
constexpr bool IsNameByte(char c) { return detail::IsAlnum(c) || c == '_' || c == '-' || c == '.' || c == ':'; }
// Per byte: 1 a name byte, 2 a lower-case letter (the key walk before a candidate: one load a byte).
constexpr std::array<std::uint8_t, 256> kNameClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>((IsNameByte(static_cast<char>(c)) ? 1 : 0) |
                                                               (detail::IsLower(static_cast<char>(c)) ? 2 : 0));
  return t;
}();

// Whether a word of the name `key` is bounded at k (between key[k - 1] and key[k]): an end of
// the key, a byte that is not a letter or digit on either side, a lower-case letter then an
// upper-case one (camelCase: `nirAssure`), a letter next to a digit (`nir2`).
bool WordBoundary(std::string_view key, std::size_t k) {
  if (k == 0 || k == key.size()) return true;
  const char a = key[k - 1], b = key[k];
  if (!detail::IsAlnum(a) || !detail::IsAlnum(b)) return true;
  return (detail::IsLower(a) && detail::IsUpper(b)) || (detail::IsDigit(a) != detail::IsDigit(b));
}

// Whether `key` (a key or an element name) ends with one of `keywords` (lower case; `tails`
// their last bytes), ASCII case-insensitively. Only the words ending with the key's last two
// bytes are compared.
inline bool EndsWithOne(const std::vector<std::string>& keywords, const WordTails& tails, std::string_view key) {
  const auto ends_with = [key](const std::string& k) {
    return k.size() <= key.size() &&
           detail::StartsWithNoCase(std::string_view(key.data() + key.size() - k.size(), k.size()), k);
  };
  if (!tails.All()) [[unlikely]] {
    for (const std::string& k : keywords)
      if (ends_with(k)) return true;
    return false;
  }
  for (std::uint64_t m = tails.Candidates(key); m != 0; m &= m - 1)
    if (ends_with(keywords[static_cast<std::size_t>(__builtin_ctzll(m))])) return true;
  return false;
}

// Whether `key` holds one of `keywords` (lower case) as words bounded on both sides before its
// end (WordBoundary: `nir_assure`, `nirAssure`, `NIR-BENEFICIAIRE`, `ns:nir_x`,
// `identifiantFtDemandeur`; not `nirvana`, not `benir`), ASCII case-insensitively. A key ending
// with one is EndsWithOne's. Keys of 64 bytes or more: not read.
bool HoldsOneAsWords(const std::vector<std::string>& keywords, std::string_view key) {
  if (key.size() >= 64) return false;
  std::uint64_t inner = 0;  // bit k: a boundary between key[k - 1] and key[k]
  for (std::size_t k = 1; k < key.size(); ++k) inner |= static_cast<std::uint64_t>(WordBoundary(key, k)) << k;
  if (inner == 0) return false;  // one word: only its end can name it
  const std::uint64_t starts = inner | 1u;  // a word starts at 0 or at an inner boundary
  for (const std::string& k : keywords) {
    if (k.size() >= key.size()) continue;
    for (std::uint64_t m = starts & (inner >> k.size()); m != 0; m &= m - 1) {  // ... and ends at one
      const auto at = static_cast<std::size_t>(__builtin_ctzll(m));
      if (detail::StartsWithNoCase(key.substr(at), k)) return true;
    }
  }
  return false;
}

// Whether `before` (the bytes before a candidate) ends with a key/value separator (an optional
// '"', blanks, ':' or '=', blanks, an optional '"': `"identifiant": "…"`, `identifiant=…`)
// after one of `keywords` (a detector's keywords, or its names) ending at most `window` bytes
// before the candidate: the bytes before the separator end with it, or (`words`: a name) their
// key (the name bytes before it) holds it as words (HoldsOneAsWords: `"nir_assure": "…"`,
// `"nirAssure": "…"`). For context, the keyword scan would find that keyword there (keywords
// match anywhere, ASCII case-insensitively), so the candidate has its context either way (a key
// holding it elsewhere is left to that scan: most keys before a candidate hold none).
bool KeywordRightBefore(const std::vector<std::string>& keywords, const WordTails& tails, std::uint32_t window,
                        std::string_view before, bool words) {
  if (keywords.empty()) return false;
  std::size_t i = before.size();
  auto blanks = [&] {
    while (i > 0 && (before[i - 1] == ' ' || before[i - 1] == '\t')) --i;
  };
  if (i > 0 && before[i - 1] == '"') --i;
  blanks();
  if (i == 0 || (before[i - 1] != ':' && before[i - 1] != '=')) return false;
  --i;
  blanks();
  if (i > 0 && before[i - 1] == '"') --i;
  if (before.size() - i > window) return false;
  if (EndsWithOne(keywords, tails, std::string_view(before.data(), i))) return true;  // (keywords may hold blanks)
  if (!words) return false;
  std::size_t key = i;
  unsigned lower = 2;  // an all-lower-case key (most) has no inner word boundary
  for (unsigned c; key > 0 && ((c = kNameClass[static_cast<unsigned char>(before[key - 1])]) & 1) != 0; --key) lower &= c;
  return lower == 0 && HoldsOneAsWords(keywords, std::string_view(before.data() + key, i - key));
}

// Blanks between a name and its value, or between array elements (pretty-printed: newlines too).
constexpr bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The last '<' or '>' of s[0, i), or npos (a byte loop: find_last_of("<>") calls memchr per byte).
std::size_t LastBracket(std::string_view s, std::size_t i) {
  while (i > 0 && s[i - 1] != '<' && s[i - 1] != '>') --i;
  return i == 0 ? std::string_view::npos : i - 1;
}

// Whether `before` ends with the start tag of an XML element named by one of `names` (its name
// ends with one or holds one as words: `<nir>`, `<ns:numeroSecuriteSociale>`, `<NIR >`, `<nirAssure>`,
// `<nir type="certifie">`; blanks allowed before the value): an element holding a named
// identifier (Detector::identifies). A tag whose attributes hold '<' or '>' is not read.
bool ElementNamedBefore(const std::vector<std::string>& names, const WordTails& tails, std::string_view before) {
  std::size_t i = before.size();
  while (i > 0 && IsBlank(before[i - 1])) --i;
  if (i < 2 || before[i - 1] != '>') return false;
  --i;  // the '>'
  const std::size_t open = LastBracket(before, i);
  if (open == std::string_view::npos || before[open] != '<') return false;
  std::size_t name_end = open + 1;  // the name: letters, digits, '_', '-', '.', ':' after its '<'
  while (name_end < i && IsNameByte(before[name_end])) ++name_end;
  if (name_end == open + 1 || !detail::IsAlpha(before[open + 1])) return false;  // not </x>, <!x>, <?x>
  if (name_end < i && !IsBlank(before[name_end])) return false;  // <nir/>, a byte no tag name holds
  const std::string_view tag = before.substr(open + 1, name_end - open - 1);
  return EndsWithOne(names, tails, tag) || HoldsOneAsWords(names, tag);
}

// The bytes before a JSON array holding the value as its first element (`"nir": [ "…`: up to
// the ':'), or an empty view.
std::string_view BeforeArray(std::string_view before) {
  std::size_t i = before.size();
  if (i > 0 && before[i - 1] == '"') --i;
  while (i > 0 && IsBlank(before[i - 1])) --i;
  return i > 0 && before[i - 1] == '[' ? std::string_view(before.data(), i - 1) : std::string_view();
}

// Whether `gap` (the bytes between two values) separates two elements of a JSON array:
// an optional '"', blanks, ',', blanks, an optional '"' (`","`, `", "`, `,\n    "`, `, ` between
// numbers).
bool NextArrayElement(std::string_view gap) {
  std::size_t i = 0;
  auto blanks = [&] {
    while (i < gap.size() && IsBlank(gap[i])) ++i;
  };
  const bool quoted = i < gap.size() && gap[i] == '"';
  if (quoted) ++i;
  blanks();
  if (i == gap.size() || gap[i] != ',') return false;
  ++i;
  blanks();
  if (quoted) {
    if (i == gap.size() || gap[i] != '"') return false;
    ++i;
  }
  return i == gap.size();
}
}  // namespace

std::int32_t ScanStream::State::TableColumnBefore(std::string_view before, std::uint64_t from) const {
  if (!html.HasCells()) return -1;
  std::size_t i = before.size();
  for (int tags = 0; tags < 4; ++tags) {  // the cell's start tag, then up to 3 start tags in it
    while (i > 0 && IsBlank(before[i - 1])) --i;
    if (i < 2 || before[i - 1] != '>') return -1;
    if (const std::int32_t d = html.CellAt(from + i); d >= 0) return d;
    const std::size_t open = LastBracket(before, i - 1);  // the tag's '<' (a '>' first: not a tag)
    if (open == std::string_view::npos || before[open] != '<' || !detail::IsAlpha(before[open + 1])) return -1;
    i = open;
  }
  return -1;
}

void ScanStream::State::OnCandidate(std::uint16_t d, std::uint64_t end) {
  if (last_end[d] == end) return;  // another pattern (or the tokenizer) of the same detector, same candidate
  last_end[d] = end;
  const Detector& det = engine->detectors[d];
  const auto type = static_cast<std::size_t>(det.type);
  // A record-only type a CSV header gives a column to, outside its columns: not looked for
  // (neither validated nor counted rejected).
  if (own_types != 0 && OwnDrops(det.type, end)) return;
  // In a CSV row whose person already has this field (a birth date, an address), the candidate
  // would be dropped once valid (record_group.cc): it is not validated (nor counted rejected).
  // Its last byte's row is its start's (no value holds a row end; an address's terminator may
  // be the newline itself, which RowOf does not count).
  if (!det.standalone && group_size > 0 && end > rows_from && (group_types & (1u << type)) != 0 &&
      group_row == RowOf(end - 1))
    return;
  if (!engine->options.validate) [[unlikely]] {  // benchmarks of the finders alone
    ++summary.rejected[type];
    scanner->rejected[type]->Inc();
    return;
  }

  std::uint64_t from = end > kWindow ? end - kWindow : 0;
  from = std::max(from, valid_from);
  if (!Readable(from, end)) {
    ++summary.rejected[type];
    scanner->rejected[type]->Inc();
    return;
  }
  const std::size_t n = static_cast<std::size_t>(end - from);
  std::string_view w;
  if (from >= chunk_start) {
    w = std::string_view(reinterpret_cast<const char*>(chunk) + (from - chunk_start), n);  // no copy needed
  } else {
    Copy(from, end, window.data());
    w = std::string_view(window.data(), n);
  }
  if (normalized.size() != engine->detectors.size()) {  // first candidate, or an engine swap
    normalized.resize(engine->detectors.size());
    for (std::string& n : normalized) n.reserve(kNormalizedReserve);
  }
  const auto begin = det.validator->check(w, normalized[d]);
  bool ok = begin.has_value();
  if (ok) {
    const std::uint64_t start = from + *begin;
    // Keywords are only looked for when they can change the outcome (see Detector::needs_context).
    bool context = false;
    // The HTML table column of the cell the candidate opens: its header gives the context and
    // the name a CSV column gives (computed once, only when asked).
    std::int32_t column = -2;
    const auto in_typed_cell = [&] {
      if (column == -2) column = TableColumnBefore(std::string_view(w.data(), *begin), from);
      return column == static_cast<std::int32_t>(d);
    };
    if (det.needs_context) {
      if (unit_context[d] != 0) {
        // The detector has the unit-wide context (a field name seen earlier, e.g. a CSV header
        // or a JSON key): no keyword can change this outcome, and none is looked for.
        context = true;
      } else if (KeywordRightBefore(det.near_keywords, det.near_tails, det.context_window,
                                    std::string_view(w.data(), *begin), false) ||
                 in_typed_cell()) {
        // Its keyword right before it (a JSON key), or its column's header: the window is not searched.
        context = true;
      } else {
        // Its keywords' first bytes looked for first: where none is, nothing is scanned.
        const std::uint64_t reach = det.context_window + engine->max_keyword_bytes;
        const std::uint64_t lo = std::max(start > reach ? start - reach : 0, Oldest());
        if (lo >= end || det.keyword_prefilter.MayHold(KeywordBytes(lo, end), static_cast<std::size_t>(end - lo)))
          ScanKeywords(end, start);
        ApplyKeywords(end);
        const std::uint64_t kw = keyword_end[d];
        context = unit_context[d] != 0 || (kw != kNone && kw <= end && (kw >= start || start - kw <= det.context_window));
      }
    }
    const float confidence = det.confidence + (context ? det.context_boost : 0.0f);
    ok = (!det.requires_context || context) && confidence >= det.min_confidence;
    if (ok) {
      // A named identifier (Detector::identifies): its key, label or element right before it,
      // or the previous element of its JSON array named. (Only for a candidate that counts: most
      // France Travail id candidates of API JSON lack their context.)
      bool named = false;
      if (det.identifies) {
        const std::string_view before(w.data(), *begin);
        named = KeywordRightBefore(det.names, det.name_tails, det.context_window, before, true) ||
                KeywordRightBefore(det.names, det.name_tails, det.context_window, BeforeArray(before), true) ||
                ElementNamedBefore(det.names, det.name_tails, before) || in_typed_cell() ||
                (named_end != kNone && named_end >= from && named_end <= start &&
                 NextArrayElement(before.substr(static_cast<std::size_t>(named_end - from))));
      }
      if (named) named_end = end;
      // (views built directly: *begin <= w.size(), and substr's range check stayed a call)
      AddFinding(d, start, end, std::string_view(w.data() + *begin, w.size() - *begin), normalized[d], named);
    }
  }
  if (!ok) {
    ++summary.rejected[type];
    scanner->rejected[type]->Inc();
  }
}

}  // namespace vigie::match
