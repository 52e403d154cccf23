// Private: a whole CSV text as rows of fields, with the line each row starts on
// (libcsv parses; RFC 4180 quoting, fields spanning lines).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace silt::detail {

struct CsvTable {
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // 1-based line each row starts on
};

CsvTable parse_csv(std::string_view text);

// Lower case, without surrounding spaces or a UTF-8 byte order mark: for header names.
std::string header_name(std::string s);

// Without surrounding spaces.
std::string trim(std::string s);

}  // namespace silt::detail
