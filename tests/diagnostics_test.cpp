#include "silt/diagnostics.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace silt;

namespace {

Diagnostic sample() {
  Diagnostic d;
  d.code = "bad-pattern";
  d.where = {"rules/x.yaml", 12, 14};
  d.subject = "rule 'foo'";
  d.message = "missing ): (ab";
  d.source_line = "    pattern: '(ab'";
  d.hint = "close the group";
  return d;
}

}  // namespace

TEST_CASE("text form: file:line:col, severity and code, source line, caret, hint", "[diagnostics]") {
  std::string t = to_text(sample());
  CHECK(t ==
        "rules/x.yaml:12:14: error[bad-pattern]: rule 'foo': missing ): (ab\n"
        " 12 |     pattern: '(ab'\n"
        "    |              ^\n"
        "  hint: close the group\n");
}

TEST_CASE("text form without a position has no source excerpt", "[diagnostics]") {
  Diagnostic d;
  d.code = "unreadable-file";
  d.where.file = "a.yaml";
  d.message = "cannot read the file";
  d.severity = Severity::warning;
  CHECK(to_text(d) == "a.yaml: warning[unreadable-file]: cannot read the file\n");
}

TEST_CASE("JSON form carries counts and every field", "[diagnostics]") {
  Diagnostics ds;
  ds.add(sample());
  Diagnostic w = sample();
  w.severity = Severity::warning;
  ds.add(w);
  CHECK(ds.error_count() == 1);
  CHECK(ds.warning_count() == 1);
  auto j = nlohmann::json::parse(to_json(ds));
  CHECK(j["errors"] == 1);
  CHECK(j["warnings"] == 1);
  CHECK(j["diagnostics"][0]["line"] == 12);
  CHECK(j["diagnostics"][0]["column"] == 14);
  CHECK(j["diagnostics"][0]["code"] == "bad-pattern");
  CHECK(j["diagnostics"][1]["severity"] == "warning");
}

TEST_CASE("diagnostics: did you mean: the closest candidate within a few edits, else none", "[diagnostics]") {
  const std::vector<std::string> commands = {"classify", "batch", "explain", "eval", "agree"};
  CHECK(closest("clasify", commands) == "classify");
  CHECK(closest("btach", commands) == "batch");  // a transposition: two edits
  CHECK(closest("evl", commands) == "eval");
  CHECK(closest("frobnicate", commands) == std::nullopt);
  CHECK(closest("", {}) == std::nullopt);
  // Ties go to the earlier candidate.
  CHECK(closest("ab", {"ax", "ay"}) == "ax");
  // A long word may be a third of its length away.
  CHECK(closest("wrong-calcualtion-x", {"wrong-calculation"}) == "wrong-calculation");
}
