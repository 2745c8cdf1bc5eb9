// DigitTokenizer: see digit_tokenizer.h for the model. Two implementations with the same events:
// FeedAvx512 (word-level, from 64-bit class masks) and FeedSse (trigger search + byte state
// machine). The hot parts are the idle skip (most bytes of text start no candidate) and, in
// number-rich text (API JSON: ids, EANs, timestamps), the walk of trigger tokens.
#include "match/digit_tokenizer.h"

#include <emmintrin.h>
#include <immintrin.h>
#include <tmmintrin.h>

#include <utility>

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
    cls['/'] = kSep;
    sep[' '] = kSepSpace;
    sep['.'] = kSepDot;
    sep['-'] = kSepDash;
    sep['/'] = kSepSlash;
  }
};
constexpr ClassTable kTable;

// Byte classes as bits, by nibble lookup: class = kHi[c >> 4] & kLo[c & 15] (bytes >= 0x80 have
// hi entries 0).
enum ClassBit : std::uint8_t {
  kBitDigit = 1,
  kBitLetterA = 2,   // 0x41-0x4F, 0x61-0x6F
  kBitLetterP = 4,   // 0x50-0x5A, 0x70-0x7A
  kBitUnder = 8,     // 0x5F
  kBitSpace = 16,
  kBitDot = 32,
  kBitDash = 64,
  kBitSlash = 128,
};
constexpr std::uint8_t kBitLetter = kBitLetterA | kBitLetterP;
constexpr std::uint8_t kBitWord = kBitDigit | kBitLetter | kBitUnder;
constexpr std::uint8_t kBitSep = kBitSpace | kBitDot | kBitDash | kBitSlash;

inline bool IsWordByte(std::uint8_t c) { return kTable.cls[c] == kDigit || kTable.cls[c] == kLetter || c == '_'; }

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

