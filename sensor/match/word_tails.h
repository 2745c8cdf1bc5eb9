#pragma once
// WordTails: the last two bytes of each word of a keyword list (a detector's keywords or names,
// lower case), to tell which words may end a key before comparing any (scanner.cc, EndsWithOne):
// a key before a candidate is compared with the whole list on every candidate that needs its
// context or its name, and most keys end with none of its words. Eight words a compare (SSE2).
#include <emmintrin.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/validators_util.h"

namespace vigie::match {

class WordTails {
 public:
  WordTails() = default;
  explicit WordTails(const std::vector<std::string>& words) {
    const std::size_t lanes = (words.size() + 7) / 8 * 8;
    tail_.assign(lanes, 0xffff);  // padding: a mask of 0 never equals 0xffff
    mask_.assign(lanes, 0);
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w.empty()) continue;  // (never matches: the loader refuses empty keywords)
      const auto last = static_cast<unsigned char>(w.back());
      if (w.size() == 1) {
        tail_[i] = static_cast<std::uint16_t>(last << 8);
        mask_[i] = 0xff00;
      } else {
        tail_[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(w[w.size() - 2]) | last << 8);
        mask_[i] = 0xffff;
      }
    }
  }

  // Bit i (i < 64): words[i] may end `key` (its last one or two bytes are the key's, ASCII
  // case-insensitively). Words from the 65th on: their bits are not given (All() says so).
  std::uint64_t Candidates(std::string_view key) const {
    if (key.empty()) return 0;
    const auto last = static_cast<unsigned char>(detail::ToLower(key.back()));
    const auto prev = key.size() > 1 ? static_cast<unsigned char>(detail::ToLower(key[key.size() - 2])) : 0u;
    const __m128i k = _mm_set1_epi16(static_cast<short>(prev | last << 8));
    std::uint64_t bits = 0;
    const std::size_t blocks = std::min<std::size_t>(tail_.size() / 8, 8);
    for (std::size_t b = 0; b < blocks; ++b) {
      const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail_.data() + 8 * b));
      const __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask_.data() + 8 * b));
      const __m128i eq = _mm_cmpeq_epi16(_mm_and_si128(k, m), t);  // a lane: 0 or 0xffff
      bits |= static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_packs_epi16(eq, eq)) & 0xff) << (8 * b);
    }
    return bits;
  }
  // Whether Candidates covers every word: built from a list of 1 to 64 words (a default one,
  // or a longer list, is compared word by word).
  bool All() const { return !tail_.empty() && tail_.size() <= 64; }

 private:
  std::vector<std::uint16_t> tail_, mask_;
};

}  // namespace vigie::match
