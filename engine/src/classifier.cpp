#include "silt/classifier.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace silt {

std::string_view to_string(AnswerSource s) {
  switch (s) {
    case AnswerSource::given:
      return "given";
    case AnswerSource::inferred:
      return "inferred";
    case AnswerSource::assumed:
      return "assumed";
  }
  return "?";
}

Classifier::Classifier(std::shared_ptr<const Taxonomy> taxonomy, std::shared_ptr<const RuleSet> rules)
    : taxonomy_(std::move(taxonomy)), rules_(std::move(rules)) {}

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
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
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

Classification Classifier::classify(const IssueView& issue, const Answers& answers) const {
  const Taxonomy& tax = *taxonomy_;
  const auto& rules = rules_->rules();
  Classification out;
  out.id = std::string(issue.id);
  out.title = std::string(issue.title);

  // Evidence, and each rule's strongest hit.
  std::map<std::size_t, Contribution> best;
  for (const Hit& h : rules_->match(issue)) {
    const Rule& r = rules[h.rule];
    Evidence e;
    e.rule = r.id;
    e.kind = r.kind;
    e.target = r.target;
    e.field = h.field;
    e.start = h.start;
    e.end = h.end;
    e.text = std::string(issue.field(h.field).substr(h.start, h.end - h.start));
    e.weight = r.weight * rules_->field_weight(h.field);
    e.where = r.where;
    out.evidence.push_back(std::move(e));
    const double w = out.evidence.back().weight;
    auto it = best.find(h.rule);
    if (it == best.end() || std::fabs(w) > std::fabs(it->second.weight))
      best[h.rule] = {h.rule, w, out.evidence.size() - 1};
  }

  // Category scores.
  std::vector<double> score(tax.categories.size(), 0.0);
  std::vector<std::vector<Contribution>> by_category(tax.categories.size());
  std::vector<double> crit_score(tax.criteria.size(), 0.0);
  std::vector<std::vector<Contribution>> by_criterion(tax.criteria.size());
  for (const auto& [idx, c] : best) {
    const Rule& r = rules[idx];
    if (r.kind == TargetKind::category) {
      score[r.target_index] += c.weight;
      by_category[r.target_index].push_back(c);
    } else {
      crit_score[r.target_index] += c.weight;
      by_criterion[r.target_index].push_back(c);
    }
  }
  for (std::size_t i = 0; i < tax.categories.size(); ++i) out.scores.emplace_back(tax.categories[i].id, score[i]);

  std::size_t top = tax.fallback;
  double top_score = 0;
  for (std::size_t i = 0; i < score.size(); ++i)
    if (score[i] > top_score) {
      top = i;
      top_score = score[i];
    }
  out.fallback = top_score <= 0;
  out.category = tax.categories[top].id;
  out.category_name = tax.categories[top].name;

  double positive_total = 0, runner_up = 0;
  std::size_t runner = top;
  std::vector<std::string> tied;
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (score[i] > 0) positive_total += score[i];
    if (i != top && score[i] > runner_up) {
      runner_up = score[i];
      runner = i;
    }
    if (i != top && score[i] > 0 && score[i] == top_score) tied.push_back(tax.categories[i].id);
  }
  if (out.fallback) {
    // No evidence at all: as likely as any other category.
    out.confidence = 1.0 / static_cast<double>(tax.categories.size());
    out.rationale.push_back("No category rule matched; " + out.category + " (" + out.category_name +
                            ") is the taxonomy's fallback category.");
  } else {
    // The top category's share of the evidence, discounted when the evidence is thin.
    out.confidence = (top_score / positive_total) * (1.0 - std::exp(-top_score / 2.0));
    auto& cs = by_category[top];
    std::sort(cs.begin(), cs.end(), [](const Contribution& a, const Contribution& b) { return a.weight > b.weight; });
    std::vector<std::string> why;
    for (std::size_t i = 0; i < cs.size() && i < 3; ++i)
      if (cs[i].weight > 0) why.push_back(cite(rules[cs[i].rule], out.evidence[cs[i].evidence]));
    std::string s = "Category " + out.category + " (" + out.category_name + "), score " + fmt_score(top_score) + ": " +
                    join(why, "; ");
    if (cs.size() > 3) s += "; and " + std::to_string(cs.size() - 3) + " more";
    out.rationale.push_back(s + ".");
    if (!tied.empty())
      out.rationale.push_back("Tied with " + join(tied, ", ") + " at " + fmt_score(top_score) +
                              "; the taxonomy's order decides.");
    else if (runner_up > 0)
      out.rationale.push_back("Runner-up: " + tax.categories[runner].id + " with score " + fmt_score(runner_up) + ".");
  }

  out.needs_review = out.fallback || out.confidence < 0.5 || (runner_up > 0 && runner_up >= 0.75 * top_score);

  // Criteria: given, inferred from the text, or assumed not to hold.
  std::vector<bool> holds(tax.criteria.size(), false);
  for (std::size_t i = 0; i < tax.criteria.size(); ++i) {
    CriterionReading cr;
    cr.id = tax.criteria[i].id;
    cr.score = crit_score[i];
    std::string s = cr.id + ": ";
    if (i < answers.size() && answers[i]) {
      cr.value = *answers[i];
      cr.source = AnswerSource::given;
      s += std::string(cr.value ? "yes" : "no") + " (given).";
    } else if (!by_criterion[i].empty()) {
      cr.value = cr.score > 0;
      cr.source = AnswerSource::inferred;
      auto& cs = by_criterion[i];
      std::sort(cs.begin(), cs.end(),
                [](const Contribution& a, const Contribution& b) { return std::fabs(a.weight) > std::fabs(b.weight); });
      std::vector<std::string> why;
      for (std::size_t k = 0; k < cs.size() && k < 2; ++k)
        why.push_back(cite(rules[cs[k].rule], out.evidence[cs[k].evidence]));
      s += std::string(cr.value ? "yes" : "no") + " (inferred, score " + fmt_score(cr.score) + ": " + join(why, "; ") +
           ").";
    } else {
      cr.value = false;
      cr.source = AnswerSource::assumed;
      s += "no (assumed: no answer was given and no rule matched).";
    }
    holds[i] = cr.value;
    out.rationale.push_back(s);
    out.criteria.push_back(std::move(cr));
  }

  // Level: from the matrix alone.
  auto matching = tax.matching_levels(holds);
  auto chosen = tax.decide(holds);
  std::vector<std::string> holding;
  for (std::size_t i = 0; i < holds.size(); ++i)
    if (holds[i]) holding.push_back(tax.criteria[i].id);
  if (chosen) {
    const Level& l = tax.levels[*chosen];
    out.level = l.number;
    out.threat = l.threat;
    std::string s = "Impact level " + std::to_string(l.number) +
                    (l.threat.empty() ? "" : " (" + l.threat + " threat)") + ": with " + join(holding, ", ") +
                    " holding, the matrix gives level " + std::to_string(l.number);
    if (matching.size() > 1) {
      std::vector<std::string> nums;
      for (std::size_t m : matching) nums.push_back(std::to_string(tax.levels[m].number));
      s += " (levels " + join(nums, ", ") + " match; hit policy " + std::string(to_string(tax.policy)) + ")";
    }
    out.rationale.push_back(s + ".");
  } else if (holding.empty()) {
    out.rationale.push_back(
        "No impact level: no criterion holds, and a bug that meets no criterion has no level on the scale.");
  } else {
    out.rationale.push_back("No impact level: no level of the matrix matches " + join(holding, ", ") + " holding.");
  }
  return out;
}

