// The files compiled into the library from taxonomy/ and rules/: the default taxonomy,
// the survey's figures and every rules pack, by their path in the source tree.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "silt/rules.h"

namespace silt {

struct BuiltinFile {
  std::string_view name;  // the path it was built from, relative to the source tree
  std::string_view text;
};

// A built-in file by its path ("rules/pytorch.yaml"); nullopt when there is none.
std::optional<BuiltinFile> builtin_file(std::string_view path);
// The paths of every built-in file.
std::vector<std::string_view> builtin_files();

BuiltinFile builtin_taxonomy();
// The default rules: the keras-tf pack with its fitted numbers.
BuiltinFile builtin_rules();
// The figures of the study's validation survey (taxonomy/keras-tf-consensus.yaml,
// written by `silt consensus --format yaml` from the survey's export).
BuiltinFile builtin_consensus();

// The IncludeReader of built-in files: a path relative to the including file's
// directory, among the built-in files.
IncludeReader include_builtin();

// Version string of this build ("0.1.0").
std::string_view version();

}  // namespace silt
