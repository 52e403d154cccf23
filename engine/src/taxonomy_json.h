// Private: a loaded Taxonomy as JSON, and back. The build writes the built-in taxonomy's
// (tools/build_prefilters.cpp), so that a start reads it without parsing YAML (yaml-cpp
// took half a millisecond of every `silt classify`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "silt/taxonomy.h"

namespace silt::detail {

std::string taxonomy_to_json(const Taxonomy& t);
// nullopt when the text is not one (every index is checked: the bytes may come from anywhere).
std::optional<Taxonomy> taxonomy_from_json(std::string_view text);
// The JSON of the built-in taxonomy file named `file` (empty when there is none):
// builtin_prefilters.cpp, generated at build time.
std::string_view builtin_taxonomy_json(std::string_view file);

}  // namespace silt::detail
