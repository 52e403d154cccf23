// The classifier: an issue (and any criteria answers the user gives) in, a category,
// an impact level, a rationale and the evidence out.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "silt/issue.h"
#include "silt/packs.h"
#include "silt/report.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt {

// given: by the user; inferred: rules fired on the text for or against it; implied: no
// rule fired, and the prior of the category (ScoreModel::criteria_prior) says it holds;
// assumed: no rule fired, and the prior says it does not.
enum class AnswerSource { given, inferred, implied, assumed };
std::string_view to_string(AnswerSource s);

struct CriterionReading {
  std::string id;
  bool value = false;
  AnswerSource source = AnswerSource::assumed;
  double score = 0;        // summed weight of the criterion's rules that fired
  double probability = 0;  // that it holds (1 or 0 when given)
};

struct Evidence {
  std::string rule;
  TargetKind kind = TargetKind::category;
  std::string target;
  std::string field;
  std::size_t start = 0;  // byte offsets into the field's text
  std::size_t end = 0;
  std::string text;      // the matched text
  double weight = 0;     // rule weight times field weight
  SourceLocation where;  // where the rule is defined
};

struct Classification {
  std::string id;
  std::string title;
  std::string url;       // the issue's web address, when the input gives one
  std::string pack;      // the rule pack that read it (its name, or the rules file's path)
  std::string source;    // where it was read from ("file:line"), when it was read back from a file
  std::string category;  // category id
  std::string category_name;
  double confidence = 0;      // 0-1: the category's probability, calibrated by the rules file's map
  double raw_confidence = 0;  // the probability before calibration
  bool fallback = false;      // true when no category rule fired: the category is the prior's
  // True when a person should look: no category evidence, a confidence under the rules
  // file's review.min_confidence, or a runner-up scoring at least review.margin times
  // the winner.
  bool needs_review = false;
  std::vector<std::pair<std::string, double>> scores;         // evidence score, every category, taxonomy order
  std::vector<std::pair<std::string, double>> probabilities;  // softmax of the model, same order
  std::optional<int> level;                                   // impact level number, nullopt when none matches
  double level_probability = 0;                               // of that level (or of no level)
  std::string threat;
  std::vector<CriterionReading> criteria;  // taxonomy order
  // Whether the report describes a silent bug: false when it shows a traceback, an
  // exception, a crash or a hang more than it says "no error"; nullopt when it says
  // neither. Such (loud) bugs are out of the taxonomy's scope, but still classified.
  std::optional<bool> silent;
  std::vector<std::string> rationale;
  std::vector<Evidence> evidence;
};

// Thread-safe: classify() is const and shares only immutable state (packs load their
// rules once, under a lock).
class Classifier {
 public:
  // One rule set reads every issue; `name` is what Classification::pack says.
  Classifier(std::shared_ptr<const Taxonomy> taxonomy, std::shared_ptr<const RuleSet> rules, std::string name = {});
  // Each issue read by the pack of its repository (PackSet::for_repository), or by the
  // pack named `forced` when it is not empty. The packs' rules must load: check them
  // with PackSet::rules first.
  Classifier(std::shared_ptr<const Taxonomy> taxonomy, std::shared_ptr<const PackSet> packs, std::string forced = {});

  // How much of the reading a classification carries. full: the rationale and every
  // piece of evidence with its text (JSON output, explain, eval); labels: the same
  // labels, figures and criteria readings, but no rationale and no evidence (a CSV row or
  // a gh command prints neither, and building them is a good part of the work).
  enum class Explain { full, labels };

  // `answers` has one entry per criterion or is empty; a set entry is a given answer
  // and wins over the text.
  Classification classify(const IssueView& issue, const Answers& answers = {}, Explain explain = Explain::full) const;
  Classification classify(const Issue& issue, const Answers& answers = {}, Explain explain = Explain::full) const {
    return classify(issue.view(), answers, explain);
  }

  // The body as the rules that read `issue` read it (prose by section, code, output),
  // with their boilerplate dropped. Evidence offsets on those fields point into these
  // texts.
  ReportFields read_report(const IssueView& issue) const;

  // The rules that read `issue`, and the name of their pack.
  const RuleSet& rules_for(const IssueView& issue, std::string* pack = nullptr) const;

  const Taxonomy& taxonomy() const { return *taxonomy_; }
  // The single rule set, or the forced or default pack's.
  const RuleSet& rules() const;

 private:
  std::shared_ptr<const Taxonomy> taxonomy_;
  std::shared_ptr<const RuleSet> rules_;
  std::string name_;
  std::shared_ptr<const PackSet> packs_;  // null: rules_ reads every issue
  const PackInfo* forced_ = nullptr;
};

// Its formats (JSON, CSV), written and read: silt/classification_io.h.

}  // namespace silt

// Its formats, written and read (to_json, classification_from_json, the CSV table).
#include "silt/classification_io.h"  // IWYU pragma: export
