// signatures/*.yaml → PiiEngine. Every error is a StartupError "FILE:LINE: what (pattern)".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "match/cpu.h"
#include "match/csv_columns.h"
#include "match/engine.h"
#include "match/validators_util.h"

namespace vigie::match {

namespace {

class Loader {
 public:
  Loader(const std::string& source, const PiiEngineOptions& options)
      : source_(source), engine_(std::make_shared<PiiEngine>(options)) {
    engine_->source = source;
  }

  std::shared_ptr<const PiiEngine> Load(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      Fail(e.mark.line + 1, "YAML syntax error: " + e.msg);
    }
    if (!root.IsMap()) Fail(Line(root), "top level must be a map with a `detectors:` list");
    CheckKeys(root, {"version", "detectors"}, "top level");
    if (root["version"] && root["version"].as<std::string>("") != "1") Fail(Line(root["version"]), "unsupported version (expected 1)");
    const YAML::Node dets = root["detectors"];
    if (!dets || !dets.IsSequence() || dets.size() == 0) Fail(Line(root), "`detectors:` must be a non-empty list");
    for (const auto& d : dets) LoadDetector(d);
    Compile();
    return engine_;
  }

 private:
  [[noreturn]] void Fail(int line, const std::string& what) const {
    throw StartupError(source_ + ":" + std::to_string(line) + ": " + what);
  }
  static int Line(const YAML::Node& n) { return n.Mark().line + 1; }

  void CheckKeys(const YAML::Node& map, std::set<std::string> allowed, const std::string& where) const {
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>("");
      if (!allowed.count(key)) Fail(Line(kv.first), "unknown key `" + key + "` in " + where);
    }
  }

