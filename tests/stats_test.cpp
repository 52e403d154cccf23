#include "silt/stats.h"

#include <catch2/catch.hpp>

using namespace silt::stats;

namespace {

// Ratings from a subjects x categories table of counts (how many raters put each
// subject in each category).
Ratings from_counts(const std::vector<std::vector<int>>& table) {
  Ratings r;
  r.categories = table.front().size();
  for (const auto& row : table) {
    std::vector<int> item;
    for (std::size_t k = 0; k < row.size(); ++k)
      for (int i = 0; i < row[k]; ++i) item.push_back(static_cast<int>(k));
    r.codes.push_back(item);
  }
  return r;
}

// Ratings from rows of 1-based category numbers, 0 meaning missing.
Ratings from_rows(const std::vector<std::vector<int>>& rows, std::size_t categories) {
  Ratings r;
  r.categories = categories;
  for (const auto& row : rows) {
    std::vector<int> item;
    for (int v : row) item.push_back(v == 0 ? missing : v - 1);
    r.codes.push_back(item);
  }
  return r;
}

// Two raters' ratings from a table of counts [a][b].
Ratings from_pairs(const std::vector<std::vector<int>>& table) {
  Ratings r;
  r.categories = table.size();
  for (std::size_t a = 0; a < table.size(); ++a)
    for (std::size_t b = 0; b < table.size(); ++b)
      for (int i = 0; i < table[a][b]; ++i) r.codes.push_back({static_cast<int>(a), static_cast<int>(b)});
  return r;
}

std::vector<std::vector<double>> doubles(const std::vector<std::vector<int>>& t) {
  std::vector<std::vector<double>> d;
  for (const auto& row : t) d.emplace_back(row.begin(), row.end());
  return d;
}

// Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
// Bulletin 76(5): 30 patients, 6 psychiatrists, 5 diagnoses (1 depression, 2 personality
// disorder, 3 schizophrenia, 4 neurosis, 5 other); the ratings as R's irr package ships
// them (data `diagnoses`).
const std::vector<std::vector<int>> diagnoses = {
    {4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5}, {2, 2, 2, 4, 4, 4},
    {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4}, {1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5},
    {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4}, {2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5},
    {3, 3, 3, 3, 3, 5}, {1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
    {5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4}, {1, 4, 4, 4, 4, 5},
    {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5}};

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
// 4 observers, 12 units, values 1-5, missing values (0 here).
const std::vector<std::vector<int>> krippendorff_units = {
    // A  B  C  D
    {1, 1, 0, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2}, {1, 2, 3, 4},
    {4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {0, 5, 5, 5}, {0, 0, 1, 1}, {0, 0, 3, 0}};

}  // namespace

TEST_CASE("Fleiss' kappa: the 10 subjects x 14 raters example", "[stats][fleiss]") {
  // The worked example of the Wikipedia article "Fleiss' kappa" (also statsmodels'
  // test table0): P-bar 0.378, P-bar-e 0.213, kappa 0.210.
  auto r = from_counts({{0, 0, 0, 0, 14},
                        {0, 2, 6, 4, 2},
                        {0, 0, 3, 5, 6},
                        {0, 3, 9, 2, 0},
                        {2, 2, 8, 1, 1},
                        {7, 7, 0, 0, 0},
                        {3, 2, 6, 3, 0},
                        {2, 5, 3, 2, 2},
                        {6, 5, 2, 1, 0},
                        {0, 2, 2, 3, 7}});
  auto f = fleiss_kappa(r);
  REQUIRE(f.kappa.defined());
  CHECK(*f.kappa.value == Approx(0.2099).margin(5e-5));
  CHECK(f.kappa.n == 10);
  CHECK(*percent_agreement(r).value == Approx(0.378).margin(5e-4));
}

TEST_CASE("Fleiss' kappa: Fleiss 1971, 30 patients and 6 psychiatrists", "[stats][fleiss]") {
  auto r = from_rows(diagnoses, 5);
  auto f = fleiss_kappa(r);
  REQUIRE(f.kappa.defined());
  CHECK(*f.kappa.value == Approx(0.4302445).margin(5e-7));  // irr::kappam.fleiss(diagnoses)
  // Per category, irr::kappam.fleiss(diagnoses, detail = TRUE): 0.245 0.245 0.520 0.471 0.566.
  const double per[] = {0.245, 0.245, 0.520, 0.471, 0.566};
  for (std::size_t k = 0; k < 5; ++k) {
    REQUIRE(f.per_category[k].defined());
    CHECK(*f.per_category[k].value == Approx(per[k]).margin(5e-4));
  }
  // And the overall kappa is their average weighted by p_j (1 - p_j) (Fleiss 1971, eq. 13).
  double num = 0, den = 0;
  std::vector<double> p(5, 0);
  for (const auto& row : diagnoses)
    for (int v : row) p[static_cast<std::size_t>(v - 1)] += 1.0 / 180;
  for (std::size_t k = 0; k < 5; ++k) {
    num += p[k] * (1 - p[k]) * *f.per_category[k].value;
    den += p[k] * (1 - p[k]);
  }
  CHECK(num / den == Approx(*f.kappa.value).margin(1e-12));
}

TEST_CASE("Krippendorff's alpha: Krippendorff's own example with missing values", "[stats][alpha]") {
  auto r = from_rows(krippendorff_units, 5);
  auto nominal = krippendorff_alpha(r, Metric::nominal);
  auto ordinal = krippendorff_alpha(r, Metric::ordinal);
  auto interval = krippendorff_alpha(r, Metric::interval, {1, 2, 3, 4, 5});
  REQUIRE(nominal.defined());
  CHECK(*nominal.value == Approx(0.7434).margin(5e-5));
  CHECK(*ordinal.value == Approx(0.8154).margin(5e-5));
  CHECK(*interval.value == Approx(0.8491).margin(5e-5));
  CHECK(nominal.n == 11);  // unit 12 has a single value: not pairable
}

TEST_CASE("Cohen's kappa: the textbook 2x2 table [[20,5],[10,15]]", "[stats][cohen]") {
  // Wikipedia "Cohen's kappa", worked example: 50 grant proposals, 2 readers.
  // po = 0.70, pe = 0.50, kappa = 0.40. SE as statsmodels 0.13.5 cohens_kappa(...).std_kappa
  // computes it (the large-sample variance of Fleiss, Cohen & Everitt 1969): 0.126996.
  auto k = cohen_kappa(doubles({{20, 5}, {10, 15}}));
  REQUIRE(k.defined());
  CHECK(*k.value == Approx(0.4000).margin(5e-5));
  CHECK(*k.se == Approx(0.126996).margin(5e-6));
  CHECK(k.n == 50);
  // The same from the raters' ratings.
  auto r = from_pairs({{20, 5}, {10, 15}});
  CHECK(*cohen_kappa(r, 0, 1).value == Approx(0.4).margin(1e-12));
}

TEST_CASE("Weighted kappa counts a level that no rater used", "[stats][cohen]") {
  // 4 ordered levels; neither rater used level 3. The weights depend on the domain (4
  // levels), so dropping the unused level changes linear and quadratic kappa.
  // Expected values: statsmodels 0.13.5 cohens_kappa(table, wt=...) on the same table.
  const std::vector<std::vector<int>> t = {{10, 3, 0, 1}, {2, 12, 0, 2}, {0, 0, 0, 0}, {1, 2, 0, 9}};
  auto none = cohen_kappa(doubles(t));
  auto lin = cohen_kappa(doubles(t), Weights::linear);
  auto quad = cohen_kappa(doubles(t), Weights::quadratic);
  CHECK(*none.value == Approx(0.603774).margin(5e-6));
  CHECK(*none.se == Approx(0.102997).margin(5e-6));
  CHECK(*lin.value == Approx(0.638914).margin(5e-6));
  CHECK(*lin.se == Approx(0.105628).margin(5e-6));
  CHECK(*quad.value == Approx(0.668823).margin(5e-6));
  CHECK(*quad.se == Approx(0.118745).margin(5e-6));
  auto dropped = cohen_kappa(doubles({{10, 3, 1}, {2, 12, 2}, {1, 2, 9}}), Weights::linear);
  CHECK(*dropped.value == Approx(0.633557).margin(5e-6));
  CHECK(*dropped.value != Approx(*lin.value).margin(1e-3));
}

TEST_CASE("Gwet's AC1 stays meaningful where kappa falls: the kappa paradox", "[stats][gwet]") {
  // Two raters, 100 items, 85% raw agreement on a dominant category:
  // kappa = (0.85 - 0.78) / (1 - 0.78) = 0.3182. Gwet (2008): pe = sum_k pi_k (1 - pi_k)
  // / (q - 1) with pi = (0.875, 0.125), pe = 0.21875, AC1 = (0.85 - 0.21875) / 0.78125 = 0.8080.
  auto r = from_pairs({{80, 10}, {5, 5}});
  CHECK(*percent_agreement(r).value == Approx(0.85).margin(1e-12));
  CHECK(*cohen_kappa(r, 0, 1).value == Approx(0.3182).margin(5e-5));
  auto ac1 = gwet_ac(r);
  REQUIRE(ac1.defined());
  CHECK(*ac1.value == Approx(0.8080).margin(5e-5));
  // AC2 with identity weights is AC1.
  CHECK(*gwet_ac(r, Weights::none).value == *ac1.value);
}

TEST_CASE("Conger's kappa is Cohen's for two raters, and Fleiss' when marginals are equal", "[stats][conger]") {
  auto two = from_pairs({{20, 5}, {10, 15}});
  CHECK(*conger_kappa(two).value == Approx(*cohen_kappa(two, 0, 1).value).margin(1e-12));
  // Three raters, each using categories 0, 1, 2 twice over 6 items: equal marginals.
  Ratings three;
  three.categories = 3;
  three.codes = {{0, 0, 1}, {1, 1, 0}, {2, 2, 2}, {0, 1, 0}, {1, 0, 1}, {2, 2, 2}};
  CHECK(*conger_kappa(three).value == Approx(*fleiss_kappa(three).kappa.value).margin(1e-12));
  // Unequal marginals make them differ.
  three.codes[3] = {0, 1, 2};
  three.codes[5] = {2, 2, 1};
  CHECK(*conger_kappa(three).value != Approx(*fleiss_kappa(three).kappa.value).margin(1e-6));
}

TEST_CASE("Degenerate input gives undefined with a reason, never NaN or a made-up 1", "[stats][degenerate]") {
  SECTION("everyone used one category") {
    Ratings r;
    r.categories = 4;
    r.codes = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
    CHECK(*percent_agreement(r).value == 1.0);  // they did agree
    auto f = fleiss_kappa(r);
    CHECK_FALSE(f.kappa.defined());
    CHECK(f.kappa.undefined.find("same category") != std::string::npos);
    CHECK_FALSE(f.per_category[0].defined());
    CHECK_FALSE(cohen_kappa(r, 0, 1).defined());
    CHECK_FALSE(conger_kappa(r).defined());
    CHECK_FALSE(krippendorff_alpha(r, Metric::nominal).defined());
    CHECK(gwet_ac(r).defined());  // AC1 is 1 here: chance agreement is not
  }
  SECTION("one rater") {
    Ratings r;
    r.categories = 3;
    r.codes = {{0}, {1}, {2}};
    CHECK(percent_agreement(r).undefined == "no item was rated by two raters or more");
    CHECK_FALSE(fleiss_kappa(r).kappa.defined());
    CHECK_FALSE(conger_kappa(r).defined());
    CHECK_FALSE(krippendorff_alpha(r, Metric::nominal).defined());
    CHECK_FALSE(gwet_ac(r).defined());
  }
  SECTION("no item rated twice") {
    Ratings r;
    r.categories = 3;
    r.codes = {{0, missing}, {missing, 1}, {2, missing}};
    CHECK_FALSE(cohen_kappa(r, 0, 1).defined());
    CHECK(cohen_kappa(r, 0, 1).undefined == "no item was rated by both raters");
    CHECK_FALSE(krippendorff_alpha(r, Metric::interval).defined());
  }
  SECTION("an empty file") {
    Ratings r;
    r.categories = 7;
    CHECK_FALSE(percent_agreement(r).defined());
    CHECK_FALSE(fleiss_kappa(r).kappa.defined());
    CHECK_FALSE(krippendorff_alpha(r, Metric::nominal).defined());
    CHECK_FALSE(classification_report({}, {}, 7).accuracy.defined());
  }
  SECTION("raters with unequal numbers of ratings") {
    Ratings r;
    r.categories = 3;
    r.codes = {{0, 0, 0}, {1, 1, missing}, {2, 2, 1}, {0, 1, missing}};
    auto f = fleiss_kappa(r);
    CHECK_FALSE(f.kappa.defined());
    CHECK(f.kappa.undefined.find("same number of raters") != std::string::npos);
    CHECK_FALSE(conger_kappa(r).defined());
    CHECK(krippendorff_alpha(r, Metric::nominal).defined());  // handles missing ratings
    CHECK(gwet_ac(r).defined());
  }
}

TEST_CASE("Classification report: confusion, accuracy, per-category P/R/F1, macro and micro F1", "[stats][report]") {
  // Cross-checked with scikit-learn 1.2.1 precision_recall_fscore_support and f1_score.
  auto rep = classification_report({0, 0, 1, 1, 2}, {0, 1, 1, 1, 0}, 4);
  CHECK(rep.confusion[0][0] == 1);
  CHECK(rep.confusion[0][1] == 1);
  CHECK(rep.confusion[2][0] == 1);
  CHECK(*rep.accuracy.value == Approx(0.6));
  CHECK(*rep.precision[0].value == Approx(0.5));
  CHECK(*rep.recall[1].value == Approx(1.0));
  CHECK(*rep.f1[1].value == Approx(0.8));
  CHECK_FALSE(rep.precision[2].defined());  // never predicted
  CHECK(*rep.f1[2].value == 0.0);
  CHECK_FALSE(rep.f1[3].defined());  // in neither
  CHECK(*rep.macro_f1.value == Approx(0.433333).margin(1e-6));
  CHECK(*rep.micro_f1.value == Approx(0.6));
  CHECK(rep.support == std::vector<std::size_t>{2, 2, 1, 0});
  auto ordered = classification_report({0, 1, 3}, {1, 1, 1}, 4);
  CHECK(*ordered.within_one.value == Approx(2.0 / 3));
}

TEST_CASE("Bootstrap intervals are reproducible for a seed and bracket the estimate", "[stats][bootstrap]") {
  auto r = from_rows(diagnoses, 5);
  auto stat = [&](const std::vector<std::size_t>& idx) { return fleiss_kappa(select(r, idx)).kappa; };
  Estimate a = fleiss_kappa(r).kappa, b = a, c = a;
  bootstrap(a, r.codes.size(), stat, 500, 42);
  bootstrap(b, r.codes.size(), stat, 500, 42);
  bootstrap(c, r.codes.size(), stat, 500, 7);
  REQUIRE(a.lo);
  CHECK(*a.lo == *b.lo);
  CHECK(*a.hi == *b.hi);
  CHECK(*a.lo != *c.lo);
  CHECK(*a.lo < *a.value);
  CHECK(*a.value < *a.hi);
  CHECK(a.replicates == 500);
}

TEST_CASE("Linear-weighted Cohen's kappa: a 3x3 table worked by hand", "[stats][cohen]") {
  // Worked here with exact fractions (and the same with disagreement weights |i-j|):
  // table [[6,2,0],[1,5,2],[0,1,3]], n = 20; rows 8, 8, 4; columns 7, 8, 5; linear
  // weights 1, 1/2, 0 for a distance of 0, 1, 2.
  //   po = (6+5+3 + (2+1+2+1)/2) / 20 = 17/20 = 0.85
  //   pe = sum w_ij row_i col_j / 400 = (56+64+20 + (64+56+40+32)/2) / 400 = 236/400 = 59/100
  //   kappa = (0.85 - 0.59) / (1 - 0.59) = 26/41 = 0.634146
  // Cross-check: 1 - sum |i-j| o_ij / sum |i-j| e_ij = 1 - 6 / 16.4 = 26/41.
  const std::vector<std::vector<int>> t = {{6, 2, 0}, {1, 5, 2}, {0, 1, 3}};
  auto lin = cohen_kappa(doubles(t), Weights::linear);
  REQUIRE(lin.defined());
  CHECK(*lin.value == Approx(26.0 / 41).margin(1e-12));
  CHECK(lin.n == 20);
  // The same from the raters' ratings.
  CHECK(*cohen_kappa(from_pairs(t), 0, 1, Weights::linear).value == Approx(26.0 / 41).margin(1e-12));
}

TEST_CASE("Krippendorff's alpha, interval metric: two coders worked by hand", "[stats][alpha]") {
  // Five units coded by two coders: (1,2) (3,3) (2,4) (1,1) (4,3); N = 10 pairable values.
  // Krippendorff (2011), the interval difference (c-k)^2:
  //   D_o = (1/N) sum_u sum_{pairs in u} (c-k)^2 / (m_u - 1) = (2+0+8+0+2) / 10 = 1.2
  //   D_e = sum over all ordered pairs of values (c-k)^2 / (N (N-1)) = 248 / 90
  //   alpha = 1 - D_o / D_e = 1 - 108/248 = 35/62 = 0.564516
  auto r = from_rows({{1, 2}, {3, 3}, {2, 4}, {1, 1}, {4, 3}}, 4);
  auto a = krippendorff_alpha(r, Metric::interval, {1, 2, 3, 4});
  REQUIRE(a.defined());
  CHECK(*a.value == Approx(35.0 / 62).margin(1e-12));
  CHECK(a.n == 5);
  // Values default to the categories' indices: equally spaced, so the same alpha.
  CHECK(*krippendorff_alpha(r, Metric::interval).value == Approx(35.0 / 62).margin(1e-12));
}

TEST_CASE("Classification report: macro and weighted averages as scikit-learn's classification_report",
          "[stats][report]") {
  // y_true [0,0,1,1,2], y_pred [0,1,1,1,0]: per category P 1/2, 2/3, (never predicted: 0);
  // R 1/2, 1, 0; F1 1/2, 4/5, 0; support 2, 2, 1. sklearn's classification_report prints
  // macro avg 0.39 0.50 0.43 and weighted avg 0.47 0.60 0.52; exactly:
  //   macro    P (1/2 + 2/3 + 0)/3 = 7/18   R (1/2 + 1 + 0)/3 = 1/2   F1 (1/2 + 4/5 + 0)/3 = 13/30
  //   weighted P (2/2 + 2*2/3 + 0)/5 = 7/15 R (1 + 2 + 0)/5 = 3/5     F1 (1 + 8/5 + 0)/5 = 13/25
  auto rep = classification_report({0, 0, 1, 1, 2}, {0, 1, 1, 1, 0}, 4);
  CHECK(*rep.macro_precision.value == Approx(7.0 / 18).margin(1e-12));
  CHECK(*rep.macro_recall.value == Approx(0.5).margin(1e-12));
  CHECK(*rep.macro_f1.value == Approx(13.0 / 30).margin(1e-12));
  CHECK(*rep.weighted_precision.value == Approx(7.0 / 15).margin(1e-12));
  CHECK(*rep.weighted_recall.value == Approx(0.6).margin(1e-12));  // = accuracy, always
  CHECK(*rep.weighted_f1.value == Approx(13.0 / 25).margin(1e-12));
  CHECK(rep.weighted_f1.n == 5);
  // Each per-category figure rests on its own items.
  CHECK(rep.predicted == std::vector<std::size_t>{2, 3, 0, 0});
  CHECK(rep.precision[1].n == 3);  // predicted as 1
  CHECK(rep.recall[1].n == 2);     // 1 in gold
  CHECK(rep.f1[1].n == 3);         // in either
  CHECK_FALSE(classification_report({}, {}, 3).weighted_f1.defined());
}

TEST_CASE("Bootstrap of several statistics at once draws the single form's resamples", "[stats][bootstrap]") {
  auto r = from_rows(diagnoses, 5);
  auto one = [&](const std::vector<std::size_t>& idx) { return fleiss_kappa(select(r, idx)).kappa; };
  Estimate single = fleiss_kappa(r).kappa;
  bootstrap(single, r.codes.size(), one, 300, 9);
  auto f = fleiss_kappa(r);
  std::vector<Estimate*> all{&f.kappa};
  for (auto& e : f.per_category) all.push_back(&e);
  bootstrap(
      all, r.codes.size(),
      [&](const std::vector<std::size_t>& idx) {
        auto s = fleiss_kappa(select(r, idx));
        std::vector<Estimate> v{s.kappa};
        v.insert(v.end(), s.per_category.begin(), s.per_category.end());
        return v;
      },
      300, 9);
  REQUIRE(f.kappa.lo);
  CHECK(*f.kappa.lo == *single.lo);
  CHECK(*f.kappa.hi == *single.hi);
  for (const auto& e : f.per_category) {
    REQUIRE(e.lo);
    CHECK(*e.lo <= *e.value);
    CHECK(*e.value <= *e.hi);
  }
}
