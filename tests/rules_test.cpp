#include "silt/rules.h"

#include <re2/re2.h>

#include "rules_spec.h"
#include "test_support.h"

using namespace silt;
using silt::test::find_code;

namespace {

const Taxonomy& tax() {
  static auto t = silt::test::builtin_taxonomy_loaded();
  return *t;
}

RuleSet load_ok(const std::string& yaml) {
  auto r = load_rules(yaml, "r.yaml", tax());
  for (const auto& d : r.diagnostics.all()) INFO(to_text(d));
  REQUIRE(r.rules);
  return *r.rules;
}

Issue issue(const std::string& title, const std::string& body) {
  Issue i;
  i.title = title;
  i.body = body;
  i.join_lists();
  return i;
}

const char* head = "schema: silt/rules/v1\nrules:\n";

// What lint names shadowed, as "RULE by OTHER".
std::vector<std::string> shadowed_of(const RuleSet& rules) {
  std::vector<std::string> out;
  for (const auto& f : lint_rules(rules, tax()))
    if (f.code == "shadowed") out.push_back(f.subject + " by " + f.other);
  return out;
}

}  // namespace

TEST_CASE("the built-in rules pass their own tests", "[rules]") {
  auto rules = silt::test::builtin_rules_loaded(tax());
  auto failures = rules->run_tests();
  for (const auto& f : failures) INFO(f.rule << ": " << f.test.text);
  CHECK(failures.empty());
  CHECK(rules->test_count() >= 2 * rules->rules().size());
}

TEST_CASE("the built-in rules cover every category and every criterion", "[rules]") {
  auto rules = silt::test::builtin_rules_loaded(tax());
  for (const auto& c : tax().categories) {
    bool found = false;
    for (const auto& r : rules->rules()) found |= r.kind == TargetKind::category && r.target == c.id;
    INFO(c.id);
    CHECK(found);
  }
  for (const auto& c : tax().criteria) {
    bool found = false;
    for (const auto& r : rules->rules()) found |= r.kind == TargetKind::criterion && r.target == c.id;
    INFO(c.id);
    CHECK(found);
  }
  for (std::size_t i = 0; i < rules->rules().size(); ++i) {
    INFO(rules->rules()[i].id);
    CHECK(!rules->tests(i).empty());
  }
}

TEST_CASE("a rule reports the field and byte offsets of its first match", "[rules][match]") {
  auto rules = load_ok(std::string(head) +
                       "  - id: bar\n"
                       "    category: wrong-displayed-message\n"
                       "    pattern: 'progress bar'\n");
  auto hits = rules.match(issue("Bad Progress Bar", "the progress bar and the progress bar"));
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].field == "title");
  CHECK(hits[0].start == 4);
  CHECK(hits[0].end == 16);
  CHECK(hits[1].field == "body");
  CHECK(hits[1].start == 4);
}

TEST_CASE("rules are case-insensitive unless they say otherwise", "[rules][match]") {
  auto rules = load_ok(std::string(head) +
                       "  - id: nan\n"
                       "    category: wrong-calculation\n"
                       "    pattern: 'NaN'\n"
                       "    case_sensitive: true\n"
                       "  - id: any\n"
                       "    category: wrong-calculation\n"
                       "    pattern: 'loss'\n");
  CHECK_FALSE(rules.fires(0, "nancy"));
  CHECK(rules.fires(0, "a NaN"));
  CHECK(rules.fires(1, "LOSS"));
  // The prefilter set must agree with the single patterns.
  CHECK(rules.match(issue("", "nancy LOSS")).size() == 1);
}

