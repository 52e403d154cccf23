#include "silt/stats.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace silt::stats {

namespace {

Estimate undefined(std::string why, std::size_t n = 0) {
  Estimate e;
  e.undefined = std::move(why);
  e.n = n;
  return e;
}

Estimate value(double v, std::size_t n) {
  Estimate e;
  e.value = v;
  e.n = n;
  return e;
}

// Ratings of one item, counted per category.
std::vector<std::size_t> counts(const std::vector<int>& item, std::size_t q) {
  std::vector<std::size_t> c(q, 0);
  for (int code : item)
    if (code >= 0 && static_cast<std::size_t>(code) < q) ++c[static_cast<std::size_t>(code)];
  return c;
}

std::size_t rated(const std::vector<int>& item) {
  return static_cast<std::size_t>(std::count_if(item.begin(), item.end(), [](int c) { return c != missing; }));
}

constexpr double eps = 1e-12;

}  // namespace

double weight(Weights w, std::size_t i, std::size_t j, std::size_t q) {
  if (i == j) return 1.0;
  if (w == Weights::none || q < 2) return 0.0;
  double d = std::fabs(static_cast<double>(i) - static_cast<double>(j)) / static_cast<double>(q - 1);
  return w == Weights::linear ? 1.0 - d : 1.0 - d * d;
}

const char* to_string(Weights w) {
  switch (w) {
    case Weights::none:
      return "unweighted";
    case Weights::linear:
      return "linear";
    case Weights::quadratic:
      return "quadratic";
  }
  return "";
}

const char* to_string(Metric m) {
  switch (m) {
    case Metric::nominal:
      return "nominal";
    case Metric::ordinal:
      return "ordinal";
    case Metric::interval:
      return "interval";
  }
  return "";
}

Estimate percent_agreement(const Ratings& r) {
  double sum = 0;
  std::size_t n = 0;
  for (const auto& item : r.codes) {
    std::size_t m = rated(item);
    if (m < 2) continue;
    double agree = 0;
    for (std::size_t c : counts(item, r.categories)) agree += static_cast<double>(c) * static_cast<double>(c - (c > 0));
    sum += agree / static_cast<double>(m * (m - 1));
    ++n;
  }
  if (n == 0) return undefined("no item was rated by two raters or more");
  return value(sum / static_cast<double>(n), n);
}

Estimate cohen_kappa(const std::vector<std::vector<double>>& t, Weights w) {
  const std::size_t q = t.size();
  double total = 0;
  for (const auto& row : t)
    for (double x : row) total += x;
  if (total <= 0) return undefined("no item was rated by both raters");
  std::vector<double> row(q, 0), col(q, 0);
  for (std::size_t i = 0; i < q; ++i)
    for (std::size_t j = 0; j < q; ++j) {
      row[i] += t[i][j] / total;
      col[j] += t[i][j] / total;
    }
  double po = 0, pe = 0;
  for (std::size_t i = 0; i < q; ++i)
    for (std::size_t j = 0; j < q; ++j) {
      po += weight(w, i, j, q) * t[i][j] / total;
      pe += weight(w, i, j, q) * row[i] * col[j];
    }
  const auto n = static_cast<std::size_t>(std::llround(total));
  if (1 - pe < eps)
    return undefined("chance agreement is 1: both raters used one and the same category for every item", n);
  const double k = (po - pe) / (1 - pe);
  // Fleiss, Cohen & Everitt (1969), variance of (weighted) kappa.
  std::vector<double> wrow(q, 0), wcol(q, 0);
  for (std::size_t i = 0; i < q; ++i)
    for (std::size_t j = 0; j < q; ++j) {
      wrow[i] += col[j] * weight(w, i, j, q);
      wcol[j] += row[i] * weight(w, i, j, q);
    }
  double s = 0;
  for (std::size_t i = 0; i < q; ++i)
    for (std::size_t j = 0; j < q; ++j) {
      double d = weight(w, i, j, q) - (wrow[i] + wcol[j]) * (1 - k);
      s += t[i][j] / total * d * d;
    }
  const double b = k - pe * (1 - k);
  double var = (s - b * b) / (total * (1 - pe) * (1 - pe));
  Estimate e = value(k, n);
  e.se = std::sqrt(std::max(0.0, var));
  return e;
}

Estimate cohen_kappa(const Ratings& r, std::size_t a, std::size_t b, Weights w) {
  std::vector<std::vector<double>> t(r.categories, std::vector<double>(r.categories, 0));
  for (const auto& item : r.codes) {
    int x = item[a], y = item[b];
    if (x == missing || y == missing) continue;
    t[static_cast<std::size_t>(x)][static_cast<std::size_t>(y)] += 1;
  }
  return cohen_kappa(t, w);
}

