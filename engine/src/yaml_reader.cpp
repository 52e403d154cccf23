#include "yaml_reader.h"

#include <libfyaml.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "silt/utf8.h"

namespace silt::detail {

YamlReader::YamlReader(std::string file, std::string_view text, Diagnostics& diags)
    : file_(std::move(file)), text_(text), diags_(diags) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines_.push_back(line);
    start = nl + 1;
  }
}

namespace {

// The first syntax error libfyaml finds in `text` (line and column 1-based), if any.
// yaml-cpp takes some broken files without a word (a quoted scalar never closed runs to
// the end of the file and swallows the keys after it); libfyaml, strict to the spec,
// reads the events of the stream (not a document: duplicate keys are silt's own finding).
struct StrictError {
  int line = 0, column = 0;
  std::string message;
};

std::optional<StrictError> strict_yaml_error(std::string_view text) {
  // libfyaml stops at a byte that is not UTF-8; silt reads such files (a Latin-1 note)
  // as yaml-cpp does, and leaves them to it.
  if (!valid_utf8(text)) return std::nullopt;
  fy_diag_cfg dcfg{};
  fy_diag_cfg_default(&dcfg);
  dcfg.fp = nullptr;
  dcfg.colorize = false;
  std::unique_ptr<fy_diag, void (*)(fy_diag*)> diag(fy_diag_create(&dcfg), fy_diag_destroy);
  if (!diag) return std::nullopt;  // out of memory: yaml-cpp's reading stands
  fy_diag_set_collect_errors(diag.get(), true);
  fy_parse_cfg cfg{};
  cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_DISABLE_MMAP_OPT);
  cfg.diag = diag.get();
  std::unique_ptr<fy_parser, void (*)(fy_parser*)> parser(fy_parser_create(&cfg), fy_parser_destroy);
  if (!parser || fy_parser_set_string(parser.get(), text.data(), text.size()) != 0) return std::nullopt;
  while (fy_event* e = fy_parser_parse(parser.get())) fy_parser_event_free(parser.get(), e);
  if (!fy_parser_get_stream_error(parser.get())) return std::nullopt;
  StrictError out{0, 0, "invalid YAML"};
  void* it = nullptr;
  if (fy_diag_error* e = fy_diag_errors_iterate(diag.get(), &it)) {
    out.line = e->line + 1;
    out.column = e->column + 1;
    if (e->msg) out.message = e->msg;
  }
  return out;
}

}  // namespace

std::optional<YAML::Node> YamlReader::parse() {
  try {
    YAML::Node root = YAML::Load(std::string(text_));
    if (auto e = strict_yaml_error(text_)) {
      report(Severity::error, "yaml-syntax", {file_, e->line, e->column}, {}, e->message,
             "check the quoting: a quote opened and never closed takes in every line after it");
      return std::nullopt;
    }
    return root;
  } catch (const YAML::ParserException& e) {
    report(Severity::error, "yaml-syntax", where(e.mark), {}, e.msg,
           "check indentation, quoting and the ':' after each key");
  } catch (const YAML::Exception& e) {
    report(Severity::error, "yaml-syntax", where(e.mark), {}, e.msg);
  }
  return std::nullopt;
}

SourceLocation YamlReader::where(const YAML::Mark& m) const {
  if (m.is_null() || m.line < 0) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

SourceLocation YamlReader::where(const YAML::Node& n) const {
  if (!n.IsDefined()) return {file_, 0, 0};
  return where(n.Mark());
}

std::string YamlReader::line_text(int line) const {
  if (line < 1 || line > static_cast<int>(lines_.size())) return {};
  return std::string(lines_[line - 1]);
}

void YamlReader::report(Severity sev, std::string code, const SourceLocation& at, std::string subject,
                        std::string message, std::string hint) {
  Diagnostic d;
  d.code = std::move(code);
  d.severity = sev;
  d.where = at;
  if (!subject.empty()) d.subject_kind = subject_kind_;
  d.subject = std::move(subject);
  d.message = std::move(message);
  d.source_line = line_text(at.line);
  d.hint = std::move(hint);
  diags_.add(std::move(d));
}

void YamlReader::error(std::string code, const YAML::Node& at, std::string subject, std::string message,
                       std::string hint) {
  report(Severity::error, std::move(code), where(at), std::move(subject), std::move(message), std::move(hint));
}

void YamlReader::warning(std::string code, const YAML::Node& at, std::string subject, std::string message,
                         std::string hint) {
  report(Severity::warning, std::move(code), where(at), std::move(subject), std::move(message), std::move(hint));
}

namespace {

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "empty";
    default:
      return "undefined";
  }
}

}  // namespace

