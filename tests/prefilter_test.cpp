#include "prefilter.h"

#include <re2/re2.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include "read_file.h"
#include "rules_spec.h"
#include "silt/builtin.h"
#include "silt/issue.h"
#include "test_support.h"

using namespace silt;
using namespace silt::detail;

namespace {

std::size_t field(const std::string& name) {
  const auto& f = issue_fields();
  return static_cast<std::size_t>(std::find(f.begin(), f.end(), name) - f.begin());
}

PrefilterSource::Pattern rule(std::string text, std::vector<std::string> fields, bool case_sensitive = false) {
  PrefilterSource::Pattern p;
  p.text = std::move(text);
  p.case_sensitive = case_sensitive;
  for (const auto& f : fields) p.fields.push_back(field(f));
  return p;
}

PrefilterSource source() {
  PrefilterSource s;
  s.rules.push_back(rule(R"(\bshape\b)", {"title", "body"}));
  s.rules.push_back(rule(R"(\bNaN\b)", {"output"}, true));
  s.rules.push_back(rule(R"(loss\s+(is|was)\s+\d{1,3})", {"body"}));
  s.rules.push_back(rule(R"(\bdoes\s*n.?t\s+(\w+\s+){0,2}?save)", {"body", "code"}));
  s.rules.push_back(rule(R"((?i)gr\x{F6}\x{DF}e)", {"body"}));  // cased letters as escapes: RE2 decides alone
  s.boilerplate = {"please provide", "describe the bug"};
  s.headings = {"describe the (bug|problem)", "expected behaviou?r"};
  return s;
}

std::vector<std::size_t> candidates(const Prefilter& pf, const std::string& f, const std::string& text) {
  std::vector<std::size_t> out;
  pf.candidates(field(f), text, out);
  return out;
}

using V = std::vector<std::size_t>;

// `yaml` read and compiled with matcher `m` (it must have no error).
RuleSet compiled(const std::string& yaml, Matcher m) {
  auto tax = silt::test::builtin_taxonomy_loaded();
  Diagnostics diags;
  auto spec = read_rules_spec(yaml, "r.yaml", *tax, {}, diags);
  REQUIRE(spec);
  auto rules = compile_rules(*spec, *tax, diags, m);
  REQUIRE(rules);
  return *rules;
}

}  // namespace

TEST_CASE("relaxed patterns only widen bounded repeats and drop word boundaries", "[prefilter]") {
  CHECK(relaxed_pattern(R"(a{1,3}b)") == "a{1,}b");
  CHECK(relaxed_pattern(R"((\w+\s+){0,2}?x)") == R"((\w+\s+){0,}?x)");
  CHECK(relaxed_pattern(R"(a{3})") == "a{3}");             // exact counts stay
  CHECK(relaxed_pattern(R"(\{1,2\})") == R"(\{1,2\})");    // escaped braces are literal
  CHECK(relaxed_pattern(R"([{1,2}]x)") == R"([{1,2}]x)");  // in a class
  CHECK(relaxed_pattern(R"([]{1,2}])") == R"([]{1,2}])");  // ']' first is a member of the class
  CHECK(relaxed_pattern(R"(a{,2})") == "a{,2}");           // not a repeat in RE2
  CHECK(relaxed_pattern(R"(\bshape\B)") == "(?:)shape(?:)");
  CHECK(relaxed_pattern(R"(a\b{2}c)") == "a(?:){2}c");                     // the repeat applies to nothing still
  CHECK(relaxed_pattern(R"(\\b)") == R"(\\b)");                            // an escaped backslash, then b
  CHECK(relaxed_pattern(R"(\Qx\by{1,2}\E\b)") == R"(\Qx\by{1,2}\E(?:))");  // \Q...\E is literal text
  CHECK(relaxed_pattern(R"(\Qa{1,2})") == R"(\Qa{1,2})");                  // to the end without \E
  CHECK(relaxed_pattern(R"([[:alpha:]{1,2}]x{1,2})") == R"([[:alpha:]{1,2}]x{1,})");  // a POSIX class in a class
  // Whatever RE2 matches, Hyperscan's prefilter names the rule for (the superset the
  // relaxed patterns must keep), checked with the prefilter itself.
  const std::vector<std::string> patterns = {
      R"(\bshape\b)",     R"(\Bshape)",          R"(a\b{2}c)",    R"(a\b?\s*c)",
      R"(\Qx\by\E)",      R"(\QC:\build\out\E)", R"(\Qa{1,2}\E)", R"([[:alpha:]{1,2}]+!)",
      R"(\d{1,2}\b\s*ms)"};
  const std::vector<std::string> texts = {"the shape is wrong",
                                          "reshaped",
                                          "a  c",
                                          "ac",
                                          "x\\by",
                                          "saved to C:\\build\\out",
                                          "a{1,2}",
                                          "ab{!",
                                          "12 ms",
                                          "1ms",
                                          "{!"};
  PrefilterSource src;
  for (const auto& pattern : patterns) src.rules.push_back(rule(pattern, {"body"}));
  auto pf = Prefilter::compile(src);
  REQUIRE(pf.ok());
  for (const auto& text : texts)
    for (std::size_t r = 0; r < patterns.size(); ++r) {
      CAPTURE(text, patterns[r]);
      RE2::Options o;
      o.set_case_sensitive(false);
      if (!RE2::PartialMatch(text, RE2(patterns[r], o))) continue;
      const auto got = candidates(*pf.value(), "body", text);
      CHECK(std::find(got.begin(), got.end(), r) != got.end());
    }
}

