// DigitTokenizer's word-level walk from 64-bit class masks (FeedAvx512, FeedAvx2), included once
// per instruction set by digit_tokenizer_avx512.cc and digit_tokenizer_avx2.cc, which define
//   VIGIE_TOK_WIDTH   512 (AVX-512BW: a 64-byte block is one vector, masked loads at the data's
//                     end) or 256 (AVX2: two vectors, the data's last block copied zero-padded);
//   VIGIE_TOK_TARGET  the functions' target attribute;
//   VIGIE_TOK_FEED    the member function defined here.
// Only the block's classification differs (Vec, LoadVec, ClassOf, TestBits below); the search
// and the walk are the same mask arithmetic. See digit_tokenizer.h for the model and
// digit_tokenizer.cc for the SSE path and the shared end-of-word logic.
// Not a public header: no include guard (each including file compiles its own copy).
#include <immintrin.h>

#include "match/cpu.h"
#include "match/digit_tokenizer.h"
#include "match/digit_tokenizer_classes.h"

namespace vigie::match {

using namespace tok;  // NOLINT: the shared byte classes

namespace {

inline constexpr Vec64 kNibble = Repeat(0x0f);
inline constexpr Vec64 kDigitBits = Repeat(kBitDigit), kWordBits = Repeat(kBitWord), kUnderBits = Repeat(kBitUnder);

// 64 bytes of data or of class bits, and the byte constants they are tested against.
#if VIGIE_TOK_WIDTH == 512
using Vec = __m512i;
using Splat = __m512i;
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec LoadVec(const std::uint8_t* p) { return _mm512_loadu_si512(p); }
// The bytes of `valid` (its low bits: the data left), zeros past them (no class), nothing past them read.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec LoadVecPart(const std::uint8_t* p, std::uint64_t valid) {
  return _mm512_maskz_loadu_epi8(valid, p);
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Splat SplatOf(const Vec64& c) { return _mm512_load_si512(c.b); }
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Splat SplatByte(std::uint8_t c) {
  return _mm512_set1_epi8(static_cast<char>(c));
}
// Class bits of each byte: hi[byte >> 4] & lo[byte & 15]. The lo lookup takes the byte itself as
// its index: pshufb gives 0 for a byte >= 0x80 (bit 7 set), as hi[8..15] does (no class).
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec ClassOf(Vec v, Splat nibble, Splat hi, Splat lo) {
  return _mm512_and_si512(_mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble)),
                          _mm512_shuffle_epi8(lo, v));
}
// Bit k set where byte k of c has one of `bits`.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t TestBits(Vec c, Splat bits) {
  return _mm512_test_epi8_mask(c, bits);
}
// Bit k set where byte k of c is a digit, a word byte, '_', a byte of any class (TestBits with
// kDigitBits, kWordBits, kUnderBits, all bits).
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t DigitMask(Vec c) {
  return _mm512_test_epi8_mask(c, SplatOf(kDigitBits));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t WordMask(Vec c) {
  return _mm512_test_epi8_mask(c, SplatOf(kWordBits));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t UnderMask(Vec c) {
  return _mm512_test_epi8_mask(c, SplatOf(kUnderBits));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t ClassMask(Vec c) {
  return _mm512_test_epi8_mask(c, c);
}
#else
struct Vec {
  __m256i a, b;
};
using Splat = __m256i;
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec LoadVec(const std::uint8_t* p) {
  return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))};
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec LoadVecPart(const std::uint8_t* p, std::uint64_t valid) {
  alignas(32) std::uint8_t copy[64];
  return LoadVec(Block64<std::uint8_t>(p, static_cast<std::size_t>(_mm_popcnt_u64(valid)), copy, 0));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Splat SplatOf(const Vec64& c) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(c.b));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Splat SplatByte(std::uint8_t c) {
  return _mm256_set1_epi8(static_cast<char>(c));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) __m256i ClassOf32(__m256i x, Splat nibble, Splat hi, Splat lo) {
  return _mm256_and_si256(_mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble)),
                          _mm256_shuffle_epi8(lo, x));  // (as ClassOf for AVX-512: no mask needed)
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Vec ClassOf(Vec v, Splat nibble, Splat hi, Splat lo) {
  return {ClassOf32(v.a, nibble, hi, lo), ClassOf32(v.b, nibble, hi, lo)};
}
// Bit k set where byte k of x has none of `bits`.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint32_t NoBits32(__m256i x, Splat bits) {
  return static_cast<std::uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(x, bits), _mm256_setzero_si256())));
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t TestBits(Vec c, Splat bits) {
  return ~(std::uint64_t{NoBits32(c.b, bits)} << 32 | NoBits32(c.a, bits));
}
// The masks of the class layout (digit_tokenizer_classes.h) in fewer instructions than
// TestBits' three: movemask reads each byte's top bit.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t TopBits(__m256i a, __m256i b) {
  return std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(b))} << 32 |
         static_cast<std::uint32_t>(_mm256_movemask_epi8(a));
}
// A digit: the top bit.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t DigitMask(Vec c) { return TopBits(c.a, c.b); }
// A word byte: a class byte >= 0x10 (+ 0x70, saturated, sets the top bit).
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t WordMask(Vec c) {
  const __m256i k = _mm256_set1_epi8(0x70);
  return TopBits(_mm256_adds_epu8(c.a, k), _mm256_adds_epu8(c.b, k));
}
// '_': its bit (4) shifted to the top (a 16-bit shift moves each byte's bits alike).
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t UnderMask(Vec c) {
  return TopBits(_mm256_slli_epi16(c.a, 3), _mm256_slli_epi16(c.b, 3));
}
// Any class: a class byte >= 1.
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t ClassMask(Vec c) {
  const __m256i k = _mm256_set1_epi8(0x7f);
  return TopBits(_mm256_adds_epu8(c.a, k), _mm256_adds_epu8(c.b, k));
}
static_assert(kBitDigit == 0x80 && kBitWord == 0xf0 && kBitUnder == 0x10);
#endif

