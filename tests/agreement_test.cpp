#include "silt/agreement.h"

#include <filesystem>
#include <fstream>

#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

const FieldAgreement& field(const std::vector<FieldAgreement>& fs, const std::string& name) {
  for (const auto& f : fs)
    if (f.field == name) return f;
  FAIL("no field " << name);
  throw;
}

AgreementOptions quick() {
  AgreementOptions o;
  o.bootstrap = 100;
  return o;
}

// A table of one field, items a and b, raters r1 and r2, read from "mem.csv":
// values[item][rater], on lines 2-5.
LabelTable one_field(const std::string& field, std::vector<std::vector<std::string>> values) {
  LabelTable t;
  t.file = "mem.csv";
  t.items = {"a", "b"};
  t.raters = {"r1", "r2"};
  t.fields = {field};
  t.values = {std::move(values)};
  t.lines = {{2, 3}, {4, 5}};
  return t;
}

}  // namespace

TEST_CASE("labels: long form, fields by header, a later row for an item and rater supersedes the earlier",
          "[agreement]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  const auto& t = r.value().table;
  CHECK(t.items == std::vector<std::string>{"i1", "i2", "i3", "i4", "i5"});
  CHECK(t.raters == std::vector<std::string>{"alice", "bob", "carol"});
  CHECK(t.fields == std::vector<std::string>{"category", "impact", "ui", "model-info", "model-operation", "results"});
  // Line 17 relabels i5 for alice (line 14): the file is append-only, as triage writes it.
  CHECK(r.value().problems.empty());
  REQUIRE(r.value().superseded.size() == 1);
  CHECK(r.value().superseded[0] == SILT_TEST_FIXTURES "/labels.csv:17: alice's label of i5 supersedes line 14");
  CHECK(t.values[0][4][0] == "wrong-shape");  // the later row counts
  CHECK(t.lines[4][0] == 17);
  // Whole: a later row with an empty field empties it.
  silt::test::TempDir d;
  auto again =
      read_labels(d.write("l.csv", "item,rater,category,impact\ni1,ann,wrong-shape,2\ni1,ann,wrong-calculation,\n"));
  REQUIRE(again.ok());
  CHECK(again.value().table.values[0][0][0] == "wrong-calculation");
  CHECK(again.value().table.values[1][0][0].empty());
}

