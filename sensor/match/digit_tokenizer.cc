// DigitTokenizer: see digit_tokenizer.h for the model. Two implementations with the same events:
// FeedAvx512 (word-level, from 64-bit class masks; digit_tokenizer_avx512.cc) and FeedSse
// (trigger search + byte state machine; here, with the shared end-of-word logic). The hot
// parts are the idle skip (most bytes of text start no candidate) and, in number-rich text
// (API JSON: ids, EANs, timestamps), the walk of trigger tokens.
#include "match/digit_tokenizer.h"
#include "match/digit_tokenizer_classes.h"
#include "match/cpu.h"

#include <emmintrin.h>
#include <immintrin.h>
#include <tmmintrin.h>

#include <utility>

namespace vigie::match {

using namespace tok;  // NOLINT: the shared byte classes

namespace {

inline unsigned DigitMask(__m128i v) {
  const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8('0'));                            // digits become 0..9
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(9)), t)));
}

inline unsigned WordMask(__m128i v) {  // [A-Za-z0-9_]
  const __m128i lower = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  const __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(lower, _mm_set1_epi8(25)), lower);
  const __m128i under = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letter, under))) | DigitMask(v);
}

// Index of the first digit in data[i, n), or n.
inline std::size_t FindDigit(const std::uint8_t* data, std::size_t i, std::size_t n) {
  while (i + 16 <= n) {
    const unsigned mask = DigitMask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i)));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
  for (; i < n; ++i)
    if (kTable.cls[data[i]] == kDigit) return i;
  return n;
}

// Index of the first non-digit in data[i, n), or n.
inline std::size_t SkipDigits(const std::uint8_t* data, std::size_t i, std::size_t n) {
  while (i + 16 <= n) {
    const unsigned mask = ~DigitMask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i))) & 0xffffu;
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
  for (; i < n; ++i)
    if (kTable.cls[data[i]] != kDigit) return i;
  return n;
}

// Index of the first byte that is not \w in data[i, n), or n.
inline std::size_t SkipWordBytes(const std::uint8_t* data, std::size_t i, std::size_t n) {
  while (i + 16 <= n) {
    const unsigned mask = ~WordMask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i))) & 0xffffu;
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
  for (; i < n; ++i)
    if (!IsWordByte(data[i])) return i;
  return n;
}

}  // namespace

// Every candidate starts with a digit followed by at least min_sig_-1 more bytes that are
// digits, letters or separators (its significant chars, single separators between them). So
// the first position of data[i, ...) where such a run of `run_` bytes begins is at or before
// the start of every candidate not yet seen: bytes before it need no exact processing. 64-byte
// blocks, run_ - 1 bytes of look-ahead. Returns {position, true} or {where scanning stopped,
// false} when fewer than 64 bytes remain.
// SSSE3 is part of the x86-64-v2 baseline the Release build targets (-march=x86-64-v2); the
// attribute lets Debug/sanitizer builds, compiled without -march, use pshufb here too.
__attribute__((target("ssse3"))) std::pair<std::size_t, bool> DigitTokenizer::FindTrigger(const std::uint8_t* data,
                                                                                          std::size_t i,
                                                                                          std::size_t n) const {
  // The byte classes of digit_tokenizer_classes.h (one 16-byte lane of the nibble tables).
  const __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(kHiTable.b));
  const __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(kLoTable.b));
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i digit_bit = _mm_set1_epi8(static_cast<char>(kBitDigit));
  const __m128i token_bits = _mm_set1_epi8(static_cast<char>(token_bits_));
  const __m128i zero = _mm_setzero_si128();
  auto classify = [&](const std::uint8_t* p, std::uint64_t& digits, std::uint64_t& token) {
    digits = 0;
    token = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i c = _mm_and_si128(_mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nibble)),
                                      _mm_shuffle_epi8(lo, _mm_and_si128(v, nibble)));
      const auto d = static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(c, digit_bit), zero))) ^ 0xffffu;
      const auto t = static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(c, token_bits), zero))) ^ 0xffffu;
      digits |= d << (16 * k);
      token |= t << (16 * k);
    }
  };
  // Runs of run_ token bytes (the shift schedule of SetSpecs): bit p of the result says
  // token[p, p + run_) are all set (bits beyond the window are 0, so runs reaching past it are
  // not reported).
  auto runs = [&](unsigned __int128 t) {
    for (std::uint8_t k = 0; k < run_steps_; ++k) t &= t >> run_shift_[k];
    return t;
  };
  if (i + 64 > n) return {i, false};
  std::uint64_t d0, t0;
  classify(data + i, d0, t0);
  // Two blocks in a 128-bit window: every position of the first block sees its look-ahead.
  while (i + 128 <= n) {
    std::uint64_t d1, t1;
    classify(data + i + 64, d1, t1);
    const auto run = runs(static_cast<unsigned __int128>(t0) | (static_cast<unsigned __int128>(t1) << 64));
    const std::uint64_t trig = d0 & static_cast<std::uint64_t>(run);
    if (trig != 0) return {i + static_cast<std::size_t>(__builtin_ctzll(trig)), true};
    i += 64;
    d0 = d1;
    t0 = t1;
  }
  // Last whole block: only the positions whose look-ahead lies inside it.
  const std::uint64_t trig = d0 & static_cast<std::uint64_t>(runs(t0));
  if (trig != 0) return {i + static_cast<std::size_t>(__builtin_ctzll(trig)), true};
  i += 64 - (run_ - 1);
  return {i, false};
}

