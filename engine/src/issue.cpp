#include "silt/issue.h"
#include "silt/utf8.h"

#include <md4c.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <re2/re2.h>

#include <cctype>
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
  return i;
}

bool json_deeper_than(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false, escape = false;
  for (char ch : text) {
    if (in_string) {
      if (escape)
        escape = false;
      else if (ch == '\\')
        escape = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > limit) return true;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
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

// The one mapping from a JSON issue object to a ParsedIssue is written once, over these
// two views of a parsed document: simdjson's DOM and RapidJSON's (parsed in place).
struct SimdjsonDom {
  using Value = simdjson::dom::element;
  using Object = simdjson::dom::object;
  static std::optional<Object> object(Value v) {
    Object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return std::nullopt;
    return o;
  }
  static std::optional<Value> member(const Object& o, std::string_view key) {
    Value e;
    if (o[key].get(e) != simdjson::SUCCESS) return std::nullopt;
    return e;
  }
  static bool is_null(Value v) { return v.is_null(); }
  static bool is_array(Value v) { return v.is_array(); }
  static std::optional<std::string_view> str(Value v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    return s;
  }
  // An integer's digits: from -2^63 to 2^64-1 (an id past 2^63 too).
  static std::optional<std::string> integer(Value v) {
    std::int64_t n = 0;
    if (v.get_int64().get(n) == simdjson::SUCCESS) return std::to_string(n);
    std::uint64_t u = 0;
    if (v.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
    return std::nullopt;
  }
  template <class F>
  static void each(Value v, F&& f) {
    simdjson::dom::array a;
    if (v.get_array().get(a) != simdjson::SUCCESS) return;
    for (auto e : a) f(e);
  }
  static const char* kind(Value v) {
    switch (v.type()) {
      case simdjson::dom::element_type::ARRAY:
        return "an array";
      case simdjson::dom::element_type::STRING:
        return "a string";
      case simdjson::dom::element_type::NULL_VALUE:
        return "null";
      case simdjson::dom::element_type::BOOL:
        return "a boolean";
      case simdjson::dom::element_type::OBJECT:
        return "an object";
      default:
        return "a number";
    }
  }
};

struct RapidDom {
  using Value = const rapidjson::Value*;
  using Object = const rapidjson::Value*;
  static std::optional<Object> object(Value v) { return v->IsObject() ? std::optional<Object>(v) : std::nullopt; }
  static std::optional<Value> member(Object o, std::string_view key) {
    auto it = o->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == o->MemberEnd()) return std::nullopt;
    return &it->value;
  }
  static bool is_null(Value v) { return v->IsNull(); }
  static bool is_array(Value v) { return v->IsArray(); }
  static std::optional<std::string_view> str(Value v) {
    if (!v->IsString()) return std::nullopt;
    return std::string_view(v->GetString(), v->GetStringLength());
  }
  static std::optional<std::string> integer(Value v) {
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    if (v->IsUint64()) return std::to_string(v->GetUint64());
    return std::nullopt;
  }
  template <class F>
  static void each(Value v, F&& f) {
    if (!v->IsArray()) return;
    for (const auto& e : v->GetArray()) f(&e);
  }
  static const char* kind(Value v) {
    if (v->IsArray()) return "an array";
    if (v->IsString()) return "a string";
    if (v->IsNull()) return "null";
    if (v->IsBool()) return "a boolean";
    if (v->IsObject()) return "an object";
    return "a number";
  }
};

template <class D>
std::string_view string_member(const typename D::Object& o, std::string_view key) {
  auto v = D::member(o, key);
  if (!v) return {};
  return D::str(*v).value_or(std::string_view());
}

template <class D>
bool map_issue(typename D::Value element, ParsedIssue& out, NotAnIssue& why) {
  auto obj = D::object(element);
  if (!obj) {
    why = {"not-an-object", std::string("expected a JSON object (an issue), found ") + D::kind(element)};
    return false;
  }
  const auto& o = *obj;
  // The title and the body: strings, or null or missing (the REST API's body is null when
  // empty). Any other type is a mistake in the input, not an empty text.
  for (auto [key, text] : {std::pair{"title", &out.title}, std::pair{"body", &out.body}}) {
    *text = {};
    auto v = D::member(o, key);
    if (!v || D::is_null(*v)) continue;
    auto s = D::str(*v);
    if (!s) {
      why = {"bad-field", std::string("'") + key + "' must be a string (or null), found " + D::kind(*v)};
      return false;
    }
    *text = *s;
  }
  if (blank(out.title) && blank(out.body)) {
    why = {"no-title-or-body", "the issue has neither a title nor a body"};
    return false;
  }
  out.url = string_member<D>(o, "html_url");
  if (out.url.empty()) out.url = string_member<D>(o, "url");  // gh prints the html url as `url`
  auto pr = D::member(o, "pull_request");
  out.pull_request = (pr && !D::is_null(*pr)) || out.url.find("/pull/") != std::string_view::npos;

  std::string repo = repo_of(string_member<D>(o, "repository_url"));
  if (repo.empty()) repo = repo_of(out.url);
  if (repo.empty()) repo = std::string(string_member<D>(o, "repository"));

  out.id.clear();
  if (auto number = D::member(o, "number")) {
    std::string num;
    if (auto n = D::integer(*number))
      num = *n;
    else if (auto s = D::str(*number))
      num = std::string(*s);
    if (!num.empty()) out.id = repo.empty() ? "#" + num : repo + "#" + num;
  }
  // No number of its own: the one its address gives (an html_url, or the API url).
  if (out.id.empty() && !repo.empty())
    if (std::string num = number_of(out.url); !num.empty()) out.id = repo + "#" + num;
  if (out.id.empty()) {
    if (auto idv = D::member(o, "id")) {
      if (auto s = D::str(*idv))
        out.id = std::string(*s);
      else if (auto n = D::integer(*idv))
        out.id = *n;
    }
  }

  // Labels: names, or objects with a name. Comments (gh --json comments): bodies, or
  // objects with a body; the REST API gives a count instead, which is skipped.
  auto text_of = [](typename D::Value v, std::string_view key) -> std::string_view {
    if (auto s = D::str(v)) return *s;
    if (auto e = D::object(v)) return string_member<D>(*e, key);
    return {};
  };
  out.labels.clear();
  out.labels_text.clear();
  if (auto labels = D::member(o, "labels")) {
    D::each(*labels, [&](typename D::Value l) {
      std::string_view name = text_of(l, "name");
      if (name.empty()) return;
      out.labels.push_back(name);
      if (!out.labels_text.empty()) out.labels_text += '\n';
      out.labels_text += name;
    });
  }
  out.comments.clear();
  out.comments_text.clear();
  if (auto comments = D::member(o, "comments")) {
    D::each(*comments, [&](typename D::Value c) {
      std::string_view text = text_of(c, "body");
      out.comments.push_back(text);
      if (!out.comments_text.empty()) out.comments_text += "\n\n";
      out.comments_text += text;
    });
  }
  return true;
}

// A parsed document's issues: an array of them, or one.
template <class D>
Result<std::vector<Issue>> issues_of(typename D::Value doc, std::string_view name, std::vector<Error>* skipped) {
  std::vector<Issue> out;
  ParsedIssue parsed;
  NotAnIssue why{};
  if (D::is_array(doc)) {
    std::size_t index = 0;
    std::optional<Error> failed;
    D::each(doc, [&](typename D::Value element) {
      if (failed) return;
      if (!map_issue<D>(element, parsed, why)) {
        Error e{"element [" + std::to_string(index) + "]: " + why.message, 0, 0, why.code ? why.code : "not-an-issue"};
        ++index;
        if (skipped)
          skipped->push_back(std::move(e));
        else
          failed = std::move(e);
        return;
      }
      Issue issue = parsed.to_issue();
      if (issue.id.empty()) issue.id = std::string(name) + "[" + std::to_string(index) + "]";
      out.push_back(std::move(issue));
      ++index;
    });
    if (failed) return *failed;
    return out;
  }
  if (!map_issue<D>(doc, parsed, why)) {
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

bool number_beyond_simdjson(simdjson::error_code e) {
  return e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE;
}

bool parse_with_numbers_as_text(std::string_view text, rapidjson::Document& doc) {
  if (json_deeper_than(text, max_json_depth)) return false;
  // Whole: a second value after the first is an error here too (it is another record).
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

std::optional<bool> parse_issue_past_number(simdjson::error_code err, std::string_view text, rapidjson::Document& doc,
                                            ParsedIssue& out, NotAnIssue& why) {
  if (!number_beyond_simdjson(err) || !parse_with_numbers_as_text(text, doc)) return std::nullopt;
  return map_issue<RapidDom>(&doc, out, why);
}

bool parse_issue(simdjson::dom::element element, ParsedIssue& out, NotAnIssue& why) {
  return map_issue<SimdjsonDom>(element, out, why);
}

bool parse_issue(const rapidjson::Value& value, ParsedIssue& out, NotAnIssue& why) {
  return map_issue<RapidDom>(&value, out, why);
}

void locate_json_error(std::string_view text, int& line, int& column, std::string& message, bool* more_documents) {
  line = column = 0;
  if (more_documents) *more_documents = false;
  // RapidJSON, which reads the big records too, for where the error is (simdjson does not
  // say); iterative, so that no nesting overflows the stack; UTF-8 checked as simdjson does.
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (!doc.HasParseError()) return;
  const std::size_t pos = doc.GetErrorOffset();
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
  if (more_documents) *more_documents = doc.GetParseError() == rapidjson::kParseErrorDocumentRootNotSingular;
  message = rapidjson::GetParseError_En(doc.GetParseError());
  if (!message.empty() && message.back() == '.') message.pop_back();
  if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
}

// Several JSON documents one after another (JSON Lines, gh api --paginate's arrays): the
// issues of each, in order; an issue without an id of its own is named by its line. A
// document that is not valid JSON, or not issues, fails the whole with its line (silt
// batch labels the good ones and rejects the bad: the error says so); with `skipped`,
// it is named there and the documents read before it are kept.
Result<std::vector<Issue>> issues_of_documents(const simdjson::padded_string& padded, std::string_view name,
                                               std::vector<Error>* skipped) {
  auto fail = [](Error e) {
    e.message += " (silt batch reads JSON Lines record by record: it labels every good one)";
    return e;
  };
  const std::string_view text(padded.data(), padded.size());
  std::vector<Issue> out;
  // A syntax error ends the stream (simdjson reads no further): with `skipped`, the
  // documents before it are kept and the error is named there; else it fails the whole.
  auto stop = [&](Error e, bool last = false) -> Result<std::vector<Issue>> {
    if (!skipped) return fail(std::move(e));
    if (!last) e.message += "; the documents after it are not read (silt batch reads them record by record)";
    skipped->push_back(std::move(e));
    return std::move(out);
  };
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (parser.parse_many(padded, std::max<std::size_t>(padded.size(), simdjson::dom::MINIMAL_BATCH_SIZE)).get(stream))
    return Error{"invalid JSON: several documents that cannot be read one by one", 0, 0, "invalid-json"};
  std::size_t counted = 0;
  int line = 1;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    const std::size_t at = std::min(it.current_index(), text.size());
    line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                        text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted = at;
    simdjson::dom::element doc;
    const auto err = (*it).get(doc);
    const std::string named = std::string(name) + ":" + std::to_string(line);
    std::vector<Error> left_out;
    // A number simdjson cannot hold stops the stream here too (its documents are not
    // re-read one by one with RapidJSON): the error says so, and batch reads such records.
    if (err) {
      // Where in the document, and what: RapidJSON reads it from its start.
      int l = 0, c = 0;
      std::string what;
      bool next_document = false;  // this one reads: the error is simdjson's alone (a number)
      locate_json_error(text.substr(at), l, c, what, &next_document);
      if (l > 0 && !what.empty() && !next_document) {
        const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
        const int col0 = static_cast<int>(at - (line_start == std::string_view::npos || at == 0 ? 0 : line_start + 1));
        const int err_line = line + l - 1, err_col = l == 1 ? col0 + c : c;
        return stop(Error{"invalid JSON: " + what + " (in the document starting at line " + std::to_string(line) +
                              ", one of several)",
                          err_line, err_col, "invalid-json"});
      }
      return stop(Error{"invalid JSON in the document at line " + std::to_string(line) +
                            " (one of several): " + simdjson::error_message(err) +
                            (number_beyond_simdjson(err) ? " (a number past 64 bits, or not a number)" : ""),
                        line, 0, "invalid-json"});
    }
    auto got = issues_of<SimdjsonDom>(doc, named, skipped ? &left_out : nullptr);
    for (auto& e : left_out) {
      e.message = "the document at line " + std::to_string(line) + ": " + e.message;
      e.line = line;
      skipped->push_back(std::move(e));
    }
    if (!got.ok())
      return fail(Error{"the document at line " + std::to_string(line) + ": " + got.error().message, line, 0,
                        got.error().code});
    for (auto& issue : got.value()) out.push_back(std::move(issue));
  }
  if (const std::size_t cut = std::min(stream.truncated_bytes(), text.size()); cut > 0) {
    const std::size_t start = text.size() - cut;
    line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(std::min(counted, start)),
                                        text.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
    return stop(
        Error{"invalid JSON: the document at line " + std::to_string(line) + " is cut short", line, 0, "invalid-json"},
        true);
  }
  return out;
}

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
  struct State {
    std::string_view all;
    ShownLine line;
    int code = 0, html = 0;
    bool started = false, done = false;
  } st{text, {}, 0, 0, false, false};
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
    s->started = true;
    s->line.text.append(t, size);
    if (t >= s->all.data() && t + size <= s->all.data() + s->all.size())
      s->line.end = std::max(s->line.end, static_cast<std::size_t>(t + size - s->all.data()));
    return 0;
  };
  md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &p, &st);
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
// the error is a second document after a valid first one. `parser` is reused across
// calls (JSON Lines: one a file, not one a line).
Result<std::vector<Issue>> read_json_document(simdjson::dom::parser& parser, std::string_view content,
                                              std::string_view name, std::vector<Error>* skipped,
                                              bool* more_documents) {
  const std::string_view t = trim(content);
  simdjson::padded_string padded(content);
  simdjson::dom::element doc;
  const auto err = parser.parse(padded).get(doc);
  if (err == simdjson::SUCCESS) return detail::issues_of<detail::SimdjsonDom>(doc, name, skipped);
  // A number simdjson cannot hold (past 64 bits, past a double's range) is still JSON:
  // RapidJSON reads the document with its numbers as text (silt uses none as a number).
  if (rapidjson::Document rdoc; detail::number_beyond_simdjson(err) && detail::parse_with_numbers_as_text(t, rdoc))
    return detail::issues_of<detail::RapidDom>(&rdoc, name, skipped);
  Error e;
  std::string located;
  detail::locate_json_error(content, e.line, e.column, located, more_documents);
  e.code = "invalid-json";
  e.message = "invalid JSON: " + (located.empty() ? std::string(simdjson::error_message(err)) : located);
  return e;
}

// JSON Lines: each line a document of its own, read alone, so that a line that is not
// valid JSON, or not UTF-8, is named with its line and column while every other line is
// read (with `skipped`; without, the first bad line fails the whole). A line's issues
// without an id are named NAME:LINE.
Result<std::vector<Issue>> read_json_lines(std::string_view content, std::string_view name,
                                           std::vector<Error>* skipped) {
  std::vector<Issue> out;
  simdjson::dom::parser parser;
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
    Result<std::vector<Issue>> got =
        !simdjson::validate_utf8(text.data(), text.size())
            ? Result<std::vector<Issue>>(Error{"bytes that are not UTF-8", 0, 0, "invalid-utf8"})
            : read_json_document(parser, text, named, skipped ? &left_out : nullptr, nullptr);
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

}  // namespace

Result<std::vector<Issue>> read_issues(std::string_view content, std::string_view name, std::vector<Error>* skipped) {
  content = without_bom(content);
  if (auto what = not_utf8_input(content, "silt classify")) return Error{*what, 0, 0, "invalid-utf8"};
  std::string_view t = trim(content);
  if (t.empty()) return Error{"the input is empty", 0, 0, "empty"};
  const bool json = t.front() == '{' || t.front() == '[';
  // JSON Lines are read line by line: a bad line (bad JSON, a bad byte) is left out
  // alone, named with its line.
  if (json && json_lines(t)) return read_json_lines(content, name, skipped);
  if (!simdjson::validate_utf8(content.data(), content.size()))
    return Error{"not UTF-8 text (a binary file?): silt reads UTF-8 text, Markdown or JSON", 0, 0, "invalid-utf8"};
  if (!json) {
    // A bare value (42, "text", null) in a file named as JSON is no issue, not a text one.
    auto ends_with = [&](std::string_view suffix) {
      return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    if (ends_with(".json") || ends_with(".jsonl"))
      return Error{"expected a JSON object (an issue) or an array of them: this .json file holds neither", 0, 0,
                   "not-an-object"};
    return std::vector<Issue>{issue_from_text(content, name)};
  }
  bool more_documents = false;
  simdjson::dom::parser parser;
  auto one = read_json_document(parser, content, name, skipped, &more_documents);
  if (one.ok() || !more_documents) return one;
  const simdjson::padded_string padded(content);
  return detail::issues_of_documents(padded, name, skipped);
}

}  // namespace silt
