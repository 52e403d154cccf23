// Fuzzes the pack map reader (silt::load_packs: a YAML map of packs, rules/packs.yaml or
// a user's --packs file) and the JSON form's reader (packs_json.h: what the build embeds
// of the built-in map): the input read both ways, and whatever loads from YAML must come
// back from its JSON the same. What loads is queried: the pack of a few repositories.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.h"
#include "packs_json.h"
#include "silt/packs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  silt::fuzz::FdLeakCheck fds;
  const std::string input(silt::fuzz::text(data, size));
  if (auto j = silt::detail::packs_from_json(input)) (void)j->packs.at(j->default_pack).name.size();
  auto load = silt::load_packs(input, "fuzz-packs.yaml", nullptr, nullptr);
  for (const auto& d : load.diagnostics.all()) (void)d.message.size();
  if (!load.packs) return 0;
  const silt::PackSet& s = *load.packs;
  for (const char* repo : {"", "tensorflow/tensorflow", "o/r", "O/R", "pytorch/vision", "x"})
    (void)s.for_repository(repo).name.size();
  for (const auto& p : s.packs())
    if (s.find(p.name) == nullptr) silt::fuzz::die("a pack is not found by its own name");
  std::string json;
  try {
    json = silt::detail::packs_to_json({s.packs(), static_cast<std::size_t>(&s.default_pack() - s.packs().data())});
  } catch (const std::invalid_argument&) {  // text that is not UTF-8: never embedded (the build checks)
  }
  if (!json.empty()) {
    auto back = silt::detail::packs_from_json(json);
    if (!back || silt::detail::packs_to_json(*back) != json) silt::fuzz::die("a pack map does not read back from JSON");
  }
  return 0;
}
