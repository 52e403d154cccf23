// The default taxonomy and rules, compiled into the library from taxonomy/ and rules/.
#pragma once

#include <string_view>

namespace silt {

struct BuiltinFile {
  std::string_view name;  // the path it was built from, relative to the source tree
  std::string_view text;
};

BuiltinFile builtin_taxonomy();
BuiltinFile builtin_rules();
// The figures of the study's validation survey (taxonomy/keras-tf-consensus.yaml,
// written by `silt consensus --format yaml` from the survey's export).
BuiltinFile builtin_consensus();

// Version string of this build ("0.1.0").
std::string_view version();

}  // namespace silt
