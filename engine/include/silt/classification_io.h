// The formats silt writes classifications in, each read back by the same module: one
// JSON object a line (`classify --format json`, `batch`), and the CSV table of
// `batch --format csv`.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "silt/classifier.h"
#include "silt/result.h"
#include "silt/taxonomy.h"

namespace silt {

// The JSON object: id, title, url (when known), pack, category, category_name,
// confidence, confidence_raw (when calibration changed it), fallback, needs_review,
// silent (true, false or null), scores, probabilities, impact {level, threat,
// probability, criteria: {ID: {value, source, probability}}}, rationale, evidence
// [{rule, target, target_kind, field, start, end, text, weight, defined_at}], and
// `source` when not empty. One line, no trailing newline. Invalid UTF-8 in a text is
// replaced by U+FFFD.
std::string to_json(const Classification& c, std::string_view source = {});

// Reads one object to_json wrote (extra keys are ignored; `source` into c.source).
// Errors: code "invalid-json", or "not-a-classification" (no category or impact).
Result<Classification> classification_from_json(std::string_view json);

// Reads JSON Lines of classifications; blank lines are skipped. Without `skipped`, the
// first bad line fails the whole, its 1-based line number in the Error. With it, a bad
// line ("name:line: what is wrong (line left out)") goes there and the others are read
// (a file cut short by an interrupted run still counts); the whole fails only when no
// line reads, with the first line's Error.
Result<std::vector<Classification>> read_classifications(std::string_view jsonl, const std::string& name,
                                                         std::vector<std::string>* skipped = nullptr);

// The same from the file at `path`, a line at a time: each classification is handed to
// `take` as it is read, so that a batch output of any size is read in the memory of a
// line (and of what `take` keeps). The count read, or the Error read_classifications
// gives (a file that cannot be opened: code unreadable).
Result<std::size_t> for_each_classification(const std::string& path, const std::function<void(Classification&&)>& take,
                                            std::vector<std::string>* skipped = nullptr);

// Which silt batch output the file at `path` holds, by its first lines: JSON Lines (one
// of its first five non-blank lines, a byte order mark aside, reads as a classification:
// a run cut short, or a stray line, does not hide it), CSV (its first line is a CSV
// header naming category and confidence), or none (issues, say).
enum class ClassificationsFile { none, jsonl, csv };
// Whether `line` is the header batch --format csv writes, as far as its readers need:
// it names category and confidence.
bool batch_csv_header(std::string_view line);
ClassificationsFile classifications_file(const std::string& path);

// The CSV table: id,category,confidence,impact_level,threat,<criteria>,needs_review,
// silent,pack,url,title,source; one row a classification, RFC 4180 quoting (by libcsv)
// only where a field needs it.
std::string csv_header(const Taxonomy& taxonomy);
void append_csv_row(std::string& out, const Classification& c, std::string_view source);

// Reads that table back, columns found by name (`category` and `confidence` required;
// the others as far as they are there, criteria by the taxonomy's ids). Errors, with
// "name:line:" and a code: the CSV's own (csv-syntax, csv-fields...), duplicate-column,
// not-batch-csv, bad-number.
Result<std::vector<Classification>> read_classifications_csv(std::string_view csv, const std::string& name,
                                                             const Taxonomy& taxonomy);
// The same from the file at `path`, a line at a time, each row handed to `take` as it is
// read: a table of any size in the memory of a row. The count read, or the Error
// read_classifications_csv gives (a file that cannot be opened: code unreadable).
Result<std::size_t> for_each_classification_csv(const std::string& path, const Taxonomy& taxonomy,
                                                const std::function<void(Classification&&)>& take);
// One CSV field, quoted only when it must be.
std::string csv_field(std::string_view field);

// What a table written by batch --format csv holds, read as a stream (a partial output
// to resume can be many times the memory): its whole rows (a row is whole at the end of
// a line that ends it; a last line without newline is cut off), the bytes they take,
// and the last row's id and source. Only the first and last fields of each row are kept.
struct CsvOutputRows {
  std::uint64_t rows = 0;            // whole rows, the header's included
  std::uint64_t bytes = 0;           // the bytes up to the end of the last whole row
  bool header_ok = false;            // the first line is batch's header
  bool json_first = false;           // the first line is a JSON object: not CSV at all
  std::string last_id, last_source;  // of the last whole row after the header
};
CsvOutputRows scan_csv_output(std::istream& in);

}  // namespace silt