std::uint64_t LetterBit(unsigned char c) { return kLetterBit.bit[c]; }

void DigitTokenizer::SetSpecs(const std::vector<DigitSpec>* specs) {
  specs_ = specs;
  min_sig_ = kMaxSignificant;
  max_sig_ = 0;
  letters_ = false;
  if (specs_ != nullptr) {
    for (const DigitSpec& s : *specs_) {
      min_sig_ = s.min < min_sig_ ? s.min : min_sig_;
      max_sig_ = s.max > max_sig_ ? s.max : max_sig_;
      letters_ = letters_ || s.letters != 0 || s.trailing_letter;
    }
  }
  run_ = min_sig_ < kMaxRun ? min_sig_ : kMaxRun;
  if (run_ < 1) run_ = 1;
  run_steps_ = RunShifts(run_, run_shift_);
  fit_any_ = 0;
  fit_joined_ = 0;
  fit_joined_sep_.fill(0);
  union_letters_ = 0;
  any_trailing_ = false;
  walk_.clear();
  if (specs_ != nullptr) {
    for (const DigitSpec& spec : *specs_) {
      const SpecWalk& w = walk_.emplace_back(SpecWalk{.sums = SumRange(spec.min, spec.max),
                                                      .letters = spec.letters,
                                                      .min = spec.min,
                                                      .max = spec.max,
                                                      .min_words = spec.min_words,
                                                      .leading = spec.leading,
                                                      .detector = spec.detector,
                                                      .separators = spec.separators,
                                                      .trailing_letter = spec.trailing_letter});
      fit_any_ |= w.sums;
      if (spec.separators != 0) fit_joined_ |= w.sums;
      for (std::uint8_t sep : {kSepSpace, kSepDot, kSepDash, kSepSlash})
        if ((spec.separators & sep) != 0) fit_joined_sep_[sep] |= w.sums;
      union_letters_ |= spec.letters;
      any_trailing_ = any_trailing_ || spec.trailing_letter;
    }
  }
  lone_fit_.fill(0);
  by_sum_.fill(0);
  by_sep_.fill(0);
  lone_masks_ = walk_.size() <= 64;
  if (lone_masks_) {
    for (std::size_t j = 0; j < walk_.size(); ++j) {
      const SpecWalk& w = walk_[j];
      const std::uint64_t bit = std::uint64_t{1} << j;
      for (std::uint32_t sep = 0; sep < 16; ++sep)
        if ((sep & w.separators) != 0) by_sep_[sep] |= bit;
      for (std::uint32_t sig = w.min; sig <= w.max && sig <= kMaxSignificant; ++sig) {
        by_sum_[sig] |= bit;
        if (w.min_words > 1) continue;  // never a one-word walk
        for (std::uint32_t d = 0; d < 10; ++d)
          if ((w.leading >> d & 1u) != 0) lone_fit_[sig * 10 + d] |= bit;
      }
    }
  }
  // Token bytes for the trigger: digits, the separators some spec accepts, letters if some
  // spec accepts letters.
  std::uint8_t seps = 0;
  if (specs_ != nullptr)
    for (const DigitSpec& s : *specs_) seps |= s.separators;
  token_bits_ = static_cast<std::uint8_t>(kBitDigit | (letters_ ? kBitLetter : 0) | ((seps & kSepSpace) ? kBitSpace : 0) |
                                          ((seps & kSepDot) ? kBitDot : 0) | ((seps & kSepDash) ? kBitDash : 0) |
                                          ((seps & kSepSlash) ? kBitSlash : 0));
  impl_ = forced_ != Impl::kAuto     ? forced_
          : Available(Impl::kAvx512) ? Impl::kAvx512
          : Available(Impl::kAvx2)   ? Impl::kAvx2
                                     : Impl::kSse;
  muted_ = 0;
  SetSearch();
  Reset();
}