TEST_CASE("agree: the category field, worked by hand", "[agreement]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  auto fs = agreement(r.value().table, tax(), quick());
  const auto& cat = field(fs, "category");
  CHECK_FALSE(cat.ordinal);
  CHECK(cat.domain.size() == 7);  // the taxonomy's, not only the used ones
  CHECK(cat.items == 5);
  // Categories (alice, bob, carol): i1 ws ws ws, i2 wsr wsr wc, i3 wdm x3, i4 pd wps pd,
  // i5 ws wc wc (alice's later row). Pairwise agreement per item: 1, 1/3, 1, 1/3, 1/3.
  CHECK(*cat.percent.value == Approx(3.0 / 5));
  REQUIRE(cat.vs_majority.size() == 3);
  // alice: i2 and i4 are ties, wrong on i5: 2 of 3.
  CHECK(*cat.vs_majority[0].agreement.value == Approx(2.0 / 3));
  CHECK(cat.vs_majority[0].agreement.n == 3);
  CHECK(*cat.vs_majority[2].agreement.value == Approx(2.0 / 3));  // carol: wrong on i2; i4, i5 ties
  CHECK(cat.vs_majority[2].agreement.n == 3);
  REQUIRE(cat.most_disagreement.size() == 3);
  CHECK(cat.most_disagreement[0].item == "i2");
  CHECK(cat.most_disagreement[1].item == "i4");
  CHECK(cat.most_disagreement[2].item == "i5");
  CHECK(cat.most_disagreement[0].values ==
        std::vector<std::string>{"wrong-save-reload", "wrong-save-reload", "wrong-calculation"});
  CHECK(cat.pairs.size() == 3);
  CHECK(cat.fleiss.lo);
  const auto& impact = field(fs, "impact");
  CHECK(impact.ordinal);
  CHECK(impact.domain == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK_FALSE(impact.fleiss.defined());  // i4 and i5 have two ratings, the others three
  REQUIRE(impact.alpha.size() == 3);
  CHECK(impact.alpha[0].first == stats::Metric::ordinal);  // the scale's own metric first
  CHECK(impact.alpha[0].second.defined());                 // Krippendorff's alpha handles that
  REQUIRE(impact.pairs[0].kappa.size() == 3);
  CHECK(impact.pairs[0].kappa[2].first == stats::Weights::quadratic);
  CHECK(impact.pairs[0].kappa[2].second.defined());
  const auto& ui = field(fs, "ui");
  CHECK(ui.domain == std::vector<std::string>{"no", "yes"});
}

TEST_CASE("agree: pairwise Cohen's kappa matches the textbook table", "[agreement]") {
  // Two raters, 50 items, [[20,5],[10,15]] (see stats_test): kappa 0.4.
  auto dir = std::filesystem::temp_directory_path() / ("silt-agree-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream f(dir / "wide.csv");
  f << "item,a,b\n";
  const char* c[] = {"wrong-shape", "wrong-calculation"};
  int counts[2][2] = {{20, 5}, {10, 15}}, n = 0;
  for (int x = 0; x < 2; ++x)
    for (int y = 0; y < 2; ++y)
      for (int k = 0; k < counts[x][y]; ++k) f << "t" << n++ << "," << c[x] << "," << c[y] << "\n";
  f.close();
  auto r = read_labels((dir / "wide.csv").string(), true, "category");
  std::filesystem::remove_all(dir);
  REQUIRE(r.ok());
  auto fs = agreement(r.value().table, tax(), quick());
  REQUIRE(fs.size() == 1);
  REQUIRE(fs[0].pairs[0].kappa.size() == 1);  // nominal: unweighted only
  CHECK(*fs[0].pairs[0].kappa[0].second.value == Approx(0.4));
  CHECK(*fs[0].percent.value == Approx(0.7));
}

TEST_CASE("check: levels that do not follow from the labeler's own answers", "[agreement][check]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  auto lc = check_levels(r.value().table, tax());
  CHECK(lc.checked == 13);
  CHECK(lc.unanswered == 2);  // bob on i5 gave no answers; carol on i4 no impact
  REQUIRE(lc.mismatches.size() == 1);
  CHECK(lc.mismatches[0].item == "i1");
  CHECK(lc.mismatches[0].rater == "carol");
  CHECK(lc.mismatches[0].line == 4);
  CHECK(lc.mismatches[0].given == "3");
  CHECK(lc.mismatches[0].given_level == 3);
  CHECK(*lc.mismatches[0].expected == 2);
}

TEST_CASE("check: a blank impact is not answered, 'none' is a level given, checked as any", "[agreement][check]") {
  LabelTable t;
  t.raters = {"r1", "r2", "r3"};
  t.fields = {"impact", "ui", "model-info", "model-operation", "results"};
  // Answers that give level 3 (model-operation), then none at all (no level).
  t.values = {{{"", "none", "3"}, {"", "none", "none"}},
              {{"no", "no", "no"}, {"no", "no", "no"}},
              {{"no", "no", "no"}, {"no", "no", "no"}},
              {{"yes", "yes", "yes"}, {"no", "no", "no"}},
              {{"no", "no", "no"}, {"no", "no", "no"}}};
  t.items = {"a", "b"};
  t.lines = {{2, 3, 4}, {5, 6, 7}};
  auto lc = check_levels(t, tax());
  CHECK(lc.unanswered == 2);  // the blanks
  CHECK(lc.checked == 4);
  REQUIRE(lc.mismatches.size() == 1);
  CHECK(lc.mismatches[0].line == 3);
  CHECK(lc.mismatches[0].given == "none");
  CHECK_FALSE(lc.mismatches[0].given_level);
  CHECK(*lc.mismatches[0].expected == 3);
  CHECK(lc.bad_answers.empty());
}

TEST_CASE("agree: a value outside the field's domain is reported and left out", "[agreement]") {
  const LabelTable t =
      one_field("category", {{"wrong-shape", "wrong-shap"}, {"wrong-calculation", "wrong-calculation"}});
  auto fs = agreement(t, tax(), quick());
  REQUIRE(fs.size() == 1);
  REQUIRE(fs[0].problems.size() == 1);
  CHECK(
      fs[0].problems[0].starts_with("mem.csv:3: category 'wrong-shap' is not one of its values; did you mean "
                                    "'wrong-shape'? (allowed: wrong-shape, "));
  CHECK(fs[0].problems[0].ends_with("wrong-calculation); left out"));
  CHECK(fs[0].items == 1);
}

TEST_CASE("agree: a level out of range names 'none' among the allowed values, given or not", "[agreement]") {
  auto fs = agreement(one_field("impact", {{"2", "5"}, {"3", "3"}}), tax(), quick());
  REQUIRE(fs.size() == 1);
  REQUIRE(fs[0].problems.size() == 1);
  CHECK(fs[0].problems[0].find("impact '5' is not one of its values (allowed: 1, 2, 3, 4, none); left out") !=
        std::string::npos);
}

TEST_CASE("agree: a header-only file and a single rater give undefined statistics with reasons", "[agreement]") {
  LabelTable t;
  t.file = "mem.csv";
  t.fields = {"category", "impact"};
  t.values = {{}, {}};
  auto fs = agreement(t, tax(), quick());
  REQUIRE(fs.size() == 2);
  CHECK_FALSE(fs[0].percent.defined());
  CHECK(fs[0].percent.undefined == "no item was rated by two raters or more");
  REQUIRE_FALSE(fs[1].alpha.empty());
  CHECK_FALSE(fs[1].alpha[0].second.defined());
  LabelTable one = t;
  one.items = {"a", "b"};
  one.raters = {"solo"};
  one.values = {{{"wrong-shape"}, {"wrong-calculation"}}, {{"2"}, {"3"}}};
  one.lines = {{2}, {3}};
  auto f1 = agreement(one, tax(), quick());
  CHECK_FALSE(f1[0].fleiss.defined());
  CHECK_FALSE(f1[0].conger.defined());
  CHECK(f1[0].pairs.empty());
  CHECK(f1[0].vs_majority[0].agreement.undefined == "no item where the others have a majority");
}

TEST_CASE("labels: a column named twice is an error at line 1, in both forms (no overflow)", "[agreement][csv]") {
  silt::test::TempDir d;
  auto wide = read_labels(d.write("w.csv", "item,ann,ann\ni1,wrong-shape,wrong-calculation\n"), true);
  REQUIRE_FALSE(wide.ok());
  CHECK(wide.error().code == "duplicate-column");
  CHECK(wide.error().line == 1);
  auto lng = read_labels(d.write("l.csv", "item,rater,category,Category \ni1,a,wrong-shape,wrong-calculation\n"));
  REQUIRE_FALSE(lng.ok());
  CHECK(lng.error().code == "duplicate-column");
  CHECK(lng.error().message.find("columns 3 and 4") != std::string::npos);
  // Metadata columns may repeat: they are not read.
  CHECK(read_labels(d.write("n.csv", "item,rater,category,note,note\ni1,a,wrong-shape,x,y\n")).ok());
}

TEST_CASE("labels: an unbalanced quote rejects its row only, the rows after it are read", "[agreement][csv]") {
  silt::test::TempDir d;
  auto r = read_labels(d.write("q.csv",
                               "item,rater,category\n"
                               "i1,a,\"wrong-shape\n"
                               "i2,a,wrong-calculation\n"
                               "i1,b,wrong-shape\n"
                               "i2,b,wrong-calculation\n"));
  REQUIRE(r.ok());
  REQUIRE(r.value().problems.size() == 1);
  CHECK(r.value().problems[0].find("q.csv:2:") != std::string::npos);
  CHECK(r.value().problems[0].find("csv-syntax") != std::string::npos);
  const auto& t = r.value().table;
  CHECK(t.items == std::vector<std::string>{"i2", "i1"});
  CHECK(t.raters == std::vector<std::string>{"a", "b"});
}

TEST_CASE("labels: text after a closing quote and a short row are rejected with their lines", "[agreement][csv]") {
  silt::test::TempDir d;
  auto r = read_labels(d.write("q.csv",
                               "item,rater,category\n"
                               "i1,a,\"wrong-shape\"x\n"
                               "i2,a\n"
                               "i3,a,wrong-shape\n"));
  REQUIRE(r.ok());
  REQUIRE(r.value().problems.size() == 2);
  CHECK(r.value().problems[0].find("q.csv:2:") != std::string::npos);
  CHECK(r.value().problems[1].find("q.csv:3:") != std::string::npos);
  CHECK(r.value().problems[1].find("csv-fields") != std::string::npos);
  CHECK(r.value().table.items == std::vector<std::string>{"i3"});
}

TEST_CASE("agree: an ordinal field gets every kappa and alpha, a nominal one the nominal ones", "[agreement]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  auto fs = agreement(r.value().table, tax(), quick());
  const auto& impact = field(fs, "impact");
  // Ordinal: alpha ordinal (its own metric), nominal, interval; AC1 and AC2; each pair and
  // each rater against the majority unweighted, linear and quadratic.
  std::vector<stats::Metric> metrics;
  for (const auto& [m, e] : impact.alpha) metrics.push_back(m);
  CHECK(metrics == std::vector<stats::Metric>{stats::Metric::ordinal, stats::Metric::nominal, stats::Metric::interval});
  REQUIRE(impact.gwet.size() == 2);
  CHECK(impact.gwet[1].first == stats::Weights::quadratic);
  REQUIRE(impact.pairs.size() == 3);
  for (const auto& p : impact.pairs) {
    REQUIRE(p.kappa.size() == 3);
    CHECK(p.kappa[0].first == stats::Weights::none);
    CHECK(p.kappa[1].first == stats::Weights::linear);
  }
  REQUIRE(impact.vs_majority.size() == 3);
  CHECK(impact.vs_majority[0].kappa.size() == 3);
  // alice and bob on impact, items i1-i5: 2/2, 4/4, 1/1, 3/3, 2/4 (levels 1-4). Linear
  // weights 1 - |i-j|/3; worked by hand: po = (4 + 1/3)/5 = 13/15; alice's levels
  // (1,2,1,1) and bob's (1,1,1,2) give pe = sum w_ij a_i b_j / 25 = 43/75; kappa =
  // (65/75 - 43/75) / (32/75) = 11/16.
  CHECK(*impact.pairs[0].kappa[1].second.value == Approx(11.0 / 16).margin(1e-12));
  const auto& cat = field(fs, "category");
  REQUIRE(cat.alpha.size() == 1);
  CHECK(cat.alpha[0].first == stats::Metric::nominal);
  CHECK(cat.gwet.size() == 1);
  CHECK(cat.pairs[0].kappa.size() == 1);
  CHECK(cat.vs_majority[0].kappa.size() == 1);
}

TEST_CASE("agree: every figure has its n and an interval, per-value kappas included", "[agreement]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  auto fs = agreement(r.value().table, tax(), quick());
  const auto& cat = field(fs, "category");
  REQUIRE(cat.fleiss_per_value.size() == 7);
  std::size_t with_interval = 0;
  for (const auto& e : cat.fleiss_per_value) {
    if (!e.defined()) continue;
    CHECK(e.n == 5);
    REQUIRE(e.lo);
    CHECK(*e.lo <= *e.value + 1e-12);
    CHECK(*e.value <= *e.hi + 1e-12);
    ++with_interval;
  }
  CHECK(with_interval == 6);  // wrong-structure: no rater used it
  CHECK_FALSE(cat.fleiss_per_value[5].defined());
  for (const auto& p : field(fs, "impact").pairs)
    for (const auto& [w, e] : p.kappa)
      if (e.defined()) CHECK(e.lo);
  // Without resamples, no interval anywhere.
  AgreementOptions none = quick();
  none.bootstrap = 0;
  CHECK_FALSE(field(agreement(r.value().table, tax(), none), "category").fleiss_per_value[0].lo);
}

TEST_CASE("agree: the labels CSV triage writes reads back as written, by the module that reads it",
          "[agreement][labels]") {
  const Taxonomy& t = tax();
  HandLabel a;
  a.item = "o/r#1";
  a.rater = "ann, \"the\" second";
  a.category = "wrong-shape";
  a.impact = 2;
  a.criteria.assign(t.criteria.size(), false);
  a.criteria[1] = true;
  a.silent = true;
  a.note = "shape, then \"size\"\nsecond line";
  a.labeled_at = "2026-11-30T19:00:00Z";
  HandLabel b = a;
  b.item = "o/r#2";
  b.impact.reset();
  b.silent.reset();
  b.note.clear();
  const std::string text = labels_csv_header(t) + labels_csv_row(a) + labels_csv_row(b);
  auto f = read_labels_text(text, "mem.csv");
  REQUIRE(f.ok());
  const LabelTable& lt = f.value().table;
  CHECK(f.value().problems.empty());
  REQUIRE(lt.items == std::vector<std::string>{"o/r#1", "o/r#2"});
  REQUIRE(lt.raters == std::vector<std::string>{"ann, \"the\" second"});
  auto value = [&](const std::string& field, std::size_t item) { return lt.values[*lt.field_index(field)][item][0]; };
  CHECK(value("category", 0) == "wrong-shape");
  CHECK(value("impact", 0) == "2");
  CHECK(value("impact", 1) == "none");  // no level: a choice, written as one
  CHECK(value(t.criteria[1].id, 0) == "yes");
  CHECK(value(t.criteria[0].id, 0) == "no");
  CHECK_FALSE(lt.field_index("silent"));  // silt's reading, in every rater's row: not a label
  CHECK_FALSE(lt.field_index("note"));    // not a label
  // A file of one's own (no labeled_at) whose raters answered `silent` keeps it.
  auto own = read_labels_text("item,rater,silent\ni1,ann,yes\ni1,bob,no\n", "own.csv");
  REQUIRE(own.ok());
  CHECK(own.value().table.field_index("silent"));
}

TEST_CASE("agree: a labels file without its columns fails with a stable code", "[agreement]") {
  for (const char* text :
       {"rater,category\nann,wrong-shape\n", "item,category\ni1,wrong-shape\n", "item,rater\ni1,ann\n"}) {
    auto f = read_labels_text(text, "mem.csv");
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().code == "missing-column");
    CHECK(f.error().line == 1);
  }
}

TEST_CASE("check: an answer that is neither yes nor no is named with its line, and its row not checked",
          "[agreement][check]") {
  LabelTable t;
  t.file = "mem.csv";
  t.items = {"a"};
  t.raters = {"r1", "r2"};
  t.fields = {"impact", "ui", "model-info", "model-operation", "results"};
  t.values = {{{"4", "4"}}, {{"maybe", "no"}}, {{"no", "no"}}, {{"no", ""}}, {{"yes", "yes"}}};
  t.lines = {{2, 3}};
  auto lc = check_levels(t, tax());
  CHECK(lc.checked == 0);
  CHECK(lc.unanswered == 2);  // r2 left one empty: unanswered, not a bad answer
  REQUIRE(lc.bad_answers.size() == 1);
  CHECK(lc.bad_answers[0].first == 2);
  CHECK(lc.bad_answers[0].second.find("'ui' is 'maybe'") != std::string::npos);
}

TEST_CASE("agree: a byte order mark before a quoted first header is no part of the column's name", "[agreement][csv]") {
  auto f = read_labels_text("\xEF\xBB\xBF\"item\",rater,category\ni1,ann,wrong-shape\ni1,bob,wrong-shape\n", "mem.csv");
  REQUIRE(f.ok());
  CHECK(f.value().table.items == std::vector<std::string>{"i1"});
  CHECK(f.value().table.raters.size() == 2);
}

TEST_CASE("triage's labels file: rows are appended only under the header they are written by", "[agreement][csv]") {
  const Taxonomy& t = silt::test::default_classifier().taxonomy();
  const std::string head = labels_csv_header(t);
  CHECK_FALSE(labels_csv_append_problem("", "l.csv", t));
  CHECK_FALSE(labels_csv_append_problem(head + "i1,ann,wrong-shape,2,no,yes,no,no,,n,t\n", "l.csv", t));
  std::string upper = head;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK_FALSE(labels_csv_append_problem("\xEF\xBB\xBF" + upper, "l.csv", t));  // as a reader names columns
  auto swapped = labels_csv_append_problem("item,rater,impact,category\n", "l.csv", t);
  REQUIRE(swapped);
  CHECK(swapped->code == "labels-header");
  CHECK(swapped->line == 1);
  CHECK(swapped->column == 3);
  auto shorter = labels_csv_append_problem("item,rater,category,impact\n", "l.csv", t);
  REQUIRE(shorter);
  CHECK(shorter->column == 5);
  CHECK(shorter->message.find("has no column 5") != std::string::npos);
  auto longer = labels_csv_append_problem(head.substr(0, head.size() - 1) + ",extra\n", "l.csv", t);
  REQUIRE(longer);
  CHECK(longer->message.find("('extra') more") != std::string::npos);
}

TEST_CASE("check: a level that is no level of the taxonomy is a bad answer, no impact column, nothing to check",
          "[agreement][check]") {
  LabelTable t;
  t.file = "mem.csv";
  t.items = {"a"};
  t.raters = {"r1", "r2", "r3"};
  t.fields = {"impact", "ui", "model-info", "model-operation", "results"};
  t.values = {
      {{"L2", "2", "7"}}, {{"no", "no", "no"}}, {{"yes", "yes", "yes"}}, {{"no", "no", "no"}}, {{"no", "no", "no"}}};
  t.lines = {{2, 3, 4}};
  // Past int's range, not whole, not finite: no level either (the fuzzer found the first
  // converted to int, undefined).
  for (const char* v : {"4444444444", "2.5", "inf", "nan", "-1e300"}) {
    LabelTable u = t;
    u.values[0][0][0] = v;
    INFO(v);
    auto lu = check_levels(u, tax());
    CHECK(lu.bad_answers.size() == 2);
    CHECK(lu.mismatches.empty());
  }
  auto lc = check_levels(t, tax());
  CHECK(lc.checked == 1);  // r2's 2 follows from model-info alone
  CHECK(lc.mismatches.empty());
  CHECK(lc.unanswered == 2);
  REQUIRE(lc.bad_answers.size() == 2);
  CHECK(lc.bad_answers[0].second.find("impact 'L2' is not a level") != std::string::npos);
  CHECK(lc.bad_answers[1].first == 4);
  CHECK_FALSE(lc.no_level_column);
  t.fields[0] = "note-to-self";
  auto none = check_levels(t, tax());
  CHECK(none.no_level_column);
  CHECK(none.checked == 0);
  CHECK(none.mismatches.empty());
}

TEST_CASE("agree: 'none' (no level) is an impact rating, one step below the lowest level", "[agreement]") {
  auto f = read_labels_text("item,rater,impact\ni1,ann,none\ni1,bob,2\ni2,ann,2\ni2,bob,2\ni3,ann,1\ni3,bob,none\n",
                            "mem.csv");
  REQUIRE(f.ok());
  auto fs = agreement(f.value().table, tax(), quick());
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].field == "impact");
  CHECK(fs[0].domain.front() == "none");
  CHECK(fs[0].items == 3);  // i1 is a disagreement, not a missing rating
  CHECK(*fs[0].percent.value == Approx(1.0 / 3));
  CHECK(fs[0].problems.empty());
  // A file where nobody wrote none: its domain, and its figures, as before.
  auto plain = read_labels_text("item,rater,impact\ni1,ann,1\ni1,bob,2\n", "p.csv");
  REQUIRE(plain.ok());
  CHECK(agreement(plain.value().table, tax(), quick())[0].domain.front() == "1");
}

