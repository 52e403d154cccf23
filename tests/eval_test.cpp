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

TEST_CASE("eval: gold CSV columns are found by name, bad rows are reported with their line", "[eval]") {
  auto g = read_gold_csv(SILT_TEST_FIXTURES "/eval-gold.csv", tax());
  REQUIRE(g.ok());
  REQUIRE(g.value().labels.size() == 5);
  CHECK(g.value().labels[0].id == "example-org/dl-lib#1");
  CHECK(*g.value().labels[0].level == 3);
  CHECK_FALSE(g.value().labels[2].level);  // empty impact: left out of the impact figures
  // An impact that is no level: named, and left out of the impact figures only.
  CHECK(g.value().labels[4].id == "example-org/dl-lib#6");
  CHECK(g.value().labels[4].category == "wrong-shape");
  CHECK_FALSE(g.value().labels[4].level);
  REQUIRE(g.value().problems.size() == 2);
  CHECK(g.value().problems[0].find("eval-gold.csv:6: category 'no-such-category'") != std::string::npos);
  CHECK(g.value().problems[1].find("eval-gold.csv:7: impact 'seven' is not a level") != std::string::npos);
  CHECK(g.value().problems[1].find("(allowed: 1, 2, 3, 4, none)") != std::string::npos);
  CHECK(g.value().problems[1].find("its category counts") != std::string::npos);
  auto json = read_gold_csv(SILT_TEST_FIXTURES "/rest-issue.json", tax());
  REQUIRE_FALSE(json.ok());
  CHECK(json.error().code == "not-csv");
  CHECK(json.error().message.find("rest-issue.json: this is JSON, a CSV was expected") != std::string::npos);
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

TEST_CASE("eval: ids match as OWNER/REPO#N in any case, a GitHub address read as one", "[eval]") {
  CHECK(id_key("keras-team/keras#12") == "keras-team/keras#12");
  CHECK(id_key("Keras-Team/Keras#12") == "keras-team/keras#12");
  CHECK(id_key("https://github.com/keras-team/keras/issues/12") == "keras-team/keras#12");
  CHECK(id_key(" HTTPS://GitHub.com/Keras-Team/keras/pull/12/ ") == "keras-team/keras#12");
  CHECK(id_key("https://api.github.com/repos/keras-team/keras/issues/12") == "keras-team/keras#12");
  CHECK(id_key("https://github.com/keras-team/keras/issues/12#issuecomment-1") == "keras-team/keras#12");
  CHECK(id_key("github.com/keras-team/keras/Issues/12?x=1") == "keras-team/keras#12");
  CHECK(id_key("api.github.com/repos/keras-team/keras/pulls/12") == "keras-team/keras#12");
  CHECK(id_key("https://github.com/keras-team/keras/issues") == "https://github.com/keras-team/keras/issues");
  CHECK(id_key("#7") == "#7");
  CHECK(id_key("i1") == "i1");
  std::vector<GoldLabel> g = {gold("https://github.com/O/R/issues/1", "wrong-shape", 2),
                              gold("O/R#2", "wrong-shape", 2), gold("o/r#3", "wrong-shape", 2)};
  std::vector<Prediction> p = {pred("o/r#1", "wrong-shape", 2), pred("o/r#2", "wrong-shape", 2),
                               pred("o/r#4", "wrong-shape", 2)};
  EvalOptions opt;
  opt.bootstrap = 0;
  auto r = evaluate(tax(), g, p, opt);
  CHECK(r.n == 2);
  CHECK(r.missing_in_predictions == std::vector<std::string>{"o/r#3"});
  CHECK(r.missing_in_gold == std::vector<std::string>{"o/r#4"});
}

TEST_CASE("eval: a gold impact 'none' (no level, as triage writes it) is scored as a level below 1", "[eval]") {
  silt::test::TempDir d;
  auto path = d.write("gold.csv", "id,category,impact\na,wrong-shape,None\nb,wrong-shape,none\nc,wrong-shape,2\n");
  auto read = read_gold_csv(path, tax());
  REQUIRE(read.ok());
  CHECK(read.value().problems.empty());
  REQUIRE(read.value().labels.size() == 3);
  CHECK(read.value().labels[0].no_level);
  CHECK_FALSE(read.value().labels[0].level);
  CHECK_FALSE(read.value().labels[2].no_level);
  std::vector<Prediction> p = {pred("a", "wrong-shape", std::nullopt), pred("b", "wrong-shape", 2),
                               pred("c", "wrong-shape", 2)};
  EvalOptions opt;
  opt.bootstrap = 50;
  auto r = evaluate(tax(), read.value().labels, p, opt);
  CHECK(r.impact_n == 3);
  CHECK(*r.impact.accuracy.value == Approx(2.0 / 3));  // a (none, none) and c right
  CHECK(r.impact.confusion[0][0] == 1);                // none -> none
  CHECK(r.impact.confusion[0][2] == 1);                // none -> 2
  REQUIRE(r.misses.size() == 1);
  CHECK(r.misses[0].id == "b");
  CHECK(r.misses[0].gold == "none");
  CHECK(r.misses[0].predicted == "2");
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

TEST_CASE("eval: isotonic calibration pools adjacent violators and ties, then smooths", "[eval][calibration]") {
  // Sorted by raw confidence: wrong, right, wrong, right, right. The right-then-wrong pair
  // violates monotony and is pooled (1 of 2 at raw 0.25); the two rights tie and are
  // pooled (2 of 2 at 0.45). Each block is (right + 1) / (n + 2).
  auto points = fit_calibration({{0.3, false}, {0.1, false}, {0.5, true}, {0.2, true}, {0.4, true}});
  REQUIRE(points.size() == 3);
  CHECK(points[0].first == Approx(0.1));
  CHECK(points[0].second == Approx(1.0 / 3));
  CHECK(points[1].first == Approx(0.25));
  CHECK(points[1].second == Approx(0.5));
  CHECK(points[2].first == Approx(0.45));
  CHECK(points[2].second == Approx(0.75));
  CHECK(fit_calibration({}).empty());
}

TEST_CASE("eval: a calibration map never claims certainty, and smoothing keeps it monotone", "[eval][calibration]") {
  std::vector<std::pair<double, bool>> all_right(20, {0.9, true});
  auto certain = fit_calibration(all_right);
  REQUIRE(certain.size() == 1);
  CHECK(certain[0].second == Approx(21.0 / 22));
  // One wrong alone at 0.1 (1/3 smoothed) below a block of 1 right in 10 (2/12): the
  // smoothed values would decrease, so the two are pooled: 1 right of 11.
  std::vector<std::pair<double, bool>> p{{0.1, false}, {0.2, true}};
  for (int i = 0; i < 9; ++i) p.emplace_back(0.3, false);
  auto pooled = fit_calibration(p);
  REQUIRE(pooled.size() == 1);
  CHECK(pooled[0].first == Approx(3.0 / 11));
  CHECK(pooled[0].second == Approx(2.0 / 13));
}

TEST_CASE("eval: cross-validated calibration maps each pair by a map fitted without it", "[eval][calibration]") {
  std::vector<std::pair<double, bool>> p{{0.2, false}, {0.8, true}};
  // Without the first, the map is the single point (0.8, 2/3), flat; without the second, (0.2, 1/3).
  auto held_out = cross_validate_calibration(p);
  REQUIRE(held_out.size() == 2);
  CHECK(held_out[0].first == Approx(2.0 / 3));
  CHECK_FALSE(held_out[0].second);
  CHECK(held_out[1].first == Approx(1.0 / 3));
  CHECK(held_out[1].second);
  // One group: both held out together, nothing left to fit, the raw value stays.
  auto grouped = cross_validate_calibration(p, {7, 7});
  CHECK(grouped[0].first == Approx(0.2));
  CHECK(grouped[1].first == Approx(0.8));
  CHECK(cross_validate_calibration({}).empty());
}

TEST_CASE("eval: the reliability table bins confidence and weighs each bin's gap", "[eval][calibration]") {
  auto r = reliability({{0.1, true}, {0.9, true}, {1.0, false}});
  REQUIRE(r.bins.size() == 5);
  CHECK(r.bins[0].n == 1);
  CHECK(r.bins[0].accuracy == Approx(1.0));
  CHECK(r.bins[4].n == 2);  // 1.0 falls in the last bin
  CHECK(r.bins[4].confidence == Approx(0.95));
  CHECK(r.bins[4].accuracy == Approx(0.5));
  REQUIRE(r.ece);
  CHECK(*r.ece == Approx(1.0 / 3 * 0.9 + 2.0 / 3 * 0.45));
  CHECK_FALSE(reliability({}).ece);
}

TEST_CASE("eval: calibration pairs leave fallback labels out of a fit, and say which gold item each is",
          "[eval][calibration]") {
  std::vector<GoldLabel> g{gold("a", "wrong-shape", 1), gold("b", "wrong-shape", 1), gold("c", "wrong-shape", 1)};
  auto pa = pred("a", "wrong-shape", 1), pc = pred("c", "wrong-calculation", 1), pb = pred("b", "wrong-shape", 1);
  pa.raw_confidence = 0.3;
  pa.confidence = 0.6;
  pc.raw_confidence = pc.confidence = 0.5;
  pb.fallback = true;
  std::vector<std::size_t> items;
  auto raw = calibration_pairs(g, {pc, pb, pa}, true, &items);
  REQUIRE(raw.size() == 2);
  CHECK(raw[0] == std::pair<double, bool>{0.3, true});
  CHECK(raw[1] == std::pair<double, bool>{0.5, false});
  CHECK(items == std::vector<std::size_t>{0, 2});
  auto given = calibration_pairs(g, {pc, pb, pa}, false);
  REQUIRE(given.size() == 3);
  CHECK(given[0].first == Approx(0.6));
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
  // No evidence: the prior's probability (no bias: one in seven), calibrated as any other.
  Issue none;
  none.title = "nothing to go on";
  none.join_lists();
  auto f = clf.classify(none);
  CHECK(f.fallback);
  CHECK(f.raw_confidence == Approx(1.0 / static_cast<double>(tax->categories.size())));
  CHECK(f.confidence == Approx(r.rules->calibrate(f.raw_confidence)));
  auto bad = load_rules("schema: silt/rules/v1\ncalibration: [[0.2, 0.5], [0.6, 0.1]]\nrules: []\n", "t.yaml", *tax);
  CHECK_FALSE(bad.rules);
  CHECK(silt::test::find_code(bad.diagnostics, "bad-calibration"));
}

TEST_CASE("eval: a gold file naming a column twice is an error at line 1", "[eval][csv]") {
  silt::test::TempDir d;
  auto g = read_gold_csv(d.write("g.csv", "id,category,impact,category\nx,wrong-shape,2,wrong-shape\n"),
                         silt::test::default_classifier().taxonomy());
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().code == "duplicate-column");
}

TEST_CASE("eval: a bad line among good ones is named and left out, when asked, alone it fails", "[eval]") {
  Issue i;
  i.id = "x";
  i.title = "Accuracy drops after loading the saved model";
  i.join_lists();
  const std::string good = to_json(silt::test::default_classifier().classify(i));
  std::vector<std::string> skipped;
  auto p = read_predictions(good + "\n{\"broken\n" + good + "\n", "cut.jsonl", &skipped);
  REQUIRE(p.ok());
  CHECK(p.value().size() == 2);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].find("cut.jsonl:2:") == 0);
  CHECK_FALSE(read_predictions(good + "\n{\"broken\n", "cut.jsonl").ok());  // not asked: the first bad line fails
  skipped.clear();
  auto none = read_predictions("{\"broken\n{\"id\": 1}\n", "other.jsonl", &skipped);  // no line reads: not silt's
  CHECK_FALSE(none.ok());
}

