// DigitTokenizer: candidate ends for the digit detectors, word boundaries like the regex \b,
// separators per spec, runs too long for any detector, streaming (any chunking gives the same
// events), end of data at Finish(); and the scanner/loader plumbing of `digits:` detectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/error.h"
#include "match/cpu.h"
#include "match/digit_tokenizer.h"
#include "test_util.h"

namespace vigie::match::testing {
namespace {

constexpr std::uint16_t kPhone = 0, kFt = 1, kNir = 2, kCard = 3;

std::vector<DigitSpec> Specs() {
  std::vector<DigitSpec> v(4);
  v[kPhone] = {kPhone, 10, 10, kSepSpace | kSepDot | kSepDash, 1u << 0, 0, false};
  v[kFt] = {kFt, 8, 8, 0, 0x3ff, 0, true};
  v[kNir] = {kNir, 15, 15, kSepSpace, 0x19e /* 1 2 3 4 7 8 */, 0, false};
  for (char c : std::string("ABab")) v[kNir].letters |= LetterBit(static_cast<unsigned char>(c));
  v[kCard] = {kCard, 14, 19, kSepSpace | kSepDash, 0x7c /* 2-6 */, 0, false};
  return v;
}

using Events = std::vector<std::pair<std::uint64_t, std::uint16_t>>;
using Impl = DigitTokenizer::Impl;

// Every implementation this CPU runs (the SSE one always).
std::vector<Impl> Impls() {
  std::vector<Impl> v;
  for (const Impl i : {Impl::kSse, Impl::kAvx2, Impl::kAvx512})
    if (DigitTokenizer::Available(i)) v.push_back(i);
  return v;
}
const char* NameOf(Impl i) { return i == Impl::kSse ? "sse" : i == Impl::kAvx2 ? "avx2" : "avx512"; }

Events Tokenize(const std::string& text, const std::vector<std::size_t>& cuts = {}, Impl impl = Impl::kAuto) {
  static const std::vector<DigitSpec> specs = Specs();
  DigitTokenizer t;
  t.Force(impl);
  t.SetSpecs(&specs);
  std::vector<DigitEvent> out;
  std::size_t pos = 0;
  auto feed = [&](std::size_t to) {
    t.Feed(reinterpret_cast<const std::uint8_t*>(text.data()) + pos, to - pos, pos, out);
    pos = to;
  };
  for (std::size_t c : cuts) feed(c);
  feed(text.size());
  t.Finish(text.size(), out);
  Events e;
  for (const auto& ev : out) e.emplace_back(ev.end, ev.detector);
  return e;
}

// End offset of `needle` in `text` (one past its last byte).
std::uint64_t EndOf(const std::string& text, const std::string& needle) { return text.find(needle) + needle.size(); }

// A stream's tokenizer takes the engine's tables (SetSpecsFrom) instead of rebuilding them: the
// same events as one set by SetSpecs, whatever the configured one was fed (its state is not
// taken), with its muted specs and its forced implementation.
TEST(DigitTokenizer, SetSpecsFromGivesTheSameEvents) {
  static const std::vector<DigitSpec> specs = Specs();
  const std::string text = "tel 06 12 34 56 78; nir 2 53 07 2A 073 004 43, cb 4111 1111 1111 1111 111, id 1234567A, "
                           "ne le 12/05/1985 a 09 ";
  auto run = [&](DigitTokenizer& t, const std::string& s) {
    std::vector<DigitEvent> out;
    t.Feed(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), 0, out);
    t.Finish(s.size(), out);
    Events e;
    for (const auto& ev : out) e.emplace_back(ev.end, ev.detector);
    return e;
  };
  for (const Impl impl : Impls()) {
    DigitTokenizer configured;
    configured.Force(impl);
    configured.SetSpecs(&specs);
    DigitTokenizer fresh;
    fresh.Force(impl);
    fresh.SetSpecs(&specs);
    const Events expected = run(fresh, text);
    ASSERT_FALSE(expected.empty());
    // The configured one left in the middle of a token: the copy starts idle.
    std::vector<DigitEvent> ignored;
    configured.Feed(reinterpret_cast<const std::uint8_t*>("06 12 34"), 8, 0, ignored);
    DigitTokenizer copy;
    copy.SetSpecsFrom(configured);
    EXPECT_EQ(copy.impl(), configured.impl()) << NameOf(impl);
    EXPECT_EQ(run(copy, text), expected) << NameOf(impl);
    // Muted specs come along (the SSE path ignores the hint; the others may skip their tokens).
    configured.SetMuted(std::uint64_t{1} << kPhone);
    copy.SetSpecsFrom(configured);
    fresh.SetMuted(std::uint64_t{1} << kPhone);
    fresh.Reset();
    EXPECT_EQ(run(copy, text), run(fresh, text)) << NameOf(impl);
  }
}

TEST(DigitTokenizer, ShapesAndSeparators) {
  std::string t = "tel 06 12 34 56 78; fax 01.42.68.53.00, id 1234567A.";
  EXPECT_EQ(Tokenize(t), (Events{{EndOf(t, "56 78"), kPhone}, {EndOf(t, "53.00"), kPhone}, {EndOf(t, "567A"), kFt}}));
  // A separator the spec does not accept, or two in a row, breaks the run.
  t = "cb 4111.1111.1111.1111 / 06  12 34 56 78 / 4111-1111 1111-1111 ";
  EXPECT_EQ(Tokenize(t), (Events{{EndOf(t, "4111-1111 1111-1111"), kCard}}));
  // Corsica letters inside a NIR, spaced or not; lower-case too (the validator upper-cases).
  t = "a 2 53 07 2A 073 004 43 b 253072b07300470 ";
  EXPECT_EQ(Tokenize(t), (Events{{EndOf(t, "004 43"), kNir}, {EndOf(t, "0470"), kNir}}));
  // A 19-digit card also ends after its first 16 digits (both shapes are candidates); its last
  // 15 digits, starting with 1, have the NIR's length and separators: a NIR candidate too
  // (specs in order at one end; the validators sort it out).
  t = "4111 1111 1111 1111 111 ";
  EXPECT_EQ(Tokenize(t), (Events{{19, kCard}, {23, kNir}, {23, kCard}}));
}

TEST(DigitTokenizer, WordBoundariesLikeRegex) {
  // Digits inside a word, next to '_' or a letter, never start or end a candidate.
  for (const char* t : {"x0612345678 ", "_0612345678 ", "0612345678_ ", "0612345678x ", "1234567a ", "123456AB ",
                        "A1234567B ", "12_34567A "})
    EXPECT_EQ(Tokenize(t), Events{}) << t;
  // Punctuation and high bytes are boundaries.
  const std::string t = "\xc3\xa9" "0612345678\"";
  EXPECT_EQ(Tokenize(t), (Events{{12, kPhone}}));
}

// A word holding a letter no spec accepts ends every walk through it: only as a last word with
// its one trailing upper-case letter may it end a candidate, and the token starts again after it.
// Both paths, whole and one byte at a time.
TEST(DigitTokenizer, LettersNoSpecAcceptsRestartTheToken) {
  struct Case {
    std::string text;
    std::vector<std::string> ends;  // needles whose end is an event, in order
    std::vector<std::uint16_t> detectors;
  };
  const std::vector<Case> cases = {
      {"uuid 12345678-4b1c-9f0e-123456789012 ", {"12345678"}, {kFt}},
      {"a 06 12 3f 06 12 34 56 78 b", {"34 56 78"}, {kPhone}},  // the phone after the hex word
      {"a 06 12 34 5f 78 b", {}, {}},                          // no phone through it
      {"a 12 1234567C 06 12 34 56 78 b", {"567C", "34 56 78"}, {kFt, kPhone}},
      {"a 1234567C-1234567 b", {"567C"}, {kFt}},
      {"a 2 53 07 2A 073 004 43 b", {"004 43"}, {kNir}},  // 'A' some spec accepts: the NIR goes on
      {"a 2 53 07 2C 073 004 43 b", {}, {}},
  };
  for (const Case& c : cases) {
    Events want;
    for (std::size_t k = 0; k < c.ends.size(); ++k) want.emplace_back(EndOf(c.text, c.ends[k]), c.detectors[k]);
    std::vector<std::size_t> every;
    for (std::size_t cut = 1; cut < c.text.size(); ++cut) every.push_back(cut);
    for (const Impl impl : Impls()) {
      EXPECT_EQ(Tokenize(c.text, {}, impl), want) << c.text << " " << NameOf(impl);
      EXPECT_EQ(Tokenize(c.text, every, impl), want) << c.text << " " << NameOf(impl) << ", every byte";
    }
  }
}

TEST(DigitTokenizer, RunsLongerThanAnyDetector) {
  EXPECT_EQ(Tokenize("n 12345678901234567890123456789012345678901234567890 "), Events{});
  EXPECT_EQ(Tokenize("n 0612345678901 "), Events{});
  EXPECT_EQ(Tokenize("id 12345678" + std::string(100, '9') + " "), Events{});
  // A long run followed by a separator and a fresh candidate: only the candidate.
  const std::string t = std::string(70, '7') + " 06 12 34 56 78 ";
  EXPECT_EQ(Tokenize(t), (Events{{t.size() - 1, kPhone}}));
}

TEST(DigitTokenizer, DigitsAtEndOfDataEndAtFinish) {
  EXPECT_EQ(Tokenize("1234567A"), (Events{{8, kFt}}));
  EXPECT_EQ(Tokenize("tel 0612345678"), (Events{{14, kPhone}}));
  EXPECT_EQ(Tokenize("tel 0612345678", {7}), (Events{{14, kPhone}}));
  EXPECT_EQ(Tokenize("tel 06123456789"), Events{});  // 11 digits
  EXPECT_EQ(Tokenize("tel 06 12 34 56 78 "), (Events{{18, kPhone}}));  // trailing separator, then end
}

TEST(DigitTokenizer, RunsAcrossFeedBoundaries) {
  const std::string t = "x 06 12 34 56 78 y";
  const Events whole = Tokenize(t);
  ASSERT_EQ(whole, (Events{{16, kPhone}}));
  for (std::size_t c = 1; c < t.size(); ++c) EXPECT_EQ(Tokenize(t, {c}), whole) << "cut at " << c;
  std::vector<std::size_t> every;
  for (std::size_t c = 1; c < t.size(); ++c) every.push_back(c);
  EXPECT_EQ(Tokenize(t, every), whole);
}

// Long texts exercise the vectorised trigger search (64-byte blocks) and its chunk tail.
TEST(DigitTokenizer, AnyChunkingSameEvents) {
  std::mt19937 rng(7);
  PiiGenerator g(11);
  const char* noise = "ab _-.;:\"{}\n0123456789ZAB";
  std::string text;
  for (int i = 0; i < 300; ++i) {
    const int n = std::uniform_int_distribution<int>(0, 150)(rng);
    for (int k = 0; k < n; ++k) text.push_back(noise[std::uniform_int_distribution<int>(0, 24)(rng)]);
    const Person p = g.NextPerson(i);
    text += " " + (i % 2 ? p.nir : p.nir_spaced) + " " + p.phone + ";" + p.card + " " + p.ft_id + " ";
  }
  const Events whole = Tokenize(text);
  EXPECT_GT(whole.size(), 1000u);
  // Every implementation agrees (the SSSE3 trigger classification with the word walks).
  for (const Impl impl : Impls()) EXPECT_EQ(Tokenize(text, {}, impl), whole) << NameOf(impl);
  for (std::size_t step : {1u, 3u, 16u, 63u, 64u, 65u, 1460u}) {
    std::vector<std::size_t> cuts;
    for (std::size_t c = step; c < text.size(); c += step) cuts.push_back(c);
    EXPECT_EQ(Tokenize(text, cuts), whole) << "step " << step;
  }
  for (int round = 0; round < 10; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t c = 0;;) {
      c += std::uniform_int_distribution<std::size_t>(1, 200)(rng);
      if (c >= text.size()) break;
      cuts.push_back(c);
    }
    EXPECT_EQ(Tokenize(text, cuts), whole) << "round " << round;
  }
}

