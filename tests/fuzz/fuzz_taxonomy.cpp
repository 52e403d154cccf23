// Fuzzes the taxonomy YAML reader (silt::load_taxonomy), then lints and queries what
// loads: the matrix, the hit policy, the GitHub label commands.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.h"
#include "silt/labels.h"
#include "silt/taxonomy.h"

namespace {

// Most criteria linted per input: lint enumerates 2^n combinations.
constexpr std::size_t max_fuzz_lint_criteria = 12;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  silt::fuzz::FdLeakCheck fds;
  auto load = silt::load_taxonomy(silt::fuzz::text(data, size), "fuzz-taxonomy.yaml");
  for (const auto& d : load.diagnostics.all()) (void)d.message.size();
  if (!load.taxonomy) return 0;
  const silt::Taxonomy& t = *load.taxonomy;
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