TEST_CASE("the prefilter gives every rule that can fire, for the fields it reads", "[prefilter]") {
  auto pf = Prefilter::compile(source());
  REQUIRE(pf.ok());
  const Prefilter& p = *pf.value();
  CHECK(candidates(p, "title", "wrong Shape after reshape") == V{0});
  CHECK(candidates(p, "title", "the loss was 12") == V{});               // rule 2 reads the body only
  CHECK(candidates(p, "body", "the loss was 1234, not 12") == V{2, 4});  // 4: unfiltered
  CHECK(candidates(p, "body", "nothing here") == V{4});
  CHECK(candidates(p, "output", "loss: nan") == V{});  // case-sensitive
  CHECK(candidates(p, "output", "loss: NaN") == V{1});
  CHECK(candidates(p, "code", "# it doesn't really save") == V{3});
  CHECK(candidates(p, "body", "it doesn't really save") == V{3, 4});
  CHECK(candidates(p, "comments", "shape") == V{});  // no rule reads it

  std::vector<std::size_t> out;
  p.boilerplate_candidates("Please provide a minimal example", out);
  CHECK(out == V{0});
  p.heading_candidates("describe the problem", out);
  CHECK(out == V{0});
  p.heading_candidates("expected behavior", out);
  CHECK(out == V{1});
  p.heading_candidates("please describe the bug here", out);  // headings match whole
  CHECK(out == V{});
}

TEST_CASE("a caseless pattern naming a letter beyond ASCII as such is widened, other ways it stays with RE2",
          "[prefilter]") {
  // Hyperscan folds some letters beyond ASCII only: RE2 knows newer case pairs (U+1C80,
  // a Cyrillic small rounded ve, is a case form of U+0412 for RE2, not for Hyperscan). A
  // cased letter written as such outside a class is given to Hyperscan as any one
  // character (a superset); one named as an escape, in a class, in \Q...\E or by a
  // Unicode class makes the rule a candidate wherever it reads ("unfiltered"); a curly
  // quote or a multiplication sign has no case and is filtered as it is.
  PrefilterSource s;
  s.rules.push_back(rule("\\x{1C80}", {"body"}));             // 0: an escaped letter
  s.rules.push_back(rule("caf\u00e9", {"body"}));             // 1: a letter as such: widened
  s.rules.push_back(rule("\\pL\\d", {"body"}));               // 2: a Unicode class
  s.rules.push_back(rule("says \\x{201C}done", {"body"}));    // 3: a quote
  s.rules.push_back(rule("\\d\\s*\u00d7\\s*\\d", {"body"}));  // 4: a sign as such
  s.rules.push_back(rule("\\x{1C80}", {"body"}, true));       // 5: case-sensitive
  s.rules.push_back(rule("\\\\x{E9}", {"body"}));             // 6: a backslash, then x{E9}
  s.rules.push_back(rule("\u212aelvin", {"body"}));           // 7: the Kelvin sign, which folds to k
  s.rules.push_back(rule("[\u00e9x]y", {"body"}));            // 8: a letter in a class
  s.rules.push_back(rule("\\Qcaf\u00e9\\E", {"body"}));       // 9: a letter in \Q...\E
  s.rules.push_back(rule("[[:alpha:]\u00e9]z", {"body"}));    // 10: in a class after a POSIX class
  s.rules.push_back(rule("\\d+\\s*\u00b5s", {"body"}));       // 11: the micro sign (U+03BC, U+039C)
  s.rules.push_back(rule("x\u1c80y", {"body"}));  // 12: U+1C80 as such, which Hyperscan does not fold to U+0412
  auto pf = Prefilter::compile(s);
  REQUIRE(pf.ok());
  const Prefilter& p = *pf.value();
  CHECK(candidates(p, "body", "nothing") == V{0, 2, 8, 9, 10});
  CHECK(candidates(p, "body", "it says \u201Cdone") == V{0, 2, 3, 8, 9, 10});
  CHECK(candidates(p, "body", "a 3 \u00d7 4 image") == V{0, 2, 4, 8, 9, 10});
  CHECK(candidates(p, "body", "\u1C80") == V{0, 2, 5, 8, 9, 10});
  CHECK(candidates(p, "body", "CAF\u00c9") == V{0, 1, 2, 8, 9, 10});
  CHECK(candidates(p, "body", "kelvin") == V{0, 2, 7, 8, 9, 10});  // RE2 folds the Kelvin sign to k
  CHECK(candidates(p, "body", "5 \u039cs") == V{0, 2, 8, 9, 10, 11});
  CHECK(candidates(p, "body", "x\u0412y") == V{0, 2, 8, 9, 10, 12});  // RE2 folds U+1C80 to U+0412
  // Either way the rule fires where RE2 says, on both paths.
  const std::string yaml =
      "schema: silt/rules/v1\nrules:\n"
      "  - {id: ve, category: wrong-shape, pattern: '\\x{1C80}', in: [body]}\n"
      "  - {id: times, category: wrong-shape, pattern: '\\d\\s*\u00d7\\s*\\d', in: [body]}\n"
      "  - {id: kelvin, category: wrong-shape, pattern: '\u212aelvin', in: [body]}\n"
      "  - {id: micro, category: wrong-shape, pattern: '\\d\\s*\u00b5s', in: [body]}\n"
      "  - {id: cafe, category: wrong-shape, pattern: 'caf\u00e9', in: [body]}\n";
  Issue issue;
  issue.title = "t";
  issue.body = "\u0412 and 3 \u00d7 4, in KELVIN, 5 \u039cs, a cafe";  // U+0412: RE2 folds U+1C80 to it under (?i)
  issue.join_lists();
  for (Matcher m : {Matcher::hyperscan_now, Matcher::reference}) {
    auto rules = compiled(yaml, m);
    std::vector<std::string> ids;
    for (const auto& h : rules.match(issue)) ids.push_back(rules.rules()[h.rule].id);
    CHECK(ids == std::vector<std::string>{"ve", "times", "kelvin", "micro"});  // not cafe: RE2 says so
  }
}

