// Private: turns the batch inputs into chunks of records for the workers. Readers only
// frame records (lines, top-level JSON values, CSV rows); RapidJSON and libcsv parse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "silt/batch.h"

namespace silt::detail {

// The columns a CSV input's header names (npos when absent).
struct CsvColumns {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t count = 0;
  std::size_t id = none, number = none, title = none, body = none, labels = none, url = none;
};

// A slice of input: records back to back in `buf` (followed by a byte, so that each can
// be parsed in place), and, once processed, their results.
struct Chunk {
  struct Record {
    std::size_t offset = 0, size = 0;  // the raw bytes in buf
    std::uint64_t line = 0;            // 1-based line where the record starts
    std::uint64_t column = 1;          // 1-based byte column where it starts on that line
    std::uint64_t file_offset = 0;     // where its bytes start in the input
    std::uint64_t index = 0;           // position among the input's records (0-based)
    bool element = false;              // an element of a JSON array: source is input[index]
    bool shares_line = false;          // not the first record on its line: source is input:line:column
    bool cut_at_next = false;          // a broken value, ended where the next one starts
    bool cut_at_layout = false;        // and that told by the lines' layout, a string in it running over a line
    bool too_large = false;            // over the size limit: not kept (size is its size in the input)
    bool skip = false;                 // resume: a good record a previous run wrote
    bool resumed = false;              // resume: before the resume point (good or bad)
  };
  std::uint64_t seq = 0;
  std::string input;  // the input's display name
  std::string path;   // the input's path, to read a record again; empty for stdin
  InputFormat format = InputFormat::jsonl;
  std::string buf;
  std::vector<Record> records;
  std::vector<std::vector<std::string>> csv_fields;  // csv: the fields of each record
  std::vector<bool> csv_bad;                         // csv: a row with malformed quoting
  std::shared_ptr<const CsvColumns> columns;         // csv
  std::string input_error;                           // set on a chunk that reports an unreadable input
  std::uint64_t bytes = 0;                           // input bytes read for this chunk

  // Results, one per record.
  struct Outcome {
    enum Status : std::uint8_t { labeled, rejected, skipped, loud, pull_request } status = labeled;
    std::size_t out_end = 0;     // end of its output in `out`
    std::int16_t category = -1;  // index into the taxonomy's categories
    int level = 0;               // 0: no level
    bool needs_review = false;
    bool loud_bug = false;  // labeled, though the report shows a loud bug
  };
  std::vector<Outcome> outcomes;
  std::vector<Reject> rejects;  // in record order
  std::string out;
  std::vector<Classification> values;  // OutputFormat::values: the labeled records, in order
  std::vector<Issue> issues;           // and, with keep_issues, their issues

  // "input:line" or "input[index]".
  std::string source(const Record& r) const;

  // Empties the chunk for the next one, keeping what its buffers hold allocated: a new
  // chunk's megabyte of records and of output would be fresh pages, each a page fault.
  void clear();
  std::string_view raw(const Record& r) const { return std::string_view(buf).substr(r.offset, r.size); }
};

// For tests and the fuzz harness: when not 0, no read takes more than this many bytes,
// so that where a read ends can be put anywhere in an input. Set before a reader is made.
extern std::size_t max_read_for_tests;

// Reads the inputs one after the other. Not thread-safe: one caller at a time.
class InputReader {
 public:
  // Records over `max_record` bytes are not held: they come as records marked too_large.
  InputReader(std::vector<std::string> inputs, InputFormat format, std::uint64_t max_record);
  ~InputReader();

  // Fills `chunk` with the next records, or with an input_error; false at the end.
  bool next(Chunk& chunk);

  // Sum of the sizes of the regular files among the inputs (0 when any is a pipe).
  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  struct Source;
  bool open_next(Chunk& chunk);
  std::vector<std::string> pending_;  // inputs not opened yet, expanded from directories
  InputFormat format_;
  std::uint64_t max_record_;
  std::unique_ptr<Source> current_;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace silt::detail
