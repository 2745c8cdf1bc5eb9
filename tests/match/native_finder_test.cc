// Native matchers (sensor/match/native_finder.h) against Hyperscan running the same regexes.
// The scanner-level equivalence (native groups, any chunking, same findings as the ungated
// Hyperscan scan) is tests/match/gate_test.cc's; here each matcher's ends are compared one by
// one, and the partial-data contract the scanner's resume relies on is checked.
#include <gtest/gtest.h>
#include <hs/hs.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "match/anchor_finder.h"
#include "match/native_finder.h"
#include "test_util.h"

namespace vigie::match {
namespace {

using testing::DefaultEngine;
using End = std::pair<std::uint64_t, unsigned>;  // (end, expression id)

std::shared_ptr<const PiiEngine> GatedEngine(bool native = true) {
  PiiEngineOptions o;
  o.gate_without_vector_finder = true;
  o.native_patterns = native;
  return DefaultEngine(o);
}

const PiiEngine::PatternGroup* GroupOf(const PiiEngine& e, unsigned kind) {
  for (const auto& g : e.groups)
    if (g.kinds == kind) return &g;
  return nullptr;
}

TEST(NativeFinder, DefaultSetRunsNatively) {
  const auto e = GatedEngine();
  ASSERT_TRUE(e->gated);
  for (unsigned kind : {kAnchorIban, kAnchorAtSign, kAnchorStreet}) {
    const auto* g = GroupOf(*e, kind);
    ASSERT_NE(g, nullptr) << kind;
    EXPECT_FALSE(g->native.empty()) << "anchor kind " << kind << " fell back to Hyperscan";
    EXPECT_EQ(g->db, nullptr) << kind;
  }
  const auto* plus33 = GroupOf(*e, kAnchorPlus33);
  ASSERT_NE(plus33, nullptr);
  EXPECT_TRUE(plus33->native.empty());
  EXPECT_NE(plus33->db, nullptr);
  // Off: every group is Hyperscan's.
  const auto off = GatedEngine(false);
  for (const auto& g : off->groups) EXPECT_TRUE(g.native.empty());
}

TEST(NativeFinder, OnlyTheExactRegexIsRecognised) {
  using Kind = NativePattern::Kind;
  const std::string email = R"([A-Za-z0-9._%+-]@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b)";
  EXPECT_EQ(RecognizeNative(email, 0, kAnchorAtSign).kind, Kind::kEmail);
  EXPECT_EQ(RecognizeNative(email, HS_FLAG_CASELESS, kAnchorAtSign).kind, Kind::kNone);
  EXPECT_EQ(RecognizeNative(email, 0, kAnchorIban).kind, Kind::kNone);
  std::string edited = email;
  edited.replace(edited.find("{2,24}"), 6, "{2,25}");
  EXPECT_EQ(RecognizeNative(edited, 0, kAnchorAtSign).kind, Kind::kNone);

  const NativePattern compact = RecognizeNative(R"(\b(?:FR|DE)[0-9]{2}[0-9A-Z]{11,30}\b)", 0, kAnchorIban);
  EXPECT_EQ(compact.kind, Kind::kIbanCompact);
  EXPECT_EQ(compact.min_len, 11);
  EXPECT_EQ(compact.max_len, 30);
  const NativePattern grouped = RecognizeNative(R"(\bCH[0-9]{2}(?: [0-9A-Z]{4}){4} [0-9A-Z]{1}\b)", 0, kAnchorIban);
  EXPECT_EQ(grouped.kind, Kind::kIbanGrouped);
  EXPECT_EQ(grouped.groups, 4);
  EXPECT_EQ(grouped.last, 1);
  for (const char* other : {R"(\bFR[0-9]{2}[0-9A-Z]{11,30})", R"(\b(?:FR|de)[0-9]{2}[0-9A-Z]{11,30}\b)",
                            R"(\bFR[0-9]{2}(?: [0-9A-Z]{4}){4} [0-9a-z]{1}\b)", R"(\bFR[0-9]{2}(?: ?[0-9A-Z]{4}){4}\b)",
                            R"(\bFR[0-9]{2}[0-9A-Z]{11,30}\b.)"})
    EXPECT_EQ(RecognizeNative(other, 0, kAnchorIban).kind, Kind::kNone) << other;
}

// ---- matcher ends == Hyperscan's ends, regex by regex

// The generators' dice: pick(v) is one of v, chars(alphabet, lo, hi) is lo..hi bytes of alphabet.
auto Dice(std::mt19937& rng) {
  auto pick = [&rng](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  auto chars = [&rng](std::string_view alphabet, std::size_t lo, std::size_t hi) {
    std::string out;
    const std::size_t n = lo + rng() % (hi - lo + 1);
    for (std::size_t k = 0; k < n; ++k) out.push_back(alphabet[rng() % alphabet.size()]);
    return out;
  };
  return std::pair{pick, chars};
}

// Random texts made of near-forms of one anchor kind's shapes (valid ones, wrong lengths,
// wrong case, missing parts), glued by filler, then a few bytes mutated.
std::string Fuzz(unsigned kind, std::mt19937& rng) {
  const auto [pick, chars] = Dice(rng);
  const std::string upper_digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s;
  const int forms = 1 + static_cast<int>(rng() % 4);
  for (int f = 0; f < forms; ++f) {
    s += pick({"", " ", "x", "1", "\"", "_", "\xc3\xa9", ";", "-", "."});
    if (kind == kAnchorIban) {
      s += pick({"FR", "DE", "BE", "CH", "PL", "GB", "NL", "XX", "fr", "F"}) + chars("0123456789", 1, 3);
      if (rng() % 2) {
        s += chars(upper_digits, 8, 33);
      } else {
        const int groups = 1 + static_cast<int>(rng() % 8);
        for (int k = 0; k < groups; ++k) s += pick({" ", " ", " ", "  ", ""}) + chars(upper_digits, 3, 4);
        if (rng() % 2) s += " " + chars(upper_digits, 1, 5);
      }
    } else if (kind == kAnchorAtSign) {
      s += chars("abc019._%+-", 0, 6) + "@";
      const int labels = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < labels; ++k) s += (k ? pick({".", ".", ".", ".."}) : "") + chars("abz09-", 0, 6);
      s += pick({".", ".", ""}) + chars("abcxyz", 0, 26);
    } else {
      s += chars("0123456789", 1, 5) + pick({"", " bis", "bis", " TER", "ter", " bi"}) + pick({"", ","}) + " " +
           pick({"rue", "RUE", "avenue", "av.", "av", "bd", "boulevard", "all\xc3\xa9" "e", "allee", "r\xc3\xa9sidence",
                 "residence", "sentier", "ru", "avenu", "place"}) +
           pick({" ", " ", "  ", ""}) + chars("abAB09' .-\xc3\xa9,", 0, 66);
      s += pick({";", ",", "\n", "\"", "", ", 75002 Paris", " 75002 Paris", ",75002 Paris", ", 7500 Paris",
                 " 75002 \xc3\x89vry", " 75002 1", " 750021 P", "</adresse>", "<"});
    }
  }
  s += pick({"", " ", "x", "_", "1", ".", "-", ";"});
  for (std::size_t m = rng() % 3; m > 0 && !s.empty(); --m) s[rng() % s.size()] = pick({" ", "a", "1", ".", "_", "@"})[0];
  return s;
}

// The group's regexes compiled alone (block mode): every (end, id) Hyperscan reports.
class HyperscanRef {
 public:
  HyperscanRef(const PiiEngine& e, const PiiEngine::PatternGroup& g) {
    std::vector<const char*> res;
    std::vector<unsigned> flags, ids;
    for (const auto& [id, p] : g.native) {
      res.push_back(e.expressions[id].text.c_str());
      flags.push_back(e.expressions[id].hs_flags);
      ids.push_back(id);
    }
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(hs_compile_multi(res.data(), flags.data(), ids.data(), static_cast<unsigned>(res.size()), HS_MODE_BLOCK,
                               nullptr, &db_, &err),
              HS_SUCCESS);
    EXPECT_EQ(hs_alloc_scratch(db_, &scratch_), HS_SUCCESS);
  }
  ~HyperscanRef() {
    hs_free_scratch(scratch_);
    hs_free_database(db_);
  }
  std::set<End> Ends(const std::string& text) const {
    std::set<End> out;
    hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_,
            [](unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
              static_cast<std::set<End>*>(ctx)->insert({to, id});
              return 0;
            },
            &out);
    return out;
  }

