// Fuzzes the labels CSV reader (silt::read_labels), long and wide forms, then computes
// agreement and checks the levels of what it read against the built-in taxonomy.
// The first byte chooses: bit 0 the wide form, bits 1-2 its field, bit 3 nominal
// statistics, bit 4 a second (engine) rater added. The rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "silt/agreement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto taxonomy = silt::fuzz::builtin_taxonomy_loaded();
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  static const char* const wide_fields[] = {"category", "impact", "ui", "results"};
  const bool wide = flags & 1u;
  const std::string field = wide_fields[(flags >> 1) & 3u];

  const std::string& path = silt::fuzz::input_file(data + 1, size - 1);
  silt::fuzz::FdLeakCheck fds;  // after input_file, which opens its file once
  auto read = silt::read_labels(path, wide, field);
  if (!read.ok()) return 0;
  silt::LabelTable table = std::move(read.value().table);
  if (flags & 16u) table.add_rater("silt");
  silt::AgreementOptions options;
  options.nominal = flags & 8u;
  options.bootstrap = 20;
  options.top = 5;
  for (const auto& f : silt::agreement(table, *taxonomy, options)) (void)f.problems.size();
  (void)silt::check_levels(table, *taxonomy);
  return 0;
}
