#include "silt/diagnostics.h"

#include <algorithm>
#include <string>

#include "silt/json_writer.h"

namespace silt {

std::string SourceLocation::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  all_.push_back(std::move(d));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.all_) add(d);
}

std::string_view to_string(Severity s) {
  return s == Severity::error ? "error" : "warning";
}

std::string to_text(const Diagnostic& d, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[1;31m" : "";
  const char* yellow = color ? "\033[1;33m" : "";
  const char* cyan = color ? "\033[36m" : "";
  const char* reset = color ? "\033[0m" : "";

  std::string out = bold + d.where.to_string() + ": " + reset;
  out += (d.severity == Severity::error ? red : yellow);
  out += std::string(to_string(d.severity)) + "[" + d.code + "]" + reset + ": ";
  if (!d.subject.empty()) out += (d.subject_kind.empty() ? d.subject : d.subject_kind + " '" + d.subject + "'") + ": ";
  out += d.message + "\n";
  if (!d.source_line.empty() && d.where.line > 0) {
    std::string num = std::to_string(d.where.line);
    std::string pad(num.size(), ' ');
    out += " " + num + " | " + d.source_line + "\n";
    if (d.where.column > 0) {
      // Keep tabs so the caret lines up under the same column in a terminal.
      std::string lead;
      for (int i = 0; i < d.where.column - 1 && i < static_cast<int>(d.source_line.size()); ++i)
        lead += d.source_line[i] == '\t' ? '\t' : ' ';
      out += " " + pad + " | " + lead + cyan + "^" + reset + "\n";
    }
  }
  if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  return out;
}

std::string to_json(const Diagnostics& ds) {
  JsonWriter j(JsonWriter::Style::compact);
  j.begin_object();
  j.field("errors", ds.error_count());
  j.field("warnings", ds.warning_count());
  j.key("diagnostics");
  j.begin_array();
  for (const auto& d : ds.all()) {
    j.begin_object();
    j.field("code", d.code);
    j.field("severity", to_string(d.severity));
    j.field("file", d.where.file);
    j.field("line", d.where.line);
    j.field("column", d.where.column);
    j.field("subject_kind", d.subject_kind);
    j.field("subject", d.subject);
    j.field("message", d.message);
    j.field("source_line", d.source_line);
    j.field("hint", d.hint);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    // Levenshtein distance, two rows.
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        std::size_t sub = prev[j - 1] + (word[i - 1] == c[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    std::size_t d = prev[c.size()];
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  if (best && best_d <= std::max<std::size_t>(2, word.size() / 3)) return best;
  return std::nullopt;
}

}  // namespace silt