TEST_CASE("the prefilter agrees with the patterns on text beyond ASCII", "[rules][match]") {
  // ASCII text is scanned by a Latin-1 set, other text by a UTF-8 one: a class with a
  // multi-byte character and a counted repeat over multi-byte characters must still
  // match there as the rule's own pattern does.
  auto rules = load_ok(std::string(head) +
                       "  - id: size\n"
                       "    category: wrong-shape\n"
                       "    pattern: '\\d[x\u00d7]\\d'\n"
                       "  - id: near\n"
                       "    category: wrong-shape\n"
                       "    pattern: 'a[^.\\n]{0,3}b'\n"
                       "  - id: fold\n"
                       "    category: wrong-shape\n"
                       "    pattern: 'mask'\n");
  auto fired = [&](const std::string& body) {
    std::vector<std::string> ids;
    for (const auto& h : rules.match(issue("", body))) ids.push_back(rules.rules()[h.rule].id);
    return ids;
  };
  using V = std::vector<std::string>;
  CHECK(fired("4x4") == V{"size"});
  CHECK(fired("4\u00d74") == V{"size"});
  CHECK(fired("a\u2019\u2019b") == V{"near"});  // two characters, six bytes
  CHECK(fired("a....b").empty());
  CHECK(fired("axxxxb").empty());
  CHECK(fired("MASK") == V{"fold"});
  CHECK(fired("\u00e9 MASK") == V{"fold"});
  CHECK(rules.fires(0, "4\u00d74"));
  CHECK(rules.fires(1, "a\u2019\u2019b"));
}

TEST_CASE("a rule's own pattern matches ASCII and other text alike, at the same places", "[rules][match]") {
  // A rule's RE2 is compiled for Latin-1 to read ASCII text: a pattern with a character
  // over U+007F written as such, or an escape Latin-1 cannot read, must take UTF-8 there,
  // and other text must take UTF-8 (the Kelvin sign folds to k only in Unicode).
  auto rules = load_ok(std::string(head) +
                       "  - id: cant\n"
                       "    category: wrong-calculation\n"
                       "    pattern: 'can\u2019?t see'\n"
                       "  - id: quote\n"
                       "    category: wrong-calculation\n"
                       "    pattern: '(\\x{201C}|\")word'\n"
                       "  - id: kelvin\n"
                       "    category: wrong-calculation\n"
                       "    pattern: 'kelvin\\w*'\n"
                       "    unless: 'not\\s+\\w+\\s+kelvin'\n");
  CHECK(rules.fires(0, "I cant see it"));  // Latin-1 would read `’?` as its last byte made optional
  CHECK(rules.fires(0, "I can\u2019t see it"));
  CHECK(rules.fires(1, "the \"word"));  // Latin-1 cannot parse \x{201C}
  CHECK(rules.fires(1, "the \u201cword"));
  CHECK(rules.fires(2, "KELVINS"));
  CHECK(rules.fires(2, "\u212aelvins"));
  CHECK_FALSE(rules.fires(2, "not in \u212aelvin"));
  CHECK_FALSE(rules.fires(2, "not in kelvin"));
  std::size_t s = 0, e = 0;
  const std::string ascii = "It is not in kelvin. Now kelvins!";
  REQUIRE(rules.find_firing(2, ascii, s, e));
  CHECK(ascii.substr(s, e - s) == "kelvins");
  const std::string other = "It is not in kelvin. Now \u212aelvins!";
  REQUIRE(rules.find_firing(2, other, s, e));
  CHECK(other.substr(s, e - s) == "\u212aelvins");
  // Through match() too: one field ASCII, the other not.
  auto hits = rules.match(issue("cant see", "I can\u2019t see it"));
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].start == 0);
  CHECK(hits[1].start == 2);
  CHECK(hits[1].end == 2 + std::string("can\u2019t see").size());
}

TEST_CASE("unless discards a match whose sentence matches it, and keeps later ones", "[rules][match]") {
  auto rules = load_ok(std::string(head) +
                       "  - id: same\n"
                       "    criterion: results\n"
                       "    pattern: 'same accuracy'\n"
                       "    unless: 'should'\n");
  CHECK_FALSE(rules.fires(0, "It should give the same accuracy."));
  CHECK(rules.fires(0, "It should work. It gives the same accuracy."));
  std::size_t s = 0, e = 0;
  std::string text = "It should give the same accuracy. Here: same accuracy.";
  REQUIRE(rules.find_firing(0, text, s, e));
  CHECK(text.substr(s, e - s) == "same accuracy");
  CHECK(s == 40);
}