FleissKappa fleiss_kappa(const Ratings& r) {
  FleissKappa out;
  out.per_category.resize(r.categories);
  auto fail = [&](const std::string& why, std::size_t n) {
    out.kappa = undefined(why, n);
    for (auto& e : out.per_category) e = undefined(why, n);
    return out;
  };
  std::vector<const std::vector<int>*> items;
  std::size_t m = 0;
  for (const auto& item : r.codes) {
    std::size_t k = rated(item);
    if (k == 0) continue;
    if (m == 0) m = k;
    if (k != m)
      return fail("Fleiss' kappa needs every item rated by the same number of raters (some have " + std::to_string(m) +
                      ", some " + std::to_string(k) + "); Krippendorff's alpha handles missing ratings",
                  0);
    items.push_back(&item);
  }
  const std::size_t n = items.size();
  if (n == 0) return fail("no item was rated", 0);
  if (m < 2) return fail("every item has a single rating: nothing to agree on", n);
  const double md = static_cast<double>(m), nd = static_cast<double>(n);
  std::vector<double> p(r.categories, 0), disagree(r.categories, 0);
  double pbar = 0;
  for (const auto* item : items) {
    auto c = counts(*item, r.categories);
    double sq = 0;
    for (std::size_t j = 0; j < r.categories; ++j) {
      const double x = static_cast<double>(c[j]);
      p[j] += x / (nd * md);
      sq += x * x;
      disagree[j] += x * (md - x);
    }
    pbar += (sq - md) / (md * (md - 1)) / nd;
  }
  double pe = 0;
  for (double pj : p) pe += pj * pj;
  if (1 - pe < eps) return fail("every rating is the same category: chance agreement is 1", n);
  out.kappa = value((pbar - pe) / (1 - pe), n);
  for (std::size_t j = 0; j < r.categories; ++j) {
    if (p[j] <= 0)
      out.per_category[j] = undefined("no rater used this category", n);
    else if (p[j] >= 1)
      out.per_category[j] = undefined("every rating is this category", n);
    else
      out.per_category[j] = value(1 - disagree[j] / (nd * md * (md - 1) * p[j] * (1 - p[j])), n);
  }
  return out;
}

Estimate conger_kappa(const Ratings& r) {
  const std::size_t m = r.raters(), q = r.categories;
  if (m < 2) return undefined("Conger's kappa needs two raters or more");
  std::vector<const std::vector<int>*> items;
  for (const auto& item : r.codes) {
    std::size_t k = rated(item);
    if (k == 0) continue;
    if (k != m)
      return undefined(
          "Conger's kappa needs every rater to rate every item; Krippendorff's alpha handles missing ratings");
    items.push_back(&item);
  }
  const std::size_t n = items.size();
  if (n == 0) return undefined("no item was rated");
  // Observed: pairwise agreement per item, averaged (as Fleiss). Chance: the mean over
  // rater pairs of the agreement their own marginals would give.
  double po = 0;
  std::vector<std::vector<double>> share(m, std::vector<double>(q, 0));
  for (const auto* item : items) {
    double agree = 0;
    for (std::size_t c : counts(*item, q)) agree += static_cast<double>(c) * static_cast<double>(c - (c > 0));
    po += agree / static_cast<double>(m * (m - 1)) / static_cast<double>(n);
    for (std::size_t a = 0; a < m; ++a) share[a][static_cast<std::size_t>((*item)[a])] += 1.0 / static_cast<double>(n);
  }
  double pe = 0;
  for (std::size_t k = 0; k < q; ++k) {
    double sum = 0, sum_sq = 0;
    for (std::size_t a = 0; a < m; ++a) {
      sum += share[a][k];
      sum_sq += share[a][k] * share[a][k];
    }
    pe += (sum * sum - sum_sq) / static_cast<double>(m * (m - 1));
  }
  if (1 - pe < eps) return undefined("every rater used one and the same category: chance agreement is 1", n);
  return value((po - pe) / (1 - pe), n);
}

