#include "csv_table.h"

#include <csv.h>

#include <cctype>

namespace silt::detail {

namespace {

struct State {
  CsvTable* table;
  std::vector<std::string> field;
  int line = 1, row_line = 1;
};

}  // namespace

CsvTable parse_csv(std::string_view text) {
  CsvTable out;
  State st{&out, {}, 1, 1};
  csv_parser p{};
  csv_init(&p, 0);
  auto on_field = [](void* s, size_t len, void* d) {
    static_cast<State*>(d)->field.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
  };
  auto on_row = [](int, void* d) {
    auto* self = static_cast<State*>(d);
    self->table->rows.push_back(std::move(self->field));
    self->field.clear();
    self->table->lines.push_back(self->row_line);
  };
  // Fed a line at a time, so each row knows the line it starts on.
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    if (st.field.empty() && p.pstate == 0) st.row_line = st.line;
    csv_parse(&p, text.data() + pos, end - pos, on_field, on_row, &st);
    pos = end;
    ++st.line;
  }
  csv_fini(&p, on_field, on_row, &st);
  csv_free(&p);
  return out;
}

std::string header_name(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  s.erase(0, s.find_first_not_of(" \t\r\n\xEF\xBB\xBF"));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace silt::detail
