// Agreement and accuracy statistics for labels: percent agreement, Cohen's, Fleiss' and
// Conger's kappas, Krippendorff's alpha, Gwet's AC1/AC2, confusion matrices and
// precision/recall/F1. Each result says how many items it rests on, and is either a
// value or "undefined" with the reason; bootstrap() adds a 95% interval.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace silt::stats {

struct Estimate {
  std::optional<double> value;   // nullopt: undefined
  std::string undefined;         // why there is no value; empty when there is one
  std::size_t n = 0;             // items it was computed on
  std::optional<double> se;      // an analytic standard error, where one is known
  std::optional<double> lo, hi;  // 95% bootstrap percentile interval, when computed
  std::size_t replicates = 0;    // bootstrap replicates on which it was defined
  bool defined() const { return value.has_value(); }
};

// Items x raters; each rating is a category index in [0, categories), or `missing`.
// `categories` is the size of the domain (every category of the taxonomy, or every
// level), not only those that happen to be used: weights and chance agreement depend
// on it.
inline constexpr int missing = -1;
struct Ratings {
  std::size_t categories = 0;
  std::vector<std::vector<int>> codes;  // [item][rater]
  std::size_t raters() const { return codes.empty() ? 0 : codes.front().size(); }
};

// The level of every interval: 95%, from the 2.5th and 97.5th percentiles.
inline constexpr double confidence_level = 0.95;

// Agreement weights for ordered categories: none (identity), linear 1-|i-j|/(q-1),
// quadratic 1-((i-j)/(q-1))^2.
enum class Weights { none, linear, quadratic };
double weight(Weights w, std::size_t i, std::size_t j, std::size_t q);
// "unweighted", "linear", "quadratic".
const char* to_string(Weights w);

// Krippendorff's difference functions.
enum class Metric { nominal, ordinal, interval };
// "nominal", "ordinal", "interval".
const char* to_string(Metric m);

// For each item rated twice or more, the share of rater pairs that agree; averaged.
Estimate percent_agreement(const Ratings& r);

// Cohen's kappa (weighted when w is not none) from a q x q table of counts,
// table[a's category][b's category], with its large-sample standard error (Fleiss,
// Cohen & Everitt 1969).
Estimate cohen_kappa(const std::vector<std::vector<double>>& table, Weights w = Weights::none);
// The same for raters a and b of `r`, over the items both rated.
Estimate cohen_kappa(const Ratings& r, std::size_t a, std::size_t b, Weights w = Weights::none);

// Fleiss' kappa (1971) and the kappa of each category. Needs every item rated by the
// same number of raters (two or more); undefined otherwise.
struct FleissKappa {
  Estimate kappa;
  std::vector<Estimate> per_category;
};
FleissKappa fleiss_kappa(const Ratings& r);

// Conger's kappa (1980): Cohen's kappa for any number of raters, chance agreement from
// each rater's own marginals. Needs every rater to rate every item.
Estimate conger_kappa(const Ratings& r);

// Krippendorff's alpha; missing ratings allowed. `values` gives each category's number
// for the interval metric (default: its index); ordinal uses the categories' order.
Estimate krippendorff_alpha(const Ratings& r, Metric m, const std::vector<double>& values = {});

// Gwet's AC1 (w = none) or AC2 (weighted); missing ratings allowed (Gwet 2014).
Estimate gwet_ac(const Ratings& r, Weights w = Weights::none);

// Predictions against gold labels (category indices; pairs with a missing side are
// left out).
// Per category: precision rests on the items predicted as it (n = predicted), recall on
// those in gold (n = support), F1 on those in either. The averages are scikit-learn's
// classification_report's: macro over the categories present in gold or predictions,
// weighted by support; a precision undefined there (a category never predicted) counts
// as 0, as scikit-learn's zero_division does. Their n is every pair.
struct ClassReport {
  std::vector<std::vector<std::size_t>> confusion;  // [gold][predicted]
  Estimate accuracy;
  Estimate within_one;                          // |gold - predicted| <= 1, for ordered categories
  std::vector<Estimate> precision, recall, f1;  // per category
  std::vector<std::size_t> support;             // gold items per category
  std::vector<std::size_t> predicted;           // items predicted as each category
  Estimate macro_precision, macro_recall, macro_f1;
  Estimate weighted_precision, weighted_recall, weighted_f1;
  Estimate micro_f1;
};
ClassReport classification_report(const std::vector<int>& gold, const std::vector<int>& predicted,
                                  std::size_t categories);

// Draws `replicates` resamples of the items (with replacement) from a generator seeded
// with `seed`, computes `stat` on each, and sets e.lo and e.hi to the 2.5th and 97.5th
// percentiles of the defined values (left unset when fewer than 2% of the replicates
// were defined). `stat` receives the indices of the resampled items.
void bootstrap(Estimate& e, std::size_t items, const std::function<Estimate(const std::vector<std::size_t>&)>& stat,
               std::size_t replicates, std::uint64_t seed);
// The same for several statistics of one resample: `stat` returns one Estimate for each
// of `estimates`, in order (entries past its size count as undefined), and each gets
// its interval from the same resamples (the ones the single form draws for that seed).
void bootstrap(const std::vector<Estimate*>& estimates, std::size_t items,
               const std::function<std::vector<Estimate>(const std::vector<std::size_t>&)>& stat,
               std::size_t replicates, std::uint64_t seed);

// The items of `r` listed in `indices` (repeats allowed), for bootstrap statistics.
Ratings select(const Ratings& r, const std::vector<std::size_t>& indices);

}  // namespace silt::stats