  template <typename T>
  T Get(const YAML::Node& map, const char* key, T def, const std::string& where) const {
    const YAML::Node n = map[key];
    if (!n) return def;
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      Fail(Line(n), "bad value for `" + std::string(key) + "` in " + where);
    }
  }

  std::string Str(const YAML::Node& map, const char* key, const std::string& where) const {
    const YAML::Node n = map[key];
    if (!n || !n.IsScalar() || n.Scalar().empty()) Fail(Line(map), "missing `" + std::string(key) + "` in " + where);
    return n.Scalar();
  }

  void LoadDetector(const YAML::Node& d) {
    if (!d.IsMap()) Fail(Line(d), "each detector must be a map");
    CheckKeys(d, {"id", "type", "validator", "primary", "rank", "standalone", "repeatable", "identifies", "requires_context", "confidence",
                  "min_confidence", "patterns", "digits", "context", "columns", "description"},
              "detector");
    Detector det;
    det.id = Str(d, "id", "detector");
    const std::string where = "detector '" + det.id + "'";
    const std::string type = Str(d, "type", where);
    bool found = false;
    for (std::size_t t = 0; t < kPiiTypeCount; ++t) {
      if (kPiiTypeNames[t] == type) {
        det.type = static_cast<PiiType>(t);
        found = true;
      }
    }
    if (!found) Fail(Line(d["type"]), where + ": unknown type `" + type + "`");
    const std::string vname = Str(d, "validator", where);
    det.validator = FindValidator(vname);
    if (!det.validator) Fail(Line(d["validator"]), where + ": unknown validator `" + vname + "` (known: " + ValidatorNames() + ")");
    det.primary = Get<bool>(d, "primary", false, where);
    det.rank = Get<int>(d, "rank", 100, where);
    det.standalone = Get<bool>(d, "standalone", true, where);
    det.repeatable = Get<bool>(d, "repeatable", false, where);
    // identifies: true (named by its keywords) or a list of the names that name it.
    if (const YAML::Node id = d["identifies"]; id && id.IsSequence()) {
      for (const auto& n : id) {
        const std::string name = n.as<std::string>("");
        if (name.empty()) Fail(Line(n), where + ": empty name in `identifies`");
        det.names.push_back(detail::LowerAscii(name));
      }
      if (det.names.empty()) Fail(Line(id), where + ": `identifies` lists no name");
      det.identifies = true;
    } else {
      det.identifies = Get<bool>(d, "identifies", false, where);
    }
    if (det.identifies && !det.primary) Fail(Line(d["identifies"]), where + ": `identifies` needs `primary: true` (the value keys its record)");
    det.requires_context = Get<bool>(d, "requires_context", false, where);
    det.confidence = Get<float>(d, "confidence", 1.0f, where);
    det.min_confidence = Get<float>(d, "min_confidence", 0.0f, where);
    det.context_window = engine_->options.keyword_window_bytes;
    if (const YAML::Node cols = d["columns"]) {
      if (!cols.IsSequence()) Fail(Line(cols), where + ": `columns` must be a list");
      for (const auto& c : cols) {
        const std::string name = c.as<std::string>("");
        if (name.empty()) Fail(Line(c), where + ": empty column name");
        det.columns.push_back(LowerColumnName(name));
      }
    }
    if (engine_->detectors.size() >= 0xffff) Fail(Line(d), "too many detectors");
    const auto index = static_cast<std::uint16_t>(engine_->detectors.size());

    const YAML::Node pats = d["patterns"];
    if (const YAML::Node g = d["digits"]) {
      // One shape (a map) or several (a list of maps, e.g. one per card length and prefix).
      if (g.IsSequence()) {
        if (g.size() == 0) Fail(Line(g), where + ": `digits:` list is empty");
        for (const auto& one : g) LoadDigits(one, index, where);
      } else {
        LoadDigits(g, index, where);
      }
    }
    if (pats && (!pats.IsSequence() || pats.size() == 0)) Fail(Line(pats), where + ": `patterns:` must be a non-empty list");
    if (!pats && !d["digits"]) Fail(Line(d), where + ": needs `patterns:` (regexes) or `digits:` (digit-run shape) or both");
    if (pats) for (const auto& p : pats) {
      if (!p.IsMap()) Fail(Line(p), where + ": each pattern is a map with `regex:` and optional `flags:`");
      CheckKeys(p, {"regex", "flags", "anchor"}, where + " pattern");
      Expression e;
      e.detector = index;
      e.text = Str(p, "regex", where + " pattern");
      e.line = Line(p["regex"]);
      if (const YAML::Node a = p["anchor"]) LoadAnchor(a, e, where + " pattern anchor");
      unsigned flags = 0;
      if (const YAML::Node f = p["flags"]) {
        if (!f.IsSequence()) Fail(Line(f), where + ": `flags:` must be a list");
        for (const auto& fl : f) {
          const auto name = fl.as<std::string>("");
          if (name == "caseless") flags |= HS_FLAG_CASELESS;
          else if (name == "dotall") flags |= HS_FLAG_DOTALL;
          else if (name == "multiline") flags |= HS_FLAG_MULTILINE;
          else if (name == "utf8") flags |= HS_FLAG_UTF8;
          else if (name == "ucp") flags |= HS_FLAG_UCP;
          else Fail(Line(fl), where + ": unknown flag `" + name + "` (caseless, dotall, multiline, utf8, ucp)");
        }
      }
      AddExpression(std::move(e), flags);
    }

    if (const YAML::Node c = d["context"]) {
      if (!c.IsMap()) Fail(Line(c), where + ": `context:` must be a map");
      CheckKeys(c, {"window", "boost", "keywords", "fields"}, where + " context");
      det.context_window = Get<std::uint32_t>(c, "window", det.context_window, where);
      det.context_boost = Get<float>(c, "boost", 0.0f, where);
      for (const char* key : {"keywords", "fields"}) {
        const YAML::Node list = c[key];
        if (!list) continue;
        if (!list.IsSequence()) Fail(Line(list), where + ": `" + key + "` must be a list");
        for (const auto& k : list) {
          const std::string word = k.as<std::string>("");
          if (word.empty()) Fail(Line(k), where + ": empty keyword");
          AddKeyword(word, std::string(key) == "fields", index, Line(k));
        }
      }
    }
    if (det.requires_context && (!d["context"] || (!d["context"]["keywords"] && !d["context"]["fields"])))
      Fail(Line(d), where + ": requires_context needs context keywords or fields");
    engine_->detectors.push_back(std::move(det));
  }

  // `digits:` block → DigitSpec (candidates come from the DigitTokenizer, not Hyperscan).
  void LoadDigits(const YAML::Node& g, std::uint16_t detector, const std::string& where) {
    if (!g.IsMap()) Fail(Line(g), where + ": `digits:` must be a map or a list of maps");
    const std::string in = where + " digits";
    CheckKeys(g, {"min", "max", "separators", "leading", "letters", "trailing_letter", "min_words"}, in);
    DigitSpec spec;
    spec.detector = detector;
    if (!g["min"] || !g["max"]) Fail(Line(g), in + ": `min:` and `max:` (significant chars) are required");
    spec.min = Get<std::uint32_t>(g, "min", 0, in);
    spec.max = Get<std::uint32_t>(g, "max", 0, in);
    if (spec.min < 2 || spec.min > spec.max || spec.max > DigitTokenizer::kMaxSignificant)
      Fail(Line(g["min"]), in + ": need 2 <= min <= max <= " + std::to_string(DigitTokenizer::kMaxSignificant));
    for (char c : Get<std::string>(g, "separators", "", in)) {
      if (c == ' ') spec.separators |= kSepSpace;
      else if (c == '.') spec.separators |= kSepDot;
      else if (c == '-') spec.separators |= kSepDash;
      else if (c == '/') spec.separators |= kSepSlash;
      else Fail(Line(g["separators"]), in + ": separators may only be space, '.', '-' and '/'");
    }
    if (g["leading"]) {
      spec.leading = 0;
      const std::string lead = Get<std::string>(g, "leading", "", in);
      for (char c : lead) {
        if (c < '0' || c > '9') Fail(Line(g["leading"]), in + ": `leading:` lists digits, e.g. \"0\" or \"123478\"");
        spec.leading = static_cast<std::uint16_t>(spec.leading | (1u << (c - '0')));
      }
      if (spec.leading == 0) Fail(Line(g["leading"]), in + ": `leading:` is empty");
    }
    for (char c : Get<std::string>(g, "letters", "", in)) {
      const std::uint64_t bit = LetterBit(static_cast<unsigned char>(c));
      if (bit == 0) Fail(Line(g["letters"]), in + ": `letters:` lists ASCII letters, e.g. ABab");
      spec.letters |= bit;
    }
    spec.trailing_letter = Get<bool>(g, "trailing_letter", false, in);
    spec.min_words = Get<std::uint32_t>(g, "min_words", 1, in);
    if (spec.min_words < 1 || spec.min_words > spec.max)
      Fail(Line(g["min_words"]), in + ": need 1 <= min_words <= max");
    engine_->digit_specs.push_back(spec);
  }

  // `anchor: {kind, before, after}`: the byte shape every match of the regex contains (see
  // sensor/match/anchor_finder.h) and its distance bounds. Wrong bounds lose matches, so the
  // default set's anchors are tested against an ungated scan (tests/match/gate_test.cc).
  void LoadAnchor(const YAML::Node& a, Expression& e, const std::string& in) {
    if (!a.IsMap()) Fail(Line(a), in + ": must be a map {kind, before, after}");
    CheckKeys(a, {"kind", "before", "after"}, in);
    const std::string kind = Str(a, "kind", in);
    const auto k = AnchorKindFromName(kind);
    if (!k) Fail(Line(a["kind"]), in + ": unknown kind `" + kind + "` (known: " + kAnchorKindNames + ")");
    if (!a["before"] || !a["after"]) Fail(Line(a), in + ": `before:` and `after:` (bytes) are required");
    e.anchor = *k;
    e.anchor_before = Get<std::uint32_t>(a, "before", 0, in);
    e.anchor_after = Get<std::uint32_t>(a, "after", 0, in);
    if (e.anchor_before > 64 || e.anchor_after == 0 || e.anchor_after > 4096)
      Fail(Line(a), in + ": need before <= 64 and 1 <= after <= 4096");
  }

  void AddExpression(Expression e, unsigned flags) {
    e.hs_flags = flags;
    engine_->expressions.push_back(std::move(e));
  }

  // Keywords are literals, matched case-insensitively anywhere; one expression per distinct
  // (keyword, field) pair however many detectors use it.
  void AddKeyword(const std::string& word, bool field, std::uint16_t detector, int line) {
    const auto key = std::make_pair(detail::LowerAscii(word), field);
    auto it = keyword_index_.find(key);
    if (it == keyword_index_.end()) {
      Expression e;
      e.kind = Expression::Kind::kKeyword;
      e.field = field;
      e.detector = static_cast<std::uint16_t>(engine_->keyword_targets.size());
      e.line = line;
      e.text = word;
      engine_->keyword_targets.emplace_back();
      it = keyword_index_.emplace(key, engine_->expressions.size()).first;
      AddExpression(std::move(e), HS_FLAG_CASELESS);
    }
    auto& targets = engine_->keyword_targets[engine_->expressions[it->second].detector];
    targets.push_back(detector);
  }

  // A keyword as a Hyperscan expression: its bytes (caseless for ASCII), and an accented
  // letter of the Latin-1 range in UTF-8 (C3 xx) in either case ("sécurité" matches "SÉCURITÉ";
  // Hyperscan's own caseless mode is ASCII-only without UTF-8 mode, which network bytes cannot
  // be trusted to be).
  static std::string EscapeLiteral(const std::string& s) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    auto hex = [&](unsigned c) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    };
    for (std::size_t k = 0; k < s.size(); ++k) {
      const auto c = static_cast<unsigned char>(s[k]);
      const unsigned next = k + 1 < s.size() ? static_cast<unsigned char>(s[k + 1]) : 0;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        out.push_back(static_cast<char>(c));
      } else if (c == 0xc3 && detail::IsCasedLatin1Tail(static_cast<unsigned char>(next))) {
        hex(c);
        out += '[';
        hex(next & ~0x20u);  // upper case: C3 80..9E
        hex(next | 0x20u);   // lower case: C3 A0..BE
        out += ']';
        ++k;
      } else {
        hex(c);
      }
    }
    return out;
  }

  // Patterns → STREAM database (optionally gated by anchors); keywords → BLOCK database,
  // scanned lazily before candidates. Both share the expression id space.
  void Compile() {
    const auto& exprs = engine_->expressions;
    // Keywords can change a candidate's outcome only for detectors that need context
    // (requires_context, or a boost needed to reach min_confidence); the others' keywords
    // would only raise a confidence already high enough, so they are not searched at all.
    for (Detector& d : engine_->detectors) d.needs_context = d.requires_context || d.confidence < d.min_confidence;
    engine_->column_names = ColumnNames(engine_->detectors);
    engine_->tokenizer.SetSpecs(&engine_->digit_specs);  // (digit_specs is final: the detectors are read)
    for (const Detector& d : engine_->detectors) {
      PiiEngine::ColumnPlan& c = engine_->column_plans.emplace_back();
      c.field = d.validator->field;
      c.check = d.validator->check;
      c.column = d.validator->column;
      c.rank = d.rank;
      c.type = static_cast<std::uint8_t>(d.type);
      c.address = d.type == PiiType::kAddress;
      c.usable = d.confidence + d.context_boost >= d.min_confidence;
      c.standalone = d.standalone;
      c.primary = d.primary;
      c.identifies = d.identifies;
    }
    auto useful = [&](const Expression& e) {
      for (std::uint16_t d : engine_->keyword_targets[e.detector])
        if (engine_->detectors[d].needs_context) return true;
      return false;
    };
    std::vector<std::size_t> patterns, keywords;
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      if (exprs[i].kind == Expression::Kind::kPattern) {
        patterns.push_back(i);
      } else if (useful(exprs[i])) {
        keywords.push_back(i);
      }
    }
    engine_->kw_db = CompileDb(keywords, HS_MODE_BLOCK);
    // `identifies: true`: named by its keywords (a list of names was read with the detector).
    std::vector<bool> named_by_keywords;
    for (const Detector& det : engine_->detectors) named_by_keywords.push_back(det.identifies && det.names.empty());
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      if (exprs[i].kind == Expression::Kind::kPattern || exprs[i].field) continue;
      for (std::uint16_t d : engine_->keyword_targets[exprs[i].detector]) {
        Detector& det = engine_->detectors[d];
        if (det.needs_context) det.near_keywords.push_back(detail::LowerAscii(exprs[i].text));
        if (named_by_keywords[d]) det.names.push_back(detail::LowerAscii(exprs[i].text));
      }
    }
    std::vector<std::vector<std::string>> keywords_of(engine_->detectors.size());
    for (std::size_t i : keywords)
      for (std::uint16_t d : engine_->keyword_targets[exprs[i].detector]) keywords_of[d].push_back(exprs[i].text);
    for (std::size_t d = 0; d < engine_->detectors.size(); ++d) {
      Detector& det = engine_->detectors[d];
      det.near_tails = WordTails(det.near_keywords);
      det.name_tails = WordTails(det.names);
      det.keyword_prefilter = KeywordPrefilter(keywords_of[d]);
    }
    const bool fast_finder = CpuHasAvx512Vbmi() || CpuHasAvx2();
    bool gated = engine_->options.gate_patterns && (fast_finder || engine_->options.gate_without_vector_finder) &&
                 !patterns.empty();
    unsigned kinds = 0;
    for (std::size_t i : patterns) {
      gated = gated && exprs[i].anchor != 0;
      kinds |= exprs[i].anchor;
    }
    engine_->gated = gated;
    if (!gated) {
      if (!patterns.empty()) engine_->groups.push_back({CompileDb(patterns, HS_MODE_STREAM), 0, 0, 0, {}});
    } else {
      engine_->anchors = AnchorFinder(kinds);
      for (unsigned k = 1; k <= kAnchorAll; k <<= 1) {
        if (!(kinds & k)) continue;
        std::vector<std::size_t> mine;
        std::uint32_t before = 0, after = 0;
        NativeGroup native;
        bool all_native = engine_->options.native_patterns;
        for (std::size_t i : patterns) {
          if (exprs[i].anchor != k) continue;
          mine.push_back(i);
          before = std::max(before, exprs[i].anchor_before + 1);
          after = std::max(after, exprs[i].anchor_after);
          NativePattern np = RecognizeNative(exprs[i].text, exprs[i].hs_flags, k);
          all_native = all_native && np.kind != NativePattern::Kind::kNone;
          native.emplace_back(static_cast<unsigned>(i), std::move(np));
        }
        // Compiled even when native: a pattern that does not compile is reported the same way.
        HsDatabasePtr db = CompileDb(mine, HS_MODE_STREAM);
        if (all_native) {
          db.reset();
        } else {
          native.clear();
        }
        engine_->groups.push_back({std::move(db), k, before, after, std::move(native)});
      }
    }
    for (std::size_t i : keywords)
      engine_->max_keyword_bytes = std::max(engine_->max_keyword_bytes, static_cast<std::uint32_t>(exprs[i].text.size()));
    for (const Detector& d : engine_->detectors)
      if (d.needs_context)
        engine_->context_reach = std::max(engine_->context_reach, d.context_window + engine_->max_keyword_bytes);
  }

  HsDatabasePtr CompileDb(const std::vector<std::size_t>& which, unsigned mode) {
    if (which.empty()) return nullptr;
    std::vector<std::string> texts;
    std::vector<const char*> ptrs;
    std::vector<unsigned> ids, flags;
    const auto& exprs = engine_->expressions;
    for (std::size_t i : which) {
      texts.push_back(exprs[i].kind == Expression::Kind::kKeyword ? EscapeLiteral(exprs[i].text) : exprs[i].text);
      ids.push_back(static_cast<unsigned>(i));
      flags.push_back(exprs[i].hs_flags);
    }
    for (const auto& t : texts) ptrs.push_back(t.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()),
                                           mode, nullptr, &db, &err);
    if (rc != HS_SUCCESS) {
      std::string msg = err && err->message ? err->message : "unknown error";
      const int idx = err ? err->expression : -1;
      hs_free_compile_error(err);
      if (idx >= 0 && static_cast<std::size_t>(idx) < which.size()) {
        const auto& e = exprs[which[static_cast<std::size_t>(idx)]];
        Fail(e.line, "pattern `" + e.text + "` does not compile: " + msg);
      }
      Fail(1, "signature set does not compile: " + msg);
    }
    return HsDatabasePtr(db);
  }

  std::string source_;
  std::shared_ptr<PiiEngine> engine_;
  std::map<std::pair<std::string, bool>, std::size_t> keyword_index_;
};

}  // namespace

std::uint32_t PiiEngine::RecordOnlyColumnTypes(const std::vector<std::int32_t>& column_detector) const {
  std::uint32_t types = 0;
  for (const std::int32_t d : column_detector) {
    if (d < 0) continue;
    const ColumnPlan& plan = column_plans[static_cast<std::size_t>(d)];
    if (plan.usable && !plan.standalone) types |= 1u << plan.type;
  }
  return types;
}

std::uint64_t PiiEngine::DigitSpecsOfTypes(std::uint32_t types) const {
  std::uint64_t specs = 0;
  for (std::size_t j = 0; j < digit_specs.size() && j < 64; ++j)
    if (((types >> static_cast<unsigned>(detectors[digit_specs[j].detector].type)) & 1u) != 0) specs |= std::uint64_t{1} << j;
  return specs;
}

std::shared_ptr<const PiiEngine> CompilePiiEngine(const std::string& yaml_text, const std::string& source,
                                                  const PiiEngineOptions& options) {
  return Loader(source, options).Load(yaml_text);
}

std::shared_ptr<const PiiEngine> LoadPiiEngine(const std::string& path, const PiiEngineOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StartupError(path + ": cannot read signature file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return CompilePiiEngine(ss.str(), path, options);
}

}  // namespace vigie::match
