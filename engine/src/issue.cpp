#include "silt/issue.h"
#include "silt/utf8.h"

#include <md4c.h>
#include <re2/re2.h>

#include <cctype>
#include <charconv>
#include <optional>

#include "issue_json.h"

namespace silt {

const std::vector<std::string>& issue_fields() {
  static const std::vector<std::string> fields = {"title", "body",          "labels",         "comments",
                                                  "prose", "prose.current", "prose.expected", "prose.other",
                                                  "code",  "output",        "quoted"};
  return fields;
}

bool is_report_field(std::string_view name) {
  return name == "prose" || name.rfind("prose.", 0) == 0 || name == "code" || name == "output" || name == "quoted";
}

std::string_view IssueView::field(std::string_view name) const {
  if (name == "title") return title;
  if (name == "body") return body;
  if (name == "labels") return labels;
  if (name == "comments") return comments;
  if (name == "prose") return prose;
  if (name == "prose.current") return prose_current;
  if (name == "prose.expected") return prose_expected;
  if (name == "prose.other") return prose_other;
  if (name == "code") return code;
  if (name == "output") return output;
  if (name == "quoted") return quoted;
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
  i.pull_request = pull_request;
  return i;
}

// Scheme and host in any case, as browsers and GitHub take them.
const RE2& html_issue_url() {
  static const RE2 re(R"(^(?i:https?://(?:www\.)?github\.com)/([^/\s]+/[^/\s]+)/(?:issues|pull)/(\d+))");
  return re;
}

std::string repo_of(std::string_view url) {
  static const RE2 api(R"(^(?i:https?://api\.github\.com)/repos/([^/\s]+/[^/\s]+))");
  std::string repo;
  if (RE2::PartialMatch(url, html_issue_url(), &repo) || RE2::PartialMatch(url, api, &repo)) return repo;
  return {};
}

std::string number_of(std::string_view url) {
  static const RE2 api(R"(^(?i:https?://api\.github\.com)/repos/[^/\s]+/[^/\s]+/(?:issues|pulls)/(\d+))");
  std::string number;
  if (RE2::PartialMatch(url, html_issue_url(), nullptr, &number) || RE2::PartialMatch(url, api, &number)) return number;
  return {};
}

namespace {

std::string_view string_member(const JsonValue& o, std::string_view key) {
  const JsonValue* v = json_member(o, key);
  if (!v) return {};
  return json_string(*v).value_or(std::string_view());
}

// An integer's digits: from -2^63 to 2^64-1, or the text of a number past 64 bits.
std::optional<std::string> integer_text(const JsonValue& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return std::nullopt;
}

// Labels: names, or objects with a name. Comments (gh --json comments): bodies, or
// objects with a body; the REST API gives a count instead, which is skipped.
std::string_view text_of(const JsonValue& v, std::string_view key) {
  if (auto s = json_string(v)) return *s;
  return string_member(v, key);
}

// The issue's id: REPO#NUMBER from its number, else from its address, else its "id".
void read_id(const JsonValue& o, ParsedIssue& out) {
  std::string repo = repo_of(string_member(o, "repository_url"));
  if (repo.empty()) repo = repo_of(out.url);
  if (repo.empty()) repo = std::string(string_member(o, "repository"));
  out.id.clear();
  if (const JsonValue* number = json_member(o, "number")) {
    std::string num;
    if (auto n = integer_text(*number))
      num = *n;
    else if (auto s = json_string(*number))
      num = std::string(*s);
    if (!num.empty()) out.id = repo.empty() ? "#" + num : repo + "#" + num;
  }
  // No number of its own: the one its address gives (an html_url, or the API url).
  if (out.id.empty() && !repo.empty())
    if (std::string num = number_of(out.url); !num.empty()) out.id = repo + "#" + num;
  if (out.id.empty()) {
    if (const JsonValue* idv = json_member(o, "id")) {
      if (auto s = json_string(*idv))
        out.id = std::string(*s);
      else if (auto n = integer_text(*idv))
        out.id = *n;
    }
  }
}

bool map_issue(const JsonValue& o, ParsedIssue& out, NotAnIssue& why) {
  if (!o.IsObject()) {
    why = {"not-an-object", std::string("expected a JSON object (an issue), found ") + json_kind(o)};
    return false;
  }
  // The title and the body: strings, or null or missing (the REST API's body is null when
  // empty). Any other type is a mistake in the input, not an empty text.
  for (auto [key, text] : {std::pair{"title", &out.title}, std::pair{"body", &out.body}}) {
    *text = {};
    const JsonValue* v = json_member(o, key);
    if (!v || v->IsNull()) continue;
    auto s = json_string(*v);
    if (!s) {
      why = {"bad-field", std::string("'") + key + "' must be a string (or null), found " + json_kind(*v)};
      return false;
    }
    *text = *s;
  }
  if (blank(out.title) && blank(out.body)) {
    why = {"no-title-or-body", "the issue has neither a title nor a body"};
    return false;
  }
  out.url = string_member(o, "html_url");
  if (out.url.empty()) out.url = string_member(o, "url");  // gh prints the html url as `url`
  const JsonValue* pr = json_member(o, "pull_request");
  out.pull_request = (pr && !pr->IsNull()) || out.url.find("/pull/") != std::string_view::npos;
  read_id(o, out);

  out.labels.clear();
  out.labels_text.clear();
  if (const JsonValue* labels = json_member(o, "labels"); labels && labels->IsArray()) {
    for (const JsonValue& l : labels->GetArray()) {
      std::string_view name = text_of(l, "name");
      if (name.empty()) continue;
      out.labels.push_back(name);
      if (!out.labels_text.empty()) out.labels_text += '\n';
      out.labels_text += name;
    }
  }
  out.comments.clear();
  out.comments_text.clear();
  if (const JsonValue* comments = json_member(o, "comments"); comments && comments->IsArray()) {
    for (const JsonValue& c : comments->GetArray()) {
      std::string_view text = text_of(c, "body");
      out.comments.push_back(text);
      if (!out.comments_text.empty()) out.comments_text += "\n\n";
      out.comments_text += text;
    }
  }
  return true;
}

// A parsed document's issues: an array of them, or one.
Result<std::vector<Issue>> issues_of(const JsonValue& doc, std::string_view name, std::vector<Error>* skipped) {
  std::vector<Issue> out;
  ParsedIssue parsed;
  NotAnIssue why{};
  if (doc.IsArray()) {
    std::size_t index = 0;
    for (const JsonValue& element : doc.GetArray()) {
      if (!map_issue(element, parsed, why)) {
        Error e{"element [" + std::to_string(index) + "]: " + why.message, 0, 0, why.code ? why.code : "not-an-issue"};
        ++index;
        if (!skipped) return e;
        skipped->push_back(std::move(e));
        continue;
      }
      Issue issue = parsed.to_issue();
      if (issue.id.empty()) issue.id = std::string(name) + "[" + std::to_string(index) + "]";
      out.push_back(std::move(issue));
      ++index;
    }
    return out;
  }
  if (!map_issue(doc, parsed, why)) {
    Error e{why.message, 0, 0, why.code ? why.code : "not-an-issue"};
    if (!skipped) return e;
    skipped->push_back(std::move(e));
    return out;
  }
  Issue issue = parsed.to_issue();
  if (issue.id.empty()) issue.id = std::string(name);
  out.push_back(std::move(issue));
  return out;
}

}  // namespace

bool parse_issue(const JsonValue& value, ParsedIssue& out, NotAnIssue& why) {
  return map_issue(value, out, why);
}

namespace {

// Several JSON documents one after another (gh api --paginate's arrays, documents
// printed over several lines): the issues of each, in order; an issue without an id of
// its own is named by its line. A document that is not valid JSON ends the reading (the
// documents after it cannot be framed) and one that is not issues fails the whole, each
// with its line (silt batch labels the good ones and rejects the bad: the error says so);
// with `skipped`, it is named there and the documents read before it are kept.
Result<std::vector<Issue>> issues_of_documents(std::string_view text, std::string_view name,
                                               std::vector<Error>* skipped) {
  auto fail = [](Error e) {
    e.message += " (silt batch reads JSON Lines record by record: it labels every good one)";
    return e;
  };
  std::vector<Issue> out;
  auto stop = [&](Error e, bool last) -> Result<std::vector<Issue>> {
    if (!skipped) return fail(std::move(e));
    if (!last) e.message += "; the documents after it are not read (silt batch reads them record by record)";
    skipped->push_back(std::move(e));
    return std::move(out);
  };
  JsonDocument doc;
  JsonSequence values(text);
  int line = 1;             // of byte `counted`
  std::size_t counted = 0;  // lines are counted once, from one document to the next
  auto line_at = [&](std::size_t offset) {
    line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                        text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    counted = offset;
    return line;
  };
  for (std::size_t at = text.find_first_not_of(" \t\r\n"); at < text.size();
       at = text.find_first_not_of(" \t\r\n", at)) {
    const int start_line = line_at(at);
    std::size_t end = 0;
    if (auto failed = values.next(at, doc, end)) {
      const std::size_t offset = std::min(failed->offset, text.size());
      const std::size_t line_start = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
      const int l = line_at(offset);
      const int c = static_cast<int>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
      const bool cut = failed->offset >= text.size();
      return stop(Error{(failed->code == std::string_view("invalid-json") ? "invalid JSON: " : "") + failed->message +
                            " (in the document starting at line " + std::to_string(start_line) + ", one of several)",
                        l, c, failed->code},
                  cut);
    }
    at = end;
    const std::string named = std::string(name) + ":" + std::to_string(start_line);
    std::vector<Error> left_out;
    auto got = issues_of(doc, named, skipped ? &left_out : nullptr);
    for (auto& e : left_out) {
      e.message = "the document at line " + std::to_string(start_line) + ": " + e.message;
      e.line = start_line;
      skipped->push_back(std::move(e));
    }
    if (!got.ok())
      return fail(Error{"the document at line " + std::to_string(start_line) + ": " + got.error().message, start_line,
                        0, got.error().code});
    for (auto& issue : got.value()) out.push_back(std::move(issue));
  }
  return out;
}

}  // namespace

}  // namespace detail

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

