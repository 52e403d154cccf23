// Fuzzes the taxonomy YAML reader (silt::load_taxonomy) and the JSON form's reader
// (taxonomy_json.h: what loads must read back from its JSON the same), then lints and
// queries what loads: the matrix, the hit policy, the GitHub label commands.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "silt/labels.h"
#include "silt/taxonomy.h"
#include "taxonomy_json.h"

namespace {

// Most criteria linted per input: lint enumerates 2^n combinations.
constexpr std::size_t max_fuzz_lint_criteria = 12;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  silt::fuzz::FdLeakCheck fds;
  const std::string input(silt::fuzz::text(data, size));
  auto load = silt::load_taxonomy(input, "fuzz-taxonomy.yaml");
  for (const auto& d : load.diagnostics.all()) (void)d.message.size();
  // The JSON form (what the build embeds of the built-in taxonomy): the input read as one,
  // and whatever loads from YAML must come back from its JSON the same.
  if (auto j = silt::detail::taxonomy_from_json(input)) (void)j->decide(std::vector<bool>(j->criteria.size()));
  if (!load.taxonomy) return 0;
  const silt::Taxonomy& t = *load.taxonomy;
  std::string json;
  try {
    json = silt::detail::taxonomy_to_json(t);
  } catch (const std::invalid_argument&) {  // text that is not UTF-8: never embedded (the build checks)
  }
  if (!json.empty()) {
    auto back = silt::detail::taxonomy_from_json(json);
    if (!back || silt::detail::taxonomy_to_json(*back) != json)
      silt::fuzz::die("a taxonomy does not read back from JSON");
  }
  for (const auto& c : t.categories) (void)t.category_index(c.id);
  for (const auto& c : t.criteria) (void)t.criterion_index(c.id);
  if (t.criteria.size() <= max_fuzz_lint_criteria) {
    for (const auto& f : silt::lint(t)) (void)silt::to_string(f.kind);
    const std::size_t n = t.criteria.size();
    for (unsigned mask : {0u, 1u, 0x55u, 0xfffu}) {
      std::vector<bool> holds(n);
      for (std::size_t i = 0; i < n; ++i) holds[i] = (mask >> i) & 1u;
      (void)t.decide(holds);
      (void)t.matching_levels(holds);
    }
  }
  (void)silt::gh_label_create_commands(t, "example-org/dl-lib");
  return 0;
}
