// Private: a pack map as JSON, and back. The build writes the built-in map's
// (tools/build_prefilters.cpp), so that a start reads it without parsing YAML (yaml-cpp
// took about 6% of the instructions of a one-issue `silt classify`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/packs.h"

namespace silt::detail {

struct PackMap {
  std::vector<PackInfo> packs;
  std::size_t default_pack = 0;
};

std::string packs_to_json(const PackMap& m);
// nullopt when the text is not one (every index is checked: the bytes may come from anywhere).
std::optional<PackMap> packs_from_json(std::string_view text);
// The JSON of the built-in pack map file named `file` (empty when there is none):
// builtin_prefilters.cpp, generated at build time.
std::string_view builtin_packs_json(std::string_view file);

}  // namespace silt::detail
