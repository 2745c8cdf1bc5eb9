#pragma once
// KeywordPrefilter: whether a detector's keywords may occur in the bytes before a candidate,
// before the keyword database is run on them (scanner.cc, OnCandidate). A Hyperscan block scan
// costs about 500 instructions a call on the ~100 bytes of a short context window, mostly the
// call; most candidates that need context in text without personal data (an 8-digit number, a
// France Travail id's shape, in a JSON API's ids) have none of their keywords near. The filter
// looks for the first three bytes of each keyword, each byte ORed with
// 0x20, in nibble tables (one bit per keyword prefix, eight buckets; more prefixes share a
// bucket): every byte that starts a keyword (ASCII case-insensitively, or an accented Latin-1
// letter of either case in UTF-8) passes it, and most other positions do not. A superset: a pass
// is checked by the database; a fail means no keyword of the detector starts there.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::match {

class KeywordPrefilter {
 public:
  static constexpr std::size_t kPrefix = 3;

  KeywordPrefilter() = default;
  // `words`: the keywords (and field names) of one detector, as written (any case). An empty
  // list, or a word shorter than three bytes: no filter (MayHold is always true).
  explicit KeywordPrefilter(const std::vector<std::string>& words) {
    if (words.empty()) return;
    std::vector<std::string> prefixes;
    for (const std::string& w : words) {
      if (w.size() < kPrefix) return;
      std::string p;
      for (std::size_t j = 0; j < kPrefix; ++j) p.push_back(static_cast<char>(w[j] | 0x20));
      if (std::find(prefixes.begin(), prefixes.end(), p) == prefixes.end()) prefixes.push_back(p);
    }
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      const auto bit = static_cast<std::uint8_t>(1u << (i % 8));
      for (std::size_t j = 0; j < kPrefix; ++j) {
        const auto c = static_cast<unsigned char>(prefixes[i][j]);
        lo_[j][c & 15] |= bit;
        hi_[j][c >> 4] |= bit;
      }
    }
    on_ = true;
  }

  // Whether a keyword of the detector may lie in p[0, n) (its first three bytes are there).
  // `avx2`: the AVX2 search when the CPU has it (false: the SSSE3 one; the tests run both).
  bool MayHold(const char* p, std::size_t n, bool avx2 = true) const {
    if (!on_) return true;
    if (n < kPrefix) return false;
    return MayHoldVector(p, n, avx2);
  }
  bool On() const { return on_; }

  using Tables = std::array<std::array<std::uint8_t, 16>, kPrefix>;

 private:
  bool MayHoldVector(const char* p, std::size_t n, bool avx2) const;  // keyword_prefilter.cc

  bool on_ = false;
  Tables lo_{}, hi_{};
};

}  // namespace vigie::match
