// Private: whole-file reads for the loaders.
#pragma once

#include <optional>
#include <string>

#include "silt/diagnostics.h"

namespace silt::detail {

// The file's bytes; nullopt when it cannot be opened or read.
std::optional<std::string> read_file(const std::string& path);

// The `unreadable-file` finding for `path`.
Diagnostic unreadable_file(const std::string& path);

}  // namespace silt::detail
