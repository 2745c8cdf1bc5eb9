// The two filters in front of the keyword comparisons: WordTails (which words of a list may end
// a key) and KeywordPrefilter (whether a detector's keywords may lie in a context window),
// against brute-force models on random words and texts; and the scanner's outcomes they must
// not change (a keyword at the edge of a France Travail id's window, any chunking).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "match/keyword_prefilter.h"
#include "match/validators_util.h"
#include "match/word_tails.h"
#include "scan_helpers.h"

namespace vigie::match::testing {
namespace {

using detail::ToLower;

// Bytes the random words and texts are made of: a few letters in both cases (so prefixes
// collide often), '_', ' ', digits, and the UTF-8 lead and tails of ô / Ô.
const std::string kAlphabet = "abcdeABCDE_ 019\xc3\xb4\x94";

std::string RandomText(std::mt19937& rng, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(kAlphabet[rng() % kAlphabet.size()]);
  return s;
}

// A word as it may be written in a text: each ASCII letter in either case, ô as ô or Ô.
std::string AnyCase(std::mt19937& rng, const std::string& w) {
  std::string s = w;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (detail::IsLower(s[i]) && rng() % 2) s[i] = detail::ToUpper(s[i]);
    if (s[i] == '\xb4' && i > 0 && s[i - 1] == '\xc3' && rng() % 2) s[i] = '\x94';
  }
  return s;
}

TEST(WordTails, CandidatesAreTheWordsEndingLikeTheKey) {
  const std::vector<std::string> words = {"nir", "identifiant", "id_ft", "x", "ft"};
  const WordTails t(words);
  ASSERT_TRUE(t.All());
  EXPECT_EQ(t.Candidates("numero_NIR"), 1u << 0);
  EXPECT_EQ(t.Candidates("\"IDENTIFIANT"), 1u << 1);
  EXPECT_EQ(t.Candidates("my_id_FT"), (1u << 2) | (1u << 4));
  EXPECT_EQ(t.Candidates("box"), 1u << 3);
  EXPECT_EQ(t.Candidates("X"), 1u << 3);
  EXPECT_EQ(t.Candidates("t"), 0u);  // one byte: "ft" does not end it
  EXPECT_EQ(t.Candidates(""), 0u);
  EXPECT_EQ(t.Candidates("nor"), 0u);
  EXPECT_FALSE(WordTails().All());
  EXPECT_FALSE(WordTails(std::vector<std::string>()).All());
  EXPECT_TRUE(WordTails(std::vector<std::string>(64, "ab")).All());
  EXPECT_FALSE(WordTails(std::vector<std::string>(65, "ab")).All());  // compared word by word
}

// Bit i is set exactly when word i's last one or two bytes end the key (ASCII case-insensitively):
// every word that ends the key is among them.
TEST(WordTails, SameAsTheModel) {
  std::mt19937 rng(4242);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string> words(1 + rng() % 64);
    for (auto& w : words) w = detail::LowerAscii(RandomText(rng, 1 + rng() % 4));
    const WordTails t(words);
    ASSERT_TRUE(t.All());
    for (int k = 0; k < 20; ++k) {
      std::string key = RandomText(rng, rng() % 6);
      if (rng() % 2) key += AnyCase(rng, words[rng() % words.size()]);
      std::uint64_t want = 0;
      for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        const std::size_t m = std::min<std::size_t>(w.size(), 2);
        bool ends = key.size() >= m;
        for (std::size_t j = 1; ends && j <= m; ++j) ends = ToLower(key[key.size() - j]) == w[w.size() - j];
        if (ends) want |= std::uint64_t{1} << i;
        const bool whole = key.size() >= w.size() && detail::StartsWithNoCase(key.substr(key.size() - w.size()), w);
        if (whole) {
          EXPECT_TRUE(ends) << key << " / " << w;  // (the model's own sanity)
        }
      }
      ASSERT_EQ(t.Candidates(key), want) << "round " << round << " key " << key;
    }
  }
}

// Whether one of `prefixes` (three bytes, ORed with 0x20) starts at a position of [0, n - 2).
bool ModelMayHold(const std::vector<std::string>& prefixes, const std::string& s) {
  for (std::size_t q = 0; q + 2 < s.size(); ++q)
    for (const std::string& p : prefixes) {
      bool eq = true;
      for (std::size_t j = 0; j < 3 && eq; ++j) eq = (s[q + j] | 0x20) == p[j];
      if (eq) return true;
    }
  return false;
}