inline unsigned LetterMask(__m128i v) {  // [A-Za-z]
  const __m128i lower = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(lower, _mm_set1_epi8(25)), lower)));
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
  // Nibble classification (SSSE3 pshufb): class = hi[c >> 4] & lo[c & 15]; bit 1 digit,
  // bits 2/4 letters (0x41-0x4F/0x61-0x6F, 0x50-0x5A/0x70-0x7A), bit 8 separators (0x20 0x2D
  // 0x2E). Bytes >= 0x80 index hi entries 8-15, which are 0.
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hi_table_.data()));
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lo_table_.data()));
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i one = _mm_set1_epi8(1);
  const __m128i zero = _mm_setzero_si128();
  auto classify = [&](const std::uint8_t* p, std::uint64_t& digits, std::uint64_t& token) {
    digits = 0;
    token = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i c = _mm_and_si128(_mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nibble)),
                                      _mm_shuffle_epi8(lo, _mm_and_si128(v, nibble)));
      const auto d = static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(c, one)));
      const auto t = static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(c, zero))) ^ 0xffffu;
      digits |= d << (16 * k);
      token |= t << (16 * k);
    }
  };
  // Runs of run_ token bytes, by doubling: bit p of the result says token[p, p + run_) are all
  // set (bits beyond the window are 0, so runs reaching past it are not reported).
  auto runs = [&](unsigned __int128 t) {
    unsigned __int128 run = t;
    std::uint32_t covered = 1;
    while (covered * 2 <= run_) {
      run &= run >> covered;
      covered *= 2;
    }
    if (covered < run_) run &= run >> (run_ - covered);
    return run;
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

std::uint64_t LetterBit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return std::uint64_t{1} << (c - 'A');
  if (c >= 'a' && c <= 'z') return std::uint64_t{1} << (26 + c - 'a');
  return 0;
}

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
  // run_ by doubling: after shifts 1, 2, 4, ... bit p covers [p, p + covered); one last shift
  // tops it up to run_ (FeedAvx512's search).
  run_steps_ = 0;
  std::uint32_t covered = 1;
  while (covered * 2 <= run_) {
    run_shift_[run_steps_++] = static_cast<std::uint8_t>(covered);
    covered *= 2;
  }
  if (covered < run_) run_shift_[run_steps_++] = static_cast<std::uint8_t>(run_ - covered);
  fit_any_ = 0;
  fit_joined_ = 0;
  spec_sums_.clear();
  if (specs_ != nullptr) {
    for (const DigitSpec& spec : *specs_) {
      spec_sums_.push_back(SumRange(spec.min, spec.max));
      fit_any_ |= spec_sums_.back();
      if (spec.separators != 0) fit_joined_ |= spec_sums_.back();
    }
  }
  // Token bytes for the trigger: digits, the separators some spec accepts, letters if some
  // spec accepts letters.
  hi_table_.fill(0);
  lo_table_.fill(0);
  hi_table_[3] = 1;
  for (int c = 0; c <= 9; ++c) lo_table_[static_cast<std::size_t>(c)] |= 1;
  std::uint8_t seps = 0;
  if (specs_ != nullptr)
    for (const DigitSpec& s : *specs_) seps |= s.separators;
  seps_ = seps;
  token_bits_ = static_cast<std::uint8_t>(kBitDigit | (letters_ ? kBitLetter : 0) | ((seps & kSepSpace) ? kBitSpace : 0) |
                                          ((seps & kSepDot) ? kBitDot : 0) | ((seps & kSepDash) ? kBitDash : 0) |
                                          ((seps & kSepSlash) ? kBitSlash : 0));
  __builtin_cpu_init();
  avx512_ = __builtin_cpu_supports("avx512bw") && !force_sse_;
  if (seps != 0) hi_table_[2] = 8;
  if (seps & kSepSpace) lo_table_[0x0] |= 8;
  if (seps & kSepDash) lo_table_[0xd] |= 8;
  if (seps & kSepDot) lo_table_[0xe] |= 8;
  if (seps & kSepSlash) lo_table_[0xf] |= 8;
  if (letters_) {
    hi_table_[4] = hi_table_[6] = 2;
    hi_table_[5] = hi_table_[7] = 4;
    for (int c = 1; c <= 15; ++c) lo_table_[static_cast<std::size_t>(c)] |= 2;
    for (int c = 0; c <= 10; ++c) lo_table_[static_cast<std::size_t>(c)] |= 4;
  }
  Reset();
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
  if (avx512_)
    FeedAvx512(data, n, offset, out);
  else
    FeedSse(data, n, offset, out);
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
    if (avx512_)
      CommitWord(end, out);  // FeedAvx512 builds the open word in its ring slot
    else
      EndWord(end, out);
  }
  Reset();
}

void DigitTokenizer::EndWord(std::uint64_t end, std::vector<DigitEvent>& out) {
  ring_[words_ % kMaxSignificant] = word_;
  CommitWord(end, out);
}

void DigitTokenizer::EmitEvents(std::uint64_t end, std::vector<DigitEvent>& out) {
  const std::uint64_t depth = words_ < kMaxSignificant ? words_ : kMaxSignificant;
  const std::size_t count = specs_->size();
  for (std::size_t idx = 0; idx < count; ++idx) {
    if ((sums_ & spec_sums_[idx]) == 0) continue;  // no suffix sum of the token fits it
    const DigitSpec& spec = (*specs_)[idx];
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
      if (sum >= spec.min && k + 1 >= spec.min_words && (spec.leading >> (w.first - '0') & 1u) != 0) {
        out.push_back(DigitEvent{end, spec.detector});
        break;
      }
      if ((w.sep_before & spec.separators) == 0) break;  // first word (0) or a separator it refuses
    }
  }
}

// ---- AVX-512BW: word-level walk from 64-bit class masks ----

