#include "silt/survey.h"

#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

Consensus fixture() {
  auto c = read_survey(SILT_TEST_FIXTURES "/survey.csv", tax());
  REQUIRE(c.ok());
  return c.value();
}

}  // namespace

TEST_CASE("survey: columns found by their text in a re-ordered export, answers summarised", "[survey]") {
  // tests/fixtures/survey.csv: 5 respondents, worked by hand.
  Consensus c = fixture();
  CHECK(c.respondents == 5);
  REQUIRE(c.categories.size() == 2);
  const auto* msg = find(c, "wrong-displayed-message");
  REQUIRE(msg);
  // Diagnosing 1, 2, 3, 5, 4: median 3, mean 3, quartiles 2 and 4, two of five 4-5.
  CHECK(msg->diagnosing.n == 5);
  CHECK(msg->diagnosing.median == 3);
  CHECK(msg->diagnosing.mean == Approx(3.0));
  CHECK(msg->diagnosing.q1 == 2);
  CHECK(msg->diagnosing.q3 == 4);
  CHECK(msg->diagnosing.share_high == Approx(0.4));
  CHECK(msg->fixing.median == 3);
  CHECK(msg->met_yes == 4);
  CHECK(msg->met_no == 1);
  const auto* shape = find(c, "wrong-shape");
  REQUIRE(shape);
  // Diagnosing 2, 2, 3, 4 (one skipped): median 2.5, mean 2.75, quartiles 2 and 3.25 (type 7).
  CHECK(shape->diagnosing.n == 4);
  CHECK(shape->diagnosing.median == 2.5);
  CHECK(shape->diagnosing.mean == Approx(2.75));
  CHECK(shape->diagnosing.q3 == Approx(3.25));
  CHECK(shape->fixing.counts == std::array<std::size_t, 5>{1, 1, 1, 1, 1});
  CHECK(shape->met_yes == 3);  // the "confronted" column after the shape block
  REQUIRE(c.levels.size() == 2);
  CHECK(c.levels[0].level == 1);
  CHECK(c.levels[0].agreement.median == 3);
  CHECK(c.levels[1].agreement.n == 4);
  CHECK(c.levels[1].agreement.share_high == Approx(0.75));
  REQUIRE(c.scale);
  CHECK(c.scale->n == 4);
  REQUIRE(c.problems.size() == 1);
  CHECK(c.problems[0].find("survey.csv:7: scale: 'n/a' is not an answer from 1 to 5") != std::string::npos);
  CHECK(c.problematic.at("More problematic") == 3);
  CHECK(c.problematic.at("Less problematic") == 1);
}

TEST_CASE("survey: the consensus YAML reads back to the same figures", "[survey]") {
  Consensus c = fixture();
  auto back = consensus_from_yaml(to_yaml(c), "mem.yaml");
  REQUIRE(back.ok());
  CHECK(back.value().respondents == 5);
  const auto* shape = find(back.value(), "wrong-shape");
  REQUIRE(shape);
  CHECK(shape->diagnosing.q3 == Approx(3.25));
  CHECK(shape->met_no == 2);
  CHECK(find(back.value(), 2)->agreement.share_high == Approx(0.75));
  CHECK(back.value().problematic == c.problematic);
  CHECK_FALSE(consensus_from_yaml("schema: other\n", "x.yaml").ok());
}

TEST_CASE("survey: the shipped consensus is the study's survey", "[survey]") {
  auto b = builtin_consensus();
  auto c = consensus_from_yaml(b.text, std::string(b.name));
  REQUIRE(c.ok());
  CHECK(c.value().respondents == 103);
  CHECK(c.value().categories.size() == 7);
  CHECK(c.value().levels.size() == 4);
}

TEST_CASE("consistency: ratings outside the consensus quartiles, mean distance to the median", "[survey]") {
  Consensus c = fixture();
  auto r = consistency(SILT_TEST_FIXTURES "/my-ratings.csv", c, tax());
  REQUIRE(r.ok());
  // Message: diagnosing 5 (outside 2-4, 2 from the median), severity 2, fixing 3 (inside);
  // shape: severity 4 (inside 3-4, 1 from the median 3), fixing 9 is no rating.
  REQUIRE(r.value().ratings.size() == 4);
  CHECK(r.value().outside == 1);
  CHECK(r.value().ratings[0].outside);
  CHECK(r.value().ratings[0].what == "wrong-displayed-message diagnosing");
  CHECK(r.value().mean_distance == Approx(0.75));
  REQUIRE(r.value().problems.size() == 2);
  CHECK(r.value().problems[0].find("my-ratings.csv:3: wrong-shape fixing: '9' is not 1-5") != std::string::npos);
  CHECK(r.value().problems[1].find("no consensus for category 'wrong-structure'") != std::string::npos);
}

TEST_CASE("survey: a question the reader takes by its text, asked twice, is an error", "[survey][csv]") {
  silt::test::TempDir d;
  const std::string path = d.write("s.csv",
                                   "Timestamp,1. Wrong Shape: x [Diagnosing],1. Wrong Shape: x [Diagnosing]\n"
                                   "t,2,5\n");
  auto c = read_survey(path, silt::test::default_classifier().taxonomy());
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == "duplicate-column");
}

