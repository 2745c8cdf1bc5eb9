// Signature files: the default set loads; broken files stop start-up with FILE:LINE.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_util.h"

namespace vigie::match::testing {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string LoadError(const std::string& path) {
  try {
    LoadPiiEngine(path, {});
  } catch (const StartupError& e) {
    return e.what();
  }
  return "<no error>";
}

const char* kHead = "version: 1\ndetectors:\n  - id: nir\n    type: nir\n    validator: nir\n    patterns:\n";

TEST(Signatures, DefaultFileLoads) {
  auto e = DefaultEngine();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->detectors.size(), 8u);
  std::set<PiiType> types;
  for (const auto& d : e->detectors) types.insert(d.type);
  EXPECT_EQ(types.size(), kPiiTypeCount);
}

TEST(Signatures, BadRegexNamesFileLineAndPattern) {
  const std::string path = WriteTemp("bad_regex.yaml", std::string(kHead) +
                                                           "      - regex: '\\b[0-9]{15}\\b'\n"
                                                           "      - regex: '(?:[0-9]{3}'\n");
  const std::string err = LoadError(path);
  EXPECT_NE(err.find(path + ":8:"), std::string::npos) << err;
  EXPECT_NE(err.find("(?:[0-9]{3}"), std::string::npos) << err;
}

TEST(Signatures, UnsupportedConstructIsAnError) {
  // Hyperscan has no back-references: must fail at load, not at scan time.
  const std::string path = WriteTemp("backref.yaml", std::string(kHead) + "      - regex: '([0-9])\\1'\n");
  EXPECT_NE(LoadError(path).find(path + ":7:"), std::string::npos) << LoadError(path);
}

TEST(Signatures, YamlSyntaxErrorNamesLine) {
  const std::string path = WriteTemp("syntax.yaml", std::string(kHead) + "      - regex: 'a'\n    context: {keywords: [nir\n");
  const std::string err = LoadError(path);
  EXPECT_EQ(err.rfind(path + ":", 0), 0u) << err;
  EXPECT_NE(err.find("YAML syntax error"), std::string::npos) << err;
}

TEST(Signatures, UnknownValidatorTypeKeyAndFlag) {
  std::string p = WriteTemp("v.yaml", "version: 1\ndetectors:\n  - id: x\n    type: nir\n    validator: rot13\n"
                                      "    patterns:\n      - regex: 'a'\n");
  EXPECT_NE(LoadError(p).find(p + ":5: detector 'x': unknown validator `rot13`"), std::string::npos) << LoadError(p);
  p = WriteTemp("t.yaml", "version: 1\ndetectors:\n  - id: x\n    type: ssn\n    validator: nir\n"
                          "    patterns:\n      - regex: 'a'\n");
  EXPECT_NE(LoadError(p).find(p + ":4:"), std::string::npos) << LoadError(p);
  p = WriteTemp("k.yaml", std::string(kHead) + "      - regex: 'a'\n    primray: true\n");
  EXPECT_NE(LoadError(p).find(p + ":8: unknown key `primray`"), std::string::npos) << LoadError(p);
  p = WriteTemp("f.yaml", std::string(kHead) + "      - regex: 'a'\n        flags: [fast]\n");
  EXPECT_NE(LoadError(p).find(p + ":8:"), std::string::npos) << LoadError(p);
}

// `columns:` (CSV column names): a list of non-empty names, kept lower case.
TEST(Signatures, ColumnsAreAListOfNames) {
  std::string p = WriteTemp("c1.yaml", std::string(kHead) + "      - regex: 'a'\n    columns: nir\n");
  EXPECT_NE(LoadError(p).find(p + ":8: detector 'nir': `columns` must be a list"), std::string::npos) << LoadError(p);
  p = WriteTemp("c2.yaml", std::string(kHead) + "      - regex: 'a'\n    columns: [nir, '']\n");
  EXPECT_NE(LoadError(p).find(p + ":8: detector 'nir': empty column name"), std::string::npos) << LoadError(p);
  p = WriteTemp("c3.yaml", std::string(kHead) + "      - regex: 'a'\n    columns: [NIR, Num_Secu]\n");
  const auto e = LoadPiiEngine(p, {});
  EXPECT_EQ(e->detectors.at(0).columns, (std::vector<std::string>{"nir", "num_secu"}));
}

// `repeatable:` (a person may hold several): a boolean, false by default; the default set makes
// phones and e-mails repeatable, nothing else.
TEST(Signatures, RepeatableIsABoolean) {
  std::string p = WriteTemp("r1.yaml", std::string(kHead) + "      - regex: 'a'\n    repeatable: often\n");
  EXPECT_NE(LoadError(p).find(p + ":8:"), std::string::npos) << LoadError(p);
  p = WriteTemp("r2.yaml", std::string(kHead) + "      - regex: 'a'\n    repeatable: true\n");
  EXPECT_TRUE(LoadPiiEngine(p, {})->detectors.at(0).repeatable);
  p = WriteTemp("r3.yaml", std::string(kHead) + "      - regex: 'a'\n");
  EXPECT_FALSE(LoadPiiEngine(p, {})->detectors.at(0).repeatable);
  std::set<PiiType> repeatable;
  const auto engine = DefaultEngine();
  for (const auto& d : engine->detectors)
    if (d.repeatable) repeatable.insert(d.type);
  EXPECT_EQ(repeatable, (std::set<PiiType>{PiiType::kPhone, PiiType::kEmail}));
}