namespace {

// 64-byte constants (a 16-entry table repeated per 128-bit lane, or one byte repeated).
struct alignas(64) Vec64 {
  std::uint8_t b[64];
};
constexpr Vec64 Repeat(std::uint8_t c) {
  Vec64 v{};
  for (auto& x : v.b) x = c;
  return v;
}
constexpr Vec64 HiTable() {
  Vec64 v{};
  for (int lane = 0; lane < 4; ++lane) {
    std::uint8_t* t = v.b + 16 * lane;
    t[0x2] = kBitSep;
    t[0x3] = kBitDigit;
    t[0x4] = t[0x6] = kBitLetterA;
    t[0x5] = kBitLetterP | kBitUnder;
    t[0x7] = kBitLetterP;
  }
  return v;
}
constexpr Vec64 LoTable() {
  Vec64 v{};
  for (int lane = 0; lane < 4; ++lane) {
    std::uint8_t* t = v.b + 16 * lane;
    for (int c = 0; c <= 9; ++c) t[c] |= kBitDigit;
    for (int c = 1; c <= 15; ++c) t[c] |= kBitLetterA;
    for (int c = 0; c <= 10; ++c) t[c] |= kBitLetterP;
    t[0xf] |= kBitUnder;
    t[0x0] |= kBitSpace;
    t[0xe] |= kBitDot;
    t[0xd] |= kBitDash;
    t[0xf] |= kBitSlash;
  }
  return v;
}
inline constexpr Vec64 kHiTable = HiTable(), kLoTable = LoTable(), kNibble = Repeat(0x0f);
inline constexpr Vec64 kDigitBits = Repeat(kBitDigit), kWordBits = Repeat(kBitWord), kLetterBits = Repeat(kBitLetter),
                       kUnderBits = Repeat(kBitUnder), kSepBits = Repeat(kBitSep);

#define VIGIE_TOK_AVX512 __attribute__((target("avx512f,avx512bw,bmi,bmi2,lzcnt,popcnt")))

struct Masks {
  std::uint64_t valid;  // bytes inside the data
  std::uint64_t digit, word, letter, under, sep;
  std::uint64_t token;  // bytes of the classes in token_bits
};

// Classes of the (up to) 64 bytes at p; bytes past `avail` are not read (masked load) and
// belong to no class. Unused masks cost nothing (inlined).
template <bool kMasked = true>
VIGIE_TOK_AVX512 inline __attribute__((always_inline)) Masks Classify64(const std::uint8_t* p, std::size_t avail,
                                                                       std::uint8_t token_bits = 0) {
  Masks m;
  __m512i v;
  if constexpr (kMasked) {
    m.valid = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(avail < 64 ? avail : 64));
    v = _mm512_maskz_loadu_epi8(m.valid, p);
  } else {  // REQUIRES: avail >= 64
    m.valid = ~std::uint64_t{0};
    v = _mm512_loadu_si512(p);
  }
  const __m512i nibble = _mm512_load_si512(kNibble.b);
  const __m512i hi = _mm512_shuffle_epi8(_mm512_load_si512(kHiTable.b), _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble));
  const __m512i c = _mm512_and_si512(hi, _mm512_shuffle_epi8(_mm512_load_si512(kLoTable.b), _mm512_and_si512(v, nibble)));
  // (constant operands from memory: the loops need no register for them)
  m.digit = _mm512_test_epi8_mask(c, _mm512_load_si512(kDigitBits.b));
  m.word = _mm512_test_epi8_mask(c, _mm512_load_si512(kWordBits.b));
  m.letter = _mm512_test_epi8_mask(c, _mm512_load_si512(kLetterBits.b));
  m.under = _mm512_test_epi8_mask(c, _mm512_load_si512(kUnderBits.b));
  m.sep = _mm512_test_epi8_mask(c, _mm512_load_si512(kSepBits.b));
  m.token = _mm512_test_epi8_mask(c, _mm512_set1_epi8(static_cast<char>(token_bits)));
  return m;
}