// With at most eight distinct prefixes (one bucket each) the filter says exactly what the model
// says; with more (buckets shared) it passes at least every window the model passes. Both
// searches (AVX2 when the CPU has it, SSSE3), every window length from 0 to 150, each window in
// a buffer of its own size (AddressSanitizer sees a read past it).
TEST(KeywordPrefilter, SameAsTheModel) {
  std::mt19937 rng(777);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> words(1 + rng() % 14);
    for (auto& w : words) w = RandomText(rng, 3 + rng() % 8);
    const KeywordPrefilter f(words);
    ASSERT_TRUE(f.On());
    std::vector<std::string> prefixes;
    for (const auto& w : words) {
      std::string p;
      for (std::size_t j = 0; j < 3; ++j) p.push_back(static_cast<char>(w[j] | 0x20));
      if (std::find(prefixes.begin(), prefixes.end(), p) == prefixes.end()) prefixes.push_back(p);
    }
    for (std::size_t n = 0; n <= 150; ++n) {
      std::string s = RandomText(rng, n);
      if (n >= 3 && rng() % 2) {  // a word somewhere (it may not fit: cut at the end)
        const std::string w = AnyCase(rng, words[rng() % words.size()]);
        const std::size_t at = rng() % (n - 2);
        s.replace(at, std::min(w.size(), n - at), w.substr(0, std::min(w.size(), n - at)));
      }
      const auto buf = std::make_unique<char[]>(n + 1);
      std::copy(s.begin(), s.end(), buf.get());
      const bool want = ModelMayHold(prefixes, s);
      for (const bool avx2 : {true, false}) {
        const bool got = f.MayHold(buf.get(), n, avx2);
        if (prefixes.size() <= 8) {
          ASSERT_EQ(got, want) << "round " << round << " n " << n << " avx2 " << avx2;
        } else if (want) {
          ASSERT_TRUE(got) << "round " << round << " n " << n << " avx2 " << avx2;
        }
      }
    }
  }
}

TEST(KeywordPrefilter, WordsAtTheEdgesAnyCase) {
  const KeywordPrefilter f({"identifiant", "p\xc3\xb4le emploi", "dob"});
  for (const std::string w : {"IDENTIFIANT", "P\xc3\x94LE EMPLOI", "Dob"}) {
    for (std::size_t pad = 0; pad < 70; ++pad) {
      const std::string tail = std::string(pad, '.') + w;  // the word ends the window
      const std::string head = w + std::string(pad, '.');  // ... or starts it
      for (const std::string& s : {tail, head})
        for (const bool avx2 : {true, false}) EXPECT_TRUE(f.MayHold(s.data(), s.size(), avx2)) << s;
    }
  }
  const std::string none = "\"created_at\":\"2024-02-06T10:12:34.123Z\",\"uuid\":\"12345678";
  for (const bool avx2 : {true, false}) {
    EXPECT_FALSE(f.MayHold(none.data(), none.size(), avx2));
    EXPECT_FALSE(f.MayHold("id", 2, avx2));  // too short for a word of three bytes or more
  }
  // A word shorter than three bytes: no filter.
  const KeywordPrefilter off({"identifiant", "ab"});
  EXPECT_FALSE(off.On());
  EXPECT_TRUE(off.MayHold(none.data(), none.size()));
}

// The filter only spares the keyword database its calls: a France Travail id's context is the
// same whether its keyword ends right at the window's edge (64 bytes before the id) or one byte
// past it, in any case, whatever the chunking (the window then partly in the stream's ring).
TEST(KeywordPrefilter, ScannerOutcomeAtTheWindowEdgeAnyChunking) {
  Harness h;
  for (const char* kw : {"identifiant", "DEMANDEUR", "P\xc3\x94LE EMPLOI"}) {
    for (const std::size_t gap : {3, 30, 63, 64, 65, 66, 90}) {
      // " x" + blanks (`gap` bytes from the keyword's end to the id): the keyword is not a key
      // right before the id, the window is searched.
      const std::string text = std::string("{") + kw + " x" + std::string(gap - 2, ' ') + "1234567A} suite";
      const ScanSummary one = h.Scan(text);
      const std::uint64_t want = gap <= 64 ? 1 : 0;
      EXPECT_EQ(one.matches[Idx(PiiType::kFranceTravailId)], want) << kw << " gap " << gap;
      std::vector<std::size_t> cuts;
      for (std::size_t c = 1; c < text.size(); ++c) cuts.push_back(c);
      ExpectSame(one, ScanChunked(h.scanner, text, cuts), std::string(kw) + " byte by byte");
      ExpectSame(one, ScanChunked(h.scanner, text, {text.size() - 3}), std::string(kw) + " cut in the id");
    }
  }
}

}  // namespace
}  // namespace vigie::match::testing
