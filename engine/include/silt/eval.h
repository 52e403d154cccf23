// Evaluation of silt's (or anyone's) labels against gold labels: category and impact
// accuracy, F1, kappas, confusion matrices, with bootstrap intervals.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "silt/classifier.h"
#include "silt/result.h"
#include "silt/stats.h"
#include "silt/taxonomy.h"

namespace silt {

struct GoldLabel {
  std::string id;
  std::string category;      // a category id of the taxonomy; empty for a loud bug
  std::optional<int> level;  // empty in the file: left out of the impact figures
  bool no_level = false;     // "none": the bug meets no level of the matrix (triage writes it)
  bool loud = false;         // `silent` says no: out of the taxonomy's scope
  // The answers to the criteria, taxonomy order, from columns named by criterion id
  // (yes/no); unknown where the file has no such column or leaves it empty.
  std::vector<std::optional<bool>> criteria;
  int line = 0;
};

// One labeled item as `silt batch` / `classify --format json` writes it.
struct Prediction {
  std::string id;
  std::string category;
  std::optional<int> level;
  double confidence = 0;
  double raw_confidence = 0;  // before the rules' calibration map (= confidence when none)
  bool needs_review = false;
  std::optional<bool> silent;                          // silt's silence check (null: no evidence either way)
  bool fallback = false;                               // no category rule matched: the taxonomy's fallback category
  std::vector<std::pair<std::string, bool>> criteria;  // each criterion's value
  std::string title;
  std::string url;                    // the web address ("url" or "html_url"), when given
  std::string why;                    // the first sentence of the rationale
  std::vector<std::string> evidence;  // "rule -> kind:target: \"text\" (field)"
};

// Reads a gold CSV with a header naming `id`, `category` and `impact` (in any order),
// and optionally `silent` (yes/no): a row with silent=no is a loud bug, whose category
// may be empty; it is left out of the category and impact figures and counted in the
// silence ones. Rows whose category is not in the taxonomy are reported in `problems`
// ("file:line: ...") and left out; an impact that is not a level number is reported and
// left out of the impact figures only; a later row for an id labeled already is
// reported and left out (the first row is the label).
struct GoldFile {
  std::vector<GoldLabel> labels;
  std::vector<std::string> problems;
};
Result<GoldFile> read_gold_csv(const std::string& path, const Taxonomy& taxonomy);

// An id as gold labels and predictions are matched by: a GitHub issue or pull request
// address (github.com/O/R/issues/N, /pull/N, api.github.com/repos/O/R/issues/N or
// /pulls/N; with or without https://, a #fragment or ?query after it) read as O/R#N, as
// silt names issues, and in lower case (GitHub's names are not case-sensitive): a gold
// file may give either. Other ids are only lower-cased.
std::string id_key(std::string_view id);

// What eval needs of a classification. The formats themselves are read by their one
// owner, silt/classification_io.h; these are views over its readers.
Prediction prediction_of(const Classification& c);
// Silt JSON Lines (one classification a line): read_classifications (with `skipped`, a
// bad line is left out and named there).
Result<std::vector<Prediction>> read_predictions(std::string_view jsonl, const std::string& name,
                                                 std::vector<std::string>* skipped = nullptr);
// `silt batch --format csv` output: read_classifications_csv.
Result<std::vector<Prediction>> read_predictions_csv(std::string_view csv, const std::string& name,
                                                     const Taxonomy& taxonomy);

// Silt batch outputs read as one set of predictions: each file JSON Lines (a line at a
// time) or CSV, as classifications_file tells. Of an item whose id (by id_key) is not in
// `keep_whole` (id_keys) only what the figures need (id, category, level) is kept: an output of
// millions of records is read in the memory of the gold items. An id predicted twice
// keeps its first prediction; a later one that labels it otherwise is named in
// `problems`, as a bad line is. Fails on a file that cannot be read or holds no good line.
struct PredictionFiles {
  std::vector<Prediction> predictions;
  std::vector<std::string> problems;  // "file:line: ..." and "file: ID is predicted twice, differently: ..."
};
Result<PredictionFiles> read_prediction_files(const std::vector<std::string>& files,
                                              const std::unordered_set<std::string>& keep_whole,
                                              const Taxonomy& taxonomy);

struct EvalOptions {
  std::size_t bootstrap = 1000;
  std::uint64_t seed = 1;
};

struct EvalMiss {
  std::string id;
  std::string gold, predicted;             // category ids, or level numbers ("none" for no level)
  bool category = true;                    // a category miss, else an impact miss
  double confidence = 0;                   // the prediction's
  const Prediction* prediction = nullptr;  // into evaluate()'s predictions; null when read from JSON
};

// A reliability table: (confidence, right) pairs in five bins of width 0.2; in each,
// how many items, their mean confidence and the share that were right. ece: the
// expected calibration error, sum over bins of n/N |accuracy - confidence|; empty
// without pairs.
struct ReliabilityBin {
  double lo = 0, hi = 0;
  std::size_t n = 0;
  double confidence = 0, accuracy = 0;
};
struct Reliability {
  std::vector<ReliabilityBin> bins;
  std::optional<double> ece;
};
Reliability reliability(const std::vector<std::pair<double, bool>>& pairs);

// Every figure carries its n and, with options.bootstrap > 0, a 95% bootstrap interval:
// the category figures from one set of seeded resamples of the items, the impact
// figures from another, the calibration error from a third.
struct EvalReport {
  std::size_t n = 0;  // items in both gold and predictions
  // Category, over the taxonomy's categories (every per-category figure and average
  // with its interval).
  stats::ClassReport category;
  stats::Estimate category_kappa;
  // Impact, over the items whose gold has a level; index 0 is "no level" (a prediction
  // without a level), then the taxonomy's levels in order.
  std::size_t impact_n = 0;
  std::vector<std::string> impact_labels;  // "none", "1", "2"...
  stats::ClassReport impact;
  // Cohen's kappa of the levels: unweighted, linear, quadratic ("none" one step below 1).
  std::vector<std::pair<stats::Weights, stats::Estimate>> impact_kappa;
  std::vector<std::string> missing_in_predictions, missing_in_gold;
  std::vector<EvalMiss> misses;  // in gold order
  // Calibration of the category confidence (see reliability); the expected calibration
  // error undefined without pairs.
  std::vector<ReliabilityBin> calibration;
  stats::Estimate ece;
  // Review: items not flagged needs_review, and how many of those have the right category.
  std::size_t unflagged = 0, unflagged_right = 0;
  // Silence: the loud bugs among the gold items, and those silt called loud (silent
  // false); the silent bugs silt called loud.
  std::size_t loud = 0, loud_caught = 0, silent_called_loud = 0;
};

// A calibration map fitted on (raw confidence, right or wrong) pairs by isotonic
// regression (pool adjacent violators, ties pooled too) with add-one smoothing: each
// pooled block becomes the point (its mean raw confidence, (right + 1) / (items + 2)),
// and blocks are pooled further until those values increase. The smoothing keeps a
// map fitted on few items from claiming 0 or 1: 20 right out of 20 give 21/22.
// Empty when there are no pairs.
std::vector<std::pair<double, double>> fit_calibration(std::vector<std::pair<double, bool>> pairs);

// How a map fitted by fit_calibration does on items it was not fitted on: each pair's
// raw confidence mapped by a map fitted without it, paired with whether it was right.
// Pairs of one group (the same issue labeled by two rule sets, say) are left out
// together; `groups` gives one number a pair, or is empty: each pair its own group.
// Leave-one-group-out up to 1000 groups; beyond, ten folds (group number modulo 10).
// reliability() of the result gives the cross-validated calibration error.
std::vector<std::pair<double, bool>> cross_validate_calibration(const std::vector<std::pair<double, bool>>& pairs,
                                                                const std::vector<std::size_t>& groups = {});

// The (confidence, category right) pairs of the items in both gold and predictions, in
// gold order: the raw confidence (before the rules' map; fallback classifications, which
// no evidence backs and the map leaves alone, left out), or the confidence given.
// `items`, when given, receives each pair's index in gold.
std::vector<std::pair<double, bool>> calibration_pairs(const std::vector<GoldLabel>& gold,
                                                       const std::vector<Prediction>& predictions, bool raw = true,
                                                       std::vector<std::size_t>* items = nullptr);

EvalReport evaluate(const Taxonomy& taxonomy, const std::vector<GoldLabel>& gold,
                    const std::vector<Prediction>& predictions, const EvalOptions& options);

}  // namespace silt