// Index of the first byte that is not \w in data[i, n), or n.
VIGIE_TOK_AVX512 inline std::size_t SkipWordBytesAvx512(const std::uint8_t* data, std::size_t i, std::size_t n) {
  while (i < n) {
    const Masks m = Classify64(data + i, n - i);
    const std::uint64_t nonword = ~m.word & m.valid;
    if (nonword != 0) return i + static_cast<std::size_t>(_tzcnt_u64(nonword));
    i += 64;
  }
  return n;
}

// FeedAvx512's search: what it needs of the tokenizer.
struct SearchParams {
  std::uint32_t run;                  // run_
  std::array<std::uint8_t, 5> shift;  // run_shift_ (run_steps_ used)
  std::uint8_t steps;
  std::uint8_t token_bits;            // class bits of token bytes
  std::uint64_t fit_any;              // fit_any_
  std::uint64_t fit_joined;           // fit_joined_
  std::uint64_t prev_is_word;         // the byte before the Feed's data is \w
};

// Masks of the search's last block (block-relative bits), kept for the walk and the resume.
struct SearchBlock {
  std::size_t base = ~std::size_t{0};
  bool last = false;  // the data ends in it, after `limit` bytes
  std::uint64_t limit = 0;
  std::uint64_t starts = 0, trig = 0, token = 0, word = 0, letter = 0, under = 0, sep = 0, breaks = 0;
};

struct SearchCarry {           // between blocks of one search
  std::uint64_t prev_word;     // the byte before the block is \w
  std::size_t pending;         // a word start whose run reaches the block (n: none)
  std::uint64_t pending_need;  // ... is a trigger if the block starts with that many token bytes
};

constexpr std::uint64_t kSumsMask = (std::uint64_t{2} << DigitTokenizer::kMaxSignificant) - 1;  // sums 0..32

// The first trigger of `trig` (block-relative) whose token may yield an event, or 64. A token
// inside the block whose suffix sums at every word end fit no spec yields nothing (ids, EANs,
// timestamps in API JSON): it is skipped here rather than walked. The sums are taken over word
// lengths ('_' counted, words of any length, no token reset): a superset of what the walk
// commits, so a token skipped here has no event.
VIGIE_TOK_AVX512 inline std::uint64_t FirstToken(const SearchParams& sp, const SearchBlock& b, std::uint64_t trig) {
  const std::uint64_t all = ~std::uint64_t{0};
  while (trig != 0) {
    const std::uint64_t p = _tzcnt_u64(trig);
    const std::uint64_t rest = b.breaks >> p;
    if (rest == 0) return p;  // the token reaches the block's (or the data's) end
    const std::uint64_t end = p + _tzcnt_u64(rest);                  // the byte after the token's last word
    if ((b.sep >> end & 1u) != 0 && end + 1 >= b.limit) return p;  // a digit may follow: undecided
    std::uint64_t inner = b.sep & _bzhi_u64(all, static_cast<unsigned>(end)) & ~_bzhi_u64(all, static_cast<unsigned>(p));
    std::uint64_t sums = 0, from = p;
    for (;;) {
      const std::uint64_t to = inner != 0 ? _tzcnt_u64(inner) : end;
      const std::uint64_t len = to - from;
      const std::uint64_t single = std::uint64_t{1} << len;  // the word alone
      const std::uint64_t joined = sums << len;                // with earlier words of the token
      if (((single & sp.fit_any) | (joined & sp.fit_joined)) != 0) return p;
      sums = (joined | single) & kSumsMask;
      if (inner == 0) break;
      inner = _blsr_u64(inner);
      from = to + 1;
    }
    trig &= ~_bzhi_u64(all, static_cast<unsigned>(end));
  }
  return 64;
}

// Word starts of the block past `decided` whose token bytes reach its end: the lowest is
// pending (a higher one needs more of the next block).
VIGIE_TOK_AVX512 inline std::uint64_t Open(const SearchBlock& b, std::uint64_t decided) {
  return b.starts & ~decided & ~_bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(64 - _lzcnt_u64(~b.token)));
}