TEST_CASE("eval: an id labeled twice in the gold file is scored once, by its first row, the other is named",
          "[eval][csv]") {
  silt::test::TempDir d;
  auto g = read_gold_csv(d.write("g.csv",
                                 "id,category,impact\nx,wrong-shape,2\ny,wrong-calculation,4\n"
                                 "x,wrong-calculation,4\nx,wrong-shape,2\n"),
                         tax());
  REQUIRE(g.ok());
  REQUIRE(g.value().labels.size() == 2);
  CHECK(g.value().labels[0].id == "x");
  CHECK(g.value().labels[0].category == "wrong-shape");
  CHECK(g.value().labels[1].id == "y");
  REQUIRE(g.value().problems.size() == 2);
  CHECK(g.value().problems[0].find("g.csv:4: 'x' is labeled at line 2 already (this row left out)") !=
        std::string::npos);
  CHECK(g.value().problems[1].find("g.csv:5:") != std::string::npos);
  // The report counts it once.
  EvalReport r = evaluate(tax(), g.value().labels, {pred("x", "wrong-shape", 2), pred("y", "wrong-shape", 4)}, {});
  CHECK(r.n == 2);
}

TEST_CASE("eval: batch output read a line at a time gives what the whole-text reader gives", "[eval][io]") {
  silt::test::TempDir d;
  const std::string preds = silt::test::slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl");
  const std::string path = d.write("p.jsonl", "\xEF\xBB\xBF" + preds + "not json\n\n");
  std::vector<std::string> ids, skipped;
  auto n = for_each_classification(
      path, [&](Classification&& c) { ids.push_back(c.id); }, &skipped);
  REQUIRE(n.ok());
  auto whole = read_classifications(preds, "p.jsonl");
  REQUIRE(whole.ok());
  CHECK(n.value() == whole.value().size());
  REQUIRE(ids.size() == whole.value().size());
  for (std::size_t k = 0; k < ids.size(); ++k) CHECK(ids[k] == whole.value()[k].id);
  REQUIRE(skipped.size() == 1);  // the bad line, named with its line
  const std::size_t lines = static_cast<std::size_t>(std::count(preds.begin(), preds.end(), '\n'));
  CHECK(skipped[0].find("p.jsonl:" + std::to_string(lines + 1) + ":") != std::string::npos);
  CHECK_FALSE(for_each_classification(d.write("bad.jsonl", "x\n"), [](Classification&&) {}).ok());
  auto missing = for_each_classification(d.at("none.jsonl"), [](Classification&&) {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "unreadable");
}

TEST_CASE("eval: batch outputs read as one set keep gold items whole, others' labels, and name a conflict",
          "[eval][io]") {
  silt::test::TempDir d;
  auto line = [](const std::string& id, const std::string& category) {
    return "{\"id\": \"" + id + "\", \"title\": \"t\", \"category\": \"" + category +
           "\", \"confidence\": 0.9, \"impact\": {\"level\": 2}, \"rationale\": [\"why\"]}\n";
  };
  const std::string a = d.write("a.jsonl", line("g1", "wrong-shape") + line("x1", "wrong-shape"));
  const std::string b = d.write("b.jsonl", line("g1", "wrong-calculation") + line("x1", "wrong-shape"));
  auto r = read_prediction_files({a, b}, {"g1"}, tax());
  REQUIRE(r.ok());
  REQUIRE(r.value().predictions.size() == 2);  // each id once: the first file's
  CHECK(r.value().predictions[0].category == "wrong-shape");
  CHECK(r.value().predictions[0].why == "why");  // a gold item: whole
  CHECK(r.value().predictions[1].why.empty());   // another: its labels only
  CHECK(r.value().predictions[1].level == 2);
  REQUIRE(r.value().problems.size() == 1);  // x1 agrees; g1 does not
  CHECK(r.value().problems[0] ==
        b + ": g1 is predicted twice, differently: wrong-shape, level 2 (the file's prediction 1 in " + a +
            ", scored) and wrong-calculation, level 2 (its prediction 1, left out)");
  CHECK_FALSE(read_prediction_files({d.at("none.jsonl")}, {}, tax()).ok());
}
