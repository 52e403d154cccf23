// Private: reading YAML documents with every problem turned into a Diagnostic that
// points at the file, line and column, instead of an exception.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/diagnostics.h"

namespace silt::detail {

// A YAML document being read: its text (for source lines) and the findings so far.
class YamlReader {
 public:
  YamlReader(std::string file, std::string_view text, Diagnostics& diags);

  // Parses the text. On a syntax error reports `yaml-syntax` and returns nullopt.
  std::optional<YAML::Node> parse();

  const std::string& file() const { return file_; }

  // What the subjects of the next findings are ("rule", "category"...), until changed.
  void set_subject_kind(std::string kind) { subject_kind_ = std::move(kind); }
  SourceLocation where(const YAML::Node& n) const;
  SourceLocation where(const YAML::Mark& m) const;

  void report(Severity sev, std::string code, const SourceLocation& at, std::string subject, std::string message,
              std::string hint = {});
  void error(std::string code, const YAML::Node& at, std::string subject, std::string message, std::string hint = {});
  void warning(std::string code, const YAML::Node& at, std::string subject, std::string message, std::string hint = {});

  // Checks `node` is a map; reports `unknown-key` for each key not in `allowed`.
  // Reports `bad-type` and returns false when it is not a map.
  bool expect_map(const YAML::Node& node, std::initializer_list<std::string_view> allowed, const std::string& what,
                  const std::string& subject);

  // A scalar string under `key`. Missing: `missing-key` when required. Not a scalar:
  // `bad-type`. Returns nullopt on either.
  std::optional<std::string> get_string(const YAML::Node& map, const char* key, bool required,
                                        const std::string& subject);
  std::optional<double> get_number(const YAML::Node& map, const char* key, bool required, const std::string& subject);
  std::optional<bool> get_bool(const YAML::Node& map, const char* key, bool required, const std::string& subject);
  std::optional<long> get_int(const YAML::Node& map, const char* key, bool required, const std::string& subject);

  // A sequence under `key` (missing: `missing-key` when required; not a sequence:
  // `bad-type`). Returns an undefined node on either.
  YAML::Node get_sequence(const YAML::Node& map, const char* key, bool required, const std::string& subject);

  // Checks the top-level `schema` key equals `expected`.
  void check_schema(const YAML::Node& root, const std::string& expected);

 private:
  std::string line_text(int line) const;  // 1-based
  std::string file_;
  std::string subject_kind_;
  std::vector<std::string_view> lines_;
  std::string_view text_;
  Diagnostics& diags_;
};

// The "did you mean" of the loaders: silt::closest (silt/diagnostics.h), shared with the CLI.
using silt::closest;

}  // namespace silt::detail