TEST_CASE("sentences end at line breaks and at . ! ? before a space, not inside model.fit()", "[rules]") {
  std::string text = "First one. Then model.fit() runs! Last\nline";
  auto at = text.find("fit");
  CHECK(sentence_around(text, at, at + 3) == "Then model.fit() runs!");
  auto last = text.find("Last");
  CHECK(sentence_around(text, last, last + 4) == "Last\n");
}

TEST_CASE("rules look only at the fields named in `in`", "[rules][match]") {
  auto rules = load_ok(std::string(head) +
                       "  - id: t\n"
                       "    category: wrong-shape\n"
                       "    pattern: 'shape'\n"
                       "    in: [title]\n"
                       "  - id: l\n"
                       "    category: wrong-shape\n"
                       "    pattern: 'shape'\n"
                       "    in: [labels]\n");
  Issue i = issue("nothing", "shape");
  i.labels = {"comp:keras", "type:shape"};
  i.join_lists();
  auto hits = rules.match(i);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].rule == 1);
  CHECK(hits[0].field == "labels");
  CHECK(i.field("labels").substr(hits[0].start, 5) == "shape");
}

TEST_CASE("field weights come from the file, 1 when unlisted", "[rules]") {
  auto rules = load_ok(
      "schema: silt/rules/v1\nfields:\n  title: 3\nrules:\n"
      "  - {id: x, category: wrong-shape, pattern: 'x'}\n");
  CHECK(rules.field_weight("title") == 3.0);
  CHECK(rules.field_weight("body") == 1.0);
}

