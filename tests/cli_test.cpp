// End to end: runs the silt binary as a user would and checks output and exit codes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `silt ARGS` from the source directory through the shell, with `input` on stdin
// and `env` (VAR=value ...) in its environment.
Run silt(const std::string& args, const std::string& input = "", const std::string& env = "") {
  static int counter = 0;
  fs::path dir =
      fs::temp_directory_path() / ("silt-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir);
  std::ofstream(dir / "in") << input;
  std::string cmd = "cd '" SILT_SOURCE_DIR "' && NO_COLOR=1 " + env + " '" SILT_BINARY "' " + args + " < '" +
                    (dir / "in").string() + "' > '" + (dir / "out").string() + "' 2> '" + (dir / "err").string() + "'";
  int status = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

// Compares with tests/golden/NAME; SILT_UPDATE_GOLDEN=1 rewrites the file instead.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path p = fs::path(SILT_SOURCE_DIR) / "tests" / "golden" / name;
  if (std::getenv("SILT_UPDATE_GOLDEN")) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << actual;
    return;
  }
  REQUIRE(fs::exists(p));
  CHECK(slurp(p) == actual);
}

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("cli: help and version", "[cli]") {
  auto h = silt("--help");
  CHECK(h.code == 0);
  CHECK(contains(h.out, "Exit codes:"));
  CHECK(contains(h.out, "3    bad input"));
  auto v = silt("--version");
  CHECK(v.code == 0);
  CHECK(contains(v.out, "silt 0."));
  CHECK(silt("").code == 2);
  auto c = silt("classify --help");
  CHECK(c.code == 0);
  CHECK(contains(c.out, "--model-operation"));  // shorthands from the loaded matrix
  CHECK(contains(c.out, "--no-results"));
}

TEST_CASE("cli: every command's help lists exit 4 (what it prints could not be written), in order", "[cli]") {
  for (const char* command : {"classify", "batch", "explain", "eval", "agree", "check", "triage", "report", "labels",
                              "consensus", "consistency", "validate", "rules", "taxonomy"}) {
    INFO(command);
    auto h = silt(std::string(command) + " --help");
    CHECK(h.code == 0);
    const auto codes = h.out.find("Exit codes:"), four = h.out.find("\n  4    ", codes);
    REQUIRE(codes != std::string::npos);
    CHECK(four != std::string::npos);
    if (const auto three = h.out.find("\n  3    ", codes); three != std::string::npos) CHECK(three < four);
    if (const auto late = h.out.find("\n  130  ", codes); late != std::string::npos) CHECK(four < late);
  }
}

TEST_CASE("cli: a command of one input names one in its help, one of many says so", "[cli]") {
  // Each takes one file and refuses a second: its help must not promise several.
  for (const char* command : {"explain", "agree", "check", "consensus", "consistency"}) {
    INFO(command);
    auto h = silt(std::string(command) + " --help");
    CHECK(h.code == 0);
    CHECK(contains(h.out, "Arguments:"));
    CHECK(!contains(h.out.substr(h.out.find("Arguments:")), "...  "));
  }
  for (const char* command : {"classify", "batch", "eval", "triage"}) {
    INFO(command);
    auto h = silt(std::string(command) + " --help");
    CHECK(contains(h.out.substr(h.out.find("Arguments:")), "..."));
  }
}

TEST_CASE("cli: unknown command or option is a usage error", "[cli]") {
  auto r = silt("frobnicate");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "unknown command 'frobnicate'"));
  auto o = silt("classify --frobnicate examples/01-wrong-shape.md");
  CHECK(o.code == 2);
  CHECK(contains(o.err, "frobnicate"));
  CHECK(silt("classify --format yaml examples/01-wrong-shape.md").code == 2);
}

TEST_CASE("cli: classify a Markdown file, text output", "[cli][golden]") {
  auto r = silt("classify --color never examples/04-wrong-save-reload.md");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  check_golden("classify-save-reload.txt", r.out);
}

TEST_CASE("cli: classify a Markdown file, JSON output", "[cli][golden]") {
  auto r = silt("classify --format json examples/01-wrong-shape.md");
  CHECK(r.code == 0);
  check_golden("classify-wrong-shape.json", r.out);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["category"] == "wrong-shape");
  CHECK(j["impact"]["level"] == 2);
}

TEST_CASE("cli: the bundled examples, as make run shows them", "[cli]") {
  auto r = silt("classify --format table examples/*.md");
  CHECK(r.code == 0);
  std::istringstream lines(r.out);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("examples/", 0) != 0) continue;
    ++rows;
    // examples/NN-<category>.md  <category> ...
    std::string file = line.substr(0, line.find(' '));
    std::string expected = file.substr(12, file.size() - 12 - 3);
    std::istringstream cols(line);
    std::string f, category;
    cols >> f >> category;
    CHECK(category == expected);
  }
  CHECK(rows == 7);
}

TEST_CASE("cli: classify plain text from stdin, with - and with no argument", "[cli]") {
  const std::string text = "Progress bar far too long\n\nThe progress bar floods the console.\n";
  auto a = silt("classify --format json -", text);
  auto b = silt("classify --format json", text);
  CHECK(a.code == 0);
  CHECK(a.out == b.out);
  auto j = nlohmann::json::parse(a.out);
  CHECK(j["id"] == "<stdin>");
  CHECK(j["category"] == "wrong-displayed-message");
  CHECK(j["impact"]["level"] == 1);
}

TEST_CASE("cli: a GitHub REST issue object on stdin", "[cli]") {
  auto r = silt("classify --format json -", slurp(SILT_TEST_FIXTURES "/rest-issue.json"));
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["id"] == "example-org/dl-lib#4242");
  CHECK(j["category"] == "wrong-save-reload");
  CHECK(j["impact"]["level"] == 4);
}

TEST_CASE("cli: what gh issue view --json prints, piped in", "[cli]") {
  auto r = silt("classify -", slurp(SILT_TEST_FIXTURES "/gh-issue.json"));
  CHECK(r.code == 0);
  CHECK(contains(r.out, "example-org/dl-lib#88: evaluate() progress bar is far too long"));
  CHECK(contains(r.out, "category    wrong-displayed-message"));
  CHECK(contains(r.out, "impact      level 1 (low threat)"));
}

TEST_CASE("cli: a gh issue list array gives JSON Lines, one issue a line, in order", "[cli]") {
  auto r = silt("classify --format json tests/fixtures/gh-list.json");
  CHECK(r.code == 0);
  std::istringstream lines(r.out);
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  CHECK_FALSE(std::getline(lines, l3));
  CHECK(nlohmann::json::parse(l1)["category"] == "performance-degradation");
  CHECK(nlohmann::json::parse(l2)["id"] == "example-org/dl-lib#2");
  CHECK(nlohmann::json::parse(l2)["category"] == "wrong-shape");
}

TEST_CASE("cli: inline issue and criteria answers", "[cli]") {
  auto r = silt(
      "classify --format json --title 'Adam ignores the learning rate' --text 'Setting it has no effect.' "
      "--results --no-ui --set model-info=no");
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["id"] == "inline");
  CHECK(j["category"] == "wrong-parameter-setting");
  CHECK(j["impact"]["level"] == 4);
  CHECK(j["impact"]["criteria"]["results"]["source"] == "given");
  CHECK(j["impact"]["criteria"]["ui"]["value"] == false);
  CHECK(j["impact"]["criteria"]["model-operation"]["source"] == "inferred");
}

TEST_CASE("cli: bad criteria answers are usage errors", "[cli]") {
  auto unknown = silt("classify --title t --set speed=yes");
  CHECK(unknown.code == 2);
  CHECK(contains(unknown.err, "unknown criterion 'speed'"));
  CHECK(contains(unknown.err, "ui, model-info, model-operation, results"));
  CHECK(silt("classify --title t --set ui=maybe").code == 2);
  CHECK(silt("classify --title t --set ui").code == 2);
  auto both = silt("classify --title t --ui --no-ui");
  CHECK(both.code == 2);
  CHECK(contains(both.err, "both yes and no"));
}

TEST_CASE("cli: shorthands follow the loaded matrix", "[cli]") {
  auto r = silt(
      "classify --format json --taxonomy tests/fixtures/five-levels.yaml --rules tests/fixtures/five-levels-rules.yaml "
      "--title 'Totals are off' --data-loss");
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["impact"]["level"] == 4);
  CHECK(j["impact"]["threat"] == "high");
}

TEST_CASE("cli: bad input exits 3, names file:line:col, and the good inputs still come out", "[cli]") {
  auto r = silt("classify --format json tests/fixtures/bad.json examples/02-wrong-displayed-message.md missing.md");
  CHECK(r.code == 3);
  CHECK(contains(r.err, "tests/fixtures/bad.json:3:"));
  CHECK(contains(r.err, "invalid JSON"));
  CHECK(contains(r.err, "missing.md: cannot read: No such file or directory"));
  auto dir = silt("classify tests/fixtures");
  CHECK(dir.code == 3);
  CHECK(contains(dir.err, "tests/fixtures: a directory, not a file ('silt batch tests/fixtures' reads every"));
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["category"] == "wrong-displayed-message");
}