// ---- Differential test: both implementations (AVX-512 mask walk, SSE byte machine) against an
// oracle written straight from the model in digit_tokenizer.h (whole text, no streaming, no
// vectors), for random digit-rich texts, several spec sets and any chunking.

bool IsWordChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

std::uint8_t SepBit(char c) {
  return c == ' ' ? kSepSpace : c == '.' ? kSepDot : c == '-' ? kSepDash : c == '/' ? kSepSlash : 0;
}

// The model: words are maximal [A-Za-z0-9_] runs starting with a digit at a \b, without '_';
// word i joins word i-1 when exactly one separator byte lies between them. At each word end,
// for each spec in order: the shortest run of joined words ending there whose significant
// chars fit [min, max], with at least min_words words, accepted separators, allowed letters
// (or one trailing upper-case letter on the last word) and an accepted first digit.
Events OracleEvents(const std::vector<DigitSpec>& specs, const std::string& text, std::uint64_t base) {
  struct W {
    std::size_t begin, end;
    std::uint8_t sep;  // separator joining it to the previous word (0: none)
  };
  std::vector<W> words;
  for (std::size_t i = 0; i < text.size();) {
    if (!IsWordChar(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && IsWordChar(text[j])) ++j;
    const std::string_view w(text.data() + i, j - i);
    if (w[0] >= '0' && w[0] <= '9' && w.find('_') == std::string_view::npos) {
      std::uint8_t sep = 0;
      if (!words.empty() && words.back().end + 1 == i) sep = SepBit(text[i - 1]);
      words.push_back({i, j, sep});
    }
    i = j;
  }
  Events out;
  for (std::size_t last = 0; last < words.size(); ++last) {
    for (const DigitSpec& spec : specs) {
      std::uint32_t sum = 0;
      for (std::size_t k = 0; k <= last && k < DigitTokenizer::kMaxSignificant; ++k) {
        const W& w = words[last - k];
        bool letters_ok = true;
        std::size_t letters = 0;
        for (std::size_t p = w.begin; p < w.end; ++p) {
          const std::uint64_t bit = LetterBit(static_cast<unsigned char>(text[p]));
          if (bit != 0) {
            ++letters;
            if ((bit & spec.letters) == 0) letters_ok = false;
          }
        }
        const char tail = text[w.end - 1];
        if (!letters_ok && !(spec.trailing_letter && k == 0 && letters == 1 && tail >= 'A' && tail <= 'Z')) break;
        sum += static_cast<std::uint32_t>(w.end - w.begin);
        if (sum > spec.max) break;
        if (sum >= spec.min && k + 1 >= spec.min_words && (spec.leading >> (text[w.begin] - '0') & 1u) != 0) {
          out.emplace_back(base + words[last].end, spec.detector);
          break;
        }
        if ((w.sep & spec.separators) == 0) break;
      }
    }
  }
  return out;
}

// Feeds `text` (at absolute offset `base`) cut at `cuts` (increasing, inside the text), then Finish.
template <class Tokenizer>
Events RunTokenizer(Tokenizer& t, const std::string& text, const std::vector<std::size_t>& cuts, std::uint64_t base) {
  std::vector<DigitEvent> out;
  std::size_t pos = 0;
  auto feed = [&](std::size_t to) {
    if (to > pos) t.Feed(reinterpret_cast<const std::uint8_t*>(text.data()) + pos, to - pos, base + pos, out);
    pos = to;
  };
  for (std::size_t c : cuts) feed(c);
  feed(text.size());
  t.Finish(base + text.size(), out);
  Events e;
  for (const auto& ev : out) e.emplace_back(ev.end, ev.detector);
  return e;
}

// Dates as a digits shape: '/' joins words like the other separators, and min_words keeps lone
// 8-digit numbers out. Both paths, whole and one byte at a time.
TEST(DigitTokenizer, SlashSeparatorAndMinWords) {
  const std::vector<DigitSpec> specs = {{0, 8, 8, kSepDash | kSepSlash, 0xf /* 0-3 */, 0, false, 3}};
  const std::string t = "le 12/05/1985, 1985-05-12 | 2024-02-06T10:15 | 12345678 | 1985-0512 | 12-05/1985 | "
                        "4/05/1985 | 12/05/19855 | 2024/02/06/07 ";
  const Events want = {{EndOf(t, "12/05/1985"), 0}, {EndOf(t, "1985-05-12"), 0}, {EndOf(t, "12-05/1985"), 0},
                       {EndOf(t, "2024/02/06"), 0}};
  std::vector<std::size_t> every;
  for (std::size_t c = 1; c < t.size(); ++c) every.push_back(c);
  for (const Impl impl : Impls()) {
    for (const auto& cuts : {std::vector<std::size_t>{}, every}) {
      DigitTokenizer tok;
      tok.Force(impl);
      tok.SetSpecs(&specs);
      EXPECT_EQ(RunTokenizer(tok, t, cuts, 0), want) << NameOf(impl) << ", " << cuts.size() << " cuts";
    }
  }
}

// Random text rich in what the tokenizer decides on: digit runs of every length (some > 32),
// letters (A/B/a/b for NIR, trailing upper-case for FT ids), '_', the three separators singly
// and doubled, other punctuation, high bytes, and well-formed shapes.
std::string RandomDigitText(std::mt19937_64& rng, std::size_t size) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  static const std::string kLetters = "ABabZzTxQ";
  static const std::string kSeps = " .-/";
  static const std::string kOther = ":\"_,;/{}\n\t+";
  std::string t;
  while (t.size() < size) {
    switch (pick(13)) {
      case 0:
      case 1:
      case 2:  // a digit run, mostly short
        for (std::size_t k = 1 + (pick(4) == 0 ? pick(40) : pick(12)); k > 0; --k) t.push_back(static_cast<char>('0' + pick(10)));
        break;
      case 3:
        t.push_back(kLetters[pick(kLetters.size())]);
        break;
      case 4:
      case 5:
        t.push_back(kSeps[pick(kSeps.size())]);
        break;
      case 6:
        t.push_back(kOther[pick(kOther.size())]);
        break;
      case 7:
        t.push_back(static_cast<char>(0x80 + pick(128)));
        break;
      case 8: {  // a grouped number: 2-5 groups of 1-5 digits, one separator between groups
        const char sep = kSeps[pick(kSeps.size())];
        for (std::size_t g = 2 + pick(4); g > 0; --g) {
          for (std::size_t k = 1 + pick(5); k > 0; --k) t.push_back(static_cast<char>('0' + pick(10)));
          if (g > 1) t.push_back(pick(8) == 0 ? kSeps[pick(kSeps.size())] : sep);
        }
        break;
      }
      case 9:  // 7 digits + upper-case letter, or a Corsican NIR
        if (pick(2) == 0) {
          for (int k = 0; k < 7; ++k) t.push_back(static_cast<char>('0' + pick(10)));
          t.push_back(static_cast<char>('A' + pick(26)));
        } else {
          t += pick(2) ? "1 85 05 2A 073 004 43" : "285052b07300443";
        }
        break;
      case 10:  // long runs across the 64-byte windows
        t.append(20 + pick(60), static_cast<char>('0' + pick(10)));
        break;
      case 11: {  // a grouped number with words holding letters some spec refuses or accepts (hex ids,
                  // UUIDs, a trailing upper-case letter mid-token): the walk restarts after them
        static const std::string kHex = "abcdefABCDEF";
        const char sep = kSeps[pick(kSeps.size())];
        for (std::size_t g = 2 + pick(5); g > 0; --g) {
          for (std::size_t k = 1 + pick(8); k > 0; --k) t.push_back(static_cast<char>('0' + pick(10)));
          switch (pick(4)) {
            case 0:  // hex letters inside the word
              for (std::size_t k = 1 + pick(3); k > 0; --k) {
                t.push_back(kHex[pick(kHex.size())]);
                t.push_back(static_cast<char>('0' + pick(10)));
              }
              break;
            case 1:  // one trailing letter (7 digits + 'C' is an FT id whatever the letter)
              t.push_back(kLetters[pick(kLetters.size())]);
              break;
            default:
              break;
          }
          if (g > 1) t.push_back(sep);
        }
        break;
      }
      default:
        t.push_back(static_cast<char>('a' + pick(26)));
        break;
    }
  }
  t.resize(size);
  return t;
}

