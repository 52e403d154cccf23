#include "silt/fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "model_math.h"

namespace silt {

std::vector<FitItem> fit_items(const Taxonomy& tax, const RuleSet& rules, const std::vector<GoldLabel>& gold,
                               const std::vector<Classification>& labeled) {
  std::map<std::string, std::size_t> rule_at, field_at;
  for (std::size_t r = 0; r < rules.rules().size(); ++r) rule_at[rules.rules()[r].id] = r;
  for (std::size_t f = 0; f < issue_fields().size(); ++f) field_at[issue_fields()[f]] = f;
  std::map<std::string, const Classification*> by_id;
  for (const auto& c : labeled) by_id.emplace(id_key(c.id), &c);
  std::vector<FitItem> out;
  for (const auto& g : gold) {
    auto it = by_id.find(id_key(g.id));
    auto category = tax.category_index(g.category);
    if (g.loud || it == by_id.end() || !category) continue;
    FitItem item;
    item.id = g.id;
    item.category = *category;
    item.criteria = g.criteria;
    item.criteria.resize(tax.criteria.size());
    if (g.level) item.level = tax.level_index(*g.level);
    if (item.level)
      for (std::size_t k = 0; k < tax.criteria.size(); ++k)
        if (!item.criteria[k] && tax.cells[*item.level][k] != Cell::optional)
          item.criteria[k] = tax.cells[*item.level][k] == Cell::required;
    std::map<std::size_t, std::vector<std::size_t>> hits;
    for (const auto& e : it->second->evidence) {
      auto r = rule_at.find(e.rule);
      auto f = field_at.find(e.field);
      if (r == rule_at.end() || f == field_at.end()) continue;
      auto& fields = hits[r->second];
      if (std::find(fields.begin(), fields.end(), f->second) == fields.end()) fields.push_back(f->second);
    }
    item.hits.assign(hits.begin(), hits.end());
    out.push_back(std::move(item));
  }
  return out;
}

std::size_t fold_of(const std::string& id, std::size_t folds) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return folds ? static_cast<std::size_t>(h % folds) : 0;
}

namespace {

// Every number that is fitted, flattened for the optimizer.
struct Params {
  std::size_t nc = 0, nk = 0, nr = 0, nf = 0;
  std::vector<double> v;  // alpha, gamma, bias[nc], weight[nr], field[nf], prior[nc*nk]

  double& alpha() { return v[0]; }
  double& gamma() { return v[1]; }
  double& bias(std::size_t c) { return v[2 + c]; }
  double& weight(std::size_t r) { return v[2 + nc + r]; }
  double& field(std::size_t f) { return v[2 + nc + nr + f]; }
  double& prior(std::size_t c, std::size_t k) { return v[2 + nc + nr + nf + c * nk + k]; }
  double get(std::size_t i) const { return v[i]; }
};

// What the model makes of one item.
struct Prediction1 {
  std::vector<double> p;  // per category
  std::size_t top = 0;
  std::optional<std::size_t> level;
  bool fallback = true;
};

struct Problem {
  const Taxonomy& tax;
  const RuleSet& rules;
  Params prior;          // the hand numbers: starting point and prior mean
  double l2_weight = 1;  // strength of the pull of rule weights to their prior
  static constexpr double l2_bias = 10, l2_field = 10, l2_scale = 10, l2_prior = 1;

  // A rule's strongest field weight among the fields it fired in, and which field.
  static std::pair<double, std::size_t> strongest(Params& p, const std::vector<std::size_t>& fields) {
    std::pair<double, std::size_t> best{-1, 0};
    for (std::size_t f : fields)
      if (p.field(f) > best.first) best = {p.field(f), f};
    return best;
  }

  ScoreModel model_of(Params& p) const {
    ScoreModel m;
    m.category_scale = p.alpha();
    m.criteria_scale = p.gamma();
    for (std::size_t c = 0; c < p.nc; ++c) m.category_bias.push_back(p.bias(c));
    m.criteria_prior.assign(p.nc, std::vector<double>(p.nk));
    for (std::size_t c = 0; c < p.nc; ++c)
      for (std::size_t k = 0; k < p.nk; ++k) m.criteria_prior[c][k] = p.prior(c, k);
    return m;
  }

