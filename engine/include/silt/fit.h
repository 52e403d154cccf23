// Fitting a rules file's numbers on labeled issues (`silt rules fit`): the rule and
// field weights, the categories' biases and the category-to-criteria prior, with the
// hand-written numbers as the prior, so that a rule seen twice cannot take an extreme
// weight and a rule never seen keeps its own. Rules stay written by people; only the
// numbers move. Everything is judged by cross-validation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "silt/classifier.h"
#include "silt/eval.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt {

// One labeled issue as the rules read it.
struct FitItem {
  std::string id;
  std::size_t category = 0;                   // gold, taxonomy index
  std::vector<std::optional<bool>> criteria;  // gold answers (given, or the X/blank cells of the gold level)
  std::optional<std::size_t> level;           // gold level, index into the taxonomy's levels
  // Each rule that fired, with the fields it fired in (indices into issue_fields()).
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> hits;
};

// The items of `gold` (loud ones left out) among the classifications `labeled` (silt's
// reading of the issues, with their evidence), in gold order. The criteria a gold row
// does not answer are taken from its level: the level's X criteria hold, its blank ones
// do not, its O ones stay unknown.
std::vector<FitItem> fit_items(const Taxonomy& taxonomy, const RuleSet& rules, const std::vector<GoldLabel>& gold,
                               const std::vector<Classification>& labeled);

struct FitOptions {
  std::size_t folds = 5;
  // L2 strengths tried for the rule weights; with the hand numbers as they are and the
  // model's numbers alone (weights kept), the candidate with the best cross-validated log
  // loss is kept. The other parameters have fixed strengths.
  std::vector<double> l2 = {0.1, 0.3, 1.0, 3.0, 10.0};
  std::size_t iterations = 1500;
  double review_target = 0.85;  // the accuracy the unflagged items should reach
};

// What the rules read: figures of one way of setting the numbers, on items each
// predicted by a model fitted without it (the hand numbers are fitted on nothing).
struct FitFigures {
  std::size_t n = 0, impact_n = 0;
  double category_accuracy = 0, impact_exact = 0;
  double log_loss = 0;          // mean -log p(gold category)
  double log_loss_se = 0;       // its standard error over the items
  std::optional<double> ece;    // of the calibrated confidence, itself cross-validated
  double review_threshold = 0;  // chosen so that unflagged items are right review_target of the time
  std::size_t unflagged = 0, unflagged_right = 0;
};

struct FitResult {
  ScoreModel model;
  std::vector<double> rule_weights;                           // RuleSet::rules() order
  std::vector<std::pair<std::string, double>> field_weights;  // issue_fields() order
  std::vector<std::pair<double, double>> calibration;         // fitted on the cross-validated predictions
  double review_threshold = 0;
  // The candidate kept: -1 the hand numbers as they are, infinity the model's numbers
  // alone (rule and field weights kept), else the strength of the L2 pull of the rule
  // weights to their hand values.
  double l2 = 0;
  FitFigures before, after;
  std::vector<std::pair<double, FitFigures>> candidates;  // every candidate tried (l2 as above)
  std::size_t items = 0;
};

// Fits on `items`. The rules' current numbers are the prior and the starting point.
FitResult fit_rules(const Taxonomy& taxonomy, const RuleSet& rules, const std::vector<FitItem>& items,
                    const FitOptions& options);

// The fold (0 .. folds-1) an item belongs to: a hash of its id, so folds do not depend
// on the order of the files.
std::size_t fold_of(const std::string& id, std::size_t folds);

// A rules file's text with its numbers replaced by those of `fit`: each rule's
// `weight:` (added where the rule has none; rules of included files get a `weights:`
// entry in this file), the `fields:`, `model:`, `calibration:` and `review:`
// min_confidence maps, and a comment block (`# silt rules fit: ...`) saying what it was
// fitted on and the cross-validated figures before and after. Everything else, comments
// and layout included, is kept. Fails when the text is not the file the rules came from.
Result<std::string> write_fitted_rules(std::string_view yaml, const std::string& file, const RuleSet& rules,
                                       const Taxonomy& taxonomy, const FitResult& fit, const std::string& fitted_on);

}  // namespace silt