namespace {

// The first line of text a Markdown document shows, as md4c reads it: outside code
// blocks and HTML (a template's <!-- comment --> first), without its markup (`**`,
// backticks, '#'), up to its first line break. `end`: the offset just past the last
// byte of it in `text`.
struct ShownLine {
  std::string text;
  std::size_t end = 0;
};

std::optional<ShownLine> first_shown_line(std::string_view text) {
  // md4c 0.4.8 reads past the end of a text ending in an unfinished link ("[](") and,
  // when a ')' lies there, parses on into what follows: it reads a copy, which ends with
  // a NUL (the offsets into it are those into the text).
  const std::string copy(text);
  struct State {
    std::string_view all;
    ShownLine line;
    int code = 0, html = 0;
    bool started = false, done = false;
  } st{copy, {}, 0, 0, false, false};
  MD_PARSER p{};
  p.abi_version = 0;
  p.flags = MD_DIALECT_GITHUB;
  p.enter_block = [](MD_BLOCKTYPE type, void*, void* u) -> int {
    auto* s = static_cast<State*>(u);
    s->code += type == MD_BLOCK_CODE;
    s->html += type == MD_BLOCK_HTML;
    return 0;
  };
  p.leave_block = [](MD_BLOCKTYPE type, void*, void* u) -> int {
    auto* s = static_cast<State*>(u);
    s->code -= type == MD_BLOCK_CODE;
    s->html -= type == MD_BLOCK_HTML;
    if (s->started && type != MD_BLOCK_CODE && type != MD_BLOCK_HTML) s->done = true;
    return s->done ? 1 : 0;  // stop reading: the line is whole
  };
  p.enter_span = [](MD_SPANTYPE, void*, void*) -> int { return 0; };
  p.leave_span = [](MD_SPANTYPE, void*, void*) -> int { return 0; };
  p.text = [](MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* u) -> int {
    auto* s = static_cast<State*>(u);
    if (s->done) return 1;
    if (s->code > 0 || s->html > 0 || type == MD_TEXT_HTML) return 0;
    if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
      if (s->started) s->done = true;
      return s->done ? 1 : 0;
    }
    // A span that starts in the text never runs past its end: md4c 0.4.8 reads past the
    // end of a text ending in an unfinished link ("[](") and may hand back a size from
    // what it found there (as read_report's reader guards too).
    const char* end = s->all.data() + s->all.size();
    const bool inside = t >= s->all.data() && t <= end;
    if (inside && size > static_cast<MD_SIZE>(end - t)) size = static_cast<MD_SIZE>(end - t);
    s->started = true;
    s->line.text.append(t, size);
    if (inside) s->line.end = std::max(s->line.end, static_cast<std::size_t>(t + size - s->all.data()));
    return 0;
  };
  md_parse(copy.data(), static_cast<MD_SIZE>(copy.size()), &p, &st);
  if (!st.started || st.line.end == 0) return std::nullopt;
  return st.line;
}

}  // namespace