 private:
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
};

// The native ends of the anchor at `a` over text[0, n) (data_end: the text ends there). The
// matcher sees a copy of exactly those n bytes (ASan builds catch a read past them).
std::set<End> EndsAt(const PiiEngine::PatternGroup& g, const std::string& text, std::size_t a, std::size_t n,
                     bool data_end, bool* complete) {
  const std::vector<std::uint8_t> bytes(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
  NativeInput in;
  in.d = bytes.data();
  in.n = n;
  in.a = a;
  in.data_start = true;
  in.data_end = data_end;
  in.limit = a + g.after;
  std::vector<NativeEnd> ends;
  *complete = NativeEnds(g.native, in, ends);
  std::set<End> out;
  for (std::size_t k = 1; k < ends.size(); ++k) {
    if (ends[k].id == ends[k - 1].id) {
      EXPECT_LT(ends[k - 1].end, ends[k].end) << "ends of one pattern out of order";
    }
  }
  for (const NativeEnd& x : ends) out.insert({x.end, x.id});
  return out;
}

// The anchors of the group's kind in text[0, n) (the finder's view of a prefix).
std::vector<std::size_t> AnchorsIn(const PiiEngine::PatternGroup& g, const std::string& text, std::size_t n) {
  const AnchorFinder finder(g.kinds, AnchorFinder::Impl::kScalar);
  std::vector<std::uint32_t> entries;
  finder.Find(reinterpret_cast<const std::uint8_t*>(text.data()), n, -1, entries);
  std::vector<std::size_t> out;
  for (const std::uint32_t entry : entries) out.push_back(AnchorFinder::Offset(entry));
  return out;
}

std::set<End> NativeEndsOver(const PiiEngine::PatternGroup& g, const std::string& text) {
  std::set<End> out;
  bool complete = false;
  for (const std::size_t a : AnchorsIn(g, text, text.size())) {
    const std::set<End> ends = EndsAt(g, text, a, text.size(), true, &complete);
    EXPECT_TRUE(complete) << "at the end of the data every anchor is decided";
    out.insert(ends.begin(), ends.end());
  }
  return out;
}

TEST(NativeFinder, SameEndsAsHyperscan) {
  const auto e = GatedEngine();
  std::mt19937 rng(2026);
  for (unsigned kind : {kAnchorIban, kAnchorAtSign, kAnchorStreet}) {
    const auto* g = GroupOf(*e, kind);
    ASSERT_NE(g, nullptr);
    ASSERT_FALSE(g->native.empty());
    const HyperscanRef ref(*e, *g);
    std::size_t matches = 0;
    for (int t = 0; t < 3000; ++t) {
      const std::string text = Fuzz(kind, rng);
      const std::set<End> want = ref.Ends(text);
      const std::set<End> got = NativeEndsOver(*g, text);
      ASSERT_EQ(got, want) << "anchor kind " << kind << " on [" << text << "]";
      matches += want.size();
    }
    EXPECT_GT(matches, 300u) << "the fuzz must produce matches of anchor kind " << kind;
  }
}

// The scanner runs a matcher on the bytes seen so far and again once more arrive (filtering
// out the ends already decided). Over a prefix of n bytes, for each anchor in it, the matcher
// must report exactly the ends the prefix decides (end + lookahead <= n), never one the whole
// text lacks, and say `complete` only when it has reported every end.
TEST(NativeFinder, PrefixesReportWhatTheyDecide) {
  const auto e = GatedEngine();
  std::mt19937 rng(7);
  for (unsigned kind : {kAnchorIban, kAnchorAtSign, kAnchorStreet}) {
    const auto* g = GroupOf(*e, kind);
    ASSERT_NE(g, nullptr);
    std::map<unsigned, unsigned> lookahead;
    for (const auto& [id, p] : g->native) lookahead[id] = p.lookahead();
    std::size_t incomplete = 0;
    for (int t = 0; t < 300; ++t) {
      const std::string text = Fuzz(kind, rng);
      for (std::size_t n = 1; n <= text.size(); ++n) {
        for (const std::size_t a : AnchorsIn(*g, text, n)) {
          bool complete = false, done = false;
          const std::set<End> all = EndsAt(*g, text, a, text.size(), true, &done);
          const std::set<End> got = EndsAt(*g, text, a, n, false, &complete);
          const std::string where = "anchor " + std::to_string(a) + ", prefix " + std::to_string(n) + " of [" + text + "]";
          for (const End& x : got) EXPECT_TRUE(all.count(x)) << "end " << x.first << " not in the text, " << where;
          for (const End& x : all) {
            if (x.first + lookahead[x.second] <= n) {
              EXPECT_TRUE(got.count(x)) << "end " << x.first << " undecided, " << where;
            }
            if (complete) {
              EXPECT_TRUE(got.count(x)) << "complete but end " << x.first << " missing, " << where;
            }
          }
          incomplete += complete ? 0 : 1;
        }
      }
    }
    EXPECT_GT(incomplete, 100u) << "prefixes must cut matches, anchor kind " << kind;
  }
}

// NativeEnds classifies 16 bytes per step where 16 bytes are readable and walks byte by byte
// near the end of the available bytes; NativeEndsByteByByte walks byte by byte throughout. Both
// must give the same ends in the same order and the same `complete`, for any anchor, any amount
// of available bytes, any bound, with or without the data's start and end. Texts here have long
// runs (IBAN runs up to 90 bytes, domains up to ~100, street names up to 90, bytes >= 0x80).
std::string LongForms(unsigned kind, std::mt19937& rng) {
  const auto [pick, chars] = Dice(rng);
  const std::string bban = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s;
  for (int f = 1 + static_cast<int>(rng() % 3); f > 0; --f) {
    s += pick({"", " ", "x", "_", "\xc3\xa9", ";", "\xff", "A", "1"});
    if (kind == kAnchorIban) {
      s += pick({"FR", "DE", "BE", "CH", "PL", "AT", "PT", "XX", "Fr"}) + chars("0123456789", 1, 3);
      if (rng() % 3 != 0) {
        s += chars(rng() % 4 == 0 ? bban + "a_ \x80\xc3" : bban, 0, 90);
      } else {
        for (int k = 1 + static_cast<int>(rng() % 9); k > 0; --k) s += pick({" ", " ", "  ", ""}) + chars(bban, 3, 4);
        if (rng() % 2) s += " " + chars(bban, 1, 5);
      }
    } else if (kind == kAnchorAtSign) {
      s += chars("abc019._%+-", 1, 4) + "@";
      for (int k = static_cast<int>(rng() % 8); k > 0; --k)
        s += chars(rng() % 3 == 0 ? "abzABZ09-_\x80" : "abzAZ09-", 0, rng() % 4 == 0 ? 40 : 8) + pick({".", ".", ".."});
      s += chars("abcxyzQ", 0, 30);
    } else {
      s += chars("0123456789", 0, 6) + pick({"", " bis", "bis", " TER", " bi"}) + pick({"", ","}) + " " +
           pick({"rue", "RUE", "avenue", "av.", "Av", "bd", "boulevard", "all\xc3\xa9" "e", "allee", "R\xc3\xa9sidence",
                 "residence", "sentier", "ru", "avenu", "place", "chemin", "passage", "r\xc3\xa9s", "zz"}) +
           pick({" ", " ", "  ", "", ","}) + chars(rng() % 3 == 0 ? "abAB09' .-\xc3\xa9,\x80\xff\"" : "abAB09' .-\xc3\xa9", 0, 90);
      s += pick({";", ",", "\n", "\"", "", ", 75002 Paris", " 75002 Paris", ",75002 Paris", " 75002 \xc3\x89vry", " 7500",
                 "</td>"});
    }
  }
  return s + pick({"", " ", "x", "_", "1", ".", "-", ";"});
}

TEST(NativeFinder, VectorWalksEqualByteWalks) {
  const auto e = GatedEngine();
  std::mt19937 rng(99);
  for (unsigned kind : {kAnchorIban, kAnchorAtSign, kAnchorStreet}) {
    const auto* g = GroupOf(*e, kind);
    ASSERT_NE(g, nullptr);
    const char first = kind == kAnchorIban ? 'A' : kind == kAnchorAtSign ? '@' : ' ';
    std::size_t far_ends = 0, near_ends = 0, incomplete = 0;
    for (int t = 0; t < 300; ++t) {
      const std::string text = LongForms(kind, rng);
      for (std::size_t a = 0; a < text.size(); ++a) {
        // Every position the matcher could be called at (not only the finder's anchors).
        if (kind == kAnchorIban ? !(text[a] >= 'A' && text[a] <= 'Z') : text[a] != first) continue;
        for (const std::size_t lo : {std::size_t{0}, a > kNativeBack ? a - kNativeBack : 0}) {
          for (std::size_t n = a + 1; n <= text.size(); ++n) {
            for (const bool data_end : {false, true}) {
              if (data_end && n != text.size()) continue;
              const std::vector<std::uint8_t> bytes(text.begin() + static_cast<std::ptrdiff_t>(lo),
                                                    text.begin() + static_cast<std::ptrdiff_t>(n));
              NativeInput in;
              in.d = bytes.data();
              in.n = bytes.size();
              in.a = a - lo;
              in.data_start = lo == 0;
              in.data_end = data_end;
              in.limit = in.a + (rng() % 4 == 0 ? rng() % (g->after + 1) : g->after);
              std::vector<NativeEnd> vec, byte;
              const bool vec_complete = NativeEnds(g->native, in, vec);
              const bool byte_complete = NativeEndsByteByByte(g->native, in, byte);
              const std::string where = "anchor " + std::to_string(a) + ", bytes [" + std::to_string(lo) + ", " +
                                        std::to_string(n) + ") of [" + text + "]";
              ASSERT_EQ(vec_complete, byte_complete) << where;
              ASSERT_EQ(vec.size(), byte.size()) << where;
              for (std::size_t k = 0; k < vec.size(); ++k) {
                ASSERT_EQ(vec[k].end, byte[k].end) << where;
                ASSERT_EQ(vec[k].id, byte[k].id) << where;
                ASSERT_EQ(vec[k].lookahead, byte[k].lookahead) << where;
                // Decided with >= 16 bytes after the end (the 16-byte steps) or fewer (the bytes).
                if (vec[k].end + 16 <= in.n && vec[k].end >= in.a + 16) ++far_ends;
                if (vec[k].end + 16 > in.n) ++near_ends;
              }
              incomplete += vec_complete ? 0 : 1;
            }
          }
        }
      }
    }
    EXPECT_GT(far_ends, 150u) << "long matches decided 16 bytes at a time, anchor kind " << kind;
    EXPECT_GT(near_ends, 150u) << "matches ending near the available bytes' end, anchor kind " << kind;
    EXPECT_GT(incomplete, 150u) << "prefixes must cut matches, anchor kind " << kind;
  }
}

}  // namespace
}  // namespace vigie::match