TEST_CASE("an ASCII pattern read as bytes names its rule wherever RE2 matches UTF-8 text", "[prefilter]") {
  // As bytes, `.`, a negated class and \W \S \D match one byte, and a character beyond
  // ASCII is two to four: each such atom is read as one or more of itself. Caseless, RE2
  // folds k and s to the Kelvin sign and the long s: a text with either takes every rule.
  struct Case {
    const char* pattern;
    bool case_sensitive;
    const char* text;
  };
  const std::vector<Case> cases = {
      {"a.b", false, "a\u00e9b"},             // a two-byte character for `.`
      {"x[^y]z", false, "x\u65e5z"},          // three bytes for a negated class
      {"p\\Wq", false, "p\u2014q"},           // an em dash for \W
      {"p\\Sq", true, "p\U0001F600q"},        // four bytes for \S
      {"1\\D2", false, "1\u00bd2"},           // \D
      {"m[\\S]n", false, "m\u00e9n"},         // a class holding \S
      {"u[[:^alpha:]]v", false, "u\u00e9v"},  // a negated POSIX class in a class
      {"(?:[^.\\n]|\\.\\w){0,3}?end", false, "\u00e9\u00e9end"},
      {"^a.?b$", false, "a\u00e9b"},                 // an optional one
      {"c.{2}d", false, "c\u00e9\u00e9d"},           // a counted one
      {"kelvin", false, "\u212aelvin"},              // the Kelvin sign folds to k
      {"\\bmask\\b", false, "ma\u017fk"},            // the long s folds to s
      {"[a-z]+ing", false, "\u212a\u017fing"},       // and in a class
      {"caf\\351 crash", false, "caf\u00e9 crash"},  // an octal escape beyond ASCII: stays UTF-8
      {"a[\\351]b", true, "a\u00e9b"},
      // RE2's \s leaves out the vertical tab, which Hyperscan's takes; RE2's \v is the
      // vertical tab alone, Hyperscan's every vertical space.
      {"foo\\Sbar", true, "foo\vbar"},
      {"a[^\\s]b", false, "a\vb"},
      {"a[\\S]b", false, "a\vb"},
      {"a[^\\v]b", false, "a\nb"},
      {"\u00e9?x\\S", false, "x\v"},  // the same as UTF-8
  };
  for (const auto& c : cases) {
    CAPTURE(c.pattern, c.text);
    RE2::Options o;
    o.set_case_sensitive(c.case_sensitive);
    const RE2 re(c.pattern, o);
    REQUIRE(re.ok());
    REQUIRE(RE2::PartialMatch(c.text, re));  // the case is one RE2 matches
    PrefilterSource s;
    s.rules.push_back(rule(c.pattern, {"body"}, c.case_sensitive));
    auto pf = Prefilter::compile(s);
    REQUIRE(pf.ok());
    CHECK(candidates(*pf.value(), "body", c.text) == V{0});
    CHECK(candidates(*pf.value(), "body", "--") == V{});  // filtered, not a candidate everywhere
  }
}

TEST_CASE("RE2 folds no character beyond ASCII onto an ASCII letter but the Kelvin sign and the long s",
          "[prefilter]") {
  // What the bytes reading of caseless patterns relies on (collect() checks a text for
  // those two only): every other character beyond ASCII that a caseless [a-z] matches.
  RE2::Options o;
  o.set_case_sensitive(false);
  const RE2 letter("[a-z]", o);
  REQUIRE(letter.ok());
  std::vector<char32_t> found;
  for (char32_t c = 0x80; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string u;
    if (c < 0x800) {
      u = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    } else if (c < 0x10000) {
      u = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
           static_cast<char>(0x80 | (c & 0x3F))};
    } else {
      u = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
           static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    }
    if (RE2::FullMatch(u, letter)) found.push_back(c);
  }
  CHECK(found == std::vector<char32_t>{0x17F, 0x212A});
}

TEST_CASE("a prefilter reads back what it wrote, aligned or not, and only for its rules", "[prefilter]") {
  const PrefilterSource src = source();
  const std::uint64_t fp = Prefilter::fingerprint(src);
  const std::string bytes = Prefilter::compile(src).value()->serialize(fp);
  // Copied to a 64-byte aligned address (read in place), and to an odd one (copied again).
  for (std::size_t offset : {0, 1}) {
    std::unique_ptr<char, decltype(&std::free)> buffer(static_cast<char*>(std::aligned_alloc(64, bytes.size() + 64)),
                                                       &std::free);
    std::memcpy(buffer.get() + offset, bytes.data(), bytes.size());
    auto back = Prefilter::deserialize(std::string_view(buffer.get() + offset, bytes.size()), src);
    REQUIRE(back.ok());
    if (offset == 1) buffer.reset();  // read from its own copy: the bytes may go
    CHECK(candidates(*back.value(), "body", "the loss was 1234") == V{2, 4});
    CHECK(candidates(*back.value(), "output", "NaN") == V{1});
  }
  SECTION("other rules: stale") {
    PrefilterSource other = src;
    other.rules[0].unless = "reshape";  // the fingerprint covers `unless` too
    auto back = Prefilter::deserialize(bytes, other);
    REQUIRE_FALSE(back.ok());
    CHECK(back.error().code == "stale-prefilter");
  }
  SECTION("cut short anywhere, or with a list's length changed: stale, never a crash") {
    for (std::size_t n = 0; n < bytes.size(); n += (n < 4096 ? 1 : 4093)) {
      auto back = Prefilter::deserialize(std::string_view(bytes.data(), n), src);
      CHECK_FALSE(back.ok());
    }
    for (std::size_t at = 16; at < 64; ++at) {  // the field lists after the header
      std::string bad = bytes;
      bad[at] = static_cast<char>(bad[at] ^ 0x40);
      auto back = Prefilter::deserialize(bad, src);
      if (back.ok()) CHECK(candidates(*back.value(), "title", "shape").size() <= src.rules.size());
    }
  }
}