  // Category scores and criteria evidence of an item.
  void evidence(Params& p, const FitItem& item, std::vector<double>& score, std::vector<double>& crit,
                bool& any) const {
    score.assign(p.nc, 0.0);
    crit.assign(p.nk, 0.0);
    any = false;
    for (const auto& [r, fields] : item.hits) {
      const Rule& rule = rules.rules()[r];
      const double x = strongest(p, fields).first * p.weight(r);
      if (rule.kind == TargetKind::category) {
        score[rule.target_index] += x;
        any = true;
      } else if (rule.kind == TargetKind::criterion) {
        crit[rule.target_index] += x;
      }
    }
  }

  Prediction1 predict(Params& p, const FitItem& item) const {
    std::vector<double> score, crit;
    Prediction1 out;
    bool any = false;
    evidence(p, item, score, crit, any);
    ScoreModel m = model_of(p);
    out.fallback = !any;
    out.p = detail::category_probabilities(m, score);
    out.top = static_cast<std::size_t>(std::max_element(out.p.begin(), out.p.end()) - out.p.begin());
    std::vector<double> holds(p.nk);
    for (std::size_t k = 0; k < p.nk; ++k) holds[k] = detail::criterion_probability(m, out.top, k, crit[k]);
    out.level = detail::most_probable_level(tax, holds).level;
    return out;
  }

  // The penalised negative log likelihood of `items` and its gradient.
  double loss(Params& p, const std::vector<const FitItem*>& items, std::vector<double>& grad) const {
    grad.assign(p.v.size(), 0.0);
    Params g = p;  // same layout, for named access to the gradient
    g.v.assign(p.v.size(), 0.0);
    double total = 0;
    std::vector<double> score, crit;
    for (const FitItem* item : items) {
      bool any = false;
      evidence(p, *item, score, crit, any);
      std::vector<double> prob = detail::category_probabilities(model_of(p), score);
      total -= std::log(std::max(prob[item->category], 1e-12));
      std::vector<double> dz(p.nc), dk(p.nk, 0.0);
      for (std::size_t c = 0; c < p.nc; ++c) {
        dz[c] = prob[c] - (c == item->category ? 1.0 : 0.0);
        g.bias(c) += dz[c];
      }
      // d logit_c / d alpha = raw score (without alpha): score[] holds sum w*x.
      for (std::size_t c = 0; c < p.nc; ++c) g.alpha() += dz[c] * score[c];
      for (std::size_t k = 0; k < p.nk; ++k) {
        if (!item->criteria[k]) continue;
        const double q = detail::sigmoid(p.prior(item->category, k) + p.gamma() * crit[k]);
        const double y = *item->criteria[k] ? 1.0 : 0.0;
        total -= y * std::log(std::max(q, 1e-12)) + (1 - y) * std::log(std::max(1 - q, 1e-12));
        dk[k] = q - y;
        g.prior(item->category, k) += dk[k];
        g.gamma() += dk[k] * crit[k];
      }
      for (const auto& [r, fields] : item->hits) {
        const Rule& rule = rules.rules()[r];
        auto [x, f] = strongest(p, fields);
        double d = 0;
        if (rule.kind == TargetKind::category)
          d = dz[rule.target_index] * p.alpha();
        else if (rule.kind == TargetKind::criterion)
          d = dk[rule.target_index] * p.gamma();
        g.weight(r) += d * x;
        g.field(f) += d * p.weight(r);
      }
    }
    // The prior: the hand numbers.
    auto pull = [&](double& value, double& gradient, double mean, double strength) {
      total += strength * (value - mean) * (value - mean);
      gradient += 2 * strength * (value - mean);
    };
    Params q = prior;
    pull(p.alpha(), g.alpha(), q.alpha(), l2_scale);
    pull(p.gamma(), g.gamma(), q.gamma(), l2_scale);
    for (std::size_t c = 0; c < p.nc; ++c) pull(p.bias(c), g.bias(c), q.bias(c), l2_bias);
    for (std::size_t r = 0; r < p.nr; ++r) pull(p.weight(r), g.weight(r), q.weight(r), l2_weight);
    for (std::size_t f = 0; f < p.nf; ++f) pull(p.field(f), g.field(f), q.field(f), l2_field);
    for (std::size_t c = 0; c < p.nc; ++c)
      for (std::size_t k = 0; k < p.nk; ++k) pull(p.prior(c, k), g.prior(c, k), q.prior(c, k), l2_prior);
    grad = std::move(g.v);
    return total;
  }

