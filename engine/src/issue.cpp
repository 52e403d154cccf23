#include "silt/issue.h"

#include <re2/re2.h>
#include <nlohmann/json.hpp>

#include "issue_json.h"

namespace silt {

const std::vector<std::string>& issue_fields() {
  static const std::vector<std::string> fields = {"title", "body", "labels", "comments"};
  return fields;
}

std::string_view IssueView::field(std::string_view name) const {
  if (name == "title") return title;
  if (name == "body") return body;
  if (name == "labels") return labels;
  if (name == "comments") return comments;
  return {};
}

void Issue::join_lists() {
  labels_text.clear();
  for (const auto& l : labels) labels_text += (labels_text.empty() ? "" : "\n") + l;
  comments_text.clear();
  for (const auto& c : comments) comments_text += (comments_text.empty() ? "" : "\n\n") + c;
}

namespace detail {

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string_view string_field(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

}  // namespace

Issue ParsedIssue::to_issue() const {
  Issue i;
  i.id = id;
  i.title = std::string(title);
  i.body = std::string(body);
  i.url = std::string(url);
  i.labels_text = labels_text;
  i.comments_text = comments_text;
  i.labels.assign(labels.begin(), labels.end());
  i.comments.assign(comments.begin(), comments.end());
  return i;
}

std::string repo_of(std::string_view url) {
  static const RE2 html(R"(^https?://(?:www\.)?github\.com/([^/\s]+/[^/\s]+)/(?:issues|pull)/\d+)");
  static const RE2 api(R"(^https?://api\.github\.com/repos/([^/\s]+/[^/\s]+))");
  std::string repo;
  if (RE2::PartialMatch(url, html, &repo) || RE2::PartialMatch(url, api, &repo)) return repo;
  return {};
}

bool parse_issue(simdjson::dom::element element, ParsedIssue& out, NotAnIssue& why) {
  simdjson::dom::object o;
  if (element.get_object().get(o) != simdjson::SUCCESS) {
    why = {"not-an-object", "expected a JSON object (an issue), found " + [&] {
             switch (element.type()) {
               case simdjson::dom::element_type::ARRAY:
                 return std::string("an array");
               case simdjson::dom::element_type::STRING:
                 return std::string("a string");
               case simdjson::dom::element_type::NULL_VALUE:
                 return std::string("null");
               case simdjson::dom::element_type::BOOL:
                 return std::string("a boolean");
               default:
                 return std::string("a number");
             }
           }()};
    return false;
  }
  out.title = string_field(o, "title");
  out.body = string_field(o, "body");  // null in the REST API when empty
  if (blank(out.title) && blank(out.body)) {
    why = {"no-title-or-body", "the issue has neither a title nor a body"};
    return false;
  }
  out.url = string_field(o, "html_url");
  if (out.url.empty()) out.url = string_field(o, "url");  // gh prints the html url as `url`

  std::string repo = repo_of(string_field(o, "repository_url"));
  if (repo.empty()) repo = repo_of(out.url);
  if (repo.empty()) repo = std::string(string_field(o, "repository"));

  out.id.clear();
  simdjson::dom::element number;
  if (o["number"].get(number) == simdjson::SUCCESS) {
    int64_t n = 0;
    std::string_view s;
    std::string num;
    if (number.get_int64().get(n) == simdjson::SUCCESS)
      num = std::to_string(n);
    else if (number.get_string().get(s) == simdjson::SUCCESS)
      num = std::string(s);
    if (!num.empty()) out.id = repo.empty() ? "#" + num : repo + "#" + num;
  }
  simdjson::dom::element idv;
  if (out.id.empty() && o["id"].get(idv) == simdjson::SUCCESS) {
    std::string_view s;
    int64_t n = 0;
    if (idv.get_string().get(s) == simdjson::SUCCESS)
      out.id = std::string(s);
    else if (idv.get_int64().get(n) == simdjson::SUCCESS)
      out.id = std::to_string(n);
  }

  out.labels_text.clear();
  out.labels.clear();
  simdjson::dom::array labels;
  if (o["labels"].get_array().get(labels) == simdjson::SUCCESS) {
    for (auto l : labels) {
      std::string_view name;
      if (l.get_string().get(name) != simdjson::SUCCESS) {
        simdjson::dom::object lo;
        if (l.get_object().get(lo) != simdjson::SUCCESS) continue;
        name = string_field(lo, "name");
      }
      if (name.empty()) continue;
      out.labels.push_back(name);
      if (!out.labels_text.empty()) out.labels_text += '\n';
      out.labels_text += name;
    }
  }
  // gh --json comments gives a list of objects; the REST API gives a count: skipped.
  out.comments_text.clear();
  out.comments.clear();
  simdjson::dom::array comments;
  if (o["comments"].get_array().get(comments) == simdjson::SUCCESS) {
    for (auto c : comments) {
      std::string_view text;
      if (c.get_string().get(text) != simdjson::SUCCESS) {
        simdjson::dom::object co;
        if (c.get_object().get(co) != simdjson::SUCCESS) continue;
        text = string_field(co, "body");
      }
      out.comments.push_back(text);
      if (!out.comments_text.empty()) out.comments_text += "\n\n";
      out.comments_text += text;
    }
  }
  return true;
}

void locate_json_error(std::string_view text, int& line, int& column, std::string& message) {
  line = column = 0;
  try {
    [[maybe_unused]] auto parsed = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    line = 1;
    column = 1;
    for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    // nlohmann says "[json.exception.parse_error.101] parse error at line L, column C:
    // syntax error while parsing ..."; keep what follows the position.
    std::string what = e.what();
    auto colon = what.find(": ", what.find("parse error"));
    message = colon == std::string::npos ? what : what.substr(colon + 2);
  } catch (const nlohmann::json::exception& e) {
    message = e.what();
  }
}

}  // namespace detail

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Parses `content` whole with simdjson; on a syntax error, an Error with the position.
Result<simdjson::dom::element> parse_document(simdjson::dom::parser& parser, const simdjson::padded_string& content) {
  simdjson::dom::element doc;
  auto err = parser.parse(content).get(doc);
  if (err == simdjson::SUCCESS) return doc;
  Error e;
  std::string located;
  detail::locate_json_error(std::string_view(content.data(), content.size()), e.line, e.column, located);
  e.message = "invalid JSON: " + (located.empty() ? std::string(simdjson::error_message(err)) : located);
  return e;
}

}  // namespace

