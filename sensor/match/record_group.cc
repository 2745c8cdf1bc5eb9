// Record grouping: validated findings of one unit are grouped into "records" (one person each).
//
// Rule (findings arrive in end-offset order):
//   1. A finding overlapping the previous one replaces it when it is of the same type (the
//      longer/later shape wins, e.g. the 19-digit card over its 16-digit prefix) or of a stronger
//      type (lower rank); otherwise it is dropped. Two types never count the same bytes.
//   2. A new group starts before a finding when
//        - more than record_window_bytes separate it from the previous finding, or
//        - the bytes between them contain a '}' followed later by a '{' (next JSON object), or
//        - they contain a newline whose previous non-blank byte is not one of , { [ : (a CSV/
//          text row ends; pretty-printed JSON lines end with those and do not split), or
//        - the group already holds a finding of the same type (the next person starts), or
//        - Gap() or Finish() is called.
//   3. A group is a record when it holds >= 2 distinct types and at least one primary type.
//      Its key is the keyed hash of the normalized value of its strongest primary (lowest
//      rank: NIR > IBAN > card > FT id > email > phone in the default signatures).
//   4. Non-standalone types (birth date, address) are counted only inside a record.
#include <emmintrin.h>

#include "match/scan_state.h"

namespace vigie::match {

void ScanStream::State::AddFinding(std::uint16_t d, std::uint64_t start, std::uint64_t end, std::string_view raw) {
  const Detector& det = engine->detectors[d];
  const std::uint32_t bit = 1u << static_cast<unsigned>(det.type);
  if (group_size > 0) {
    Finding& last = group[group_size - 1];
    if (start < last.end) {
      const Detector& prev = engine->detectors[last.detector];
      if (prev.type != det.type && det.rank >= prev.rank) return;
      // Replace the previous finding.
      --group_size;
      group_types = 0;
      for (std::size_t k = 0; k < group_size; ++k) group_types |= 1u << static_cast<unsigned>(group[k].type);
    } else if (start - last.end > engine->options.record_window_bytes || BoundaryBetween(last.end, start) ||
               (group_types & bit) != 0) {
      FlushGroup();
    }
  }
  if (group_size == group.size()) group.emplace_back();
  Finding& f = group[group_size++];
  f.detector = d;
  f.type = det.type;
  f.start = start;
  f.end = end;
  f.normalized.assign(normalized);
  f.raw.assign(raw);
  group_types |= bit;
}

bool ScanStream::State::BoundaryBetween(std::uint64_t from, std::uint64_t to) const {
  if (!Readable(from, to)) return true;
  bool close_seen = false;
  bool boundary = false;
  char last_non_blank = 0;
  auto scalar = [&](const char* p, std::size_t n) {
    for (std::size_t k = 0; k < n && !boundary; ++k) {
      const char c = p[k];
      if (c == '}') {
        close_seen = true;
      } else if (c == '{' && close_seen) {
        boundary = true;
      } else if (c == '\n' && last_non_blank != ',' && last_non_blank != '{' && last_non_blank != '[' &&
                 last_non_blank != ':') {
        boundary = true;
      }
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') last_non_blank = c;
    }
  };
  // The bytes between two findings are mostly ordinary text: 16 at a time, only blocks holding
  // '{', '}' or a newline need the byte loop; others just update the last non-blank byte.
  ForEachSpan(from, to, [&](const char* p, std::size_t n) {
    std::size_t k = 0;
    for (; k + 16 <= n && !boundary; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
      const __m128i nl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('{')), _mm_cmpeq_epi8(v, _mm_set1_epi8('}'))), nl);
      if (_mm_movemask_epi8(special) != 0) {
        scalar(p + k, 16);
        continue;
      }
      const __m128i blank = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
      const unsigned non_blank = ~static_cast<unsigned>(_mm_movemask_epi8(blank)) & 0xffffu;
      if (non_blank != 0) last_non_blank = p[k + 31 - static_cast<std::size_t>(__builtin_clz(non_blank))];
    }
    if (!boundary && k < n) scalar(p + k, n - k);
  });
  return boundary;
}

void ScanStream::State::FlushGroup() {
  if (group_size == 0) return;
  int types = 0;
  const Finding* key = nullptr;
  for (std::size_t k = 0; k < group_size; ++k) {
    const Detector& det = engine->detectors[group[k].detector];
    if (det.primary && (!key || det.rank < engine->detectors[key->detector].rank)) key = &group[k];
  }
  for (std::uint32_t b = group_types; b != 0; b &= b - 1) ++types;
  const bool record = types >= 2 && key != nullptr;
  for (std::size_t k = 0; k < group_size; ++k) {
    const Finding& f = group[k];
    const Detector& det = engine->detectors[f.detector];
    if (!record && !det.standalone) continue;
    const auto t = static_cast<std::size_t>(f.type);
    ++summary.matches[t];
    scanner->matches[t]->Inc();
    if (summary.excerpts.size() < engine->options.max_excerpts) {
      det.validator->mask(f.raw, masked);
      summary.excerpts.push_back(masked);
    }
  }
  if (record) summary.records.push_back(engine->hasher(key->normalized));
  for (std::size_t k = 0; k < group_size; ++k) group[k].raw.clear();
  group_size = 0;
  group_types = 0;
}

}  // namespace vigie::match