struct Masks {
  std::uint64_t valid;  // bytes inside the data
  std::uint64_t digit, word, letter, under, sep;
  std::uint64_t token;  // bytes of the classes in token_bits
};

// Classes of the (up to) 64 bytes at p; bytes past `avail` are not read (masked load) and
// belong to no class. Unused masks cost nothing (inlined).
template <bool kMasked = true>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Masks Classify64(const std::uint8_t* p, std::size_t avail,
                                                                       std::uint8_t token_bits = 0) {
  Masks m;
  Vec v;
  if constexpr (kMasked) {
    m.valid = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(avail < 64 ? avail : 64));
    v = LoadVecPart(p, m.valid);
  } else {  // REQUIRES: avail >= 64
    m.valid = ~std::uint64_t{0};
    v = LoadVec(p);
  }
  const Vec c = ClassOf(v, SplatOf(kNibble), SplatOf(kHiTable), SplatOf(kLoTable));
  // (constant operands from memory: the loops need no register for them)
  // (a byte has one class: letters are the word bytes but digits and '_', separators the bytes
  // of a class but the word ones)
  m.digit = DigitMask(c);
  m.word = WordMask(c);
  m.under = UnderMask(c);
  m.letter = m.word & ~m.digit & ~m.under;
  const std::uint64_t any = ClassMask(c);
  m.sep = any & ~m.word;
  m.token = token_bits == ((kBitWord & ~kBitUnder) | kBitSep) ? any & ~m.under : TestBits(c, SplatByte(token_bits));
  return m;
}

// LetterBit of every letter of p marked in `letters` (bit k: p[k]).
VIGIE_TOK_TARGET inline std::uint64_t LetterBitsAt(const std::uint8_t* p, std::uint64_t letters) {
  std::uint64_t bits = 0;
  for (; letters != 0; letters = _blsr_u64(letters)) bits |= kLetterBit.bit[p[_tzcnt_u64(letters)]];
  return bits;
}

// Index of the first byte that is not \w in data[i, n), or n.
VIGIE_TOK_TARGET inline std::size_t SkipWordBytesVec(const std::uint8_t* data, std::size_t i, std::size_t n) {
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
  std::uint64_t fit_any;              // search_fit_any_ (the specs not muted)
  std::uint64_t fit_joined;           // search_fit_joined_
  std::uint64_t prev_is_word;         // the byte before the Feed's data is \w
  bool joined;                        // search_joined_ != 0: the sharper trigger
  std::uint8_t joined_shift;          // search_joined_
};

// Masks of the search's last block (block-relative bits), kept for the walk and the resume.
struct SearchBlock {
  std::size_t base = ~std::size_t{0};
  bool last = false;  // the data ends in it, after `limit` bytes
  std::uint64_t limit = 0;
  std::uint64_t starts = 0, trig = 0, token = 0, word = 0, letter = 0, under = 0, sep = 0, breaks = 0;
};

constexpr std::uint64_t kNoPending = 65;  // no block starts with 65 token (or word) bytes

