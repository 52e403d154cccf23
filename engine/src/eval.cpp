#include "silt/eval.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <unordered_map>

#include "csv_table.h"
#include "read_file.h"
#include "silt/classification_io.h"
#include "silt/rules.h"

namespace silt {

namespace {

// A classification report of (gold, predicted) pairs and their Cohen's kappas.
struct PairFigures {
  stats::ClassReport report;
  std::vector<std::pair<stats::Weights, stats::Estimate>> kappa;

  // Every figure, in a fixed order.
  std::vector<stats::Estimate*> all() {
    std::vector<stats::Estimate*> v = {&report.accuracy,        &report.within_one,  &report.macro_precision,
                                       &report.macro_recall,    &report.macro_f1,    &report.weighted_precision,
                                       &report.weighted_recall, &report.weighted_f1, &report.micro_f1};
    for (auto* list : {&report.precision, &report.recall, &report.f1})
      for (auto& e : *list) v.push_back(&e);
    for (auto& [w, e] : kappa) v.push_back(&e);
    return v;
  }
};

PairFigures pair_figures_of(const std::vector<int>& g0, const std::vector<int>& p0, std::size_t domain,
                            const std::vector<stats::Weights>& weights, const std::vector<std::size_t>& idx) {
  std::vector<int> g, p;
  stats::Ratings pairs;
  pairs.categories = domain;
  for (std::size_t i : idx) {
    g.push_back(g0[i]);
    p.push_back(p0[i]);
    pairs.codes.push_back({g0[i], p0[i]});
  }
  PairFigures out{stats::classification_report(g, p, domain), {}};
  for (auto w : weights) out.kappa.emplace_back(w, stats::cohen_kappa(pairs, 0, 1, w));
  return out;
}

// The figures of the pairs, each with its interval from the same seeded resamples.
PairFigures pair_figures(const std::vector<int>& g, const std::vector<int>& p, std::size_t domain,
                         const std::vector<stats::Weights>& weights, const EvalOptions& opt) {
  std::vector<std::size_t> every(g.size());
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
  PairFigures out = pair_figures_of(g, p, domain, weights, every);
  stats::bootstrap(
      out.all(), g.size(),
      [&](const std::vector<std::size_t>& idx) {
        PairFigures f = pair_figures_of(g, p, domain, weights, idx);
        std::vector<stats::Estimate> v;
        for (const auto* e : f.all()) v.push_back(*e);
        return v;
      },
      opt.bootstrap, opt.seed);
  return out;
}

// The expected calibration error of the pairs (reliability()), as a figure.
stats::Estimate ece_estimate(const std::vector<std::pair<double, bool>>& pairs) {
  stats::Estimate e;
  e.n = pairs.size();
  if (auto ece = reliability(pairs).ece)
    e.value = *ece;
  else
    e.undefined = "no item has both a gold label and a prediction";
  return e;
}

// Where a gold file's columns are: the header's names resolved.
struct GoldColumns {
  std::optional<std::size_t> id, category, impact, silent;
  std::vector<std::optional<std::size_t>> criterion;  // per criterion of the taxonomy
};

// Finds the columns by name; an error when one is named twice, or when the id or the
// category column is missing.
std::optional<Error> gold_columns(const std::vector<std::string>& head, const std::string& path,
                                  const Taxonomy& taxonomy, GoldColumns& cols) {
  auto named = [&](const std::string& h) {
    return h == "id" || h == "item" || h == "category" || h == "impact" || h == "level" || h == "impact_level" ||
           h == "silent" || taxonomy.criterion_index(h);
  };
  cols.criterion.resize(taxonomy.criteria.size());
  if (auto dup = detail::duplicate_column(head, path, named)) return *dup;
  for (std::size_t k = 0; k < head.size(); ++k) {
    std::string h = detail::header_name(head[k]);
    if (h == "id" || h == "item")
      cols.id = k;
    else if (h == "category")
      cols.category = k;
    else if (h == "impact" || h == "level" || h == "impact_level")
      cols.impact = k;
    else if (h == "silent")
      cols.silent = k;
    else if (auto c = taxonomy.criterion_index(h))
      cols.criterion[*c] = k;
  }
  if (!cols.id || !cols.category)
    return Error{path + ":1: the header must name an 'id' and a 'category' column", 1, 0, "missing-column"};
  return std::nullopt;
}

// Reads one row of a gold file into out.labels, or says in out.problems why it cannot.
void read_gold_row(const std::vector<std::string>& row, int line, const GoldColumns& cols, const std::string& path,
                   const Taxonomy& taxonomy, GoldFile& out) {
  auto at = [&](std::optional<std::size_t> k) { return k && *k < row.size() ? detail::trim(row[*k]) : std::string(); };
  GoldLabel g;
  g.id = at(cols.id);
  g.category = at(cols.category);
  g.line = line;
  if (g.id.empty()) {
    out.problems.push_back(path + ":" + std::to_string(line) + ": no id");
    return;
  }
  g.criteria.resize(taxonomy.criteria.size());
  for (std::size_t c = 0; c < cols.criterion.size(); ++c) {
    std::string v = at(cols.criterion[c]);
    for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "yes" || v == "y" || v == "true" || v == "1" || v == "x")
      g.criteria[c] = true;
    else if (v == "no" || v == "n" || v == "false" || v == "0")
      g.criteria[c] = false;
  }
  const std::string s = at(cols.silent);
  if (s == "no" || s == "n" || s == "false" || s == "0") {
    g.loud = true;
    g.category.clear();
    out.labels.push_back(std::move(g));
    return;
  }
  if (!taxonomy.category_index(g.category)) {
    std::vector<std::string> ids;
    for (const auto& c : taxonomy.categories) ids.push_back(c.id);
    out.problems.push_back(path + ":" + std::to_string(line) + ": category '" + g.category +
                           "' is not in the taxonomy" + detail::allowed_values_hint(g.category, ids));
    return;
  }
  std::string level = at(cols.impact);
  if (detail::header_name(level) == "none") {  // no level (triage writes it): scored as one, below the lowest
    g.no_level = true;
  } else if (!level.empty()) {
    try {
      std::size_t used = 0;
      int n = std::stoi(level, &used);
      if (used != level.size() || !taxonomy.level_index(n)) throw std::invalid_argument(level);
      g.level = n;
    } catch (const std::exception&) {
      std::vector<std::string> numbers;
      for (const auto& l : taxonomy.levels) numbers.push_back(std::to_string(l.number));
      numbers.push_back("none");
      out.problems.push_back(path + ":" + std::to_string(line) + ": impact '" + level + "' is not a level" +
                             detail::allowed_values_hint(level, numbers) +
                             " (left out of the impact figures; its category counts)");
      g.level.reset();
    }
  }
  out.labels.push_back(std::move(g));
}

}  // namespace

