#include "silt/classifier.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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
  return silt::read_report(issue.body, [this](std::string_view t) { return rules_->is_boilerplate(t); });
}

Classification Classifier::classify(const IssueView& given, const Answers& answers) const {
  const Taxonomy& tax = *taxonomy_;
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

  // Category scores.
  std::vector<double> score(tax.categories.size(), 0.0);
  std::vector<std::vector<Contribution>> by_category(tax.categories.size());
  std::vector<double> crit_score(tax.criteria.size(), 0.0);
  std::vector<std::vector<Contribution>> by_criterion(tax.criteria.size());
  double signal_score[2] = {0, 0};  // loud, silent
  std::vector<Contribution> by_signal[2];
  for (const auto& [idx, c] : best) {
    const Rule& r = rules[idx];
    if (r.kind == TargetKind::category) {
      score[r.target_index] += c.weight;
      by_category[r.target_index].push_back(c);
    } else if (r.kind == TargetKind::signal) {
      signal_score[r.target_index] += c.weight;
      by_signal[r.target_index].push_back(c);
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

  out.raw_confidence = out.confidence;
  // The calibration map is for evidence-backed classifications; with no evidence the
  // fallback stays as likely as any category.
  if (!out.fallback) out.confidence = rules_->calibrate(out.raw_confidence);
  out.needs_review = out.fallback || out.confidence < rules_->review_confidence() ||
                     (runner_up > 0 && runner_up >= rules_->review_margin() * top_score);

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
      cr.value = cr.score > 0 && cr.score >= rules_->criterion_threshold();
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
  // The text says nothing of any criterion: what the category implies, if it has evidence.
  const bool silent_on_criteria = std::all_of(out.criteria.begin(), out.criteria.end(), [](const CriterionReading& r) {
    return r.source == AnswerSource::assumed;
  });
  if (silent_on_criteria && !out.fallback) {
    for (std::size_t i : tax.categories[top].implies) {
      out.criteria[i].value = true;
      out.criteria[i].source = AnswerSource::implied;
      holds[i] = true;
      const std::string head = tax.criteria[i].id + ": ";  // its line of the rationale
      for (auto& line : out.rationale)
        if (line.rfind(head, 0) == 0)
          line = head + "yes (implied: the text says nothing of any criterion, and " + out.category +
                 " bugs meet this one).";
    }
  }

  // Silence: loud evidence against silent evidence.
  if (signal_score[0] > 0 || signal_score[1] > 0) {
    const bool loud = signal_score[0] > signal_score[1];
    out.silent = !loud;
    auto& cs = by_signal[loud ? 0 : 1];
    std::sort(cs.begin(), cs.end(), [](const Contribution& a, const Contribution& b) { return a.weight > b.weight; });
    std::vector<std::string> why;
    for (std::size_t k = 0; k < cs.size() && k < 2; ++k)
      why.push_back(cite(rules[cs[k].rule], out.evidence[cs[k].evidence]));
    out.rationale.push_back(loud ? "Not a silent bug: " + join(why, "; ") +
                                       ". Loud bugs are out of the taxonomy's scope; classified all the same."
                                 : "Silent: " + join(why, "; ") + ".");
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
    w.Double(score);
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
  key(w, "criteria");
  w.StartObject();
  for (const auto& cr : c.criteria) {
    put(w, cr.id);
    w.StartObject();
    key(w, "value");
    w.Bool(cr.value);
    key(w, "source");
    put(w, to_string(cr.source));
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
    w.Double(e.weight);
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
