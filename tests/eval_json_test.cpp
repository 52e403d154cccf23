#include "silt/eval_json.h"

#include <nlohmann/json.hpp>

#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

// tests/fixtures/eval-predictions.jsonl against tests/fixtures/eval-gold.csv: a category
// miss, an impact miss, a prediction without gold, a gold id without a prediction.
EvalReport fixture_report(std::size_t bootstrap = 200) {
  auto gold = read_gold_csv(SILT_TEST_FIXTURES "/eval-gold.csv", tax());
  REQUIRE(gold.ok());
  std::ifstream in(SILT_TEST_FIXTURES "/eval-predictions.jsonl");
  std::stringstream ss;
  ss << in.rdbuf();
  auto preds = read_predictions(ss.str(), "eval-predictions.jsonl");
  REQUIRE(preds.ok());
  EvalOptions opt;
  opt.bootstrap = bootstrap;
  static std::vector<Prediction> keep;  // the report's misses point into them
  keep = preds.value();
  return evaluate(tax(), gold.value().labels, keep, opt);
}

RunHeader header() {
  RunHeader h;
  h.bootstrap = 200;
  h.seed = 1;
  h.raters = {"gold", "silt"};
  h.inputs = {{"gold", "g.csv"}, {"predictions", "p.jsonl"}};
  return h;
}

}  // namespace

TEST_CASE("eval JSON: every figure has one shape, value, n and interval", "[eval][json]") {
  auto j = nlohmann::json::parse(to_json(fixture_report(), tax(), header()));
  CHECK(j["header"]["schema"] == "silt/eval/v1");
  CHECK(j["header"]["bootstrap"] == 200);
  CHECK(j["header"]["confidence_level"] == 0.95);
  CHECK(j["header"]["raters"] == nlohmann::json::array({"gold", "silt"}));
  CHECK(j["header"]["inputs"]["gold"] == "g.csv");
  const auto& acc = j["category"]["accuracy"];
  CHECK(acc["value"] == 0.667);  // 2 of 3, rounded to 3 decimals
  CHECK(acc["n"] == 3);
  REQUIRE(acc["interval"].is_array());
  CHECK(acc["interval"].size() == 2);
  CHECK(j["category"]["kappa"].contains("se"));
  // Undefined: null value, null interval, and the reason.
  const auto& p = j["category"]["per_category"]["wrong-displayed-message"]["precision"];
  CHECK(p["value"].is_null());
  CHECK(p["interval"].is_null());
  CHECK(p["undefined"] == "never predicted");
  CHECK(j["category"]["per_category"]["wrong-shape"]["recall"]["n"] == 1);
  CHECK(j["category"]["per_category"]["wrong-calculation"]["predicted"] == 1);
  CHECK(j["category"]["weighted_average"]["f1"]["value"] == 0.667);
  CHECK(j["category"]["macro_average"]["f1"]["value"] == 0.5);
  // Impact: the three kappas, levels named.
  for (const char* w : {"unweighted", "linear", "quadratic"}) CHECK(j["impact"]["kappa"][w]["n"] == 2);
  CHECK(j["impact"]["confusion"]["2"]["3"] == 1);
  CHECK(j["impact"]["per_level"].contains("none"));
}

TEST_CASE("eval JSON: an empty reliability bin is null, not 0, counts are integers", "[eval][json]") {
  auto j = nlohmann::json::parse(to_json(fixture_report(), tax(), header()));
  const auto& bins = j["calibration"]["bins"];
  REQUIRE(bins.size() == 5);
  CHECK(bins[0]["n"] == 0);
  CHECK(bins[0]["confidence"].is_null());
  CHECK(bins[0]["accuracy"].is_null());
  CHECK(bins[3]["lo"] == 0.6);  // not 0.6000000000000001
  CHECK(bins[4]["n"].is_number_integer());
  CHECK(bins[4]["accuracy"] == 1.0);
  CHECK(j["calibration"]["ece"]["value"] == 0.273);
  CHECK(j["calibration"]["ece"]["n"] == 3);
  CHECK(j["misses"].size() == 2);
  CHECK(j["misses"][0]["confidence"] == 0.72);
}

TEST_CASE("eval JSON: what to_json writes, read_eval_json reads back to the same document", "[eval][json]") {
  const EvalReport r = fixture_report();
  const std::string once = to_json(r, tax(), header());
  auto back = read_eval_json(once, "eval.json");
  REQUIRE(back.ok());
  const EvalDocument& d = back.value();
  CHECK(d.header.bootstrap == 200);
  CHECK(d.header.schema == eval_schema);
  CHECK(d.categories.size() == tax().categories.size());
  CHECK(d.report.impact_labels == std::vector<std::string>{"none", "1", "2", "3", "4"});
  CHECK(d.report.category.confusion == r.category.confusion);
  CHECK(d.report.misses.size() == 2);
  CHECK(d.report.misses[1].prediction == nullptr);
  CHECK(*d.report.category.accuracy.value == 0.667);
  // Written again, byte for byte the same: the reader loses nothing the writer wrote.
  CHECK(to_json(d.report, tax(), d.header) == once);
  // Without intervals too.
  const std::string bare = to_json(fixture_report(0), tax(), header());
  auto back_bare = read_eval_json(bare, "bare.json");
  REQUIRE(back_bare.ok());
  CHECK_FALSE(back_bare.value().report.category.accuracy.lo);
  CHECK(to_json(back_bare.value().report, tax(), back_bare.value().header) == bare);
}

TEST_CASE("eval JSON: another document is other-format, a broken one names the member", "[eval][json]") {
  CHECK(read_eval_json("{\"header\": {\"schema\": \"silt/agree/v1\"}}", "a.json").error().code == "other-format");
  CHECK(read_eval_json("[1, 2]", "a.json").error().code == "other-format");
  CHECK(read_eval_json("not json", "a.json").error().code == "other-format");
  std::string text = to_json(fixture_report(0), tax(), header());
  auto j = nlohmann::json::parse(text);
  j["category"].erase("kappa");
  auto missing = read_eval_json(j.dump(), "e.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "bad-eval-json");
  CHECK(missing.error().message == "e.json: category.kappa: missing");
  j = nlohmann::json::parse(text);
  j["impact"]["per_level"]["2"]["recall"]["n"] = "two";
  auto typed = read_eval_json(j.dump(), "e.json");
  REQUIRE_FALSE(typed.ok());
  CHECK(typed.error().message == "e.json: impact.per_level.2.recall.n: not a count (a whole number, 0 or more)");
}