Estimate krippendorff_alpha(const Ratings& r, Metric metric, const std::vector<double>& values) {
  const std::size_t q = r.categories;
  // Coincidence matrix over the units with two pairable values or more.
  std::vector<std::vector<double>> o(q, std::vector<double>(q, 0));
  std::size_t units = 0;
  for (const auto& item : r.codes) {
    auto c = counts(item, q);
    std::size_t mu = rated(item);
    if (mu < 2) continue;
    ++units;
    for (std::size_t a = 0; a < q; ++a)
      for (std::size_t b = 0; b < q; ++b) {
        double pairs = static_cast<double>(c[a]) * static_cast<double>(a == b ? c[b] - (c[b] > 0) : c[b]);
        o[a][b] += pairs / static_cast<double>(mu - 1);
      }
  }
  if (units == 0) return undefined("no item was rated by two raters or more");
  std::vector<double> nc(q, 0);
  double n = 0;
  for (std::size_t a = 0; a < q; ++a)
    for (std::size_t b = 0; b < q; ++b) nc[a] += o[a][b];
  for (double x : nc) n += x;
  auto value_of = [&](std::size_t c) { return values.size() == q ? values[c] : static_cast<double>(c); };
  auto delta2 = [&](std::size_t a, std::size_t b) -> double {
    if (a == b) return 0;
    switch (metric) {
      case Metric::nominal:
        return 1;
      case Metric::interval: {
        double d = value_of(a) - value_of(b);
        return d * d;
      }
      case Metric::ordinal: {
        std::size_t lo = std::min(a, b), hi = std::max(a, b);
        double s = 0;
        for (std::size_t g = lo; g <= hi; ++g) s += nc[g];
        s -= (nc[lo] + nc[hi]) / 2;
        return s * s;
      }
    }
    return 0;
  };
  double observed = 0, expected = 0;
  for (std::size_t a = 0; a < q; ++a)
    for (std::size_t b = 0; b < q; ++b) {
      double d = delta2(a, b);
      observed += o[a][b] * d;
      expected += nc[a] * nc[b] * d;
    }
  if (expected < eps)
    return undefined("every pairable rating is the same category: no disagreement is possible", units);
  return value(1 - (n - 1) * observed / expected, units);
}

Estimate gwet_ac(const Ratings& r, Weights w) {
  const std::size_t q = r.categories;
  if (q < 2) return undefined("Gwet's AC needs two categories or more");
  double tw = 0;
  for (std::size_t k = 0; k < q; ++k)
    for (std::size_t l = 0; l < q; ++l) tw += weight(w, k, l, q);
  double pa = 0;
  std::size_t paired = 0, rated_items = 0;
  std::vector<double> pi(q, 0);
  for (const auto& item : r.codes) {
    auto c = counts(item, q);
    std::size_t ri = rated(item);
    if (ri == 0) continue;
    ++rated_items;
    for (std::size_t k = 0; k < q; ++k) pi[k] += static_cast<double>(c[k]) / static_cast<double>(ri);
    if (ri < 2) continue;
    ++paired;
    double s = 0;
    for (std::size_t k = 0; k < q; ++k) {
      double star = 0;
      for (std::size_t l = 0; l < q; ++l) star += weight(w, k, l, q) * static_cast<double>(c[l]);
      s += static_cast<double>(c[k]) * (star - 1);
    }
    pa += s / static_cast<double>(ri * (ri - 1));
  }
  if (paired == 0) return undefined("no item was rated by two raters or more");
  pa /= static_cast<double>(paired);
  double pe = 0;
  for (std::size_t k = 0; k < q; ++k) {
    double p = pi[k] / static_cast<double>(rated_items);
    pe += p * (1 - p);
  }
  pe *= tw / static_cast<double>(q * (q - 1));
  if (1 - pe < eps) return undefined("chance agreement is 1", paired);
  return value((pa - pe) / (1 - pe), paired);
}

