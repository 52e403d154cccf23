#include "silt/html_report.h"

#include <nlohmann/json.hpp>

#include <regex>

#include "silt/agreement_json.h"
#include "silt/eval_json.h"
#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

using silt::test::has;
using silt::test::slurp;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::string eval_json() {
  auto gold = read_gold_csv(SILT_TEST_FIXTURES "/eval-gold.csv", tax());
  REQUIRE(gold.ok());
  auto preds = read_predictions(slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl"), "p");
  REQUIRE(preds.ok());
  EvalOptions opt;
  opt.bootstrap = 100;
  RunHeader h;
  h.bootstrap = 100;
  return to_json(evaluate(tax(), gold.value().labels, preds.value(), opt), tax(), h);
}

std::string report(const std::vector<std::pair<std::string, std::string>>& inputs) {
  auto html = render_html_report(inputs, tax());
  REQUIRE(html.ok());
  return html.value();
}

// The <svg>...</svg> of the figure whose caption starts with `caption`.
std::string chart(const std::string& html, const std::string& caption) {
  const auto at = html.find("<figcaption>" + caption);
  REQUIRE(at != std::string::npos);
  const auto end = html.find("</figure>", at);
  return html.substr(at, end - at);
}

}  // namespace

TEST_CASE("html report: the impact confusion names its columns by level, not by position", "[html]") {
  const std::string html = report({{"eval.json", eval_json()}});
  const std::string impact = chart(html, "Impact confusion");
  // Columns none, 1, 2, 3, 4 (the old map numbered them 1-5, so "4" was level 3).
  const auto none = impact.find(">none</text>");
  REQUIRE(none != std::string::npos);
  CHECK(impact.find(">1</text>", none) < impact.find(">2</text>", none));
  CHECK_FALSE(has(impact, ">5</text>"));
  // The category map keeps its numbered columns, the rows numbered alike.
  CHECK(has(chart(html, "Category confusion"), ">1 wrong-shape</text>"));
}

TEST_CASE("html report: per-category P/R/F1 with n and intervals, averages, calibration with n per bin", "[html]") {
  const std::string html = report({{"eval.json", eval_json()}});
  CHECK(has(html, "<th>macro average</th>"));
  CHECK(has(html, "<th>weighted average</th>"));
  CHECK(count(html, "<tr><th>wrong-shape</th>") == 1);
  CHECK(has(html, "precision [95%]"));
  const std::string cal = chart(html, "Calibration");
  CHECK(count(cal, "<circle ") == 3);  // three bins with items; the empty ones not drawn
  CHECK(has(cal, ">n = 1</text>"));
  CHECK(has(cal, "class=\"diagonal\""));
  CHECK(has(html, "expected calibration error"));
}

TEST_CASE("html report: an undefined figure's reason is a note below its chart, not text run off its edge", "[html]") {
  const std::string html = report({{"eval.json", eval_json()}});
  const std::string f1 = chart(html, "F1 of each category");
  CHECK(has(f1, "undefined (note 1)"));
  CHECK(has(f1, "<ol class=\"notes\"><li>undefined: in neither the gold labels nor the predictions</li>"));
  CHECK_FALSE(has(f1.substr(0, f1.find("</svg>")), "undefined: "));  // no reason inside the SVG
}

TEST_CASE("html report: the interval axis fits the data: below 0 only when a figure is", "[html]") {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  AgreementOptions o;
  o.bootstrap = 100;
  RunHeader h;
  const std::string html = report({{"agree.json", to_json(agreement(r.value().table, tax(), o), h)}});
  // Fleiss' kappa of wrong-parameter-setting is -0.071 [-0.250, -0.071], the lowest bound
  // (100 resamples, seed 1): the axis starts at -0.25.
  const std::string per = chart(html, "Field category: Fleiss&#39; kappa of each value");
  CHECK(has(per, "-0.071 [-0.250, -0.071]  n = 5"));
  CHECK(has(per, ">-0.25</text>"));
  CHECK_FALSE(has(per, ">-0.50</text>"));
  // Percent agreement and alphas of the ui field are 1: an axis from 0 to 1.
  const std::string ui = chart(html, "Field ui");
  CHECK(has(ui, ">0.00</text>"));
  CHECK(has(ui, ">1.00</text>"));
  CHECK_FALSE(has(ui, ">-0.25</text>"));
  // Each plotted figure with its n.
  CHECK(has(chart(html, "Field category (nominal"), "0.600 [0.333, 0.867]  n = 5"));
}

