// Scanner (per worker: scratch + counters) and ScanStream (per unit: Hyperscan stream, tail ring,
// keyword context). Record grouping lives in record_group.cc.
#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "match/scan_state.h"

namespace vigie::match {

namespace {

std::uint64_t RingSize(std::uint32_t record_window) {
  const std::uint64_t need = std::min<std::uint64_t>(record_window, 1u << 20) + 256;
  std::uint64_t r = 512;
  while (r < need) r <<= 1;
  return r;
}

}  // namespace

int ScanStream::State::OnHsMatch(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
                                 void* ctx) {
  auto* st = static_cast<State*>(ctx);
  const std::uint64_t end = st->base + to;
  st->DrainDigits(end);  // digit candidates ending earlier go first: findings stay in end order
  st->OnMatch(id, end);
  return 0;
}

// ------------------------------------------------------------------ Scanner

Scanner::Scanner(std::shared_ptr<const PiiEngine> engine, metrics::CounterSet& m) : impl_(std::make_unique<Impl>()) {
  if (!engine) throw StartupError("match: Scanner needs a compiled PiiEngine");
  if (engine->db) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(engine->db.get(), &s) != HS_SUCCESS) throw StartupError("match: cannot allocate Hyperscan scratch");
    impl_->scratch.reset(s);
  }
  impl_->engine = std::move(engine);
  for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
    const metrics::Labels labels = {{"type", std::string(kPiiTypeNames[t])}};
    impl_->matches[t] = &m.Counter("vigie_pii_matches_total", "Validated PII matches counted, by type", labels);
    impl_->rejected[t] =
        &m.Counter("vigie_pii_rejected_total", "PII candidates that failed validation or lacked context, by type", labels);
  }
  impl_->records = &m.Counter("vigie_pii_records_total", "Distinct records (people) found, summed over scanned units");
  impl_->bytes = &m.Counter("vigie_pii_scanned_bytes_total", "Bytes given to the PII scanner");
  impl_->scan_errors = &m.Counter("vigie_pii_scan_errors_total", "Hyperscan runtime errors (unit findings may be partial)");
  impl_->reloads = &m.Counter("vigie_pii_reloads_total", "Signature sets swapped in by Scanner::Reload");
}

Scanner::~Scanner() = default;