ClassReport classification_report(const std::vector<int>& gold, const std::vector<int>& pred, std::size_t q) {
  ClassReport out;
  out.confusion.assign(q, std::vector<std::size_t>(q, 0));
  std::size_t n = 0, hits = 0, near = 0;
  for (std::size_t i = 0; i < gold.size() && i < pred.size(); ++i) {
    if (gold[i] == missing || pred[i] == missing) continue;
    ++out.confusion[static_cast<std::size_t>(gold[i])][static_cast<std::size_t>(pred[i])];
    ++n;
    hits += gold[i] == pred[i];
    near += std::abs(gold[i] - pred[i]) <= 1;
  }
  out.support.assign(q, 0);
  out.predicted.assign(q, 0);
  for (std::size_t k = 0; k < q; ++k)
    for (std::size_t j = 0; j < q; ++j) {
      out.support[k] += out.confusion[k][j];
      out.predicted[k] += out.confusion[j][k];
    }
  if (n == 0) {
    out.accuracy = out.within_one = out.micro_f1 = undefined("no item has both a gold label and a prediction");
    out.macro_precision = out.macro_recall = out.macro_f1 = out.accuracy;
    out.weighted_precision = out.weighted_recall = out.weighted_f1 = out.accuracy;
    out.precision = out.recall = out.f1 = std::vector<Estimate>(q, out.accuracy);
    return out;
  }
  const double nd = static_cast<double>(n);
  out.accuracy = value(static_cast<double>(hits) / nd, n);
  out.within_one = value(static_cast<double>(near) / nd, n);
  double macro[3] = {0, 0, 0}, weighted[3] = {0, 0, 0}, tp_all = 0, denominators = 0;
  std::size_t present = 0;
  for (std::size_t k = 0; k < q; ++k) {
    const double tp = static_cast<double>(out.confusion[k][k]);
    const double gold_k = static_cast<double>(out.support[k]), pred_k = static_cast<double>(out.predicted[k]);
    out.precision.push_back(pred_k > 0 ? value(tp / pred_k, out.predicted[k]) : undefined("never predicted", 0));
    out.recall.push_back(gold_k > 0 ? value(tp / gold_k, out.support[k]) : undefined("not in the gold labels", 0));
    // F1 = 2TP / (2TP + FP + FN): defined whenever the category is in gold or predictions.
    const double denominator = gold_k + pred_k;  // 2TP + FP + FN
    if (denominator > 0) {
      out.f1.push_back(value(2 * tp / denominator, out.support[k] + out.predicted[k] - out.confusion[k][k]));
      const double p = out.precision[k].value.value_or(0.0), r = out.recall[k].value.value_or(0.0),
                   f = *out.f1[k].value;
      macro[0] += p;
      macro[1] += r;
      macro[2] += f;
      weighted[0] += gold_k * p;
      weighted[1] += gold_k * r;
      weighted[2] += gold_k * f;
      ++present;
    } else {
      out.f1.push_back(undefined("in neither the gold labels nor the predictions", 0));
    }
    tp_all += tp;
    denominators += denominator;
  }
  const double pd = static_cast<double>(present);
  out.macro_precision = value(macro[0] / pd, n);
  out.macro_recall = value(macro[1] / pd, n);
  out.macro_f1 = value(macro[2] / pd, n);
  out.weighted_precision = value(weighted[0] / nd, n);
  out.weighted_recall = value(weighted[1] / nd, n);
  out.weighted_f1 = value(weighted[2] / nd, n);
  out.micro_f1 = value(2 * tp_all / denominators, n);
  return out;
}

Ratings select(const Ratings& r, const std::vector<std::size_t>& indices) {
  Ratings s;
  s.categories = r.categories;
  s.codes.reserve(indices.size());
  for (std::size_t i : indices) s.codes.push_back(r.codes[i]);
  return s;
}

void bootstrap(Estimate& e, std::size_t items, const std::function<Estimate(const std::vector<std::size_t>&)>& stat,
               std::size_t replicates, std::uint64_t seed) {
  bootstrap(
      std::vector<Estimate*>{&e}, items,
      [&](const std::vector<std::size_t>& idx) { return std::vector<Estimate>{stat(idx)}; }, replicates, seed);
}

void bootstrap(const std::vector<Estimate*>& estimates, std::size_t items,
               const std::function<std::vector<Estimate>(const std::vector<std::size_t>&)>& stat,
               std::size_t replicates, std::uint64_t seed) {
  if (items == 0 || replicates == 0 || estimates.empty()) return;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, items - 1);
  std::vector<std::vector<double>> values(estimates.size());
  for (auto& v : values) v.reserve(replicates);
  std::vector<std::size_t> idx(items);
  for (std::size_t b = 0; b < replicates; ++b) {
    for (auto& i : idx) i = pick(rng);
    const std::vector<Estimate> s = stat(idx);
    for (std::size_t k = 0; k < estimates.size() && k < s.size(); ++k)
      if (s[k].value) values[k].push_back(*s[k].value);
  }
  for (std::size_t k = 0; k < estimates.size(); ++k) {
    Estimate& e = *estimates[k];
    std::vector<double>& v = values[k];
    e.replicates = v.size();
    if (v.size() * 50 < replicates || v.empty()) continue;
    std::sort(v.begin(), v.end());
    auto at = [&](double p) {
      // Linear interpolation between order statistics (type 7, as R's quantile default).
      double h = p * static_cast<double>(v.size() - 1);
      auto lo = static_cast<std::size_t>(std::floor(h));
      std::size_t hi = std::min(lo + 1, v.size() - 1);
      return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
    };
    static_assert(confidence_level == 0.95, "the percentiles below are the 95% interval's");
    e.lo = at(0.025);
    e.hi = at(0.975);
  }
}

}  // namespace silt::stats
