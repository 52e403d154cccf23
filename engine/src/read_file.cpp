#include "read_file.h"

#include <fstream>
#include <sstream>

namespace silt::detail {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(ss).str();
}

Diagnostic unreadable_file(const std::string& path) {
  Diagnostic d;
  d.code = "unreadable-file";
  d.where.file = path;
  d.message = "cannot read the file";
  d.hint = "check the path and its permissions";
  return d;
}

}  // namespace silt::detail