// One block of the search at data[i, i + 64) (kLast: the data ends in it). Only the digit,
// word and token classes are needed unless the block holds a trigger.
template <bool kLast, unsigned kSteps>
VIGIE_TOK_AVX512 inline __attribute__((always_inline)) std::size_t SearchBlockAt(const SearchParams& sp,
                                                                                 const std::uint8_t* data, std::size_t i,
                                                                                 std::size_t n, SearchBlock& b,
                                                                                 SearchCarry& carry) {
  const std::uint64_t all = ~std::uint64_t{0};
  const std::uint64_t decided = _bzhi_u64(all, 65 - sp.run);
  std::uint64_t valid = all;
  __m512i v;
  if constexpr (kLast) {
    valid = _bzhi_u64(all, static_cast<unsigned>(n - i));
    v = _mm512_maskz_loadu_epi8(valid, data + i);
  } else {
    v = _mm512_loadu_si512(data + i);
  }
  const __m512i nibble = _mm512_load_si512(kNibble.b);
  const __m512i c = _mm512_and_si512(
      _mm512_shuffle_epi8(_mm512_load_si512(kHiTable.b), _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble)),
      _mm512_shuffle_epi8(_mm512_load_si512(kLoTable.b), _mm512_and_si512(v, nibble)));
  const std::uint64_t digit = _mm512_test_epi8_mask(c, _mm512_load_si512(kDigitBits.b));
  const std::uint64_t word = _mm512_test_epi8_mask(c, _mm512_load_si512(kWordBits.b));
  std::uint64_t token = _mm512_test_epi8_mask(c, _mm512_set1_epi8(static_cast<char>(sp.token_bits)));
  const std::uint64_t starts = digit & ~((word << 1) | carry.prev_word) & valid;
  carry.prev_word = word >> 63;
  if constexpr (kLast) token |= ~valid;  // past the data: undecided, taken as token bytes (a walk decides)
  std::uint64_t run = token;
  if constexpr (kSteps > 0) run &= run >> sp.shift[0];
  if constexpr (kSteps > 1) run &= run >> sp.shift[1];
  if constexpr (kSteps > 2) run &= run >> sp.shift[2];
  if constexpr (kSteps > 3) run &= run >> sp.shift[3];
  if constexpr (kSteps > 4) run &= run >> sp.shift[4];
  // Last block: a run past its 64 bytes is past the data too.
  const std::uint64_t trig = starts & (kLast ? run | ~decided : run & decided);
  const bool pending_fires = carry.pending != n && _tzcnt_u64(~token) >= carry.pending_need;
  if (trig != 0 || pending_fires) [[unlikely]] {  // kept in b for FirstToken and the resume
    const std::uint64_t sep = _mm512_test_epi8_mask(c, _mm512_load_si512(kSepBits.b));
    b.base = i;
    b.last = kLast;
    b.limit = kLast ? n - i : 64;
    b.word = word;
    b.letter = _mm512_test_epi8_mask(c, _mm512_load_si512(kLetterBits.b));
    b.under = _mm512_test_epi8_mask(c, _mm512_load_si512(kUnderBits.b));
    b.sep = sep;
    b.starts = starts;
    b.breaks = (~word & valid) & ~(sep & (digit >> 1));
    b.token = token;
    b.trig = trig;
    if (pending_fires) return carry.pending;
    const std::uint64_t r = FirstToken(sp, b, trig);
    if (r < 64) return i + r;
  }
  carry.pending = n;
  if constexpr (!kLast) {
    const std::uint64_t late = starts & ~decided;
    if (late != 0) {
      const std::uint64_t open = late & ~_bzhi_u64(all, static_cast<unsigned>(64 - _lzcnt_u64(~token)));
      if (open != 0) {
        const std::uint64_t q = _tzcnt_u64(open);
        carry.pending = i + q;
        carry.pending_need = q + sp.run - 64;
      }
    }
  }
  return n;
}

