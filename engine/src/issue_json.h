// Private: the one mapping from a parsed JSON object (REST API or gh shape) to an issue,
// shared by `classify` and `batch`.
#pragma once

#include <string>
#include <string_view>

#include "json_read.h"
#include "silt/issue.h"

namespace silt::detail {

// An issue read from a parsed JSON object: views into the document's strings (valid
// while the document and the text it was parsed from are) and the few strings it had
// to build.
struct ParsedIssue {
  std::string id;
  std::string labels_text;
  std::string comments_text;
  std::string_view title, body, url;
  std::vector<std::string_view> labels, comments;
  bool pull_request = false;  // a "pull_request" member, or a /pull/ url: the issues endpoints return PRs too

  IssueView view() const { return {id, title, body, url, labels_text, comments_text, {}, {}, {}, {}, {}, {}, {}}; }
  Issue to_issue() const;
};

// Why a record is not an issue, with a stable code: "not-an-object", "bad-field" (a
// title or body that is neither a string nor null), "no-title-or-body".
struct NotAnIssue {
  const char* code;
  std::string message;
};

// Fills `out` from `element`; returns false and sets `why` when it is not an issue. The
// views in `out` point into the document, which must outlive them.
bool parse_issue(const JsonValue& element, ParsedIssue& out, NotAnIssue& why);

// "owner/repo" from an html url, an api issue url or a repository_url; empty if none.
std::string repo_of(std::string_view url);
// The issue (or pull request) number an html or api issue url names; empty if none.
std::string number_of(std::string_view url);

}  // namespace silt::detail