TEST_CASE("rules match alike with the prefilter and with RE2 alone", "[prefilter][rules]") {
  const std::string yaml = R"(schema: silt/rules/v1
boilerplate: ['please provide']
sections:
  current: ['describe the (bug|problem)']
  expected: ['expected behaviou?r']
rules:
  - {id: shape, category: wrong-shape, pattern: '\bshape\b', in: [title, body]}
  - {id: loss, category: wrong-calculation, pattern: 'loss\s+(is|was)\s+\d{1,3}', unless: 'expected', in: [body]}
  - {id: nan, category: wrong-calculation, pattern: '\bNaN\b', case_sensitive: true, in: [output]}
)";
  const RuleSet hs = compiled(yaml, Matcher::hyperscan_now), re2 = compiled(yaml, Matcher::reference);
  Issue issue;
  issue.title = "Wrong shape";
  issue.body = "The loss was 17 here. The expected loss was 3.\nloss is 40 and the shape is off";
  issue.join_lists();
  auto a = hs.match(issue), b = re2.match(issue);
  REQUIRE(a.size() == b.size());
  CHECK(a.size() == 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].rule == b[i].rule);
    CHECK(a[i].field == b[i].field);
    CHECK(a[i].start == b[i].start);
  }
  for (const RuleSet* r : {&hs, &re2}) {
    CHECK(r->is_boilerplate("Please provide the code"));
    CHECK_FALSE(r->is_boilerplate("the code"));
    CHECK(r->section_of("## Describe the bug:") == Section::current);
    CHECK(r->section_of("Expected behaviour") == Section::expected);
    CHECK(r->section_of("Describe the bug in detail") == std::nullopt);
  }
}

TEST_CASE("a user's rules file: its prefilter compiled on request, cached by content, read back",
          "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  silt::test::TempDir dir;
  const std::string cache = (dir.path / "cache").string();
  silt::test::CacheDirEnv env(cache);
  const std::string yaml = R"(schema: silt/rules/v1
rules:
  - {id: shape, category: wrong-shape, pattern: '\bshape\s+(is|was)\b', in: [title, body]}
  - {id: nan, category: wrong-calculation, pattern: '\bNaN\b', case_sensitive: true, in: [body]}
)";
  auto cached_files = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(cache, ec)) n += e.path().extension() == ".bin";
    return n;
  };
  Issue issue;
  issue.title = "The shape is wrong";
  issue.body = "Loss is NaN, the shape was (3, 4); nan is fine";
  issue.join_lists();

  auto plain = load_rules(yaml, "mine.yaml", *tax);
  REQUIRE(plain.rules);
  CHECK_FALSE(plain.rules->prefiltered());  // nothing cached yet: RE2 sets
  CHECK(cached_files() == 0);

  auto compiled = load_rules(yaml, "mine.yaml", *tax, {}, Prefilters::compile);
  REQUIRE(compiled.rules);
  CHECK(compiled.rules->prefiltered());
  CHECK(cached_files() == 1);

  auto again = load_rules(yaml, "mine.yaml", *tax);  // reads the cache
  REQUIRE(again.rules);
  CHECK(again.rules->prefiltered());
  auto a = again.rules->match(issue), b = plain.rules->match(issue);
  REQUIRE(a.size() == b.size());
  CHECK(a.size() == 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].rule == b[i].rule);
    CHECK(a[i].start == b[i].start);
  }

  // Another pattern is another key: the cached prefilter is not used for it.
  std::string changed = yaml;
  changed.replace(changed.find("NaN"), 3, "Inf");
  auto other = load_rules(changed, "mine.yaml", *tax);
  REQUIRE(other.rules);
  CHECK_FALSE(other.rules->prefiltered());

  // A damaged cache file never reaches Hyperscan: the RE2 sets, the same hits. One byte
  // changed in a database, then the file cut short.
  const auto file = std::filesystem::directory_iterator(cache)->path();
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(file) / 2));
    f.put('\x5a');
  }
  auto flipped = load_rules(yaml, "mine.yaml", *tax);
  REQUIRE(flipped.rules);
  CHECK_FALSE(flipped.rules->prefiltered());
  std::filesystem::resize_file(file, 100);
  auto damaged = load_rules(yaml, "mine.yaml", *tax);
  REQUIRE(damaged.rules);
  CHECK_FALSE(damaged.rules->prefiltered());
  CHECK(damaged.rules->match(issue).size() == 3);

  // An unwritable cache is a warning, never a failure.
  ::setenv("SILT_CACHE_DIR", "/proc/silt-cannot-be-here", 1);
  auto unwritable = load_rules(yaml, "mine.yaml", *tax, {}, Prefilters::compile);
  REQUIRE(unwritable.rules);
  CHECK(unwritable.rules->prefiltered());
  CHECK(silt::test::find_code(unwritable.diagnostics, "cache-unwritable"));
}