// The lowest word start of a block whose trigger the next block decides (its token bytes reach
// the block's end), and what the next block must start with for it to be one: need token bytes
// (then the start's run of them is long enough), or word_need word bytes (sp.joined: a one-word
// value; the block's last word is the pending start's token's, so walking from the pending
// start finds it).
struct Pending {
  std::uint64_t at = 0;  // block-relative
  std::uint64_t need = kNoPending, word_need = kNoPending;
};

struct SearchCarry {              // between blocks of one search
  std::uint64_t prev_word;        // the byte before the block is \w
  std::size_t pending;            // a word start whose run reaches the block (if pending_need <= 64)
  std::uint64_t pending_need;     // Pending::need (kNoPending: none)
  std::uint64_t pending_word_need;  // Pending::word_need
};

constexpr std::uint64_t kSumsMask = (std::uint64_t{2} << DigitTokenizer::kMaxSignificant) - 1;  // sums 0..32

// The first trigger of `trig` (block-relative) whose token may yield an event, or 64. A token
// inside the block whose suffix sums at every word end fit no spec yields nothing (ids, EANs,
// timestamps in API JSON): it is skipped here rather than walked. The sums are taken over word
// lengths ('_' counted, words of any length, no token reset): a superset of what the walk
// commits, so a token skipped here has no event.
// A trigger may be a later word of its token: with sp.joined, a word of run word bytes is decided
// in its block where the token's first word, needing run + joined_shift token bytes, may not
// be (its run reaches the next block: "6 78740234071097" at byte 54). The token is walked from
// its first word start in the block at or past `first` (where the search resumes): walked from
// the trigger, its first words were lost (session 20).
VIGIE_TOK_TARGET inline std::uint64_t FirstToken(const SearchParams& sp, const SearchBlock& b, std::uint64_t trig,
                                                 std::uint64_t first = 0) {
  const std::uint64_t all = ~std::uint64_t{0};
  while (trig != 0) {
    std::uint64_t p = _tzcnt_u64(trig);
    const std::uint64_t below = b.breaks & _bzhi_u64(all, static_cast<unsigned>(p));
    const std::uint64_t after_break = below != 0 ? 64 - _lzcnt_u64(below) : 0;
    const std::uint64_t earlier = b.starts & _bzhi_u64(all, static_cast<unsigned>(p)) &
                                  ~_bzhi_u64(all, static_cast<unsigned>(after_break > first ? after_break : first));
    if (earlier != 0) p = _tzcnt_u64(earlier);
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

// Of a block's word starts (at or past `from`) that are no trigger, those whose token bytes
// reach its end and whose run is not decided inside it (past 64 - run, or 64 - run -
// joined_shift when sp.joined): the lowest is pending (a higher one needs more of the next
// block, or is the last word, whose word_need the lowest carries).
VIGIE_TOK_TARGET inline __attribute__((always_inline)) Pending OpenStart(const SearchParams& sp, std::uint64_t starts,
                                                                         std::uint64_t token, std::uint64_t word,
                                                                         std::uint64_t trig, std::uint64_t from) {
  const std::uint64_t all = ~std::uint64_t{0};
  const unsigned run = sp.run + sp.joined_shift;
  const std::uint64_t tail = ~_bzhi_u64(all, static_cast<unsigned>(64 - _lzcnt_u64(~token)));
  const std::uint64_t open = starts & tail & ~_bzhi_u64(all, 65 - run) & ~trig & ~_bzhi_u64(all, static_cast<unsigned>(from));
  Pending p;
  if (open == 0) return p;
  p.at = _tzcnt_u64(open);
  p.need = p.at + run - 64;
  if (sp.joined) {
    const std::uint64_t last_word = open & ~_bzhi_u64(all, static_cast<unsigned>(64 - _lzcnt_u64(~word)));
    if (last_word != 0) p.word_need = _tzcnt_u64(last_word) + sp.run - 64;
  }
  return p;
}

// The search's constants, held in registers across its loop.
struct SearchConsts {
  Splat nibble, hi, lo, token;
};
VIGIE_TOK_TARGET inline __attribute__((always_inline)) SearchConsts MakeSearchConsts(std::uint8_t token_bits) {
  return {SplatOf(kNibble), SplatOf(kHiTable), SplatOf(kLoTable), SplatByte(token_bits)};
}

// The classes the search needs of one block at data[i, i + 64) (kLast: the data ends in it).
struct SearchClasses {
  Vec c;  // class bits per byte
  std::uint64_t valid, digit, word, token;
};
// kWord false: the word mask is left for AddWord (NoRunFromADigit first tells whether it is needed).
template <bool kLast, bool kWord = true>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) SearchClasses ClassifySearch(const SearchConsts& sc,
                                                                                   const std::uint8_t* data,
                                                                                   std::size_t i, std::size_t n) {
  SearchClasses k;
  Vec v;
  if constexpr (kLast) {
    k.valid = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(n - i));
    v = LoadVecPart(data + i, k.valid);
  } else {
    k.valid = ~std::uint64_t{0};
    v = LoadVec(data + i);
  }
  k.c = ClassOf(v, sc.nibble, sc.hi, sc.lo);
  k.digit = DigitMask(k.c);
  if constexpr (kWord) k.word = WordMask(k.c);
  k.token = TestBits(k.c, sc.token);
  if constexpr (kLast) k.token |= ~k.valid;  // past the data: undecided, taken as token bytes (a walk decides)
  return k;
}
VIGIE_TOK_TARGET inline __attribute__((always_inline)) void AddWord(SearchClasses& k) {
  k.word = WordMask(k.c);
}

