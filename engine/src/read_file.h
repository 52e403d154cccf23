// Private: whole-file reads for the loaders.
#pragma once

#include <string>

#include "silt/diagnostics.h"
#include "silt/result.h"

namespace silt::detail {

// The file's bytes; an Error (codes of silt::read_input_file: is-a-directory,
// unreadable, too-large) whose message names the file when it cannot be read.
Result<std::string> read_file(const std::string& path);

// The `unreadable-file` finding for `path`, with the reason `why` gives.
Diagnostic unreadable_file(const std::string& path, const Error& why);

}  // namespace silt::detail