TEST_CASE("the reference sets take patterns Latin-1 cannot parse, on ASCII text and other", "[prefilter][rules]") {
  // On ASCII text the reference path scans a Latin-1 set; a pattern with a code point
  // over U+00FF (a curly quote) cannot be parsed in Latin-1 and is scanned in UTF-8
  // beside it. Its hits and the others' are the prefilter's, wherever they are.
  auto tax = silt::test::builtin_taxonomy_loaded();
  const std::string yaml = R"(schema: silt/rules/v1
rules:
  - {id: quoted, category: wrong-displayed-message, pattern: '\bprints?\s+["\x{201C}]done', in: [body]}
  - {id: shape, category: wrong-shape, pattern: '\bshape\b', in: [title, body]}
  - {id: accent, category: wrong-calculation, pattern: 'r\x{E9}sultat', in: [body]}
  - {id: cant, category: wrong-calculation, pattern: '\bcan’?t\s+stop', in: [body]}
)";
  const RuleSet hs = compiled(yaml, Matcher::hyperscan_now), re2 = compiled(yaml, Matcher::reference);
  CHECK(hs.prefiltered());
  CHECK_FALSE(re2.prefiltered());
  struct Case {
    const char* body;
    std::size_t hits;
  };
  // A character over U+007F written as such: in Latin-1 the `?` would bind to its last byte.
  for (const Case& c : {Case{"It prints \"done and the shape is off", 2}, Case{"It prints done.", 0},
                        Case{"I cant stop it", 1}, Case{"I can\u2019t stop it", 1}, Case{"I can't stop it", 0},
                        Case{"It prints \u201Cdone\u201D, the shape is off, r\u00E9sultat faux", 3},
                        Case{"r\u00E9sultat: prints \u201Cdone", 2}, Case{"resultat and prints done", 0}}) {
    INFO(c.body);
    Issue issue;
    issue.title = "Title";
    issue.body = c.body;
    issue.join_lists();
    auto a = hs.match(issue), b = re2.match(issue);
    CHECK(a.size() == c.hits);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].rule == b[i].rule);
      CHECK(a[i].field == b[i].field);
      CHECK(a[i].start == b[i].start);
      CHECK(a[i].end == b[i].end);
    }
  }
  // And the empty-match check sees such patterns too.
  for (std::string pattern : {"\\x{201C}?x*", "\u2019?x*"}) {
    INFO(pattern);
    Diagnostics diags;
    auto spec = read_rules_spec(
        "schema: silt/rules/v1\nrules:\n  - {id: any, category: wrong-shape, pattern: '" + pattern + "', in: [body]}\n",
        "e.yaml", *tax, {}, diags);
    REQUIRE(spec);
    CHECK_FALSE(compile_rules(*spec, *tax, diags, Matcher::reference));
    CHECK(silt::test::find_code(diags, "empty-match"));
  }
}

TEST_CASE("a pattern that matches the empty text is an error on either path", "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  const std::string yaml =
      "schema: silt/rules/v1\nrules:\n  - {id: any, category: wrong-shape, pattern: 'x*', in: [body]}\n";
  for (Matcher m : {Matcher::hyperscan_now, Matcher::reference}) {
    Diagnostics diags;
    auto spec = read_rules_spec(yaml, "r.yaml", *tax, {}, diags);
    REQUIRE(spec);
    CHECK_FALSE(compile_rules(*spec, *tax, diags, m));
    CHECK(silt::test::find_code(diags, "empty-match"));
  }
  // silt rules compile: the error, and no prefilter cached for such patterns (a cached
  // prefilter vouches that none of its patterns matches the empty text).
  silt::test::TempDir dir;
  silt::test::CacheDirEnv env((dir.path / "cache").string());
  auto compiled = load_rules(yaml, "r.yaml", *tax, {}, Prefilters::compile);
  CHECK_FALSE(compiled.rules);
  CHECK(silt::test::find_code(compiled.diagnostics, "empty-match"));
  std::size_t cached = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir.path / "cache", ec))
    cached += e.path().extension() == ".bin";
  CHECK(cached == 0);
  auto again = load_rules(yaml, "r.yaml", *tax);  // and every later load says so too
  CHECK_FALSE(again.rules);
  CHECK(silt::test::find_code(again.diagnostics, "empty-match"));
}

TEST_CASE("a rules spec reads back from JSON as it was", "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  for (std::string_view name : builtin_files()) {
    if (name.substr(0, 6) != "rules/" || name == "rules/packs.yaml") continue;
    INFO(name);
    Diagnostics diags;
    auto spec = read_rules_spec(builtin_file(name)->text, std::string(name), *tax, include_builtin(), diags);
    REQUIRE(spec);
    const std::string json = spec_to_json(*spec, *tax);
    auto back = spec_from_json(json, *tax, true);
    REQUIRE(back);
    CHECK(spec_to_json(*back, *tax) == json);
    // Without its tests (as a start reads it): they stay in the text, and read back alike.
    auto lean = spec_from_json(json, *tax);
    REQUIRE(lean);
    CHECK(lean->tests_json == json);
    CHECK(lean->tests_json.data() != json.data());  // a copy, kept alive by the spec
    REQUIRE(lean->tests_owner);
    CHECK(lean->tests_json.data() == lean->tests_owner->data());
    // A built-in spec is written without its tests, which stay in a text of their own,
    // uncopied.
    const std::string_view pre = builtin_spec(std::string(name)), pre_tests = builtin_spec_tests(std::string(name));
    if (!pre.empty()) {
      CHECK(pre.find("\"tests\"") == std::string_view::npos);
      auto built_in = spec_from_builtin_json(pre, pre_tests, *tax);
      REQUIRE(built_in);
      CHECK(built_in->tests_json.data() == pre_tests.data());
      CHECK_FALSE(built_in->tests_owner);
      auto apart = tests_from_json(pre_tests);
      REQUIRE(apart);
      CHECK(apart->size() == spec->rules.size());
    }
    auto tests = tests_from_json(lean->tests_json);
    REQUIRE(tests);
    REQUIRE(tests->size() == spec->rules.size());
    for (std::size_t i = 0; i < tests->size(); ++i) {
      CHECK(lean->rules[i].tests.empty());
      REQUIRE((*tests)[i].size() == spec->rules[i].tests.size());
      for (std::size_t k = 0; k < (*tests)[i].size(); ++k) {
        CHECK((*tests)[i][k].text == spec->rules[i].tests[k].text);
        CHECK((*tests)[i][k].should_match == spec->rules[i].tests[k].should_match);
        CHECK((*tests)[i][k].where.to_string() == spec->rules[i].tests[k].where.to_string());
      }
    }
    CHECK(back->rules.size() == spec->rules.size());
    // What the build embedded is what the YAML says now.
    CHECK(builtin_spec(name) == spec_to_json(*spec, *tax, false));
    CHECK(builtin_spec_tests(name) == tests_to_json(*spec));
  }
  // Against another taxonomy (criteria implied otherwise), the YAML is read again.
  Taxonomy other = *tax;
  other.categories[0].implies.clear();
  CHECK_FALSE(spec_from_json(builtin_spec("rules/generic.yaml"), other));
  CHECK_FALSE(spec_from_json("{\"taxonomy\": 1}", *tax));
  CHECK_FALSE(spec_from_json("not json", *tax));
}

