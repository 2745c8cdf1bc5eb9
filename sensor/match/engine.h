#pragma once
// PiiEngine: the compiled signature set. Immutable after LoadPiiEngine() returns; shared by
// every worker through shared_ptr<const PiiEngine> and replaced whole on reload.
#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "match/anchor_finder.h"
#include "match/csv_columns.h"
#include "match/digit_tokenizer.h"
#include "match/findings.h"
#include "match/keyword_prefilter.h"
#include "match/native_finder.h"
#include "match/scanner.h"
#include "match/validators.h"
#include "match/word_tails.h"

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
  // Repeatable: a person may hold several (phones, e-mails). A second one that is a member of
  // the JSON object holding the group's previous one (or of an object nested in it), or the text
  // of an XML/HTML element in the same parent, joins the person instead of starting the next
  // (record_group.cc).
  bool repeatable = false;
  // Identifies: a value of this primary detector is one person by itself where its name is
  // certain: the field of a CSV column typed as it, or written right after one of its `names`
  // as a key, label or element (`"nir": "…"`, `nir=…`, `NIR : …`, `<nir>`). Such a finding
  // makes its group a record even alone (record_group.cc, rule 3). Default false; the default
  // set marks the NIR (named by its keywords) and the France Travail id (by its own names).
  bool identifies = false;
  std::vector<std::string> names;  // lower-case; `identifies: true`: its keywords
  float confidence = 1.0f;       // base confidence of a validated match
  float min_confidence = 0.0f;   // below this (after keyword boost) the match is dropped
  float context_boost = 0.0f;    // added when a keyword is within context_window bytes before
  std::uint32_t context_window = 300;
  // Whether keywords can change the outcome: requires_context, or a boost needed to reach
  // min_confidence. Only then are keywords looked for (lazily, before the candidate).
  bool needs_context = false;
  // Its keywords (not `fields:` names), lower-case, when it needs context: a candidate written
  // right after one of them and a separator (`"identifiant": "…"`, `identifiant=…`) has its context
  // without a keyword scan (scanner.cc, KeywordRightBefore).
  std::vector<std::string> near_keywords;
  // The last bytes of near_keywords and names, to compare only the words that may end a key.
  WordTails near_tails, name_tails;
  // Whether one of its keywords or field names may be in the bytes before a candidate (when it
  // needs context), before they are scanned for them.
  KeywordPrefilter keyword_prefilter;
  // CSV column names that type a column as this detector (`columns:`, lower case; csv_columns.h).
  std::vector<std::string> columns;
};

// What a Hyperscan expression id stands for.
struct Expression {
  enum class Kind : std::uint8_t { kPattern, kKeyword } kind = Kind::kPattern;
  std::uint16_t detector = 0;  // kPattern: the detector; kKeyword: index into keyword_targets
  bool field = false;          // kKeyword: a field name, gives context for the rest of the unit
  // kPattern: the anchor every match contains (AnchorKind, 0 = none) and its bounds: at most
  // `anchor_before` bytes from the match start to the anchor, `anchor_after` from the anchor to
  // the match end.
  std::uint8_t anchor = 0;
  std::uint32_t anchor_before = 0;
  std::uint32_t anchor_after = 0;
  unsigned hs_flags = 0;       // Hyperscan flags it is compiled with
  int line = 0;                // YAML line (1-based), for error messages
  std::string text;            // the expression as written, for error messages
};

class PiiEngine {
 public:
  // Patterns (STREAM mode), in groups. Gated (anchor_finder.h; when every pattern declares an
  // anchor and options.gate_patterns is on): one group per anchor kind, and Hyperscan runs a
  // group only on [anchor - group.before, anchor + group.after] regions around its kind's anchors
  // (shortened by the kind's tail), all regions of a chunk in one stream call. Ungated: one
  // group (kinds 0) that sees every byte.
  struct PatternGroup {
    HsDatabasePtr db;
    unsigned kinds = 0;        // anchor kinds that open its regions; 0 = every byte
    std::uint32_t before = 0;  // max anchor_before of its patterns + 1 (the \b context byte)
    std::uint32_t after = 0;   // max anchor_after of its patterns
    // Native (options.native_patterns and every pattern recognised, native_finder.h): the
    // matchers run from each anchor, by expression id; db is null.
    NativeGroup native;
  };
  std::vector<PatternGroup> groups;
  HsDatabasePtr kw_db;                             // keywords and fields (BLOCK mode, scanned
                                                   // lazily near candidates); null when none
  bool gated = false;
  AnchorFinder anchors{0};
  std::uint32_t max_keyword_bytes = 0;
  std::uint32_t context_reach = 0;                 // max context_window + max_keyword_bytes over
                                                   // the detectors that need context
  std::vector<Detector> detectors;
  // Per detector, what the CSV column path (scanner.cc TypeFields) reads for each typed field,
  // packed: its validator's whole-field entry points, whether the field is read with its
  // terminator (an address), whether a column's context lets its values count at all
  // (confidence + context_boost >= min_confidence), and its grouping traits.
  struct ColumnPlan {
    bool (*field)(std::string_view, std::string&) = nullptr;
    std::optional<std::size_t> (*check)(std::string_view, std::string&) = nullptr;
    bool (*column)(std::string_view, std::string&) = nullptr;
    int rank = 0;
    std::uint8_t type = 0;
    bool address = false, usable = false, standalone = true, primary = false, identifies = false;
  };
  std::vector<ColumnPlan> column_plans;
  ColumnNames column_names;  // the detectors' `columns:`, to type CSV and HTML table columns
  // The record-only types a CSV header's columns give (bit per PiiType): the types of its typed
  // columns' detectors that are `standalone: false` and whose column lets their values count
  // (ColumnPlan::usable). Read in their columns only (sensor/match/README.md, step 0b).
  std::uint32_t RecordOnlyColumnTypes(const std::vector<std::int32_t>& column_detector) const;
  // The digit specs of the detectors of these types (bit = index in digit_specs, the first 64):
  // what DigitTokenizer::SetMuted takes.
  std::uint64_t DigitSpecsOfTypes(std::uint32_t types) const;
  std::vector<Expression> expressions;             // indexed by Hyperscan id
  std::vector<std::vector<std::uint16_t>> keyword_targets;  // keyword → detectors it serves
  std::vector<DigitSpec> digit_specs;              // `digits:` detectors, fed by the DigitTokenizer
  // A tokenizer set to digit_specs once, at compilation: each stream's takes its tables from it
  // (DigitTokenizer::SetSpecsFrom: a copy, where SetSpecs rebuilt them, ~3 000 instructions a
  // stream). It points into this engine: the engine is neither copied nor moved.
  DigitTokenizer tokenizer;
  PiiEngineOptions options;
  KeyedHasher hasher{options.secret};
  std::string source;                              // file it came from

  explicit PiiEngine(const PiiEngineOptions& o) : options(o), hasher(o.secret) {}
  PiiEngine(const PiiEngine&) = delete;  // (tokenizer points into it)
  PiiEngine& operator=(const PiiEngine&) = delete;
};

// Compiles signatures from YAML text (exposed for tests). `source` names the text in errors.
std::shared_ptr<const PiiEngine> CompilePiiEngine(const std::string& yaml_text, const std::string& source,
                                                  const PiiEngineOptions& options);

}  // namespace vigie::match
