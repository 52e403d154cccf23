#include "silt/classifier.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include <thread>

#include "test_support.h"

using namespace silt;

namespace {

// A classifier of the built-in taxonomy reading with the rules `yaml` alone.
Classifier classifier_of(const std::string& yaml) {
  auto tax = silt::test::builtin_taxonomy_loaded();
  auto r = load_rules(yaml, "t.yaml", *tax);
  REQUIRE(r.rules);
  return Classifier(tax, std::make_shared<const RuleSet>(*r.rules));
}

struct Canonical {
  const char* category;
  int level;              // the study's level for the canonical example
  const char* criterion;  // the criterion that sets that level
  const char* title;
  const char* body;
};

// The seven canonical examples of domain.md, told in our own words.
const Canonical canonical[] = {
    {"wrong-shape", 2, "model-info", "Output shape of a dynamic custom layer comes out nested",
     "The layer's compute_output_shape says (None, 2), yet model.summary() shows [(None, (2,))]. "
     "No error is raised."},
    {"wrong-displayed-message", 1, "ui", "evaluate() prints an absurdly long progress bar",
     "The progress bar printed by model.evaluate() is hundreds of thousands of '=' characters long."},
    {"wrong-parameter-setting", 3, "model-operation", "A tf.Variable learning rate set to zero is ignored by Adam",
     "I set the learning rate variable to 0, but the weights keep changing at every training step."},
    {"wrong-save-reload", 4, "results", "Accuracy drops after save and load_model",
     "On the same data the accuracy is 1.0 before saving, and the accuracy falls to 0.5 after loading the model."},
    {"performance-degradation", 3, "model-operation", "Repeated fit() calls grow memory and run 25x slower",
     "RAM grows to 1.5 GB over repeated fit() and evaluate() calls, and each call is 25 times slower than "
     "in TF 1.x."},
    {"wrong-structure", 2, "model-info", "TimeDistributed over a Model duplicates its Dense layer",
     "Wrapping a whole Model in TimeDistributed makes the inner Dense layer appear twice in the model graph."},
    {"wrong-calculation", 2, "model-info", "evaluate() loss does not weight the smaller last batch",
     "With a smaller last batch, evaluate() averages the batch losses without weighting them: the reported "
     "loss is 9.5 instead of 9.67."},
};

Issue make_issue(const char* title, const char* body) {
  Issue i;
  i.id = "test";
  i.title = title;
  i.body = body;
  i.join_lists();
  return i;
}

const CriterionReading& reading(const Classification& c, const std::string& id) {
  for (const auto& r : c.criteria)
    if (r.id == id) return r;
  FAIL("no criterion " << id);
  throw;
}

}  // namespace

TEST_CASE("the seven canonical examples, criteria given, get their category and the study's level",
          "[classifier][canonical]") {
  const auto& clf = silt::test::default_classifier();
  const Taxonomy& t = clf.taxonomy();
  for (const auto& ex : canonical) {
    INFO(ex.category);
    Answers given(t.criteria.size(), false);
    given[*t.criterion_index(ex.criterion)] = true;
    auto c = clf.classify(make_issue(ex.title, ex.body), given);
    CHECK(c.category == ex.category);
    REQUIRE(c.level);
    CHECK(*c.level == ex.level);
    REQUIRE(c.criteria.size() == given.size());
    for (const auto& r : c.criteria) CHECK(r.source == AnswerSource::given);
  }
}

TEST_CASE("the seven canonical examples, from the text alone", "[classifier][canonical]") {
  const auto& clf = silt::test::default_classifier();
  for (const auto& ex : canonical) {
    INFO(ex.category << ": " << ex.title);
    auto c = clf.classify(make_issue(ex.title, ex.body));
    for (const auto& r : c.rationale) INFO(r);
    CHECK(c.category == ex.category);
    CHECK_FALSE(c.fallback);
    REQUIRE(c.level);
    CHECK(*c.level == ex.level);
    CHECK(reading(c, ex.criterion).value);
    CHECK(reading(c, ex.criterion).source == AnswerSource::inferred);
  }
}

