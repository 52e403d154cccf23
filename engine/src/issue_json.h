// Private: the one mapping from a parsed JSON object (REST API or gh shape) to an issue,
// shared by `classify` and `batch`.
#pragma once

#include <rapidjson/document.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "silt/issue.h"

namespace silt::detail {

// An issue read from a simdjson DOM element: views into the parser's string buffer
// (valid until the parser's next parse) and the few strings it had to build.
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
bool parse_issue(simdjson::dom::element element, ParsedIssue& out, NotAnIssue& why);
bool parse_issue(const rapidjson::Value& element, ParsedIssue& out, NotAnIssue& why);

// How deep JSON values may nest: simdjson's limit, applied to RapidJSON's in-place
// parse of big records too, so both paths accept and reject the same records.
inline constexpr std::size_t max_json_depth = simdjson::DEFAULT_MAX_DEPTH;

// Whether the arrays and objects of `text` (JSON, maybe invalid) nest deeper than
// `limit`; strings are skipped. Linear, no recursion.
bool json_deeper_than(std::string_view text, std::size_t limit);

// Whether a simdjson error is a number it cannot hold (an integer past 64 bits, a value
// past a double's range): valid JSON, which parse_with_numbers_as_text then reads.
bool number_beyond_simdjson(simdjson::error_code e);

// Parses `text` with RapidJSON, every number kept as its text (the issue fields silt
// reads take a number as text too); false on invalid JSON or nesting past max_json_depth.
bool parse_with_numbers_as_text(std::string_view text, rapidjson::Document& doc);

// A record simdjson failed to read with `err`, read again when the failure is a number
// it cannot hold: RapidJSON, numbers as text, into `doc`, then mapped into `out` (`why`
// when it is no issue). nullopt when `err` is another error, or RapidJSON fails too.
std::optional<bool> parse_issue_past_number(simdjson::error_code err, std::string_view text, rapidjson::Document& doc,
                                            ParsedIssue& out, NotAnIssue& why);

// "owner/repo" from an html url, an api issue url or a repository_url; empty if none.
std::string repo_of(std::string_view url);
// The issue (or pull request) number an html or api issue url names; empty if none.
std::string number_of(std::string_view url);

// The 1-based line and column of the first JSON syntax error in `text` (0, 0 if none is
// found), and its message.
// `more_documents`, when given, says whether the error is a second document after a
// valid first one (JSON Lines given where one document was expected).
void locate_json_error(std::string_view text, int& line, int& column, std::string& message,
                       bool* more_documents = nullptr);

}  // namespace silt::detail