TEST_CASE("rule loader reports each error with its line", "[rules][loader]") {
  SECTION("unknown category, with a suggestion") {
    auto r = load_rules(std::string(head) + "  - id: a\n    category: wrong-shapes\n    pattern: x\n", "r.yaml", tax());
    CHECK_FALSE(r.rules);
    auto d = find_code(r.diagnostics, "unknown-category");
    REQUIRE(d);
    CHECK(d->where.line == 4);
    CHECK(d->where.column == 15);
    CHECK(d->subject == "a");
    CHECK(d->hint == "did you mean 'wrong-shape'?");
  }
  SECTION("unknown criterion") {
    auto r = load_rules(std::string(head) + "  - id: a\n    criterion: uix\n    pattern: x\n", "r.yaml", tax());
    auto d = find_code(r.diagnostics, "unknown-criterion");
    REQUIRE(d);
    CHECK(d->where.line == 4);
  }
  SECTION("duplicate rule id") {
    auto r = load_rules(std::string(head) +
                            "  - {id: a, category: wrong-shape, pattern: x}\n"
                            "  - {id: a, category: wrong-shape, pattern: y}\n",
                        "r.yaml", tax());
    auto d = find_code(r.diagnostics, "duplicate-id");
    REQUIRE(d);
    CHECK(d->where.line == 4);
  }
  SECTION("a pattern RE2 rejects, with RE2's message") {
    auto r =
        load_rules(std::string(head) + "  - id: a\n    category: wrong-shape\n    pattern: '(ab'\n", "r.yaml", tax());
    auto d = find_code(r.diagnostics, "bad-pattern");
    REQUIRE(d);
    CHECK(d->where.line == 5);
    CHECK(d->where.column == 14);
    CHECK(d->message.find("missing )") != std::string::npos);
  }
  SECTION("a backreference, which RE2 does not support") {
    auto r = load_rules(std::string(head) + "  - id: a\n    category: wrong-shape\n    pattern: '(a)\\1'\n", "r.yaml",
                        tax());
    CHECK(find_code(r.diagnostics, "bad-pattern"));
  }
  SECTION("a missing pattern") {
    auto r = load_rules(std::string(head) + "  - id: a\n    category: wrong-shape\n", "r.yaml", tax());
    auto d = find_code(r.diagnostics, "missing-key");
    REQUIRE(d);
    CHECK(d->message.find("pattern") != std::string::npos);
    CHECK(d->where.line == 3);
  }
  SECTION("no target, or two") {
    auto r = load_rules(std::string(head) + "  - {id: a, pattern: x}\n", "r.yaml", tax());
    CHECK(find_code(r.diagnostics, "missing-key"));
    auto r2 = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, criterion: ui, pattern: x}\n",
                         "r.yaml", tax());
    CHECK(find_code(r2.diagnostics, "two-targets"));
  }
  SECTION("an unknown key and an unknown field") {
    auto r = load_rules(
        std::string(head) + "  - id: a\n    category: wrong-shape\n    pattern: x\n    wieght: 2\n    in: [titel]\n",
        "r.yaml", tax());
    auto d = find_code(r.diagnostics, "unknown-key");
    REQUIRE(d);
    CHECK(d->where.line == 6);
    CHECK(d->hint == "did you mean 'weight'?");
    auto f = find_code(r.diagnostics, "unknown-field");
    REQUIRE(f);
    CHECK(f->where.line == 7);
  }
  SECTION("two rules merged by a missing id line: each repeated key is named, with the first's line") {
    auto r = load_rules(std::string(head) +
                            "  - id: a\n    category: wrong-shape\n    pattern: x\n"
                            "    category: wrong-calculation\n    pattern: y\n",
                        "r.yaml", tax());
    CHECK_FALSE(r.rules);
    auto d = find_code(r.diagnostics, "duplicate-key");
    REQUIRE(d);
    CHECK(d->where.line == 6);
    CHECK(d->message == "key 'category' appears twice in a rule (first on line 4)");
    auto w = load_rules("schema: silt/rules/v1\nfields: {title: 2, title: 3}\nrules: []\n", "r.yaml", tax());
    CHECK(find_code(w.diagnostics, "duplicate-key"));
  }
  SECTION("a pattern that matches the empty text") {
    auto r = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: 'x*'}\n", "r.yaml", tax());
    CHECK(find_code(r.diagnostics, "empty-match"));
  }
  SECTION("a pattern that matches the empty text, in a file with other errors: every finding at once") {
    auto r = load_rules(std::string(head) +
                            "  - {id: a, category: wrong-shape, pattern: '(foo)?'}\n"
                            "  - {id: b, category: wrong-shape, pattern: 'shape ('}\n"
                            "  - {id: c, category: wrong-shape, pattern: x, unless: 'y*'}\n",
                        "r.yaml", tax());
    CHECK_FALSE(r.rules);
    CHECK(find_code(r.diagnostics, "bad-pattern"));
    CHECK(silt::test::count_code(r.diagnostics, "empty-match") == 2);  // a's pattern, c's unless
    const Diagnostic* d = find_code(r.diagnostics, "empty-match");
    REQUIRE(d);
    CHECK(d->subject == "a");
    CHECK(d->where.line == 3);
  }
  SECTION("a boilerplate pattern that matches the empty text (it dropped every paragraph)") {
    auto r = load_rules("schema: silt/rules/v1\nboilerplate: ['^thanks', '.*']\nrules: []\n", "r.yaml", tax());
    CHECK_FALSE(r.rules);
    const Diagnostic* d = find_code(r.diagnostics, "empty-match");
    REQUIRE(d);
    CHECK(d->subject == ".*");
    CHECK(silt::test::count_code(r.diagnostics, "empty-match") == 1);
  }
  SECTION("a weight that is not a number") {
    auto r = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: x, weight: heavy}\n", "r.yaml",
                        tax());
    CHECK(find_code(r.diagnostics, "bad-type"));
  }
  SECTION("a weight that is not finite: YAML's .nan and .inf are numbers, not weights") {
    for (const char* w : {".nan", ".inf", "-.inf", ".NaN"}) {
      CAPTURE(w);
      auto r = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: x, weight: " + w + "}\n",
                          "r.yaml", tax());
      CHECK_FALSE(r.rules);
      const Diagnostic* d = find_code(r.diagnostics, "bad-type");
      REQUIRE(d);
      CHECK(d->message.find("finite number") != std::string::npos);
      CHECK(d->where.line == 3);
    }
    auto m = load_rules("schema: silt/rules/v1\nreview: {min_confidence: .nan}\nrules: []\n", "r.yaml", tax());
    CHECK(find_code(m.diagnostics, "bad-type"));
  }
  SECTION("YAML syntax error") {
    auto r = load_rules("schema: silt/rules/v1\nrules:\n  - id: [a\n", "r.yaml", tax());
    CHECK(find_code(r.diagnostics, "yaml-syntax"));
  }
}

