// Fuzzes what the prefilter compiles a pattern into (relaxed_pattern, and the widening
// of a cased letter beyond ASCII): for a pattern and a text, split at the input's first
// NUL, the prefilter must name the rule wherever RE2 matches it (a superset: RE2 decides
// the rest), caseless and case-sensitive alike. Aborts when it does not.
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "prefilter.h"
#include "silt/issue.h"
#include "silt/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using silt::detail::Prefilter;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = in.find('\0');
  if (nul == std::string_view::npos || nul == 0 || nul > 200) return 0;
  const std::string pattern(in.substr(0, nul));
  const std::string_view text = in.substr(nul + 1);
  if (!silt::valid_utf8(pattern) || !silt::valid_utf8(text)) return 0;  // silt checks both before
  for (bool case_sensitive : {false, true}) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(case_sensitive);
    o.set_max_mem(8 << 20);
    const RE2 re(pattern, o);
    if (!re.ok()) continue;
    silt::detail::PrefilterSource src;
    silt::detail::PrefilterSource::Pattern p;
    p.text = pattern;
    p.case_sensitive = case_sensitive;
    p.fields = {0};
    src.rules.push_back(p);
    auto pf = Prefilter::compile(src);
    if (!pf.ok()) continue;
    std::vector<std::size_t> out;
    pf.value()->candidates(0, text, out);
    if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re) && out.empty())
      silt::fuzz::die("RE2 matches the text but the prefilter does not name the rule");
  }
  return 0;
}
