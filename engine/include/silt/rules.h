// Matching rules: each one a pattern (RE2 syntax) that is evidence for a category or a
// criterion. Loaded from YAML against a taxonomy, compiled once, matched many times.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/diagnostics.h"
#include "silt/issue.h"
#include "silt/report.h"
#include "silt/taxonomy.h"

namespace silt {

// What a rule is evidence for: a category, a criterion, or the bug's signal (`signal:
// loud` for a traceback, an exception, a crash or a hang; `signal: silent` for "no
// error", "silently"...). target_index is 0 for loud, 1 for silent.
enum class TargetKind { category, criterion, signal };
std::string_view to_string(TargetKind k);

// A text kept with a rule that the rule must fire on (should_match) or must not.
struct RuleTest {
  std::string text;
  bool should_match = true;
  SourceLocation where;
};

struct Rule {
  std::string id;
  TargetKind kind = TargetKind::category;
  std::string target;               // category or criterion id
  std::size_t target_index = 0;     // into Taxonomy::categories or ::criteria
  std::string pattern;              // RE2 syntax
  std::string unless;               // RE2; a match whose sentence also matches this does not count
  std::vector<std::string> fields;  // fields looked at, from issue_fields()
  double weight = 1.0;              // evidence strength; negative is evidence against
  bool case_sensitive = false;
  std::string note;             // short phrase for the rationale
  std::vector<RuleTest> tests;  // as read; a RuleSet keeps them apart: RuleSet::tests
  SourceLocation where;         // the rule's map
  SourceLocation weight_where;  // where its weight is written (a `weight:` or a `weights:` entry); line 0: default
};

// One place a rule fired: the field and the byte range [start, end) of the first
// match in that field's text.
struct Hit {
  std::size_t rule = 0;  // index into RuleSet::rules()
  std::string field;
  std::size_t start = 0;
  std::size_t end = 0;
};

// A rule test that did not give what it said.
struct RuleTestFailure {
  std::string rule;
  RuleTest test;
};

// A calibration map, points (raw, calibrated) with raw increasing, applied to a raw
// confidence: linear between the points, flat beyond them; the raw value when empty.
double calibrate(const std::vector<std::pair<double, double>>& map, double raw);

// How evidence becomes probabilities: the rules file's `model:` map, which
// `silt rules fit` fits on labeled issues. A category's evidence score is the sum of its
// rules' weights, each rule counted once at its strongest hit (rule weight times field
// weight); p(category) is the softmax over the categories of
//   category_bias[c] + category_scale * score[c].
// Criterion k of a bug whose category is c holds with probability
//   sigmoid(criteria_prior[c][k] + criteria_scale * evidence[k]),
// evidence[k] summed as for categories. Without a `model:` map: no bias, scales 0.5
// and 2, and each category's prior +1 for the criteria its taxonomy entry `implies`, -1
// for the others (so one hit of weight 1 makes a criterion hold, as it did before).
struct ScoreModel {
  double category_scale = 0.5;
  double criteria_scale = 2.0;
  std::vector<double> category_bias;                // taxonomy order
  std::vector<std::vector<double>> criteria_prior;  // [category][criterion], taxonomy order
};

// Compiled rules. Immutable; const methods are safe to call from many threads.
class RuleSet {
 public:
  const std::vector<Rule>& rules() const { return rules_; }
  // How much a hit counts for by field ("title": 2, "body": 1...). Unlisted fields: 1.
  double field_weight(std::string_view field) const;
  // The file the rules were loaded from, and every file it included (in reading order).
  const std::string& file() const { return file_; }
  const std::vector<std::string>& files() const { return files_; }
  // The numbers that turn evidence into probabilities.
  const ScoreModel& model() const { return model_; }
  // The issue template as this rule set reads it: its `sections:` headings and
  // `boilerplate:`. Valid while the RuleSet lives.
  const ReportTemplate& report_template() const { return template_; }
  // needs_review: when the confidence is under review_confidence, or the runner-up
  // scores at least review_margin times the winner (the file's `review:` map).
  double review_confidence() const { return review_confidence_; }

  // The file's `calibration:` map applied to a raw confidence (silt::calibrate).
  double calibrate(double raw) const;
  bool calibrated() const { return !calibration_.empty(); }
  double review_margin() const { return review_margin_; }

  // Every hit of every rule on the issue, one per rule and field, in rule order.
  std::vector<Hit> match(const IssueView& issue) const;
  std::vector<Hit> match(const Issue& issue) const { return match(issue.view()); }

  // Whether some rule looks at a field read from the body's Markdown.
  bool uses_report_fields() const { return uses_report_fields_; }

  // Whether `text` (a paragraph) matches one of the file's `boilerplate:` patterns: the
  // issue template's own text, which is no evidence.
  bool is_boilerplate(std::string_view text) const;

