#include "silt/classifier.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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

ReportFields Classifier::read_report(const IssueView& issue) const {
  return silt::read_report(issue.body, rules_->report_template());
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
    out.rationale.push_back("No category rule matched: " + name +
                            " is the most likely category before any evidence (probability " +
                            fmt_p(d.probability[d.top]) + ", its prior); a person should look.");
    return;
  }
  std::vector<Contribution> positive;
  for (const auto& c : by_category[d.top])
    if (c.weight > 0) positive.push_back(c);
  out.rationale.push_back("Category " + name + ", probability " + fmt_p(d.probability[d.top]) + ", score " +
                          fmt_score(d.score[d.top]) + ": " + cite_top(rules, out, positive, 3) + ".");
  if (d.probability[d.runner] >= 0.05)
    out.rationale.push_back("Runner-up: " + tax.categories[d.runner].id + ", probability " +
                            fmt_p(d.probability[d.runner]) +
                            (d.score[d.runner] > 0 ? ", score " + fmt_score(d.score[d.runner]) : std::string()) + ".");
}

void explain_criteria(const Taxonomy& tax, const std::vector<Rule>& rules, const Decision& d,
                      const std::vector<std::vector<Contribution>>& by_criterion, Classification& out) {
  const std::string of_category = " for " + tax.categories[d.top].id + " bugs";
  for (std::size_t k = 0; k < tax.criteria.size(); ++k) {
    CriterionReading cr;
    cr.id = tax.criteria[k].id;
    cr.score = d.evidence[k];
    cr.value = d.holds[k];
    cr.source = d.source[k];
    cr.probability = d.holds_p[k];
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
                    const std::vector<std::vector<Contribution>>& by_signal, Classification& out) {
  if (d.signal[0] <= 0 && d.signal[1] <= 0) return;
  const bool loud = d.signal[0] > d.signal[1];
  out.silent = !loud;
  std::vector<Contribution> cs;
  for (const auto& c : by_signal[loud ? 0 : 1])
    if (c.weight > 0) cs.push_back(c);
  out.rationale.push_back(loud ? "Not a silent bug: " + cite_top(rules, out, cs, 2) +
                                     ". Loud bugs are out of the taxonomy's scope; classified all the same."
                               : "Silent: " + cite_top(rules, out, cs, 2) + ".");
}

void explain_level(const Taxonomy& tax, const Decision& d, Classification& out) {
  std::vector<std::string> holding;
  for (std::size_t i = 0; i < d.holds.size(); ++i)
    if (d.holds[i]) holding.push_back(tax.criteria[i].id);
  out.level_probability = d.level_p;
  if (d.level) {
    const Level& l = tax.levels[*d.level];
    out.level = l.number;
    out.threat = l.threat;
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
  } else if (holding.empty()) {
    out.rationale.push_back("No impact level (probability " + fmt_p(d.level_p) +
                            "): no criterion holds, and a bug that meets no criterion has no level on the scale.");
  } else {
    out.rationale.push_back("No impact level: no level of the matrix matches " + join(holding, ", ") + " holding.");
  }
}

}  // namespace

Classification Classifier::classify(const IssueView& given, const Answers& answers) const {
  const Taxonomy& tax = *taxonomy_;
  const ScoreModel& model = rules_->model();
  // The body as a reviewer reads it, when a rule looks at it.
  IssueView issue = given;
  ReportFields report;
  if (rules_->uses_report_fields() && issue.prose.empty() && issue.code.empty() && issue.output.empty()) {
    report = read_report(issue);
    issue = with_report(issue, report);
  }
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

  // Score: categories.
  Decision d;
  const std::size_t nc = tax.categories.size(), nk = tax.criteria.size();
  d.score.assign(nc, 0.0);
  d.evidence.assign(nk, 0.0);
  std::vector<std::vector<Contribution>> by_category(nc), by_criterion(nk), by_signal(2);
  bool category_evidence = false;
  for (const auto& [idx, c] : best) {
    const Rule& r = rules[idx];
    if (r.kind == TargetKind::category) {
      d.score[r.target_index] += c.weight;
      by_category[r.target_index].push_back(c);
      category_evidence = true;
    } else if (r.kind == TargetKind::signal) {
      d.signal[r.target_index] += c.weight;
      by_signal[r.target_index].push_back(c);
    } else {
      d.evidence[r.target_index] += c.weight;
      by_criterion[r.target_index].push_back(c);
    }
  }
  d.probability = detail::category_probabilities(model, d.score);
  d.top =
      static_cast<std::size_t>(std::max_element(d.probability.begin(), d.probability.end()) - d.probability.begin());
  d.runner = d.top == 0 ? 1 : 0;
  for (std::size_t i = 0; i < nc; ++i)
    if (i != d.top && d.probability[i] > d.probability[d.runner]) d.runner = i;
  d.fallback = !category_evidence;

  // Score: criteria, from the category's prior and the evidence; then the level.
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

  // Explain.
  out.category = tax.categories[d.top].id;
  out.category_name = tax.categories[d.top].name;
  out.fallback = d.fallback;
  for (std::size_t i = 0; i < nc; ++i) {
    out.scores.emplace_back(tax.categories[i].id, d.score[i]);
    out.probabilities.emplace_back(tax.categories[i].id, d.probability[i]);
  }
  out.raw_confidence = d.probability[d.top];
  out.confidence = rules_->calibrate(out.raw_confidence);
  out.needs_review = d.fallback || out.confidence < rules_->review_confidence() ||
                     (d.score[d.runner] > 0 && d.score[d.runner] >= rules_->review_margin() * d.score[d.top]);
  explain_category(tax, rules, d, by_category, out);
  explain_criteria(tax, rules, d, by_criterion, out);
  explain_signal(rules, d, by_signal, out);
  explain_level(tax, d, out);
  return out;
}

