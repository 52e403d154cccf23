// Fuzzes the reader of cached prefilters (a user's rules compiled by `silt rules
// compile`, read back from ~/.cache/silt): the bytes of a cache file for a fixed small
// rule set. Half the inputs are taken as they are; the other half as edits (offset,
// byte) to a valid file, and a length to cut it to, so that the fuzzer reaches past the
// checksum's rejection too. Whatever reads back is run on a text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "prefilter.h"
#include "silt/issue.h"

namespace {

const silt::detail::PrefilterSource& source() {
  static const silt::detail::PrefilterSource s = [] {
    silt::detail::PrefilterSource src;
    auto rule = [](std::string text, bool case_sensitive) {
      silt::detail::PrefilterSource::Pattern p;
      p.text = std::move(text);
      p.case_sensitive = case_sensitive;
      p.fields = {0, 1};
      return p;
    };
    src.rules = {rule(R"(\bshape\s+(is|was)\b)", false), rule(R"(\bNaN\b)", true), rule(R"(loss\s+\d{1,3})", false)};
    src.boilerplate = {"please provide"};
    src.headings = {"describe the (bug|problem)"};
    return src;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using silt::detail::Prefilter;
  static const std::string valid = [] {
    auto pf = Prefilter::compile(source());
    return pf.ok() ? silt::detail::cache_file_bytes(*pf.value(), Prefilter::fingerprint(source())) : std::string();
  }();
  const std::string file = silt::fuzz::cache_file_input(valid, data, size);
  auto pf = silt::detail::read_cache_file(file, source());
  if (!pf.ok()) return 0;
  std::vector<std::size_t> out;
  for (std::size_t f = 0; f < silt::issue_fields().size(); ++f)
    pf.value()->candidates(f, "The shape is wrong, loss 12 and NaN. Please provide", out);
  pf.value()->boilerplate_candidates("please provide the code", out);
  pf.value()->heading_candidates("Describe the bug", out);
  return 0;
}
