#include "silt/rules.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "read_file.h"
#include "yaml_reader.h"

namespace silt {

std::string_view to_string(TargetKind k) {
  switch (k) {
    case TargetKind::category:
      return "category";
    case TargetKind::criterion:
      return "criterion";
    case TargetKind::signal:
      return "signal";
  }
  return "?";
}

namespace {
RE2::Options re2_options(bool case_sensitive);
}  // namespace

// A prefilter: one RE2::Set over some rules' patterns. Two compilations of it: in
// Latin-1, compiled at load, which on ASCII text matches exactly what UTF-8 matches
// (classes, case folding and counted repeats only differ on bytes over 0x7f) with about
// half the instructions (its compilation is most of the start-up: 23.5 -> 19 ms a
// process); and in UTF-8, compiled the first time a text with other bytes comes (safe
// from many threads). Either is null when it cannot be built (a pattern Latin-1 cannot
// parse, or out of memory); the UTF-8 one is then the only one.
struct PrefilterSet {
  std::vector<std::string> patterns;
  std::unique_ptr<RE2::Set> ascii;
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2::Set> utf8;

  static std::unique_ptr<RE2::Set> compile(const std::vector<std::string>& patterns, bool latin1) {
    RE2::Options o = re2_options(true);
    o.set_max_mem(256 << 20);
    if (latin1) o.set_encoding(RE2::Options::EncodingLatin1);
    auto set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
    for (const auto& p : patterns)
      if (set->Add(p, nullptr) < 0) return nullptr;
    return set->Compile() ? std::move(set) : nullptr;
  }
  const RE2::Set* utf8_set() const {
    std::call_once(once, [&] { utf8 = compile(patterns, false); });
    return utf8.get();
  }
  // The set to scan `text` with: null when neither could be built.
  const RE2::Set* for_text(std::string_view text) const {
    if (ascii && std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      return ascii.get();
    return utf8_set();
  }
};

// The compiled form: one RE2 per pattern, and per field one RE2::Set of the patterns of
// the rules that look at it, so a field is scanned once to learn which rules may fire.
struct RuleSet::Compiled {
  struct FieldSet {
    std::string field;
    // A set over this field's rules, or over a modest superset of them shared with
    // other fields; when it cannot be built, each rule is tested alone.
    std::shared_ptr<const PrefilterSet> set;
    std::vector<std::size_t> rules;  // the rules that read this field
    std::vector<bool> reads;         // by rule index: whether the rule reads this field
    std::vector<int> set_rules;      // set index -> rule index
  };
  // Each rule's own RE2, compiled on first use: most rules never fire on a given input,
  // and compiling them all is most of the start-up. Safe from many threads.
  const RE2& pattern(std::size_t i) const {
    std::call_once(once[i],
                   [&] { patterns[i] = std::make_unique<RE2>(pattern_text[i], re2_options(case_sensitive[i])); });
    return *patterns[i];
  }
  std::vector<std::string> pattern_text;
  std::vector<bool> case_sensitive;
  mutable std::vector<std::unique_ptr<RE2>> patterns;
  mutable std::unique_ptr<std::once_flag[]> once;
  std::vector<std::unique_ptr<RE2>> unless;  // null when the rule has none
  std::unique_ptr<RE2::Set> boilerplate;     // null when the file has none
  std::vector<FieldSet> fields;
};

// Builds a RuleSet; a friend so the class can keep its members private.
struct RuleSetBuilder {
  static RuleSet make(std::vector<Rule> rules, std::map<std::string, double, std::less<>> weights, std::string file,
                      std::shared_ptr<const RuleSet::Compiled> compiled, double threshold, double review_confidence,
                      double review_margin, std::vector<std::pair<double, double>> calibration) {
    RuleSet s;
    s.calibration_ = std::move(calibration);
    s.criterion_threshold_ = threshold;
    s.review_confidence_ = review_confidence;
    s.review_margin_ = review_margin;
    s.rules_ = std::move(rules);
    s.field_weights_ = std::move(weights);
    s.file_ = std::move(file);
    s.compiled_ = std::move(compiled);
    for (const auto& r : s.rules_)
      for (const auto& f : r.fields) s.uses_report_fields_ = s.uses_report_fields_ || is_report_field(f);
    return s;
  }
};

namespace {

RE2::Options re2_options(bool case_sensitive) {
  RE2::Options o;
  o.set_log_errors(false);  // errors become diagnostics; the library never prints
  o.set_case_sensitive(case_sensitive);
  o.set_max_mem(64 << 20);
  return o;
}

// The pattern as it goes into a set shared by rules of either case sensitivity.
std::string set_pattern(const Rule& r) {
  return (r.case_sensitive ? "" : "(?i)") + r.pattern;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A sentence ends at a line break, or at '.', '!' or '?' followed by a space or the end
// of the text (so "model.fit()" does not end one).
bool ends_sentence(std::string_view text, std::size_t i) {
  char c = text[i];
  if (c == '\n') return true;
  if (c != '.' && c != '!' && c != '?') return false;
  return i + 1 == text.size() || is_space(text[i + 1]);
}

}  // namespace

std::string_view sentence_around(std::string_view text, std::size_t start, std::size_t end) {
  std::size_t b = start;
  while (b > 0 && !ends_sentence(text, b - 1)) --b;
  while (b < start && is_space(text[b])) ++b;
  std::size_t e = end;
  while (e < text.size() && !ends_sentence(text, e)) ++e;
  if (e < text.size()) ++e;  // keep the closing punctuation
  return text.substr(b, e - b);
}

double RuleSet::field_weight(std::string_view field) const {
  auto it = field_weights_.find(field);
  return it == field_weights_.end() ? 1.0 : it->second;
}

double RuleSet::calibrate(double raw) const {
  return silt::calibrate(calibration_, raw);
}

double calibrate(const std::vector<std::pair<double, double>>& c, double raw) {
  if (c.empty()) return raw;
  if (raw <= c.front().first) return c.front().second;
  if (raw >= c.back().first) return c.back().second;
  for (std::size_t i = 1; i < c.size(); ++i)
    if (raw <= c[i].first) {
      const double t = (raw - c[i - 1].first) / (c[i].first - c[i - 1].first);
      return c[i - 1].second + t * (c[i].second - c[i - 1].second);
    }
  return raw;
}

bool RuleSet::is_boilerplate(std::string_view text) const {
  if (!compiled_->boilerplate) return false;
  std::vector<int> found;
  return compiled_->boilerplate->Match(re2::StringPiece(text.data(), text.size()), &found);
}

bool RuleSet::fires(std::size_t index, std::string_view text) const {
  std::size_t s = 0, e = 0;
  return find_firing(index, text, s, e);
}

bool RuleSet::find_firing(std::size_t index, std::string_view text, std::size_t& start, std::size_t& end) const {
  const RE2& pattern = compiled_->pattern(index);
  const RE2* unless = compiled_->unless[index].get();
  std::size_t from = 0;
  while (from <= text.size()) {
    re2::StringPiece m;
    if (!pattern.Match(re2::StringPiece(text.data(), text.size()), from, text.size(), RE2::UNANCHORED, &m, 1))
      return false;
    start = static_cast<std::size_t>(m.data() - text.data());
    end = start + m.size();
    if (!unless) return true;
    std::string_view sentence = sentence_around(text, start, end);
    if (!RE2::PartialMatch(re2::StringPiece(sentence.data(), sentence.size()), *unless)) return true;
    from = end > start ? end : start + 1;  // suppressed: look for a later match
  }
  return false;
}

std::vector<Hit> RuleSet::match(const IssueView& issue) const {
  std::vector<Hit> hits;
  std::vector<int> found;
  for (const auto& fs : compiled_->fields) {
    std::string_view text = issue.field(fs.field);
    if (text.empty()) continue;
    found.clear();
    bool prefiltered = false;
    if (const RE2::Set* set = fs.set->for_text(text)) {
      RE2::Set::ErrorInfo info{};
      prefiltered =
          set->Match(re2::StringPiece(text.data(), text.size()), &found, &info) || info.kind == RE2::Set::kNoError;
    }
    std::vector<std::size_t> candidates;
    if (prefiltered) {
      for (int i : found) {
        const auto rule = static_cast<std::size_t>(fs.set_rules[static_cast<std::size_t>(i)]);
        if (fs.reads[rule]) candidates.push_back(rule);
      }
      std::sort(candidates.begin(), candidates.end());
    } else {
      candidates = fs.rules;  // no set, or it ran out of memory: test every rule of this field
    }
    for (std::size_t r : candidates) {
      std::size_t s = 0, e = 0;
      if (find_firing(r, text, s, e)) hits.push_back({r, fs.field, s, e});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.rule < b.rule; });
  return hits;
}

std::vector<Hit> RuleSet::suppressed(const IssueView& issue) const {
  std::vector<Hit> out;
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    if (!compiled_->unless[r]) continue;
    for (const auto& field : rules_[r].fields) {
      std::string_view text = issue.field(field);
      std::size_t s = 0, e = 0;
      if (text.empty() || find_firing(r, text, s, e)) continue;
      re2::StringPiece m;
      if (compiled_->pattern(r).Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, &m,
                                      1)) {
        s = static_cast<std::size_t>(m.data() - text.data());
        out.push_back({r, field, s, s + m.size()});
      }
    }
  }
  return out;
}

std::vector<RuleTestFailure> RuleSet::run_tests() const {
  std::vector<RuleTestFailure> out;
  for (std::size_t i = 0; i < rules_.size(); ++i)
    for (const auto& t : rules_[i].tests)
      if (fires(i, t.text) != t.should_match) out.push_back({rules_[i].id, t});
  return out;
}

std::size_t RuleSet::test_count() const {
  std::size_t n = 0;
  for (const auto& r : rules_) n += r.tests.size();
  return n;
}

namespace {

using detail::YamlReader;

void read_tests(YamlReader& r, const YAML::Node& rule_node, Rule& rule) {
  const YAML::Node tests = rule_node["tests"];
  if (!tests.IsDefined() || tests.IsNull()) {
    r.warning("rule-untested", rule_node, rule.id, "the rule has no tests",
              "add 'tests: {match: [...], no_match: [...]}' with short texts in your own words");
    return;
  }
  if (!r.expect_map(tests, {"match", "no_match"}, "tests", rule.id)) return;
  for (const char* key : {"match", "no_match"}) {
    YAML::Node seq = r.get_sequence(tests, key, false, rule.id);
    if (!seq.IsDefined()) continue;
    for (const auto& item : seq) {
      if (!item.IsScalar()) {
        r.error("bad-type", item, rule.id, std::string("each test under '") + key + "' must be a string");
        continue;
      }
      rule.tests.push_back({item.Scalar(), std::string_view(key) == "match", r.where(item)});
    }
  }
}

// Whether `pattern` is valid RE2, without compiling it (RE2::Set::Add parses only);
// reports `bad-pattern` with RE2's message when it is not. Parsed case-sensitively
// whatever the rule says: case folding does not change what is valid, and folding every
// letter is most of the parse.
bool check_pattern(YamlReader& r, const YAML::Node& node, const std::string& rule_id, const std::string& pattern) {
  RE2::Set check(re2_options(true), RE2::UNANCHORED);
  std::string error;
  if (check.Add(pattern, &error) >= 0) return true;
  r.error("bad-pattern", node, rule_id, "pattern is not valid RE2: " + error,
          "RE2 has no backreferences or lookaround; see https://github.com/google/re2/wiki/Syntax");
  return false;
}

std::unique_ptr<RE2> compile(YamlReader& r, const YAML::Node& node, const std::string& rule_id,
                             const std::string& pattern, bool case_sensitive, const char* key) {
  auto re = std::make_unique<RE2>(pattern, re2_options(case_sensitive));
  if (!re->ok()) {
    r.error("bad-pattern", node, rule_id, std::string(key) + " is not valid RE2: " + re->error(),
            "RE2 has no backreferences or lookaround; see https://github.com/google/re2/wiki/Syntax");
    return nullptr;
  }
  return re;
}

}  // namespace

namespace {

RuleLoad load_rules_unguarded(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy) {
  RuleLoad out;
  YamlReader r(file, yaml, out.diagnostics);
  auto root = r.parse();
  if (!root) return out;
  if (!r.expect_map(
          *root,
          {"schema", "fields", "default_in", "criterion_threshold", "review", "calibration", "boilerplate", "rules"},
          "the rules file", {}))
    return out;
  r.check_schema(*root, "silt/rules/v1");

  const auto& known_fields = issue_fields();
  std::map<std::string, double, std::less<>> weights;
  if (const YAML::Node fw = (*root)["fields"]; fw.IsDefined()) {
    if (!fw.IsMap()) {
      r.error("bad-type", fw, {}, "'fields' must be a map from field name to weight");
    } else {
      for (const auto& kv : fw) {
        std::string name = kv.first.Scalar();
        if (std::find(known_fields.begin(), known_fields.end(), name) == known_fields.end()) {
          std::string hint;
          if (auto c = detail::closest(name, known_fields)) hint = "did you mean '" + *c + "'?";
          r.error("unknown-field", kv.first, {}, "unknown field '" + name + "'", hint);
          continue;
        }
        double w = 0;
        if (weights.count(name))
          r.error("duplicate-key", kv.first, name, "field '" + name + "' is weighed twice in 'fields'");
        else if (!YAML::convert<double>::decode(kv.second, w) || w < 0)
          r.error("bad-type", kv.second, name, "a field weight must be a number >= 0");
        else
          weights[name] = w;
      }
    }
  }

  // The fields a rule without `in` looks at.
  std::vector<std::string> default_in = {"title", "body"};
  YAML::Node din = r.get_sequence(*root, "default_in", false, {});
  if (din.IsDefined()) {
    default_in.clear();
    for (const auto& f : din) {
      std::string name = f.IsScalar() ? f.Scalar() : std::string();
      if (std::find(known_fields.begin(), known_fields.end(), name) == known_fields.end())
        r.error("unknown-field", f, {}, "unknown field '" + name + "' in 'default_in'");
      else
        default_in.push_back(name);
    }
  }

  auto compiled = std::make_shared<RuleSet::Compiled>();
  // The issue template's own text: paragraphs matching these are no evidence.
  YAML::Node boiler = r.get_sequence(*root, "boilerplate", false, {});
  if (boiler.IsDefined() && boiler.size() > 0) {
    compiled->boilerplate = std::make_unique<RE2::Set>(re2_options(false), RE2::UNANCHORED);
    for (const auto& b : boiler) {
      std::string err;
      if (!b.IsScalar() || compiled->boilerplate->Add(b.Scalar(), &err) < 0)
        r.error("bad-pattern", b, {}, "boilerplate pattern is not valid RE2: " + (b.IsScalar() ? err : "not a string"));
    }
    if (!out.diagnostics.has_errors() && !compiled->boilerplate->Compile())
      r.error("bad-pattern", boiler, {}, "the boilerplate patterns do not compile together (too large)");
  }

  std::vector<std::string> category_ids, criterion_ids;
  for (const auto& c : taxonomy.categories) category_ids.push_back(c.id);
  for (const auto& c : taxonomy.criteria) criterion_ids.push_back(c.id);

  std::vector<Rule> rules;
  std::vector<SourceLocation> pattern_where;  // of each kept rule's pattern
  std::set<std::string> seen;
  YAML::Node seq = r.get_sequence(*root, "rules", true, {});
  if (seq.IsDefined()) {
    r.set_subject_kind("rule");
    for (const auto& node : seq) {
      const YAML::Node id_node = node.IsMap() ? node["id"] : YAML::Node();
      const std::string named = id_node.IsDefined() && id_node.IsScalar() ? id_node.Scalar() : std::string();
      if (!r.expect_map(node,
                        {"id", "category", "criterion", "signal", "pattern", "unless", "in", "weight", "case_sensitive",
                         "note", "tests"},
                        "a rule", named))
        continue;
      auto id = r.get_string(node, "id", true, {});
      if (!id) continue;
      Rule rule;
      rule.id = *id;
      rule.where = r.where(node);
      bool ok = true;
      if (!seen.insert(rule.id).second) {
        r.error("duplicate-id", node["id"], rule.id, "rule id '" + rule.id + "' is used twice",
                "rule ids must be unique in a file");
        ok = false;
      }

      auto category = r.get_string(node, "category", false, rule.id);
      auto criterion = r.get_string(node, "criterion", false, rule.id);
      auto signal = r.get_string(node, "signal", false, rule.id);
      const int targets = (category ? 1 : 0) + (criterion ? 1 : 0) + (signal ? 1 : 0);
      if (targets > 1) {
        r.error("two-targets", node, rule.id,
                "a rule has exactly one target: 'category', 'criterion' or 'signal', not several");
        ok = false;
      } else if (targets == 0) {
        r.error("missing-key", node, rule.id,
                "missing the target: 'category: ID', 'criterion: ID' or 'signal: loud|silent'");
        ok = false;
      } else if (signal) {
        rule.kind = TargetKind::signal;
        rule.target = *signal;
        if (*signal == "loud" || *signal == "silent") {
          rule.target_index = *signal == "loud" ? 0 : 1;
        } else {
          r.error("bad-signal", node["signal"], rule.id, "signal '" + *signal + "' is not loud or silent");
          ok = false;
        }
      } else if (category) {
        rule.kind = TargetKind::category;
        rule.target = *category;
        if (auto i = taxonomy.category_index(*category))
          rule.target_index = *i;
        else {
          std::string hint;
          if (auto c = detail::closest(*category, category_ids)) hint = "did you mean '" + *c + "'?";
          r.error("unknown-category", node["category"], rule.id, "category '" + *category + "' is not in the taxonomy",
                  hint);
          ok = false;
        }
      } else {
        rule.kind = TargetKind::criterion;
        rule.target = *criterion;
        if (auto i = taxonomy.criterion_index(*criterion))
          rule.target_index = *i;
        else {
          std::string hint;
          if (auto c = detail::closest(*criterion, criterion_ids)) hint = "did you mean '" + *c + "'?";
          r.error("unknown-criterion", node["criterion"], rule.id,
                  "criterion '" + *criterion + "' is not in the impact matrix", hint);
          ok = false;
        }
      }

      rule.case_sensitive = r.get_bool(node, "case_sensitive", false, rule.id).value_or(false);
      rule.weight = r.get_number(node, "weight", false, rule.id).value_or(1.0);
      rule.note = r.get_string(node, "note", false, rule.id).value_or(rule.id);

      std::unique_ptr<RE2> unless;
      bool pattern_ok = false;
      if (auto p = r.get_string(node, "pattern", true, rule.id)) {
        rule.pattern = *p;
        pattern_ok = check_pattern(r, node["pattern"], rule.id, rule.pattern);
        pattern_where.push_back(r.where(node["pattern"]));
      }
      ok = ok && pattern_ok;
      if (auto u = r.get_string(node, "unless", false, rule.id)) {
        rule.unless = *u;
        unless = compile(r, node["unless"], rule.id, rule.unless, rule.case_sensitive, "unless");
        ok = ok && unless;
      }

      YAML::Node in = r.get_sequence(node, "in", false, rule.id);
      if (in.IsDefined()) {
        for (const auto& f : in) {
          std::string name = f.IsScalar() ? f.Scalar() : std::string();
          if (std::find(known_fields.begin(), known_fields.end(), name) == known_fields.end()) {
            std::string hint;
            if (auto c = detail::closest(name, known_fields))
              hint = "did you mean '" + *c + "'?";
            else
              hint =
                  "fields: title, body, labels, comments, prose, prose.current, prose.expected, prose.other, code, "
                  "output";
            r.error("unknown-field", f, rule.id, "unknown field '" + name + "' in 'in'", hint);
            ok = false;
          } else if (std::find(rule.fields.begin(), rule.fields.end(), name) == rule.fields.end()) {
            rule.fields.push_back(name);
          }
        }
        if (in.size() == 0) r.error("empty", in, rule.id, "'in' names no field");
      } else {
        rule.fields = default_in;
      }
      read_tests(r, node, rule);

      if (!ok) {
        if (pattern_ok) pattern_where.pop_back();
        continue;
      }
      compiled->pattern_text.push_back(rule.pattern);
      compiled->case_sensitive.push_back(rule.case_sensitive);
      compiled->unless.push_back(std::move(unless));
      rules.push_back(std::move(rule));
    }
  }
  if (out.diagnostics.has_errors()) return out;

  // Prefilter sets: a field scans its text once with a set, then drops the rules that
  // matched but do not read it. Compiling a set is most of the start-up, so a field
  // reuses a set already built when that set's rules are a modest superset of its own;
  // otherwise (code and output read few rules, and are long) it gets its own set.
  struct Built {
    std::vector<std::size_t> rules;
    std::shared_ptr<PrefilterSet> set;
    std::vector<int> index;  // set index -> rule index
  };
  std::vector<Built> built;
  std::vector<RuleSet::Compiled::FieldSet> field_sets;
  for (const auto& field : known_fields) {
    RuleSet::Compiled::FieldSet fs;
    fs.field = field;
    fs.reads.assign(rules.size(), false);
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (std::find(rules[i].fields.begin(), rules[i].fields.end(), field) != rules[i].fields.end()) {
        fs.rules.push_back(i);
        fs.reads[i] = true;
      }
    if (!fs.rules.empty()) field_sets.push_back(std::move(fs));
  }
  std::stable_sort(field_sets.begin(), field_sets.end(),
                   [](const auto& a, const auto& b) { return a.rules.size() > b.rules.size(); });
  for (auto& fs : field_sets) {
    const Built* reuse = nullptr;
    for (const auto& b : built)
      if (b.rules.size() <= fs.rules.size() * 2 + 4 &&
          std::includes(b.rules.begin(), b.rules.end(), fs.rules.begin(), fs.rules.end()))
        reuse = &b;
    if (!reuse) {
      Built b;
      b.rules = fs.rules;
      b.set = std::make_shared<PrefilterSet>();
      for (std::size_t i : b.rules) {
        b.set->patterns.push_back(set_pattern(rules[i]));
        b.index.push_back(static_cast<int>(i));
      }
      b.set->ascii = PrefilterSet::compile(b.set->patterns, true);
      built.push_back(std::move(b));
      reuse = &built.back();
    }
    fs.set = reuse->set;
    fs.set_rules = reuse->index;
  }
  compiled->fields = std::move(field_sets);
  compiled->patterns.resize(rules.size());
  compiled->once = std::make_unique<std::once_flag[]>(rules.size());
  // A pattern that matches the empty text would fire on every issue: the sets tell for
  // the rules they hold; a rule in no set (one failed to build) is compiled to tell.
  std::vector<bool> empty(rules.size(), false), covered(rules.size(), false);
  for (const auto& b : built) {
    const RE2::Set* set = b.set->for_text("");  // exact in Latin-1: the empty text is ASCII
    if (!set) continue;
    for (int i : b.index) covered[static_cast<std::size_t>(i)] = true;
    std::vector<int> found;
    if (set->Match("", &found))
      for (int i : found) empty[static_cast<std::size_t>(b.index[static_cast<std::size_t>(i)])] = true;
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!covered[i]) empty[i] = RE2::PartialMatch("", compiled->pattern(i));
    if (empty[i])
      r.report(Severity::error, "empty-match", pattern_where[i], rules[i].id,
               "the pattern matches the empty text, so it fires on every issue");
  }
  if (out.diagnostics.has_errors()) return out;
  const double threshold = r.get_number(*root, "criterion_threshold", false, {}).value_or(0.0);
  double review_confidence = 0.5, review_margin = 0.75;
  if (const YAML::Node review = (*root)["review"];
      review.IsDefined() && r.expect_map(review, {"min_confidence", "margin"}, "review", {})) {
    review_confidence = r.get_number(review, "min_confidence", false, {}).value_or(review_confidence);
    review_margin = r.get_number(review, "margin", false, {}).value_or(review_margin);
  }
  // calibration: [[raw, calibrated], ...], raw increasing, calibrated not decreasing, in [0, 1].
  std::vector<std::pair<double, double>> calibration;
  YAML::Node cal = r.get_sequence(*root, "calibration", false, {});
  if (cal.IsDefined()) {
    for (const auto& point : cal) {
      double x = 0, y = 0;
      if (!point.IsSequence() || point.size() != 2 || !YAML::convert<double>::decode(point[0], x) ||
          !YAML::convert<double>::decode(point[1], y) || x < 0 || x > 1 || y < 0 || y > 1) {
        r.error("bad-calibration", point, {}, "a calibration point is [raw, calibrated], both from 0 to 1");
        continue;
      }
      if (!calibration.empty() && (x <= calibration.back().first || y < calibration.back().second))
        r.error("bad-calibration", point, {},
                "calibration points must have increasing raw values and non-decreasing calibrated ones");
      calibration.emplace_back(x, y);
    }
  }
  if (out.diagnostics.has_errors()) return out;
  out.rules = RuleSetBuilder::make(std::move(rules), std::move(weights), file, std::move(compiled), threshold,
                                   review_confidence, review_margin, std::move(calibration));
  return out;
}

}  // namespace

// The library boundary: whatever yaml-cpp or RE2 throws becomes a diagnostic.
RuleLoad load_rules(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy) {
  try {
    return load_rules_unguarded(yaml, file, taxonomy);
  } catch (const std::exception& e) {
    RuleLoad out;
    Diagnostic d;
    d.code = "internal";
    d.where.file = file;
    d.message = std::string("the rules could not be read: ") + e.what();
    d.hint = "this is a bug in silt: please report it with the file";
    out.diagnostics.add(std::move(d));
    return out;
  }
}

RuleLoad load_rules_file(const std::string& path, const Taxonomy& taxonomy) {
  auto text = detail::read_file(path);
  if (!text.ok()) {
    RuleLoad out;
    out.diagnostics.add(detail::unreadable_file(path, text.error()));
    return out;
  }
  return load_rules(text.value(), path, taxonomy);
}

}  // namespace silt