// A block's word starts and, of them, those followed by a run of token bytes: bit p of x says
// a start at p with token[p, min(p + run, 64)) all set (runs by doubling with arithmetic
// shifts: the bytes past the block count as token bytes). Below `decided` those are triggers;
// above it, open starts (their run reaches the block's end: the next block decides).
struct StartRuns {
  std::uint64_t starts, x;
  std::int64_t run;  // the token runs (bit p: token[p, p + run) all set, or set to the block's end)
};
// Bit p of the result: mask[p, p + sp.run) all set, or set from p to the block's end when
// mask's bit 63 is (the arithmetic shifts fill with it).
template <unsigned kSteps>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::int64_t Runs(const SearchParams& sp, std::uint64_t mask) {
  std::int64_t run = static_cast<std::int64_t>(mask);
  if constexpr (kSteps > 0) run &= run >> sp.shift[0];
  if constexpr (kSteps > 1) run &= run >> sp.shift[1];
  if constexpr (kSteps > 2) run &= run >> sp.shift[2];
  if constexpr (kSteps > 3) run &= run >> sp.shift[3];
  if constexpr (kSteps > 4) run &= run >> sp.shift[4];
  return run;
}
template <unsigned kSteps>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) StartRuns FindStartRuns(const SearchParams& sp,
                                                                               const SearchClasses& k,
                                                                               std::uint64_t prev_word) {
  const std::uint64_t starts = k.digit & ~((k.word << 1) | prev_word) & k.valid;
  const std::int64_t run = Runs<kSteps>(sp, k.token);
  return {starts, starts & static_cast<std::uint64_t>(run), run};
}

// Whether an inner block (not the data's last) holds no trigger, no open start and nothing
// that fires a pending one, from its digit and token masks alone (REQUIRES: no start pending):
// every word start is a digit, and FindStartRuns' x is starts & runs. Its word mask is then not
// needed but for its last byte (the next block's prev_word, read as a byte). On AVX2 the search
// takes this test first (binary data and long text without numbers: most blocks), the word mask
// costing three instructions a 32-byte half; AVX-512 tests a mask in one and computes it always.
constexpr bool kLazyWord = VIGIE_TOK_WIDTH == 256;
template <unsigned kSteps>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) bool NoRunFromADigit(const SearchParams& sp,
                                                                            const SearchClasses& k) {
  return (k.digit & static_cast<std::uint64_t>(Runs<kSteps>(sp, k.token))) == 0;
}

template <unsigned kSteps>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t WordRuns(const SearchParams& sp,
                                                                              const SearchClasses& k) {
  return static_cast<std::uint64_t>(Runs<kSteps>(sp, k.word));
}
// sp.joined: of FindStartRuns' x, the starts also followed by run word bytes (a value of one
// word) or by run + sp.joined_shift token bytes (of several words). A start whose token bytes
// reach the block's end keeps its bit (the arithmetic shifts fill with it): the open starts are
// the same.
template <unsigned kSteps>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::uint64_t Sharpen(const SearchParams& sp,
                                                                             const SearchClasses& k,
                                                                             const StartRuns& sr) {
  return sr.x & (WordRuns<kSteps>(sp, k) | static_cast<std::uint64_t>(sr.run >> sp.joined_shift));
}

