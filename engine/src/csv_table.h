// Private: a whole CSV text as rows of fields, with the line each row starts on
// (libcsv parses, strictly: RFC 4180 quoting, fields spanning lines).
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/result.h"

namespace silt::detail {

// A row left out of a CSV table, and why. Codes:
//   csv-syntax  malformed quoting: a quote inside an unquoted field, text after a
//               closing quote, or a quote never closed (which would swallow the rows
//               after it); reading goes on at the next line
//   csv-fields  another number of fields than the header
struct CsvProblem {
  int line = 0;
  std::string code;
  std::string message;
};

struct CsvTable {
  std::vector<std::vector<std::string>> rows;  // the header first, then the good rows
  std::vector<int> lines;                      // 1-based line each row starts on
  std::vector<CsvProblem> problems;            // in line order
};

// Reads `text` strictly. The first row is the header; a later row whose number of
// fields differs from the header's is a csv-fields problem (left out).
CsvTable parse_csv(std::string_view text);

// Reads a CSV stream as parse_csv reads a text, a line at a time, handing each row (the
// header first) and the line it starts on to `row` as it ends, without holding the rest:
// for files of any size. Stops at the first problem, which it returns (a quoting error,
// a quote never closed, a row whose number of fields differs from the header's), or
// when `row` returns false. A byte order mark before the header is skipped.
std::optional<CsvProblem> for_each_csv_row(std::istream& in,
                                           const std::function<bool(std::vector<std::string>& row, int line)>& row);

// The first header name (as header_name() gives it) that occurs twice among those for
// which `counts` is true, as an Error (code duplicate-column, line 1) naming both
// columns; nullopt when there is none. A reader that picks columns by name cannot tell
// which of two equal ones was meant.
template <class Pred>
std::optional<Error> duplicate_column(const std::vector<std::string>& header, const std::string& file, Pred counts);

// Lower case, without surrounding spaces: for header names (parse_csv has dropped a
// byte order mark before the first).
std::string header_name(std::string s);

// Without surrounding spaces.
std::string trim(std::string s);

// "file:line: message" for a problem, as the readers list them.
std::string to_string(const CsvProblem& p, const std::string& file);

// When `text` is plainly JSON, not CSV (its first character, after a byte order mark and
// blanks, opens an object or an array), the error a CSV reader gives instead of a
// missing column: code not-csv, "FILE: this is JSON Lines, a CSV was expected" (or
// "JSON", "a JSON array"), followed by `expected` when given (the columns wanted).
// nullopt otherwise.
std::optional<Error> not_csv(std::string_view text, const std::string& file, const std::string& expected = {});

// What to add to a message about `value`, which is not one of `allowed`: the closest
// allowed value when one is close ("; did you mean 'wrong-shape'?"; never for values of
// under 3 characters, such as levels, where every one is close), then the list
// (" (allowed: a, b, c)").
std::string allowed_values_hint(std::string_view value, const std::vector<std::string>& allowed);

template <class Pred>
std::optional<Error> duplicate_column(const std::vector<std::string>& header, const std::string& file, Pred counts) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    const std::string h = header_name(header[k]);
    if (h.empty() || !counts(h)) continue;
    for (std::size_t j = 0; j < k; ++j)
      if (header_name(header[j]) == h) {
        Error e;
        e.code = "duplicate-column";
        e.line = 1;
        e.column = static_cast<int>(k) + 1;
        e.message = file + ":1: the header names column '" + h + "' twice (columns " + std::to_string(j + 1) + " and " +
                    std::to_string(k + 1) + "); which one is meant cannot be told";
        return e;
      }
  }
  return std::nullopt;
}

}  // namespace silt::detail
