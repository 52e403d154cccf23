// An issue body read the way a reviewer reads it: GitHub-flavoured Markdown (md4c)
// split into the reporter's prose by template section, code, and console output, with
// the template's boilerplate left out.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "silt/issue.h"

namespace silt {

struct ReportFields {
  std::string prose;           // every prose sentence, all sections together
  std::string prose_current;   // "Describe the current behavior", or prose before any section
  std::string prose_expected;  // "Describe the expected behavior"
  std::string prose_other;     // any other section ("Other info / logs"...)
  std::string code;            // code blocks that are source, and inline code
  std::string output;          // code blocks (or pasted lines) that are console output, logs, values
  std::string dropped;         // what was left out: system information, template text, HTML comments
};

// How much of a body is read as Markdown: the rest of a longer one (logs, in practice)
// is in no report field, only in `body`.
inline constexpr std::size_t max_report_bytes = 4u << 20;

// Reads `body`. A paragraph or list item for which `is_boilerplate` returns true is
// dropped (the rules file's `boilerplate:` patterns); so are HTML blocks and comments
// and the system-information section. Never throws; plain text is all prose.
ReportFields read_report(std::string_view body, const std::function<bool(std::string_view)>& is_boilerplate = {});

// `issue` with its report fields (prose..., code, output) pointing into `report`,
// which must outlive the result.
IssueView with_report(IssueView issue, const ReportFields& report);

}  // namespace silt