TEST_CASE("html report: issues link to their address, only when it is a web one", "[html]") {
  const std::string html = report({{"labels.jsonl", slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl")}});
  CHECK(has(html, "<a href=\"https://github.com/example-org/dl-lib/issues/1\">example-org/dl-lib#1</a>"));
  CHECK(has(html, "<a href=\"https://github.com/example-org/dl-lib/issues/2\">"));  // from html_url
  CHECK_FALSE(has(html, "javascript:"));
  CHECK(has(html, "<td>example-org/dl-lib#3<br>"));  // listed, not linked
  CHECK(has(html, "Needing review (2)"));
  CHECK(has(html, "Every issue (4)"));
  const std::string hist = chart(html, "Confidence of the category");
  CHECK(count(hist, "<rect ") == 10);
  // With the batch output beside the eval, its misses link to the issues too.
  const std::string both =
      report({{"l.jsonl", slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl")}, {"e.json", eval_json()}});
  CHECK(count(both, "<a href=\"https://github.com/example-org/dl-lib/issues/2\">") == 2);
}

TEST_CASE("html report: reads batch CSV and a labels CSV, told apart by their header", "[html]") {
  const std::string csv =
      "id,category,confidence,impact_level,threat,ui,model-info,model-operation,results,needs_review,silent,pack,"
      "source\n"
      "a#1,wrong-shape,0.91,2,low,no,yes,no,no,false,,generic,f:1\n"
      "a#2,wrong-calculation,0.42,,,no,no,no,no,true,,generic,f:2\n";
  const std::string html = report({{"labels.csv", csv}, {"hand.csv", slurp(SILT_TEST_FIXTURES "/labels.csv")}});
  CHECK(has(html, "Labels <span class=\"meta\">(labels.csv, 2 issues)"));
  CHECK(has(html, "Needing review (1)"));
  CHECK(has(html, "Hand labels <span class=\"meta\">(hand.csv, 5 items, 3 rater(s))"));
  CHECK(has(html, "Labels per category (n = 15, every rater)"));
  CHECK(has(html, "Agreement between these labelers"));
  auto bad = render_html_report({{"x.csv", "a,b\n1,2\n"}}, tax());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "not-a-report-input");
  auto empty = render_html_report({{"e.jsonl", "\n\n"}}, tax());
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "empty");
  // A broken eval document is reported as one, not as "not batch output".
  auto j = nlohmann::json::parse(eval_json());
  j.erase("n");
  auto broken = render_html_report({{"e.json", j.dump()}}, tax());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "bad-eval-json");
}

TEST_CASE("html report: one self-contained page: no script, no external resource", "[html]") {
  const std::string html =
      report({{"l.jsonl", slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl")}, {"e.json", eval_json()}});
  CHECK_FALSE(has(html, "<script"));
  CHECK_FALSE(has(html, "<link"));
  CHECK_FALSE(has(html, "src="));
  CHECK_FALSE(has(html, "url("));
  // Web addresses only in links.
  std::regex attr(R"re(([a-z-]+)="https?://)re");
  std::size_t links = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), attr), end; it != end; ++it) {
    CHECK((*it)[1] == "href");
    ++links;
  }
  CHECK(links >= 2);
}

TEST_CASE("report: a level another taxonomy has is shown as such, not lost", "[report][html]") {
  const std::string line =
      R"({"id": "o/r#1", "title": "t", "category": "numeric", "confidence": 0.9, "impact": {"level": 5}})";
  const std::string html = report({{"five.jsonl", line + "\n"}});
  const std::string levels = chart(html, "Issues per impact level");
  CHECK(levels.find("level 5 (not in keras-tf)") != std::string::npos);
  CHECK(chart(html, "Issues per category").find("numeric") != std::string::npos);
}

TEST_CASE("html report from files: batch JSON lines streamed, the same page as read whole", "[html]") {
  silt::test::TempDir dir;
  const std::string preds = slurp(SILT_TEST_FIXTURES "/eval-predictions.jsonl");
  const std::string eval = eval_json();
  // The eval after the batch output: the misses still link to their issues.
  auto from_files = render_html_report_files({dir.write("l.jsonl", preds), dir.write("e.json", eval)}, tax());
  REQUIRE(from_files.ok());
  const std::string whole = report({{dir.at("l.jsonl"), preds}, {dir.at("e.json"), eval}});
  CHECK(from_files.value() == whole);
  CHECK(count(whole, "<a href=\"https://github.com/example-org/dl-lib/issues/2\">") == 2);
  // Sections in the order of the inputs, batch outputs streamed or not.
  const std::string csv =
      "id,category,confidence,impact_level,threat,ui,model-info,model-operation,results,needs_review,silent,pack,"
      "source\na#1,wrong-shape,0.91,2,low,no,yes,no,no,false,,generic,f:1\n";
  auto mixed = render_html_report_files({dir.write("b.csv", csv), dir.at("l.jsonl")}, tax());
  REQUIRE(mixed.ok());
  // A batch CSV in a file is read a row at a time: the same page as read whole, blank
  // lines before its header or not.
  CHECK(render_html_report_files({dir.at("b.csv")}, tax()).value() == report({{dir.at("b.csv"), csv}}));
  CHECK(render_html_report_files({dir.write("lead.csv", "\r\n  \n" + csv)}, tax()).value() ==
        report({{dir.at("lead.csv"), "\r\n  \n" + csv}}));
  auto bad_csv = render_html_report_files(
      {dir.write("bad.csv", csv + "b#2,wrong-shape,high,2,low,no,yes,no,no,false,,generic,f:2\n")}, tax());
  REQUIRE_FALSE(bad_csv.ok());
  CHECK(has(bad_csv.error().message, dir.at("bad.csv") + ":3:"));
  CHECK(mixed.value().find("(" + dir.at("b.csv") + ", 1 issues)") <
        mixed.value().find("(" + dir.at("l.jsonl") + ", 4 issues)"));
  // A file that cannot be read, or that is empty, is named.
  auto missing = render_html_report_files({dir.at("none.jsonl")}, tax());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "unreadable");
  CHECK(has(missing.error().message, dir.at("none.jsonl")));
  auto empty = render_html_report_files({dir.write("empty.jsonl", "\n")}, tax());
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "empty");
  // A bad line among good ones is named and left out, as when read whole.
  std::vector<std::string> skipped;
  auto cut = render_html_report_files({dir.write("cut.jsonl", preds + "{\"id\": \"x#9\", \"categ\n")}, tax(), &skipped);
  REQUIRE(cut.ok());
  CHECK(has(cut.value(), "4 issues)"));
  REQUIRE(skipped.size() == 1);
  CHECK(has(skipped[0], "cut.jsonl:5"));
}

TEST_CASE("html report: a big batch output counts every issue and lists the first 5000", "[html]") {
  silt::test::TempDir dir;
  std::string lines;
  for (int k = 0; k < 6001; ++k)
    lines += "{\"id\": \"o/r#" + std::to_string(k) + "\", \"title\": \"t" + std::to_string(k) +
             "\", \"category\": \"wrong-shape\", \"confidence\": 0.55, \"needs_review\": " +
             (k % 6000 == 0 ? "false" : "true") + ", \"impact\": {\"level\": 2}}\n";
  auto html = render_html_report_files({dir.write("big.jsonl", lines)}, tax());
  REQUIRE(html.ok());
  const std::string& h = html.value();
  CHECK(has(h, "(" + dir.at("big.jsonl") + ", 6001 issues)"));
  CHECK(has(h, "Issues per category (n = 6001)"));
  CHECK(has(h, "Needing review (5999, the first 5000 listed)"));
  CHECK(has(h, "Every issue (6001, the first 5000 listed)"));
  CHECK(has(h, ">6001</text>"));  // the histogram's bin of 0.5-0.6 counts them all
  // 5000 rows needing review (o/r#1 to o/r#5000) and the first 5000 of all (o/r#0 to
  // o/r#4999): o/r#1 in both, o/r#5000 needing review only, o/r#5001 in neither.
  CHECK(count(h, "<td>o/r#1<br>") == 2);
  CHECK(count(h, "<td>o/r#0<br>") == 1);
  CHECK(count(h, "<td>o/r#5000<br>") == 1);
  CHECK(count(h, "<td>o/r#5001<br>") == 0);
  CHECK(count(h, "<tr><td>") == 10000);
}