// What one block decides from FindStartRuns: its triggers, whether the pending start of the
// previous block fires, and the block's own pending start (the lowest open one).
struct SearchQuick {
  std::uint64_t starts, trig;
  bool fires;
  std::size_t pending;
  std::uint64_t pending_need, pending_word_need;
};
template <bool kLast, unsigned kSteps, bool kJoined>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) SearchQuick QuickSearch(const SearchParams& sp,
                                                                               const SearchClasses& k, std::size_t i,
                                                                               std::uint64_t prev_word,
                                                                               std::uint64_t pending_need,
                                                                               std::uint64_t pending_word_need) {
  const std::uint64_t all = ~std::uint64_t{0};
  const std::uint64_t decided = _bzhi_u64(all, 65 - sp.run);
  const StartRuns sr = FindStartRuns<kSteps>(sp, k, prev_word);
  SearchQuick q;
  q.starts = sr.starts;
  if constexpr (kLast) {
    // A start past `decided` (its run would reach past the data) is a trigger too.
    const std::uint64_t x = kJoined && sr.x != 0 ? Sharpen<kSteps>(sp, k, sr) : sr.x;
    q.trig = sr.starts & (x | ~decided);
  } else if (kJoined && sr.x != 0) {
    // Each condition where the block decides it: run word bytes before 64 - run, the longer
    // run of token bytes before 64 - run - joined_shift.
    const std::uint64_t joined = static_cast<std::uint64_t>(sr.run & (sr.run >> sp.joined_shift));
    q.trig = sr.x & ((WordRuns<kSteps>(sp, k) & decided) | (joined & _bzhi_u64(all, 65 - sp.run - sp.joined_shift)));
  } else {
    q.trig = sr.x & decided;
  }
  // (branches: in text both are rare, and the pair loop decides without them)
  q.fires = false;
  if (pending_need != kNoPending) [[unlikely]] {
    q.fires = _tzcnt_u64(~k.token) >= pending_need;
    if constexpr (kJoined) q.fires = q.fires || _tzcnt_u64(~k.word) >= pending_word_need;
  }
  q.pending = 0;
  q.pending_need = kNoPending;
  q.pending_word_need = kNoPending;
  if constexpr (!kLast) {
    if constexpr (!kJoined) {
      const std::uint64_t open = sr.x & ~decided;  // (OpenStart's, for the run_ test alone)
      if (open != 0) [[unlikely]] {
        const std::uint64_t at = _tzcnt_u64(open);
        q.pending = i + at;
        q.pending_need = at + sp.run - 64;
      }
    } else if ((sr.x & ~q.trig & ~_bzhi_u64(all, 65 - sp.run - sp.joined_shift)) != 0) [[unlikely]] {
      // (every open start is in sr.x: its token bytes reach the block's end)
      const Pending p = OpenStart(sp, sr.starts, k.token, k.word, q.trig, 0);
      q.pending = i + p.at;
      q.pending_need = p.need;
      q.pending_word_need = p.word_need;
    }
  }
  return q;
}

// The rest of one block after QuickSearch: the block's masks kept in b (for FirstToken and the
// resume) when it holds a trigger or fires the pending start, the carry updated otherwise.
template <bool kLast>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::size_t FinishBlock(const SearchParams& sp,
                                                                               const SearchClasses& k,
                                                                               const SearchQuick& q, std::size_t i,
                                                                               std::size_t n, SearchBlock& b,
                                                                               SearchCarry& carry) {
  carry.prev_word = k.word >> 63;
  if (q.trig != 0 || q.fires) [[unlikely]] {
    const std::uint64_t sep = ClassMask(k.c) & ~k.word;
    b.base = i;
    b.last = kLast;
    b.limit = kLast ? n - i : 64;
    b.word = k.word;
    b.under = UnderMask(k.c);
    b.letter = k.word & ~k.digit & ~b.under;
    b.sep = sep;
    b.starts = q.starts;
    b.breaks = (~k.word & k.valid) & ~(sep & (k.digit >> 1));
    b.token = k.token;
    b.trig = q.trig;
    if (q.fires) return carry.pending;
    const std::uint64_t r = FirstToken(sp, b, q.trig);
    if (r < 64) return i + r;
  }
  carry.pending = q.pending;
  carry.pending_need = q.pending_need;
  carry.pending_word_need = q.pending_word_need;
  return n;
}