template <unsigned kSteps>
VIGIE_TOK_AVX512 std::size_t SearchFrom(const SearchParams& sp, const std::uint8_t* data, std::size_t i, std::size_t n,
                                        SearchBlock& b, SearchCarry& carry) {
  for (; n - i > 64; i += 64) {
    const std::size_t r = SearchBlockAt<false, kSteps>(sp, data, i, n, b, carry);
    if (r != n) return r;
  }
  return i < n ? SearchBlockAt<true, kSteps>(sp, data, i, n, b, carry) : n;
}

// The first digit in data[i, n) that starts a word (the byte before is not \w) followed by a
// run of sp.run token bytes, or whose run reaches the end of the data (undecided here: the walk
// decides, exactly); n when there is none. Blocks of 64 bytes at a fixed stride (the loads do
// not wait for the previous block's result): a block decides its word starts at positions
// <= 64 - sp.run alone; a later one (its run reaches into the next block) is pending and decided
// by the next block's leading token bytes. The last block classified stays in `b`: a search
// resuming inside it (after a walk) reuses its masks.
VIGIE_TOK_AVX512 inline std::size_t SearchAvx512(const SearchParams& sp, const std::uint8_t* data, std::size_t i,
                                                std::size_t n, SearchBlock& b) {
  const std::uint64_t all = ~std::uint64_t{0};
  const std::uint64_t decided = _bzhi_u64(all, 65 - sp.run);
  std::size_t pending = n;         // a word start of the previous block whose run reaches this block
  std::uint64_t pending_need = 0;  // ... if this block starts with that many token bytes
  std::uint64_t prev_word;
  if (i >= b.base && i - b.base < 64) {
    const std::uint64_t from = i - b.base;
    const std::uint64_t r = FirstToken(sp, b, b.trig & ~_bzhi_u64(all, static_cast<unsigned>(from)));
    if (r < 64) return b.base + r;
    if (b.last) return n;
    const std::uint64_t open = Open(b, decided) & ~_bzhi_u64(all, static_cast<unsigned>(from));
    if (open != 0) {
      const std::uint64_t q = _tzcnt_u64(open);
      pending = b.base + q;
      pending_need = q + sp.run - 64;
    }
    prev_word = b.word >> 63;
    i = b.base + 64;
  } else {
    prev_word = i > 0 ? static_cast<std::uint64_t>(IsWordByte(data[i - 1])) : sp.prev_is_word;
  }
  SearchCarry carry{prev_word, pending, pending_need};
  switch (sp.steps) {  // sp.run = 1 + the shifts; sp.run <= 16 takes at most 5
    case 0: return SearchFrom<0>(sp, data, i, n, b, carry);
    case 1: return SearchFrom<1>(sp, data, i, n, b, carry);
    case 2: return SearchFrom<2>(sp, data, i, n, b, carry);
    case 3: return SearchFrom<3>(sp, data, i, n, b, carry);
    case 4: return SearchFrom<4>(sp, data, i, n, b, carry);
    default: return SearchFrom<5>(sp, data, i, n, b, carry);
  }
}

}  // namespace