std::vector<std::vector<DigitSpec>> SpecSets() {
  std::vector<std::vector<DigitSpec>> sets;
  sets.push_back(DefaultEngine()->digit_specs);  // the real signature set
  EXPECT_GE(sets.back().size(), 4u);
  sets.push_back(Specs());
  // Short shapes: many word ends fit; every separator; letters everywhere.
  std::vector<DigitSpec> s;
  s.push_back({7, 2, 4, kSepSpace | kSepDot | kSepDash | kSepSlash, 0x3ff, 0, false});
  s.push_back({8, 3, 9, kSepDot, 0x0f0, LetterBit('a') | LetterBit('B') | LetterBit('x'), true});
  s.push_back({9, 5, 32, kSepDash | kSepSpace, 0x201, 0, true, 2});
  sets.push_back(s);
  // Long shapes only (run_ capped at 16), and a lone 32.
  s.clear();
  s.push_back({1, 20, 24, kSepSpace, 0x3ff, 0, false});
  s.push_back({2, 32, 32, 0, 0x3fe, ~std::uint64_t{0}, false});
  sets.push_back(s);
  // No separators, no letters: the trigger runs are digits only.
  s.clear();
  s.push_back({3, 8, 12, 0, 0x3ff, 0, false});
  sets.push_back(s);
  // More than 64 specs (EndWord's spec filter falls back to every spec).
  s.clear();
  for (std::uint16_t k = 0; k < 70; ++k)
    s.push_back({k, 2u + k % 20, 2u + k % 20 + k % 5, static_cast<std::uint8_t>(k % 16), static_cast<std::uint16_t>(0x3ff >> (k % 4)),
                 k % 3 == 0 ? LetterBit('A') | LetterBit('b') : 0, k % 7 == 0, 1u + k % 3});
  sets.push_back(s);
  return sets;
}

