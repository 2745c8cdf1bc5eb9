#pragma once
// DigitTokenizer: candidate finder for the literal-free digit detectors (NIR, card, France
// Travail id, national phone, birth dates), which Hyperscan has no literal to anchor on and
// which dominated the scan cost when they were regexes.
//
// Model (the \b semantics of the regexes it replaces, with \w = [A-Za-z0-9_]):
//   - a WORD is a maximal run of \w bytes that begins with a digit at a word boundary (the
//     byte before is not \w, or the data starts there); underscores kill the word;
//   - a TOKEN is a sequence of words joined by exactly one separator byte (space . - /);
//   - at every word end (the next byte is not \w, or end of data at Finish()), each digit
//     spec walks back over the token's last words, summing their significant chars (digits
//     and letters), as long as the separators are ones it accepts; when a word start is
//     reached with a sum in [min, max] and an accepted leading digit, it emits one candidate
//     end (spec's detector, absolute end offset). Letters are allowed only as the spec says.
// The validator then decides (it walks back from the end with the exact shape).
//
// Streaming: any chunking gives the same events (1 byte at a time == one buffer); the state
// between Feed() calls is the open word / token / skipped word.
// While idle, a trigger search (a digit starting a word, followed by a run of min-length token
// bytes: digits, accepted separators, letters if a spec accepts some) skips text that cannot
// hold a candidate; the token is then walked exactly from the trigger on. Two implementations
// give the same events:
//   - AVX-512BW (FeedAvx512): word-level. 64-byte blocks classified into bit masks (digits,
//     letters, '_', separators; nibble lookups); the trigger search is mask arithmetic (word
//     starts, runs; fixed 64-byte stride, a run crossing into the next block decided there;
//     after a search's first four blocks, two blocks per step, one branch for the pair when no
//     word start in it is followed by token bytes up to its run or its block's end). A
//     trigger token lying inside its block whose word lengths give no suffix sum any spec
//     accepts (a lone 9- or 13-digit id, a timestamp; SetMuted's specs left out) is skipped
//     from the masks; another token that ends inside its block (the byte after it is decided
//     there: not a separator at the block's or the data's end) is committed word by word from
//     the block's masks in one loop;
//     the others are walked one word per step (its end by tzcnt, its letters by masking, the
//     block's masks reused while they hold the word), so the cost is per walked word, not per
//     byte. A word holding a letter no spec accepts (outside the union of the specs' letters:
//     hex ids, UUIDs) stops every walk: it is committed only when it may end a candidate with
//     its one trailing upper-case letter, and the token restarts after it. Blocks
//     that reach past the data are masked loads; a run reaching the end of the data starts a
//     walk (a walk is exact from any word start), so an open word continues in the next Feed.
//     The same walk runs on AVX2 (FeedAvx2: a block's masks from two 32-byte vectors; the
//     data's last block copied zero-padded instead of a masked load).
//   - elsewhere (and Force(kSse)): an SSSE3 trigger search and a byte state machine (SSE2 digit
//     runs), the original implementation.
// At a word end, a spec is walked only if a sum it accepts is reachable (the last word alone,
// or any suffix when it accepts the separator before the last word) and it allows the last
// word's letters; a one-word token's events come from per-(length, leading digit) spec masks.
// No allocation after the event vector has grown to its working size.
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vigie::match {

// One digit detector's candidate shape (from the `digits:` block of a signature).
struct DigitSpec {
  std::uint16_t detector = 0;
  std::uint32_t min = 8;          // significant chars (digits + allowed letters), inclusive
  std::uint32_t max = 19;         // inclusive; <= DigitTokenizer::kMaxSignificant
  std::uint8_t separators = 0;    // bit mask of kSepSpace | kSepDot | kSepDash | kSepSlash between words
  std::uint16_t leading = 0x3ff;  // bit d set: digit d may begin the candidate
  std::uint64_t letters = 0;      // letters allowed anywhere in its words (LetterBit)
  bool trailing_letter = false;   // one upper-case A-Z may end the last word (7 digits + 'A')
  std::uint32_t min_words = 1;    // the candidate spans at least this many words (dates: 3)
};

inline constexpr std::uint8_t kSepSpace = 1;
inline constexpr std::uint8_t kSepDot = 2;
inline constexpr std::uint8_t kSepDash = 4;
inline constexpr std::uint8_t kSepSlash = 8;
// Bit of an ASCII letter in DigitSpec::letters (A-Z → 0..25, a-z → 26..51); 0 for other bytes.
std::uint64_t LetterBit(unsigned char c);

struct DigitEvent {
  std::uint64_t end = 0;          // absolute stream offset one past the candidate's last byte
  std::uint16_t detector = 0;
};

class DigitTokenizer {
 public:
  static constexpr std::uint32_t kMaxSignificant = 32;

  // REQUIRES: *specs outlives the tokenizer (the engine owns it) and each max <= kMaxSignificant.
  void SetSpecs(const std::vector<DigitSpec>* specs);
  // The specs and the tables SetSpecs built of a tokenizer already set (copied, not rebuilt),
  // its forced implementation and SetMuted's specs too; then Reset().
  void SetSpecsFrom(const DigitTokenizer& configured) {
    *this = configured;
    Reset();
  }
  // The implementations (see above): the word walk on AVX-512BW or AVX2, the SSSE3 search and
  // byte state machine elsewhere. kAuto: the best this CPU has.
  enum class Impl : std::uint8_t { kAuto, kSse, kAvx2, kAvx512 };
  static bool Available(Impl impl);  // this CPU can run it
  // Tests: this implementation (call before SetSpecs; REQUIRES Available(impl)).
  void Force(Impl impl) { forced_ = impl; }
  Impl impl() const { return impl_; }
  bool active() const { return specs_ != nullptr && !specs_->empty(); }
  // A hint for the next Feed() calls: the caller drops the events of these specs (bit = index in
  // the specs vector) in the data they scan, so a token whose only events would be theirs may
  // be skipped without being walked (FeedAvx512's search; its events are then not emitted).
  // Events of these specs may still be emitted (a token walked for another spec); the other
  // specs' events are exactly the same. 0: none (the default).
  void SetMuted(std::uint64_t specs);

  // Scans data[0, n) which starts at absolute offset `offset`; appends events in end order.
  void Feed(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out);
  // End of data at absolute offset `end` (Finish or Gap): a word ending here ends at a boundary.
  // Resets the state for the next unit.
  void Finish(std::uint64_t end, std::vector<DigitEvent>& out);
  void Reset();

 private:
  struct Word {
    std::uint32_t sig = 0;        // digits + letters
    std::uint32_t letter_count = 0;
    std::uint64_t letters = 0;    // LetterBit of every letter seen
    std::uint8_t first = 0;       // first byte (a digit)
    std::uint8_t last = 0;        // last byte
    std::uint8_t sep_before = 0;  // kSep* joining it to the previous word; 0 for the first
    // Its only letter is a final upper-case one (7 digits + 'A': what trailing_letter accepts).
    bool TrailingUpper() const { return letter_count == 1 && last >= 'A' && last <= 'Z'; }
  };
  enum class State : std::uint8_t { kIdle, kWord, kAfterSep, kSkipWord };

  static constexpr std::uint32_t kMaxRun = 16;  // trigger run length cap (look-ahead < 64)
  // After a trigger, bytes stay exactly processed this far: PII-dense text triggers again soon,
  // and a 64-byte trigger block costs more than skipping digit-free bytes exactly (SSE path).
  static constexpr std::size_t kExactAfterTrigger = 48;
  // Bits [min, max] of a sum set (sums_ / fit_any_); max <= kMaxSignificant.
  static constexpr std::uint64_t SumRange(std::uint32_t min, std::uint32_t max) {
    return (~std::uint64_t{0} >> (63 - max)) & (~std::uint64_t{0} << min);
  }
  // The word at ring_[words_ % kMaxSignificant] ends at `end`: it joins the token, and each
  // spec that some suffix sum of the token may fit walks back over the token's words.
  // (A sum over several words fits only specs that accept the separator before the last word.)
  void CommitWord(std::uint64_t end, std::vector<DigitEvent>& out) {
    const Word& w = ring_[words_ % kMaxSignificant];
    const std::uint64_t single = std::uint64_t{1} << w.sig;
    const std::uint64_t joined = words_ != 0 ? sums_ << w.sig : 0;
    sums_ = (joined | single) & SumRange(0, kMaxSignificant);
    ++words_;
    // A walk past the last word needs a spec accepting the separator before it.
    if (((single & fit_any_) | (joined & fit_joined_sep_[w.sep_before & 15u])) != 0) EmitEvents(end, out);
  }
  // A word holding a letter no spec accepts (hex ids, UUIDs) cannot be inside a candidate: it
  // is committed only when it may end one with its one trailing upper-case letter, and the token
  // restarts after it (FeedAvx512; the SSE path lets EmitEvents refuse it).
  bool ForeignLetters(const Word& w) const { return (w.letters & ~union_letters_) != 0; }
  void CommitForeignWord(std::uint64_t end, std::vector<DigitEvent>& out) {
    if (any_trailing_ && ring_[words_ % kMaxSignificant].TrailingUpper()) CommitWord(end, out);
    words_ = 0;
  }
  void EmitEvents(std::uint64_t end, std::vector<DigitEvent>& out);
  // The events of a one-word walk (REQUIRES lone_masks_): lone_fit_, then each spec's letters.
  void EmitLone(const Word& w, std::uint64_t end, std::vector<DigitEvent>& out) const {
    const bool trailing_upper = w.TrailingUpper();
    for (std::uint64_t fit = lone_fit_[w.sig * 10 + static_cast<std::uint32_t>(w.first - '0')]; fit != 0; fit &= fit - 1) {
      const SpecWalk& spec = walk_[static_cast<std::size_t>(__builtin_ctzll(fit))];
      if (w.letter_count == 0 || (w.letters & ~spec.letters) == 0 || (spec.trailing_letter && trailing_upper))
        out.push_back(DigitEvent{end, spec.detector});
    }
  }
  void EndWord(std::uint64_t end, std::vector<DigitEvent>& out);  // word_ ends (FeedSse)
  void FeedSse(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out);
  void FeedAvx512(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out);
  void FeedAvx2(const std::uint8_t* data, std::size_t n, std::uint64_t offset, std::vector<DigitEvent>& out);
  std::pair<std::size_t, bool> FindTrigger(const std::uint8_t* data, std::size_t i, std::size_t n) const;

  const std::vector<DigitSpec>* specs_ = nullptr;
  std::uint32_t min_sig_ = kMaxSignificant;  // smallest min / largest max over the specs
  std::uint32_t max_sig_ = 0;
  std::uint32_t run_ = 1;                    // trigger: a digit then run_-1 token bytes
  bool letters_ = false;                     // some spec accepts letters: they are token bytes
  std::uint8_t token_bits_ = 0;              // class bits of token bytes (digit_tokenizer_classes.h)
  Impl impl_ = Impl::kSse;                   // resolved by SetSpecs
  Impl forced_ = Impl::kAuto;
  std::uint8_t run_steps_ = 0;               // run_ as shifts: t &= t >> run_shift_[k] (trigger searches)
  std::array<std::uint8_t, 5> run_shift_{};
  std::uint64_t fit_any_ = 0;                // sums (bit = significant chars) some spec accepts
  std::uint64_t fit_joined_ = 0;             // ... some spec accepting a separator accepts
  std::uint64_t muted_ = 0;                  // SetMuted's specs
  std::uint64_t search_fit_any_ = 0;         // fit_any_ / fit_joined_ over the specs not muted:
  std::uint64_t search_fit_joined_ = 0;      // the search's skip of tokens that fit none
  // The AVX-512 search's trigger when the specs not muted need more: a word start followed by
  // run_ word bytes (a value of one word) or by run_ + search_joined_ token bytes (their
  // shortest value of several words: its significant chars and a separator; at most 2 * run_,
  // the run of run_ shifted once). 0: run_ token bytes alone. With the dates muted, a date (8
  // digits in 10 token bytes) is then no trigger, where 8 token bytes made it one.
  std::uint8_t search_joined_ = 0;
  void SetSearch();  // search_* from walk_ and muted_
  static std::uint8_t RunShifts(std::uint32_t run, std::array<std::uint8_t, 5>& shift);  // steps
  std::array<std::uint64_t, 16> fit_joined_sep_{};  // by kSep* bit: ... some spec accepting it accepts
  std::uint64_t union_letters_ = 0;          // LetterBit of every letter some spec accepts
  bool any_trailing_ = false;                // some spec accepts a trailing upper-case letter
  // EmitEvents' view of a spec (contiguous, no indirection through specs_).
  struct SpecWalk {
    std::uint64_t sums = 0;  // SumRange(min, max)
    std::uint64_t letters = 0;
    std::uint32_t min = 0, max = 0, min_words = 1;
    std::uint16_t leading = 0, detector = 0;
    std::uint8_t separators = 0;
    bool trailing_letter = false;
  };
  std::vector<SpecWalk> walk_;               // per spec, in order
  // A one-word walk (the token's first word), up to 64 specs: by [sig * 10 + first digit], the
  // specs (bit = index) whose length range holds sig, needing one word, and accepting that
  // leading digit. Only the letters are left to check.
  bool lone_masks_ = false;
  std::array<std::uint64_t, (kMaxSignificant + 1) * 10> lone_fit_{};
  // EmitEvents (REQUIRES lone_masks_): by sum, the specs whose length range holds it; by
  // kSep* bits, the specs accepting one of them.
  std::array<std::uint64_t, kMaxSignificant + 1> by_sum_{};
  std::array<std::uint64_t, 16> by_sep_{};
  std::size_t exact_until_ = 0;              // within a Feed: below this, bytes are processed exactly
  State state_ = State::kIdle;
  bool prev_is_word_ = false;     // last byte of the previous Feed was \w (boundary check)
  std::uint8_t pending_sep_ = 0;
  Word word_;                                 // FeedSse's open word (FeedAvx512 builds it in ring_)
  std::array<Word, kMaxSignificant> ring_{};  // the token's last words
  std::uint64_t words_ = 0;                   // words in the current token
  std::uint64_t sums_ = 0;                    // suffix sums of the token's words (bit per sum <= 32)
};

}  // namespace vigie::match
