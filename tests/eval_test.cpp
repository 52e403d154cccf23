#include "silt/eval.h"

#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

Prediction pred(std::string id, std::string category, std::optional<int> level) {
  Prediction p;
  p.id = std::move(id);
  p.category = std::move(category);
  p.level = level;
  return p;
}

GoldLabel gold(std::string id, std::string category, std::optional<int> level) {
  GoldLabel g;
  g.id = std::move(id);
  g.category = std::move(category);
  g.level = level;
  return g;
}

}  // namespace

TEST_CASE("eval: gold CSV columns are found by name; bad rows are reported with their line", "[eval]") {
  auto g = read_gold_csv(SILT_TEST_FIXTURES "/eval-gold.csv", tax());
  REQUIRE(g.ok());
  REQUIRE(g.value().labels.size() == 4);
  CHECK(g.value().labels[0].id == "example-org/dl-lib#1");
  CHECK(*g.value().labels[0].level == 3);
  CHECK_FALSE(g.value().labels[2].level);  // empty impact: left out of the impact figures
  REQUIRE(g.value().problems.size() == 2);
  CHECK(g.value().problems[0].find("eval-gold.csv:6: category 'no-such-category'") != std::string::npos);
  CHECK(g.value().problems[1].find("eval-gold.csv:7: impact 'seven' is not a level") != std::string::npos);
  CHECK_FALSE(read_gold_csv(SILT_TEST_FIXTURES "/rest-issue.json", tax()).ok());
}

TEST_CASE("eval: joins by id, counts misses and the ids missing on either side", "[eval]") {
  std::vector<GoldLabel> g = {gold("a", "wrong-shape", 2), gold("b", "wrong-save-reload", 4),
                              gold("c", "wrong-calculation", std::nullopt), gold("d", "wrong-shape", 1)};
  std::vector<Prediction> p = {pred("a", "wrong-shape", 2), pred("b", "wrong-calculation", std::nullopt),
                               pred("c", "wrong-calculation", 3), pred("z", "wrong-shape", 2)};
  EvalOptions opt;
  opt.bootstrap = 200;
  auto r = evaluate(tax(), g, p, opt);
  CHECK(r.n == 3);
  CHECK(*r.category.accuracy.value == Approx(2.0 / 3));
  CHECK(r.missing_in_predictions == std::vector<std::string>{"d"});
  CHECK(r.missing_in_gold == std::vector<std::string>{"z"});
  CHECK(r.impact_n == 2);                          // c has no gold level
  CHECK(*r.impact.accuracy.value == Approx(0.5));  // a right; b predicted no level
  CHECK(r.impact.confusion[4][0] == 1);            // gold 4 -> none
  CHECK(*r.impact.within_one.value == Approx(0.5));
  REQUIRE(r.misses.size() == 2);
  CHECK(r.misses[0].id == "b");
  CHECK(r.misses[0].category);
  CHECK(r.misses[1].predicted == "none");
  CHECK(r.category.accuracy.lo);
}

TEST_CASE("eval: predictions are read back from silt JSON lines", "[eval]") {
  Issue i;
  i.id = "x";
  i.title = "Accuracy drops after loading the saved model";
  i.join_lists();
  auto c = silt::test::default_classifier().classify(i);
  auto p = read_predictions(to_json(c) + "\n\n" + to_json(c, "f:2") + "\n", "mem");
  REQUIRE(p.ok());
  REQUIRE(p.value().size() == 2);
  CHECK(p.value()[0].id == "x");
  CHECK(p.value()[0].category == "wrong-save-reload");
  CHECK(p.value()[0].level == c.level);
  CHECK_FALSE(p.value()[0].evidence.empty());
  CHECK_FALSE(read_predictions("{\"id\": 1}\n", "mem").ok());
}

TEST_CASE("eval: isotonic calibration pools adjacent violators", "[eval][calibration]") {
  // Sorted by raw confidence: wrong, right, wrong, right, right. The middle pair (right
  // then wrong) violates monotony and is pooled: 0.5 at raw 0.25.
  auto points = fit_calibration({{0.3, false}, {0.1, false}, {0.5, true}, {0.2, true}, {0.4, true}});
  REQUIRE(points.size() == 4);
  CHECK(points[0] == std::pair<double, double>{0.1, 0.0});
  CHECK(points[1].first == Approx(0.25));
  CHECK(points[1].second == Approx(0.5));
  CHECK(points[2] == std::pair<double, double>{0.4, 1.0});
  CHECK(points[3] == std::pair<double, double>{0.5, 1.0});
  CHECK(fit_calibration({}).empty());
}

TEST_CASE("rules: a calibration map maps raw confidence, and must be monotone", "[rules][calibration]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  auto r = load_rules(
      "schema: silt/rules/v1\ncalibration: [[0.2, 0.1], [0.6, 0.5]]\nrules:\n"
      "  - {id: a, category: wrong-shape, pattern: shape}\n",
      "t.yaml", *tax);
  REQUIRE(r.rules);
  CHECK(r.rules->calibrate(0.4) == Approx(0.3));
  CHECK(r.rules->calibrate(0.1) == Approx(0.1));
  CHECK(r.rules->calibrate(0.9) == Approx(0.5));
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  Issue i;
  i.title = "shape";
  i.join_lists();
  auto c = clf.classify(i);
  CHECK(c.confidence == Approx(r.rules->calibrate(c.raw_confidence)));
  CHECK(to_json(c).find("\"confidence_raw\"") != std::string::npos);
  auto bad = load_rules("schema: silt/rules/v1\ncalibration: [[0.2, 0.5], [0.6, 0.1]]\nrules: []\n", "t.yaml", *tax);
  CHECK_FALSE(bad.rules);
  CHECK(silt::test::find_code(bad.diagnostics, "bad-calibration"));
}
