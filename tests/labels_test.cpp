#include "silt/labels.h"

#include "test_support.h"

using namespace silt;

namespace {

Classification result(std::string id, std::string category, std::optional<int> level) {
  Classification c;
  c.id = std::move(id);
  c.category = std::move(category);
  c.level = level;
  return c;
}

}  // namespace

TEST_CASE("labels: shell quoting keeps safe words and single-quotes the rest", "[labels]") {
  CHECK(shell_quote("silent:wrong-shape") == "silent:wrong-shape");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
  CHECK(shell_quote("") == "''");
}

TEST_CASE("labels: the default label of each category and level", "[labels]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  CHECK(t->categories[0].label.name == "silent:wrong-shape");
  CHECK(t->categories[0].label.color == "d93f0b");
  CHECK(t->categories[0].label.description.size() <= 100);
  CHECK(t->levels[3].label.name == "impact:4");
  CHECK(t->levels[3].label.color == "b60205");  // high threat
  CHECK(t->levels[0].label.color == "fbca04");  // low threat
  auto cmds = gh_label_create_commands(*t, "o/r");
  CHECK(std::count(cmds.begin(), cmds.end(), '\n') == 11);  // 7 categories, 4 levels
  CHECK(cmds.rfind("gh label create silent:wrong-shape --repo o/r --color d93f0b --description '", 0) == 0);
}

TEST_CASE("labels: gh issue edit for a known issue, a comment line for the others", "[labels]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  auto ok = gh_issue_edit(result("o/r#12", "wrong-shape", 2), *t, false);
  CHECK(ok.labeled);
  CHECK(ok.line == "gh issue edit 12 --repo o/r --add-label silent:wrong-shape,impact:2\n");
  auto no_level = gh_issue_edit(result("o/r#12", "wrong-shape", std::nullopt), *t, false);
  CHECK(no_level.line == "gh issue edit 12 --repo o/r --add-label silent:wrong-shape\n");
  auto unknown = gh_issue_edit(result("notes.md", "wrong-shape", 2), *t, false);
  CHECK_FALSE(unknown.labeled);
  CHECK(unknown.line == "# notes.md: no repository and issue number known; no label\n");
  auto review = result("o/r#3", "wrong-shape", 2);
  review.needs_review = true;
  CHECK_FALSE(gh_issue_edit(review, *t, false).labeled);
  CHECK(gh_issue_edit(review, *t, true).labeled);
  auto loud = result("o/r#4", "wrong-shape", 2);
  loud.silent = false;
  CHECK(gh_issue_edit(loud, *t, false).line.find("loud bug") != std::string::npos);
  CHECK(gh_issue_edit(loud, *t, true).labeled);
}

TEST_CASE("labels: the taxonomy may name its own labels, GitHub's limits are checked", "[labels][loader]") {
  auto ok = load_taxonomy_file(SILT_TEST_FIXTURES "/labels-taxonomy.yaml");
  for (const auto& d : ok.diagnostics.all()) INFO(to_text(d));
  REQUIRE(ok.taxonomy);
  CHECK(ok.taxonomy->categories[0].label.name == "bug: numbers");
  CHECK(ok.taxonomy->categories[0].label.description == "Numbers that are off, it's said");
  auto bad = load_taxonomy(
      "schema: silt/taxonomy/v1\nfallback: a\ncategories:\n  - {id: a, name: A, label: {name: x, color: '#ff0000'}}\n"
      "impact:\n  criteria: [{id: p, question: P}]\n  levels: [{level: 1}]\n  matrix: {p: [X]}\n",
      "t.yaml");
  CHECK_FALSE(bad.taxonomy);
  auto d = silt::test::find_code(bad.diagnostics, "bad-label");
  REQUIRE(d);
  CHECK(d->where.line == 4);
}

TEST_CASE("labels: an id that is not OWNER/REPO#N can never put a command in the gh output", "[labels][security]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  for (const char* id : {"x\ntouch PWNED #", "o/r#7\ntouch PWNED", "o;touch PWNED;/r#8", "o/r#8;touch PWNED", "o/r\r#9",
                         "-o/r#1", "o/..#1"}) {
    auto e = gh_issue_edit(result(id, "wrong-shape", 2), *t, true);
    INFO(e.line);
    CHECK_FALSE(e.labeled);
    CHECK(e.line.rfind("# ", 0) == 0);
    CHECK(std::count(e.line.begin(), e.line.end(), '\n') == 1);
    CHECK(e.line.back() == '\n');
    CHECK(e.line.find('\r') == std::string::npos);
  }
  CHECK(gh_issue_edit(result("x\ny#1", "wrong-shape", 2), *t, true).line.find("x\\x0ay") != std::string::npos);
}

TEST_CASE("labels: repositories in GitHub's characters", "[labels]") {
  CHECK(valid_repo("tensorflow/tensorflow"));
  CHECK(valid_repo("keras-team/keras"));
  CHECK(valid_repo("huggingface/transformers.js"));
  CHECK(valid_repo("a/b_c-d.e"));
  CHECK_FALSE(valid_repo("notarepo"));
  CHECK_FALSE(valid_repo("a/b/c"));
  CHECK_FALSE(valid_repo("-a/b"));
  CHECK_FALSE(valid_repo("a--b/c"));
  CHECK_FALSE(valid_repo("a/."));
  CHECK_FALSE(valid_repo("a/b c"));
  CHECK_FALSE(valid_repo("a/b;c"));
  CHECK_FALSE(valid_repo("a/b\n"));
}

TEST_CASE("labels: a label name with a comma or a line break is refused", "[labels][loader]") {
  for (const char* name : {"'a,b'", "\"a\\nb\""}) {
    auto bad = load_taxonomy(std::string("schema: silt/taxonomy/v1\nfallback: a\ncategories:\n  - {id: a, name: A, "
                                         "label: {name: ") +
                                 name +
                                 "}}\nimpact:\n  criteria: [{id: p, question: P}]\n  levels: [{level: 1}]\n  matrix: "
                                 "{p: [X]}\n",
                             "t.yaml");
    CHECK_FALSE(bad.taxonomy);
    CHECK(silt::test::find_code(bad.diagnostics, "bad-label"));
  }
}

TEST_CASE("labels: silt's own labels the reading no longer gives are removed, no one else's", "[labels]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  // The issue carries an old reading (wrong-shape, level 2), its new labels already, and
  // labels that are not the taxonomy's (kept whatever they look like).
  const std::string carried = "type:bug\nsilent:wrong-shape\nimpact:2\nsilent:wrong-save-reload\nSilent:Wrong-Shape";
  auto e = gh_issue_edit(result("o/r#7", "wrong-save-reload", 4), *t, false, carried);
  CHECK(e.line ==
        "gh issue edit 7 --repo o/r --add-label silent:wrong-save-reload,impact:4 --remove-label "
        "silent:wrong-shape,impact:2\n");
  // Nothing stale: no --remove-label at all.
  auto same = gh_issue_edit(result("o/r#7", "wrong-save-reload", 4), *t, false, "silent:wrong-save-reload\nimpact:4");
  CHECK(same.line == "gh issue edit 7 --repo o/r --add-label silent:wrong-save-reload,impact:4\n");
  // A reading without a level takes off a level label an earlier reading left.
  auto no_level = gh_issue_edit(result("o/r#7", "wrong-shape", std::nullopt), *t, false, "impact:3");
  CHECK(no_level.line == "gh issue edit 7 --repo o/r --add-label silent:wrong-shape --remove-label impact:3\n");
}