  // Adam from the prior, full batch, a fixed number of steps: deterministic.
  Params fit(const std::vector<const FitItem*>& items, std::size_t iterations) const {
    Params p = prior;
    const std::size_t n = p.v.size();
    std::vector<double> moments(2 * n, 0.0), grad(n, 0.0);  // first moments, then second
    double* m = moments.data();
    double* v = m + n;
    const double lr = 0.03, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (std::size_t t = 1; t <= iterations; ++t) {
      loss(p, items, grad);
      for (std::size_t i = 0; i < p.v.size(); ++i) {
        m[i] = b1 * m[i] + (1 - b1) * grad[i];
        v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
        const double mh = m[i] / (1 - std::pow(b1, static_cast<double>(t)));
        const double vh = v[i] / (1 - std::pow(b2, static_cast<double>(t)));
        p.v[i] -= lr * mh / (std::sqrt(vh) + eps);
      }
      p.alpha() = std::max(p.alpha(), 0.01);
      p.gamma() = std::max(p.gamma(), 0.01);
      for (std::size_t f = 0; f < p.nf; ++f) p.field(f) = std::max(p.field(f), 0.0);
      if (std::isinf(l2_weight)) {  // the rules' and fields' weights stay the hand-written ones
        const std::size_t first = 2 + p.nc, count = p.nr + p.nf;  // weight(0) .. field(nf - 1)
        std::copy_n(prior.v.begin() + static_cast<std::ptrdiff_t>(first), count,
                    p.v.begin() + static_cast<std::ptrdiff_t>(first));
      }
    }
    return p;
  }
};

Params prior_of(const Taxonomy& tax, const RuleSet& rules) {
  Params p;
  p.nc = tax.categories.size();
  p.nk = tax.criteria.size();
  p.nr = rules.rules().size();
  p.nf = issue_fields().size();
  p.v.assign(2 + p.nc + p.nr + p.nf + p.nc * p.nk, 0.0);
  const ScoreModel& m = rules.model();
  p.alpha() = m.category_scale;
  p.gamma() = m.criteria_scale;
  for (std::size_t c = 0; c < p.nc; ++c) p.bias(c) = m.category_bias[c];
  for (std::size_t r = 0; r < p.nr; ++r) p.weight(r) = rules.rules()[r].weight;
  for (std::size_t f = 0; f < p.nf; ++f) p.field(f) = rules.field_weight(issue_fields()[f]);
  for (std::size_t c = 0; c < p.nc; ++c)
    for (std::size_t k = 0; k < p.nk; ++k) p.prior(c, k) = m.criteria_prior[c][k];
  return p;
}

// The smallest confidence at which the items at or above it are right `target` of the
// time (the most items left unflagged); 1 when no threshold reaches it.
double review_threshold(std::vector<std::pair<double, bool>> pairs, double target) {
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double best = 1.0;
  std::size_t right = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    right += pairs[i].second;
    const bool boundary = i + 1 == pairs.size() || pairs[i + 1].first < pairs[i].first;
    if (boundary && static_cast<double>(right) >= target * static_cast<double>(i + 1)) best = pairs[i].first;
  }
  return best;
}

// Figures of out-of-fold predictions.
FitFigures figures(const std::vector<FitItem>& items, const std::vector<Prediction1>& preds, double target) {
  FitFigures f;
  std::vector<std::pair<double, bool>> pairs;
  std::vector<bool> fallback;
  double squares = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& p = preds[i];
    const bool right = p.top == items[i].category;
    ++f.n;
    f.category_accuracy += right;
    const double loss = -std::log(std::max(p.p[items[i].category], 1e-12));
    f.log_loss += loss;
    squares += loss * loss;
    if (items[i].level) {
      ++f.impact_n;
      f.impact_exact += p.level == items[i].level;
    }
    pairs.emplace_back(p.p[p.top], right);
    fallback.push_back(p.fallback);
  }
  if (f.n) {
    const auto n = static_cast<double>(f.n);
    f.category_accuracy /= n;
    f.log_loss /= n;
    if (f.n > 1) f.log_loss_se = std::sqrt(std::max(0.0, squares / n - f.log_loss * f.log_loss) / (n - 1));
  }
  if (f.impact_n) f.impact_exact /= static_cast<double>(f.impact_n);
  // The confidence as calibrated by a map fitted without the item.
  auto calibrated = cross_validate_calibration(pairs);
  f.ece = reliability(calibrated).ece;
  std::vector<std::pair<double, bool>> eligible;  // fallback items are always flagged
  for (std::size_t i = 0; i < calibrated.size(); ++i)
    if (!fallback[i]) eligible.push_back(calibrated[i]);
  f.review_threshold = review_threshold(eligible, target);
  for (const auto& [conf, right] : eligible)
    if (conf >= f.review_threshold && f.review_threshold < 1.0) {
      ++f.unflagged;
      f.unflagged_right += right;
    }
  return f;
}

}  // namespace

