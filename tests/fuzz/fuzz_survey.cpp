// Fuzzes the survey readers: a Google Forms CSV export (silt::read_survey), whose
// figures are written as YAML and read back; the same bytes as one labeler's ratings
// (silt::consistency) against the built-in consensus; and as a consensus YAML file
// (silt::consensus_from_yaml).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "silt/builtin.h"
#include "silt/survey.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto taxonomy = silt::fuzz::builtin_taxonomy_loaded();
  static const silt::Consensus builtin = [] {
    auto b = silt::builtin_consensus();
    auto c = silt::consensus_from_yaml(b.text, std::string(b.name));
    if (!c.ok()) silt::fuzz::die("the built-in consensus does not load");
    return c.value();
  }();
  const std::string& path = silt::fuzz::input_file(data, size);
  silt::fuzz::FdLeakCheck fds;  // after input_file, which opens its file once

  auto survey = silt::read_survey(path, *taxonomy);
  if (survey.ok()) {
    const silt::Consensus& c = survey.value();
    for (const auto& cat : c.categories) (void)silt::find(c, cat.category);
    for (const auto& level : c.levels) (void)silt::find(c, level.level);
    const std::string yaml = silt::to_yaml(c);
    (void)silt::consensus_from_yaml(yaml, "fuzz-consensus.yaml");
  }
  (void)silt::consistency(path, builtin, *taxonomy);
  (void)silt::consensus_from_yaml(silt::fuzz::text(data, size), "fuzz-input.yaml");
  return 0;
}