TEST_CASE("a user's rules file: its parsed form cached by rules compile, read back while its files are unchanged",
          "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  silt::test::TempDir dir;
  const std::string cache = (dir.path / "cache").string();
  silt::test::CacheDirEnv env(cache);
  auto write = [&](const std::string& name, const std::string& text) { return dir.write(name, text); };
  // A file with an untested rule (a warning, kept with the cache) that includes another.
  const std::string base_yaml = R"(schema: silt/rules/v1
rules:
  - {id: nan, category: wrong-calculation, pattern: '\bNaN\b', weight: 2.0, in: [body],
     tests: {match: ['the loss is NaN']}}
)";
  const std::string main_yaml = R"(schema: silt/rules/v1
include: [base.yaml]
rules:
  - {id: shape, category: wrong-shape, pattern: '\bshape\s+(is|was)\b', in: [title, body]}
)";
  write("base.yaml", base_yaml);
  const std::string main = write("main.yaml", main_yaml);
  auto spec_files = [&] {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(cache, ec))
      if (e.path().filename().string().rfind("spec-", 0) == 0) out.push_back(e.path().string());
    return out;
  };
  auto weight = [](const RuleLoad& l, const std::string& id) {
    for (const auto& r : l.rules->rules())
      if (r.id == id) return r.weight;
    return -1.0;
  };

  auto plain = load_rules_file(main, *tax);
  REQUIRE(plain.rules);
  CHECK(spec_files().empty());  // only `silt rules compile` writes the cache
  REQUIRE(silt::test::find_code(plain.diagnostics, "rule-untested"));

  auto compiled = load_rules_file(main, *tax, Prefilters::compile);
  REQUIRE(compiled.rules);
  const auto files = spec_files();
  REQUIRE(files.size() == 1);

  // Read back: the same rules, and the same findings (the warning is not lost).
  auto again = load_rules_file(main, *tax);
  REQUIRE(again.rules);
  REQUIRE(again.rules->rules().size() == 2);
  CHECK(again.rules->rules()[0].id == "nan");
  CHECK(weight(again, "nan") == 2.0);
  CHECK(silt::test::find_code(again.diagnostics, "rule-untested"));
  CHECK(again.diagnostics.all().size() == plain.diagnostics.all().size());

  // It is the cache that is read: a cache file saying another weight is believed.
  auto bytes = read_file(files[0]);
  REQUIRE(bytes.ok());
  auto cached = read_spec_cache_file(bytes.value(), *tax);
  REQUIRE(cached);
  CHECK(cached->includes.size() == 1);
  cached->spec.rules[0].weight = 5.0;
  std::ofstream(files[0], std::ios::binary) << spec_cache_bytes(*cached, *tax);
  CHECK(weight(load_rules_file(main, *tax), "nan") == 5.0);

  // An included file changed: the cache is not used, the YAML is read.
  std::string changed = base_yaml;
  changed.replace(changed.find("2.0"), 3, "3.0");
  write("base.yaml", changed);
  CHECK(weight(load_rules_file(main, *tax), "nan") == 3.0);
  write("base.yaml", base_yaml);
  CHECK(weight(load_rules_file(main, *tax), "nan") == 5.0);

  // The file itself changed: another key.
  std::string edited = main_yaml;
  edited.replace(edited.find("(is|was)"), 8, "(is|was|gets)");
  write("main.yaml", edited);
  CHECK(weight(load_rules_file(main, *tax), "nan") == 2.0);
  write("main.yaml", main_yaml);

  // A damaged cache file (one byte changed, or cut short) is not read: the YAML is.
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(files[0]) / 2));
    f.put('\x01');
  }
  CHECK(weight(load_rules_file(main, *tax), "nan") == 2.0);
  std::filesystem::resize_file(files[0], 40);
  CHECK(weight(load_rules_file(main, *tax), "nan") == 2.0);
  CHECK_FALSE(read_spec_cache_file("", *tax));
  CHECK_FALSE(read_spec_cache_file(std::string(100, 'x'), *tax));
}