// One block of the search at data[i, i + 64) (kLast: the data ends in it).
template <bool kLast, unsigned kSteps, bool kJoined>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::size_t SearchBlockAt(const SearchParams& sp,
                                                                                 const SearchConsts& sc,
                                                                                 const std::uint8_t* data, std::size_t i,
                                                                                 std::size_t n, SearchBlock& b,
                                                                                 SearchCarry& carry) {
  SearchClasses k = ClassifySearch<kLast, kLast || !kLazyWord>(sc, data, i, n);
  if constexpr (kLazyWord && !kLast) {
    if (carry.pending_need == kNoPending && NoRunFromADigit<kSteps>(sp, k)) {
      carry.prev_word = IsWordByte(data[i + 63]);
      return n;
    }
    AddWord(k);
  }
  const SearchQuick q = QuickSearch<kLast, kSteps, kJoined>(sp, k, i, carry.prev_word, carry.pending_need, carry.pending_word_need);
  return FinishBlock<kLast>(sp, k, q, i, n, b, carry);
}

// A pair of inner blocks where a word start may trigger or be open, or the previous block's
// pending start may fire: searched one by one, exactly (SearchBlockAt). Out of line, arguments
// by value: the pair loop keeps its values in registers (no stores for this call).
struct PairResult {
  std::size_t r;
  SearchCarry carry;
};
template <unsigned kSteps, bool kJoined>
VIGIE_TOK_TARGET __attribute__((noinline)) PairResult SearchPairExactly(const SearchParams& sp, SearchClasses k0,
                                                                       SearchClasses k1, std::size_t i, std::size_t n,
                                                                       SearchBlock& b, SearchCarry carry) {
  const SearchQuick q0 = QuickSearch<false, kSteps, kJoined>(sp, k0, i, carry.prev_word, carry.pending_need, carry.pending_word_need);
  std::size_t r = FinishBlock<false>(sp, k0, q0, i, n, b, carry);
  if (r == n) {
    const SearchQuick q1 =
        QuickSearch<false, kSteps, kJoined>(sp, k1, i + 64, carry.prev_word, carry.pending_need, carry.pending_word_need);
    r = FinishBlock<false>(sp, k1, q1, i + 64, n, b, carry);
  }
  return {r, carry};
}

// Blocks two at a time (128 bytes per step). The common case in binary data: no word start of
// either block is followed by a run of token bytes (inside the block or to its end) and no
// start is pending, so there is no trigger and nothing pending after the pair: one branch.
// Parameters, constants and carry are copied into locals (registers: the stores to `b` could
// alias them otherwise).
template <unsigned kSteps, bool kJoined>
VIGIE_TOK_TARGET __attribute__((noinline)) std::size_t SearchFrom(const SearchParams& params, const std::uint8_t* data,
                                                                 std::size_t i, std::size_t n, SearchBlock& b,
                                                                 const SearchCarry& carry_in) {
  const SearchParams sp = params;
  const SearchConsts sc = MakeSearchConsts(sp.token_bits);
  SearchCarry carry = carry_in;
  while (n - i > 128) {
    SearchClasses k0 = ClassifySearch<false, !kLazyWord>(sc, data, i, n);
    SearchClasses k1 = ClassifySearch<false, !kLazyWord>(sc, data, i + 64, n);
    if constexpr (kLazyWord) {
      if ((carry.pending_need == kNoPending) & NoRunFromADigit<kSteps>(sp, k0) & NoRunFromADigit<kSteps>(sp, k1)) {
        carry.prev_word = IsWordByte(data[i + 127]);
        i += 128;
        continue;
      }
      AddWord(k0);
      AddWord(k1);
    }
    const StartRuns r0 = FindStartRuns<kSteps>(sp, k0, carry.prev_word);
    const StartRuns r1 = FindStartRuns<kSteps>(sp, k1, k0.word >> 63);
    bool exact = ((r0.x | r1.x) != 0) | (carry.pending_need != kNoPending);
    if (exact && kJoined && carry.pending_need == kNoPending) [[unlikely]]
      exact = (Sharpen<kSteps>(sp, k0, r0) | Sharpen<kSteps>(sp, k1, r1)) != 0;
    if (exact) [[unlikely]] {
      const PairResult pr = SearchPairExactly<kSteps, kJoined>(sp, k0, k1, i, n, b, carry);
      if (pr.r != n) return pr.r;
      carry = pr.carry;
    } else {
      carry.prev_word = k1.word >> 63;
    }
    i += 128;
  }
  if (n - i > 64) {
    const std::size_t r = SearchBlockAt<false, kSteps, kJoined>(sp, sc, data, i, n, b, carry);
    if (r != n) return r;
    i += 64;
  }
  return i < n ? SearchBlockAt<true, kSteps, kJoined>(sp, sc, data, i, n, b, carry) : n;
}