TEST_CASE("rule tests that fail are reported with their rule and place", "[rules]") {
  auto rules = load_ok(std::string(head) +
                       "  - id: a\n"
                       "    category: wrong-shape\n"
                       "    pattern: 'shape'\n"
                       "    tests:\n"
                       "      match: [a shape, no such thing]\n"
                       "      no_match: [shapeless]\n");
  auto failures = rules.run_tests();
  REQUIRE(failures.size() == 2);
  CHECK(failures[0].rule == "a");
  CHECK(failures[0].test.text == "no such thing");
  CHECK(failures[0].test.should_match);
  CHECK(failures[0].test.where.line == 7);
  CHECK(failures[1].test.text == "shapeless");
}

TEST_CASE("a rule without tests loads with a warning", "[rules][loader]") {
  auto r = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: x}\n", "r.yaml", tax());
  CHECK(r.rules);
  CHECK(find_code(r.diagnostics, "rule-untested"));
  CHECK(r.diagnostics.warning_count() == 1);
}

TEST_CASE("a rule without an id is a missing-key diagnostic, not an exception", "[rules][loader]") {
  auto r = load_rules(std::string(head) + "  - category: wrong-shape\n    pattern: x\n", "r.yaml", tax());
  CHECK_FALSE(r.rules);
  auto d = find_code(r.diagnostics, "missing-key");
  REQUIRE(d);
  CHECK(d->where.line == 3);
  // A sequence item that is not even a map, and an id that is a map.
  auto odd = load_rules(std::string(head) + "  - just text\n  - {id: {a: 1}, category: wrong-shape, pattern: x}\n",
                        "r.yaml", tax());
  CHECK_FALSE(odd.rules);
  CHECK(odd.diagnostics.has_errors());
}

TEST_CASE("rule sets with the same pattern share its compiled RE2, for as long as one holds it", "[rules]") {
  using silt::detail::shared_re2;
  auto a = shared_re2(R"(\bshape\b)", false);
  auto b = shared_re2(R"(\bshape\b)", false);
  CHECK(a == b);
  CHECK(&a->get() == &b->get());
  CHECK(shared_re2(R"(\bshape\b)", true) != a);  // case-sensitive: another program
  CHECK(shared_re2(R"(\bshapes\b)", false) != a);
  CHECK(RE2::PartialMatch("a Shape", a->get()));
  const auto* held = a.get();
  a.reset();
  CHECK(shared_re2(R"(\bshape\b)", false).get() == held);  // b still holds it
  b.reset();
  auto again = shared_re2(R"(\bshape\b)", false);  // no one held it: made anew, and it works
  CHECK(RE2::PartialMatch("SHAPE", again->get()));
  // Two rule sets from the same text fire alike through the one shared pattern.
  const std::string yaml = std::string(head) + "  - {id: s, category: wrong-shape, pattern: '\\bshape\\b'}\n";
  const RuleSet one = load_ok(yaml), two = load_ok(yaml);
  CHECK(one.fires(0, "the Shape is off"));
  CHECK(two.fires(0, "the Shape is off"));
  CHECK_FALSE(two.fires(0, "reshape"));
}

