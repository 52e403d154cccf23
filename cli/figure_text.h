// Figures (stats::Estimate) as `silt agree` and `silt eval` print them: a labelled row
// with the value, its 95% interval and its n, in aligned columns; a compact cell for
// per-category tables. Printing only: the figures come from the engine.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "silt/stats.h"

namespace silt::cli {

// x with 3 decimals; never "-0.000".
inline std::string fixed3(double x) {
  std::string s = fmt::format("{:.3f}", x);
  return s == "-0.000" ? "0.000" : s;
}

// "0.733", or "undefined".
inline std::string value_text(const stats::Estimate& e) {
  return e.value ? fixed3(*e.value) : std::string("undefined");
}

// "[0.467, 1.000]", or "" when no interval was drawn (or could be).
inline std::string interval_text(const stats::Estimate& e) {
  return e.value && e.lo && e.hi ? fmt::format("[{}, {}]", fixed3(*e.lo), fixed3(*e.hi)) : std::string();
}

// "0.733 [0.467, 1.000]   5": value, interval and n in a fixed width (24) for a table
// with a column a figure of [0, 1] (precision, recall, F1). Undefined: "undefined" and n.
inline std::string figure_cell(const stats::Estimate& e) {
  const std::string interval = interval_text(e);
  return fmt::format("{:<20}{:>4}", value_text(e) + (interval.empty() ? "" : " " + interval), e.n);
}
inline constexpr std::size_t figure_cell_width = 26;  // a cell and the spaces after it

// Rows of labelled figures under headings; the label column as wide as its longest.
class FigureTable {
 public:
  // A heading line (at `depth`), then the rows added after it.
  void heading(std::string text, int depth = 0) { rows_.push_back({std::move(text), depth, std::nullopt, {}, true}); }
  // A figure: label, value, interval, n, then `note` (or the reason it is undefined).
  void add(std::string label, const stats::Estimate& e, int depth = 0, std::string note = {}) {
    rows_.push_back({std::move(label), depth, e, std::move(note), false});
  }
  // A row of text in the value column.
  void text(std::string label, std::string text, int depth = 0) {
    rows_.push_back({std::move(label), depth, std::nullopt, std::move(text), false});
  }
  bool empty() const { return rows_.empty(); }

  // The width of the label column (indent included) this table needs.
  std::size_t label_width() const {
    std::size_t w = 20;
    for (const auto& r : rows_)
      if (!r.heading) w = std::max(w, 2 * static_cast<std::size_t>(r.depth) + r.label.size());
    return w + 4;  // the indent before, two spaces after
  }

  // The table; `columns` adds a line naming the columns first. `width`: of the label
  // column, at least label_width() (several tables aligned alike).
  std::string render(bool columns = true, std::size_t width = 0) const {
    const std::size_t w = std::max(width, label_width());
    std::string out;
    if (columns) out += fmt::format("{:<{}}{:<10}{:<18}{:>4}\n", "", w, "value", "95% interval", "n");
    for (const auto& r : rows_) {
      const std::string label = std::string(2 + 2 * static_cast<std::size_t>(r.depth), ' ') + r.label;
      if (r.heading) {
        out += label + "\n";
      } else if (!r.figure) {
        out += fmt::format("{:<{}}{}\n", label, w, r.note);
      } else {
        const stats::Estimate& e = *r.figure;
        std::string note = e.value ? r.note : e.undefined;
        std::string line = fmt::format("{:<{}}{:<10}{:<18}{:>4}", label, w, value_text(e), interval_text(e), e.n);
        if (!note.empty()) line += "  " + (e.value ? note : "(" + note + ")");
        out += line + "\n";
      }
    }
    return out;
  }

 private:
  struct Row {
    std::string label;
    int depth = 0;
    std::optional<stats::Estimate> figure;
    std::string note;
    bool heading = false;
  };
  std::vector<Row> rows_;
};

}  // namespace silt::cli