Issue issue_from_text(std::string_view text, std::string_view name) {
  Issue issue;
  issue.id = std::string(name);
  // The title: the first line the document shows, without its markup; the body, what
  // follows that line.
  if (auto shown = first_shown_line(text); shown && !trim(shown->text).empty()) {
    issue.title = std::string(trim(shown->text));
    const std::size_t nl = text.find('\n', shown->end);
    if (nl != std::string_view::npos && nl + 1 < text.size()) issue.body = std::string(text.substr(nl + 1));
    issue.join_lists();
    return issue;
  }
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
  json = without_bom(json);  // as read_issues skips it
  if (trim(json).front() != '{' || issues.value().size() != 1)
    return Error{"expected a JSON object (an issue)", 0, 0, "not-an-object"};
  return std::move(issues.value().front());
}

namespace {

// One JSON document (an issue, or an array of them): its issues, or where it is not
// valid JSON (a 1-based line and column into `content`). `more_documents` says whether
// the error is a second document after a valid first one.
Result<std::vector<Issue>> read_json_document(detail::JsonDocument& doc, std::string_view content,
                                              std::string_view name, std::vector<Error>* skipped,
                                              bool* more_documents) {
  const auto failed = detail::parse_json(content, doc);
  if (!failed) return detail::issues_of(doc, name, skipped);
  if (more_documents) *more_documents = failed->more;
  Error e;
  detail::line_and_column(content, failed->offset, e.line, e.column);
  e.code = failed->code;
  e.message = (failed->code == std::string_view("invalid-json") ? "invalid JSON: " : "") + failed->message;
  return e;
}

// JSON Lines: each line a document of its own, read alone, so that a line that is not
// valid JSON, or not UTF-8, is named with its line and column while every other line is
// read (with `skipped`; without, the first bad line fails the whole). A line's issues
// without an id are named NAME:LINE.
Result<std::vector<Issue>> read_json_lines(std::string_view content, std::string_view name,
                                           std::vector<Error>* skipped) {
  std::vector<Issue> out;
  detail::JsonDocument doc;
  int line = 0;
  for (std::size_t pos = 0; pos < content.size();) {
    std::size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) nl = content.size();
    const std::string_view text = content.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (trim(text).empty()) continue;
    const std::string named = std::string(name) + ":" + std::to_string(line);
    std::vector<Error> left_out;
    Result<std::vector<Issue>> got = read_json_document(doc, text, named, skipped ? &left_out : nullptr, nullptr);
    for (auto& e : left_out) {  // an element of an array on the line: the line says where
      e.line = line;
      skipped->push_back(std::move(e));
    }
    if (!got.ok()) {
      Error e = got.error();  // its column is into the line
      e.line = line;
      if (!skipped) {
        e.message += " (silt batch reads JSON Lines record by record: it labels every good one)";
        return e;
      }
      skipped->push_back(std::move(e));
      continue;
    }
    for (auto& issue : got.value()) out.push_back(std::move(issue));
  }
  return out;
}