TEST_CASE("a quote never closed is a YAML syntax error, also at the end of the file (yaml-cpp took it)", "[rules]") {
  // The quote took in the tests line: the rule was read as untested, its pattern as
  // "shape [ tests: ..." and no error was given.
  auto r = load_rules(std::string(head) +
                          "  - id: a\n    category: wrong-shape\n    pattern: 'shape [\n"
                          "    tests: {match: [x], no_match: [y]}\n",
                      "r.yaml", tax());
  CHECK_FALSE(r.rules);
  const Diagnostic* d = find_code(r.diagnostics, "yaml-syntax");
  REQUIRE(d);
  CHECK(d->where.file == "r.yaml");
  CHECK(d->where.line >= 5);
  auto dq = load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: \"x\n", "r.yaml", tax());
  CHECK(find_code(dq.diagnostics, "yaml-syntax"));
  // A quote that closes on a later line is YAML (a folded scalar), and duplicate keys stay
  // silt's own finding, with its message.
  auto ok =
      load_rules(std::string(head) + "  - {id: a, category: wrong-shape, pattern: 'sha\n    pe'}\n", "r.yaml", tax());
  CHECK_FALSE(find_code(ok.diagnostics, "yaml-syntax"));
  auto dup = load_rules("schema: silt/rules/v1\nfields: {title: 2, title: 3}\nrules: []\n", "r.yaml", tax());
  CHECK(find_code(dup.diagnostics, "duplicate-key"));
  CHECK_FALSE(find_code(dup.diagnostics, "yaml-syntax"));
}

TEST_CASE("lint: a shadowed rule is named, of two that shadow each other, only the later", "[rules][lint]") {
  const RuleSet rules =
      load_ok(std::string(head) +
              "  - {id: broad, category: wrong-shape, pattern: 'shape', tests: {match: [the shape]}}\n"
              "  - {id: narrow, category: wrong-shape, pattern: 'wrong shape',\n"
              "     tests: {match: [a wrong shape]}}\n"
              "  - {id: twin-a, category: wrong-calculation, pattern: 'NaN',\n"
              "     tests: {match: [a NaN]}}\n"
              "  - {id: twin-b, category: wrong-calculation, pattern: 'NaN\\b',\n"
              "     tests: {match: [a NaN]}}\n");
  const std::vector<std::string> shadowed = shadowed_of(rules);
  REQUIRE(shadowed.size() == 2);
  CHECK(shadowed[0] == "narrow by broad");   // every test of narrow fires broad; not the other way
  CHECK(shadowed[1] == "twin-b by twin-a");  // the twins: the later one only
}

TEST_CASE("lint: a rule is reported only when its shadower is kept, so removing what lint names loses no test",
          "[rules][lint]") {
  // twin-a and twin-b shadow each other; broad shadows twin-a but not twin-b: twin-a goes
  // (broad fires on its test), twin-b stays (the only rule firing on "a NaN").
  const RuleSet rules =
      load_ok(std::string(head) +
              "  - {id: twin-a, category: wrong-calculation, pattern: 'NaN', tests: {match: [NaN loss]}}\n"
              "  - {id: twin-b, category: wrong-calculation, pattern: 'NaN', tests: {match: [a NaN]}}\n"
              "  - {id: broad, category: wrong-calculation, pattern: 'NaN loss|inf',\n"
              "     tests: {match: [inf]}}\n");
  const std::vector<std::string> shadowed = shadowed_of(rules);
  REQUIRE(shadowed.size() == 1);
  CHECK(shadowed[0] == "twin-a by broad");
}

TEST_CASE("includes: a cycle and a file listed twice are findings at their line, a diamond reads the shared file once",
          "[rules][loader]") {
  silt::test::TempDir d;
  const std::string head = "schema: silt/rules/v1\n";
  auto rule = [](const std::string& id) {
    return "rules:\n  - {id: " + id + ", category: wrong-shape, pattern: '\\b" + id + "\\b'}\n";
  };
  d.write("base.yaml", head + rule("base"));
  d.write("left.yaml", head + "include: [base.yaml]\n" + rule("left"));
  d.write("right.yaml", head + "include: [base.yaml]\n" + rule("right"));
  // pytorch.yaml and a file of one's own, both on generic.yaml: each rule once.
  auto diamond = load_rules_file(d.write("top.yaml", head + "include: [left.yaml, right.yaml]\n" + rule("top")), tax());
  INFO(to_json(diamond.diagnostics));
  REQUIRE(diamond.rules);
  std::vector<std::string> ids;
  for (const auto& r : diamond.rules->rules()) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"base", "left", "right", "top"});
  auto twice =
      load_rules_file(d.write("twice.yaml", head + "include:\n  - base.yaml\n  - base.yaml\n" + rule("t")), tax());
  auto coded = [](const RuleLoad& l, const std::string& code) {
    std::vector<Diagnostic> out;
    for (const auto& x : l.diagnostics.all())
      if (x.code == code) out.push_back(x);
    return out;
  };
  CHECK_FALSE(twice.rules);
  REQUIRE(coded(twice, "duplicate-include").size() == 1);
  CHECK(coded(twice, "duplicate-include")[0].where.line == 4);
  CHECK(twice.diagnostics.error_count() == 1);
  d.write("a.yaml", head + "include: [b.yaml]\n" + rule("a"));
  d.write("b.yaml", head + "include: [a.yaml]\n" + rule("b"));
  auto cycle = load_rules_file(d.at("a.yaml"), tax());
  CHECK_FALSE(cycle.rules);
  CHECK(coded(cycle, "include-cycle").size() == 1);
}

