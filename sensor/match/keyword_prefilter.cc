// KeywordPrefilter's search (keyword_prefilter.h): SSSE3 (the baseline) and AVX2, the same
// body (keyword_prefilter_scan.inc) compiled for each.
#include "match/keyword_prefilter.h"

#include <immintrin.h>

#include <cstring>

#include "match/cpu.h"

namespace vigie::match {
namespace {

struct SseOps {
  using V = __m128i;
  static constexpr std::size_t kWidth = 16;
  static V Ones() { return _mm_set1_epi8(-1); }
  static V Set1(char c) { return _mm_set1_epi8(c); }
  static V Load(const char* b) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)); }
  static V Table(const std::uint8_t* t) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(t)); }
  static V Or(V a, V b) { return _mm_or_si128(a, b); }
  static V And(V a, V b) { return _mm_and_si128(a, b); }
  static V Srli4(V a) { return _mm_srli_epi16(a, 4); }
  static V Shuffle(V t, V i) { return _mm_shuffle_epi8(t, i); }
  static unsigned NonZero(V m) {
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128()))) ^ 0xffffu;
  }
};
#define VIGIE_KW_NS sse
#define VIGIE_KW_OPS SseOps
#include "match/keyword_prefilter_scan.inc"
#undef VIGIE_KW_NS
#undef VIGIE_KW_OPS

#pragma GCC push_options
#pragma GCC target("avx2")
struct Avx2Ops {
  using V = __m256i;
  static constexpr std::size_t kWidth = 32;
  static V Ones() { return _mm256_set1_epi8(-1); }
  static V Set1(char c) { return _mm256_set1_epi8(c); }
  static V Load(const char* b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b)); }
  static V Table(const std::uint8_t* t) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  }
  static V Or(V a, V b) { return _mm256_or_si256(a, b); }
  static V And(V a, V b) { return _mm256_and_si256(a, b); }
  static V Srli4(V a) { return _mm256_srli_epi16(a, 4); }
  static V Shuffle(V t, V i) { return _mm256_shuffle_epi8(t, i); }
  static unsigned NonZero(V m) {
    return ~static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, _mm256_setzero_si256())));
  }
};
#define VIGIE_KW_NS avx2
#define VIGIE_KW_OPS Avx2Ops
#include "match/keyword_prefilter_scan.inc"
#undef VIGIE_KW_NS
#undef VIGIE_KW_OPS
#pragma GCC pop_options

}  // namespace

bool KeywordPrefilter::MayHoldVector(const char* p, std::size_t n, bool avx2) const {
  static const bool has_avx2 = CpuHasAvx2();
  return avx2 && has_avx2 ? avx2::Scan(lo_, hi_, p, n) : sse::Scan(lo_, hi_, p, n);
}

}  // namespace vigie::match
