#include "silt/classifier.h"
#include "silt/utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "model_math.h"
#include "silt/report.h"

namespace silt {

std::string_view to_string(AnswerSource s) {
  switch (s) {
    case AnswerSource::given:
      return "given";
    case AnswerSource::inferred:
      return "inferred";
    case AnswerSource::implied:
      return "implied";
    case AnswerSource::assumed:
      return "assumed";
  }
  return "?";
}

Classifier::Classifier(std::shared_ptr<const Taxonomy> taxonomy, std::shared_ptr<const RuleSet> rules, std::string name)
    : taxonomy_(std::move(taxonomy)), rules_(std::move(rules)), name_(std::move(name)) {
  if (name_.empty()) name_ = rules_->file();
}

Classifier::Classifier(std::shared_ptr<const Taxonomy> taxonomy, std::shared_ptr<const PackSet> packs,
                       std::string forced)
    : taxonomy_(std::move(taxonomy)), packs_(std::move(packs)) {
  if (!forced.empty()) forced_ = packs_->find(forced);
  if (forced_) {
    rules_ = packs_->rules(*forced_);
    name_ = forced_->name;
  }
  // Otherwise each pack loads when an issue first needs it (the default one too).
}

const RuleSet& Classifier::rules() const {
  if (rules_) return *rules_;
  return *packs_->rules(packs_->default_pack());  // kept alive by the pack set
}

const RuleSet& Classifier::rules_for(const IssueView& issue, std::string* pack) const {
  if (!packs_ || forced_) {
    if (pack) *pack = name_;
    return *rules_;
  }
  const PackInfo* p = &packs_->for_repository(repository_of(issue));
  auto rules = packs_->rules(*p);
  if (!rules) {  // a pack whose rules do not load reads nothing: the default one does
    p = &packs_->default_pack();
    rules = packs_->rules(*p);
  }
  if (!rules)  // the constructor's contract broken: say so rather than read through null
    throw std::logic_error("the rules of pack '" + p->name + "' do not load: check them with PackSet::rules first");
  if (pack) *pack = p->name;
  return *rules;  // kept alive by the pack set, which lives as long as this classifier
}

namespace {

std::string fmt_score(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", v);
  if (std::fabs(v) >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// At most `max` bytes of `s` on one line, cut at a UTF-8 character boundary.
std::string quote(std::string_view s, std::size_t max = 60) {
  std::string out;
  for (char ch : s) out += (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
  if (out.size() > max) {
    out = out.substr(0, utf8_cut(out, max)) + "...";
  }
  return "\"" + out + "\"";
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// A rule's contribution: its strongest hit (weight times field weight), counted once.
struct Contribution {
  std::size_t rule;
  double weight;
  std::size_t evidence;  // index of the strongest hit in Classification::evidence
};

std::string cite(const Rule& r, const Evidence& e) {
  return r.note + " (" + r.id + ", " + e.where.to_string() + ": " + quote(e.text) + " in " + e.field + ")";
}

}  // namespace

ReportFields Classifier::read_report(const IssueView& issue) const {
  return silt::read_report(issue.body, rules_for(issue).report_template());
}

namespace {

// The decision, before any word of explanation: scores and probabilities.
struct Decision {
  std::vector<Contribution> best;          // each rule that fired, at its strongest hit
  std::vector<double> score, probability;  // per category
  std::size_t top = 0, runner = 0;
  bool fallback = false;
  std::vector<double> evidence, prior, holds_p;  // per criterion
  std::vector<bool> holds;
  std::vector<AnswerSource> source;
  std::optional<std::size_t> level;  // index into the taxonomy's levels
  double level_p = 0;
  double signal[2] = {0, 0};  // loud, silent
};

std::string fmt_p(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  return buf;
}

std::string fmt_signed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2g", v);
  if (std::fabs(v) >= 10) std::snprintf(buf, sizeof buf, "%+.1f", v);
  return buf;
}

// The strongest contributions, cited: "note (rule, file:line: "text" in field)".
std::string cite_top(const std::vector<Rule>& rules, const Classification& out, std::vector<Contribution> cs,
                     std::size_t max) {
  std::sort(cs.begin(), cs.end(),
            [](const Contribution& a, const Contribution& b) { return std::fabs(a.weight) > std::fabs(b.weight); });
  std::vector<std::string> why;
  for (std::size_t i = 0; i < cs.size() && i < max; ++i)
    why.push_back(cite(rules[cs[i].rule], out.evidence[cs[i].evidence]));
  std::string s = join(why, "; ");
  if (cs.size() > max) s += "; and " + std::to_string(cs.size() - max) + " more";
  return s;
}

void explain_category(const Taxonomy& tax, const std::vector<Rule>& rules, const Decision& d,
                      const std::vector<std::vector<Contribution>>& by_category, Classification& out) {
  const std::string name = out.category + " (" + out.category_name + ")";
  if (d.fallback) {
    // Rules that fired only against categories: named, with the scores they left.
    std::string against;
    for (std::size_t i = 0; i < by_category.size(); ++i)
      if (!by_category[i].empty())
        against += (against.empty() ? "" : ", ") + tax.categories[i].id + " " + fmt_score(d.score[i]);
    if (against.empty())
      out.rationale.push_back("No category rule matched: " + name +
                              " is the most likely category before any evidence (probability " +
                              fmt_p(d.probability[d.top]) + ", its prior); a person should look.");
    else
      out.rationale.push_back("No rule spoke for a category, only against (" + against + "): " + name +
                              " is the most likely category left (probability " + fmt_p(d.probability[d.top]) +
                              "); a person should look.");
    return;
  }
  std::vector<Contribution> positive;
  for (const auto& c : by_category[d.top])
    if (c.weight > 0) positive.push_back(c);
  out.rationale.push_back("Category " + name + ", probability " + fmt_p(d.probability[d.top]) + ", score " +
                          fmt_score(d.score[d.top]) + ": " + cite_top(rules, out, positive, 3) + ".");
  if (d.probability[d.runner] == d.probability[d.top])
    out.rationale.push_back("Tied with " + tax.categories[d.runner].id + " (probability " +
                            fmt_p(d.probability[d.runner]) + ", score " + fmt_score(d.score[d.runner]) +
                            "): the taxonomy lists " + out.category +
                            " first, so it is the label; a person should look.");
  else if (d.probability[d.runner] >= 0.05)
    out.rationale.push_back("Runner-up: " + tax.categories[d.runner].id + ", probability " +
                            fmt_p(d.probability[d.runner]) +
                            (d.score[d.runner] > 0 ? ", score " + fmt_score(d.score[d.runner]) : std::string()) + ".");
}

void explain_criteria(const Taxonomy& tax, const std::vector<Rule>& rules, const Decision& d,
                      const std::vector<std::vector<Contribution>>& by_criterion, Classification& out, bool explain) {
  const std::string of_category = " for " + tax.categories[d.top].id + " bugs";
  for (std::size_t k = 0; k < tax.criteria.size(); ++k) {
    CriterionReading cr;
    cr.id = tax.criteria[k].id;
    cr.score = d.evidence[k];
    cr.value = d.holds[k];
    cr.source = d.source[k];
    cr.probability = d.holds_p[k];
    if (!explain) {
      out.criteria.push_back(std::move(cr));
      continue;
    }
    std::string s = cr.id + ": " + (cr.value ? "yes" : "no") + " (" + std::string(to_string(cr.source));
    if (cr.source == AnswerSource::given) {
      s += ").";
    } else {
      s += ", p " + fmt_p(d.holds_p[k]) + ": prior " + fmt_signed(d.prior[k]) + of_category;
      if (cr.source == AnswerSource::inferred)
        s += ", evidence " + fmt_signed(d.evidence[k]) + ": " + cite_top(rules, out, by_criterion[k], 2) + ").";
      else
        s += ", no evidence either way).";
    }
    out.rationale.push_back(s);
    out.criteria.push_back(std::move(cr));
  }
}

void explain_signal(const std::vector<Rule>& rules, const Decision& d,
                    const std::vector<std::vector<Contribution>>& by_signal, Classification& out, bool explain) {
  if (d.signal[0] <= 0 && d.signal[1] <= 0) return;
  const bool loud = d.signal[0] > d.signal[1];
  out.silent = !loud;
  if (!explain) return;
  std::vector<Contribution> cs;
  for (const auto& c : by_signal[loud ? 0 : 1])
    if (c.weight > 0) cs.push_back(c);
  out.rationale.push_back(loud ? "Not a silent bug: " + cite_top(rules, out, cs, 2) +
                                     ". Loud bugs are out of the taxonomy's scope; classified all the same."
                               : "Silent: " + cite_top(rules, out, cs, 2) + ".");
}

void explain_level(const Taxonomy& tax, const Decision& d, Classification& out, bool explain) {
  std::vector<std::string> holding;
  for (std::size_t i = 0; i < d.holds.size(); ++i)
    if (d.holds[i]) holding.push_back(tax.criteria[i].id);
  out.level_probability = d.level_p;
  if (d.level) {
    const Level& l = tax.levels[*d.level];
    out.level = l.number;
    out.threat = l.threat;
    if (!explain) return;
    std::string s = "Impact level " + std::to_string(l.number) +
                    (l.threat.empty() ? "" : " (" + l.threat + " threat)") + ", probability " + fmt_p(d.level_p) +
                    ": with " + join(holding, ", ") + " holding, the matrix gives level " + std::to_string(l.number);
    auto matching = tax.matching_levels(d.holds);
    if (matching.size() > 1) {
      std::vector<std::string> nums;
      for (std::size_t m : matching) nums.push_back(std::to_string(tax.levels[m].number));
      s += " (levels " + join(nums, ", ") + " match; hit policy " + std::string(to_string(tax.policy)) + ")";
    }
    out.rationale.push_back(s + ".");
  } else if (!explain) {
    return;
  } else if (holding.empty()) {
    out.rationale.push_back("No impact level (probability " + fmt_p(d.level_p) +
                            "): no criterion holds, and a bug that meets no criterion has no level on the scale.");
  } else {
    out.rationale.push_back("No impact level: no level of the matrix matches " + join(holding, ", ") + " holding.");
  }
}

// Each fired rule's contributions, grouped by what the rule targets.
struct Grouped {
  std::vector<std::vector<Contribution>> by_category, by_criterion, by_signal;
};

// The evidence, in the order the rule set gives its hits, and each rule's strongest hit.
std::map<std::size_t, Contribution> collect_evidence(const RuleSet& rule_set, const IssueView& issue,
                                                     Classification& out, bool explain) {
  const auto& rules = rule_set.rules();
  std::map<std::size_t, Contribution> best;
  for (const Hit& h : rule_set.match(issue)) {
    const Rule& r = rules[h.rule];
    const double w = r.weight * rule_set.field_weight(h.field);
    if (explain) {  // else the weights alone: no evidence kept, so no hit is quoted
      Evidence e;
      e.rule = r.id;
      e.kind = r.kind;
      e.target = r.target;
      e.field = h.field;
      e.start = h.start;
      e.end = h.end;
      e.text = std::string(issue.field(h.field).substr(h.start, h.end - h.start));
      e.weight = w;
      e.where = r.where;
      out.evidence.push_back(std::move(e));
    }
    auto it = best.find(h.rule);
    if (it == best.end() || std::fabs(w) > std::fabs(it->second.weight))
      best[h.rule] = {h.rule, w, explain ? out.evidence.size() - 1 : 0};
  }
  return best;
}

// Score: categories (the top one and the runner-up), signals and criteria's evidence.
void score_categories(const Taxonomy& tax, const ScoreModel& model, const std::vector<Rule>& rules,
                      const std::map<std::size_t, Contribution>& best, Decision& d, Grouped& g) {
  const std::size_t nc = tax.categories.size(), nk = tax.criteria.size();
  d.score.assign(nc, 0.0);
  d.evidence.assign(nk, 0.0);
  g.by_category.resize(nc);
  g.by_criterion.resize(nk);
  g.by_signal.resize(2);
  bool category_evidence = false;
  for (const auto& [idx, c] : best) {
    const Rule& r = rules[idx];
    if (r.kind == TargetKind::category) {
      d.score[r.target_index] += c.weight;
      g.by_category[r.target_index].push_back(c);
      category_evidence = true;
    } else if (r.kind == TargetKind::signal) {
      d.signal[r.target_index] += c.weight;
      g.by_signal[r.target_index].push_back(c);
    } else {
      d.evidence[r.target_index] += c.weight;
      g.by_criterion[r.target_index].push_back(c);
    }
  }
  // Evidence only against categories (negative weights) speaks for none of them.
  category_evidence = category_evidence && *std::max_element(d.score.begin(), d.score.end()) > 0;
  d.probability = detail::category_probabilities(model, d.score);
  d.top =
      static_cast<std::size_t>(std::max_element(d.probability.begin(), d.probability.end()) - d.probability.begin());
  // No category evidence: the category the rules' biases make most likely; when they do
  // not single one out (a rules file without biases), the taxonomy's fallback.
  if (!category_evidence && d.probability[tax.fallback] >= d.probability[d.top]) d.top = tax.fallback;
  d.runner = d.top == 0 ? 1 : 0;
  for (std::size_t i = 0; i < nc; ++i)
    if (i != d.top && d.probability[i] > d.probability[d.runner]) d.runner = i;
  d.fallback = !category_evidence;
}

// Score: criteria, from the category's prior and the evidence; then the level.
void score_criteria(const Taxonomy& tax, const ScoreModel& model, const Answers& answers,
                    const std::vector<std::vector<Contribution>>& by_criterion, Decision& d) {
  const std::size_t nk = tax.criteria.size();
  d.prior.resize(nk);
  d.holds_p.resize(nk);
  d.holds.assign(nk, false);
  d.source.resize(nk);
  for (std::size_t k = 0; k < nk; ++k) {
    d.prior[k] = model.criteria_prior[d.top][k];
    if (k < answers.size() && answers[k]) {
      d.holds_p[k] = *answers[k] ? 1.0 : 0.0;
      d.source[k] = AnswerSource::given;
      continue;
    }
    d.holds_p[k] = detail::criterion_probability(model, d.top, k, d.evidence[k]);
    d.source[k] = !by_criterion[k].empty() ? AnswerSource::inferred
                  : d.holds_p[k] > 0.5     ? AnswerSource::implied
                                           : AnswerSource::assumed;
  }
  auto level = detail::most_probable_level(tax, d.holds_p);
  d.level = level.level;
  d.level_p = level.probability;
  d.holds = std::move(level.holds);
}

// Explain: the decision's figures, then (with `explain`) a sentence for each part of it.
void explain_decision(const Taxonomy& tax, const RuleSet& rule_set, const Decision& d, const Grouped& g,
                      Classification& out, bool explain) {
  const auto& rules = rule_set.rules();
  out.category = tax.categories[d.top].id;
  out.category_name = tax.categories[d.top].name;
  out.fallback = d.fallback;
  for (std::size_t i = 0; i < tax.categories.size(); ++i) {
    out.scores.emplace_back(tax.categories[i].id, d.score[i]);
    out.probabilities.emplace_back(tax.categories[i].id, d.probability[i]);
  }
  out.raw_confidence = d.probability[d.top];
  out.confidence = rule_set.calibrate(out.raw_confidence);
  out.needs_review = d.fallback || out.confidence < rule_set.review_confidence() ||
                     (d.score[d.runner] > 0 && d.score[d.runner] >= rule_set.review_margin() * d.score[d.top]);
  if (explain) explain_category(tax, rules, d, g.by_category, out);
  explain_criteria(tax, rules, d, g.by_criterion, out, explain);
  explain_signal(rules, d, g.by_signal, out, explain);
  explain_level(tax, d, out, explain);
}

}  // namespace

Classification Classifier::classify(const IssueView& given, const Answers& answers, Explain how) const {
  const Taxonomy& tax = *taxonomy_;
  Classification out;
  const RuleSet& rule_set = rules_for(given, &out.pack);
  const ScoreModel& model = rule_set.model();
  // The body as a reviewer reads it, when a rule looks at it.
  IssueView issue = given;
  ReportFields report;  // the views of `issue` may point into it
  if (rule_set.uses_report_fields() && issue.prose.empty() && issue.code.empty() && issue.output.empty()) {
    report = silt::read_report(issue.body, rule_set.report_template());
    issue = with_report(issue, report);
  }
  out.id = std::string(issue.id);
  out.title = std::string(issue.title);
  out.url = std::string(issue.url);

  const bool explain = how == Explain::full;
  const auto best = collect_evidence(rule_set, issue, out, explain);
  Decision d;
  Grouped g;
  score_categories(tax, model, rule_set.rules(), best, d, g);
  score_criteria(tax, model, answers, g.by_criterion, d);
  explain_decision(tax, rule_set, d, g, out, explain);
  return out;
}

}  // namespace silt