void Scanner::Reload(std::shared_ptr<const PiiEngine> engine) {
  if (!engine) return;
  // Growing the scratch keeps it valid for the old database too, so open streams carry on.
  if (engine->db) {
    hs_scratch_t* s = impl_->scratch.release();
    if (hs_alloc_scratch(engine->db.get(), &s) != HS_SUCCESS) {
      impl_->scratch.reset(s);
      impl_->scan_errors->Inc();
      return;
    }
    impl_->scratch.reset(s);
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
  stream.reset();
  engine = std::move(e);
  const std::size_t n = engine->detectors.size();
  keyword_end.assign(n, kNone);
  unit_context.assign(n, 0);
  last_end.assign(n, kNone);
  tokenizer.SetSpecs(&engine->digit_specs);
  tok_events.clear();
  tok_next = 0;
  const std::uint64_t r = RingSize(engine->options.record_window_bytes);
  ring.clear();
  ring.shrink_to_fit();
  ring_size = r;
  ring_mask = r - 1;
}

void ScanStream::State::ResetUnitContext() {
  std::fill(keyword_end.begin(), keyword_end.end(), kNone);
  std::fill(unit_context.begin(), unit_context.end(), 0);
}

bool ScanStream::State::Readable(std::uint64_t from, std::uint64_t to) const {
  if (from < valid_from || to > chunk_start + chunk_len || from > to) return false;
  return from >= chunk_start || chunk_start - from <= ring.size();  // ring empty until first Feed
}

std::uint8_t ScanStream::State::At(std::uint64_t o) const {
  return o >= chunk_start ? chunk[o - chunk_start] : ring[o & ring_mask];
}

void ScanStream::Feed(ByteView data) {
  if (!state_ || data.empty()) return;
  State& st = *state_;
  Scanner::Impl& sc = *st.scanner;
  if (!st.stream && st.engine->db) {
    hs_stream_t* s = nullptr;
    if (hs_open_stream(st.engine->db.get(), 0, &s) != HS_SUCCESS) {
      sc.scan_errors->Inc();
      return;
    }
    st.stream.reset(s);
    st.base = st.fed;
  }
  if (st.ring.empty()) st.ring.assign(st.ring_size, 0);
  // Hyperscan takes unsigned int lengths; feed huge buffers in slices.
  constexpr std::size_t kSlice = 1u << 30;
  for (std::size_t off = 0; off < data.size(); off += kSlice) {
    const std::size_t len = std::min(kSlice, data.size() - off);
    st.chunk = data.data() + off;
    st.chunk_start = st.fed;
    st.chunk_len = len;
    st.tokenizer.Feed(st.chunk, len, st.chunk_start, st.tok_events);
    if (st.stream) {
      const hs_error_t rc = hs_scan_stream(st.stream.get(), reinterpret_cast<const char*>(st.chunk),
                                           static_cast<unsigned>(len), 0, sc.scratch.get(), &State::OnHsMatch, &st);
      if (rc != HS_SUCCESS) sc.scan_errors->Inc();
    }
    st.DrainDigits(State::kNone);
    // Keep the last ring.size() bytes for candidates and record gaps that straddle chunks.
    const std::size_t keep = std::min<std::size_t>(len, st.ring.size());
    for (std::size_t k = len - keep; k < len;) {
      const std::size_t pos = static_cast<std::size_t>((st.fed + k) & st.ring_mask);
      const std::size_t n = std::min(len - k, st.ring.size() - pos);
      std::memcpy(st.ring.data() + pos, st.chunk + k, n);
      k += n;
    }
    st.fed += len;
  }
  st.chunk = nullptr;
  st.chunk_start = st.fed;
  st.chunk_len = 0;
  st.total_fed += data.size();
  st.summary.bytes_scanned += data.size();
  sc.bytes->Inc(data.size());
}

// Delivers end-of-data matches (patterns ending in \b wait for the next byte) and restarts the
// Hyperscan stream so offsets start again from `fed`.
// The digit tokenizer ends its last word here too, and both are merged in end order.
void ScanStream::State::EndHsStream() {
  chunk = nullptr;
  chunk_start = fed;
  chunk_len = 0;
  tokenizer.Finish(fed, tok_events);
  if (stream) {
    if (hs_reset_stream(stream.get(), 0, scanner->scratch.get(), &OnHsMatch, this) != HS_SUCCESS)
      scanner->scan_errors->Inc();
  }
  DrainDigits(kNone);
  base = fed;
}

void ScanStream::Gap() {
  if (!state_) return;
  State& st = *state_;
  st.EndHsStream();
  st.FlushGroup();
  st.valid_from = st.fed;
  std::fill(st.keyword_end.begin(), st.keyword_end.end(), State::kNone);
}

ScanSummary ScanStream::Finish() {
  if (!state_) return {};
  State& st = *state_;
  st.EndHsStream();
  st.FlushGroup();
  ScanSummary out = std::move(st.summary);
  std::sort(out.records.begin(), out.records.end());
  out.records.erase(std::unique(out.records.begin(), out.records.end()), out.records.end());
  st.scanner->records->Inc(out.records.size());
  st.summary = ScanSummary{};
  st.valid_from = st.fed;
  st.ResetUnitContext();
  // The next unit uses the scanner's current engine (a reload may have happened meanwhile).
  if (st.scanner->engine != st.engine) st.Bind(st.scanner->engine);
  return out;
}

std::uint64_t ScanStream::bytes_fed() const { return state_ ? state_->total_fed : 0; }

// ------------------------------------------------------------------ matches

void ScanStream::State::OnMatch(unsigned id, std::uint64_t end) {
  if (id >= engine->expressions.size()) return;
  const Expression& e = engine->expressions[id];
  if (e.kind == Expression::Kind::kKeyword) {
    for (std::uint16_t d : engine->keyword_targets[e.detector]) {
      keyword_end[d] = end;
      if (e.field) unit_context[d] = 1;
    }
    return;
  }
  OnCandidate(e.detector, end);
}

void ScanStream::State::OnCandidate(std::uint16_t d, std::uint64_t end) {
  if (last_end[d] == end) return;  // another pattern (or the tokenizer) of the same detector, same candidate
  last_end[d] = end;
  const Detector& det = engine->detectors[d];
  const auto type = static_cast<std::size_t>(det.type);

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
  const auto begin = det.validator->check(w, normalized);
  bool ok = begin.has_value();
  if (ok) {
    const std::uint64_t start = from + *begin;
    const std::uint64_t kw = keyword_end[d];
    const bool context =
        unit_context[d] != 0 || (kw != kNone && kw <= end && (kw >= start || start - kw <= det.context_window));
    const float confidence = det.confidence + (context ? det.context_boost : 0.0f);
    ok = (!det.requires_context || context) && confidence >= det.min_confidence;
    if (ok) AddFinding(d, start, end, w.substr(*begin));
  }
  if (!ok) {
    ++summary.rejected[type];
    scanner->rejected[type]->Inc();
  }
}

}  // namespace vigie::match