TEST_CASE("includes: a file's own template headings come before those of the files it includes", "[rules][loader]") {
  silt::test::TempDir d;
  d.write("base.yaml", "schema: silt/rules/v1\nsections:\n  logs: ['error messages?']\nrules: []\n");
  auto own = load_rules_file(d.write("mine.yaml",
                                     "schema: silt/rules/v1\ninclude: [base.yaml]\n"
                                     "sections:\n  current: ['error message']\n"
                                     "rules:\n  - {id: z, category: wrong-shape, pattern: zorblax}\n"),
                             tax());
  INFO(to_json(own.diagnostics));
  REQUIRE(own.rules);
  CHECK(own.rules->section_of("## Error Message") == Section::current);
  CHECK(own.rules->section_of("## Error Messages") == Section::logs);
}

TEST_CASE("numbers out of their range and an empty default_in are findings at their line", "[rules][loader]") {
  struct Case {
    const char* yaml;
    int line;
    const char* code;
  };
  for (const Case& c :
       {Case{"review:\n  min_confidence: 1.5\n", 3, "bad-type"}, Case{"review:\n  margin: -2\n", 3, "bad-type"},
        Case{"model:\n  category_scale: -3\n", 3, "bad-type"}, Case{"model:\n  criteria_scale: 0\n", 3, "bad-type"},
        Case{"default_in: []\n", 2, "empty"}}) {
    INFO(c.yaml);
    auto r = load_rules(std::string("schema: silt/rules/v1\n") + c.yaml +
                            "rules:\n  - {id: a, category: wrong-shape, pattern: 'shape'}\n",
                        "r.yaml", tax());
    CHECK_FALSE(r.rules);
    const Diagnostic* d = silt::test::find_code(r.diagnostics, c.code);
    REQUIRE(d);
    CHECK(d->where.line == c.line);
  }
  // In range: loaded.
  CHECK(load_rules("schema: silt/rules/v1\nreview: {min_confidence: 0.6, margin: 1}\nmodel: {category_scale: 0.5}\n"
                   "rules:\n  - {id: a, category: wrong-shape, pattern: 'shape'}\n",
                   "r.yaml", tax())
            .rules);
}

TEST_CASE("lint: a rule of the other sign is a counter-rule, not a shadowed copy", "[rules][lint]") {
  const RuleSet rules =
      load_ok(std::string(head) +
              "  - {id: pos, category: wrong-shape, pattern: 'shape', tests: {match: [the shape]}}\n"
              "  - {id: neg, category: wrong-shape, pattern: 'shape is fine', weight: -3,\n"
              "     tests: {match: [the shape is fine]}}\n"
              "  - {id: neg-weak, category: wrong-shape, pattern: 'shape is fine indeed', weight: -1,\n"
              "     tests: {match: [the shape is fine indeed]}}\n");
  const std::vector<std::string> shadowed = shadowed_of(rules);
  // neg is not pos's copy; neg-weak takes back less than neg, which fires on its tests.
  CHECK(shadowed == std::vector<std::string>{"neg-weak by neg"});
}
