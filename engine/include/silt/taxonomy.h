// The taxonomy: categories of silent bugs, the impact criteria, the levels and the
// X/O matrix that maps criteria answers to a level. Loaded from YAML, then immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/diagnostics.h"

namespace silt {

// A GitHub label: name (at most 50 characters), colour (6 hex digits, no '#'),
// description (at most 100 characters).
struct Label {
  std::string name, color, description;
};

struct Category {
  std::string id;  // fixed id used in files, labels and JSON ("wrong-shape")
  std::string name;
  std::string definition;
  std::string example;
  // Criteria that bugs of this category meet when their report says nothing of the
  // criteria (e.g. a wrong calculation changes results).
  std::vector<std::size_t> implies;  // indices into Taxonomy::criteria
  Label label;                       // default: silent:<id>
  SourceLocation where;
};

struct Criterion {
  std::string id;  // "ui", "model-info"...
  std::string question;
  SourceLocation where;
};

struct Level {
  int number = 0;      // as written in the file; levels are kept in file order
  std::string threat;  // "low", "high"... free text
  std::string description;
  Label label;  // default: impact:<number>
  SourceLocation where;
};

// One matrix cell: X (the criterion must hold), O (it may), - (it must not).
enum class Cell { required, optional, forbidden };

// How one outcome is chosen when several levels match: the highest level number,
// the first in file order, or exactly one (an overlap is then a load error).
enum class HitPolicy { highest, first, unique };

std::string_view to_string(HitPolicy p);
char to_char(Cell c);  // 'X', 'O', '-'

// Answers to the criteria, indexed like Taxonomy::criteria. Unset means unknown.
using Answers = std::vector<std::optional<bool>>;

class Taxonomy {
 public:
  std::string name;
  std::vector<Category> categories;
  std::size_t fallback = 0;  // index into categories
  std::vector<Criterion> criteria;
  std::vector<Level> levels;
  // cells[level][criterion]
  std::vector<std::vector<Cell>> cells;
  HitPolicy policy = HitPolicy::highest;
  std::string file;  // where it was loaded from

  // Index of the category / criterion with this id, or nullopt.
  std::optional<std::size_t> category_index(std::string_view id) const;
  std::optional<std::size_t> criterion_index(std::string_view id) const;
  // The index of the level numbered `number` (as written in the file).
  std::optional<std::size_t> level_index(int number) const;

  // True when level `level` matches: every X criterion holds and no - criterion does.
  // `holds` has one entry per criterion.
  bool level_matches(std::size_t level, const std::vector<bool>& holds) const;

  // Indices of every matching level, in file order.
  std::vector<std::size_t> matching_levels(const std::vector<bool>& holds) const;

  // The level the hit policy picks among the matching ones; nullopt when none matches.
  // Under `unique` with several matches (impossible once loaded) it returns the first.
  std::optional<std::size_t> decide(const std::vector<bool>& holds) const;
};

// What `lint` found about one combination of answers or one level.
struct LintFinding {
  // unmet: a bug that meets no criterion gets a level (a level with no X matches it).
  enum class Kind { gap, overlap, masked, unmet };
  Kind kind;
  std::vector<bool> holds;            // the combination (gap, overlap, unmet); empty for masked
  std::vector<std::size_t> levels;    // matching levels (overlap, unmet) or the masked level
  std::optional<std::size_t> chosen;  // what the policy picks (overlap, unmet)
};

std::string_view to_string(LintFinding::Kind k);

// Most criteria `lint` enumerates (2^n combinations).
inline constexpr std::size_t max_lint_criteria = 20;

// Enumerates every combination of answers and reports gaps (no level matches; the
// combination where nothing holds is exempt), overlaps (several match) and masked
// levels (never the outcome under the policy). Empty when the matrix is clean.
// Requires criteria.size() <= max_lint_criteria.
std::vector<LintFinding> lint(const Taxonomy& t);

struct TaxonomyLoad {
  std::optional<Taxonomy> taxonomy;  // set when no error was found
  Diagnostics diagnostics;           // every finding, errors and warnings
};

// Parses and validates a taxonomy YAML document. `file` names it in diagnostics.
// Never throws.
TaxonomyLoad load_taxonomy(std::string_view yaml, const std::string& file);

// Reads `path`, then as load_taxonomy. An unreadable file is a diagnostic.
TaxonomyLoad load_taxonomy_file(const std::string& path);

}  // namespace silt