TEST_CASE("cli: an invalid rules file stops classify with exit 2 and the findings", "[cli]") {
  auto r = silt("classify --rules tests/fixtures/broken-rules.yaml --title t");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "tests/fixtures/broken-rules.yaml:4:15: error[unknown-category]"));
  CHECK(r.out.empty());
}

TEST_CASE("cli: validate reports every finding, in text and JSON", "[cli][golden]") {
  auto ok = silt("validate");
  CHECK(ok.code == 0);
  CHECK(contains(ok.out, "0 error(s)"));
  auto text = silt("validate --rules tests/fixtures/broken-rules.yaml --color never");
  CHECK(text.code == 2);
  check_golden("validate-broken-rules.txt", text.out);
  auto json = silt("validate --rules tests/fixtures/broken-rules.yaml --format json");
  CHECK(json.code == 2);
  auto j = nlohmann::json::parse(json.out);
  std::vector<std::string> codes;
  for (const auto& d : j["diagnostics"]) codes.push_back(d["code"]);
  CHECK(codes == std::vector<std::string>{"unknown-category", "rule-untested", "duplicate-id", "bad-pattern",
                                          "rule-untested", "unknown-key", "unknown-criterion", "rule-untested"});
  CHECK(j["errors"] == 5);
}

TEST_CASE("cli: rules test exits 1 on a failing rule test and says which", "[cli]") {
  auto r = silt("rules test --rules tests/fixtures/failing-rule-tests.yaml");
  CHECK(r.code == 1);
  CHECK(contains(r.out, "tests/fixtures/failing-rule-tests.yaml:8:"));
  CHECK(contains(r.out, "rule 'bar' should match but does not: \"a long progress line\""));
  CHECK(contains(r.out, "2 passed, 1 failed"));
  auto j = nlohmann::json::parse(silt("rules test --rules tests/fixtures/failing-rule-tests.yaml --format json").out);
  CHECK(j["failed"] == 1);
  CHECK(silt("rules test").code == 0);
  CHECK(silt("rules").code == 2);
}

TEST_CASE("cli: taxonomy show and lint", "[cli][golden]") {
  auto show = silt("taxonomy show --color never");
  CHECK(show.code == 0);
  check_golden("taxonomy-show.txt", show.out);
  auto clean = silt("taxonomy lint");
  CHECK(clean.code == 0);
  CHECK(contains(clean.out, "no gap, no overlap, no masked level"));
  auto gap = silt("taxonomy lint --taxonomy tests/fixtures/gap-taxonomy.yaml");
  CHECK(gap.code == 1);
  check_golden("lint-gap.txt", gap.out);
  auto j = nlohmann::json::parse(silt("taxonomy lint --taxonomy tests/fixtures/gap-taxonomy.yaml --format json").out);
  CHECK(j["clean"] == false);
  CHECK(j["findings"][0]["kind"] == "gap");
  CHECK(j["findings"][0]["criteria"]["q"] == true);
  CHECK(silt("taxonomy lint --taxonomy tests/fixtures/broken-rules.yaml").code == 2);
}