TEST_CASE("labels only: the same labels, figures and readings as in full, without rationale or evidence",
          "[classifier]") {
  const auto& clf = silt::test::default_classifier();
  std::vector<Issue> issues;
  for (const auto& ex : canonical) issues.push_back(make_issue(ex.title, ex.body));
  issues.push_back(make_issue("Question about tf.keras", "How do I install it on Windows?"));  // the fallback
  issues.push_back(make_issue("fit crashes", "Traceback (most recent call last):\nValueError: bad shape"));  // loud
  std::size_t loud = 0;
  for (const auto& issue : issues) {
    INFO(issue.title);
    const auto full = clf.classify(issue);
    const auto labels = clf.classify(issue, {}, Classifier::Explain::labels);
    REQUIRE_FALSE(full.rationale.empty());
    CHECK(labels.rationale.empty());
    CHECK(labels.evidence.empty());
    CHECK(labels.category == full.category);
    CHECK(labels.confidence == full.confidence);
    CHECK(labels.raw_confidence == full.raw_confidence);
    CHECK(labels.fallback == full.fallback);
    CHECK(labels.needs_review == full.needs_review);
    CHECK(labels.scores == full.scores);
    CHECK(labels.probabilities == full.probabilities);
    CHECK(labels.level == full.level);
    CHECK(labels.threat == full.threat);
    CHECK(labels.level_probability == full.level_probability);
    CHECK(labels.silent == full.silent);
    loud += full.silent == false;
    REQUIRE(labels.criteria.size() == full.criteria.size());
    for (std::size_t k = 0; k < full.criteria.size(); ++k) {
      CHECK(labels.criteria[k].value == full.criteria[k].value);
      CHECK(labels.criteria[k].source == full.criteria[k].source);
      CHECK(labels.criteria[k].probability == full.criteria[k].probability);
    }
  }
  CHECK(loud == 1);  // the traceback's issue: the loud signal is read without its sentence too
}

TEST_CASE("a given answer wins over what the text says", "[classifier]") {
  const auto& clf = silt::test::default_classifier();
  const Taxonomy& t = clf.taxonomy();
  Answers a(t.criteria.size());
  a[*t.criterion_index("ui")] = false;
  a[*t.criterion_index("results")] = true;
  auto c = clf.classify(make_issue("The progress bar is far too long", "The progress bar floods the console."), a);
  CHECK(reading(c, "ui").value == false);
  CHECK(reading(c, "ui").source == AnswerSource::given);
  CHECK(reading(c, "ui").score > 0);  // the evidence is still reported
  CHECK(*c.level == 4);
}

