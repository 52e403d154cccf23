// Findings produced while loading and validating configuration: every one is kept,
// each with a stable code, a 1-based position and the source line it points at.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace silt {

// Where something was defined: a file name and a 1-based line and column
// (0 when unknown). Carried by every category, criterion, level and rule.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" or "file", as much as is known.
  std::string to_string() const;
};

enum class Severity { error, warning };

// "error", "warning": as the text and JSON forms of a finding write it.
std::string_view to_string(Severity s);

struct Diagnostic {
  std::string code;  // stable, kebab-case: "unknown-category", "bad-pattern"...
  Severity severity = Severity::error;
  SourceLocation where;
  std::string subject_kind;  // "rule", "category", "criterion", "level", "matrix row"; may be empty
  std::string subject;       // the id of the rule, category... concerned; may be empty
  std::string message;       // what is wrong, one sentence
  std::string source_line;   // the line `where` points at, without its newline; may be empty
  std::string hint;          // how to fix it, when there is something to say; may be empty
};

// An ordered collection of findings. Cheap to copy; not synchronised.
class Diagnostics {
 public:
  void add(Diagnostic d);
  void append(const Diagnostics& other);

  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return all_.size() - errors_; }
  bool empty() const { return all_.empty(); }
  const std::vector<Diagnostic>& all() const { return all_; }

 private:
  std::vector<Diagnostic> all_;
  std::size_t errors_ = 0;
};

// Human form, compiler style:
//   rules/x.yaml:12:14: error[bad-pattern]: rule 'foo': missing ): (ab
//      12 |     pattern: '(ab'
//         |              ^
//     hint: ...
// `color` adds ANSI colours. Ends with a newline.
std::string to_text(const Diagnostic& d, bool color = false);

// JSON form: {"errors": N, "warnings": N, "diagnostics": [{"code", "severity", "file",
// "line", "column", "subject_kind", "subject", "message", "source_line", "hint"}...]}.
std::string to_json(const Diagnostics& ds);

// The closest of `candidates` to `word` by edit distance (Levenshtein), when close enough
// to suggest in a "did you mean" hint: at most 2 edits, or a third of the word's length
// for longer words. Ties go to the earlier candidate; nullopt when none is that close.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace silt
