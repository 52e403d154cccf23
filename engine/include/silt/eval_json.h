// `silt eval --format json`: the one module that writes the document and reads it back
// (for `silt report`). Every figure has one shape, {"value": x, "n": N, "interval":
// [lo, hi]} (interval null when not drawn; value null with an "undefined" reason), and
// statistics are rounded to 3 decimals.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "silt/eval.h"
#include "silt/result.h"
#include "silt/run_header.h"
#include "silt/taxonomy.h"

namespace silt {

inline constexpr const char* eval_schema = "silt/eval/v1";

// The document; header.schema is set to eval_schema. Categories are the taxonomy's, in
// its order; the report's misses need no prediction (their confidence is theirs).
std::string to_json(const EvalReport& report, const Taxonomy& taxonomy, RunHeader header);

struct EvalDocument {
  RunHeader header;
  std::vector<std::string> categories;  // category ids, in the document's order
  EvalReport report;                    // its figures as written (rounded); misses without a prediction
};

// Reads what to_json wrote. Errors: code "other-format" when `text` is not an eval
// document (not JSON, or its header names another schema): another reader may take it;
// "bad-eval-json" when a member is missing or of the wrong type (the message names it).
Result<EvalDocument> read_eval_json(std::string_view text, const std::string& name);

}  // namespace silt
