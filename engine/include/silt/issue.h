// An issue as silt reads it, and the readers for the forms issues come in: a GitHub
// REST API issue object, what `gh issue view/list --json` prints, plain text, Markdown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/result.h"

namespace silt {

// The text fields of an issue, as views. What the rules and the classifier read; it
// owns nothing, so whatever it points into must outlive it.
struct IssueView {
  std::string_view id;
  std::string_view title;
  std::string_view body;
  std::string_view url;
  std::string_view labels;    // label names joined by '\n'
  std::string_view comments;  // comment bodies joined by "\n\n"
  // The body as a reviewer reads it (silt/report.h); empty until the classifier reads it.
  std::string_view prose, prose_current, prose_expected, prose_other, code, output, quoted;

  // The text of a field by name (one of issue_fields()); empty for an unknown name.
  std::string_view field(std::string_view name) const;
};

// An issue that owns its text.
struct Issue {
  std::string id;  // "owner/repo#123" when the repository is known, else "#123" or a name
  std::string title;
  std::string body;
  std::string url;                    // html url, may be empty
  std::vector<std::string> labels;    // label names
  std::vector<std::string> comments;  // comment bodies (gh --json comments); may be empty
  std::string labels_text;            // labels joined by '\n', what rules see as field `labels`
  std::string comments_text;          // comments joined by "\n\n", field `comments`
  bool pull_request = false;          // GitHub JSON of a pull request (a "pull_request" member, a /pull/ url)

  std::string_view field(std::string_view name) const { return view().field(name); }
  IssueView view() const { return {id, title, body, url, labels_text, comments_text, {}, {}, {}, {}, {}, {}, {}}; }

  // Fills labels_text and comments_text from labels and comments.
  void join_lists();
};

// The field names rules may name in `in:`: title, body, labels, comments, and the body
// as a reviewer reads it: prose, prose.current, prose.expected, prose.other, code,
// output, quoted (block quotes: documentation or a message the reporter cites).
const std::vector<std::string>& issue_fields();

// Whether a field comes from reading the body's Markdown (prose..., code, output).
bool is_report_field(std::string_view name);

// Reads a plain-text or Markdown issue: the title is the first line the document shows
// (md4c's reading: a template's HTML comment and code blocks before it skipped, its
// markup, '#', '**' and backticks, dropped), the body what follows that line. `name`
// becomes the id.
Issue issue_from_text(std::string_view text, std::string_view name);

// Reads one issue from a JSON object given as text: a REST API issue or a `gh` object.
// Fails when it is not valid JSON, not an object, or has neither title nor body.
Result<Issue> issue_from_json(std::string_view json);

// Reads what a file or stdin holds, detected by content: a JSON object (one issue), a
// JSON array (several), several JSON documents one after another (JSON Lines), else
// text/Markdown. Fails on empty input and on bytes that are not UTF-8. A JSON syntax
// error gives a 1-based line and column into `content`. An element of an array, or a
// document, that is valid JSON but no issue fails the whole; with `skipped`, it goes
// there (its message names it) and the others are read. JSON Lines (a first line that
// is a whole document, and more lines) are read line by line: with `skipped`, a line
// that is not valid JSON or not UTF-8 goes there too, with its line (and column).
// A file named *.json or *.jsonl that holds no object or array is no issue.
//
// How the content is taken: `detect` as above, except that a file named *.md or
// *.markdown, and a text whose first line goes on as prose after its '{' or '[' ("[Bug]:
// ...", a Markdown link), are text; `json` refuses what is not JSON; `text` reads
// anything as text/Markdown.
enum class IssueFormat { detect, json, text };
std::optional<IssueFormat> parse_issue_format(std::string_view name);  // auto, json, markdown (or text)
Result<std::vector<Issue>> read_issues(std::string_view content, std::string_view name,
                                       std::vector<Error>* skipped = nullptr, IssueFormat format = IssueFormat::detect);

}  // namespace silt