bool DigitTokenizer::Available(Impl impl) {
  switch (impl) {
    case Impl::kAvx512: return CpuHasAvx512Bw();
    case Impl::kAvx2: return CpuHasAvx2();
    default: return true;
  }
}

void DigitTokenizer::SetMuted(std::uint64_t specs) {
  if (specs == muted_) return;
  muted_ = specs;
  SetSearch();
}

// run by doubling: after shifts 1, 2, 4, ... bit p covers [p, p + covered); one last shift tops
// it up to run. The unused shifts stay 0 (t &= t >> 0 changes nothing).
std::uint8_t DigitTokenizer::RunShifts(std::uint32_t run, std::array<std::uint8_t, 5>& shift) {
  shift.fill(0);
  std::uint8_t steps = 0;
  std::uint32_t covered = 1;
  while (covered * 2 <= run) {
    shift[steps++] = static_cast<std::uint8_t>(covered);
    covered *= 2;
  }
  if (covered < run) shift[steps++] = static_cast<std::uint8_t>(run - covered);
  return steps;
}

void DigitTokenizer::SetSearch() {
  search_fit_any_ = 0;
  search_fit_joined_ = 0;
  // The shortest value of several words a spec not muted accepts: its significant chars and at
  // least one separator.
  std::uint32_t joined_run = kMaxRun + 1;
  for (std::size_t j = 0; j < walk_.size(); ++j) {
    if (j < 64 && ((muted_ >> j) & 1u) != 0) continue;
    search_fit_any_ |= walk_[j].sums;
    if (walk_[j].separators != 0) {
      search_fit_joined_ |= walk_[j].sums;
      joined_run = std::min(joined_run, walk_[j].min + 1);
    }
  }
  // Worth the second test only when it asks for 2 token bytes more than run_ or more (dates
  // muted: a phone's 11 against 8).
  search_joined_ = joined_run >= run_ + 2 ? static_cast<std::uint8_t>(std::min(joined_run - run_, run_)) : 0;
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
  switch (impl_) {
    case Impl::kAvx512: FeedAvx512(data, n, offset, out); return;
    case Impl::kAvx2: FeedAvx2(data, n, offset, out); return;
    default: FeedSse(data, n, offset, out);
  }
}