TEST_CASE("no evidence is not evidence: the prior's category and level, flagged, an honest confidence",
          "[classifier][failure-class-5]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  // A model whose prior favours wrong-parameter-setting, whose bugs alter the model's
  // operation; no rule fires on the text.
  auto r = load_rules(
      "schema: silt/rules/v1\nmodel:\n  category_bias: {wrong-parameter-setting: 1.0}\n"
      "  criteria_prior:\n    wrong-parameter-setting: {ui: -2, model-info: -2, model-operation: 2, results: -2}\n"
      "rules:\n  - {id: a, category: wrong-shape, pattern: 'shape'}\n",
      "t.yaml", *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto c = clf.classify(make_issue("Question about tf.keras", "How do I install it on Windows?"));
  CHECK(c.fallback);
  CHECK(c.needs_review);
  CHECK(c.category == "wrong-parameter-setting");  // the most likely one, not a catch-all
  // Its prior probability: e^1 / (e^1 + 6).
  CHECK(c.confidence == Approx(std::exp(1.0) / (std::exp(1.0) + 6)).epsilon(1e-6));
  REQUIRE(c.level);
  CHECK(*c.level == 3);  // the category's typical level
  CHECK(reading(c, "model-operation").source == AnswerSource::implied);
  CHECK(reading(c, "results").source == AnswerSource::assumed);
  CHECK(c.rationale.front().find("No category rule matched") == 0);
  CHECK(c.rationale.front().find("a person should look") != std::string::npos);
  CHECK(c.evidence.empty());
}

TEST_CASE("evidence points at the matched bytes of its field and cites the rule's place", "[classifier]") {
  const auto& clf = silt::test::default_classifier();
  Issue i = make_issue("Model loses accuracy after reloading",
                       "Before saving it scores 0.9. After loading the model it scores 0.5.");
  auto c = clf.classify(i);
  CHECK(c.category == "wrong-save-reload");
  REQUIRE_FALSE(c.evidence.empty());
  // Fields read from the body (prose.current...) are the classifier's reading of it.
  ReportFields report = clf.read_report(i.view());
  IssueView v = with_report(i.view(), report);
  for (const auto& e : c.evidence) {
    INFO(e.rule << " in " << e.field);
    CHECK(v.field(e.field).substr(e.start, e.end - e.start) == e.text);
    CHECK((e.where.file == "rules/generic.yaml" || e.where.file == "rules/keras-tf.yaml"));
    CHECK(e.where.line > 0);
  }
  CHECK(c.rationale.front().find("rules/generic.yaml:") != std::string::npos);
}

TEST_CASE("a title hit weighs more than the same hit in the body", "[classifier]") {
  const auto& clf = silt::test::default_classifier();
  auto in_title = clf.classify(make_issue("progress bar", "nothing here"));
  auto in_body = clf.classify(make_issue("nothing here", "progress bar"));
  auto score = [](const Classification& c) {
    for (const auto& [id, s] : c.scores)
      if (id == "wrong-displayed-message") return s;
    return 0.0;
  };
  const RuleSet& rules = clf.rules();
  REQUIRE(rules.field_weight("title") > rules.field_weight("prose.current"));
  CHECK(score(in_title) / score(in_body) == Approx(rules.field_weight("title") / rules.field_weight("prose.current")));
}

TEST_CASE("classify is safe from several threads at once", "[classifier]") {
  const auto& clf = silt::test::default_classifier();
  std::vector<std::string> expected;
  for (const auto& ex : canonical) expected.push_back(to_json(clf.classify(make_issue(ex.title, ex.body))));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round)
        for (std::size_t k = 0; k < std::size(canonical); ++k)
          if (to_json(clf.classify(make_issue(canonical[k].title, canonical[k].body))) != expected[k]) ++mismatches[t];
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("a user-written taxonomy and rules classify with their own ids and levels", "[classifier]") {
  auto t = load_taxonomy_file(SILT_TEST_FIXTURES "/five-levels.yaml");
  REQUIRE(t.taxonomy);
  auto tax = std::make_shared<const Taxonomy>(*t.taxonomy);
  auto r = load_rules(
      "schema: silt/rules/v1\nrules:\n"
      "  - {id: drift, criterion: silent-drift, pattern: 'drifts?'}\n"
      "  - {id: lost, criterion: data-loss, pattern: 'rows? (are )?lost'}\n"
      "  - {id: num, category: numeric, pattern: 'sum|mean'}\n",
      "mine.yaml", *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto c = clf.classify(make_issue("The mean drifts", "and some rows are lost"));
  CHECK(c.category == "numeric");
  REQUIRE(c.level);
  CHECK(*c.level == 5);
  CHECK(c.threat == "critical");
}

TEST_CASE("to_json has the documented shape", "[classifier][json]") {
  const auto& clf = silt::test::default_classifier();
  auto c = clf.classify(make_issue(canonical[3].title, canonical[3].body));
  auto j = nlohmann::json::parse(to_json(c));
  for (const char* key :
       {"id", "title", "category", "category_name", "confidence", "scores", "impact", "rationale", "evidence"})
    CHECK(j.contains(key));
  CHECK(j["category"] == "wrong-save-reload");
  CHECK(j["impact"]["level"] == 4);
  CHECK(j["impact"]["threat"] == "high");
  CHECK(j["impact"]["criteria"]["results"]["value"] == true);
  CHECK(j["impact"]["criteria"]["results"]["source"] == "inferred");
  CHECK(j["scores"].size() == 7);
  CHECK(j["confidence"].get<double>() > 0);
  CHECK(j["confidence"].get<double>() <= 1);
  auto e = j["evidence"][0];
  for (const char* key : {"rule", "target", "target_kind", "field", "start", "end", "text"}) CHECK(e.contains(key));
  CHECK(e["target_kind"] == "category");
  CHECK(e["target"] == "wrong-save-reload");
}

TEST_CASE("a matrix gap gives no level and says why", "[classifier]") {
  auto t = load_taxonomy(
      "schema: silt/taxonomy/v1\nfallback: a\ncategories: [{id: a, name: A}]\n"
      "impact:\n  criteria: [{id: p, question: P}, {id: q, question: Q}]\n"
      "  levels: [{level: 1}]\n  matrix:\n    p: [X]\n    q: [\"-\"]\n",
      "gap.yaml");
  REQUIRE(t.taxonomy);
  auto tax = std::make_shared<const Taxonomy>(*t.taxonomy);
  auto r = load_rules("schema: silt/rules/v1\nrules: []\n", "none.yaml", *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto c = clf.classify(make_issue("x", "y"), Answers{false, true});
  CHECK_FALSE(c.level);
  CHECK(c.rationale.back().find("no level of the matrix matches q holding") != std::string::npos);
}

TEST_CASE("impact: the category's prior decides when the text is silent, evidence moves it",
          "[classifier][failure-class-4]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  // Wrong calculations here usually change results (level 4), but a value only reported
  // is information about the model (level 2).
  auto r = load_rules(
      "schema: silt/rules/v1\nmodel:\n  criteria_scale: 1.0\n  criteria_prior:\n"
      "    wrong-calculation: {ui: -2, model-info: -1, model-operation: -2, results: 1.5}\n"
      "rules:\n  - {id: calc, category: wrong-calculation, pattern: 'wrong values?', in: [title]}\n"
      "  - {id: reported, criterion: results, pattern: 'metric shown', weight: -3, in: [body]}\n"
      "  - {id: reported-info, criterion: model-info, pattern: 'metric shown', weight: 3, in: [body]}\n",
      "t.yaml", *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto silent_text = clf.classify(make_issue("reduce_max returns wrong values", "On a masked tensor."));
  CHECK(reading(silent_text, "results").value);
  CHECK(reading(silent_text, "results").source == AnswerSource::implied);
  CHECK(reading(silent_text, "results").probability == Approx(1 / (1 + std::exp(-1.5))));
  REQUIRE(silent_text.level);
  CHECK(*silent_text.level == 4);
  bool said = false;
  for (const auto& line : silent_text.rationale)
    said |= line.rfind("results: yes (implied, p 0.82: prior +1.5 for wrong-calculation bugs", 0) == 0;
  CHECK(said);
  auto reported = clf.classify(make_issue("wrong values", "The metric shown by evaluate is off."));
  CHECK_FALSE(reading(reported, "results").value);
  CHECK(reading(reported, "results").source == AnswerSource::inferred);
  REQUIRE(reported.level);
  CHECK(*reported.level == 2);
  // A given answer wins over prior and evidence.
  Answers a(tax->criteria.size());
  a[*tax->criterion_index("results")] = true;
  auto given = clf.classify(make_issue("wrong values", "The metric shown by evaluate is off."), a);
  CHECK(reading(given, "results").source == AnswerSource::given);
  REQUIRE(given.level);
  CHECK(*given.level == 4);
}

TEST_CASE("the most probable level, not each criterion at one half", "[classifier]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  auto r = load_rules(
      "schema: silt/rules/v1\nmodel:\n  criteria_prior:\n"
      "    wrong-shape: {ui: -9, model-info: 0.2, model-operation: -9, results: -0.2}\n"
      "rules:\n  - {id: s, category: wrong-shape, pattern: 'shape'}\n",
      "t.yaml", *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto c = clf.classify(make_issue("shape", ""));
  REQUIRE(c.level);
  // P(level 4) = P(results) = 0.45; P(level 2) = P(info and not results) = 0.55 * 0.55 =
  // 0.30; P(none) = 0.45 * 0.55 = 0.25: level 4, though results is under one half.
  CHECK(*c.level == 4);
  CHECK(c.level_probability == Approx(1 / (1 + std::exp(0.2))).epsilon(1e-3));
}

TEST_CASE("needs_review follows the rules file's review thresholds", "[classifier]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  auto load = [&](const std::string& review) {
    auto r = load_rules("schema: silt/rules/v1\nfields: {title: 2}\n" + review +
                            "rules:\n  - {id: a, category: wrong-shape, pattern: 'shape'}\n"
                            "  - {id: b, category: wrong-calculation, pattern: 'loss'}\n",
                        "t.yaml", *tax);
    REQUIRE(r.rules);
    return Classifier(tax, std::make_shared<const RuleSet>(*r.rules));
  };
  // shape in the title (2) and loss in the body (1): runner-up at half the winner.
  auto strict = load("review: {min_confidence: 0.1, margin: 0.4}\n").classify(make_issue("shape", "loss"));
  auto lenient = load("review: {min_confidence: 0.1, margin: 0.6}\n").classify(make_issue("shape", "loss"));
  CHECK(strict.needs_review);
  CHECK_FALSE(lenient.needs_review);
  auto r = load_rules("schema: silt/rules/v1\nreview: {min_confidence: 0.5, maring: 1}\nrules: []\n", "t.yaml", *tax);
  CHECK(silt::test::find_code(r.diagnostics, "unknown-key"));
}

TEST_CASE("no evidence and no bias to tell categories apart: the taxonomy's fallback is the label",
          "[classifier][failure-class-5]") {
  auto b = builtin_taxonomy();
  std::string text(b.text);
  const auto at = text.find("fallback: wrong-calculation");
  REQUIRE(at != std::string::npos);
  text.replace(at, std::string("fallback: wrong-calculation").size(), "fallback: wrong-structure");
  auto t = load_taxonomy(text, "t.yaml");
  REQUIRE(t.taxonomy);
  auto tax = std::make_shared<const Taxonomy>(std::move(*t.taxonomy));
  auto r = load_rules("schema: silt/rules/v1\nrules:\n  - {id: a, category: wrong-shape, pattern: 'shape'}\n", "t.yaml",
                      *tax);
  REQUIRE(r.rules);
  Classifier clf(tax, std::make_shared<const RuleSet>(*r.rules));
  auto c = clf.classify(make_issue("Question", "How do I install it?"));
  CHECK(c.fallback);
  CHECK(c.needs_review);
  CHECK(c.category == "wrong-structure");  // not the first category, wrong-shape
  CHECK(clf.classify(make_issue("The shape is off", "")).category == "wrong-shape");  // evidence still decides
}

TEST_CASE("evidence only against a category speaks for none: the fallback, flagged, and the rationale says so",
          "[classifier][failure-class-5]") {
  const Classifier clf = classifier_of(
      "schema: silt/rules/v1\nrules:\n  - {id: pos, category: wrong-shape, pattern: 'shape'}\n"
      "  - {id: neg, category: wrong-shape, pattern: 'shape is fine', weight: -3}\n");
  const Taxonomy& tax = clf.taxonomy();
  auto c = clf.classify(make_issue("the shape is fine", "x"));
  CHECK(c.fallback);
  CHECK(c.needs_review);
  CHECK(c.category == tax.categories[tax.fallback].id);  // not the first category with score 0
  REQUIRE_FALSE(c.rationale.empty());
  CHECK(c.rationale[0].find("only against (wrong-shape -2)") != std::string::npos);
  auto plain = clf.classify(make_issue("the shape is off", "x"));  // the positive rule alone decides
  CHECK_FALSE(plain.fallback);
  CHECK(plain.category == "wrong-shape");
}

TEST_CASE("a tie between two categories goes to the taxonomy's order, and the rationale says so", "[classifier]") {
  const Classifier clf = classifier_of(
      "schema: silt/rules/v1\nrules:\n  - {id: calc, category: wrong-calculation, pattern: 'zorb'}\n"
      "  - {id: shape, category: wrong-shape, pattern: 'zorb'}\n");
  auto c = clf.classify(make_issue("zorb", ""));
  CHECK(c.category == "wrong-shape");  // first in the taxonomy
  CHECK(c.needs_review);
  REQUIRE(c.rationale.size() >= 2);
  CHECK(c.rationale[1].find("Tied with wrong-calculation") == 0);
  CHECK(c.rationale[1].find("the taxonomy lists wrong-shape first") != std::string::npos);
}