// `identifies:` (a named value is one person alone): a boolean (named by the detector's
// keywords) or a list of names, on primary detectors only; the default set marks the NIR (its
// keywords) and the France Travail id (its own names, not the generic `identifiant`).
TEST(Signatures, IdentifiesIsABooleanOrNamesOfPrimaries) {
  std::string p = WriteTemp("i1.yaml", std::string(kHead) + "      - regex: 'a'\n    primary: true\n    identifies: yes please\n");
  EXPECT_NE(LoadError(p).find(p + ":9:"), std::string::npos) << LoadError(p);
  p = WriteTemp("i2.yaml", std::string(kHead) + "      - regex: 'a'\n    identifies: true\n");
  EXPECT_NE(LoadError(p).find(p + ":8: detector 'nir': `identifies` needs `primary: true`"), std::string::npos)
      << LoadError(p);
  p = WriteTemp("i3.yaml", std::string(kHead) + "      - regex: 'a'\n    primary: true\n    identifies: true\n");
  EXPECT_TRUE(LoadPiiEngine(p, {})->detectors.at(0).identifies);
  p = WriteTemp("i4.yaml", std::string(kHead) + "      - regex: 'a'\n    primary: true\n    identifies: [Num_X, y]\n");
  EXPECT_EQ(LoadPiiEngine(p, {})->detectors.at(0).names, (std::vector<std::string>{"num_x", "y"}));
  p = WriteTemp("i5.yaml", std::string(kHead) + "      - regex: 'a'\n    primary: true\n    identifies: []\n");
  EXPECT_NE(LoadError(p).find(p + ":9: detector 'nir': `identifies` lists no name"), std::string::npos) << LoadError(p);
  const auto engine = DefaultEngine();
  std::set<PiiType> identifies;
  auto has = [](const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  for (const auto& d : engine->detectors) {
    if (!d.identifies) continue;
    identifies.insert(d.type);
    if (d.type == PiiType::kNir) {
      EXPECT_TRUE(has(d.names, "nir"));
    }
    if (d.type == PiiType::kFranceTravailId) {
      EXPECT_TRUE(has(d.names, "id_france_travail"));
      EXPECT_FALSE(has(d.names, "identifiant"));
      EXPECT_TRUE(has(d.near_keywords, "identifiant"));  // its context, not its name
    }
  }
  EXPECT_EQ(identifies, (std::set<PiiType>{PiiType::kNir, PiiType::kFranceTravailId}));
}

TEST(Signatures, RequiresContextWithoutKeywordsIsAnError) {
  const std::string p = WriteTemp("ctx.yaml", std::string(kHead) + "      - regex: 'a'\n    requires_context: true\n");
  EXPECT_NE(LoadError(p).find("requires_context"), std::string::npos) << LoadError(p);
}

// Keywords are searched only for detectors they can change: a boost-only detector's keywords
// (no min_confidence above its confidence) are left out of the keyword database.
TEST(Signatures, KeywordsOnlyWhereTheyDecide) {
  auto yaml = [](const std::string& boost_extra) {
    return "version: 1\ndetectors:\n"
           "  - id: ctx\n    type: nir\n    validator: nir\n    patterns:\n      - regex: 'a'\n"
           "    requires_context: true\n    context:\n      keywords: [alpha]\n"
           "  - id: boost\n    type: email\n    validator: email\n    patterns:\n      - regex: 'b'\n" +
           boost_extra + "    context:\n      boost: 0.1\n      keywords: [betabetabetabeta]\n";
  };
  const auto only_ctx = CompilePiiEngine(yaml(""), "t.yaml", {});
  EXPECT_EQ(only_ctx->max_keyword_bytes, 5u);  // "alpha"
  EXPECT_FALSE(only_ctx->detectors[1].needs_context);
  const auto both = CompilePiiEngine(yaml("    confidence: 0.9\n    min_confidence: 0.95\n"), "t.yaml", {});
  EXPECT_TRUE(both->detectors[1].needs_context);
  EXPECT_EQ(both->max_keyword_bytes, 16u);  // its keyword can now decide
}

TEST(Signatures, MissingFile) {
  EXPECT_NE(LoadError("/nonexistent/pii.yaml").find("/nonexistent/pii.yaml: cannot read"), std::string::npos);
}

}  // namespace
}  // namespace vigie::match::testing