// One seed in the default run; the long run (VIGIE_LONG_TESTS, tests/CMakeLists.txt) goes
// through VIGIE_FUZZ_ITERATIONS seeds from VIGIE_FUZZ_FIRST (a failure names its seed).
TEST(DigitTokenizer, SameEventsAsTheModel) {
  const std::uint64_t first = EnvOr("VIGIE_FUZZ_FIRST", 20261128);
  const std::uint64_t seeds = EnvOr("VIGIE_FUZZ_ITERATIONS", 1);
  const auto sets = SpecSets();
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::size_t total_events = 0;
    for (std::size_t set = 0; set < sets.size(); ++set) {
      const std::vector<DigitSpec>& specs = sets[set];
      for (int round = 0; round < 40; ++round) {
        const std::size_t size = round < 10 ? 1 + rng() % 200 : 200 + rng() % 6000;
        const std::string text = RandomDigitText(rng, size);
        const std::uint64_t base = round % 3 == 0 ? 0 : rng() % 100000;
        const Events expected = OracleEvents(specs, text, base);
        total_events += expected.size();
        // Cuttings: random sizes (small and large), 1 byte at a time (short texts), around 64.
        std::vector<std::vector<std::size_t>> cuttings(1);
        for (std::size_t max_step : {7u, 100u, 1460u}) {
          std::vector<std::size_t> cuts;
          for (std::size_t c = 0;;) {
            c += 1 + rng() % max_step;
            if (c >= text.size()) break;
            cuts.push_back(c);
          }
          cuttings.push_back(cuts);
        }
        if (text.size() <= 1500 || round % 8 == 0) {
          std::vector<std::size_t> every;
          for (std::size_t c = 1; c < text.size(); ++c) every.push_back(c);
          cuttings.push_back(every);
        }
        for (const Impl impl : Impls()) {
          DigitTokenizer t;  // reused across cuttings: Finish() resets it
          t.Force(impl);
          t.SetSpecs(&specs);
          for (std::size_t c = 0; c < cuttings.size(); ++c) {
            ASSERT_EQ(RunTokenizer(t, text, cuttings[c], base), expected)
                << "set " << set << " round " << round << " impl " << NameOf(impl) << " cutting " << c << " size " << text.size();
          }
        }
      }
    }
    EXPECT_GT(total_events, 5000u);  // the texts do hold candidates
  }
}