// Whether `t` (trimmed) reads as JSON Lines: its first line is a whole document on one
// line (it opens and closes an object or an array), and another line follows. Documents
// printed over several lines (jq's, gh's at a terminal) start with a line "{" or "[".
bool json_lines(std::string_view t) {
  const std::size_t nl = t.find('\n');
  if (nl == std::string_view::npos) return false;
  const std::string_view first = trim(t.substr(0, nl));
  return first.size() >= 2 && (first.back() == '}' || first.back() == ']');
}

// Whether `s` starts with a word of prose: a letter, and not JSON's true, false or null.
bool starts_word(std::string_view s) {
  return !s.empty() && std::isalpha(static_cast<unsigned char>(s.front())) && s.substr(0, 4) != "true" &&
         s.substr(0, 5) != "false" && s.substr(0, 4) != "null";
}

// Whether what follows a closing ']' at t[j] on its line is prose: not the line's end,
// nor what may follow a JSON array (a comma, a bracket, another array that opens with a
// value: "[2.4][Keras] fit fails" goes on as prose).
bool prose_after_close(std::string_view t, std::size_t j) {
  while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
  if (j >= t.size() || t[j] == '\n' || t[j] == '\r' || t[j] == ',' || t[j] == ']' || t[j] == '{') return false;
  if (t[j] != '[') return true;
  for (++j; j < t.size() && (t[j] == ' ' || t[j] == '\t');) ++j;
  return starts_word(t.substr(j));
}

