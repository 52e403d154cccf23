#include "silt/issue.h"

#include <re2/re2.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace silt {

using nlohmann::json;

const std::vector<std::string>& issue_fields() {
  static const std::vector<std::string> fields = {"title", "body", "labels", "comments"};
  return fields;
}

std::string_view Issue::field(std::string_view name) const {
  if (name == "title") return title;
  if (name == "body") return body;
  if (name == "labels") return labels_text;
  if (name == "comments") return comments_text;
  return {};
}

void Issue::join_lists() {
  labels_text.clear();
  for (const auto& l : labels) labels_text += (labels_text.empty() ? "" : "\n") + l;
  comments_text.clear();
  for (const auto& c : comments) comments_text += (comments_text.empty() ? "" : "\n\n") + c;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// "owner/repo" from an html url, an api issue url or a repository_url; empty if none.
std::string repo_of(std::string_view url) {
  static const RE2 html(R"(^https?://(?:www\.)?github\.com/([^/\s]+/[^/\s]+)/(?:issues|pull)/\d+)");
  static const RE2 api(R"(^https?://api\.github\.com/repos/([^/\s]+/[^/\s]+))");
  std::string repo;
  if (RE2::PartialMatch(url, html, &repo) || RE2::PartialMatch(url, api, &repo)) return repo;
  return {};
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Result<Issue> issue_from_object(const json& j) {
  if (!j.is_object()) return Error{"expected a JSON object (an issue), found " + std::string(j.type_name())};
  Issue issue;
  issue.title = string_field(j, "title");
  issue.body = string_field(j, "body");
  if (trim(issue.title).empty() && trim(issue.body).empty()) return Error{"the issue has neither a title nor a body"};

  issue.url = string_field(j, "html_url");
  if (issue.url.empty()) issue.url = string_field(j, "url");  // gh prints the html url as `url`

  std::string repo = repo_of(string_field(j, "repository_url"));
  if (repo.empty()) repo = repo_of(issue.url);
  if (repo.empty()) repo = string_field(j, "repository");

  std::string number;
  if (auto it = j.find("number"); it != j.end()) {
    if (it->is_number_integer())
      number = std::to_string(it->get<long long>());
    else if (it->is_string())
      number = it->get<std::string>();
  }
  if (!number.empty())
    issue.id = repo.empty() ? "#" + number : repo + "#" + number;
  else if (auto it = j.find("id"); it != j.end()) {
    issue.id = it->is_string() ? it->get<std::string>() : it->dump();
  }

  if (auto it = j.find("labels"); it != j.end() && it->is_array()) {
    for (const auto& l : *it) {
      if (l.is_string())
        issue.labels.push_back(l.get<std::string>());
      else if (l.is_object()) {
        std::string name = string_field(l, "name");
        if (!name.empty()) issue.labels.push_back(name);
      }
    }
  }
  // gh --json comments gives a list of objects; the REST API gives a count: skipped.
  if (auto it = j.find("comments"); it != j.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (c.is_string())
        issue.comments.push_back(c.get<std::string>());
      else if (c.is_object())
        issue.comments.push_back(string_field(c, "body"));
    }
  }
  issue.join_lists();
  return issue;
}

// 1-based line and column of byte offset `pos` in `text`.
void line_col(std::string_view text, std::size_t pos, int& line, int& col) {
  line = 1;
  col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
}

Result<json> parse_json(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    Error err;
    std::string what = e.what();
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line L,
    // column C: syntax error while parsing ..."; keep the part after the position.
    auto colon = what.find(": ", what.find("parse error"));
    err.message = "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2));
    line_col(text, e.byte > 0 ? e.byte - 1 : 0, err.line, err.column);
    return err;
  }
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

Result<Issue> issue_from_json(std::string_view text) {
  auto j = parse_json(text);
  if (!j.ok()) return j.error();
  return issue_from_object(j.value());
}

Result<std::vector<Issue>> read_issues(std::string_view content, std::string_view name) {
  std::string_view t = trim(content);
  if (t.empty()) return Error{"the input is empty"};
  if (t.front() != '{' && t.front() != '[') return std::vector<Issue>{issue_from_text(content, name)};

  auto j = parse_json(content);
  if (!j.ok()) return j.error();
  std::vector<Issue> out;
  if (j.value().is_array()) {
    std::size_t index = 0;
    for (const auto& item : j.value()) {
      auto issue = issue_from_object(item);
      if (!issue.ok()) return Error{"element [" + std::to_string(index) + "]: " + issue.error().message};
      if (issue.value().id.empty()) issue.value().id = std::string(name) + "[" + std::to_string(index) + "]";
      out.push_back(std::move(issue).value());
      ++index;
    }
    return out;
  }
  auto issue = issue_from_object(j.value());
  if (!issue.ok()) return issue.error();
  if (issue.value().id.empty()) issue.value().id = std::string(name);
  out.push_back(std::move(issue).value());
  return out;
}

}  // namespace silt