// SetMuted (a hint: the caller drops those specs' events): the other specs' events are exactly
// the model's, whatever is muted and however the text is cut; a muted spec's events are some of
// the model's. On dates inside blocks with the date shape muted, the AVX-512 search skips them
// unwalked (no event), which is what the hint is for (the CSV path's record-only types).
TEST(DigitTokenizer, MutedSpecsOnlyLoseTheirOwnEvents) {
  std::mt19937_64 rng(20261130);
  const auto sets = SpecSets();
  std::size_t kept = 0;
  for (std::size_t set = 0; set < sets.size(); ++set) {
    const std::vector<DigitSpec>& specs = sets[set];
    for (int round = 0; round < 12; ++round) {
      const std::string text = RandomDigitText(rng, 200 + rng() % 4000);
      const Events expected = OracleEvents(specs, text, 0);
      // Mute the specs of some detectors (all the specs of each: events name detectors).
      std::uint64_t muted_detectors = 0;
      for (const DigitSpec& sp : specs)
        if (rng() % 3 == 0) muted_detectors |= std::uint64_t{1} << (sp.detector % 64);
      std::uint64_t mask = 0;
      for (std::size_t j = 0; j < specs.size() && j < 64; ++j)
        if ((muted_detectors >> (specs[j].detector % 64)) & 1u) mask |= std::uint64_t{1} << j;
      const auto is_muted = [&](std::uint16_t d) {
        for (std::size_t j = 0; j < specs.size(); ++j)
          if (specs[j].detector == d && (j >= 64 || ((mask >> j) & 1u) == 0)) return false;
        return true;
      };
      Events want;
      for (const auto& e : expected)
        if (!is_muted(e.second)) want.push_back(e);
      std::vector<std::size_t> cuts;
      for (std::size_t c = rng() % 100; c < text.size(); c += 1 + rng() % 700) cuts.push_back(c);
      for (const Impl impl : Impls()) {
        for (const auto& cut : {std::vector<std::size_t>{}, cuts}) {
          DigitTokenizer t;
          t.Force(impl);
          t.SetSpecs(&specs);
          t.SetMuted(mask);
          const Events got = RunTokenizer(t, text, cut, 0);
          Events unmuted, muted;
          for (const auto& e : got) (is_muted(e.second) ? muted : unmuted).push_back(e);
          ASSERT_EQ(unmuted, want) << "set " << set << " round " << round << " impl " << NameOf(impl);
          for (const auto& e : muted)
            ASSERT_TRUE(std::binary_search(expected.begin(), expected.end(), e)) << "set " << set << " round " << round;
          kept += unmuted.size();
        }
      }
    }
  }
  EXPECT_GT(kept, 2000u);
  // Dates at every offset of the 64-byte blocks (lines of 32 and 33 bytes), inside one or across
  // two: muted, the AVX-512 path walks none of them (a date is 8 digits in 10 token bytes: with
  // the dates muted, the search's trigger asks for 8 word bytes or a phone's 11 token bytes,
  // decided across the block's end too).
  const auto& defaults = sets[0];
  std::uint64_t dates = 0;
  for (std::size_t j = 0; j < defaults.size(); ++j)
    if (defaults[j].min_words == 3) dates |= std::uint64_t{1} << j;
  ASSERT_NE(dates, 0u);
  std::string text;
  for (int k = 0; k < 50; ++k)
    text += "insc;2023-05-" + std::to_string(10 + k % 18) + ";maj;12/0" + std::to_string(1 + k % 9) + "/2024;x" +
            (k % 3 == 0 ? "\r\n" : "\n");
  DigitTokenizer plain, hinted;
  plain.SetSpecs(&defaults);
  hinted.SetSpecs(&defaults);
  hinted.SetMuted(dates);
  EXPECT_EQ(RunTokenizer(plain, text, {}, 0).size(), 100u);
  if (hinted.impl() != Impl::kSse) {  // the word walk's search skips the muted dates
    EXPECT_EQ(RunTokenizer(hinted, text, {}, 0).size(), 0u);
  }
}

