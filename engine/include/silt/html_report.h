// A report people can look at: one self-contained HTML page (inline SVG charts and CSS,
// no script, nothing loaded from elsewhere; links to the issues) from silt's outputs:
// `batch` JSON lines or CSV, `eval --format json`, `agree --format json`, and labels CSV
// (`triage`, by hand). Every figure with its n and its interval. Reads well on a laptop
// screen and prints.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "silt/result.h"
#include "silt/taxonomy.h"

namespace silt {

// Each input is (name, content); its kind is told by content (an eval or agree
// document by its header's schema, a CSV by its header). Fails, naming the input, when
// one is none of them (code "not-a-report-input"), is empty ("empty"), or is a broken
// document of its kind (that reader's code: "bad-eval-json", "csv-fields"...). A bad
// line of batch JSON Lines among good ones (a file cut short) is left out and named in
// `skipped` when given, as read_classifications does.
Result<std::string> render_html_report(const std::vector<std::pair<std::string, std::string>>& inputs,
                                       const Taxonomy& taxonomy, std::vector<std::string>* skipped = nullptr);

// The same from files ("-": stdin). A batch output of JSON lines in a regular file is
// read a line at a time, so that one of any size is read in bounded memory: the page
// lists the first 5000 issues needing review and the first 5000 of all, and counts
// every one. Other inputs are read whole. A file that cannot be read fails with the
// codes of read_input_file (silt/files.h).
Result<std::string> render_html_report_files(const std::vector<std::string>& paths, const Taxonomy& taxonomy,
                                             std::vector<std::string>* skipped = nullptr);

}  // namespace silt
