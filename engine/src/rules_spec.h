// Private: a rules file and the files it includes, read and checked but not compiled
// (rules_load.cpp reads, rules.cpp compiles).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "silt/diagnostics.h"
#include "silt/report.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt::detail {

struct TextPattern {
  std::string text;
  SourceLocation where;
};

// Everything the files say, merged: included files first, then the including file, whose
// settings win; rules, boilerplate and sections add up.
struct RulesSpec {
  std::string file;                // the top file
  std::vector<std::string> files;  // every file read, the top one first
  std::map<std::string, double, std::less<>> field_weights;
  std::optional<double> review_confidence, review_margin;
  std::optional<std::vector<std::pair<double, double>>> calibration;
  std::vector<TextPattern> boilerplate;
  std::vector<std::pair<Section, TextPattern>> sections;
  ScoreModel model;  // complete: defaults filled from the taxonomy
  std::vector<Rule> rules;
  std::vector<SourceLocation> pattern_where;  // of each rule's pattern
};

// The section names of a `sections:` map, in the order a heading is tried.
const std::vector<std::pair<std::string, Section>>& section_names();

// Reads `yaml` (and its includes, through `includes`) into a spec; every finding goes
// to `diags`. nullopt when the top file cannot be parsed at all.
std::optional<RulesSpec> read_rules_spec(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                                         const IncludeReader& includes, Diagnostics& diags);

// Compiles a spec without errors into a RuleSet; compile-time findings (a pattern that
// matches the empty text, sets too large) go to `diags`. nullopt when there are any.
std::optional<RuleSet> compile_rules(RulesSpec spec, const Taxonomy& taxonomy, Diagnostics& diags);

}  // namespace silt::detail
