// Fuzzes the reader of cached rules specs (a user's rules file as `silt rules compile`
// caches its parsed form, read back from ~/.cache/silt): the bytes of a cache file. Half
// the inputs are taken as they are; the other half as edits (offset, byte) to a valid
// file, and a length to cut it to, after which the checksum is made right again, so that
// the fuzzer reaches the header, the findings and the spec's JSON behind it. Whatever
// reads back is compiled and run on an issue.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "rules_spec.h"
#include "silt/issue.h"

namespace {

// A valid cache file: two rules (one of each kind of target), an include, a finding.
std::string valid_file(const silt::Taxonomy& tax) {
  const std::string yaml = R"(schema: silt/rules/v1
sections: {expected: ['expected behaviou?r']}
boilerplate: ['please provide']
rules:
  - {id: shape, category: wrong-shape, pattern: '\bshape\s+(is|was)\b', in: [title, body],
     unless: 'broadcast', tests: {match: ['the shape is off']}}
  - {id: results, criterion: results, pattern: 'accuracy\s+drops?', weight: 1.5, in: [prose]}
)";
  silt::Diagnostics diags;
  auto spec = silt::detail::read_rules_spec(yaml, "mine.yaml", tax, {}, diags);
  if (!spec) silt::fuzz::die("the harness's rules do not read");
  silt::detail::CachedSpec cached{{{"base.yaml", 0x0123456789abcdefull}}, diags.all(), std::move(*spec)};
  return silt::detail::spec_cache_bytes(cached, tax);
}

// The checksum made right again after the edits, so that they reach the reader.
void seal(std::string& file) {
  if (file.size() < 8) return;
  file.resize(file.size() - 8);
  silt::detail::seal_cache_bytes(file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto tax = silt::fuzz::builtin_taxonomy_loaded();
  static const std::string valid = valid_file(*tax);
  std::string file = silt::fuzz::cache_file_input(valid, data, size);
  if (size > 0 && data[0] % 2 == 1) seal(file);
  auto cached = silt::detail::read_spec_cache_file(file, *tax);
  if (!cached) return 0;
  silt::Diagnostics diags;
  auto rules = silt::detail::compile_rules(std::move(cached->spec), *tax, diags, silt::detail::Matcher::reference);
  if (!rules) return 0;
  silt::Issue issue;
  issue.title = "The shape is wrong";
  issue.body = "## Expected behaviour\nThe accuracy drops after the shape was (3, 4). Please provide";
  issue.join_lists();
  (void)rules->match(issue);
  (void)rules->run_tests();
  return 0;
}