std::string id_key(std::string_view id) {
  // With or without a scheme, in any case; a fragment or a query after it (a comment's
  // anchor) still names the issue.
  static const RE2 address(
      R"(^\s*(?i:(?:https?://)?(?:www\.)?github\.com/|(?:https?://)?api\.github\.com/repos/)([^/\s]+/[^/\s]+)/)"
      R"((?i:issues|pulls?)/(\d+)/?(?:[#?]\S*)?\s*$)");
  std::string repo, number, key;
  if (RE2::FullMatch(re2::StringPiece(id.data(), id.size()), address, &repo, &number))
    key = repo + "#" + number;
  else
    key = std::string(id);
  for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

Result<GoldFile> read_gold_csv(const std::string& path, const Taxonomy& taxonomy) {
  auto text = detail::read_file(path);
  if (!text.ok()) return text.error();
  if (auto e = detail::not_csv(text.value(), path, "id,category,impact")) return *e;
  auto csv = detail::parse_csv(text.value());
  if (csv.rows.empty()) return Error{path + ": the file is empty", 0, 0, "empty"};
  GoldColumns cols;
  if (auto e = gold_columns(csv.rows.front(), path, taxonomy, cols)) return *e;
  GoldFile out;
  for (const auto& p : csv.problems) out.problems.push_back(detail::to_string(p, path));
  for (std::size_t r = 1; r < csv.rows.size(); ++r) read_gold_row(csv.rows[r], csv.lines[r], cols, path, taxonomy, out);
  // An id labeled twice: the first row is the label, a later one is named and left out
  // (scored against both, an item counted twice).
  std::unordered_map<std::string, int> first;
  std::vector<GoldLabel> kept;
  for (auto& g : out.labels) {
    auto [it, fresh] = first.try_emplace(id_key(g.id), g.line);
    if (fresh) {
      kept.push_back(std::move(g));
      continue;
    }
    out.problems.push_back(path + ":" + std::to_string(g.line) + ": '" + g.id + "' is labeled at line " +
                           std::to_string(it->second) + " already (this row left out)");
  }
  out.labels = std::move(kept);
  return out;
}

Prediction prediction_of(const Classification& c) {
  Prediction p;
  p.id = c.id;
  p.category = c.category;
  p.level = c.level;
  p.confidence = c.confidence;
  p.raw_confidence = c.raw_confidence;
  p.needs_review = c.needs_review;
  p.silent = c.silent;
  p.fallback = c.fallback;
  for (const auto& r : c.criteria) p.criteria.emplace_back(r.id, r.value);
  p.title = c.title;
  p.url = c.url;
  if (!c.rationale.empty()) p.why = c.rationale.front();
  for (const auto& e : c.evidence)
    p.evidence.push_back(e.rule + " -> " + std::string(to_string(e.kind)) + ":" + e.target + ": \"" + e.text + "\" (" +
                         e.field + ")");
  return p;
}

namespace {

Result<std::vector<Prediction>> predictions_of(Result<std::vector<Classification>> read) {
  if (!read.ok()) return read.error();
  std::vector<Prediction> out;
  out.reserve(read.value().size());
  for (const auto& c : read.value()) out.push_back(prediction_of(c));
  return out;
}

}  // namespace

Result<std::vector<Prediction>> read_predictions(std::string_view jsonl, const std::string& name,
                                                 std::vector<std::string>* skipped) {
  return predictions_of(read_classifications(jsonl, name, skipped));
}

Result<std::vector<Prediction>> read_predictions_csv(std::string_view text, const std::string& name,
                                                     const Taxonomy& taxonomy) {
  return predictions_of(read_classifications_csv(text, name, taxonomy));
}

Result<PredictionFiles> read_prediction_files(const std::vector<std::string>& files,
                                              const std::unordered_set<std::string>& keep_whole,
                                              const Taxonomy& taxonomy) {
  PredictionFiles out;
  // Each id's labels and where they were read (file, record), to tell a second
  // prediction that differs.
  struct Seen {
    std::string labels, file;
    std::size_t record = 0;
  };
  std::unordered_map<std::string, Seen> seen;
  std::size_t record = 0;  // the current file's record, from 1
  auto take = [&](Prediction&& p, const std::string& file, std::string&& key) {
    const std::string labels = p.category + ", " + (p.level ? "level " + std::to_string(*p.level) : "no level");
    auto [it, fresh] = seen.try_emplace(std::move(key), Seen{labels, file, record});
    if (fresh)
      out.predictions.push_back(std::move(p));
    else if (it->second.labels != labels)
      out.problems.push_back(file + ": " + p.id + " is predicted twice, differently: " + it->second.labels +
                             " (the file's prediction " + std::to_string(it->second.record) +
                             (it->second.file == file ? "" : " in " + it->second.file) + ", scored) and " + labels +
                             " (its prediction " + std::to_string(record) + ", left out)");
  };
  // A gold item's whole prediction (its evidence for --misses); of another, its labels.
  auto keep = [&](Classification&& c, const std::string& file) {
    ++record;
    std::string key = id_key(c.id);
    if (keep_whole.count(key)) return take(prediction_of(c), file, std::move(key));
    Prediction p;
    p.id = std::move(c.id);
    p.category = std::move(c.category);
    p.level = c.level;
    take(std::move(p), file, std::move(key));
  };
  for (const auto& file : files) {
    record = 0;
    if (classifications_file(file) == ClassificationsFile::csv) {
      auto read = for_each_classification_csv(file, taxonomy, [&](Classification&& c) { keep(std::move(c), file); });
      if (!read.ok()) return read.error();
      continue;
    }
    auto read = for_each_classification(
        file, [&](Classification&& c) { keep(std::move(c), file); }, &out.problems);
    if (!read.ok()) return read.error();
  }
  return out;
}

std::vector<std::pair<double, bool>> calibration_pairs(const std::vector<GoldLabel>& gold,
                                                       const std::vector<Prediction>& preds, bool raw,
                                                       std::vector<std::size_t>* items) {
  std::unordered_map<std::string, const Prediction*> by_id;
  for (const auto& p : preds) by_id.emplace(id_key(p.id), &p);
  std::vector<std::pair<double, bool>> out;
  for (std::size_t i = 0; i < gold.size(); ++i)
    if (auto it = by_id.find(id_key(gold[i].id));
        !gold[i].loud && it != by_id.end() && !(raw && it->second->fallback)) {
      out.emplace_back(raw ? it->second->raw_confidence : it->second->confidence,
                       it->second->category == gold[i].category);
      if (items) items->push_back(i);
    }
  return out;
}

std::vector<std::pair<double, double>> fit_calibration(std::vector<std::pair<double, bool>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  struct Block {
    double sum_x = 0, right = 0, n = 0;
    double share() const { return right / n; }
    double smoothed() const { return (right + 1) / (n + 2); }
  };
  // Pools the last block into the one before while `value` does not increase.
  auto pool = [](std::vector<Block>& blocks, auto value) {
    while (blocks.size() > 1 && value(blocks[blocks.size() - 2]) >= value(blocks.back())) {
      Block& a = blocks[blocks.size() - 2];
      const Block& b = blocks.back();
      a.sum_x += b.sum_x;
      a.right += b.right;
      a.n += b.n;
      blocks.pop_back();
    }
  };
  std::vector<Block> blocks, smoothed;
  for (const auto& [x, right] : pairs) {
    blocks.push_back({x, right ? 1.0 : 0.0, 1});
    pool(blocks, [](const Block& b) { return b.share(); });
  }
  for (const auto& block : blocks) {
    smoothed.push_back(block);
    pool(smoothed, [](const Block& b) { return b.smoothed(); });
  }
  std::vector<std::pair<double, double>> out;
  for (const auto& b : smoothed) out.emplace_back(b.sum_x / b.n, b.smoothed());
  return out;
}

std::vector<std::pair<double, bool>> cross_validate_calibration(const std::vector<std::pair<double, bool>>& pairs,
                                                                const std::vector<std::size_t>& groups) {
  const std::size_t n = pairs.size();
  // Groups numbered densely in order of first appearance; without groups, each pair is one.
  std::vector<std::size_t> group(n);
  std::unordered_map<std::size_t, std::size_t> number;
  for (std::size_t i = 0; i < n; ++i)
    group[i] = groups.empty() ? i : number.try_emplace(groups.at(i), number.size()).first->second;
  const std::size_t n_groups = groups.empty() ? n : number.size();
  const std::size_t folds = n_groups <= 1000 ? n_groups : 10;
  std::vector<std::pair<double, bool>> out(n), train;
  for (std::size_t f = 0; f < folds; ++f) {
    train.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (group[i] % folds != f) train.push_back(pairs[i]);
    const auto map = fit_calibration(train);
    for (std::size_t i = 0; i < n; ++i)
      if (group[i] % folds == f) out[i] = {calibrate(map, pairs[i].first), pairs[i].second};
  }
  return out;
}

Reliability reliability(const std::vector<std::pair<double, bool>>& pairs) {
  Reliability r;
  for (std::size_t b = 0; b < 5; ++b)
    r.bins.push_back({0.2 * static_cast<double>(b), 0.2 * static_cast<double>(b + 1), 0, 0, 0});
  for (const auto& [confidence, right] : pairs) {
    // A confidence outside [0, 1] (or NaN) in a hand-made file counts at the nearest end.
    const double c = std::isnan(confidence) ? 0.0 : std::clamp(confidence, 0.0, 1.0);
    auto& bin = r.bins[std::min<std::size_t>(4, static_cast<std::size_t>(c * 5))];
    ++bin.n;
    bin.confidence += c;
    bin.accuracy += right ? 1.0 : 0.0;
  }
  if (pairs.empty()) return r;
  double ece = 0;
  for (auto& bin : r.bins) {
    if (bin.n == 0) continue;
    bin.confidence /= static_cast<double>(bin.n);
    bin.accuracy /= static_cast<double>(bin.n);
    ece += static_cast<double>(bin.n) / static_cast<double>(pairs.size()) * std::fabs(bin.accuracy - bin.confidence);
  }
  r.ece = ece;
  return r;
}

EvalReport evaluate(const Taxonomy& tax, const std::vector<GoldLabel>& gold, const std::vector<Prediction>& preds,
                    const EvalOptions& opt) {
  EvalReport rep;
  std::vector<std::string> keys;  // each prediction's id_key
  keys.reserve(preds.size());
  for (const auto& p : preds) keys.push_back(id_key(p.id));
  std::unordered_map<std::string, const Prediction*> by_id;
  for (std::size_t k = 0; k < preds.size(); ++k) by_id.emplace(keys[k], &preds[k]);
  std::unordered_map<std::string, bool> in_gold;
  for (const auto& g : gold) in_gold[id_key(g.id)] = true;
  for (std::size_t k = 0; k < preds.size(); ++k)
    if (!in_gold.count(keys[k])) rep.missing_in_gold.push_back(preds[k].id);

  const std::size_t q = tax.categories.size();
  const std::size_t ql = tax.levels.size() + 1;  // 0 = no level
  rep.impact_labels.push_back("none");
  for (const auto& l : tax.levels) rep.impact_labels.push_back(std::to_string(l.number));

  std::vector<int> gc, pc, gl, pl;
  for (const auto& g : gold) {
    auto it = by_id.find(id_key(g.id));
    if (it == by_id.end()) {
      rep.missing_in_predictions.push_back(g.id);
      continue;
    }
    const Prediction& p = *it->second;
    if (g.loud) {
      ++rep.loud;
      rep.loud_caught += p.silent == false;
      continue;
    }
    rep.silent_called_loud += p.silent == false;
    if (!p.needs_review) {
      ++rep.unflagged;
      rep.unflagged_right += p.category == g.category;
    }
    auto gi = tax.category_index(g.category);
    auto pi = tax.category_index(p.category);
    gc.push_back(static_cast<int>(*gi));
    pc.push_back(pi ? static_cast<int>(*pi) : stats::missing);
    if (!pi || *pi != *gi) rep.misses.push_back({g.id, g.category, p.category, true, p.confidence, &p});
    if (g.level || g.no_level) {
      const int glv = g.level ? static_cast<int>(*tax.level_index(*g.level)) + 1 : 0;
      int plv = 0;
      if (p.level) {
        auto li = tax.level_index(*p.level);
        plv = li ? static_cast<int>(*li) + 1 : 0;
      }
      gl.push_back(glv);
      pl.push_back(plv);
      if (glv != plv)
        rep.misses.push_back({g.id, g.level ? std::to_string(*g.level) : "none",
                              p.level ? std::to_string(*p.level) : "none", false, p.confidence, &p});
    }
  }
  rep.n = gc.size();
  rep.impact_n = gl.size();

  // Calibration: confidence against being right.
  const auto pairs = calibration_pairs(gold, preds, false);
  auto rel = reliability(pairs);
  rep.calibration = std::move(rel.bins);
  rep.ece = ece_estimate(pairs);
  stats::bootstrap(
      rep.ece, pairs.size(),
      [&](const std::vector<std::size_t>& idx) {
        std::vector<std::pair<double, bool>> sample;
        for (std::size_t i : idx) sample.push_back(pairs[i]);
        return ece_estimate(sample);
      },
      opt.bootstrap, opt.seed);

  PairFigures cat = pair_figures(gc, pc, q, {stats::Weights::none}, opt);
  rep.category = std::move(cat.report);
  rep.category_kappa = std::move(cat.kappa.front().second);
  PairFigures imp =
      pair_figures(gl, pl, ql, {stats::Weights::none, stats::Weights::linear, stats::Weights::quadratic}, opt);
  rep.impact = std::move(imp.report);
  rep.impact_kappa = std::move(imp.kappa);
  return rep;
}

}  // namespace silt
