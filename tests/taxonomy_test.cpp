#include "silt/taxonomy.h"

#include "silt/builtin.h"
#include "taxonomy_json.h"

#include "test_support.h"

using namespace silt;
using silt::test::bits;
using silt::test::count_code;
using silt::test::find_code;

namespace {

// A minimal valid taxonomy with the given impact block, for the loader tests.
std::string with_impact(const std::string& impact) {
  return "schema: silt/taxonomy/v1\n"
         "fallback: a\n"
         "categories:\n"
         "  - {id: a, name: A}\n"
         "  - {id: b, name: B}\n" +
         impact;
}

const std::string two_by_two =
    "impact:\n"
    "  criteria:\n"
    "    - {id: p, question: 'P?'}\n"
    "    - {id: q, question: 'Q?'}\n"
    "  levels:\n"
    "    - {level: 1}\n"
    "    - {level: 2}\n";

Taxonomy load_ok(const std::string& yaml) {
  auto r = load_taxonomy(yaml, "t.yaml");
  for (const auto& d : r.diagnostics.all()) INFO(to_text(d));
  REQUIRE(r.taxonomy);
  return *r.taxonomy;
}

}  // namespace

TEST_CASE("the built-in matrix gives the study's level for all 16 combinations", "[taxonomy][matrix]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  REQUIRE(t->criteria.size() == 4);
  // Criteria in file order: ui, model-info, model-operation, results. Under the matrix
  // of domain.md, the level is set by the most severe criterion that holds.
  for (unsigned mask = 0; mask < 16; ++mask) {
    auto holds = bits(4, mask);
    auto level = t->decide(holds);
    INFO("mask " << mask);
    if (mask == 0) {
      CHECK_FALSE(level);  // meets no criterion: no level on the scale
      continue;
    }
    REQUIRE(level);
    int expected = holds[3] ? 4 : holds[2] ? 3 : holds[1] ? 2 : 1;
    CHECK(t->levels[*level].number == expected);
    CHECK(t->matching_levels(holds).size() == 1);  // the built-in matrix has no overlap
  }
}

TEST_CASE("the built-in taxonomy has the fixed ids and the fallback", "[taxonomy]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  std::vector<std::string> ids;
  for (const auto& c : t->categories) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"wrong-shape", "wrong-displayed-message", "wrong-parameter-setting",
                                        "wrong-save-reload", "performance-degradation", "wrong-structure",
                                        "wrong-calculation"});
  CHECK(t->categories[t->fallback].id == "wrong-calculation");
  CHECK(t->levels[2].threat == "high");
  CHECK(t->levels[1].threat == "low");
  CHECK(t->categories[0].where.line > 0);  // provenance kept
}

TEST_CASE("a user-written 3-criterion, 5-level matrix under hit policy first", "[taxonomy][matrix]") {
  auto r = load_taxonomy_file(SILT_TEST_FIXTURES "/five-levels.yaml");
  for (const auto& d : r.diagnostics.all()) INFO(to_text(d));
  REQUIRE(r.taxonomy);
  const Taxonomy& t = *r.taxonomy;
  REQUIRE(t.levels.size() == 5);
  CHECK(t.policy == HitPolicy::first);
  auto level_of = [&](bool cosmetic, bool drift, bool loss) -> int {
    auto l = t.decide({cosmetic, drift, loss});
    return l ? t.levels[*l].number : 0;
  };
  CHECK(level_of(true, false, false) == 1);
  CHECK(level_of(false, true, false) == 2);  // levels 2 and 3 match; first wins
  CHECK(t.matching_levels({false, true, false}).size() == 2);
  CHECK(level_of(true, true, false) == 2);   // level 3 forbids cosmetic
  CHECK(level_of(false, false, true) == 4);  // 4 and 5 match; first wins
  CHECK(level_of(false, true, true) == 5);   // 4 forbids drift
  CHECK(level_of(false, false, false) == 0);
}

TEST_CASE("hit policy highest picks the highest level number, not the last row", "[taxonomy][matrix]") {
  auto t = load_ok(with_impact(two_by_two + "  matrix:\n"
                                            "    p: [X, O]\n"
                                            "    q: [O, X]\n"));
  // levels in file order 1, 2; with p and q both holding both match.
  CHECK(t.matching_levels({true, true}).size() == 2);
  CHECK(t.levels[*t.decide({true, true})].number == 2);
}

TEST_CASE("lint finds nothing in the built-in matrix", "[taxonomy][lint]") {
  auto t = silt::test::builtin_taxonomy_loaded();
  CHECK(lint(*t).empty());
}

