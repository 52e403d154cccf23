#include "model_math.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace silt::detail {

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

std::vector<double> category_probabilities(const ScoreModel& model, const std::vector<double>& score) {
  std::vector<double> p(score.size());
  for (std::size_t i = 0; i < score.size(); ++i) p[i] = model.category_bias[i] + model.category_scale * score[i];
  const double top = p.empty() ? 0 : *std::max_element(p.begin(), p.end());
  double z = 0;
  for (auto& v : p) z += v = std::exp(v - top);
  for (auto& v : p) v /= z;
  return p;
}

double criterion_probability(const ScoreModel& model, std::size_t category, std::size_t k, double evidence) {
  return sigmoid(model.criteria_prior[category][k] + model.criteria_scale * evidence);
}

LevelChoice most_probable_level(const Taxonomy& tax, const std::vector<double>& holds_p) {
  const std::size_t k = tax.criteria.size();
  LevelChoice out;
  out.holds.assign(k, false);
  if (k > 16) {
    for (std::size_t i = 0; i < k; ++i) out.holds[i] = holds_p[i] > 0.5;
    out.level = tax.decide(out.holds);
    return out;
  }
  const std::size_t slots = tax.levels.size() + 1;  // the last: no level
  std::vector<double> by_level(slots, 0.0), best_p(slots, -1.0);
  std::vector<std::uint32_t> best(slots, 0);
  std::vector<bool> holds(k);
  for (std::uint32_t m = 0; m < (1u << k); ++m) {
    double p = 1;
    for (std::size_t i = 0; i < k; ++i) {
      holds[i] = (m >> i) & 1u;
      p *= holds[i] ? holds_p[i] : 1 - holds_p[i];
    }
    if (p <= 0) continue;
    auto level = tax.decide(holds);
    const std::size_t slot = level ? *level : tax.levels.size();
    by_level[slot] += p;
    if (p > best_p[slot]) {
      best_p[slot] = p;
      best[slot] = m;
    }
  }
  const auto winner = static_cast<std::size_t>(std::max_element(by_level.begin(), by_level.end()) - by_level.begin());
  out.probability = by_level[winner];
  if (winner < tax.levels.size()) out.level = winner;
  for (std::size_t i = 0; i < k; ++i) out.holds[i] = (best[winner] >> i) & 1u;
  return out;
}

}  // namespace silt::detail