// The search's first blocks one at a time, inline: in text with numbers a search usually
// stops within them (the next token is near; a call, or a pair of blocks of which the second
// is classified for nothing, would cost as much as a block). The rest by SearchFrom.
constexpr int kSingleBlocks = 4;
template <unsigned kSteps, bool kJoined>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::size_t SearchStart(const SearchParams& sp,
                                                                               const std::uint8_t* data, std::size_t i,
                                                                               std::size_t n, SearchBlock& b,
                                                                               SearchCarry& carry) {
  const SearchConsts sc = MakeSearchConsts(sp.token_bits);
  for (int k = 0; k < kSingleBlocks; ++k, i += 64) {
    if (i >= n) return n;
    if (n - i <= 64) return SearchBlockAt<true, kSteps, kJoined>(sp, sc, data, i, n, b, carry);
    const std::size_t r = SearchBlockAt<false, kSteps, kJoined>(sp, sc, data, i, n, b, carry);
    if (r != n) return r;
  }
  return SearchFrom<kSteps, kJoined>(sp, data, i, n, b, carry);
}

// SearchStart for sp.steps (sp.run = 1 + the shifts; sp.run <= 16 takes at most 5).
template <bool kJoined>
VIGIE_TOK_TARGET inline __attribute__((always_inline)) std::size_t SearchBySteps(const SearchParams& sp,
                                                                                 const std::uint8_t* data, std::size_t i,
                                                                                 std::size_t n, SearchBlock& b,
                                                                                 SearchCarry& carry) {
  switch (sp.steps) {
    case 0: return SearchStart<0, kJoined>(sp, data, i, n, b, carry);
    case 1: return SearchStart<1, kJoined>(sp, data, i, n, b, carry);
    case 2: return SearchStart<2, kJoined>(sp, data, i, n, b, carry);
    case 3: return SearchStart<3, kJoined>(sp, data, i, n, b, carry);
    case 4: return SearchStart<4, kJoined>(sp, data, i, n, b, carry);
    default: return SearchStart<5, kJoined>(sp, data, i, n, b, carry);
  }
}
// With the joined test (sp.joined), out of line: the search without it, inlined in FeedAvx512,
// stays as small as it was (inlined, the twelve instantiations cost the JSON and random-bytes
// searches 5-10 %).
VIGIE_TOK_TARGET __attribute__((noinline)) std::size_t SearchJoined(const SearchParams& sp, const std::uint8_t* data,
                                                                   std::size_t i, std::size_t n, SearchBlock& b,
                                                                   SearchCarry& carry) {
  return SearchBySteps<true>(sp, data, i, n, b, carry);
}

// The first digit in data[i, n) that starts a word (the byte before is not \w) followed by a
// run of sp.run token bytes (sp.joined: and by sp.run word bytes or sp.run + sp.joined_shift
// token bytes), or whose run reaches the end of the data (undecided here: the walk decides,
// exactly); n when there is none. Blocks of 64 bytes at a fixed stride (the loads do
// not wait for the previous block's result): a block decides its word starts at positions
// <= 64 - sp.run alone; a later one (its run reaches into the next block) is pending and decided
// by the next block's leading token bytes. The last block classified stays in `b`: a search
// resuming inside it (after a walk) reuses its masks.
VIGIE_TOK_TARGET inline std::size_t SearchWords(const SearchParams& sp, const std::uint8_t* data, std::size_t i,
                                                std::size_t n, SearchBlock& b) {
  const std::uint64_t all = ~std::uint64_t{0};
  std::size_t pending = n;  // a word start of the previous block whose run reaches this block
  Pending open;             // ... if this block starts as it needs
  std::uint64_t prev_word;
  if (i >= b.base && i - b.base < 64) {
    const std::uint64_t from = i - b.base;
    const std::uint64_t r = FirstToken(sp, b, b.trig & ~_bzhi_u64(all, static_cast<unsigned>(from)), from);
    if (r < 64) return b.base + r;
    if (b.last) return n;
    open = OpenStart(sp, b.starts, b.token, b.word, b.trig, from);
    if (open.need != kNoPending) pending = b.base + open.at;
    prev_word = b.word >> 63;
    i = b.base + 64;
  } else {
    prev_word = i > 0 ? static_cast<std::uint64_t>(IsWordByte(data[i - 1])) : sp.prev_is_word;
  }
  SearchCarry carry{prev_word, pending, open.need, open.word_need};
  return sp.joined ? SearchJoined(sp, data, i, n, b, carry) : SearchBySteps<false>(sp, data, i, n, b, carry);
}

}  // namespace