// Whether a text that opens with '{' or '[' goes on as prose, not as JSON: a whole value
// on its first line followed by words there; what follows
// the bracket on its line cannot start a JSON member or value ("[Bug]: ...", a Markdown
// link, "[x] checked", "{TF 2.4}"), a bracketed token that is no JSON number, or a
// bracketed number that goes on as prose ("[2.x] ...", "[2.4] Regression"). A quote, a
// bracket, true/false/null, another number or the line's end may be JSON: read so.
bool opens_like_text(std::string_view t) {
  // A whole JSON value on the first line, then words on that line ("[1, 2] shape is
  // wrong", "{} is returned"), and no JSON value opening the next line: text. (JSON Lines
  // go on with a value or nothing; a broken line among JSON Lines is read as one.)
  if (const std::size_t nl = t.find('\n'); std::min(nl, t.size()) <= 4096) {
    const std::string_view line = t.substr(0, nl);
    detail::JsonDocument doc;
    std::size_t end = 0;
    if (!detail::JsonSequence(line).next(0, doc, end)) {
      while (end < line.size() && (line[end] == ' ' || line[end] == '\t')) ++end;
      const std::size_t next = nl == std::string_view::npos ? t.size() : t.find_first_not_of(" \t\r\n", nl);
      if (starts_word(line.substr(end)) && (next >= t.size() || (t[next] != '{' && t[next] != '['))) return true;
    }
  }
  std::size_t i = 1;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  if (i >= t.size()) return false;
  const char c = t[i];
  if (c == '\n' || c == '\r' || c == '"') return false;
  if (t.front() == '{') return c != '}';
  if (c == ']') return prose_after_close(t, i + 1);  // "[ ] checkbox", "[](url) text"
  if (c == '-' || (c >= '0' && c <= '9')) {
    // "[2.4] Regression": a number, then prose; "[2.x] ...", "[2.0.0-beta1] ...": no
    // JSON number at all.
    std::size_t j = i;
    while (j < t.size() && std::string_view("],{[ \t\r\n").find(t[j]) == std::string_view::npos) ++j;
    double number = 0;
    if (std::from_chars(t.data() + i, t.data() + j, number).ptr != t.data() + j) return true;
    while (j < t.size() && t[j] == ' ') ++j;
    return j < t.size() && t[j] == ']' && prose_after_close(t, j + 1);
  }
  if (c == '{' || c == '[') return false;
  for (std::string_view word : {"true", "false", "null"})
    if (t.substr(i, word.size()) == word &&
        (i + word.size() == t.size() || !std::isalnum(static_cast<unsigned char>(t[i + word.size()]))))
      return false;
  return true;
}