Issue issue_from_text(std::string_view text, std::string_view name) {
  Issue issue;
  issue.id = std::string(name);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty()) continue;
    while (!line.empty() && line.front() == '#') line.remove_prefix(1);
    issue.title = std::string(trim(line));
    break;
  }
  if (pos < text.size()) issue.body = std::string(text.substr(pos));
  issue.join_lists();
  return issue;
}

Result<Issue> issue_from_json(std::string_view json) {
  auto issues = read_issues(json, "");
  if (!issues.ok()) return issues.error();
  if (trim(json).front() != '{') return Error{"expected a JSON object (an issue)"};
  return std::move(issues.value().front());
}

Result<std::vector<Issue>> read_issues(std::string_view content, std::string_view name) {
  std::string_view t = trim(content);
  if (t.empty()) return Error{"the input is empty"};
  if (t.front() != '{' && t.front() != '[') return std::vector<Issue>{issue_from_text(content, name)};

  simdjson::dom::parser parser;
  simdjson::padded_string padded(content);
  auto doc = parse_document(parser, padded);
  if (!doc.ok()) return doc.error();

  std::vector<Issue> out;
  detail::ParsedIssue parsed;
  detail::NotAnIssue why{};
  simdjson::dom::array array;
  if (doc.value().get_array().get(array) == simdjson::SUCCESS) {
    std::size_t index = 0;
    for (auto element : array) {
      if (!detail::parse_issue(element, parsed, why))
        return Error{"element [" + std::to_string(index) + "]: " + why.message};
      Issue issue = parsed.to_issue();
      if (issue.id.empty()) issue.id = std::string(name) + "[" + std::to_string(index) + "]";
      out.push_back(std::move(issue));
      ++index;
    }
    return out;
  }
  if (!detail::parse_issue(doc.value(), parsed, why)) return Error{why.message};
  Issue issue = parsed.to_issue();
  if (issue.id.empty()) issue.id = std::string(name);
  out.push_back(std::move(issue));
  return out;
}

}  // namespace silt