TEST_CASE("check: a category that is not the taxonomy's is named with its line and the closest id",
          "[agreement][check]") {
  LabelTable t;
  t.file = "mem.csv";
  t.items = {"a", "b"};
  t.raters = {"r1", "r2"};
  t.fields = {"category", "impact", "ui", "model-info", "model-operation", "results"};
  t.values = {{{"wrong-shap", "wrong-shape"}, {"", "Wrong Shape"}},
              {{"2", "2"}, {"2", "2"}},
              {{"no", "no"}, {"no", "no"}},
              {{"yes", "yes"}, {"yes", "yes"}},
              {{"no", "no"}, {"no", "no"}},
              {{"no", "no"}, {"no", "no"}}};
  t.lines = {{2, 3}, {4, 5}};
  auto lc = check_levels(t, tax());
  REQUIRE(lc.bad_answers.size() == 2);
  CHECK(lc.bad_answers[0].first == 2);
  CHECK(lc.bad_answers[0].second.find("category 'wrong-shap' is not in the taxonomy") != std::string::npos);
  CHECK(lc.bad_answers[0].second.find("wrong-shape") != std::string::npos);
  CHECK(lc.bad_answers[1].first == 5);
  CHECK(lc.checked == 4);  // the levels are still checked
  CHECK(lc.mismatches.empty());
  // A loud bug's stand-in category is no error.
  t.fields.push_back("silent");
  t.values.push_back({{"no", "yes"}, {"yes", "no"}});
  auto loud = check_levels(t, tax());
  REQUIRE(loud.bad_answers.size() == 0);
}
