#pragma once
// PiiEngine: the compiled signature set. Immutable after LoadPiiEngine() returns; shared by
// every worker through shared_ptr<const PiiEngine> and replaced whole on reload.
#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.h"
#include "match/digit_tokenizer.h"
#include "match/findings.h"
#include "match/scanner.h"
#include "match/validators.h"

namespace vigie::match {

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
using HsDatabasePtr = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;

struct Detector {
  std::string id;
  PiiType type = PiiType::kNir;
  const Validator* validator = nullptr;
  bool requires_context = false;
  // Primary: may key a record. rank orders primaries (lower = stronger identifier).
  bool primary = false;
  int rank = 100;
  // Standalone: counted even outside a record. Birth dates and addresses are not: they only
  // count as fields of a record and never make one by themselves.
  bool standalone = true;
  float confidence = 1.0f;       // base confidence of a validated match
  float min_confidence = 0.0f;   // below this (after keyword boost) the match is dropped
  float context_boost = 0.0f;    // added when a keyword is within context_window bytes before
  std::uint32_t context_window = 300;
};

// What a Hyperscan expression id stands for.
struct Expression {
  enum class Kind : std::uint8_t { kPattern, kKeyword } kind = Kind::kPattern;
  std::uint16_t detector = 0;  // kPattern: the detector; kKeyword: index into keyword_targets
  bool field = false;          // kKeyword: a field name, gives context for the rest of the unit
  int line = 0;                // YAML line (1-based), for error messages
  std::string text;            // the expression as written, for error messages
};

class PiiEngine {
 public:
  HsDatabasePtr db;                                // null when no detector has a pattern or keyword
  std::vector<Detector> detectors;
  std::vector<Expression> expressions;             // indexed by Hyperscan id
  std::vector<std::vector<std::uint16_t>> keyword_targets;  // keyword → detectors it serves
  std::vector<DigitSpec> digit_specs;              // `digits:` detectors, fed by the DigitTokenizer
  PiiEngineOptions options;
  KeyedHasher hasher{options.secret};
  std::string source;                              // file it came from

  explicit PiiEngine(const PiiEngineOptions& o) : options(o), hasher(o.secret) {}
};

// Compiles signatures from YAML text (exposed for tests). `source` names the text in errors.
std::shared_ptr<const PiiEngine> CompilePiiEngine(const std::string& yaml_text, const std::string& source,
                                                  const PiiEngineOptions& options);

}  // namespace vigie::match
