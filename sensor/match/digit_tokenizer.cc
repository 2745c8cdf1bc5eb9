// DigitTokenizer: see digit_tokenizer.h for the model. The hot part is the idle skip: most
// bytes of text are not digits, and a block of 16 bytes without a digit costs a few cycles.
#include "match/digit_tokenizer.h"

#include <emmintrin.h>

namespace vigie::match {

namespace {

enum Class : std::uint8_t { kOther = 0, kDigit = 1, kLetter = 2, kUnderscore = 3, kSep = 4 };

struct ClassTable {
  std::array<std::uint8_t, 256> cls{};
  std::array<std::uint8_t, 256> sep{};
  constexpr ClassTable() {
    for (int c = '0'; c <= '9'; ++c) cls[c] = kDigit;
    for (int c = 'A'; c <= 'Z'; ++c) cls[c] = kLetter;
    for (int c = 'a'; c <= 'z'; ++c) cls[c] = kLetter;
    cls['_'] = kUnderscore;
    cls[' '] = kSep;
    cls['.'] = kSep;
    cls['-'] = kSep;
    sep[' '] = kSepSpace;
    sep['.'] = kSepDot;
    sep['-'] = kSepDash;
  }
};
constexpr ClassTable kTable;

inline bool IsWordByte(std::uint8_t c) { return kTable.cls[c] == kDigit || kTable.cls[c] == kLetter || c == '_'; }

// Index of the first digit in data[i, n), or n.
inline std::size_t FindDigit(const std::uint8_t* data, std::size_t i, std::size_t n) {
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i t = _mm_sub_epi8(v, zero);                       // digits become 0..9
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(t, nine), t);  // unsigned t <= 9
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(is_digit));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
  for (; i < n; ++i)
    if (kTable.cls[data[i]] == kDigit) return i;
  return n;
}

}  // namespace

std::uint64_t LetterBit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return std::uint64_t{1} << (c - 'A');
  if (c >= 'a' && c <= 'z') return std::uint64_t{1} << (26 + c - 'a');
  return 0;
}

void DigitTokenizer::Reset() {
  state_ = State::kIdle;
  prev_is_word_ = false;
  pending_sep_ = 0;
  word_ = Word{};
  words_ = 0;
}

void DigitTokenizer::Feed(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out) {
  if (!active() || n == 0) return;
  std::size_t i = 0;
  while (i < n) {
    switch (state_) {
      case State::kIdle: {
        const std::size_t j = FindDigit(data, i, n);
        if (j == n) {
          i = n;
          break;
        }
        const bool prev_word = j > 0 ? IsWordByte(data[j - 1]) : prev_is_word_;
        i = j + 1;
        if (prev_word) {  // a digit inside a word ("abc123"): no \b, no candidate can start here
          state_ = State::kSkipWord;
          break;
        }
        words_ = 0;
        word_ = Word{};
        word_.sig = 1;
        word_.first = data[j];
        word_.last = data[j];
        state_ = State::kWord;
        break;
      }
      case State::kWord: {
        for (; i < n; ++i) {
          const std::uint8_t c = data[i];
          const std::uint8_t cls = kTable.cls[c];
          if (cls == kDigit) {
            ++word_.sig;
            word_.last = c;
            continue;
          }
          if (cls == kLetter) {
            ++word_.sig;
            ++word_.letter_count;
            word_.letters |= LetterBit(c);
            word_.last = c;
            continue;
          }
          if (cls == kUnderscore) {  // "123_456" is one \w word no digit detector accepts
            state_ = State::kSkipWord;
            words_ = 0;
            ++i;
            break;
          }
          EndWord(offset + i, out);
          ++i;
          if (cls == kSep) {
            pending_sep_ = kTable.sep[c];
            state_ = State::kAfterSep;
          } else {
            words_ = 0;
            state_ = State::kIdle;
          }
          break;
        }
        break;
      }
      case State::kAfterSep: {
        const std::uint8_t c = data[i];
        if (kTable.cls[c] == kDigit) {
          word_ = Word{};
          word_.sig = 1;
          word_.first = c;
          word_.last = c;
          word_.sep_before = pending_sep_;
          state_ = State::kWord;
          ++i;
        } else {
          // The token ended; the byte is re-examined idle (a letter makes the next digit
          // mid-word, another separator is just a non-word byte).
          words_ = 0;
          state_ = State::kIdle;
        }
        break;
      }
      case State::kSkipWord: {
        while (i < n && IsWordByte(data[i])) ++i;
        if (i < n) state_ = State::kIdle;  // data[i] is not \w: the next digit may start a word
        break;
      }
    }
  }
  prev_is_word_ = IsWordByte(data[n - 1]);
}

void DigitTokenizer::Finish(std::uint64_t end, std::vector<DigitEvent>& out) {
  if (active() && state_ == State::kWord) EndWord(end, out);
  Reset();
}

void DigitTokenizer::EndWord(std::uint64_t end, std::vector<DigitEvent>& out) {
  ring_[words_ % kMaxSignificant] = word_;
  ++words_;
  const std::uint64_t depth = words_ < kMaxSignificant ? words_ : kMaxSignificant;
  for (const DigitSpec& spec : *specs_) {
    std::uint32_t sum = 0;
    for (std::uint64_t k = 0; k < depth; ++k) {
      const Word& w = ring_[(words_ - 1 - k) % kMaxSignificant];
      if (w.letter_count != 0 && (w.letters & ~spec.letters) != 0) {
        // Only the candidate's last word may end with one upper-case letter (7 digits + 'A').
        const bool trailing = spec.trailing_letter && k == 0 && w.letter_count == 1 && w.last >= 'A' && w.last <= 'Z';
        if (!trailing) break;
      }
      sum += w.sig;
      if (sum > spec.max) break;
      if (sum >= spec.min && (spec.leading >> (w.first - '0') & 1u) != 0) {
        out.push_back(DigitEvent{end, spec.detector});
        break;
      }
      if ((w.sep_before & spec.separators) == 0) break;  // first word (0) or a separator it refuses
    }
  }
}

}  // namespace vigie::match
