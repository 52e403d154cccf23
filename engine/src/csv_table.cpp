#include "csv_table.h"
#include "silt/utf8.h"

#include <csv.h>

#include <algorithm>
#include <cctype>

#include "silt/diagnostics.h"

namespace silt::detail {

namespace {

struct State {
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  std::vector<std::string> field;
  int row_line = 1;
};

void on_field(void* s, size_t len, void* d) {
  static_cast<State*>(d)->field.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
}

void on_row(int, void* d) {
  auto* self = static_cast<State*>(d);
  self->rows.push_back(std::move(self->field));
  self->field.clear();
  self->lines.push_back(self->row_line);
}

}  // namespace

CsvTable parse_csv(std::string_view text) {
  // A byte order mark is skipped before libcsv reads a quoted first field (the survey
  // export's first header is quoted), where it broke the quoting.
  text = without_bom(text);
  CsvTable out;
  State st;
  csv_parser p{};
  csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
  // Fed a line at a time, so each row knows the line it starts on and a malformed row
  // can be dropped and reading resumed at the line after the one it started on.
  std::size_t pos = 0, row_start = 0;
  int line = 1;
  auto restart_after_bad_row = [&](std::string message) {
    out.problems.push_back({st.row_line, "csv-syntax", std::move(message)});
    csv_free(&p);
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    st.field.clear();
    // Go on at the line after the one the bad row started on.
    std::size_t nl = text.find('\n', row_start);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    line = st.row_line + 1;
  };
  while (true) {
    if (pos >= text.size()) {
      if (csv_fini(&p, on_field, on_row, &st) != 0) {
        restart_after_bad_row(
            "a quoted field is never closed (the lines after it are read again as rows of their own)");
        if (pos < text.size()) continue;
        csv_fini(&p, on_field, on_row, &st);
      }
      break;
    }
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    if (st.field.empty() && p.pstate == 0) {
      st.row_line = line;
      row_start = pos;
    }
    const std::size_t len = end - pos;
    if (csv_parse(&p, text.data() + pos, len, on_field, on_row, &st) != len) {
      restart_after_bad_row(line == st.row_line ? "malformed quoting: a quote inside an unquoted field, or text "
                                                  "after a closing quote"
                                                : "malformed quoting: a quoted field opened here runs on to line " +
                                                      std::to_string(line) + ", where text follows its closing quote");
      continue;
    }
    pos = end;
    ++line;
  }
  csv_free(&p);
  // Rows with another number of fields than the header are problems too.
  if (!st.rows.empty()) {
    const std::size_t width = st.rows.front().size();
    out.rows.push_back(std::move(st.rows.front()));
    out.lines.push_back(st.lines.front());
    for (std::size_t r = 1; r < st.rows.size(); ++r) {
      if (st.rows[r].size() != width) {
        out.problems.push_back(
            {st.lines[r], "csv-fields",
             "the row has " + std::to_string(st.rows[r].size()) + " field(s), the header " + std::to_string(width)});
        continue;
      }
      out.rows.push_back(std::move(st.rows[r]));
      out.lines.push_back(st.lines[r]);
    }
  }
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const CsvProblem& a, const CsvProblem& b) { return a.line < b.line; });
  return out;
}

std::optional<CsvProblem> for_each_csv_row(std::istream& in,
                                           const std::function<bool(std::vector<std::string>&, int)>& row) {
  struct Stream {
    std::vector<std::string> field;
    int row_line = 1;
    std::optional<std::size_t> width;
    std::optional<CsvProblem> problem;
    bool stop = false;
    const std::function<bool(std::vector<std::string>&, int)>* row;
  } st;
  st.row = &row;
  auto field = [](void* s, size_t len, void* d) {
    static_cast<Stream*>(d)->field.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
  };
  auto end_row = [](int, void* d) {
    auto* self = static_cast<Stream*>(d);
    if (self->stop) return;
    if (!self->width) self->width = self->field.size();
    if (self->field.size() != *self->width) {
      self->problem = CsvProblem{self->row_line, "csv-fields",
                                 "the row has " + std::to_string(self->field.size()) + " field(s), the header " +
                                     std::to_string(*self->width)};
      self->stop = true;
    } else if (!(*self->row)(self->field, self->row_line)) {
      self->stop = true;
    }
    self->field.clear();
  };
  csv_parser p{};
  csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
  std::string line;
  int number = 0;
  while (!st.stop && std::getline(in, line)) {
    ++number;
    if (number == 1) line.erase(0, line.size() - without_bom(line).size());
    if (!in.eof()) line.push_back('\n');
    if (st.field.empty() && p.pstate == 0) st.row_line = number;
    // A stop asked for by a row that ended on this line comes first: libcsv reads on to
    // the line's end, and may meet a quoting error after it.
    if (csv_parse(&p, line.data(), line.size(), field, end_row, &st) != line.size() && !st.stop) {
      st.problem =
          CsvProblem{st.row_line, "csv-syntax",
                     number == st.row_line ? "malformed quoting: a quote inside an unquoted field, or text "
                                             "after a closing quote"
                                           : "malformed quoting: a quoted field opened here runs on to line " +
                                                 std::to_string(number) + ", where text follows its closing quote"};
      st.stop = true;
    }
  }
  if (!st.stop && csv_fini(&p, field, end_row, &st) != 0)
    st.problem = CsvProblem{st.row_line, "csv-syntax", "a quoted field is never closed"};
  csv_free(&p);
  return st.problem;
}

std::string header_name(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string to_string(const CsvProblem& p, const std::string& file) {
  return file + ":" + std::to_string(p.line) + ": " + p.message + " (" + p.code + "); the row is left out";
}

std::optional<Error> not_csv(std::string_view text, const std::string& file, const std::string& expected) {
  text = without_bom(text);
  const std::size_t at = text.find_first_not_of(" \t\r\n");
  if (at == std::string_view::npos || (text[at] != '{' && text[at] != '[')) return std::nullopt;
  std::string kind = "a JSON array";
  if (text[at] == '{') {
    // One object a line is JSON Lines; an object over several lines is JSON.
    std::string_view first = text.substr(at, text.find('\n', at) - at);
    while (!first.empty() && (first.back() == '\r' || first.back() == ' ' || first.back() == '\t'))
      first.remove_suffix(1);
    kind = !first.empty() && first.back() == '}' ? "JSON Lines" : "JSON";
  }
  Error e;
  e.code = "not-csv";
  e.message = file + ": this is " + kind + ", a CSV was expected" + (expected.empty() ? "" : " (" + expected + ")");
  return e;
}

std::string allowed_values_hint(std::string_view value, const std::vector<std::string>& allowed) {
  std::string out;
  if (value.size() >= 3)
    if (auto c = closest(value, allowed)) out += "; did you mean '" + *c + "'?";
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return out + " (allowed: " + list + ")";
}

}  // namespace silt::detail