// Word by word: a window load at each word start gives its end (first non-\w byte), its
// underscores (the word dies) and its letters; the byte after it says whether the token goes
// on (one separator, then a digit). Words longer than max_sig_ (<= 32) die: a window without
// a word end reaching past the data is the only open case, carried to the next Feed.
VIGIE_TOK_TARGET void DigitTokenizer::VIGIE_TOK_FEED(const std::uint8_t* data, std::size_t n, std::uint64_t offset,
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
  const SearchParams sp{run_,
                        run_shift_,
                        run_steps_,
                        token_bits_,
                        search_fit_any_,
                        search_fit_joined_,
                        prev_is_word_,
                        search_joined_ != 0,
                        search_joined_};
  SearchBlock block;     // the search's last block
  std::size_t win = n;  // the walk's window: classes of data[win, win + 64)
  Masks wm{};
  if (state_ == State::kSkipWord) {
    i = SkipWordBytesVec(data, 0, n);
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
      const std::size_t s = SearchWords(sp, data, i, n, block);
      if (s >= n) {
        i = n;
        break;
      }
      words_ = 0;
      if (s >= block.base && s - block.base < 64) {
        // A token that ends inside the search's block (the byte after it decided there): its
        // words from the block's masks, committed in one loop without the walk's state.
        const std::uint64_t all = ~std::uint64_t{0};
        const std::uint64_t p = s - block.base;
        const std::uint64_t rest = block.breaks >> p;
        if (rest != 0) {
          const std::uint64_t e = p + _tzcnt_u64(rest);  // data[base + e]: not \w, not a separator before a digit
          const std::uint64_t span = _bzhi_u64(all, static_cast<unsigned>(e)) & ~_bzhi_u64(all, static_cast<unsigned>(p));
          if ((block.under & span) == 0 && !(((block.sep >> e) & 1u) != 0 && e + 1 >= block.limit)) {
            const std::uint8_t* base = data + block.base;
            std::uint64_t inner = block.sep & span;  // each joins two words
            std::uint64_t from = p;
            std::uint8_t sep_before = 0;
            bool died = false;
            for (;;) {
              const std::uint64_t to = inner != 0 ? _tzcnt_u64(inner) : e;
              const std::uint32_t len = static_cast<std::uint32_t>(to - from);
              if (len > max_sig_) {  // longer than every shape: the word and its token die
                words_ = 0;
                i = block.base + to;
                died = true;
                break;
              }
              Word& w = ring_[words_ % kMaxSignificant];
              w.sig = len;
              w.first = base[from];
              w.last = base[to - 1];
              w.sep_before = sep_before;
              std::uint64_t letters = block.letter & _bzhi_u64(all, static_cast<unsigned>(to)) &
                                      ~_bzhi_u64(all, static_cast<unsigned>(from));
              w.letter_count = static_cast<std::uint32_t>(_mm_popcnt_u64(letters));
              w.letters = LetterBitsAt(base, letters);
              if (ForeignLetters(w)) [[unlikely]] {
                CommitForeignWord(offset + block.base + to, out);
              } else {
                CommitWord(offset + block.base + to, out);
              }
              if (inner == 0) break;
              sep_before = kTable.sep[base[to]];
              inner = _blsr_u64(inner);
              from = to + 1;
            }
            if (!died) i = block.base + e + 1;
            words_ = 0;
            state_ = State::kIdle;
            continue;
          }
        }
      }
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
      i = nonword != 0 ? i + len : SkipWordBytesVec(data, i + len, n);
      state_ = i < n ? State::kIdle : State::kSkipWord;
      continue;
    }
    if (len != 0) {
      w.sig += len;
      std::uint64_t letters = m.letter & in_word;
      if (letters != 0) {
        w.letter_count += static_cast<std::uint32_t>(_mm_popcnt_u64(letters));
        w.letters |= LetterBitsAt(data + i, letters);
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
    if (ForeignLetters(w)) [[unlikely]] {
      CommitForeignWord(offset + end, out);
      if (sep == 0) {
        state_ = State::kIdle;
        continue;
      }
    } else if (sep == 0) {  // the token ends with this word
      if (words_ != 0 || ((fit_any_ >> w.sig) & 1u) != 0) CommitWord(offset + end, out);
      words_ = 0;
      state_ = State::kIdle;
      continue;
    } else {
      CommitWord(offset + end, out);
    }
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