TEST_CASE("a user's pack including the built-in generic.yaml (no copy beside it) has its parsed form cached",
          "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  silt::test::TempDir dir;
  silt::test::CacheDirEnv env((dir.path / "cache").string());
  const std::string yaml = R"(schema: silt/rules/v1
include: [generic.yaml]
rules:
  - {id: mx-nan, category: wrong-calculation, pattern: '\bNDArray\b[^.\n]*\bNaN\b', weight: 2.0, in: [body],
     tests: {match: ['the NDArray holds NaN']}}
)";
  const std::string file = dir.write("mine.yaml", yaml);
  auto spec_files = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir.path / "cache", ec))
      n += e.path().filename().string().rfind("spec-", 0) == 0;
    return n;
  };
  auto compiled = load_rules_file(file, *tax, Prefilters::compile);
  REQUIRE(compiled.rules);
  CHECK_FALSE(silt::test::find_code(compiled.diagnostics, "cache-unwritable"));
  CHECK(spec_files() == 1);
  auto again = load_rules_file(file, *tax);
  REQUIRE(again.rules);
  CHECK(again.rules->rules().size() == compiled.rules->rules().size());
  CHECK(again.rules->rules().size() > 100);  // generic.yaml's rules came along

  // A generic.yaml put beside it now is what the include reads: the cache is not used.
  dir.write("generic.yaml", "schema: silt/rules/v1\nrules: []\n");
  auto shadowed = load_rules_file(file, *tax);
  REQUIRE(shadowed.rules);
  CHECK(shadowed.rules->rules().size() == 1);
}

TEST_CASE("a rules file with text that is not UTF-8 loads, only its parsed form is not cached", "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  silt::test::TempDir dir;
  silt::test::CacheDirEnv env((dir.path / "cache").string());
  const std::string file = dir.write("latin1.yaml",
                                     "schema: silt/rules/v1\nrules:\n"
                                     "  - {id: nan, category: wrong-calculation, pattern: 'NaN',\n"
                                     "     note: \"caf\xe9\", in: [body], tests: {match: ['NaN']}}\n");
  auto compiled = load_rules_file(file, *tax, Prefilters::compile);
  REQUIRE(compiled.rules);
  CHECK_FALSE(compiled.diagnostics.has_errors());
  const auto* d = silt::test::find_code(compiled.diagnostics, "cache-unwritable");
  REQUIRE(d);
  CHECK(d->severity == Severity::warning);
}

TEST_CASE("prefilter: the fingerprint tells apart sources that differ only in where their lists end", "[prefilter]") {
  const PrefilterSource base = source();
  std::vector<PrefilterSource> others(4, base);
  others[0].rules.back().fields.push_back(field("title"));  // one field more for the last rule...
  others[1].boilerplate.push_back("x");                     // ... or one boilerplate pattern more
  others[2].boilerplate.pop_back();                         // a pattern moved from boilerplate to headings
  others[2].headings.insert(others[2].headings.begin(), base.boilerplate.back());
  others[3].rules.back().unless = "no";
  // The same items, one list ending earlier: the last rule reads one field more, and the
  // boilerplate is that field's number written out (alike when lists carried no count).
  PrefilterSource a = base, b = base;
  a.boilerplate.clear();
  a.headings.clear();
  b.headings.clear();
  a.rules.back().fields.push_back(field("title"));
  b.boilerplate = {std::to_string(field("title"))};
  CHECK(Prefilter::fingerprint(a) != Prefilter::fingerprint(b));
  std::set<std::uint64_t> seen{Prefilter::fingerprint(base)};
  for (const auto& o : others) CHECK(seen.insert(Prefilter::fingerprint(o)).second);
  CHECK(Prefilter::fingerprint(source()) == Prefilter::fingerprint(base));  // and is the same for the same source
}

TEST_CASE("the cache keeps the most recently used files of a kind and removes the oldest", "[prefilter][cache]") {
  namespace fs = std::filesystem;
  silt::test::TempDir dir;
  const auto now = fs::file_time_type::clock::now();
  auto name = [](int i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "prefilter-%016x.bin", i);
    return std::string(buf);
  };
  for (int i = 0; i < 20; ++i) {  // file i last used i hours ago... file 0 the most recently
    dir.write(name(i), "x");
    fs::last_write_time(dir.path / name(i), now - std::chrono::hours(i + 1));
  }
  dir.write("notes.txt", "mine");
  dir.write("prefilter-not-hex-digits.bin", "x");
  dir.write("spec-0000000000000001.json", "x");
  // File 19, the oldest, is used: read back, it counts as recent.
  touch_cache_file(dir.at(name(19)));
  const std::string fresh = dir.write(name(100), "new");      // just written
  fs::last_write_time(fresh, now - std::chrono::hours(100));  // even if its clock says otherwise
  prune_cache(dir.path.string(), prefilter_files, fresh);
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path)) left.insert(e.path().filename().string());
  std::set<std::string> expected{name(100), name(19), "notes.txt", "prefilter-not-hex-digits.bin",
                                 "spec-0000000000000001.json"};
  for (int i = 0; i < 14; ++i) expected.insert(name(i));  // 16 kept: the new one, 19, and the 14 most recent
  CHECK(left == expected);
  prune_cache(dir.path.string(), prefilter_files, fresh);  // under the limit: nothing more goes
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++n;
  CHECK(n == expected.size());
}