TEST_CASE("lint finds a planted gap", "[taxonomy][lint]") {
  // q alone matches no level: level 1 needs p, level 2 needs p and q.
  auto t = load_ok(with_impact(two_by_two + "  matrix:\n"
                                            "    p: [X, X]\n"
                                            "    q: [\"-\", X]\n"));
  auto fs = lint(t);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].kind == LintFinding::Kind::gap);
  CHECK(fs[0].holds == std::vector<bool>{false, true});
}

TEST_CASE("lint finds a level that a bug meeting no criterion gets", "[taxonomy][lint]") {
  // Level 1 has no X: with neither p nor q, it matches. The README says such a bug has
  // no level; lint says when a matrix of one's own gives one.
  auto t = load_ok(with_impact(two_by_two + "  matrix:\n"
                                            "    p: [O, X]\n"
                                            "    q: [\"-\", O]\n"));
  CHECK(t.decide({false, false}));
  bool unmet = false;
  for (const auto& f : lint(t))
    if (f.kind == LintFinding::Kind::unmet) {
      unmet = true;
      CHECK(f.holds == std::vector<bool>{false, false});
      CHECK(t.levels[*f.chosen].number == 1);
    }
  CHECK(unmet);
}

TEST_CASE("lint finds a planted overlap and a level it masks", "[taxonomy][lint]") {
  // Level 1 (p: X, q: O) and level 2 (p: X, q: O) match the same combinations; highest
  // always picks 2, so 1 is masked.
  auto t = load_ok(with_impact(two_by_two + "  matrix:\n"
                                            "    p: [X, X]\n"
                                            "    q: [O, O]\n"));
  auto fs = lint(t);
  std::size_t gaps = 0, overlaps = 0, masked = 0;
  for (const auto& f : fs) {
    gaps += f.kind == LintFinding::Kind::gap;
    overlaps += f.kind == LintFinding::Kind::overlap;
    if (f.kind == LintFinding::Kind::masked) {
      ++masked;
      CHECK(t.levels[f.levels[0]].number == 1);
    }
    if (f.kind == LintFinding::Kind::overlap) {
      CHECK(f.levels.size() == 2);
      CHECK(t.levels[*f.chosen].number == 2);
    }
  }
  CHECK(gaps == 1);      // q alone
  CHECK(overlaps == 2);  // {p}, {p, q}
  CHECK(masked == 1);
}

TEST_CASE("under hit policy unique an overlap is a load error", "[taxonomy][loader]") {
  auto r = load_taxonomy(with_impact(two_by_two + "  matrix:\n"
                                                  "    p: [X, X]\n"
                                                  "    q: [O, O]\n"
                                                  "  hit_policy: unique\n"),
                         "t.yaml");
  CHECK_FALSE(r.taxonomy);
  auto d = find_code(r.diagnostics, "matrix-overlap");
  REQUIRE(d);
  CHECK(d->where.line == 14);  // the matrix
}

