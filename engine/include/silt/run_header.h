// What a statistics document (eval or agree JSON) says of how it was made: how its
// intervals were drawn, from which inputs, comparing which raters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "silt/stats.h"

namespace silt {

struct RunHeader {
  std::string schema;         // "silt/eval/v1", "silt/agree/v1": set by the writer
  std::size_t bootstrap = 0;  // resamples of the items per interval (0: no intervals)
  std::uint64_t seed = 0;     // of the resamples: the same seed gives the same intervals
  double confidence_level = stats::confidence_level;
  std::vector<std::string> raters;                          // who is compared, in order
  std::vector<std::pair<std::string, std::string>> inputs;  // role ("gold", "labels"...), path
};

}  // namespace silt