// Binary-like text with a few tokens (the case the AVX-512 search takes two blocks per step
// for: most block pairs hold no trigger): each shape alone at every offset around the block
// and pair boundaries (a word start late in a block whose run continues in the next one is
// decided there), every length 0..300, whole and cut; then long random texts. Both paths
// against the model.
TEST(DigitTokenizer, SparseTokensSameEventsAsTheModel) {
  const auto specs = DefaultEngine()->digit_specs;
  const std::vector<std::string> shapes = {"06 12 34 56 78", "1 85 05 75 111 042 71", "4970 1012 3456 7899",
                                           "1234567A", "12/05/1985", "0612345678", "12345678", "06.12.34.56",
                                           "12345678-4b1c-9f0e-123456789012", "06 12 3f 1234567C 56 78 90 12 34"};
  std::mt19937_64 rng(42);
  auto filler = [&](std::size_t n) {  // no token bytes: high bytes, punctuation, '_'
    static const std::string kOther = "~:;,\"{}<>!?\n_";
    std::string t(n, ' ');
    for (auto& c : t) c = rng() % 2 ? static_cast<char>(0x80 + rng() % 128) : kOther[rng() % kOther.size()];
    return t;
  };
  std::size_t total = 0;
  auto check = [&](const std::string& text, const std::vector<std::size_t>& cuts, const std::string& what) {
    const Events expected = OracleEvents(specs, text, 0);
    total += expected.size();
    for (const Impl impl : Impls()) {
      DigitTokenizer t;
      t.Force(impl);
      t.SetSpecs(&specs);
      ASSERT_EQ(RunTokenizer(t, text, cuts, 0), expected) << what << " " << NameOf(impl);
    }
  };
  const std::string base = filler(300);
  for (const auto& shape : shapes) {
    for (std::size_t n = shape.size(); n <= 300; ++n) {
      for (std::size_t at = 0; at + shape.size() <= n; ++at) {
        const std::size_t end = at + shape.size();
        // starts and ends near a block boundary (64, 128, ...), the data's start and end
        if (!(at < 3 || (at + 20) % 64 < 24 || (end + 3) % 64 < 6 || end + 3 > n)) continue;
        std::string text = base.substr(0, n);
        text.replace(at, shape.size(), shape);
        const std::string what = "'" + shape + "' at " + std::to_string(at) + " of " + std::to_string(n);
        check(text, {}, what);
        if (::testing::Test::HasFatalFailure()) return;
        check(text, {at + 1 < n ? at + 1 : n / 2}, what + ", cut after its first byte");
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }
  EXPECT_GT(total, 10000u);
  // Long texts: binary with a shape now and then, cut at random sizes.
  for (int round = 0; round < 30; ++round) {
    std::string text;
    while (text.size() < 20000) {
      text += filler(rng() % 400);
      text += shapes[rng() % shapes.size()];
    }
    std::vector<std::size_t> cuts;
    for (std::size_t c = 0;;) {
      c += 1 + rng() % (round % 2 ? 1460 : 200);
      if (c >= text.size()) break;
      cuts.push_back(c);
    }
    check(text, {}, "round " + std::to_string(round));
    check(text, cuts, "round " + std::to_string(round) + ", cut");
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Scanner level: a phone at every offset around 64-byte blocks, cut at every position.
TEST(DigitDetectors, ScannerFindsRunsCrossingChunks) {
  Harness h;
  for (std::size_t at = 50; at < 140; at += 7) {
    const std::string text = std::string(at, 'x') + " 06 12 34 56 78 " + std::string(60, 'y');
    const ScanSummary whole = h.Scan(text);
    ASSERT_EQ(whole.matches[static_cast<std::size_t>(PiiType::kPhone)], 1u) << at;
    for (std::size_t cut = at - 2; cut < at + 18; ++cut) {
      ScanStream s(h.scanner);
      s.Feed(AsBytes(std::string_view(text).substr(0, cut)));
      s.Feed(AsBytes(std::string_view(text).substr(cut)));
      const ScanSummary r = s.Finish();
      EXPECT_EQ(r.matches, whole.matches) << at << " " << cut;
      EXPECT_EQ(r.rejected, whole.rejected) << at << " " << cut;
    }
  }
}

TEST(DigitDetectors, DigitsOnlySignatureSetNeedsNoHyperscan) {
  const std::string yaml =
      "version: 1\ndetectors:\n  - id: phone\n    type: phone\n    validator: phone_fr\n"
      "    digits: {min: 10, max: 10, separators: \" .-\", leading: \"0\"}\n";
  Harness h(CompilePiiEngine(yaml, "inline.yaml", {}));
  const auto r = h.Scan("appeler le 06.12.34.56.78 ou le 0612345679");
  EXPECT_EQ(r.matches[static_cast<std::size_t>(PiiType::kPhone)], 2u);
  EXPECT_EQ(r.bytes_scanned, 42u);
}

TEST(DigitDetectors, BadDigitsBlockNamesFileAndLine) {
  const std::string head = "version: 1\ndetectors:\n  - id: phone\n    type: phone\n    validator: phone_fr\n";
  auto error_of = [&](const std::string& digits) -> std::string {
    try {
      CompilePiiEngine(head + digits, "sig.yaml", {});
    } catch (const StartupError& e) {
      return e.what();
    }
    return "<no error>";
  };
  EXPECT_EQ(error_of("    digits: {min: 10, max: 40}\n").rfind("sig.yaml:6:", 0), 0u) << error_of("    digits: {min: 10, max: 40}\n");
  EXPECT_NE(error_of("    digits: {min: 10, max: 10, separators: \":\"}\n").find("sig.yaml:6: "), std::string::npos);
  EXPECT_EQ(error_of("    digits: {min: 10, max: 10, separators: \"/\"}\n"), "<no error>");
  EXPECT_NE(error_of("    digits: {min: 10, max: 10, min_words: 0}\n").find("min_words"), std::string::npos);
  EXPECT_NE(error_of("    digits: {min: 10, max: 10, min_words: 11}\n").find("min_words"), std::string::npos);
  EXPECT_NE(error_of("    digits: {min: 10, max: 10, leading: \"x\"}\n").find("leading"), std::string::npos);
  EXPECT_NE(error_of("    digits: {min: 10, max: 10, lenght: 3}\n").find("unknown key `lenght`"), std::string::npos);
  EXPECT_NE(error_of("    digits: {max: 10}\n").find("sig.yaml:6: "), std::string::npos);
  EXPECT_NE(error_of("    context: {keywords: [tel]}\n").find("needs `patterns:`"), std::string::npos);
  EXPECT_NE(error_of("    digits:\n      - {min: 10, max: 10}\n      - {min: 3, max: 2}\n").find("sig.yaml:8: "),
            std::string::npos);
}

TEST(DigitDetectors, SeveralShapesPerDetector) {
  const std::string yaml =
      "version: 1\ndetectors:\n  - id: card\n    type: card\n    validator: luhn_card\n    digits:\n"
      "      - {min: 16, max: 16, separators: \" -\", leading: \"23456\"}\n"
      "      - {min: 14, max: 15, separators: \" -\", leading: \"3\"}\n";
  Harness h(CompilePiiEngine(yaml, "inline.yaml", {}));
  const auto r = h.Scan("a 4111 1111 1111 1111 b 3782 822463 10005 c 295109912611193 d");
  EXPECT_EQ(r.matches[static_cast<std::size_t>(PiiType::kCard)], 2u);
  EXPECT_EQ(r.rejected[static_cast<std::size_t>(PiiType::kCard)], 0u);  // the NIR (15 digits, leading 2) is no candidate
}

// The word walk runs wherever AVX2 (or AVX-512BW) is: the SSE state machine is the fallback.
TEST(DigitTokenizer, WidestImplementationByDefault) {
  static const std::vector<DigitSpec> specs = Specs();
  DigitTokenizer t;
  t.SetSpecs(&specs);
  EXPECT_EQ(t.impl(), CpuHasAvx512Bw() ? Impl::kAvx512 : CpuHasAvx2() ? Impl::kAvx2 : Impl::kSse);
}

// Found by seed 401414 of SameEventsAsTheModel (session 20, VIGIE_FUZZ_FIRST=400000
// VIGIE_FUZZ_ITERATIONS=20000). With the joined trigger (Specs(): run 8, a phone's 11 token
// bytes), a token's first word "6" whose 11-byte run needs the next block is undecided in its
// block, while its second word (8 word bytes) is a trigger there: the word walk went from the
// second word and lost the card "6 78740234071097" (14 digits alone, leading 7, fit no spec).
// FirstToken now walks from the token's first word start. At every offset around the block's
// end, whole and cut, with more data after it or not.
TEST(DigitTokenizer, TokenWalkedFromItsFirstWordWhenALaterWordTriggers) {
  static const std::vector<DigitSpec> specs = Specs();
  for (std::size_t pad = 40; pad <= 70; ++pad) {
    for (const std::string tail : {"", " ;", "; 0612345678 x"}) {
      const std::string text = std::string(pad, ' ') + "6 78740234071097" + tail;
      const Events expected = OracleEvents(specs, text, 0);
      ASSERT_FALSE(expected.empty());
      for (const Impl impl : Impls()) {
        for (const auto& cuts : {std::vector<std::size_t>{}, std::vector<std::size_t>{pad + 3}}) {
          DigitTokenizer t;
          t.Force(impl);
          t.SetSpecs(&specs);
          EXPECT_EQ(RunTokenizer(t, text, cuts, 0), expected) << NameOf(impl) << " pad " << pad << " tail '" << tail << "'";
        }
      }
    }
  }
}

// A block the search passes over without its word mask (AVX2: none of its digits starts a run of
// token bytes) still tells the next one whether its last byte is a word byte: digits right after
// it do not start a word ("x" + a NIR's 15 digits is no candidate), wherever the block ends.
TEST(DigitTokenizer, DigitsAfterAWordByteAtAnySkippedBlockEnd) {
  static const std::vector<DigitSpec> specs = Specs();
  for (std::size_t pad = 0; pad <= 700; ++pad) {
    for (const char* before : {"x", " "}) {  // glued to a word (no candidate), or a word of its own
      const std::string text = std::string(pad, '#') + before + "185057511104271 #";
      const Events expected = OracleEvents(specs, text, 0);
      ASSERT_EQ(expected.empty(), before[0] == 'x') << pad;
      for (const Impl impl : Impls()) {
        DigitTokenizer t;
        t.Force(impl);
        t.SetSpecs(&specs);
        EXPECT_EQ(RunTokenizer(t, text, {}, 0), expected) << NameOf(impl) << " pad " << pad << " '" << before << "'";
      }
    }
  }
}

}  // namespace
}  // namespace vigie::match::testing
