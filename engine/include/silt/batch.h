// Labels issue datasets: reads records from files, directories or stdin, classifies
// them in parallel and hands back one output record per good input record, in input
// order, whatever the number of threads. Memory stays bounded whatever the input size.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/classification_io.h"
#include "silt/classifier.h"
#include "silt/taxonomy.h"

namespace silt {

// How inputs are read. `detect`: by extension (.csv, .jsonl/.ndjson) and then by
// content: '[' starts a JSON stream, '{' JSON Lines (or a JSON stream when the first
// line is a lone '{', as pretty-printed objects are).
//  jsonl: one issue object a line.
//  json:  a stream of JSON values: arrays of issues (what `gh issue list --json` and the
//         REST list endpoints print; `gh api --paginate` prints several in a row) and
//         issue objects, each any number of lines.
//  csv:   a header naming at least `title` and `body` (`id`, `number`, `labels`, `url`
//         optional), RFC 4180 quoting, multi-line quoted fields.
enum class InputFormat { detect, jsonl, json, csv };
// jsonl, csv, or gh: a `gh issue edit` command a record (silt/labels.h); values: no
// bytes at all, each Classification handed to BatchSink::labeled (for a consumer in the
// same process: eval, triage, rules fit).
enum class OutputFormat { jsonl, csv, gh, values };

std::optional<InputFormat> parse_input_format(std::string_view name);
std::optional<OutputFormat> parse_output_format(std::string_view name);

struct BatchOptions {
  std::vector<std::string> inputs;  // files, directories (every *.json, sorted), "-" = stdin
  InputFormat input_format = InputFormat::detect;
  OutputFormat output_format = OutputFormat::jsonl;
  // Worker threads; 0 = one per hardware thread. More than max_jobs are max_jobs: each
  // holds up to 4 chunks of input in flight, so memory grows with the count.
  static constexpr unsigned max_jobs = 256;
  unsigned jobs = 0;
  bool fail_fast = false;       // stop at the first bad record
  bool silent_only = false;     // leave out records whose report shows a loud bug
  bool pull_requests = false;   // label pull requests too (left out by default, counted)
  bool label_all = false;       // gh output: label issues flagged needs_review or loud too
  bool header = true;           // write the CSV header line
  std::uint64_t skip_good = 0;  // resume: the first N good records are already written
  // Resume: the id and source of the last record already written (PartialOutput). When
  // the input's record N has another id (or, for a record without an id of its own,
  // another line), or the inputs hold fewer than N, the run writes nothing and says why
  // (BatchStats::resume_mismatch): the partial output came from other inputs. The input's
  // name may differ (a FIFO then the file, stdin then the file).
  std::string resume_id, resume_source;
  std::uint64_t max_record = 64ull << 20;  // bigger records are rejected (too-large), never held
  bool keep_issues = false;                // values: hand each issue over with its classification
  Answers answers;                         // criteria answers applied to every record
  // When set and it turns true (a signal handler's flag), no more input is read; the
  // records already read are still labeled and delivered, in order, so the output ends
  // with whole records and --resume can go on from it.
  const std::atomic<bool>* cancel = nullptr;
};

// A record that could not be labeled. Codes are stable:
//   invalid-json      not valid JSON (a line cut short, a stray character...)
//   invalid-utf8      bytes that are not UTF-8 (rejected, never replaced)
//   not-an-object     valid JSON, but not an object
//   no-title-or-body  an object (or CSV row) whose title and body are both empty
//   csv-fields        a CSV row with another number of fields than the header
//   csv-syntax        a CSV row with malformed quoting (only its first line is the
//                     record: the lines after it are read as rows of their own)
//   too-large         a record over BatchOptions::max_record bytes (its size is given)
//   too-deep          JSON nested deeper than 1024 arrays and objects
struct Reject {
  std::string source;  // "file:line" or "file[index]"
  std::string code;
  std::string message;
  std::string raw;  // the record's bytes, unchanged; empty when they were not held:
  // then, when the input is a file, where they are in it (raw_path empty: not kept).
  std::string raw_path;
  std::uint64_t raw_offset = 0, raw_size = 0;
  bool resumed = false;  // in the part a resumed run skips (reported before)
};

struct BatchStats {
  std::uint64_t records = 0;  // records read, good and bad
  std::uint64_t labeled = 0;  // output records written by this run
  std::uint64_t rejected = 0;
  std::uint64_t resumed = 0;                         // good records skipped because a previous run wrote them
  std::uint64_t loud = 0;                            // left out by silent_only: the report shows a loud bug
  std::uint64_t pull_requests = 0;                   // left out: pull requests (BatchOptions::pull_requests)
  std::uint64_t needs_review = 0;                    // labeled records flagged needs_review
  std::uint64_t loud_labeled = 0;                    // labeled records whose report shows a loud bug
  std::uint64_t input_errors = 0;                    // inputs that could not be read at all
  std::uint64_t bytes = 0;                           // input bytes read
  std::uint64_t total_bytes = 0;                     // sum of the input files' sizes; 0 when unknown (stdin)
  std::map<std::string, std::uint64_t> by_category;  // labeled records per category id
  std::map<int, std::uint64_t> by_level;             // per impact level; 0 = no level
  double seconds = 0;
  bool stopped = false;      // --fail-fast stopped the run
  bool interrupted = false;  // BatchOptions::cancel stopped the reading
  // Resume: why the partial output is not this run's (its last record's source against
  // the input's); nothing was written. Empty when it matched, or was not checked.
  std::string resume_mismatch;
};

// Receives the results. Calls are made from one thread at a time, in input order.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Output bytes: whole records, in input order.
  virtual void write(std::string_view bytes) = 0;
  // With OutputFormat::values, each labeled record instead, in input order, with the
  // record's source ("file:line") and, when BatchOptions::keep_issues, the issue itself.
  virtual void labeled(Classification&& c, const std::string& source, const Issue* issue) {
    (void)c;
    (void)source;
    (void)issue;
  }
  // A bad record.
  virtual void reject(const Reject& r) = 0;
  // An input that could not be read at all (missing file, CSV without title/body).
  virtual void input_error(const std::string& input, const std::string& message) = 0;
  // Running totals, at most every 200 ms, and once at the end.
  virtual void progress(const BatchStats& stats) { (void)stats; }
};

// Runs the whole batch. Never throws on bad input; every problem reaches the sink.
BatchStats run_batch(const Classifier& classifier, const BatchOptions& options, BatchSink& sink);

// The CSV and JSON output formats: silt/classification_io.h.

// What a previous, interrupted run left in an output file: the number of complete output
// records and the byte length they take (what follows is a cut-off record to drop).
struct PartialOutput {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  bool has_header = false;  // CSV: the header line is there
  // JSON Lines and CSV: the last complete record's id and source ("file:line"); gh
  // commands carry neither, so a gh output is resumed unchecked.
  std::string last_id, last_source;
};

// Reads an output file written by run_batch in `format`. Fails when it cannot be read or
// does not look like such output in that format (JSON Lines asked of a CSV file...).
Result<PartialOutput> scan_partial_output(const std::string& path, OutputFormat format);

}  // namespace silt