// Word by word: a window load at each word start gives its end (first non-\w byte), its
// underscores (the word dies) and its letters; the byte after it says whether the token goes
// on (one separator, then a digit). Words longer than max_sig_ (<= 32) die: a window without
// a word end reaching past the data is the only open case, carried to the next Feed.
VIGIE_TOK_AVX512 void DigitTokenizer::FeedAvx512(const std::uint8_t* data, std::size_t n, std::uint64_t offset,
                                                std::vector<DigitEvent>& out) {
  // The open word is built in place in its ring slot: CommitWord finds it there.
  auto open_word = [this](std::uint8_t first, std::uint8_t sep_before) {
    Word& w = ring_[words_ % kMaxSignificant];
    w = Word{};
    w.first = first;
    w.sep_before = sep_before;
    state_ = State::kWord;
  };
  std::size_t i = 0;
  const SearchParams sp{run_, run_shift_, run_steps_, token_bits_, fit_any_, fit_joined_, prev_is_word_};
  SearchBlock block;     // the search's last block
  std::size_t win = n;  // the walk's window: classes of data[win, win + 64)
  Masks wm{};
  if (state_ == State::kSkipWord) {
    i = SkipWordBytesAvx512(data, 0, n);
    if (i < n) state_ = State::kIdle;
  } else if (state_ == State::kAfterSep) {
    if (kTable.cls[data[0]] == kDigit) {
      open_word(data[0], pending_sep_);
    } else {
      words_ = 0;
      state_ = State::kIdle;
    }
  }
  while (i < n) {
    if (state_ == State::kIdle) {
      const std::size_t s = SearchAvx512(sp, data, i, n, block);
      if (s >= n) {
        i = n;
        break;
      }
      words_ = 0;
      open_word(data[s], 0);
      i = s;
      if (s >= block.base && s - block.base < 64) {  // the walk starts with the search's block
        win = block.base;
        wm.valid = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(block.limit));
        wm.word = block.word;
        wm.letter = block.letter;
        wm.under = block.under;
      }
    }
    // kWord: the open word's bytes continue at data[i]. The window loaded for the previous word
    // of the token serves while it holds this word's end (or the end of the data).
    Word& w = ring_[words_ % kMaxSignificant];
    std::size_t off = i - win;
    std::uint64_t nonword = off < 64 ? (~wm.word & wm.valid) >> off : 0;
    if (nonword == 0 && (off >= 64 || wm.valid == ~std::uint64_t{0})) {
      win = i;
      off = 0;
      wm = Classify64(data + i, n - i);
      nonword = ~wm.word & wm.valid;
    }
    Masks m;
    m.valid = wm.valid >> off;
    m.letter = wm.letter >> off;
    m.under = wm.under >> off;
    const std::uint32_t len = nonword != 0 ? static_cast<std::uint32_t>(_tzcnt_u64(nonword))
                                           : static_cast<std::uint32_t>(_mm_popcnt_u64(m.valid));
    const std::uint64_t in_word = _bzhi_u64(~std::uint64_t{0}, len);
    if ((m.under & in_word) != 0 || w.sig + len > max_sig_) {
      // "123_456", or longer than every shape: the word and its token die.
      words_ = 0;
      i = nonword != 0 ? i + len : SkipWordBytesAvx512(data, i + len, n);
      state_ = i < n ? State::kIdle : State::kSkipWord;
      continue;
    }
    if (len != 0) {
      w.sig += len;
      std::uint64_t letters = m.letter & in_word;
      if (letters != 0) {
        w.letter_count += static_cast<std::uint32_t>(_mm_popcnt_u64(letters));
        do {
          w.letters |= LetterBit(data[i + _tzcnt_u64(letters)]);
          letters = _blsr_u64(letters);
        } while (letters != 0);
      }
      w.last = data[i + len - 1];
    }
    if (nonword == 0) {  // the data ends inside the word (len < 64: longer words died above)
      i = n;
      break;
    }
    const std::size_t end = i + len;  // data[end] is not \w
    const std::uint8_t sep = kTable.sep[data[end]];
    i = end + 1;
    if (sep == 0) {  // the token ends with this word
      if (words_ != 0 || ((fit_any_ >> w.sig) & 1u) != 0) CommitWord(offset + end, out);
      words_ = 0;
      state_ = State::kIdle;
      continue;
    }
    CommitWord(offset + end, out);
    if (i == n) {
      pending_sep_ = sep;
      state_ = State::kAfterSep;
      break;
    }
    if (kTable.cls[data[i]] == kDigit) {  // the token goes on
      open_word(data[i], sep);
      continue;
    }
    words_ = 0;  // the token ended; the search starts at data[i] (not a digit)
    state_ = State::kIdle;
  }
  prev_is_word_ = IsWordByte(data[n - 1]);
}

}  // namespace vigie::match