TEST_CASE("survey: the consensus JSON puts each share beside its count", "[survey][json]") {
  Consensus c = fixture();
  const std::string j = to_json(c);
  // wrong-shape: met by 3 of 5 (the share of those who answered the question).
  CHECK(j.find("\"yes\": 3,\n        \"no\": 2,\n        \"n\": 5,\n        \"share_yes\": 0.6") != std::string::npos);
  // Level 2: answers 2, 4, 4, 5 (n = 4): counts and shares of 1..5 on one line each.
  CHECK(j.find("\"counts\": [0, 1, 0, 2, 1],\n      \"shares\": [0.0, 0.25, 0.0, 0.5, 0.25]") != std::string::npos);
  CHECK(j.find("\"More problematic\": {\n      \"n\": 3,\n      \"share\": 0.6\n    }") != std::string::npos);
  // Nobody answered: no share (null), not 0.
  c.categories[0].met_yes = c.categories[0].met_no = 0;
  CHECK(to_json(c).find("\"n\": 0,\n        \"share_yes\": null") != std::string::npos);
}

TEST_CASE("survey: a question nobody answered has no median (null), and consistency does not compare with it",
          "[survey]") {
  Consensus c = fixture();
  REQUIRE_FALSE(c.categories.empty());
  c.categories[0].severity = Summary{};  // nobody answered it
  const std::string json = to_json(c);
  CHECK(json.find("\"median\": null") != std::string::npos);
  const std::string yaml = to_yaml(c);
  CHECK(yaml.find("median: ~") != std::string::npos);
  auto back = consensus_from_yaml(yaml, "c.yaml");
  REQUIRE(back.ok());
  CHECK(back.value().categories[0].severity.n == 0);
  auto r = consistency(SILT_TEST_FIXTURES "/my-ratings.csv", back.value(), tax());
  REQUIRE(r.ok());
  for (const auto& x : r.value().ratings) CHECK(x.what != c.categories[0].category + " severity");
  bool named = false;
  for (const auto& p : r.value().problems)
    named = named || p.find("no consensus for " + c.categories[0].category + " severity") != std::string::npos;
  CHECK(named == (c.categories[0].category == "wrong-shape" || c.categories[0].category == "wrong-displayed-message"));
}

TEST_CASE("survey: a byte order mark before a quoted first header leaves the export readable", "[survey][csv]") {
  silt::test::TempDir d;
  const std::string plain = silt::test::slurp(SILT_TEST_FIXTURES "/survey.csv");
  REQUIRE(plain.front() == 'T');
  // The real export's first header names a question with a comma in it: quoted.
  const std::string quoted = "\"Timestamp, UTC\"" + plain.substr(plain.find(','));
  auto c = read_survey(d.write("bom.csv", "\xEF\xBB\xBF" + quoted), tax());
  REQUIRE(c.ok());
  CHECK(c.value().respondents == fixture().respondents);
  CHECK(find(c.value(), "wrong-shape")->diagnosing.n == 4);
}

TEST_CASE("survey and consistency: an answer that is not a whole 1-5 is named, not cut to its first digit",
          "[survey]") {
  silt::test::TempDir d;
  const std::string path =
      d.write("s.csv", "Timestamp,1. Wrong Shape: x [Diagnosing]\nt,3.5\nt,3abc\nt,3 (neutral)\nt,4(hard)\nt,2\n");
  auto c = read_survey(path, tax());
  REQUIRE(c.ok());
  const auto* shape = find(c.value(), "wrong-shape");
  REQUIRE(shape);
  CHECK(shape->diagnosing.n == 3);   // 3 (neutral), 4(hard), 2
  std::vector<std::string> answers;  // the Severity and Fixing columns are missing too: said apart
  for (const auto& p : c.value().problems)
    if (p.find("is not an answer") != std::string::npos) answers.push_back(p);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].find("s.csv:2: wrong-shape diagnosing: '3.5' is not an answer") != std::string::npos);
  CHECK(answers[1].find("s.csv:3:") != std::string::npos);
  auto r = consistency(d.write("r.csv", "category,diagnosing,severity,fixing\nwrong-shape,3.5,,\n"), fixture(), tax());
  REQUIRE(r.ok());
  CHECK(r.value().ratings.empty());
  REQUIRE(r.value().problems.size() == 1);
  CHECK(r.value().problems[0].find("r.csv:2: wrong-shape diagnosing: '3.5' is not 1-5") != std::string::npos);
}

TEST_CASE(
    "survey: a category missing one of its questions, an answer neither yes nor no, and an answer in another "
    "case are said or counted together",
    "[survey]") {
  silt::test::TempDir d;
  const std::string path = d.write(
      "s.csv",
      "Timestamp,1. Wrong Shape: x [Diagnosing],1. Wrong Shape: x [Severity],Have you ever been confronted to such "
      "type of bugs?,How problematic is it?\n"
      "t,2,3,Yes,More problematic\nt,3,4,Maybe,more problematic\nt,4,4,No,Less problematic\n");
  auto c = read_survey(path, tax());
  REQUIRE(c.ok());
  const auto& problems = c.value().problems;
  auto has = [&](const std::string& what) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(what) != std::string::npos; });
  };
  CHECK(has("s.csv:1: wrong-shape: no Fixing column"));
  CHECK(has("s.csv:3: wrong-shape confronted: 'Maybe' is neither yes nor no"));
  CHECK_FALSE(has("no Diagnosing"));
  const auto* shape = find(c.value(), "wrong-shape");
  REQUIRE(shape);
  CHECK(shape->met_yes == 1);
  CHECK(shape->met_no == 1);
  REQUIRE(c.value().problematic.count("More problematic") == 1);
  CHECK(c.value().problematic.at("More problematic") == 2);
  CHECK(c.value().problematic.count("more problematic") == 0);
}
