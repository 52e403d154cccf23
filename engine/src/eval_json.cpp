#include "silt/eval_json.h"

#include <algorithm>

#include "study_json.h"

namespace silt {

namespace {

using detail::JsonIn;
using detail::JsonOut;

// Per-category (or per-level) figures and the averages of a classification report.
// As many classes as `labels` and the report both have (a report read from another
// taxonomy's document may have fewer).
void write_classes(JsonOut& j, const stats::ClassReport& r, const std::vector<std::string>& all_labels,
                   const char* per) {
  const std::size_t q = std::min({all_labels.size(), r.precision.size(), r.recall.size(), r.f1.size(), r.support.size(),
                                  r.predicted.size(), r.confusion.size()});
  const std::vector<std::string> labels(all_labels.begin(), all_labels.begin() + static_cast<std::ptrdiff_t>(q));
  j.key(per);
  j.begin_object();
  for (std::size_t k = 0; k < labels.size(); ++k) {
    j.key(labels[k]);
    j.begin_object();
    j.key("precision");
    j.figure(r.precision[k]);
    j.key("recall");
    j.figure(r.recall[k]);
    j.key("f1");
    j.figure(r.f1[k]);
    j.field("support", r.support[k]);
    j.field("predicted", r.predicted[k]);
    j.end_object();
  }
  j.end_object();
  auto average = [&](const char* name, const stats::Estimate& p, const stats::Estimate& rc, const stats::Estimate& f) {
    j.key(name);
    j.begin_object();
    j.key("precision");
    j.figure(p);
    j.key("recall");
    j.figure(rc);
    j.key("f1");
    j.figure(f);
    j.end_object();
  };
  average("macro_average", r.macro_precision, r.macro_recall, r.macro_f1);
  average("weighted_average", r.weighted_precision, r.weighted_recall, r.weighted_f1);
  // Rows gold, columns predicted, both named.
  j.key("confusion");
  j.begin_object();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    j.key(labels[i]);
    j.inline_counts(labels, r.confusion[i]);  // writes min(labels, row) pairs
  }
  j.end_object();
}

void read_classes(const JsonIn& in, const char* per, stats::ClassReport& r, std::vector<std::string>& labels) {
  labels.clear();
  for (const auto& [label, c] : in.at(per).members()) {
    labels.push_back(label);
    r.precision.push_back(c.at("precision").figure());
    r.recall.push_back(c.at("recall").figure());
    r.f1.push_back(c.at("f1").figure());
    r.support.push_back(c.at("support").count());
    r.predicted.push_back(c.at("predicted").count());
  }
  const JsonIn macro = in.at("macro_average"), weighted = in.at("weighted_average");
  r.macro_precision = macro.at("precision").figure();
  r.macro_recall = macro.at("recall").figure();
  r.macro_f1 = macro.at("f1").figure();
  r.weighted_precision = weighted.at("precision").figure();
  r.weighted_recall = weighted.at("recall").figure();
  r.weighted_f1 = weighted.at("f1").figure();
  const JsonIn confusion = in.at("confusion");
  for (const auto& gold : labels) {
    const JsonIn row = confusion.at(gold);
    r.confusion.emplace_back();
    for (const auto& predicted : labels) r.confusion.back().push_back(row.at(predicted).count());
  }
}

void write_calibration(JsonOut& j, const EvalReport& r) {
  j.key("calibration");
  j.begin_object();
  j.key("bins");
  j.begin_array();
  for (const auto& b : r.calibration) {
    j.begin_object();
    j.key("lo");
    j.number(b.lo, 1);
    j.key("hi");
    j.number(b.hi, 1);
    j.field("n", b.n);
    // An empty bin has no mean confidence and no accuracy: null, not 0.
    j.key("confidence");
    j.optional_number(b.n ? std::optional<double>(b.confidence) : std::nullopt);
    j.key("accuracy");
    j.optional_number(b.n ? std::optional<double>(b.accuracy) : std::nullopt);
    j.end_object();
  }
  j.end_array();
  j.key("ece");
  j.figure(r.ece);
  j.end_object();
}

void write_counts(JsonOut& j, const EvalReport& r) {
  j.key("review");
  j.begin_object();
  j.field("unflagged", r.unflagged);
  j.field("unflagged_right", r.unflagged_right);
  j.end_object();
  j.key("silence");
  j.begin_object();
  j.field("loud", r.loud);
  j.field("loud_called_loud", r.loud_caught);
  j.field("silent_called_loud", r.silent_called_loud);
  j.end_object();
  j.key("missing_in_predictions");
  j.inline_strings(r.missing_in_predictions);
  j.key("missing_in_gold");
  j.inline_strings(r.missing_in_gold);
  j.key("misses");
  j.begin_array();
  for (const auto& m : r.misses) {
    j.begin_object();
    j.field("id", m.id);
    j.field("field", m.category ? "category" : "impact");
    j.field("gold", m.gold);
    j.field("predicted", m.predicted);
    j.field("confidence", m.confidence);
    j.end_object();
  }
  j.end_array();
}

EvalDocument read_document(const JsonIn& in) {
  EvalDocument d;
  d.header = in.at("header").header();
  EvalReport& r = d.report;
  r.n = in.at("n").count();
  const JsonIn cat = in.at("category");
  r.category.accuracy = cat.at("accuracy").figure();
  r.category.micro_f1 = cat.at("micro_f1").figure();
  r.category_kappa = cat.at("kappa").figure();
  read_classes(cat, "per_category", r.category, d.categories);
  const JsonIn imp = in.at("impact");
  r.impact_n = imp.at("n").count();
  r.impact.accuracy = imp.at("accuracy").figure();
  r.impact.within_one = imp.at("within_one").figure();
  r.impact.micro_f1 = imp.at("micro_f1").figure();
  for (auto w : {stats::Weights::none, stats::Weights::linear, stats::Weights::quadratic})
    r.impact_kappa.emplace_back(w, imp.at("kappa").at(stats::to_string(w)).figure());
  read_classes(imp, "per_level", r.impact, r.impact_labels);
  const JsonIn cal = in.at("calibration");
  for (const auto& b : cal.at("bins").items())
    r.calibration.push_back({b.at("lo").number(), b.at("hi").number(), b.at("n").count(),
                             b.at("confidence").optional_number().value_or(0.0),
                             b.at("accuracy").optional_number().value_or(0.0)});
  r.ece = cal.at("ece").figure();
  r.unflagged = in.at("review").at("unflagged").count();
  r.unflagged_right = in.at("review").at("unflagged_right").count();
  const JsonIn silence = in.at("silence");
  r.loud = silence.at("loud").count();
  r.loud_caught = silence.at("loud_called_loud").count();
  r.silent_called_loud = silence.at("silent_called_loud").count();
  r.missing_in_predictions = in.at("missing_in_predictions").strings();
  r.missing_in_gold = in.at("missing_in_gold").strings();
  for (const auto& m : in.at("misses").items())
    r.misses.push_back({m.at("id").string(), m.at("gold").string(), m.at("predicted").string(),
                        m.at("field").string() == "category", m.at("confidence").number(), nullptr});
  return d;
}

}  // namespace