bool ends_with(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<IssueFormat> parse_issue_format(std::string_view name) {
  if (name == "auto") return IssueFormat::detect;
  if (name == "json") return IssueFormat::json;
  if (name == "markdown" || name == "text") return IssueFormat::text;
  return std::nullopt;
}

Result<std::vector<Issue>> read_issues(std::string_view content, std::string_view name, std::vector<Error>* skipped,
                                       IssueFormat format) {
  content = without_bom(content);
  if (auto what = not_utf8_input(content, "silt classify")) return Error{*what, 0, 0, "invalid-utf8"};
  std::string_view t = trim(content);
  if (t.empty()) return Error{"the input is empty", 0, 0, "empty"};
  const bool named_json = ends_with(name, ".json") || ends_with(name, ".jsonl");
  const bool named_text = ends_with(name, ".md") || ends_with(name, ".markdown");
  const bool opens_json = t.front() == '{' || t.front() == '[';
  bool json = opens_json;
  if (format == IssueFormat::text)
    json = false;
  else if (format == IssueFormat::detect)
    json = opens_json && (named_json || (!named_text && !opens_like_text(t)));
  else if (!opens_json)
    return Error{"expected JSON (an issue object or an array of them): the input starts with neither '{' nor '['", 1, 1,
                 "invalid-json"};
  // Read as JSON by its first byte, in a file not named so: how to read it as text, said.
  auto hinted = [&](Result<std::vector<Issue>> r) {
    if (!r.ok() && format == IssueFormat::detect && !named_json && r.error().code == "invalid-json") {
      Error e = r.error();
      e.message += std::string(" (read as JSON because it starts with '") + t.front() +
                   "'; --input-format markdown reads it as text)";
      return Result<std::vector<Issue>>(std::move(e));
    }
    return r;
  };
  // JSON Lines are read line by line: a bad line (bad JSON, a bad byte) is left out
  // alone, named with its line.
  if (json && json_lines(t)) return hinted(read_json_lines(content, name, skipped));
  if (!valid_utf8(content))
    return Error{looks_like_8bit_text(content)
                     ? "not UTF-8: it reads as text in an 8-bit encoding (Latin-1, Windows-1252); silt reads UTF-8 "
                       "(iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8)"
                     : "not UTF-8 text (a binary file?): silt reads UTF-8 text, Markdown or JSON",
                 0, 0, "invalid-utf8"};
  if (!json) {
    // A bare value (42, "text", null) in a file named as JSON is no issue, not a text one.
    if (named_json && format == IssueFormat::detect)
      return Error{"expected a JSON object (an issue) or an array of them: this .json file holds neither", 0, 0,
                   "not-an-object"};
    return std::vector<Issue>{issue_from_text(content, name)};
  }
  bool more_documents = false;
  detail::JsonDocument doc;
  auto one = read_json_document(doc, content, name, skipped, &more_documents);
  if (one.ok() || !more_documents) return hinted(std::move(one));
  return hinted(detail::issues_of_documents(content, name, skipped));
}

}  // namespace silt