void DigitTokenizer::FeedSse(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out) {
  std::size_t i = 0;
  exact_until_ = 0;
  while (i < n) {
    switch (state_) {
      case State::kIdle: {
        if (i >= exact_until_) {
          const auto [q, found] = FindTrigger(data, i, n);
          i = q;
          exact_until_ = found ? q + kExactAfterTrigger : n;  // not found: the short tail is processed exactly
        }
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
        while (i < n) {
          const std::size_t k = SkipDigits(data, i, n);
          if (k != i) {
            // Longer than every shape: no candidate can hold this word, skip it (and never let
            // the count wrap on a multi-gigabyte run of digits).
            if (k - i > max_sig_ - (word_.sig < max_sig_ ? word_.sig : max_sig_)) {
              state_ = State::kSkipWord;
              words_ = 0;
              i = k;
              break;
            }
            word_.sig += static_cast<std::uint32_t>(k - i);
            word_.last = data[k - 1];
            i = k;
            if (i == n) break;
          }
          const std::uint8_t c = data[i];
          const std::uint8_t cls = kTable.cls[c];
          if (cls == kLetter && word_.sig < max_sig_) {
            ++word_.sig;
            ++word_.letter_count;
            word_.letters |= LetterBit(c);
            word_.last = c;
            ++i;
            continue;
          }
          if (cls == kUnderscore || cls == kLetter) {  // "123_456": no digit detector accepts it; or too long
            state_ = State::kSkipWord;
            words_ = 0;
            ++i;
            break;
          }
          // Fast path: a lone word (no separator before or after) outside every length range.
          if (words_ != 0 || cls == kSep || (word_.sig >= min_sig_ && word_.sig <= max_sig_)) EndWord(offset + i, out);
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
        i = SkipWordBytes(data, i, n);
        if (i < n) state_ = State::kIdle;  // data[i] is not \w: the next digit may start a word
        break;
      }
    }
  }
  prev_is_word_ = IsWordByte(data[n - 1]);
}

void DigitTokenizer::Finish(std::uint64_t end, std::vector<DigitEvent>& out) {
  if (active() && state_ == State::kWord) {
    if (impl_ != Impl::kSse)
      CommitWord(end, out);  // the word walk builds the open word in its ring slot
    else
      EndWord(end, out);
  }
  Reset();
}

void DigitTokenizer::EndWord(std::uint64_t end, std::vector<DigitEvent>& out) {
  ring_[words_ % kMaxSignificant] = word_;
  CommitWord(end, out);
}

// Every spec whose walk may emit here: a sum it accepts among those reachable (the last word
// alone, or any suffix when it accepts the separator before the last word), and a last word
// whose letters it allows (or the one trailing upper-case letter). Then the walk, as the model.
void DigitTokenizer::EmitEvents(std::uint64_t end, std::vector<DigitEvent>& out) {
  const std::uint64_t depth = words_ < kMaxSignificant ? words_ : kMaxSignificant;
  const Word& last = ring_[(words_ - 1) % kMaxSignificant];
  const std::uint64_t single = std::uint64_t{1} << last.sig;
  const std::uint64_t reach_joined = depth > 1 ? sums_ : single;
  if (depth == 1 && lone_masks_) {  // one word: each spec's walk is its first step
    EmitLone(last, end, out);
    return;
  }
  const bool trailing_upper = last.TrailingUpper();
  // One spec's walk back over the token's words, if a reachable suffix sum fits it.
  auto walk = [&](const SpecWalk& spec) __attribute__((always_inline)) {
    const std::uint64_t reach = (last.sep_before & spec.separators) != 0 ? reach_joined : single;
    if ((reach & spec.sums) == 0) return;  // no reachable suffix sum fits it
    if (last.letter_count != 0 && (last.letters & ~spec.letters) != 0 && !(spec.trailing_letter && trailing_upper))
      return;  // the last word has a letter it refuses
    std::uint32_t sum = 0;
    for (std::uint64_t k = 0; k < depth; ++k) {
      const Word& w = ring_[(words_ - 1 - k) % kMaxSignificant];
      if (k != 0 && w.letter_count != 0 && (w.letters & ~spec.letters) != 0) break;  // letters only as it says
      sum += w.sig;
      if (sum > spec.max) break;
      if (sum >= spec.min && k + 1 >= spec.min_words && (spec.leading >> (w.first - '0') & 1u) != 0) {
        out.push_back(DigitEvent{end, spec.detector});
        break;
      }
      if ((w.sep_before & spec.separators) == 0) break;  // first word (0) or a separator it refuses
    }
  };
  if (!lone_masks_) {
    for (const SpecWalk& spec : walk_) walk(spec);
    return;
  }
  // Only the specs some reachable sum fits (by_sum_), in spec order: usually one of them.
  std::uint64_t joined_specs = 0;
  for (std::uint64_t sums = reach_joined & fit_any_; sums != 0; sums &= sums - 1)
    joined_specs |= by_sum_[static_cast<std::size_t>(__builtin_ctzll(sums))];
  const std::uint64_t sep_specs = by_sep_[last.sep_before & 15u];
  for (std::uint64_t specs = (joined_specs & sep_specs) | (by_sum_[last.sig] & ~sep_specs); specs != 0;
       specs &= specs - 1)
    walk(walk_[static_cast<std::size_t>(__builtin_ctzll(specs))]);
}

}  // namespace vigie::match
