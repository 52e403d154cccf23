// Private: the arithmetic of ScoreModel (silt/rules.h), shared by the classifier and by
// `silt rules fit`, so that what is fitted is exactly what classifies.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt::detail {

double sigmoid(double x);

// p(category) for the evidence scores `score` (taxonomy order): the softmax of
// bias + category_scale * score.
std::vector<double> category_probabilities(const ScoreModel& model, const std::vector<double>& score);

// The probability that criterion k holds for a bug of category `category` with criterion
// evidence `evidence`.
double criterion_probability(const ScoreModel& model, std::size_t category, std::size_t k, double evidence);

// The most probable level when each criterion holds independently with probability
// holds_p[k] (a given answer is 0 or 1): the combinations' probabilities summed per level
// (or per "no level"), and the most probable combination giving the winner. With more
// than 16 criteria, each criterion is taken at one half instead.
struct LevelChoice {
  std::optional<std::size_t> level;  // index into the taxonomy's levels; nullopt: no level
  double probability = 0;
  std::vector<bool> holds;
};
LevelChoice most_probable_level(const Taxonomy& taxonomy, const std::vector<double>& holds_p);

}  // namespace silt::detail
