// The anchor gate in front of Hyperscan (sensor/match/anchor_finder.h): the vector finders agree
// with the scalar definition, and a gated scan finds exactly what an ungated scan (every byte
// through Hyperscan) finds, on people data, look-alikes, noise and a fuzz corpus built from the
// patterns' own alphabet — which is what proves the `anchor:` bounds in signatures/pii.yaml.
#include <gtest/gtest.h>

#include <random>

#include "match/anchor_finder.h"
#include "match/cpu.h"
#include "test_util.h"

namespace vigie::match::testing {
namespace {

const std::uint8_t* U8(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

std::vector<AnchorFinder::Impl> Impls() {
  std::vector<AnchorFinder::Impl> v = {AnchorFinder::Impl::kScalar};
  if (CpuHasAvx2()) v.push_back(AnchorFinder::Impl::kAvx2);
  if (CpuHasAvx512Vbmi()) v.push_back(AnchorFinder::Impl::kAvx512);
  return v;
}

std::vector<std::uint32_t> FindAll(const AnchorFinder& f, const std::string& s, int before) {
  std::vector<std::uint32_t> out;
  f.Find(U8(s), s.size(), before, out);
  return out;
}

unsigned KindsOf(const std::string& s, std::size_t i, int before = -1) {
  return AnchorFinder(kAnchorAll, AnchorFinder::Impl::kScalar).KindsAt(U8(s), s.size(), i, before);
}

TEST(Anchors, Definition) {
  EXPECT_EQ(KindsOf(" FR76y", 1), unsigned{kAnchorIban});
  EXPECT_EQ(KindsOf("\"FR76y", 1), unsigned{kAnchorIban});
  EXPECT_EQ(KindsOf("\xa0" "FR76y", 1), unsigned{kAnchorIban});
  EXPECT_EQ(KindsOf("FR76y", 0), unsigned{kAnchorIban});       // the data's start is a \b
  EXPECT_EQ(KindsOf("FR76y", 0, '_'), 0u);                      // ... unless a word byte was before
  EXPECT_EQ(KindsOf("xFR76y", 1), 0u);                          // "CNS12345": no \b before
  EXPECT_EQ(KindsOf("7FR76y", 1), 0u);
  EXPECT_EQ(KindsOf(" Fr76y", 1), 0u);
  EXPECT_EQ(KindsOf("a@b", 1), unsigned{kAnchorAtSign});
  EXPECT_EQ(KindsOf("a@ b", 1), 0u);
  EXPECT_EQ(KindsOf("@b", 0), 0u);            // nothing before: no local part
  EXPECT_EQ(KindsOf("@b", 0, 'x'), unsigned{kAnchorAtSign});  // ... unless the previous chunk had it
  EXPECT_EQ(KindsOf("+33 6", 1), unsigned{kAnchorPlus33});
  EXPECT_EQ(KindsOf("0033 6", 2), unsigned{kAnchorPlus33});
  EXPECT_EQ(KindsOf("12 rue", 2), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("12bis Avenue", 5), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("12 TER, quai", 7), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("la rue", 2), 0u);
  // The head before the blank: a digit, "bis" or "ter" (any case), then an optional ','.
  EXPECT_EQ(KindsOf("12, rue", 3), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("12 bis, rue", 7), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("12BIS rue", 5), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("12 Ter Avenue", 6), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf("professionnel, relance", 14), 0u);  // prose: ',' after a letter
  EXPECT_EQ(KindsOf("des candidatures", 3), 0u);         // 's' not ending "bis"
  EXPECT_EQ(KindsOf("Atelier CV", 7), 0u);                // 'r' not ending "ter"
  EXPECT_EQ(KindsOf("avis rue", 4), 0u);                  // "vis"
  EXPECT_EQ(KindsOf("after rue", 5), unsigned{kAnchorStreet});  // "ter": the number before it is the matcher's
  // Before the data: the byte at -1 is `before`, those before it unknown (satisfied).
  EXPECT_EQ(KindsOf(" rue", 0, '7'), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf(" rue", 0, 'l'), 0u);
  EXPECT_EQ(KindsOf(" rue", 0, 's'), unsigned{kAnchorStreet});  // "..s": maybe "bis"
  EXPECT_EQ(KindsOf("s rue", 1, 'e'), 0u);                       // "es": not "bis"
  EXPECT_EQ(KindsOf("s rue", 1, 'i'), unsigned{kAnchorStreet});  // "?is"
  EXPECT_EQ(KindsOf(", rue", 1, '9'), unsigned{kAnchorStreet});
  EXPECT_EQ(KindsOf(", rue", 1, 'l'), 0u);
  EXPECT_EQ(KindsOf(", rue", 1), 0u);  // nothing before the ','
  EXPECT_EQ(KindsOf("12 zone", 2), 0u);
  EXPECT_EQ(KindsOf("1985-05-12", 4), unsigned{kAnchorDateSep});
  EXPECT_EQ(KindsOf("12/05/1985", 2), unsigned{kAnchorDateSep});
  EXPECT_EQ(KindsOf("a-5", 1), 0u);
  EXPECT_EQ(KindsOf("12345678-4b1c", 8), 0u);  // a UUID's dash is not a date's
  EXPECT_EQ(KindsOf("2024-02-06T10", 7), 0u);  // only the first separator of a date anchors
  EXPECT_EQ(KindsOf("1985-05-12T00:00:00", 10), unsigned{kAnchorMidnight});
  EXPECT_EQ(KindsOf("2024-02-06T10:15:02", 10), 0u);  // a timestamp other than midnight
  EXPECT_EQ(KindsOf("xT00:", 1), 0u);                  // after a letter: no date before it
  EXPECT_EQ(KindsOf("6T00.", 1), 0u);
  // Unknown bytes after the data satisfy the conditions (a chunk's end over-approximates).
  EXPECT_EQ(KindsOf(".FR", 1), unsigned{kAnchorIban});
  EXPECT_EQ(KindsOf("x@", 1), unsigned{kAnchorAtSign});
}

TEST(Anchors, VectorFindersMatchTheDefinition) {
  std::mt19937 rng(7);
  const std::string alphabet = "FRDE0123456789@.-_+/ ,:TZrRsSaAbBvVzZxXiIteE\xc3\xa9\x80\xff\n";
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 700)(rng);
    std::string s(n, ' ');
    for (auto& c : s) {
      c = rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    }
    const int before = round % 3 == 0 ? -1 : static_cast<int>(static_cast<std::uint8_t>(alphabet[rng() % alphabet.size()]));
    const unsigned kinds = round % 5 == 0 ? (static_cast<unsigned>(rng()) & kAnchorAll) : kAnchorAll;
    const AnchorFinder ref(kinds, AnchorFinder::Impl::kScalar);
    std::vector<std::uint32_t> expected;
    for (std::size_t i = 0; i < n; ++i)
      if (const unsigned k = ref.KindsAt(U8(s), n, i, before); k != 0) expected.push_back(AnchorFinder::Entry(i, k));
    for (const auto impl : Impls())
      ASSERT_EQ(FindAll(AnchorFinder(kinds, impl), s, before), expected) << "round " << round << " impl "
                                                                         << static_cast<int>(impl);
  }
  // Every length up to three blocks, anchors at both edges (the first and last blocks are read
  // with masked loads, the byte before the data comes from `before`).
  const std::string dense = "FR76 a@b +33 12 rue 12/05/19 DE89@x.y 4bis, Rue des Lilas 7 TER quai";
  for (std::size_t n = 0; n <= 200; ++n) {
    std::string s;
    while (s.size() < n) s += dense;
    s.resize(n);
    for (const int before : {-1, int{' '}, int{'x'}, 0xc3}) {
      const AnchorFinder ref(kAnchorAll, AnchorFinder::Impl::kScalar);
      std::vector<std::uint32_t> expected;
      for (std::size_t i = 0; i < n; ++i)
        if (const unsigned k = ref.KindsAt(U8(s), n, i, before); k != 0) expected.push_back(AnchorFinder::Entry(i, k));
      for (const auto impl : Impls())
        ASSERT_EQ(FindAll(AnchorFinder(kAnchorAll, impl), s, before), expected)
            << n << " bytes, before " << before << ", impl " << static_cast<int>(impl);
    }
  }
}

// The vector finder's prefilter tests at_sign, plus33 and street one byte early (their
// conditions lie on i - 1 .. i + 1): an anchor at a block's first byte is caught by the
// previous block's last position (carried), the data's first by the first block (always
// exact). Here each kind alone in anchor-free binary-like filler, at every offset of the first
// three blocks and around the last ones, every length 0..300: a lost carry or a wrong
// shift loses it.
TEST(Anchors, SparseAnchorsAtEveryOffset) {
  const std::vector<std::string> forms = {"a@b", "+33", "0033", "12 rue", "1 bis", "FR76", " DE89", "12/05/",
                                          "9-05-1", "2T00:", "x@y.z", "@b", "33", " rue", "T00:"};  // the last: with `before`
  std::mt19937 rng(11);
  std::string filler(300, '~');
  for (auto& c : filler) c = static_cast<char>(rng() % 3 == 0 ? '~' : 0x80 + rng() % 128);  // no condition holds
  const AnchorFinder ref(kAnchorAll, AnchorFinder::Impl::kScalar);
  std::vector<AnchorFinder> finders;
  for (const auto impl : Impls()) finders.emplace_back(kAnchorAll, impl);
  std::size_t found = 0;
  for (const auto& form : forms) {
    for (std::size_t n = form.size(); n <= 300; ++n) {
      std::vector<std::size_t> offsets;  // around the data's start, block boundaries and end
      for (std::size_t at = 0; at + form.size() <= n; ++at)
        if (at < 4 || (at + 4) % 32 < 9 || at + form.size() + 5 > n) offsets.push_back(at);
      for (const std::size_t at : offsets) {
        std::string s = filler.substr(0, n);
        s.replace(at, form.size(), form);
        for (const int before : {-1, int{'x'}, int{'+'}, int{'1'}}) {
          std::vector<std::uint32_t> expected;
          for (std::size_t i = 0; i < n; ++i)
            if (const unsigned k = ref.KindsAt(U8(s), n, i, before); k != 0) expected.push_back(AnchorFinder::Entry(i, k));
          found += expected.size();
          for (const auto& f : finders)
            ASSERT_EQ(FindAll(f, s, before), expected) << "'" << form << "' at " << at << " of " << n
                                                       << " bytes, before " << before << ", impl "
                                                       << static_cast<int>(f.impl());
        }
      }
    }
  }
  EXPECT_GT(found, 50000u);  // the forms are anchors (not only the over-approximated end)
  // The prefilter holds for every subset of kinds (no condition accepts a byte >= 0x80 there).
  for (unsigned kinds = 1; kinds <= kAnchorAll; ++kinds) EXPECT_TRUE(AnchorFinder(kinds).pre_usable()) << kinds;
}

// The AVX2 prefilter's nibble tables (two lookups a byte, spare bits for split conditions) let
// through every ASCII triple the exact tables do, for any subset of kinds; for the default
// kinds street's byte before the blank is exact: "t a" (prose) fails, "2 a", ", a", "s a" pass.
TEST(Anchors, NibblePrefilterCoversTheExactOne) {
  const auto passes = [](const AnchorFinder& f, int b0, int b1, int b2, bool nibbles) {
    const int b[3] = {b0, b1, b2};
    unsigned acc = 0xff;
    for (std::size_t k = 0; k < 3; ++k) {
      const auto x = static_cast<std::size_t>(b[k]);
      acc &= nibbles ? static_cast<unsigned>(f.pre_lo_nibble()[k][x & 15] & f.pre_hi_nibble()[k][x >> 4])
                     : f.pre_tables()[k][x];
    }
    return acc != 0;
  };
  std::mt19937 rng(5);
  for (unsigned kinds = 1; kinds <= kAnchorAll; ++kinds) {
    const AnchorFinder f(kinds, AnchorFinder::Impl::kScalar);
    std::size_t exact = 0, nibble = 0;
    // Every triple for the default set, a sample for the others.
    const int step = kinds == kAnchorAll ? 1 : 3;
    for (int b0 = static_cast<int>(rng() % static_cast<unsigned>(step)); b0 < 128; b0 += step) {
      for (int b1 = 0; b1 < 128; ++b1) {
        for (int b2 = 0; b2 < 128; ++b2) {
          const bool e = passes(f, b0, b1, b2, false), n = passes(f, b0, b1, b2, true);
          ASSERT_TRUE(!e || n) << "kinds " << kinds << ": " << b0 << " " << b1 << " " << b2;
          exact += e;
          nibble += n;
        }
      }
    }
    if (kinds == kAnchorAll) {
      EXPECT_GT(exact, 1000u);
      EXPECT_LT(nibble, exact * 2) << "the nibble prefilter lets through too much";  // 19 701 / 11 454
    }
  }
  const AnchorFinder f(kAnchorAll, AnchorFinder::Impl::kScalar);
  for (int c = 0; c < 128; ++c) {
    const bool before_space = (c >= '0' && c <= '9') || c == ',' || c == 's' || c == 'S' || c == 'r' || c == 'R';
    for (const char initial : {'a', 'R', 'v'})
      EXPECT_EQ(passes(f, c, ' ', initial, true), before_space) << "'" << static_cast<char>(c) << " " << initial << "'";
  }
}

// ---- gated scan == ungated scan

std::shared_ptr<const PiiEngine> Engine(bool gated) {
  PiiEngineOptions o;
  o.max_excerpts = 100000;
  o.gate_patterns = gated;
  o.gate_without_vector_finder = true;  // this CPU's finder, whichever it is
  o.coalesce_bytes = 0;           // every chunk scanned as fed: the regions' chunk handling
  return DefaultEngine(o);
}

ScanSummary ScanIn(Scanner& scanner, const std::string& text, std::size_t step) {
  ScanStream s(scanner);
  for (std::size_t off = 0; off < text.size(); off += step)
    s.Feed(AsBytes(std::string_view(text).substr(off, step)));
  return s.Finish();
}

void ExpectGateTransparent(const std::string& text, const std::string& what) {
  const auto gated = Engine(true);
  const auto ungated = Engine(false);
  ASSERT_TRUE(gated->gated);
  ASSERT_FALSE(ungated->gated);
  metrics::CounterSet m1, m2;
  Scanner a(gated, m1), b(ungated, m2);
  const ScanSummary ref = ScanIn(b, text, text.size() + 1);
  for (std::size_t step : {text.size() + 1, std::size_t{1}, std::size_t{7}, std::size_t{61}, std::size_t{1460}}) {
    const ScanSummary got = ScanIn(a, text, step);
    const std::string where = what + ", chunks of " + std::to_string(step);
    EXPECT_EQ(got.matches, ref.matches) << where;
    EXPECT_EQ(got.rejected, ref.rejected) << where;
    EXPECT_EQ(got.records, ref.records) << where;
    EXPECT_EQ(got.excerpts, ref.excerpts) << where;
  }
}

std::vector<std::string> FormList() {
  // Every written form of every gated pattern, with the longest prefixes before the anchor
  // ("1234 bis, rue": 9 bytes) and the longest reach after it (PL IBAN spaced, a 160-byte domain).
  return {"FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189", "DE89 3704 0044 0532 0130 00",
          "GB29NWBK60161331926819", "BE68539007547034", "NL91ABNA0417164300",
          "PL61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874", "MC5811222000010123456789030",
          "CH9300762011623852957", "PT50000201231234567890154", "AT611904300234573201", "DK5000400440116243",
          "FI2112345600000785", "ES9121000418450200051332", "SE4550000000058398257466",
          "GR1601101250000000012300695", "IE29AIBK93115212345678", "IT60X0542811101000000123456",
          "LU280019400644750000", "jean.dupont@example.org", "a@b.fr", "x_y%z+tag@sub-domain.mail.example.co.uk",
          "nom@" + std::string(160, 'd') + ".example.com", "+33 6 12 34 56 78", "+33612345678", "0033 1 23 45 67 89",
          "0033-6-12-34-56-78", "+33 7.12.34.56.78", "+33 (0)6 12 34 56 78", "0033(0) 1-23-45-67-89", "1985-05-12", "12/05/1985", "12-05-1985", "2001-02-29",
          "1985-05-12T00:00:00", "1985-05-12T00:00:00Z", "\"1985-05-12T00:00:00.000+01:00\"", "1985-05-12T00:00:01",
          "12 rue des Lilas, 75011 Paris", "3bis avenue Victor Hugo;", "5 TER, Boulevard Saint-Germain 75006 Paris",
          "1234 ter, rue de la Paix\n", "1234 bis, rue de la Paix\n", "1234 r\xc3\xa9sidence Les Pins\n", "7, all\xc3\xa9" "e des Tilleuls,",
          "18 av. Foch\n", "<td>18 av. Foch</td>", "9 Impasse " + std::string(58, 'z') + ",",
          "1 r\xc3\xa9sidence " + std::string(60, 'z') + ", 75011 Paris",
          // A word byte before the anchor's reach: the gated region must include it (\b).
          "x1234 ter, rue de la Paix\n", "xFR7630006000011234567890189", "x0033 1 23 45 67 89", "x1985-05-12", "x1985-05-12T00:00:00",
          "nir 1 85 05 75 111 042 71 tel 06 12 34 56 78 carte 4970 1012 3456 7899"};
}

// The forms side by side (regions merge) and isolated by filler without anchors (each region
// alone: a wrong `before`/`after` bound loses the match; gate_test's mutations of pii.yaml's
// bounds were checked to fail here).
std::string Forms() {
  std::string dense, isolated;
  for (const auto& f : FormList()) {
    dense += f + " ; ";
    // A phone first (tokenizer, no anchor): with it, record-only types (address, birth date)
    // are counted, so a lost address shows in the summary.
    isolated += "tel 06 12 34 56 78 ; " + f + "\n" + std::string(300, '~') + "\n";
  }
  return dense + "\n" + isolated;
}

TEST(Gate, FindsWhatTheUngatedScanFinds) {
  ExpectGateTransparent(Forms(), "forms");
  std::string people = "nom;identifiant_ft;nir;date_naissance;email;telephone;adresse;iban\n";
  PiiGenerator g(5);
  for (int i = 0; i < 300; ++i) {
    const Person p = g.NextPerson(i);
    people += "Martin;" + p.ft_id + ";" + p.nir + ";" + p.birth + ";" + p.email + ";" + p.phone + ";" + p.street + ";" +
              p.iban + "\n";
    people += "{\"email\": \"" + p.email + "\", \"iban\": \"" + p.iban + "\", \"adresse\": \"" + p.street + "\"}\n";
  }
  ExpectGateTransparent(people, "people");
}

// A group's regions are scanned back to back in one buffer: a match must never join the end of
// one region to the start of the next. Here region A ends inside a long e-mail-like domain and
// region B (the next '@', far enough not to merge) starts with ".fr": joined, they would read
// "a@bbb...b.fr" and report an e-mail candidate (rejected by the validator, so counted).
TEST(Gate, RegionsNeverJoin) {
  const std::string text = "a@" + std::string(300, 'b') + std::string(400, '~') + ".fr ;;;;;x@ex.org ; " +
                           "tel 06 12 34 56 78\n";
  ExpectGateTransparent(text, "joined regions");
  ExpectGateTransparent(text + text, "joined regions, twice");
}

TEST(Gate, NoiseAndFuzz) {
  std::mt19937 rng(99);
  std::string noise;
  for (int i = 0; i < 40; ++i) {
    for (int k = 0; k < 500; ++k) noise.push_back(static_cast<char>(rng()));
    noise += Forms().substr(rng() % 200, 300);
  }
  ExpectGateTransparent(noise, "noise");
  // Fuzz: fragments of the patterns' alphabet and literals, so partial shapes abound.
  const std::vector<std::string> pieces = {"FR", "DE", "76", "3000", " ", "  ", "@", ".", "-", "/", "+33", "0033", "rue",
                                           "bis", "ter", ",", "avenue", "Lilas", "75011", "Paris", "1985", "05",
                                           "12", "\n", ";", "\"", "example", "org", "x", "A", "\xc3\xa9", "_", "%",
                                           "(0)", "(", ")"};
  std::string fuzz;
  while (fuzz.size() < 200000) fuzz += pieces[rng() % pieces.size()];
  ExpectGateTransparent(fuzz, "fuzz");
}

TEST(Gate, PatternWithoutAnchorTurnsTheGateOff) {
  const std::string yaml =
      "detectors:\n"
      "  - id: e\n    type: email\n    validator: email\n    patterns:\n"
      "      - regex: '[a-z]@[a-z]+\\.[a-z]{2,4}\\b'\n        anchor: {kind: at_sign, before: 1, after: 64}\n"
      "  - id: i\n    type: iban\n    validator: iban\n    patterns:\n"
      "      - regex: '\\bFR[0-9]{2}[0-9]{23}\\b'\n";
  PiiEngineOptions o;
  o.gate_without_vector_finder = true;
  EXPECT_FALSE(CompilePiiEngine(yaml, "t.yaml", o)->gated);
  const std::string with = yaml + "        anchor: {kind: iban, before: 0, after: 27}\n";
  const auto e = CompilePiiEngine(with, "t.yaml", o);
  EXPECT_TRUE(e->gated);
  ASSERT_EQ(e->groups.size(), 2u);  // one pattern group per anchor kind, in kind order
  EXPECT_EQ(e->groups[0].kinds, unsigned{kAnchorIban});
  EXPECT_EQ(e->groups[0].before, 1u);  // anchor_before + 1: the \b context byte
  EXPECT_EQ(e->groups[0].after, 27u);
  EXPECT_EQ(e->groups[1].kinds, unsigned{kAnchorAtSign});
  EXPECT_EQ(e->groups[1].before, 2u);
  EXPECT_EQ(e->groups[1].after, 64u);
}

// The default set is scanned gated, with the widest finder, on every CPU with AVX2 (before
// session 20 only AVX-512 VBMI CPUs were: the others scanned every byte through Hyperscan, a
// tenth of the speed, with the same findings, so no other test saw it).
TEST(Gate, OnWhereAVectorFinderRuns) {
  const auto e = DefaultEngine();
  EXPECT_EQ(e->gated, CpuHasAvx2() || CpuHasAvx512Vbmi());
  if (!e->gated) return;
  EXPECT_EQ(e->anchors.impl(), CpuHasAvx512Vbmi() ? AnchorFinder::Impl::kAvx512 : AnchorFinder::Impl::kAvx2);
}

// A region closed in one chunk and a region opened in the next may overlap (the second one's
// `before` reaches back into bytes the first one fed): matches lying wholly in the overlap were
// reported by the first region and must not be reported again (the segment's floor). Two of
// them, so the per-detector dedupe of equal ends does not hide a repeat.
TEST(Gate, OverlappingRegionsReportOnce) {
  const std::string yaml =
      "detectors:\n"
      "  - id: e\n    type: email\n    validator: email\n    primary: true\n    patterns:\n"
      "      - regex: '[a-z]@[a-z]+\\.fr\\b'\n        anchor: {kind: at_sign, before: 40, after: 64}\n";
  PiiEngineOptions o;
  o.gate_without_vector_finder = true;
  o.coalesce_bytes = 0;  // the two chunks scanned as fed
  const auto engine = CompilePiiEngine(yaml, "t.yaml", o);
  ASSERT_TRUE(engine->gated);
  metrics::CounterSet m;
  Scanner scanner(engine, m);
  // Chunk 1's region ends with "b@gh.fr" (the spaces after it close it in that chunk); chunk 2's
  // '@' opens a region 41 bytes back, over both e-mails of chunk 1.
  const std::string one = "........ a@cd.fr b@gh.fr     ", two = "c@kl.fr\n";
  ScanStream s(scanner);
  s.Feed(AsBytes(one));
  s.Feed(AsBytes(two));
  const ScanSummary split = s.Finish();
  EXPECT_EQ(split.matches[Idx(PiiType::kEmail)], 3u);
  const ScanSummary whole = ScanIn(scanner, one + two, one.size() + two.size());
  EXPECT_EQ(whole.matches[Idx(PiiType::kEmail)], 3u);
}

TEST(Gate, BadAnchorNamesFileAndLine) {
  auto error_of = [](const std::string& anchor) {
    const std::string yaml =
        "detectors:\n  - id: e\n    type: email\n    validator: email\n    patterns:\n"
        "      - regex: 'a@b'\n        anchor: " + anchor + "\n";
    try {
      CompilePiiEngine(yaml, "sig.yaml", {});
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("{kind: arobase, before: 1, after: 9}").find("sig.yaml:7: "), std::string::npos);
  EXPECT_NE(error_of("{kind: arobase, before: 1, after: 9}").find("unknown kind `arobase`"), std::string::npos);
  EXPECT_NE(error_of("{kind: at_sign}").find("required"), std::string::npos);
  EXPECT_NE(error_of("{kind: at_sign, before: 1, after: 0}").find("after <= 4096"), std::string::npos);
}

}  // namespace
}  // namespace vigie::match::testing
