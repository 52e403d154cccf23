// An issue body read the way a reviewer reads it: GitHub-flavoured Markdown (md4c)
// split into the reporter's prose by template section, code, and console output, with
// the template's boilerplate left out.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "silt/issue.h"

namespace silt {

// The part of an issue template a heading opens. current: the reporter's account of the
// bug (also where text before any heading goes); expected: what should have happened;
// other: reproduction steps, context; logs: console output, whatever it looks like;
// environment: system information and versions, template administration (dropped).
enum class Section { current, expected, other, logs, environment };

// How one library's issue template reads: its section headings and its boilerplate
// (both from the rules file, silt/rules.h). Either may be empty: then no heading opens
// a section and nothing is boilerplate.
struct ReportTemplate {
  // The section a heading (its text, as written) opens; nullopt when it is no template
  // heading.
  std::function<std::optional<Section>(std::string_view heading)> section_of;
  // Whether a paragraph or list item is the template's own text, no evidence.
  std::function<bool(std::string_view text)> is_boilerplate;
};

struct ReportFields {
  std::string prose;             // every prose sentence, all sections together
  std::string prose_current;     // "Describe the current behavior", or prose before any section
  std::string prose_expected;    // "Describe the expected behavior"
  std::string prose_other;       // any other section (reproduction, context...)
  std::string quoted;            // block quotes: documentation, a message the reporter quotes
  std::string code;              // code blocks that are source, and inline code
  std::string output;            // code blocks (or pasted lines) that are console output, logs, values
  std::string dropped;           // what was left out: system information, template text, HTML comments
  std::size_t unread_bytes = 0;  // the end of a body past max_report_bytes, not read as Markdown
};

// How much of a body is read as Markdown: the rest of a longer one (logs, in practice)
// is in no report field, only in `body`.
inline constexpr std::size_t max_report_bytes = 4u << 20;

// Reads `body` in the template `tmpl` describes. A heading opens its section: an ATX or
// setext heading, or a line that is bold from start to end (**Describe the bug**), even
// inside a paragraph or a list item with no blank line around it. Boilerplate
// paragraphs, HTML blocks and comments and the environment section are dropped; the
// environment section ends at the next heading, or at a paragraph of prose that is no
// "key: value" list (the reporter writing on without a heading). Paragraphs that read as
// console output go to `output`, as code to `code`. Never throws; plain text is prose.
ReportFields read_report(std::string_view body, const ReportTemplate& tmpl = {});

// `issue` with its report fields (prose..., code, output) pointing into `report`,
// which must outlive the result.
IssueView with_report(IssueView issue, const ReportFields& report);

}  // namespace silt