TEST_CASE("a built-in rule set, read from its JSON form, reads its rules' tests once asked for", "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  for (const auto& name : {"rules/keras-tf-fitted.yaml", "rules/pytorch-fitted.yaml"}) {
    INFO(name);
    const auto file = builtin_file(name);
    REQUIRE(file);
    auto fast = load_rules(file->text, name, *tax, include_builtin());  // the embedded JSON form
    REQUIRE(fast.rules);
    Diagnostics diags;
    auto spec = read_rules_spec(file->text, name, *tax, include_builtin(), diags);  // the YAML
    REQUIRE(spec);
    std::size_t yaml_tests = 0;
    for (const auto& r : spec->rules) yaml_tests += r.tests.size();
    REQUIRE(yaml_tests > 100);
    CHECK(fast.rules->test_count() == yaml_tests);
    for (std::size_t i = 0; i < spec->rules.size(); ++i) {
      CHECK(fast.rules->rules()[i].tests.empty());  // kept apart
      CHECK(fast.rules->tests(i).size() == spec->rules[i].tests.size());
    }
    CHECK(fast.rules->run_tests().empty());
  }
}

TEST_CASE("a heading in any script opens its section, emoji and punctuation around it do not count",
          "[prefilter][rules]") {
  const std::string yaml = R"(schema: silt/rules/v1
sections:
  current: ['问题描述', 'übersicht', 'bug']
  environment: ['envhead']
rules:
  - {id: z, category: wrong-shape, pattern: 'zorblax', in: [prose.current]}
)";
  for (Matcher m : {Matcher::hyperscan_now, Matcher::reference}) {
    const RuleSet r = compiled(yaml, m);
    CHECK(r.section_of("## 问题描述") == Section::current);
    CHECK(r.section_of("问题描述：") == Section::current);
    CHECK(r.section_of("Übersicht") == Section::current);
    CHECK(r.section_of("🐛 Bug") == Section::current);
    CHECK(r.section_of("**Envhead:**") == Section::environment);
    CHECK_FALSE(r.section_of("Bug描述"));  // a letter is part of the heading, not its edge
    CHECK_FALSE(r.section_of("bersicht"));
  }
}

TEST_CASE("a pattern that can match no text, and an unless that matches the empty text, are errors",
          "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  for (Matcher m : {Matcher::hyperscan_now, Matcher::reference}) {
    for (std::string rule :
         {"pattern: '\\b'", "pattern: '^'", "pattern: '\\bshape\\b|\\b'", "pattern: 'shape', unless: '(not)?'"}) {
      INFO(rule);
      Diagnostics diags;
      auto spec = read_rules_spec("schema: silt/rules/v1\nrules:\n  - {id: r, category: wrong-shape, " + rule + "}\n",
                                  "z.yaml", *tax, {}, diags);
      REQUIRE(spec);
      CHECK_FALSE(compile_rules(*spec, *tax, diags, m));
      CHECK(silt::test::count_code(diags, "empty-match") == 1);
    }
    // Anchors and \b beside text are fine.
    Diagnostics diags;
    auto spec = read_rules_spec(
        "schema: silt/rules/v1\nrules:\n  - {id: r, category: wrong-shape, pattern: '\\bshape\\b', unless: "
        "'^\\s*if\\b'}\n",
        "z.yaml", *tax, {}, diags);
    REQUIRE(spec);
    CHECK(compile_rules(*spec, *tax, diags, m));
    CHECK_FALSE(silt::test::find_code(diags, "empty-match"));
  }
}

TEST_CASE("a pack's own headings come first with the prefilter too, and it keeps its prefilter", "[prefilter][rules]") {
  auto tax = silt::test::builtin_taxonomy_loaded();
  silt::test::TempDir dir;
  silt::test::CacheDirEnv env((dir.path / "cache").string());
  dir.write("base.yaml",
            "schema: silt/rules/v1\nsections:\n  logs: ['error messages?']\n"
            "rules:\n  - {id: b, category: wrong-shape, pattern: 'shape'}\n");
  const std::string mine = dir.write("mine.yaml",
                                     "schema: silt/rules/v1\ninclude: [base.yaml]\n"
                                     "sections:\n  current: ['error message']\n"
                                     "rules:\n  - {id: z, category: wrong-shape, pattern: zorblax}\n");
  auto compiled = load_rules_file(mine, *tax, Prefilters::compile);
  REQUIRE(compiled.rules);
  CHECK(compiled.rules->prefiltered());
  CHECK(compiled.rules->section_of("## Error Message") == Section::current);
  CHECK(compiled.rules->section_of("## Error Messages") == Section::logs);
}

TEST_CASE("the built-in prefilters are compiled for Hyperscan's baseline, and read on any CPU it runs on",
          "[prefilter][builtin]") {
  // A database compiled for this machine's AVX2 or AVX-512 is refused on a CPU without
  // them: a binary built on one machine then lost its built-in prefilter on another.
  auto features = [](const Prefilter& p) { return p.database_info(); };
  auto portable = Prefilter::compile(source(), Prefilter::Target::portable);
  REQUIRE(portable.ok());
  CHECK(features(*portable.value()).find("AVX") == std::string::npos);
  CHECK(features(*portable.value()).find("Features:") != std::string::npos);
  auto tax = silt::test::builtin_taxonomy_loaded();
  std::size_t read = 0;
  for (std::string_view name : builtin_files()) {
    if (name.substr(0, 6) != "rules/" || name == "rules/packs.yaml") continue;
    Diagnostics diags;
    auto spec = read_rules_spec(builtin_file(name)->text, std::string(name), *tax, include_builtin(), diags);
    REQUIRE(spec);
    for (const auto& part : prefilter_parts(*spec)) {
      std::string_view bytes = builtin_prefilter(Prefilter::fingerprint(part.source));
      if (bytes.empty()) continue;  // no patterns of its own
      auto pf = Prefilter::deserialize(bytes, part.source);
      REQUIRE(pf.ok());
      INFO(part.file);
      CHECK(features(*pf.value()).find("AVX") == std::string::npos);
      ++read;
    }
  }
  CHECK(read >= 3);  // generic, keras-tf, pytorch
}
