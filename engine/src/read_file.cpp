#include "read_file.h"

#include "silt/files.h"

namespace silt::detail {

Result<std::string> read_file(const std::string& path) {
  return read_input_file(path);
}

Diagnostic unreadable_file(const std::string& path, const Error& why) {
  Diagnostic d;
  d.code = "unreadable-file";
  d.where.file = path;
  d.message = why.code == "is-a-directory" ? "a directory, not a file"
              : why.code == "too-large"    ? "the file is too large: " + why.message
                                           : "cannot read the file: " + why.message;
  d.hint = "check the path and its permissions";
  return d;
}

}  // namespace silt::detail