namespace {

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  rapidjson::StringStream is(s.data());
  const char* end = s.data() + s.size();
  while (is.src_ < end) {
    rapidjson::StringBuffer cp;
    const char* at = is.src_;
    if (rapidjson::UTF8<>::Validate(is, cp) && is.src_ <= end) {
      out.append(cp.GetString(), cp.GetSize());
    } else {
      out += "\xEF\xBF\xBD";
      is.src_ = at + 1;
    }
  }
  return out;
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void put(JsonWriter& w, std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    std::string fixed = valid_utf8(s);
    w.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
  }
}

void key(JsonWriter& w, const char* k) {
  w.Key(k);
}

}  // namespace

std::string to_json(const Classification& c, std::string_view source) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  key(w, "id");
  put(w, c.id);
  key(w, "title");
  put(w, c.title);
  key(w, "category");
  put(w, c.category);
  key(w, "category_name");
  put(w, c.category_name);
  key(w, "confidence");
  w.Double(std::round(c.confidence * 1000) / 1000);
  if (c.raw_confidence != c.confidence) {
    key(w, "confidence_raw");
    w.Double(std::round(c.raw_confidence * 1000) / 1000);
  }
  key(w, "fallback");
  w.Bool(c.fallback);
  key(w, "needs_review");
  w.Bool(c.needs_review);
  key(w, "silent");
  if (c.silent)
    w.Bool(*c.silent);
  else
    w.Null();
  key(w, "scores");
  w.StartObject();
  for (const auto& [id, score] : c.scores) {
    put(w, id);
    w.Double(std::round(score * 1000) / 1000);
  }
  w.EndObject();
  key(w, "probabilities");
  w.StartObject();
  for (const auto& [id, p] : c.probabilities) {
    put(w, id);
    w.Double(std::round(p * 1000) / 1000);
  }
  w.EndObject();
  key(w, "impact");
  w.StartObject();
  key(w, "level");
  if (c.level)
    w.Int(*c.level);
  else
    w.Null();
  key(w, "threat");
  if (c.level)
    put(w, c.threat);
  else
    w.Null();
  key(w, "probability");
  w.Double(std::round(c.level_probability * 1000) / 1000);
  key(w, "criteria");
  w.StartObject();
  for (const auto& cr : c.criteria) {
    put(w, cr.id);
    w.StartObject();
    key(w, "value");
    w.Bool(cr.value);
    key(w, "source");
    put(w, to_string(cr.source));
    if (cr.source != AnswerSource::given) {
      key(w, "probability");
      w.Double(std::round(cr.probability * 1000) / 1000);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  key(w, "rationale");
  w.StartArray();
  for (const auto& r : c.rationale) put(w, r);
  w.EndArray();
  key(w, "evidence");
  w.StartArray();
  for (const auto& e : c.evidence) {
    w.StartObject();
    key(w, "rule");
    put(w, e.rule);
    key(w, "target");
    put(w, e.target);
    key(w, "target_kind");
    put(w, to_string(e.kind));
    key(w, "field");
    put(w, e.field);
    key(w, "start");
    w.Uint64(e.start);
    key(w, "end");
    w.Uint64(e.end);
    key(w, "text");
    put(w, e.text);
    key(w, "weight");
    w.Double(std::round(e.weight * 1000) / 1000);
    key(w, "defined_at");
    put(w, e.where.to_string());
    w.EndObject();
  }
  w.EndArray();
  if (!source.empty()) {
    key(w, "source");
    put(w, source);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace silt