TEST_CASE("cli: eval classifies issues on the fly, or reads batch output, and prints JSON", "[cli][eval]") {
  auto now =
      silt("eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl --format json --bootstrap 50");
  CHECK(now.code == 3);  // two gold rows were bad (named on stderr); the figures still come out
  CHECK(contains(now.err, "eval-gold.csv:6"));
  auto j = nlohmann::json::parse(now.out);
  CHECK(j["n"] == 3);
  CHECK(j["category"]["accuracy"]["value"] == 1.0);
  CHECK(j["category"]["accuracy"]["n"] == 3);
  CHECK(j["impact"]["n"] == 2);
  // #6's impact is no level: its category is still gold.
  CHECK(j["missing_in_predictions"] == nlohmann::json::array({"example-org/dl-lib#4", "example-org/dl-lib#6"}));
  CHECK(j["missing_in_gold"] == nlohmann::json::array({"example-org/dl-lib#7"}));
  CHECK(j["category"]["accuracy"]["interval"].is_array());
  // The header says how the intervals were drawn and from what.
  CHECK(j["header"]["schema"] == "silt/eval/v1");
  CHECK(j["header"]["bootstrap"] == 50);
  CHECK(j["header"]["seed"] == 1);
  CHECK(j["header"]["confidence_level"] == 0.95);
  CHECK(j["header"]["inputs"]["gold"] == "tests/fixtures/eval-gold.csv");
  CHECK(j["header"]["inputs"]["predictions"] == "tests/fixtures/eval-issues.jsonl");
  // The same from a batch output file.
  auto batch = silt("batch -q tests/fixtures/eval-issues.jsonl");
  std::string dir = (fs::temp_directory_path() / ("silt-eval-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  std::ofstream(dir + "/labels.jsonl") << batch.out;
  auto from_file =
      silt("eval --gold tests/fixtures/eval-gold.csv " + dir + "/labels.jsonl --format json --bootstrap 50");
  fs::remove_all(dir);
  auto k = nlohmann::json::parse(from_file.out);
  CHECK(k["category"] == j["category"]);
  CHECK(k["impact"] == j["impact"]);
  CHECK_FALSE(k["header"]["inputs"].contains("rules"));  // read, not classified now
  CHECK(j["header"]["inputs"].contains("rules"));
  auto text = silt("eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl --misses --bootstrap 0");
  CHECK(contains(text.out, "Category (n = 3)"));
  CHECK(contains(text.out, "Misses (0):"));
  CHECK(silt("eval tests/fixtures/eval-issues.jsonl").code == 2);  // no --gold
}

TEST_CASE("cli: agree, with silt as a rater, in text and JSON", "[cli][agree]") {
  auto text = silt("agree tests/fixtures/labels.csv --bootstrap 50");
  CHECK(text.code == 0);  // line 17 relabels i5 for alice: no problem, the later row counts
  CHECK(contains(text.err, "1 row(s) relabel an item"));
  CHECK(contains(text.err, "labels.csv:17: alice's label of i5 supersedes line 14"));
  CHECK(contains(text.out, "Field category (nominal, 7 values; 5 items"));
  CHECK(contains(text.out, "Krippendorff's alpha (nominal)"));
  auto doc = nlohmann::json::parse(silt("agree tests/fixtures/labels.csv --format json --engine --issues "
                                        "tests/fixtures/labels-issues.jsonl --bootstrap 50")
                                       .out);
  CHECK(doc["header"]["schema"] == "silt/agree/v1");
  CHECK(doc["header"]["raters"] == nlohmann::json::array({"alice", "bob", "carol", "silt"}));
  CHECK(doc["header"]["inputs"]["issues"] == "tests/fixtures/labels-issues.jsonl");
  const auto& j = doc["fields"];
  REQUIRE(j.is_array());
  CHECK(j[0]["field"] == "category");
  CHECK(j[0]["cohen_kappa_pairs"].size() == 6);  // alice, bob, carol and silt
  CHECK(j[0]["against_majority"][3]["rater"] == "silt");
  CHECK(j[1]["scale"] == "ordinal");
  auto wide = silt("agree --wide tests/fixtures/labels-wide.csv --format json --bootstrap 0");
  CHECK(wide.code == 0);
  CHECK(nlohmann::json::parse(wide.out)["fields"][0]["items"] == 2);
  CHECK(silt("agree --engine tests/fixtures/labels.csv").code == 2);  // --engine needs --issues
}

TEST_CASE("cli: check lists levels that do not follow from the answers, and strong contradictions", "[cli][check]") {
  auto r = silt("check tests/fixtures/labels.csv --issues tests/fixtures/labels-issues.jsonl");
  CHECK(r.code == 1);
  CHECK(contains(r.out,
                 "tests/fixtures/labels.csv:4: i1 by carol: level 3, but with ui=no, model-info=yes, "
                 "model-operation=no, results=no the matrix gives level 2"));
  CHECK(contains(r.out, "1 level(s) that do not follow from the answers"));
  CHECK(contains(r.out, "13 row(s) with every criterion and the impact answered, 2 without"));
  CHECK(contains(r.out, "i4 by bob: category wrong-parameter-setting, silt says performance-degradation"));
  auto j = nlohmann::json::parse(silt("check tests/fixtures/labels.csv --format json").out);
  CHECK(j["rows_checked"] == 13);
  CHECK(j["level_mismatches"].size() == 1);
  CHECK(j["level_mismatches"][0]["given"] == 3);  // a number, as expected is
}

TEST_CASE("cli: consensus in text, JSON and YAML, consistency against it", "[cli][survey]") {
  auto text = silt("consensus tests/fixtures/survey.csv");
  CHECK(text.code == 3);  // one answer was not 1-5 (named on stderr); the figures still come out
  CHECK(contains(text.err, "survey.csv:7"));
  CHECK(contains(text.out, "Survey: 5 respondents"));
  auto j = nlohmann::json::parse(silt("consensus tests/fixtures/survey.csv --format json").out);
  CHECK(j["categories"]["wrong-shape"]["diagnosing"]["median"] == 2.5);
  CHECK(j["levels"]["2"]["share_4_5"] == 0.75);
  std::string dir = (fs::temp_directory_path() / ("silt-survey-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  std::ofstream(dir + "/c.yaml") << silt("consensus tests/fixtures/survey.csv --format yaml").out;
  auto r = silt("consistency tests/fixtures/my-ratings.csv --consensus " + dir + "/c.yaml");
  fs::remove_all(dir);
  CHECK(r.code == 3);
  CHECK(contains(r.out,
                 "tests/fixtures/my-ratings.csv:2: wrong-displayed-message diagnosing: you gave 5, the "
                 "survey's middle half gave 2-4 (median 3)"));
  CHECK(contains(r.out, "1 of 4 rating(s) outside the consensus quartiles; mean distance to the median 0.75"));
  CHECK(silt("consensus tests/fixtures/labels.csv").code == 3);  // no survey column
}

TEST_CASE("cli: explain --id picks one issue of several, by its id, its source or a number only it has",
          "[cli][explain]") {
  const std::string lines =
      "{\"number\": 5, \"title\": \"the shape is wrong\"}\n"
      "{\"number\": 5, \"title\": \"the loss is NaN\", \"repository_url\": \"https://api.github.com/repos/o/r\"}\n"
      "{\"title\": \"accuracy drops after reload\"}\n";
  auto several = silt("explain -", lines);
  CHECK(several.code == 2);
  CHECK(contains(several.err, "this input holds 3: name one with --id (#5, say)"));
  // Explained: exit 0, and the output opens with the issue's id and title.
  auto explains = [](const std::string& id, const std::string& input, const std::string& first_line) {
    CAPTURE(id);
    auto r = silt("explain --id " + id + " -", input);
    CHECK(r.code == 0);
    CHECK(r.out.rfind(first_line + "\n", 0) == 0);
  };
  explains("o/r#5", lines, "o/r#5: the loss is NaN");
  explains("'<stdin>:3'", lines, "<stdin>:3: accuracy drops after reload");
  auto shared = silt("explain --id 5 -", lines);
  CHECK(shared.code == 2);
  CHECK(contains(shared.err, "--id 5: 2 issues match it (#5 @1, o/r#5 @2): pick one with --id @N"));
  explains("@2", lines, "o/r#5: the loss is NaN");
  CHECK(contains(silt("explain --id @4 -", lines).err, "--id @4: the input holds 3 issue(s)"));
  auto huge = silt("explain --id @99999999999999999999999 -", lines);  // past 64 bits: aborted once
  CHECK(huge.code == 2);
  CHECK(contains(huge.err, "the input holds 3 issue(s)"));
  // Two issues with one id: neither is picked unsaid.
  const std::string twins = "[{\"number\": 5, \"title\": \"first\"}, {\"number\": 5, \"title\": \"second\"}]";
  auto both = silt("explain --id '#5' -", twins);
  CHECK(both.code == 2);
  CHECK(contains(both.err, "(#5 @1, #5 @2)"));
  explains("@2", twins, "#5: second");
  auto none = silt("explain --id '#7' -", lines);
  CHECK(none.code == 2);
  CHECK(contains(none.err, "--id #7: no issue of the 3 in the input has that id"));
  auto inline_too = silt("explain --id 5 --title 'x'");
  CHECK(inline_too.code == 2);
  CHECK(contains(inline_too.err, "does not go with --title/--text"));
  // A number only one issue has is enough.
  explains("5", "[{\"number\": 5, \"title\": \"a\"}, {\"number\": 6, \"title\": \"b\"}]", "#5: a");
}

TEST_CASE("cli: explain --id reads on past a broken record, as classify does", "[cli][explain]") {
  // JSON Lines and a pretty-printed array, each with its second record broken (a quote
  // missing): the issue asked for is explained from the others, the broken record named,
  // exit 3. Before, the whole input was refused.
  const std::string lines =
      "{\"number\": 1, \"title\": \"the shape is wrong\"}\n"
      "{\"number\": 2, \"title: \"the loss is NaN\"}\n"
      "{\"number\": 3, \"title\": \"accuracy drops after reload\"}\n";
  const std::string array =
      "[\n  {\n    \"number\": 1,\n    \"title\": \"the shape is wrong\"\n  },\n"
      "  {\n    \"number\": 2,\n    \"title: \"the loss is NaN\"\n  },\n"
      "  {\n    \"number\": 3,\n    \"title\": \"accuracy drops after reload\"\n  }\n]\n";
  for (const auto& input : {lines, array}) {
    CAPTURE(input);
    auto r = silt("explain --id 3 -", input);
    CHECK(r.code == 3);
    CHECK(r.out.rfind("#3: accuracy drops after reload\n", 0) == 0);
    CHECK(contains(r.err, "<stdin>"));
    auto place = silt("explain --id @2 -", input);  // the second issue read: the broken record is none
    CHECK(place.code == 3);
    CHECK(place.out.rfind("#3: accuracy drops after reload\n", 0) == 0);
    // The one asked for is the broken record: said so, exit 3, not a usage error.
    auto lost = silt("explain --id 2 -", input);
    CHECK(lost.code == 3);
    CHECK(lost.out.empty());
    CHECK(contains(lost.err, "--id 2: no issue of the 2 in the input has that id"));
    CHECK(contains(lost.err, "a record of the input could not be read (named above): it may be that one"));
  }
  // An --id none has, in an input read whole, is still a usage error.
  CHECK(silt("explain --id 7 -", "[{\"number\": 1, \"title\": \"a\"}, {\"number\": 2, \"title\": \"b\"}]").code == 2);
}

TEST_CASE("cli: explain shows the fields, the rules that fired and those suppressed", "[cli][explain]") {
  auto r = silt("explain tests/fixtures/report-template.md --color never");
  CHECK(r.code == 0);
  CHECK(contains(r.out, "How silt read it"));
  CHECK(contains(r.out, "  prose.current ("));
  CHECK(contains(r.out, "\u00abAfter loading\u00bb"));  // a match, marked
  CHECK(contains(r.out, "dropped: template, system information, HTML"));
  CHECK(contains(r.out, "Rules that fired"));
  CHECK(contains(r.out, "save-reload-after"));
  CHECK(contains(r.out, "Matches suppressed by `unless`"));
  CHECK(contains(r.out, "results-unchanged"));  // "should give the same accuracy"
  CHECK(contains(r.out, "in: \"It should give the same accuracy as before saving.\""));
  CHECK(contains(r.out, "Categories: bias + "));
  CHECK(contains(r.out, "Criteria: prior for wrong-save-reload + "));
  CHECK(silt("explain tests/fixtures/gh-list.json").code == 2);  // two issues
}

TEST_CASE("cli: the probe set, 42 short reports written here, stays labeled as well as it is", "[cli][eval]") {
  // Written blind to the rules' wording, in three rounds of two a category: at first
  // reading silt got 11, 11 and 11 of 14 categories and 13, 8 and 11 of 14 levels; after
  // the rules they showed missing, 41 and 40 of 42. The misses left (p06, a validation
  // metric printed wrongly, read as a wrong calculation; the levels of q14 and r08) are
  // hard cases kept on purpose. A rule change that loses another item fails here: look
  // at `silt eval --misses` before lowering the bar. They are Keras/TensorFlow reports
  // with no repository: read with the keras-tf pack.
  auto r = silt(
      "eval --gold tests/fixtures/probe/gold.csv tests/fixtures/probe/issues.jsonl --pack keras-tf --format json "
      "--bootstrap 0");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["n"] == 42);
  CHECK(j["category"]["accuracy"]["value"].get<double>() >= 41.0 / 42 - 5e-4);  // written with 3 decimals
  CHECK(j["impact"]["accuracy"]["value"].get<double>() >= 40.0 / 42 - 5e-4);
}

TEST_CASE("cli: eval --fit-calibration writes a map a rules file accepts", "[cli][calibration]") {
  std::string dir = (fs::temp_directory_path() / ("silt-cal-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  auto r = silt(
      "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl --bootstrap 0 "
      "--fit-calibration " +
      dir + "/cal.yaml");
  std::string map = slurp(dir + "/cal.yaml");
  CHECK(map.rfind("# Fitted by silt eval --fit-calibration on 3 labels of the items of tests/fixtures/eval-gold.csv",
                  0) == 0);
  CHECK(contains(map, "expected calibration error is "));
  CHECK(contains(map, "calibration:\n  - ["));
  // Labels of the same items by other rules join the fit.
  std::ofstream(dir + "/other.jsonl")
      << R"({"id":"example-org/dl-lib#1","category":"wrong-shape","confidence":0.4,"impact":{}})"
      << "\n"
      << R"({"id":"example-org/dl-lib#2","category":"wrong-shape","confidence":0.9,"impact":{}})"
      << "\n"
      << R"({"id":"elsewhere#9","category":"wrong-shape","confidence":0.9,"impact":{}})"
      << "\n";
  auto pooled = silt(
      "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl --bootstrap 0 "
      "--fit-calibration " +
      dir + "/pooled.yaml --calibrate-with " + dir + "/other.jsonl");
  CHECK(pooled.code == 3);  // the gold fixture has two bad rows
  std::string pooled_map = slurp(dir + "/pooled.yaml");
  CHECK(pooled_map.rfind("# Fitted by silt eval --fit-calibration on 5 labels", 0) == 0);
  CHECK(contains(pooled_map, dir + "/other.jsonl."));
  auto missing = silt(
      "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl --bootstrap 0 "
      "--fit-calibration " +
      dir + "/x.yaml --calibrate-with " + dir + "/none.jsonl");
  CHECK(missing.code == 3);
  CHECK(contains(missing.err, dir + "/none.jsonl: cannot read: No such file or directory"));
  CHECK_FALSE(fs::exists(dir + "/x.yaml"));
  std::ofstream(dir + "/rules.yaml")
      << "schema: silt/rules/v1\n"
      << map << "rules:\n  - {id: a, category: wrong-shape, pattern: shape, tests: {match: [shape]}}\n";
  auto v = silt("validate --rules " + dir + "/rules.yaml");
  fs::remove_all(dir);
  CHECK(v.code == 0);
}

TEST_CASE("cli: the table tells implied criteria from inferred ones", "[cli]") {
  const std::string dir = fs::temp_directory_path() / ("silt-implied-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir + "/rules.yaml")
      << "schema: silt/rules/v1\nmodel:\n  criteria_prior:\n"
         "    wrong-calculation: {ui: -2, model-info: -2, model-operation: -2, results: 2}\n"
         "rules:\n  - {id: a, category: wrong-calculation, pattern: 'wrong values', tests: {match: [wrong values]}}\n"
         "  - {id: b, criterion: model-info, pattern: 'summary', weight: 2, tests: {match: [summary]}}\n";
  auto r = silt("classify --rules " + dir +
                "/rules.yaml --format table --title 'reduce_max returns wrong values' "
                "--text 'in the summary'");
  fs::remove_all(dir);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "yes/p"));  // results: the prior of wrong-calculation
  CHECK(contains(r.out, "yes/i"));  // model-info: a rule fired
  CHECK(contains(r.out, "p = implied by the category's prior"));
}

TEST_CASE("cli: rules fit writes the fitted file and says how it does before and after", "[cli][fit]") {
  const std::string dir = fs::temp_directory_path() / ("silt-fit-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir + "/rules.yaml") << "schema: silt/rules/v1\nfields: {title: 1}\nrules:\n"
                                        "  - {id: alpha, category: wrong-shape, pattern: alpha, weight: 1, tests: "
                                        "{match: [alpha]}}\n"
                                        "  - {id: beta, category: wrong-calculation, pattern: beta, weight: 2, tests: "
                                        "{match: [beta]}}\n";
  std::ofstream issues(dir + "/issues.jsonl"), gold(dir + "/gold.csv");
  gold << "id,category,impact\n";
  for (int i = 0; i < 30; ++i) {
    const bool shape = i % 2 == 0;
    issues << nlohmann::json{{"id", "i" + std::to_string(i)},
                             {"title", shape ? (i % 4 == 0 ? "alpha beta" : "beta") : (i % 4 == 1 ? "beta" : "hm")},
                             {"body", ""}}
                  .dump()
           << "\n";
    gold << "i" << i << "," << (shape ? "wrong-shape,2" : "wrong-calculation,4") << "\n";
  }
  issues.close();
  gold.close();
  auto r = silt("rules fit --rules " + dir + "/rules.yaml --gold " + dir + "/gold.csv " + dir + "/issues.jsonl -o " +
                dir + "/fitted.yaml --iterations 300");
  CHECK(r.code == 0);
  CHECK(contains(r.err, "silt rules fit: 30 issues"));
  CHECK(contains(r.err, "before: category"));
  CHECK(contains(r.err, "after:  category"));
  const std::string fitted = slurp(dir + "/fitted.yaml");
  CHECK(contains(fitted, "# silt rules fit, "));
  CHECK(contains(fitted, "pattern: alpha"));
  auto v = silt("validate --rules " + dir + "/fitted.yaml");
  CHECK(v.code == 0);
  // Bad input: a malformed gold row is named with its line; a column named twice stops it.
  std::ofstream(dir + "/bad.csv") << "id,category,impact\ni0,wrong-shape,2\ni1,\"wrong-calculation,4\n";
  auto bad = silt("rules fit --rules " + dir + "/rules.yaml --gold " + dir + "/bad.csv " + dir + "/issues.jsonl");
  CHECK(bad.code == 3);
  CHECK(contains(bad.err, "bad.csv:3:"));
  std::ofstream(dir + "/dup.csv") << "id,category,category\ni0,wrong-shape,wrong-shape\n";
  auto dup = silt("rules fit --rules " + dir + "/rules.yaml --gold " + dir + "/dup.csv " + dir + "/issues.jsonl");
  CHECK(dup.code == 3);
  CHECK(contains(dup.err, "dup.csv:1:"));
  auto none = silt("rules fit --rules " + dir + "/rules.yaml " + dir + "/issues.jsonl");
  CHECK(none.code == 2);  // --gold is required
  fs::remove_all(dir);
  auto help = silt("rules fit --help");
  CHECK(help.code == 0);
  CHECK(contains(help.out, "Usage: silt rules fit"));
  CHECK(contains(help.out, "cross-validation"));
  CHECK(contains(help.out, "hand-written numbers"));
}

TEST_CASE("cli: agree and eval print labelled aligned figures with n and intervals", "[cli][golden]") {
  // Inputs written here (no rules involved): the figures change only when the statistics,
  // the bootstrap or the layout do. Golden files: tests/golden/ (SILT_UPDATE_GOLDEN=1).
  auto agree = silt("agree tests/fixtures/labels.csv --bootstrap 200");
  CHECK(agree.code == 0);
  check_golden("agree-labels.txt", agree.out);
  // Every row labelled: the majority block names its rater on each line.
  CHECK(contains(agree.out, "    carol: percent agreement "));
  CHECK(contains(agree.out, "    carol: Cohen's kappa, quadratic "));
  CHECK(contains(agree.out, "  Gwet's AC2 (quadratic weights) "));
  CHECK_FALSE(contains(agree.out, "Fleiss' kappa of each value\n\n"));  // no empty heading
  check_golden("agree-labels.json", silt("agree tests/fixtures/labels.csv --bootstrap 200 --format json").out);

  auto eval = silt(
      "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --bootstrap 200 "
      "--misses");
  CHECK(eval.code == 3);  // two bad gold rows
  check_golden("eval-predictions.txt", eval.out);
  CHECK(contains(eval.out, "    gold \\ predicted  none     1     2     3     4\n"));
  CHECK(contains(eval.out, "  macro average "));
  CHECK(contains(eval.out, "  weighted average "));
  check_golden("eval-predictions.json",
               silt("eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --bootstrap 200 "
                    "--format json")
                   .out);
  // The summary row scripts/eval.sh prints still comes out.
  auto summary = silt(
      "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --bootstrap 200 "
      "--summary fixture --summary-header");
  CHECK(summary.out.rfind("set                      n  category [95% CI]", 0) == 0);
  CHECK(contains(summary.out, "\nfixture                  3  0.67 ["));
}

TEST_CASE("cli: consensus prints each figure's n, and shares beside counts in JSON", "[cli][golden][survey]") {
  auto consensus = silt("consensus tests/fixtures/survey.csv");
  check_golden("consensus-survey.txt", consensus.out);
  CHECK(contains(consensus.out, "2.5 [2-3.25] 2.75 (4)"));  // a median of 2.5 is not shown as 2
  auto j = nlohmann::json::parse(silt("consensus tests/fixtures/survey.csv --format json").out);
  CHECK(j["categories"]["wrong-displayed-message"]["met"]["share_yes"] == 0.8);  // 4 of 5
  CHECK(j["categories"]["wrong-displayed-message"]["met"]["n"] == 5);
  CHECK(j["problematic"]["More problematic"]["n"] == 3);
  CHECK(j["problematic"]["More problematic"]["share"] == 0.6);  // 3 of 5
  CHECK(j["levels"]["2"]["shares"] == nlohmann::json::array({0.0, 0.25, 0.0, 0.5, 0.25}));
}

TEST_CASE("cli: rules compile caches a user's prefilter, the built-in packs need none", "[cli]") {
  const fs::path cache = fs::temp_directory_path() / ("silt-cli-cache-" + std::to_string(::getpid()));
  fs::remove_all(cache);
  auto run = [&](const std::string& args) { return silt(args, "", "SILT_CACHE_DIR='" + cache.string() + "'"); };
  auto first = run("rules compile --rules tests/fixtures/failing-rule-tests.yaml");
  CHECK(first.code == 0);
  CHECK(contains(first.out, "failing-rule-tests.yaml: compiled and cached"));
  CHECK(contains(first.out, "cache: " + cache.string()));
  auto second = run("rules compile --rules tests/fixtures/failing-rule-tests.yaml");
  CHECK(contains(second.out, "failing-rule-tests.yaml: cached (its prefilter built in or cached already)"));
  // Run from the source tree, rules/ is on disk: read as a user's files would be, the
  // built-in prefilter is found for them and no prefilter is compiled.
  auto prefilters = [&] {
    int n = 0;
    for (const auto& e : fs::directory_iterator(cache)) n += e.path().filename().string().rfind("prefilter-", 0) == 0;
    return n;
  };
  const int before = prefilters();
  CHECK(before >= 1);  // the user's file's
  auto builtin = run("rules compile --pack pytorch --format json");
  CHECK(builtin.code == 0);
  auto j = nlohmann::json::parse(builtin.out);
  CHECK(j["rule_sets"][0]["prefilter"] == "cached (its prefilter built in or cached already)");
  CHECK(prefilters() == before);
  fs::remove_all(cache);
}

TEST_CASE("cli: a pack of one's own, with no C++: a map, a rules file including the built-in generic pack",
          "[cli][packs]") {
  const std::string map = "--packs tests/fixtures/packs/packs.yaml ";
  auto v = silt("validate " + map);
  CHECK(v.code == 0);
  CHECK(contains(v.out, "pack mxnet: tests/fixtures/packs/mxnet.yaml (includes rules/generic.yaml)"));
  auto t = silt("rules test " + map);
  CHECK(t.code == 0);
  // The repository picks the pack; the pack's own rule reads the reporter's prose.
  auto c = silt("classify --format json " + map + "tests/fixtures/mxnet-issue.json");
  REQUIRE(c.code == 0);
  auto j = nlohmann::json::parse(c.out);
  CHECK(j["pack"] == "mxnet");
  CHECK(j["category"] == "wrong-save-reload");
  bool cited = false;
  for (const auto& e : j["evidence"]) cited = cited || e["rule"] == "mx-save-reload-api";
  CHECK(cited);
  // Another repository: the map's default, the built-in generic pack.
  auto other = silt("classify --format json " + map + "--title 'predictions differ after load_parameters'");
  REQUIRE(other.code == 0);
  CHECK(nlohmann::json::parse(other.out)["pack"] == "generic");
}

namespace {

// A file of `text` in a fresh directory, removed at the end of the test case.
struct TempFile {
  fs::path dir, path;
  TempFile(const std::string& name, const std::string& text) {
    static int n = 0;
    dir = fs::temp_directory_path() / ("silt-cli-file-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir);
    path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { fs::remove_all(dir); }
  std::string str() const { return "'" + path.string() + "'"; }
};

}  // namespace

TEST_CASE("cli: a taxonomy the built-in packs do not fit is one diagnostic and exit 2, in every command",
          "[cli][taxonomy]") {
  // It crashed (a pack that does not load read every issue through a null rule set).
  for (const char* cmd : {"classify examples/01-wrong-shape.md", "batch examples/01-wrong-shape.md",
                          "explain examples/01-wrong-shape.md", "rules lint"}) {
    CAPTURE(cmd);
    auto r = silt(std::string(cmd) + " --taxonomy tests/fixtures/five-levels.yaml");
    CHECK(r.code == 2);
    CHECK(contains(r.err, "tests/fixtures/five-levels.yaml: error[taxonomy-mismatch]"));
    CHECK(contains(r.err, "(wrong-shape, wrong-displayed-message,"));
    CHECK(contains(r.err, "--rules FILE"));
  }
  // With rules written for it, the same taxonomy works.
  auto ok = silt(
      "classify --taxonomy tests/fixtures/five-levels.yaml --rules tests/fixtures/five-levels-rules.yaml "
      "--title 'the totals are off'");
  CHECK(ok.code == 0);
  CHECK(contains(ok.out, "numeric"));
  // Rules without biases and no evidence: the taxonomy's fallback, not the first category.
  auto fb = silt(
      "classify -f json --taxonomy tests/fixtures/five-levels.yaml --rules tests/fixtures/five-levels-rules.yaml "
      "--title 'the page is blank'");
  CHECK(fb.code == 0);
  CHECK(contains(fb.out, R"("category":"other")"));
  CHECK(contains(fb.out, R"("fallback":true)"));
}

TEST_CASE("cli: eval and report leave a bad line of batch output out, name it, and still give the rest",
          "[cli][eval]") {
  std::ifstream in(fs::path(SILT_SOURCE_DIR) / "tests/fixtures/eval-predictions.jsonl");
  std::string line, cut;
  int n = 0;
  while (std::getline(in, line)) {
    cut += line + "\n";
    if (++n == 2) cut += "{\"broken\n";  // an interrupted run's last line, or a stray edit
  }
  TempFile preds("preds.jsonl", cut);
  auto e = silt("eval --gold tests/fixtures/eval-gold.csv " + preds.str());
  CHECK(e.code == 3);
  CHECK(contains(e.err,
                 "preds.jsonl:3:9: not valid JSON: missing a closing quotation mark in string (is it cut short?) "
                 "(line left out)"));
  CHECK(contains(e.out, "Category (n = "));  // the figures came out
  TempFile page("r.html", "");
  auto r = silt("report " + preds.str() + " -o " + page.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "preds.jsonl:3:9: not valid JSON: missing a closing quotation mark"));
  CHECK(contains(slurp(page.path), "<h1>silt report</h1>"));
}

TEST_CASE("cli: check names an answer that is neither yes nor no, and a malformed row, with exit 3", "[cli][check]") {
  TempFile maybe("ch.csv",
                 "item,rater,category,impact,ui,model-info,model-operation,results\n"
                 "i2,ann,wrong-shape,4,maybe,yes,no,no\n");
  auto r = silt("check " + maybe.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "ch.csv:2: i2 by ann: criterion 'ui' is 'maybe', neither yes nor no"));
  TempFile rows("rows.csv", "item,rater,category,impact\ni1,alice,wrong-shape,2\ni1,bob,wrong-shape,2,extra\n");
  auto s = silt("check " + rows.str());
  CHECK(s.code == 3);
  CHECK(contains(s.err, "rows.csv:3:"));
}

TEST_CASE("cli: an inline issue with neither title nor body, and explain given two issues, are usage errors", "[cli]") {
  auto e = silt("classify --title '' --text ' '");
  CHECK(e.code == 2);
  CHECK(contains(e.err, "neither a title nor a body"));
  auto x = silt("explain --title x examples/01-wrong-shape.md");
  CHECK(x.code == 2);
  CHECK(contains(x.err, "not both"));
}

TEST_CASE("cli: a weight of .nan or .inf is a finding of validate, not NaN in the output", "[cli][rules]") {
  TempFile rules("nan.yaml",
                 "schema: silt/rules/v1\nrules:\n"
                 "  - {id: a, category: wrong-shape, pattern: 'foo', weight: .nan}\n"
                 "  - {id: b, category: wrong-shape, pattern: 'bar', weight: .inf}\n");
  auto v = silt("validate --rules " + rules.str());
  CHECK(v.code == 2);
  CHECK(contains(v.err, "nan.yaml:3:") + contains(v.out, "nan.yaml:3:") >= 1);
  auto c = silt("classify -f json --rules " + rules.str() + " --title 'foo bar'");
  CHECK(c.code == 2);
  CHECK_FALSE(contains(c.out, "null"));
}

TEST_CASE("cli: classify's table: ids of their own, columns by display width, nothing when nothing read, -f gh",
          "[cli]") {
  TempFile wide("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E.md",
                "The output shape is wrong\n\nIt has 3 dims instead of 4.\n");
  auto t = silt("classify -f table tests/fixtures/rest-issue.json " + wide.str());
  CHECK(t.code == 0);
  CHECK(contains(t.out, "\nexample-org/dl-lib#4242 "));  // the issue's id, not the file's name
  // Every row's CATEGORY column starts at the same display column (a CJK character is two).
  std::istringstream lines(t.out);
  std::string line;
  std::vector<std::size_t> starts;
  while (std::getline(lines, line) && !line.empty()) {
    std::size_t cols = 0, i = 0;
    for (; i < line.size() && line.compare(i, 2, "  ") != 0; ++i)
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
        cols += static_cast<unsigned char>(line[i]) >= 0xE0 ? 2 : 1;  // the three-byte CJK here are wide
    while (i < line.size() && line[i] == ' ') ++i, ++cols;
    starts.push_back(cols);
  }
  REQUIRE(starts.size() == 3);
  CHECK(starts[0] == starts[1]);
  CHECK(starts[1] == starts[2]);
  auto none = silt("classify -f table tests/fixtures/bad.json");
  CHECK(none.code == 3);
  CHECK(none.out.empty());
  auto gh = silt("classify -f gh tests/fixtures/rest-issue.json");
  CHECK(gh.code == 0);
  CHECK(gh.out.rfind("gh issue edit 4242 --repo example-org/dl-lib", 0) == 0);
}

TEST_CASE("cli: a mistyped pack, criterion or category gets a did-you-mean", "[cli]") {
  auto p = silt("classify --pack pytorc --title x");
  CHECK(p.code == 2);
  CHECK(contains(p.err, "did you mean 'pytorch'?"));
  auto c = silt("classify --set model-inf=yes --title x");
  CHECK(c.code == 2);
  CHECK(contains(c.err, "did you mean 'model-info'?"));
  TempFile ratings("r.csv", "category,diagnosing,severity,fixing\nwrong-shap,2,3,3\n");
  auto r = silt("consistency " + ratings.str());
  CHECK(contains(r.err, "did you mean 'wrong-shape'?"));
}

TEST_CASE("cli: validate --packs lists a pack's finding once", "[cli]") {
  TempFile map("p.yaml",
               "schema: silt/packs/v1\ndefault: a\npacks:\n  a:\n    rules: missing.yaml\n"
               "    repositories: [x/y]\n");
  auto v = silt("validate --packs " + map.str());
  CHECK(v.code == 2);
  const std::string all = v.out + v.err;
  const auto first = all.find("cannot read the pack's rules 'missing.yaml'");
  REQUIRE(first != std::string::npos);
  CHECK(all.find("cannot read the pack's rules 'missing.yaml'", first + 1) == std::string::npos);
  CHECK(contains(all, "1 error(s)"));
}

TEST_CASE("cli: classify labels the good issues of an array or JSON Lines and names the others, exit 3", "[cli]") {
  auto r = silt("classify -f json -", R"([{"number": 1, "title": "the shape is wrong"}, {"x": 1}, {"number": 3,
    "title": "the loss is NaN"}])");
  CHECK(r.code == 3);
  CHECK(contains(r.err, "<stdin>: element [1]: the issue has neither a title nor a body"));
  CHECK(contains(r.out, R"("id":"#1")"));
  CHECK(contains(r.out, R"("id":"#3")"));
  auto l = silt("classify -f json -", "{\"number\": 1, \"title\": \"a\"}\n{\"number\": 2, \"title\": \"b\"}\n");
  CHECK(l.code == 0);
  CHECK(contains(l.out, "\"id\":\"#2\""));
}

TEST_CASE("cli: classify reads on past a broken record of pretty-printed JSON, as batch does, exit 3", "[cli]") {
  // gh's layout, the second object missing a quote: the array failed whole (nothing
  // labeled), and objects one after another lost every one after it.
  const std::string broken = "  {\n    \"number\": 2,\n    \"title\": \"a quote missing,\n    \"body\": \"x\"\n  }";
  const std::string first = "  {\n    \"number\": 1,\n    \"title\": \"the shape is wrong\"\n  }";
  const std::string third = "  {\n    \"number\": 3,\n    \"title\": \"the loss is NaN\"\n  }";
  const std::string array = "[\n" + first + ",\n" + broken + ",\n" + third + "\n]\n";
  const std::string stream = first + "\n" + broken + "\n" + third + "\n";
  TempFile file("broken.json", array);
  for (const auto& [args, input, source] :
       {std::tuple{"classify -f json " + file.str(), std::string(), file.path.string() + "[1]"},
        std::tuple{std::string("classify -f json -"), array, std::string("<stdin>[1]")},
        std::tuple{std::string("classify -f json -"), stream, std::string("<stdin>:5")}}) {
    CAPTURE(args, input);
    auto r = silt(args, input);
    CHECK(r.code == 3);
    CHECK(contains(r.err, source + ": rejected, invalid-json:"));
    CHECK(contains(r.out, R"("id":"#1")"));
    CHECK(contains(r.out, R"("id":"#3")"));
    CHECK_FALSE(contains(r.out, R"("id":"#2")"));
  }
  // JSON Lines, one line with two objects and the next cut short: what batch labels.
  auto lines = silt("classify -f json -",
                    "{\"number\": 1, \"title\": \"a\"}{\"number\": 2, \"title\": \"b\"}\n{\"number\": 3, "
                    "\"title\": \"c\n{\"number\": 4, \"title\": \"d\"}\n{\"number\": 5, \"title\": \"e\"}\n");
  CHECK(lines.code == 3);
  for (const char* id : {"#1", "#2", "#4", "#5"}) CHECK(contains(lines.out, std::string("\"id\":\"") + id + "\""));
  CHECK(contains(lines.err, "<stdin>:2: rejected, invalid-json:"));
  // A lone broken object still gets the parser's line and column (nothing to read on to).
  auto one = silt("classify -f json -", "{\"title\": \"x\",\n \"body\": y}\n");
  CHECK(one.code == 3);
  CHECK(contains(one.err, "<stdin>:2:"));
  CHECK(one.out.empty());
}

TEST_CASE("cli: eval reads several batch outputs as one set of predictions, and refuses a mix with issues",
          "[cli][eval]") {
  std::ifstream in(fs::path(SILT_SOURCE_DIR) / "tests/fixtures/eval-predictions.jsonl");
  std::string line, a, b;
  for (int n = 0; std::getline(in, line); ++n) (n < 2 ? a : b) += line + "\n";
  REQUIRE_FALSE(b.empty());
  TempFile one("a.jsonl", a), two("b.jsonl", b);
  auto whole = silt("eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --summary x");
  auto split = silt("eval --gold tests/fixtures/eval-gold.csv " + one.str() + " " + two.str() + " --summary x");
  CHECK(split.code == whole.code);
  CHECK(split.out == whole.out);  // the same figures: read, not classified again from the titles
  CHECK_FALSE(split.out.empty());
  auto mix = silt("eval --gold tests/fixtures/eval-gold.csv " + one.str() + " tests/fixtures/eval-issues.jsonl");
  CHECK(mix.code == 2);
  CHECK(contains(mix.err, "not both"));
}

TEST_CASE("cli: a count out of range is a usage error naming the range (a negative one aborted or hung)", "[cli]") {
  for (const char* cmd :
       {"agree tests/fixtures/labels.csv --bootstrap -1",
        "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --bootstrap -1",
        "rules fit --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl -o /dev/null --iterations -5",
        "rules fit --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-issues.jsonl -o /dev/null --folds 1",
        "check tests/fixtures/labels.csv --issues tests/fixtures/labels-issues.jsonl --min-confidence 2"}) {
    CAPTURE(cmd);
    auto r = silt(cmd);
    CHECK(r.code == 2);
    CHECK((contains(r.err, " takes ") || contains(r.err, "is a share")));
  }
  CHECK(contains(silt("rules fit --folds 1 --gold x y").err, "see 'silt rules fit --help'"));
}

TEST_CASE("cli: a labeler named silt is refused beside --engine and as triage's rater", "[cli][agree]") {
  TempFile labels("l.csv", "item,rater,category,impact\ni1,silt,wrong-shape,2\ni1,bob,wrong-shape,2\n");
  auto a = silt("agree " + labels.str() + " --engine --issues tests/fixtures/labels-issues.jsonl");
  CHECK(a.code == 2);
  CHECK(contains(a.err, "has a labeler of that name"));
  auto t = silt("triage --rater silt tests/fixtures/labels-issues.jsonl -o /dev/null", "");
  CHECK(t.code == 2);
  CHECK(contains(t.err, "choose your own name"));
}

TEST_CASE(
    "cli: taxonomy lint -f json gives JSON for a taxonomy that does not load, show pairs no survey with "
    "another scale",
    "[cli][taxonomy]") {
  auto b = silt("taxonomy lint --taxonomy tests/fixtures/five-levels.yaml -f json");
  CHECK(b.code != 2);  // it loads: lint's own JSON
  CHECK(nlohmann::json::parse(b.out).is_object());
  std::string text = slurp(fs::path(SILT_SOURCE_DIR) / "tests/fixtures/five-levels.yaml");
  const auto at = text.find("hit_policy: first");
  REQUIRE(at != std::string::npos);
  text.replace(at, std::string("hit_policy: first").size(), "hit_policy: unique");
  TempFile unique("u.yaml", text);
  auto u = silt("taxonomy lint --taxonomy " + unique.str() + " -f json");
  CHECK(u.code == 2);
  auto j = nlohmann::json::parse(u.out);
  CHECK(j["errors"].get<int>() > 0);
  CHECK(j["diagnostics"][0]["code"] == "matrix-overlap");
  auto s = silt("taxonomy show --taxonomy tests/fixtures/five-levels.yaml");
  CHECK(s.code == 0);
  CHECK_FALSE(contains(s.out, "survey"));
  CHECK(contains(silt("taxonomy show --taxonomy taxonomy/keras-tf.yaml").out, "survey"));
}

TEST_CASE("cli: triage appends only under its own header, and to a rater's name as it reads back", "[cli]") {
  // Another header (columns of another taxonomy, or in another order): nothing appended.
  const std::string foreign = "item,rater,impact,category\ni9,bob,2,wrong-shape\n";
  TempFile labels("l.csv", foreign);
  TempFile answers("a.txt", "y\nn\nn\nn\n2\nnote\n");
  auto r =
      silt("triage tests/fixtures/labels-issues.jsonl -o " + labels.str() + " --rater ann --answers " + answers.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "l.csv:1: the header names column 3 'impact', not 'category'"));
  CHECK(slurp(labels.path) == foreign);
  // A name with spaces around it is the name trimmed: a rerun finds its rows.
  TempFile fresh("f.csv", "");
  TempFile one("one.jsonl", "{\"id\": \"i1\", \"title\": \"Unexpected output shape\", \"body\": \"x\"}\n");
  auto first = silt("triage " + one.str() + " -o " + fresh.str() + " --rater ' ann ' --answers " + answers.str());
  CHECK(first.code == 0);
  CHECK(contains(slurp(fresh.path), "\ni1,ann,"));
  auto again = silt("triage " + one.str() + " -o " + fresh.str() + " --rater ann --answers " + answers.str());
  CHECK(contains(again.out, "0 issue(s) to label (1 labeled by ann already"));
  auto empty = silt("triage " + one.str() + " -o " + fresh.str() + " --rater ' ' --answers " + answers.str());
  CHECK(empty.code == 2);
  CHECK(contains(empty.err, "--rater takes a name"));
}

TEST_CASE("cli: rules compile that cannot write its cache exits 4", "[cli]") {
  TempFile file("not-a-dir", "x");  // a cache directory under a file cannot be made, even as root
  auto r = silt("rules compile --rules tests/fixtures/failing-rule-tests.yaml", "",
                "SILT_CACHE_DIR='" + file.str() + "/cache'");
  CHECK(r.code == 4);
  CHECK(contains(r.out, "failing-rule-tests.yaml: not cached: see the warning"));
  CHECK(contains(r.err, "cache-unwritable"));
}

TEST_CASE("cli: agree on a header alone says there are no rows and exits 3, figures undefined", "[cli]") {
  TempFile labels("h.csv", "item,rater,category\n");
  auto r = silt("agree " + labels.str() + " --bootstrap 0");
  CHECK(r.code == 3);
  CHECK(contains(r.err, "h.csv: no label rows, only a header"));
  CHECK(contains(r.out, "undefined"));
}

TEST_CASE("cli: agree --engine and check --issues match ids whatever their case", "[cli]") {
  std::string text = slurp(SILT_TEST_FIXTURES "/labels.csv");
  for (std::size_t at = 0; (at = text.find("\ni", at)) != std::string::npos; at += 2) text[at + 1] = 'I';
  TempFile labels("upper.csv", text);  // items I1, I2...: the issues are i1, i2...
  auto a = silt("agree --engine --issues tests/fixtures/labels-issues.jsonl --bootstrap 0 " + labels.str());
  CHECK_FALSE(contains(a.err, "silt classified 0 of"));
  auto c = silt("check " + labels.str() + " --issues tests/fixtures/labels-issues.jsonl");
  CHECK_FALSE(contains(c.err, "is not among the issues of --issues"));
  CHECK(contains(c.out, "silt says performance-degradation"));
}

TEST_CASE("cli: eval --summary-header without --summary is a usage error", "[cli][eval]") {
  auto r = silt("eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --summary-header");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "--summary-header goes with --summary NAME"));
}

TEST_CASE("cli: eval with no id in common says so, with an id of each side, and exits 3", "[cli][eval]") {
  TempFile g("g.csv", "id,category,impact\nother-org/lib#1,wrong-shape,2\n");
  auto r = silt("eval --gold " + g.str() + " tests/fixtures/eval-predictions.jsonl");
  CHECK(r.code == 3);
  CHECK(contains(r.err,
                 "no gold id is among the predictions' ids (gold: 'other-org/lib#1', predictions: "
                 "'example-org/dl-lib#1', for example)"));
  // The same issues named by their addresses, in another case: matched.
  TempFile u("u.csv", "id,category,impact\nhttps://github.com/Example-Org/dl-lib/issues/1,wrong-shape,2\n");
  auto m = silt("eval --gold " + u.str() + " tests/fixtures/eval-predictions.jsonl -f json");
  CHECK(nlohmann::json::parse(m.out)["n"] == 1);
  CHECK_FALSE(contains(m.err, "no gold id"));
}

TEST_CASE("cli: classify labels a pull request given by name, and says it is one", "[cli]") {
  TempFile pr("pr.json",
              "{\"number\": 5, \"title\": \"Fix the wrong output shape\", \"body\": \"x\", "
              "\"html_url\": \"https://github.com/o/r/pull/5\", \"pull_request\": {\"url\": \"u\"}}");
  auto r = silt("classify -f json " + pr.str());
  CHECK(r.code == 0);
  CHECK(contains(r.err, "o/r#5: a pull request, not an issue report: classified as one all the same"));
  CHECK(nlohmann::json::parse(r.out)["id"] == "o/r#5");
  TempFile issue("i.json",
                 "{\"number\": 6, \"title\": \"Wrong output shape\", \"body\": \"x\", "
                 "\"html_url\": \"https://github.com/o/r/issues/6\", \"pull_request\": null}");
  CHECK_FALSE(contains(silt("classify " + issue.str()).err, "pull request"));
}

TEST_CASE("cli: triage's answers that end in the middle of an issue are said, exit 3, at an issue's start a quit",
          "[cli][triage]") {
  TempFile issues("two.jsonl",
                  "{\"id\": \"i1\", \"title\": \"Wrong shape\", \"body\": \"x\"}\n"
                  "{\"id\": \"i2\", \"title\": \"Leak\", \"body\": \"y\"}\n");
  TempFile labels("l.csv", "");
  TempFile short_answers("a.txt", "9\n");  // not an answer to the first question, then nothing
  auto r = silt("triage " + issues.str() + " -o " + labels.str() + " --rater ann --answers " + short_answers.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "a.txt: the answers end in the middle of issue i1 (1 of 2): 2 issue(s) left unlabeled"));
  // One issue answered whole, then the end: a quit between issues, as Ctrl-D is.
  TempFile labels2("l2.csv", "");
  TempFile one_issue("b.txt", "y\nn\nn\nn\n2\nnote\n");
  auto q = silt("triage " + issues.str() + " -o " + labels2.str() + " --rater ann --answers " + one_issue.str());
  CHECK(q.code == 0);
  CHECK(contains(q.out, "1 issue(s) labeled in this session"));
  CHECK_FALSE(contains(q.err, "the answers end"));
}

TEST_CASE("cli: triage exits 3 when an input cannot be read, and takes --input-format", "[cli]") {
  TempFile answers("a.txt", "q\n");
  TempFile labels("l.csv", "");
  auto r = silt("triage no-such-file.jsonl -o " + labels.str() + " --rater z --answers " + answers.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "no-such-file.jsonl: cannot open"));
  auto f = silt("triage examples/01-wrong-shape.md --input-format csv -o " + labels.str() + " --rater z --answers " +
                answers.str());
  CHECK_FALSE(contains(f.err, "unknown option"));
}

TEST_CASE(
    "cli: eval reads batch output whatever its first line, in CSV too, a missing, empty or conflicting "
    "input is said",
    "[cli][eval]") {
  const std::string gold = "--gold tests/fixtures/eval-gold.csv --bootstrap 0 ";
  const std::string preds = slurp(fs::path(SILT_SOURCE_DIR) / "tests/fixtures/eval-predictions.jsonl");
  auto plain = silt("eval " + gold + "tests/fixtures/eval-predictions.jsonl -f json");
  const auto want = nlohmann::json::parse(plain.out)["category"]["accuracy"]["value"];
  // A byte order mark, or a stray first line: still the file's own labels, not silt's now.
  for (const std::string& text : {"\xEF\xBB\xBF" + preds, "garbage\n" + preds}) {
    TempFile f("p.jsonl", text);
    auto r = silt("eval " + gold + f.str() + " -f json");
    INFO(r.err);
    CHECK(nlohmann::json::parse(r.out)["header"]["inputs"].contains("predictions"));
    CHECK(nlohmann::json::parse(r.out)["category"]["accuracy"]["value"] == want);
  }
  // batch --format csv output is read as such.
  TempFile csv("p.csv", silt("batch -q -f csv tests/fixtures/eval-issues.jsonl").out);
  auto c = silt("eval " + gold + csv.str() + " -f json");
  CHECK(nlohmann::json::parse(c.out)["header"]["inputs"].contains("predictions"));
  CHECK(nlohmann::json::parse(c.out)["n"] == 3);
  // A file that is not there is said as such (not "not both"); an empty one is left out.
  auto missing = silt("eval " + gold + "tests/fixtures/eval-predictions.jsonl nope.jsonl");
  CHECK(missing.code == 3);
  CHECK(contains(missing.err, "nope.jsonl: cannot open"));
  TempFile empty("e.jsonl", "");
  auto e = silt("eval " + gold + "tests/fixtures/eval-predictions.jsonl " + empty.str());
  CHECK(e.code == 3);
  CHECK(contains(e.err, "e.jsonl: empty"));
  // One id labeled differently in two outputs: the first is scored, and where each is said.
  std::string other = preds;
  const auto at = other.find("\"category\": \"");
  REQUIRE(at != std::string::npos);
  other.replace(at, std::string("\"category\": \"").size(), "\"category\": \"x-");
  TempFile second("q.jsonl", other);
  auto both = silt("eval " + gold + "tests/fixtures/eval-predictions.jsonl " + second.str() + " -f json");
  CHECK(both.code == 3);
  CHECK(contains(both.err, "is predicted twice, differently: "));
  CHECK(contains(both.err, "(the file's prediction 1 in tests/fixtures/eval-predictions.jsonl, scored) and x-"));
  CHECK(contains(both.err, "(its prediction 1, left out)"));
  CHECK(nlohmann::json::parse(both.out)["category"]["accuracy"]["value"] == want);
}

TEST_CASE("cli: rules fit fits a pack of one's own map (--packs, --pack)", "[cli][fit][packs]") {
  TempFile gold("gold.csv", "");
  std::string g = "id,category,impact\n", is;
  for (int i = 0; i < 24; ++i) {
    const bool save = i % 2 == 0;
    is += nlohmann::json{{"id", "i" + std::to_string(i)},
                         {"title", save ? "accuracy drops after load_parameters" : "hybridize gives different outputs"},
                         {"body", ""}}
              .dump() +
          "\n";
    g += "i" + std::to_string(i) + "," + (save ? "wrong-save-reload,4" : "wrong-calculation,4") + "\n";
  }
  TempFile labels("g.csv", g), issues("i.jsonl", is);
  const fs::path out = labels.dir / "fitted.yaml";
  auto r = silt("rules fit --packs tests/fixtures/packs/packs.yaml --pack mxnet --gold " + labels.str() + " " +
                issues.str() + " -o '" + out.string() + "' --iterations 50");
  INFO(r.err);
  CHECK(r.code == 0);
  const std::string fitted = slurp(out);
  CHECK(contains(fitted, "# silt rules fit, "));
  CHECK(contains(fitted, "id: mx-save-reload-api"));  // the pack's own file, rewritten with numbers
}

TEST_CASE("cli: check without an impact column is bad input, an item not among --issues is said", "[cli][check]") {
  TempFile none("c.csv",
                "item,rater,category,ui,model-info,model-operation,results\ni1,ann,wrong-shape,no,yes,no,no\n");
  auto r = silt("check " + none.str());
  CHECK(r.code == 3);
  CHECK(contains(r.err, "c.csv:1: no impact column"));
  CHECK_FALSE(contains(r.out, "level none"));
  TempFile some("d.csv",
                "item,rater,category,impact,ui,model-info,model-operation,results\n"
                "nowhere#1,ann,wrong-shape,2,no,yes,no,no\n");
  auto e = silt("check " + some.str() + " --issues tests/fixtures/labels-issues.jsonl");
  CHECK(contains(e.err, "nowhere#1 is not among the issues of --issues"));
}

TEST_CASE("cli: the table marks a loud bug and a label that needs review, as the text format says them",
          "[cli][table]") {
  TempFile loud(
      "loud.json",
      R"({"number": 9, "title": "reshape gives wrong shape", "body": "```\nTraceback (most recent call last):\n)"
      R"(ValueError: bad shape\n```", "url": "https://github.com/a/b/issues/9"})");
  TempFile plain("q.md", "How do I install it?\n\nOn Windows.\n");
  auto r = silt("classify -f table --color never " + loud.str() + " " + plain.str());
  CHECK(r.code == 0);
  auto line_of = [&](const std::string& id) {
    const auto at = r.out.find(id);
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
  };
  CHECK(contains(line_of("a/b#9"), "wrong-shape!"));
  CHECK(contains(line_of("q.md"), "*"));    // the fallback,
  CHECK(contains(line_of("q.md"), "?  "));  // which needs review
  CHECK_FALSE(contains(line_of("a/b#9"), "?"));
  CHECK(contains(r.out, "! = a loud bug"));
}

TEST_CASE("cli: triage takes Y and N, and a note that is a command letter when escaped with a backslash",
          "[cli][triage]") {
  TempFile one("one.jsonl", "{\"id\": \"i1\", \"title\": \"Unexpected output shape\", \"body\": \"x\"}\n");
  TempFile labels("l.csv", "");
  TempFile answers("a.txt", "Y\nN\nNo\nYES\n2\n\\s\n");
  auto r = silt("triage " + one.str() + " -o " + labels.str() + " --rater ann --answers " + answers.str());
  INFO(r.out);
  CHECK(r.code == 0);
  const std::string rows = slurp(labels.path);
  CHECK(contains(rows, "\ni1,ann,wrong-displayed-message,4,yes,no,no,yes,"));
  CHECK(contains(rows, ",s,"));  // the note "s", not a skip
}

TEST_CASE("cli: eval names the first 20 items without a gold label and counts the rest", "[cli][eval]") {
  std::string preds;
  for (int i = 0; i < 30; ++i)
    preds += "{\"id\": \"x" + std::to_string(i) +
             "\", \"title\": \"t\", \"category\": \"wrong-shape\", \"confidence\": 0.9, \"impact\": {\"level\": 2}}\n";
  TempFile p("p.jsonl", preds);
  TempFile g("g.csv", "id,category,impact\nx0,wrong-shape,2\n");
  auto r = silt("eval --gold " + g.str() + " " + p.str() + " --bootstrap 0");
  CHECK(r.code == 0);
  CHECK(contains(r.out, "29 prediction(s) without a gold label"));
  CHECK(contains(r.out, "no gold label: x20\n"));
  CHECK_FALSE(contains(r.out, "no gold label: x21\n"));
  CHECK(contains(r.out, "... and 9 more (--format json lists them all)"));
  auto j = nlohmann::json::parse(silt("eval --gold " + g.str() + " " + p.str() + " --bootstrap 0 -f json").out);
  CHECK(j["missing_in_gold"].size() == 29);
}

TEST_CASE("cli: a criterion named like an option has no flag of its own, and the help says how to answer it", "[cli]") {
  std::string text = slurp(fs::path(SILT_SOURCE_DIR) / "tests/fixtures/five-levels.yaml");
  for (auto at = text.find("silent-drift"); at != std::string::npos; at = text.find("silent-drift"))
    text.replace(at, std::string("silent-drift").size(), "label-all");
  TempFile tax("t.yaml", text);
  auto h = silt("classify --taxonomy " + tax.str() + " --help");
  CHECK(h.code == 0);
  CHECK(contains(h.out, "label-all has no --label-all flag"));
}

TEST_CASE("cli: a negative --top or --seed is a usage error, not a huge number", "[cli][agree]") {
  for (const std::string& args :
       {"agree tests/fixtures/labels.csv --top -1", "agree tests/fixtures/labels.csv --seed -1",
        "eval --gold tests/fixtures/eval-gold.csv tests/fixtures/eval-predictions.jsonl --seed -1"}) {
    INFO(args);
    auto r = silt(args);
    CHECK(r.code == 2);
    CHECK(contains(r.err, "takes 0 to"));
  }
  CHECK(silt("agree tests/fixtures/labels.csv --top 0 --bootstrap 0").code != 2);
}

TEST_CASE("cli: under -q, an exit 3 whose reasons were warnings says so in one line", "[cli]") {
  TempFile labels("q.csv", "item,rater,category\ni1,ann,wrong-shap\ni1,bob,wrong-shape\n");
  auto r = silt("agree " + labels.str() + " -q --bootstrap 0");
  CHECK(r.code == 3);
  CHECK(contains(r.err, "1 warning(s) not shown (-q)"));
  CHECK_FALSE(contains(r.err, "warning:"));  // the warning itself stays hidden
  auto clean = silt("classify -q examples/01-wrong-shape.md");
  CHECK(clean.code == 0);
  CHECK(clean.err.empty());
}

TEST_CASE("cli: --emit gh with another --format, and --label-all without gh output, are usage errors", "[cli][gh]") {
  for (const std::string& args :
       {"classify --emit gh -f json examples/01-wrong-shape.md", "classify --label-all examples/01-wrong-shape.md",
        "batch --emit gh -f csv tests/fixtures/eval-issues.jsonl",
        "batch --label-all tests/fixtures/eval-issues.jsonl"}) {
    INFO(args);
    auto r = silt(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
  }
  CHECK(silt("classify --emit gh --label-all examples/01-wrong-shape.md").code == 0);
  CHECK(silt("batch -q -f gh --label-all tests/fixtures/eval-issues.jsonl").code == 0);
}
