// The validation survey: reads a Google Forms CSV export of it, and summarises what the
// respondents said of each category (how hard to diagnose, how severe, how hard to fix,
// whether they met such a bug) and each impact level (how much they agree with it);
// writes and reads those figures as YAML; compares one labeler's ratings with them.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "silt/json_writer.h"
#include "silt/result.h"
#include "silt/taxonomy.h"

namespace silt {

// Answers on a 1-5 scale. Quartiles by linear interpolation (R's default, type 7).
struct Summary {
  std::size_t n = 0;
  std::array<std::size_t, 5> counts{};  // answers 1..5
  double mean = 0, median = 0, q1 = 0, q3 = 0;
  double share_high = 0;  // answers 4 or 5 (agreeing; difficult; severe)
};

struct CategoryConsensus {
  std::string category;  // taxonomy id
  Summary diagnosing, severity, fixing;
  std::size_t met_yes = 0, met_no = 0;  // "Have you ever been confronted to such type of bugs?"
};

struct LevelConsensus {
  int level = 0;
  Summary agreement;
};

struct Consensus {
  std::size_t respondents = 0;
  std::vector<CategoryConsensus> categories;  // taxonomy order; those found in the export
  std::vector<LevelConsensus> levels;
  std::optional<Summary> scale;                    // "How would you judge this scale?"
  std::map<std::string, std::size_t> problematic;  // less / the same / more problematic
  std::vector<std::string> problems;               // "file:line: ..." answers left out
};

// Reads the export; columns are found by their question text, so a re-ordered export
// still reads. Fails when no category or level column is found.
Result<Consensus> read_survey(const std::string& path, const Taxonomy& taxonomy);

// The figures (not the answers) as YAML, and back.
std::string to_yaml(const Consensus& c);
Result<Consensus> consensus_from_yaml(std::string_view yaml, const std::string& file);

// The figures as JSON (`silt consensus --format json`): each count with its share beside
// it (the share of those who answered), means and shares rounded to 3 decimals.
std::string to_json(const Consensus& c);
// The same figures as a value inside a document being written (silt taxonomy --format json).
void write_json(JsonWriter& out, const Consensus& c);

const CategoryConsensus* find(const Consensus& c, const std::string& category);
const LevelConsensus* find(const Consensus& c, int level);

// One labeler's own 1-5 ratings against the consensus: CSV
// `category,diagnosing,severity,fixing` or `level,agreement`.
struct RatingCheck {
  std::string what;  // "wrong-shape diagnosing", "level 2"
  int line = 0;
  int rating = 0;
  double median = 0, q1 = 0, q3 = 0;
  bool outside = false;  // outside [q1, q3]
};
struct ConsistencyReport {
  std::vector<RatingCheck> ratings;
  double mean_distance = 0;  // mean |rating - median|
  std::size_t outside = 0;
  std::vector<std::string> problems;
};
Result<ConsistencyReport> consistency(const std::string& path, const Consensus& consensus, const Taxonomy& taxonomy);

}  // namespace silt