  // The section a template heading opens (the file's `sections:`), nullopt for any
  // other heading. The heading is compared without its surrounding punctuation, emoji
  // and spaces (letters of any script stay: "问题描述"), in any case.
  std::optional<Section> section_of(std::string_view heading) const;

  // The first match of each rule in each field that an `unless` discarded, where the
  // rule did not fire in that field: what `silt explain` lists as suppressed.
  std::vector<Hit> suppressed(const IssueView& issue) const;

  // Whether rule `index` fires on `text`: some match of its pattern whose sentence
  // (see sentence_around) does not match its `unless`.
  bool fires(std::size_t index, std::string_view text) const;

  // As fires(), and sets [start, end) to the first match that counts.
  bool find_firing(std::size_t index, std::string_view text, std::size_t& start, std::size_t& end) const;

  // Whether a Hyperscan prefilter (built in, or cached: Prefilters) finds the rules to
  // try; else every field is scanned with RE2 sets. The hits are the same either way.
  bool prefiltered() const;

  // Rule `index`'s tests (its `match` and `no_match` texts). A rule set read from its
  // JSON form (built in, or cached) reads them only when first asked for: a start that
  // classifies needs none.
  const std::vector<RuleTest>& tests(std::size_t index) const;
  // Runs every rule's tests; returns the failures (empty when all pass).
  std::vector<RuleTestFailure> run_tests() const;
  std::size_t test_count() const;

  struct Compiled;  // opaque: the compiled patterns, defined in rules.cpp

 private:
  friend struct RuleSetBuilder;
  // find_firing, told whether `text` is ASCII (a field's rules share one check).
  bool find_firing(std::size_t index, std::string_view text, bool ascii_text, std::size_t& start,
                   std::size_t& end) const;
  std::vector<Rule> rules_;
  std::map<std::string, double, std::less<>> field_weights_;
  std::string file_;
  std::vector<std::string> files_;
  bool uses_report_fields_ = false;
  ScoreModel model_;
  ReportTemplate template_;
  double review_confidence_ = 0.5;
  double review_margin_ = 0.75;
  std::vector<std::pair<double, double>> calibration_;
  std::shared_ptr<const Compiled> compiled_;
  struct Tests;  // every rule's tests, or the JSON to read them from once asked for
  std::shared_ptr<Tests> tests_;
};

// What `silt rules lint` finds in a rule set (a pack with what it includes). Codes:
//   untested        a rule with no `match` test: no test of the pack ever makes it fire
//   shadowed        every `match` test of the rule also fires another rule with the same
//                   target and at least its weight: it adds nothing the other does not
//   no-rule         a category or criterion no rule is evidence for
struct RuleFinding {
  std::string code;
  std::string subject;  // the rule, category or criterion id
  std::string other;    // shadowed: the rule that shadows it
  SourceLocation where;
  std::string message;
};
std::vector<RuleFinding> lint_rules(const RuleSet& rules, const Taxonomy& taxonomy);

// The sentence holding text[start, end): from after the previous line break or '.',
// '!', '?' followed by a space (leading spaces dropped), to the next one (included).
std::string_view sentence_around(std::string_view text, std::size_t start, std::size_t end);

struct RuleLoad {
  std::optional<RuleSet> rules;  // set when no error was found
  Diagnostics diagnostics;
};

// How a rules file's `include:` entries are read: the text of `path` (as written in the
// file `from`), with the name to report it under; an Error when it cannot be read.
using IncludeReader =
    std::function<Result<std::pair<std::string, std::string>>(const std::string& from, const std::string& path)>;

// The IncludeReader of files on disk: `path` relative to the directory of `from`; a
// relative path found nowhere there names a built-in rules file (rules/PATH) when
// there is one, so that a pack of one's own includes generic.yaml as it is.
IncludeReader include_from_disk();

// How a rule set finds the rules that may fire in a text. Built-in rules files come with
// a Hyperscan prefilter compiled at build time; a user's file's is compiled on request
// and cached (in $SILT_CACHE_DIR, else $XDG_CACHE_HOME/silt, else ~/.cache/silt) by the
// content of its patterns. A file with none uses one RE2 set a field (SILT_MATCHER=re2
// forces this): the same hits, a slower start.
enum class Prefilters {
  use,      // the built-in or cached ones
  compile,  // also compile (seconds) and cache those missing
};

// Where Prefilters::compile caches them; empty when nowhere (SILT_CACHE_DIR=off).
std::string prefilter_cache_directory();

// Parses, validates and compiles a rules YAML document against `taxonomy` (target ids
// are checked there), with the files it includes read by `includes` (none may be
// included when it is empty). Collects every finding. Never throws.
RuleLoad load_rules(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                    const IncludeReader& includes = {}, Prefilters prefilters = Prefilters::use);

// Reads `path` and the files it includes from disk, then as load_rules. An unreadable
// file is a diagnostic.
RuleLoad load_rules_file(const std::string& path, const Taxonomy& taxonomy, Prefilters prefilters = Prefilters::use);

}  // namespace silt
