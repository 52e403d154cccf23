// The build tool's own tables of built-in prefilters, specs, taxonomy and pack map: none (it builds them).
#include <cstdint>
#include <string_view>

namespace silt::detail {

std::string_view builtin_prefilter(std::uint64_t) {
  return {};
}

std::string_view builtin_spec(std::string_view) {
  return {};
}

std::string_view builtin_spec_tests(std::string_view) {
  return {};
}

std::string_view builtin_taxonomy_json(std::string_view) {
  return {};
}

std::string_view builtin_packs_json(std::string_view) {
  return {};
}

}  // namespace silt::detail