TEST_CASE("loader reports each error with its line and column", "[taxonomy][loader]") {
  SECTION("matrix row of the wrong length") {
    auto r = load_taxonomy(with_impact(two_by_two + "  matrix:\n"
                                                    "    p: [X, O, O]\n"
                                                    "    q: [\"-\", X]\n"),
                           "t.yaml");
    CHECK_FALSE(r.taxonomy);
    auto d = find_code(r.diagnostics, "matrix-row-length");
    REQUIRE(d);
    CHECK(d->where.line == 14);
    CHECK(d->where.column == 8);
    CHECK(d->subject == "p");
    CHECK(d->source_line == "    p: [X, O, O]");
  }
  SECTION("a cell other than X, O, -") {
    auto r = load_taxonomy(with_impact(two_by_two + "  matrix:\n"
                                                    "    p: [X, O]\n"
                                                    "    q: [Y, X]\n"),
                           "t.yaml");
    auto d = find_code(r.diagnostics, "matrix-bad-cell");
    REQUIRE(d);
    CHECK(d->where.line == 15);
    CHECK(d->where.column == 9);
  }
  SECTION("an unknown criterion in the matrix, and the row then missing") {
    auto r = load_taxonomy(with_impact(two_by_two + "  matrix:\n"
                                                    "    p: [X, O]\n"
                                                    "    qq: [\"-\", X]\n"),
                           "t.yaml");
    auto d = find_code(r.diagnostics, "unknown-criterion");
    REQUIRE(d);
    CHECK(d->where.line == 15);
    CHECK(d->hint.find("'q'") != std::string::npos);
    CHECK(find_code(r.diagnostics, "matrix-missing-row"));
  }
  SECTION("a fallback that is not a category") {
    auto r = load_taxonomy("schema: silt/taxonomy/v1\nfallback: c\ncategories:\n  - {id: a, name: A}\n" + two_by_two +
                               "  matrix:\n    p: [X, O]\n    q: [\"-\", X]\n",
                           "t.yaml");
    auto d = find_code(r.diagnostics, "fallback-not-category");
    REQUIRE(d);
    CHECK(d->where.line == 2);
    CHECK(d->where.column == 11);
  }
  SECTION("a missing key") {
    auto r = load_taxonomy(with_impact(two_by_two + "  hit_policy: highest\n"), "t.yaml");
    auto d = find_code(r.diagnostics, "missing-key");
    REQUIRE(d);
    CHECK(d->message.find("matrix") != std::string::npos);
    CHECK(d->where.line == 7);  // the impact map
  }
  SECTION("an unknown key, with a suggestion") {
    auto r = load_taxonomy(with_impact(two_by_two + "  matrix:\n"
                                                    "    p: [X, O]\n"
                                                    "    q: [\"-\", X]\n"
                                                    "  hit_polcy: first\n"),
                           "t.yaml");
    auto d = find_code(r.diagnostics, "unknown-key");
    REQUIRE(d);
    CHECK(d->where.line == 16);
    CHECK(d->where.column == 3);
    CHECK(d->hint == "did you mean 'hit_policy'?");
  }
  SECTION("a YAML syntax error") {
    auto r = load_taxonomy("schema: silt/taxonomy/v1\ncategories: [a, b\nfallback: a\n", "t.yaml");
    CHECK_FALSE(r.taxonomy);
    auto d = find_code(r.diagnostics, "yaml-syntax");
    REQUIRE(d);
    CHECK(d->where.line == 3);  // where yaml-cpp finds the unclosed '[' cannot go on
    CHECK(d->where.column == 9);
    CHECK(d->message == "end of sequence flow not found");
  }
  SECTION("a duplicate category id") {
    auto r = load_taxonomy(
        "schema: silt/taxonomy/v1\nfallback: a\ncategories:\n  - {id: a, name: A}\n"
        "  - {id: a, name: A again}\n" +
            two_by_two + "  matrix:\n    p: [X, O]\n    q: [\"-\", X]\n",
        "t.yaml");
    auto d = find_code(r.diagnostics, "duplicate-id");
    REQUIRE(d);
    CHECK(d->where.line == 5);
  }
  SECTION("a wrong or missing schema") {
    auto r = load_taxonomy("schema: silt/rules/v1\n", "t.yaml");
    CHECK(find_code(r.diagnostics, "bad-schema"));
    auto r2 = load_taxonomy("fallback: a\n", "t.yaml");
    CHECK(find_code(r2.diagnostics, "missing-key"));
  }
  SECTION("an unknown hit policy") {
    auto r = load_taxonomy(
        with_impact(two_by_two + "  matrix:\n    p: [X, O]\n    q: [\"-\", X]\n  hit_policy: best\n"), "t.yaml");
    CHECK(find_code(r.diagnostics, "bad-hit-policy"));
  }
}

TEST_CASE("loader collects every finding instead of stopping at the first", "[taxonomy][loader]") {
  auto r = load_taxonomy("schema: silt/taxonomy/v1\nfallback: zz\ncategories:\n  - {id: a, name: A, colour: red}\n" +
                             two_by_two + "  matrix:\n    p: [X, O, O]\n    q: [\"-\", W]\n",
                         "t.yaml");
  CHECK(count_code(r.diagnostics, "unknown-key") == 1);
  CHECK(count_code(r.diagnostics, "fallback-not-category") == 1);
  CHECK(count_code(r.diagnostics, "matrix-row-length") == 1);
  CHECK(count_code(r.diagnostics, "matrix-bad-cell") == 1);
  CHECK(r.diagnostics.error_count() == 4);
}

TEST_CASE("an unreadable taxonomy file is a finding, not an exception", "[taxonomy][loader]") {
  auto r = load_taxonomy_file("/nonexistent/silt/taxonomy.yaml");
  CHECK_FALSE(r.taxonomy);
  CHECK(find_code(r.diagnostics, "unreadable-file"));
}

TEST_CASE("a category's implies must name criteria", "[taxonomy][loader]") {
  auto r =
      load_taxonomy("schema: silt/taxonomy/v1\nfallback: a\ncategories:\n  - {id: a, name: A, implies: [p, zz]}\n" +
                        two_by_two + "  matrix:\n    p: [X, O]\n    q: [\"-\", X]\n",
                    "t.yaml");
  CHECK_FALSE(r.taxonomy);
  auto d = find_code(r.diagnostics, "unknown-criterion");
  REQUIRE(d);
  CHECK(d->where.line == 4);
  CHECK(d->subject == "a");
  auto ok = load_ok("schema: silt/taxonomy/v1\nfallback: a\ncategories:\n  - {id: a, name: A, implies: [q]}\n" +
                    two_by_two + "  matrix:\n    p: [X, O]\n    q: [\"-\", X]\n");
  CHECK(ok.categories[0].implies == std::vector<std::size_t>{1});
}