std::string to_json(const Classification& c, std::string_view source) {
  using nlohmann::ordered_json;
  ordered_json scores = ordered_json::object();
  for (const auto& [id, s] : c.scores) scores[id] = s;
  ordered_json criteria = ordered_json::object();
  for (const auto& cr : c.criteria)
    criteria[cr.id] = {{"value", cr.value}, {"source", std::string(to_string(cr.source))}};
  ordered_json evidence = ordered_json::array();
  for (const auto& e : c.evidence)
    evidence.push_back({{"rule", e.rule},
                        {"target", e.target},
                        {"target_kind", std::string(to_string(e.kind))},
                        {"field", e.field},
                        {"start", e.start},
                        {"end", e.end},
                        {"text", e.text},
                        {"weight", e.weight},
                        {"defined_at", e.where.to_string()}});
  ordered_json j;
  j["id"] = c.id;
  j["title"] = c.title;
  j["category"] = c.category;
  j["category_name"] = c.category_name;
  j["confidence"] = std::round(c.confidence * 1000) / 1000;
  j["fallback"] = c.fallback;
  j["needs_review"] = c.needs_review;
  j["scores"] = scores;
  j["impact"] = {{"level", c.level ? ordered_json(*c.level) : ordered_json(nullptr)},
                 {"threat", c.level ? ordered_json(c.threat) : ordered_json(nullptr)},
                 {"criteria", criteria}};
  j["rationale"] = c.rationale;
  j["evidence"] = evidence;
  if (!source.empty()) j["source"] = source;
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace silt
