// A report people can look at: one self-contained HTML page (inline SVG charts and CSS,
// no script, no network) from silt's outputs: `batch` JSON lines, `eval --format json`,
// `agree --format json`. Reads well on a laptop screen and prints.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "silt/result.h"
#include "silt/taxonomy.h"

namespace silt {

// Each input is (name, content); its kind is told by content. Fails, naming the input,
// when one is none of the three.
Result<std::string> render_html_report(const std::vector<std::pair<std::string, std::string>>& inputs,
                                       const Taxonomy& taxonomy);

}  // namespace silt