FitResult fit_rules(const Taxonomy& tax, const RuleSet& rules, const std::vector<FitItem>& items,
                    const FitOptions& opt) {
  Problem problem{tax, rules, prior_of(tax, rules)};
  FitResult out;
  out.items = items.size();
  // Before: the hand numbers, fitted on nothing.
  std::vector<Prediction1> before;
  Params hand = problem.prior;
  for (const auto& item : items) before.push_back(problem.predict(hand, item));
  out.before = figures(items, before, opt.review_target);
  // Cross-validation of each candidate; the best held-out log loss is kept. The
  // candidates: the hand numbers as they are (fitted on nothing: their held-out
  // predictions are `before`), the model's few numbers alone (scales, biases, criteria
  // priors; the rule and field weights kept: an infinite strength), and everything at
  // each strength of the grid.
  // The candidates from the simplest on: the hand numbers as they are (fitted on nothing:
  // their held-out predictions are `before`); the model's few numbers alone (scales,
  // biases, criteria priors; the rule and field weights kept: an infinite strength);
  // everything, at each strength of the grid from the strongest. Each is cross-validated;
  // the simplest whose held-out log loss is within one standard error of the best is
  // kept (the one-standard-error rule: a weight bent to a few issues must earn it).
  const std::size_t folds = std::max<std::size_t>(2, opt.folds);
  std::vector<double> strengths = {std::numeric_limits<double>::infinity()};
  std::vector<double> grid = opt.l2;
  std::sort(grid.rbegin(), grid.rend());
  strengths.insert(strengths.end(), grid.begin(), grid.end());
  std::vector<std::vector<Prediction1>> oofs = {before};
  out.candidates.emplace_back(-1, out.before);
  for (double l2 : strengths) {
    problem.l2_weight = l2;
    std::vector<Prediction1> oof(items.size());
    for (std::size_t f = 0; f < folds; ++f) {
      std::vector<const FitItem*> train;
      for (const auto& item : items)
        if (fold_of(item.id, folds) != f) train.push_back(&item);
      Params p = problem.fit(train, opt.iterations);
      for (std::size_t i = 0; i < items.size(); ++i)
        if (fold_of(items[i].id, folds) == f) oof[i] = problem.predict(p, items[i]);
    }
    out.candidates.emplace_back(l2, figures(items, oof, opt.review_target));
    oofs.push_back(std::move(oof));
  }
  std::size_t best = 0;
  for (std::size_t c = 1; c < out.candidates.size(); ++c)
    if (out.candidates[c].second.log_loss < out.candidates[best].second.log_loss) best = c;
  const double bar = out.candidates[best].second.log_loss + out.candidates[best].second.log_loss_se;
  std::size_t kept = best;
  for (std::size_t c = 0; c < best; ++c)
    if (out.candidates[c].second.log_loss <= bar) {
      kept = c;
      break;
    }
  out.l2 = out.candidates[kept].first;
  out.after = out.candidates[kept].second;
  const std::vector<Prediction1>& best_oof = oofs[kept];
  // The numbers kept: fitted on every item, as the candidate kept.
  Params p = problem.prior;
  if (out.l2 >= 0) {
    problem.l2_weight = out.l2;
    std::vector<const FitItem*> all;
    for (const auto& item : items) all.push_back(&item);
    p = problem.fit(all, opt.iterations);
  }
  out.model = problem.model_of(p);
  for (std::size_t r = 0; r < p.nr; ++r) out.rule_weights.push_back(p.weight(r));
  for (std::size_t f = 0; f < p.nf; ++f) out.field_weights.emplace_back(issue_fields()[f], p.field(f));
  // The calibration map and the review threshold: from the out-of-fold predictions only.
  std::vector<std::pair<double, bool>> pairs;
  for (std::size_t i = 0; i < items.size(); ++i)
    pairs.emplace_back(best_oof[i].p[best_oof[i].top], best_oof[i].top == items[i].category);
  out.calibration = fit_calibration(pairs);
  out.review_threshold = out.after.review_threshold;
  return out;
}

}  // namespace silt