TEST_CASE("the built-in taxonomy is read from the JSON the build wrote, and is the YAML's", "[taxonomy]") {
  const auto b = builtin_taxonomy();
  const std::string name(b.name);
  REQUIRE_FALSE(silt::detail::builtin_taxonomy_json(name).empty());
  REQUIRE(silt::detail::taxonomy_from_json(silt::detail::builtin_taxonomy_json(name)));  // it reads
  auto fast = load_taxonomy(b.text, name);                                               // the embedded JSON
  auto slow = load_taxonomy(b.text, "a-copy.yaml");  // the same text under another name: YAML
  REQUIRE(fast.taxonomy);
  REQUIRE(slow.taxonomy);
  CHECK(fast.diagnostics.empty());
  CHECK(slow.diagnostics.empty());
  slow.taxonomy->file = name;          // the only difference: where it was read from...
  for (auto* t : {&*slow.taxonomy}) {  // ...and so each place's file name
    for (auto& c : t->categories) c.where.file = name;
    for (auto& c : t->criteria) c.where.file = name;
    for (auto& l : t->levels) l.where.file = name;
  }
  CHECK(silt::detail::taxonomy_to_json(*fast.taxonomy) == silt::detail::taxonomy_to_json(*slow.taxonomy));
  CHECK(fast.taxonomy->categories.size() == 7);
  CHECK(fast.taxonomy->criteria.size() == 4);
  CHECK(fast.taxonomy->categories[0].where.line > 0);  // places kept: diagnostics and lint cite them
  // An edited text is read as YAML again, with its findings.
  std::string edited(b.text);
  edited += "\nunknown_key: 1\n";
  auto changed = load_taxonomy(edited, name);
  CHECK_FALSE(changed.diagnostics.empty());
}

TEST_CASE("taxonomy JSON: what does not read back is refused, indices checked", "[taxonomy]") {
  const auto b = builtin_taxonomy();
  auto loaded = load_taxonomy(b.text, "t.yaml");
  REQUIRE(loaded.taxonomy);
  const std::string json = silt::detail::taxonomy_to_json(*loaded.taxonomy);
  auto back = silt::detail::taxonomy_from_json(json);
  REQUIRE(back);
  CHECK(silt::detail::taxonomy_to_json(*back) == json);
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = json;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  CHECK_FALSE(silt::detail::taxonomy_from_json(edit("\"fallback\":", "\"fallback\":99,\"x\":")));
  CHECK_FALSE(silt::detail::taxonomy_from_json(edit("\"policy\":", "\"policy\":7,\"x\":")));
  CHECK_FALSE(silt::detail::taxonomy_from_json(edit("\"implies\":[", "\"implies\":[40],\"y\":[")));
  CHECK_FALSE(silt::detail::taxonomy_from_json(edit("\"cells\":[[", "\"cells\":[[0,")));  // a row too long
  CHECK_FALSE(silt::detail::taxonomy_from_json(edit("\"cells\":[[", "\"cells\":[[9,")));
  CHECK_FALSE(silt::detail::taxonomy_from_json(json.substr(0, json.size() / 2)));
  CHECK_FALSE(silt::detail::taxonomy_from_json("[]"));
}

TEST_CASE("a label name given to two categories or levels, or all spaces, is a bad-label finding", "[taxonomy]") {
  auto b = builtin_taxonomy();
  std::string text(b.text);
  const std::string first = "  - id: wrong-shape\n";
  const auto at = text.find(first);
  REQUIRE(at != std::string::npos);
  std::string dup = text;
  dup.insert(at + first.size(), "    label: {name: 'impact:1'}\n");  // a level's default label
  auto t = load_taxonomy(dup, "t.yaml");
  CHECK_FALSE(t.taxonomy);
  const Diagnostic* d = silt::test::find_code(t.diagnostics, "bad-label");
  REQUIRE(d);
  CHECK(d->message.find("'impact:1' is category wrong-shape's too") != std::string::npos);
  std::string blank = text;
  blank.insert(at + first.size(), "    label: {name: '   '}\n");
  CHECK(silt::test::find_code(load_taxonomy(blank, "t.yaml").diagnostics, "bad-label"));
  CHECK(load_taxonomy(text, "t.yaml").taxonomy);
}