std::string to_json(const EvalReport& r, const Taxonomy& tax, RunHeader header) {
  header.schema = eval_schema;
  JsonOut j;
  j.begin_object();
  j.key("header");
  j.header(header);
  j.field("n", r.n);

  j.key("category");
  j.begin_object();
  j.key("accuracy");
  j.figure(r.category.accuracy);
  j.key("macro_f1");
  j.figure(r.category.macro_f1);
  j.key("micro_f1");
  j.figure(r.category.micro_f1);
  j.key("kappa");
  j.figure(r.category_kappa);
  std::vector<std::string> ids;
  for (const auto& c : tax.categories) ids.push_back(c.id);
  write_classes(j, r.category, ids, "per_category");
  j.end_object();

  j.key("impact");
  j.begin_object();
  j.field("n", r.impact_n);
  j.key("accuracy");
  j.figure(r.impact.accuracy);
  j.key("within_one");
  j.figure(r.impact.within_one);
  j.key("micro_f1");
  j.figure(r.impact.micro_f1);
  j.key("kappa");
  j.begin_object();
  for (const auto& [w, e] : r.impact_kappa) {
    j.key(stats::to_string(w));
    j.figure(e);
  }
  j.end_object();
  write_classes(j, r.impact, r.impact_labels, "per_level");
  j.end_object();

  write_calibration(j, r);
  write_counts(j, r);
  j.end_object();
  return j.take();
}

Result<EvalDocument> read_eval_json(std::string_view text, const std::string& name) {
  detail::JsonDocument parsed;
  auto doc = detail::parse_document(parsed, text, eval_schema, name);
  if (!doc.ok()) return doc.error();
  try {
    return read_document(JsonIn(*doc.value(), ""));
  } catch (const detail::BadJson& e) {
    return Error{name + ": " + e.what(), 0, 0, "bad-eval-json"};
  }
}

}  // namespace silt