bool YamlReader::expect_map(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                            const std::string& what, const std::string& subject) {
  if (!node.IsMap()) {
    error("bad-type", node, subject, what + " must be a map, found " + type_name(node));
    return false;
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::vector<std::pair<std::string, int>> seen;  // key, line (1-based)
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      error("bad-type", kv.first, subject, "keys of " + what + " must be plain names");
      continue;
    }
    const std::string key = kv.first.Scalar();
    // yaml-cpp keeps one of two equal keys without a word: a rule pasted into another
    // would silently lose its pattern or its tests.
    auto twin = std::find_if(seen.begin(), seen.end(), [&](const auto& k) { return k.first == key; });
    if (twin != seen.end())
      error("duplicate-key", kv.first, subject,
            "key '" + key + "' appears twice in " + what + " (first on line " + std::to_string(twin->second) + ")",
            "YAML keeps only one of them; a missing '- ' or 'id:' line may have merged two entries");
    else
      seen.emplace_back(key, kv.first.Mark().line + 1);
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      std::string hint;
      if (auto c = closest(key, names))
        hint = "did you mean '" + *c + "'?";
      else {
        hint = "allowed keys:";
        for (const auto& n : names) hint += " " + n;
      }
      error("unknown-key", kv.first, subject, "unknown key '" + key + "' in " + what, hint);
    }
  }
  return true;
}

std::optional<std::string> YamlReader::get_string(const YAML::Node& map, const char* key, bool required,
                                                  const std::string& subject) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error("missing-key", map, subject, std::string("missing required key '") + key + "'");
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error("bad-type", n, subject, std::string("'") + key + "' must be a string, found " + type_name(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<double> YamlReader::get_number(const YAML::Node& map, const char* key, bool required,
                                             const std::string& subject) {
  auto s = get_string(map, key, required, subject);
  if (!s) return std::nullopt;
  double v = 0;
  if (!YAML::convert<double>::decode(map[key], v) || !std::isfinite(v)) {  // .nan and .inf are YAML numbers
    error("bad-type", map[key], subject, std::string("'") + key + "' must be a finite number, found '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<long> YamlReader::get_int(const YAML::Node& map, const char* key, bool required,
                                        const std::string& subject) {
  auto s = get_string(map, key, required, subject);
  if (!s) return std::nullopt;
  long v = 0;
  if (!YAML::convert<long>::decode(map[key], v)) {
    error("bad-type", map[key], subject, std::string("'") + key + "' must be an integer, found '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> YamlReader::get_bool(const YAML::Node& map, const char* key, bool required,
                                         const std::string& subject) {
  auto s = get_string(map, key, required, subject);
  if (!s) return std::nullopt;
  bool v = false;
  if (!YAML::convert<bool>::decode(map[key], v)) {
    error("bad-type", map[key], subject, std::string("'") + key + "' must be true or false, found '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

YAML::Node YamlReader::get_sequence(const YAML::Node& map, const char* key, bool required, const std::string& subject) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error("missing-key", map, subject, std::string("missing required key '") + key + "'");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  if (!n.IsSequence()) {
    error("bad-type", n, subject, std::string("'") + key + "' must be a list, found " + type_name(n));
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return n;
}

void YamlReader::check_schema(const YAML::Node& root, const std::string& expected) {
  const YAML::Node n = root["schema"];
  if (!n.IsDefined()) {
    error("missing-key", root, {}, "missing 'schema' (expected 'schema: " + expected + "')",
          "put 'schema: " + expected + "' as the first line");
    return;
  }
  if (!n.IsScalar() || n.Scalar() != expected) {
    error("bad-schema", n, {}, "unsupported schema '" + (n.IsScalar() ? n.Scalar() : std::string("?")) + "'",
          "this silt reads 'schema: " + expected + "'");
  }
}

}  // namespace silt::detail
