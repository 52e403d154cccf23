// How far hand labels can be trusted: agreement between labelers on each field of the
// taxonomy (category, impact, each criterion), and whether each labeler's impact level
// follows from their own criteria answers under the matrix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silt/result.h"
#include "silt/stats.h"
#include "silt/taxonomy.h"

namespace silt {

// Labels as read from a file: for each field, item and rater, a value ("" = missing).
struct LabelTable {
  std::string file;
  std::vector<std::string> items;                             // in the order first seen
  std::vector<std::string> raters;                            // in the order first seen
  std::vector<std::string> fields;                            // label columns, in header order
  std::vector<std::vector<std::vector<std::string>>> values;  // [field][item][rater]
  std::vector<std::vector<int>> lines;                        // [item][rater]: the row's line, 0 if none

  std::optional<std::size_t> field_index(const std::string& name) const;
  // Adds a rater (e.g. the engine) and returns its index; its values start missing.
  std::size_t add_rater(const std::string& name);
};

struct LabelFile {
  LabelTable table;
  std::vector<std::string> problems;    // "file:line: ..." rows that were left out
  std::vector<std::string> superseded;  // "file:line: ..." rows a later one replaced (not problems)
};

// Long form: a header naming `item` (or `id`) and `rater`, then label columns (`note`,
// `labeled_at`, `timestamp` and `comment` are not labels; nor is `silent` in a file
// with `labeled_at`, silt triage's, where it is silt's reading). A label file is only
// appended to (`silt triage` relabels that way): a later row for the same item and rater
// supersedes the earlier one, whole. Wide form: `item` then one column a rater, for the
// one field `wide_field`.
Result<LabelFile> read_labels(const std::string& path, bool wide = false, const std::string& wide_field = "category");
// The same from the file's text, `name` standing for its path in messages.
Result<LabelFile> read_labels_text(std::string_view text, const std::string& name, bool wide = false,
                                   const std::string& wide_field = "category");

// One row of the long form as `silt triage` appends it, and its header: the writing half
// of the labels CSV, whose reading half is read_labels.
//   item,rater,category,impact,<criteria ids>,silent,note,labeled_at
struct HandLabel {
  std::string item, rater, category;
  std::optional<int> impact;     // the level number; none when no level follows (written "none")
  std::vector<bool> criteria;    // the taxonomy's criteria, in order: yes/no
  std::optional<bool> silent;    // yes/no; empty when unknown
  std::string note, labeled_at;  // free text; an ISO 8601 time
};
std::string labels_csv_header(const Taxonomy& taxonomy);  // ends with '\n'
std::string labels_csv_row(const HandLabel& label);       // ends with '\n'
// Whether rows labels_csv_row writes can be appended to a labels file whose text is
// `text` (`name` in messages): it is empty, or its header names labels_csv_header's
// columns, in its order (names compared as a reader compares them: any case, spaces and
// a byte order mark aside). An Error with code labels-header, at line 1, saying which
// column differs, when not: rows appended under another header are misread or lost.
std::optional<Error> labels_csv_append_problem(std::string_view text, const std::string& name,
                                               const Taxonomy& taxonomy);

struct AgreementOptions {
  bool nominal = false;  // treat impact and numeric fields as nominal, not ordinal
  std::size_t bootstrap = 1000;
  std::uint64_t seed = 1;
  std::size_t top = 10;  // items listed with the most disagreement
};

// Every figure carries its n and, with options.bootstrap > 0, a 95% bootstrap interval
// (the same seeded resamples of the items for every figure of a field). A nominal field
// gets the nominal statistics; an ordinal one those and the weighted ones too, so a
// figure can be compared with a paper that reports another.
struct FieldAgreement {
  std::string field;
  bool ordinal = false;
  std::vector<std::string> domain;  // the field's values, in order
  std::size_t items = 0;            // items rated by two raters or more
  stats::Estimate percent;
  stats::Estimate fleiss;
  std::vector<stats::Estimate> fleiss_per_value;  // domain order
  stats::Estimate conger;
  // Krippendorff's alpha, the field's own metric first: nominal fields {nominal};
  // ordinal fields {ordinal, nominal, interval} (interval on the values' numbers).
  std::vector<std::pair<stats::Metric, stats::Estimate>> alpha;
  // Gwet's AC1 (Weights::none); ordinal fields also AC2 with quadratic weights.
  std::vector<std::pair<stats::Weights, stats::Estimate>> gwet;
  // Cohen's kappa: unweighted; ordinal fields also linear and quadratic.
  using Kappas = std::vector<std::pair<stats::Weights, stats::Estimate>>;
  struct Pair {
    std::string a, b;
    Kappas kappa;
  };
  std::vector<Pair> pairs;
  struct VsMajority {
    std::string rater;
    stats::Estimate agreement;  // against the others' majority, where there is one
    Kappas kappa;
  };
  std::vector<VsMajority> vs_majority;
  struct Disagreement {
    std::string item;
    double agreement = 0;             // share of rater pairs that agree
    std::vector<std::string> values;  // per rater ("" = not rated)
  };
  std::vector<Disagreement> most_disagreement;
  std::vector<std::string> problems;  // values outside the domain (left out)
};

// The statistics of every field of `labels`; a field nobody filled gets them undefined,
// with the reason.
std::vector<FieldAgreement> agreement(const LabelTable& labels, const Taxonomy& taxonomy,
                                      const AgreementOptions& options);

// The value a field's domain knows: criteria answers as "yes"/"no"; others trimmed.
std::string normalize_value(const std::string& field, const std::string& value, const Taxonomy& taxonomy);

// A labeler's level that does not follow from their criteria answers.
struct LevelMismatch {
  std::string item, rater;
  int line = 0;
  std::string given;               // the level they wrote (a number, or "none")
  std::optional<int> given_level;  // it as a level number (nullopt: none)
  std::optional<int> expected;     // what the matrix gives (nullopt: no level)
  std::vector<std::pair<std::string, bool>> answers;
};

struct LevelCheck {
  std::size_t checked = 0;     // rows with every criterion and the impact answered
  std::size_t unanswered = 0;  // rows missing some answer (a blank impact too): not checkable
  std::vector<LevelMismatch> mismatches;
  // Answers that are neither yes nor no (nor empty): (line, what is wrong); their rows
  // count as unanswered. A category that is not the taxonomy's is named here too (its
  // row's level is still checked).
  std::vector<std::pair<int, std::string>> bad_answers;
  // The file has no impact (level, impact_level) column: nothing is checked (every row
  // would read "level none").
  bool no_level_column = false;
};

// A blank impact leaves its row unanswered (no level is written "none", as triage writes
// it). A level written that is neither "none" nor one of the taxonomy's numbers is a bad
// answer too (its row is not checked), not a mismatch.
LevelCheck check_levels(const LabelTable& labels, const Taxonomy& taxonomy);

}  // namespace silt
