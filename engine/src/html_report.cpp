#include "silt/html_report.h"
#include "silt/utf8.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <sys/stat.h>

#include "csv_table.h"
#include "silt/agreement.h"
#include "silt/agreement_json.h"
#include "silt/classification_io.h"
#include "silt/eval.h"
#include "silt/eval_json.h"
#include "silt/files.h"

namespace silt {

namespace {

// ---- text and SVG pieces ----

std::string esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // no "-0.000"
  return s;
}

// Charts are drawn in a 13px font; a character is taken as 8 units wide (wider than the
// average of any sans-serif face at that size), so what is laid out by this fits.
constexpr double char_w = 8.0;

double text_w(std::string_view s) {
  std::size_t chars = 0;
  for (char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // code points
  return static_cast<double>(chars) * char_w;
}

std::string text(double x, double y, std::string_view s, const char* anchor = "start", const char* cls = "") {
  std::string t = "<text x=\"" + fixed(x, 1) + "\" y=\"" + fixed(y, 1) + "\"";
  if (std::string_view(anchor) != "start") t += " text-anchor=\"" + std::string(anchor) + "\"";
  if (*cls) t += " class=\"" + std::string(cls) + "\"";
  return t + ">" + esc(s) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const char* cls) {
  return "<line class=\"" + std::string(cls) + "\" x1=\"" + fixed(x1, 1) + "\" y1=\"" + fixed(y1, 1) + "\" x2=\"" +
         fixed(x2, 1) + "\" y2=\"" + fixed(y2, 1) + "\"/>";
}

std::string rect(double x, double y, double w, double h, const std::string& attrs = "") {
  return "<rect x=\"" + fixed(x, 1) + "\" y=\"" + fixed(y, 1) + "\" width=\"" + fixed(std::max(w, 0.0), 1) +
         "\" height=\"" + fixed(std::max(h, 0.0), 1) + "\"" + (attrs.empty() ? "" : " " + attrs) + "/>";
}

// An <svg> of class "chart KIND" sized w x h in its own units, in a captioned figure.
std::string figure(const std::string& caption, const std::string& kind, double w, double h, const std::string& body,
                   const std::string& after = "") {
  return "<figure><figcaption>" + esc(caption) + "</figcaption><svg class=\"chart " + kind +
         "\" role=\"img\" viewBox=\"0 0 " + fixed(std::ceil(w), 0) + " " + fixed(std::ceil(h), 0) +
         "\" style=\"max-width:" + fixed(std::ceil(w), 0) + "px\" aria-label=\"" + esc(caption) + "\">" + body +
         "</svg>" + after + "</figure>\n";
}

// A link to the issue when its address is a web one; the id alone otherwise.
std::string issue_link(const std::string& id, const std::string& url) {
  const std::string shown = esc(id.empty() ? url : id);
  if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0)
    return "<a href=\"" + esc(url) + "\">" + shown + "</a>";
  return shown;
}

std::string figure_text(const stats::Estimate& e) {
  if (!e.value) return "undefined";
  std::string s = fixed(*e.value);
  if (e.lo && e.hi) s += " [" + fixed(*e.lo) + ", " + fixed(*e.hi) + "]";
  return s;
}

// ---- charts ----

// Horizontal bars, one a label, with the count and its share at the end.
std::string bar_chart(const std::string& title, const std::vector<std::pair<std::string, double>>& rows) {
  double max = 1, total = 0, label_w = 0, right_w = 0;
  for (const auto& [label, v] : rows) {
    max = std::max(max, v);
    total += v;
    label_w = std::max(label_w, text_w(label));
  }
  auto right = [&](double v) { return fixed(v, 0) + (total > 0 ? " (" + fixed(100 * v / total, 0) + "%)" : ""); };
  for (const auto& [label, v] : rows) right_w = std::max(right_w, text_w(right(v)));
  const double left = label_w + 16, bar_w = 380, row_h = 26;
  std::string svg;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double y = static_cast<double>(i) * row_h + 5, w = rows[i].second / max * bar_w;
    svg += text(left - 8, y + 16, rows[i].first, "end");
    svg += rect(left, y + 3, w, 18, "rx=\"2\"");
    svg += text(left + w + 6, y + 16, right(rows[i].second));
  }
  return figure(title, "bars", left + bar_w + right_w + 16, static_cast<double>(rows.size()) * row_h + 10, svg);
}

// The bin of 0.1 a confidence falls in (NaN in the first, 1.0 in the last).
std::size_t confidence_bin(double v) {
  const double c = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
  return std::min<std::size_t>(9, static_cast<std::size_t>(c * 10));
}

// Confidence in ten bins of 0.1 (confidence_bin's counts), each bar with its count above it.
std::string histogram(const std::string& title, const std::array<std::size_t, 10>& bins) {
  const std::size_t max = std::max<std::size_t>(1, *std::max_element(bins.begin(), bins.end()));
  const double left = 40, top = 24, plot_h = 160, bin_w = 48, bottom = top + plot_h;
  std::string svg = line(left, bottom, left + 10 * bin_w, bottom, "axis");
  for (std::size_t b = 0; b < 10; ++b) {
    const double x = left + static_cast<double>(b) * bin_w;
    const double h = static_cast<double>(bins[b]) / static_cast<double>(max) * plot_h;
    svg += rect(x + 3, bottom - h, bin_w - 6, h);
    svg += text(x + bin_w / 2, bottom - h - 6, std::to_string(bins[b]), "middle");
    svg += text(x, bottom + 18, fixed(static_cast<double>(b) / 10, 1), "middle");
  }
  svg += text(left + 10 * bin_w, bottom + 18, "1.0", "middle");
  svg += text(left + 5 * bin_w, bottom + 40, "confidence", "middle");
  return figure(title, "histogram", left + 10 * bin_w + 30, bottom + 50, svg);
}

// Reliability diagram: each non-empty bin's mean confidence against its accuracy, with
// its n; the diagonal is a calibrated label's.
std::string calibration_chart(const std::string& title, const std::vector<ReliabilityBin>& bins) {
  const double left = 56, top = 16, side = 300, bottom = top + side;
  auto x = [&](double v) { return left + std::clamp(v, 0.0, 1.0) * side; };
  auto y = [&](double v) { return bottom - std::clamp(v, 0.0, 1.0) * side; };
  std::string svg = rect(left, top, side, side, "class=\"frame\"");
  for (double t : {0.0, 0.2, 0.4, 0.6, 0.8, 1.0}) {
    svg += line(x(t), top, x(t), bottom, "grid") + line(left, y(t), left + side, y(t), "grid");
    svg += text(x(t), bottom + 18, fixed(t, 1), "middle") + text(left - 8, y(t) + 4, fixed(t, 1), "end");
  }
  svg += line(x(0), y(0), x(1), y(1), "diagonal");
  std::size_t shown = 0;
  for (const auto& b : bins) {
    if (b.n == 0) continue;
    ++shown;
    svg += line(x(b.confidence), y(b.confidence), x(b.confidence), y(b.accuracy), "gap");
    svg += "<circle cx=\"" + fixed(x(b.confidence), 1) + "\" cy=\"" + fixed(y(b.accuracy), 1) + "\" r=\"6\"/>";
    // The n on the side with room: left of points near the right edge.
    const bool right_edge = b.confidence > 0.75;
    svg += text(x(b.confidence) + (right_edge ? -10 : 10), y(b.accuracy) + (b.accuracy > 0.9 ? 16 : -8),
                "n = " + std::to_string(b.n), right_edge ? "end" : "start", "count");
  }
  svg += text(left + side / 2, bottom + 40, "mean confidence of the bin", "middle");
  svg += "<text transform=\"translate(14 " + fixed(top + side / 2, 1) +
         ") rotate(-90)\" text-anchor=\"middle\">share right</text>";
  if (shown == 0) svg += text(left + side / 2, top + side / 2, "no item", "middle", "undefined");
  return figure(title, "calibration", left + side + 20, bottom + 50, svg);
}

// A confusion matrix as a heat map: rows gold, columns predicted, each row's n at its end.
std::string heat_map(const std::string& title, const std::vector<std::vector<std::size_t>>& m,
                     const std::vector<std::string>& rows, const std::vector<std::string>& cols) {
  double max = 1, label_w = 0;
  for (const auto& r : m)
    for (auto v : r) max = std::max(max, static_cast<double>(v));
  for (const auto& r : rows) label_w = std::max(label_w, text_w(r));
  const double left = label_w + 16, cell = 40, n = static_cast<double>(cols.size()), top = 30;
  std::string svg;
  for (std::size_t j = 0; j < cols.size(); ++j)
    svg += text(left + static_cast<double>(j) * cell + cell / 2, 20, cols[j], "middle");
  svg += text(left + n * cell + 24, 20, "n", "middle");
  for (std::size_t i = 0; i < m.size() && i < rows.size(); ++i) {
    const double y = top + static_cast<double>(i) * cell;
    svg += text(left - 8, y + cell / 2 + 5, rows[i], "end");
    std::size_t total = 0;
    for (std::size_t j = 0; j < m[i].size(); ++j) {
      const double v = static_cast<double>(m[i][j]), a = v / max, x = left + static_cast<double>(j) * cell;
      total += m[i][j];
      svg += rect(x, y, cell - 2, cell - 2,
                  std::string("class=\"") + (i == j ? "diag" : "off") + "\" fill-opacity=\"" +
                      fixed(0.08 + 0.92 * a, 2) + "\"");
      if (v > 0) svg += text(x + cell / 2 - 1, y + cell / 2 + 4, fixed(v, 0), "middle", a > 0.55 ? "on" : "");
    }
    svg += text(left + n * cell + 24, y + cell / 2 + 4, std::to_string(total), "middle", "count");
  }
  return figure(title, "heat", left + n * cell + 48, top + static_cast<double>(m.size()) * cell + 10, svg);
}

// The axis of an interval chart: from 0 (or below, to the lowest bound) to 1 (or above),
// in steps of 0.25.
std::pair<double, double> axis_range(const std::vector<std::pair<std::string, stats::Estimate>>& rows) {
  double lo = 0, hi = 1;
  for (const auto& [label, e] : rows) {
    if (!e.value) continue;
    lo = std::min({lo, *e.value, e.lo.value_or(*e.value)});
    hi = std::max({hi, *e.value, e.hi.value_or(*e.value)});
  }
  return {std::floor(lo * 4) / 4, std::ceil(hi * 4) / 4};
}

// Figures as dots with their intervals (a forest plot), each with its value, interval and
// n at the right; an undefined one says so and points to its reason, listed below.
std::string interval_chart(const std::string& title, const std::vector<std::pair<std::string, stats::Estimate>>& rows) {
  const auto range = axis_range(rows);  // not a structured binding: xpos captures it (clang 14)
  const double lo = range.first, hi = range.second;
  double label_w = 0, right_w = text_w("n = 9999");
  std::vector<std::string> notes;  // distinct reasons, in order
  auto right = [](const stats::Estimate& e) { return figure_text(e) + "  n = " + std::to_string(e.n); };
  for (const auto& [label, e] : rows) {
    label_w = std::max(label_w, text_w(label));
    right_w = std::max(right_w, text_w(right(e)));
  }
  const double left = label_w + 16, axis_w = 360, row_h = 24, h = static_cast<double>(rows.size()) * row_h + 40;
  auto xpos = [&](double v) { return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * axis_w; };
  std::string svg;
  const double step = hi - lo > 1.5 ? 0.5 : 0.25;
  for (double t = lo; t <= hi + 1e-9; t += step)
    svg += line(xpos(t), 0, xpos(t), h - 24, std::abs(t) < 1e-9 ? "zero" : "grid") +
           text(xpos(t), h - 8, fixed(t, 2), "middle");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& [label, e] = rows[i];
    const double y = static_cast<double>(i) * row_h + 14;
    svg += text(left - 8, y + 4, label, "end");
    if (!e.value) {
      auto it = std::find(notes.begin(), notes.end(), e.undefined);
      if (it == notes.end()) it = notes.insert(notes.end(), e.undefined);
      const auto k = static_cast<std::size_t>(it - notes.begin()) + 1;
      svg += text(left + 4, y + 4, "undefined (note " + std::to_string(k) + ")", "start", "undefined");
      svg += text(left + axis_w + 10, y + 4, "n = " + std::to_string(e.n), "start", "count");
      continue;
    }
    if (e.lo && e.hi) svg += line(xpos(*e.lo), y, xpos(*e.hi), y, "whisker");
    svg += "<circle cx=\"" + fixed(xpos(*e.value), 1) + "\" cy=\"" + fixed(y, 1) + "\" r=\"5\"/>";
    svg += text(left + axis_w + 10, y + 4, right(e), "start", "count");
  }
  std::string after;
  if (!notes.empty()) {
    after = "<ol class=\"notes\">";
    for (const auto& n : notes) after += "<li>undefined: " + esc(n) + "</li>";
    after += "</ol>";
  }
  return figure(title, "intervals", left + axis_w + right_w + 20, h, svg, after);
}

// A table of figures: name, value, 95% interval, n (and why, where undefined).
std::string figure_table(const std::vector<std::pair<std::string, stats::Estimate>>& rows) {
  std::string t = "<table><tr><th></th><th class=\"num\">value</th><th>95% interval</th><th class=\"num\">n</th></tr>";
  for (const auto& [name, e] : rows) {
    t += "<tr><th>" + esc(name) + "</th><td class=\"num\">" + (e.value ? fixed(*e.value) : "undefined") + "</td><td>";
    if (e.value && e.lo && e.hi) t += "[" + fixed(*e.lo) + ", " + fixed(*e.hi) + "]";
    if (!e.value) t += "<span class=\"evidence\">" + esc(e.undefined) + "</span>";
    t += "</td><td class=\"num\">" + std::to_string(e.n) + "</td></tr>";
  }
  return t + "</table>\n";
}

// Precision, recall and F1 of each class, each with its interval and n, then the macro
// and weighted averages (as scikit-learn's classification_report).
std::string class_table(const stats::ClassReport& r, const std::vector<std::string>& labels, const std::string& what) {
  auto cell = [](const stats::Estimate& e) {
    if (!e.value)
      return "<td class=\"num\" title=\"" + esc(e.undefined) + "\">undefined</td><td class=\"num\">" +
             std::to_string(e.n) + "</td>";
    std::string s = "<td class=\"num\">" + fixed(*e.value);
    if (e.lo && e.hi) s += " <span class=\"ci\">[" + fixed(*e.lo) + ", " + fixed(*e.hi) + "]</span>";
    return s + "</td><td class=\"num\">" + std::to_string(e.n) + "</td>";
  };
  std::string t = "<table class=\"classes\"><tr><th>" + esc(what) +
                  "</th><th class=\"num\">precision [95%]</th><th class=\"num\">n</th><th class=\"num\">recall "
                  "[95%]</th><th class=\"num\">n</th><th class=\"num\">F1 [95%]</th><th class=\"num\">n</th></tr>";
  for (std::size_t k = 0; k < labels.size() && k < r.precision.size(); ++k)
    t += "<tr><th>" + esc(labels[k]) + "</th>" + cell(r.precision[k]) + cell(r.recall[k]) + cell(r.f1[k]) + "</tr>";
  t += "<tr class=\"average\"><th>macro average</th>" + cell(r.macro_precision) + cell(r.macro_recall) +
       cell(r.macro_f1) + "</tr>";
  t += "<tr class=\"average\"><th>weighted average</th>" + cell(r.weighted_precision) + cell(r.weighted_recall) +
       cell(r.weighted_f1) + "</tr></table>\n";
  return t +
         "<p class=\"meta\">n: the items predicted as it (precision), in gold (recall: its support), in either "
         "(F1), every item (averages).</p>\n";
}

// ---- the sections ----

std::string level_name(const Taxonomy& tax, const std::string& level) {
  for (const auto& l : tax.levels)
    if (std::to_string(l.number) == level) return "level " + level + (l.threat.empty() ? "" : " (" + l.threat + ")");
  return level == "none" || level.empty() ? "none" : "level " + level;
}

// What the labels section shows of one batch output, gathered a prediction at a time so
// that an output of any size is read in the memory of a few thousand rows: the counts,
// the confidence histogram, and the first max_rows issues needing review and of all.
constexpr std::size_t max_rows = 5000;
struct LabelsDigest {
  std::size_t order = 0;  // the input's place among the inputs: sections come in that order
  std::string name;
  std::size_t n = 0, review_n = 0;
  std::map<std::string, double> categories, levels;
  std::array<std::size_t, 10> confidence{};
  std::vector<Prediction> review, first;  // the first max_rows of each

  void add(Prediction&& p) {
    ++n;
    categories[p.category] += 1;
    levels[p.level ? std::to_string(*p.level) : "none"] += 1;
    ++confidence[confidence_bin(p.confidence)];
    p.why.clear();
    p.criteria.clear();
    // A row shows three pieces of category evidence at most.
    std::vector<std::string> evidence;
    for (auto& e : p.evidence)
      if (evidence.size() < 3 && e.find("category:") != std::string::npos) evidence.push_back(std::move(e));
    p.evidence = std::move(evidence);
    if (p.needs_review && review_n++ < max_rows) review.push_back(p);
    if (first.size() < max_rows) {
      p.evidence.clear();
      first.push_back(std::move(p));
    }
  }
};

struct Inputs {
  std::vector<LabelsDigest> labels;                      // batch output (JSON lines or CSV)
  std::vector<std::pair<std::string, LabelTable>> hand;  // labels CSV (triage, by hand)
  std::vector<std::pair<std::string, EvalDocument>> evals;
  std::vector<std::pair<std::string, AgreementDocument>> agreements;
  std::unordered_map<std::string, std::string> urls;  // id_key -> address, of the issues eval misses name
};

std::string labels_section(const LabelsDigest& d, const Taxonomy& tax, const std::string& anchor) {
  const auto& categories = d.categories;
  const auto& levels = d.levels;
  const std::string n = std::to_string(d.n);
  std::string body =
      "<h2 id=\"" + anchor + "\">Labels <span class=\"meta\">(" + esc(d.name) + ", " + n + " issues)</span></h2>\n";
  std::vector<std::pair<std::string, double>> cat_rows, level_rows;
  for (const auto& c : tax.categories) cat_rows.emplace_back(c.id, categories.count(c.id) ? categories.at(c.id) : 0);
  for (const auto& [id, count] : categories)
    if (!tax.category_index(id)) cat_rows.emplace_back(id, count);  // a category another taxonomy has
  level_rows.emplace_back("none", levels.count("none") ? levels.at("none") : 0);
  for (const auto& l : tax.levels) {
    const std::string k = std::to_string(l.number);
    level_rows.emplace_back(level_name(tax, k), levels.count(k) ? levels.at(k) : 0);
  }
  // A level another taxonomy has: shown, not lost (a pair, not a binding: clang 14
  // cannot capture a structured binding in a lambda).
  for (const auto& kn : levels) {
    const std::string& k = kn.first;
    if (k != "none" && std::none_of(tax.levels.begin(), tax.levels.end(),
                                    [&k](const Level& l) { return std::to_string(l.number) == k; }))
      level_rows.emplace_back("level " + k + " (not in " + tax.name + ")", kn.second);
  }
  body += bar_chart("Issues per category (n = " + n + ")", cat_rows);
  body += bar_chart("Issues per impact level (n = " + n + ")", level_rows);
  body += histogram("Confidence of the category (n = " + n + ")", d.confidence);
  auto listed = [](std::size_t count) {
    return count > max_rows ? ", the first " + std::to_string(max_rows) + " listed" : std::string();
  };
  body += "<h3>Needing review (" + std::to_string(d.review_n) + listed(d.review_n) + ")</h3>\n";
  auto row = [](const Prediction& p, bool why) {
    std::string evidence;
    for (const auto& e : p.evidence) evidence += "<code>" + esc(e) + "</code> ";
    std::string r = "<tr><td>" + issue_link(p.id, p.url) + "<br><span class=\"evidence\">" + esc(p.title) +
                    "</span></td><td>" + esc(p.category) + "</td><td>" + (p.level ? std::to_string(*p.level) : "none") +
                    "</td><td class=\"num\">" + fixed(p.confidence, 2) + "</td>";
    if (why) r += "<td class=\"evidence\">" + (evidence.empty() ? std::string("no evidence") : evidence) + "</td>";
    return r + "</tr>";
  };
  const std::string head = "<tr><th>issue</th><th>category</th><th>level</th><th class=\"num\">confidence</th>";
  if (d.review.empty()) {
    body += "<p>None.</p>\n";
  } else {
    body += "<table>" + head + "<th>category evidence</th></tr>";
    for (const auto& p : d.review) body += row(p, true);
    body += "</table>\n";
  }
  // Every issue, folded (a <details> needs no script).
  body += "<details><summary>Every issue (" + n + listed(d.n) + ")</summary><table>" + head + "</tr>";
  for (const auto& p : d.first) body += row(p, false);
  return body + "</table></details>\n";
}

std::vector<std::pair<std::string, stats::Estimate>> field_rows(const FieldAgreement& f) {
  std::vector<std::pair<std::string, stats::Estimate>> rows = {
      {"Percent agreement", f.percent}, {"Fleiss' kappa", f.fleiss}, {"Conger's kappa", f.conger}};
  for (const auto& [m, e] : f.alpha) rows.emplace_back("Krippendorff's alpha (" + std::string(to_string(m)) + ")", e);
  for (const auto& [w, e] : f.gwet)
    rows.emplace_back(w == stats::Weights::none ? "Gwet's AC1" : "Gwet's AC2 (" + std::string(to_string(w)) + ")", e);
  auto kappas = [&](const std::string& who, const FieldAgreement::Kappas& ks) {
    for (const auto& [w, e] : ks) rows.emplace_back(ks.size() == 1 ? who : who + ", " + std::string(to_string(w)), e);
  };
  for (const auto& p : f.pairs) kappas("Cohen's kappa " + p.a + " / " + p.b, p.kappa);
  for (const auto& m : f.vs_majority) {
    rows.emplace_back(m.rater + " against the others' majority", m.agreement);
    kappas(m.rater + " against them, Cohen's kappa", m.kappa);
  }
  return rows;
}

std::string agreement_section(const std::string& name, const std::vector<FieldAgreement>& fields,
                              const std::string& anchor, const std::string& what) {
  std::string body =
      "<h2 id=\"" + anchor + "\">" + esc(what) + " <span class=\"meta\">(" + esc(name) + ")</span></h2>\n";
  for (const auto& f : fields) {
    body += interval_chart("Field " + f.field + " (" + (f.ordinal ? "ordinal" : "nominal") + ", " +
                               std::to_string(f.items) + " items rated by two raters or more)",
                           field_rows(f));
    if (f.fleiss.value) {
      std::vector<std::pair<std::string, stats::Estimate>> per;
      for (std::size_t k = 0; k < f.domain.size() && k < f.fleiss_per_value.size(); ++k)
        per.emplace_back(f.domain[k], f.fleiss_per_value[k]);
      body += interval_chart("Field " + f.field + ": Fleiss' kappa of each value", per);
    }
  }
  return body;
}

// The labels of a labels CSV: how often each category and level was given, and, with two
// raters or more, their agreement (as `silt agree` computes it, default options).
std::string hand_section(const std::string& name, const LabelTable& t, const Taxonomy& tax, const std::string& anchor) {
  std::string body = "<h2 id=\"" + anchor + "\">Hand labels <span class=\"meta\">(" + esc(name) + ", " +
                     std::to_string(t.items.size()) + " items, " + std::to_string(t.raters.size()) +
                     " rater(s))</span></h2>\n";
  for (const char* field : {"category", "impact"}) {
    auto f = t.field_index(field);
    if (!f) continue;
    std::map<std::string, double> counts;
    double total = 0;
    for (const auto& item : t.values[*f])
      for (const auto& v : item)
        if (!v.empty()) {
          counts[normalize_value(field, v, tax)] += 1;
          total += 1;
        }
    std::vector<std::pair<std::string, double>> rows;
    if (std::string(field) == "category") {
      for (const auto& c : tax.categories) rows.emplace_back(c.id, counts.count(c.id) ? counts[c.id] : 0);
    } else {
      for (const auto& l : tax.levels) {
        const std::string k = std::to_string(l.number);
        rows.emplace_back(level_name(tax, k), counts.count(k) ? counts[k] : 0);
      }
    }
    body += bar_chart(std::string("Labels per ") + (std::string(field) == "category" ? "category" : "impact level") +
                          " (n = " + fixed(total, 0) + ", every rater)",
                      rows);
  }
  if (t.raters.size() >= 2) {
    AgreementOptions opt;
    body += agreement_section(name, agreement(t, tax, opt), anchor + "-agree", "Agreement between these labelers");
  }
  return body;
}

std::string eval_section(const std::string& name, const EvalDocument& d, const Inputs& in, const std::string& anchor) {
  const EvalReport& r = d.report;
  std::string body = "<h2 id=\"" + anchor + "\">Against the gold labels <span class=\"meta\">(" + esc(name) +
                     ", n = " + std::to_string(r.n) + ")</span></h2>\n";
  std::vector<std::pair<std::string, stats::Estimate>> figures = {{"category accuracy", r.category.accuracy},
                                                                  {"category macro F1", r.category.macro_f1},
                                                                  {"category Cohen's kappa", r.category_kappa},
                                                                  {"impact exact accuracy", r.impact.accuracy},
                                                                  {"impact within one", r.impact.within_one}};
  for (const auto& [w, e] : r.impact_kappa)
    figures.emplace_back("impact Cohen's kappa, " + std::string(stats::to_string(w)), e);
  figures.emplace_back("expected calibration error", r.ece);
  body += figure_table(figures);
  body += "<h3>Each category</h3>\n" + class_table(r.category, d.categories, "category");
  std::vector<std::pair<std::string, stats::Estimate>> f1;
  for (std::size_t k = 0; k < d.categories.size() && k < r.category.f1.size(); ++k)
    f1.emplace_back(d.categories[k], r.category.f1[k]);
  body += interval_chart("F1 of each category", f1);
  std::vector<std::string> numbered, numbers;
  for (std::size_t k = 0; k < d.categories.size(); ++k) {
    numbered.push_back(std::to_string(k + 1) + " " + d.categories[k]);
    numbers.push_back(std::to_string(k + 1));
  }
  body += heat_map("Category confusion (rows: gold; columns: predicted, numbered as the rows)", r.category.confusion,
                   numbered, numbers);
  body += calibration_chart("Calibration: is silt right as often as its confidence says? (bins of 0.2; ECE " +
                                figure_text(r.ece) + ", n = " + std::to_string(r.ece.n) + ")",
                            r.calibration);
  body += "<h3>Each impact level</h3>\n" + class_table(r.impact, r.impact_labels, "level");
  body += heat_map("Impact confusion (rows: gold; columns: predicted; none: no level)", r.impact.confusion,
                   r.impact_labels, r.impact_labels);
  if (!r.misses.empty()) {
    body += "<details><summary>Misses (" + std::to_string(r.misses.size()) +
            ")</summary><table><tr><th>issue</th><th>field</th><th>gold</th><th>predicted</th><th "
            "class=\"num\">confidence</th></tr>";
    for (const auto& m : r.misses) {
      auto url = in.urls.find(id_key(m.id));
      body += "<tr><td>" + issue_link(m.id, url == in.urls.end() ? std::string() : url->second) + "</td><td>" +
              (m.category ? "category" : "impact") + "</td><td>" + esc(m.gold) + "</td><td>" + esc(m.predicted) +
              "</td><td class=\"num\">" + fixed(m.confidence, 2) + "</td></tr>";
    }
    body += "</table></details>\n";
  }
  return body;
}

// ---- reading ----

// ",id,category,...,": the names of a CSV text's header, lower case, between commas.
std::string csv_header_names(const std::string& content) {
  const auto table = detail::parse_csv(content.substr(0, content.find('\n')));
  std::string names = ",";
  if (!table.rows.empty())
    for (const auto& c : table.rows.front()) names += detail::header_name(c) + ",";
  return names;
}

// A batch output, read once every other input is: its predictions give the addresses of
// the issues eval misses name.
struct BatchInput {
  std::size_t order;
  std::string name;
  const std::string* content;  // JSON lines or CSV in memory; null: the file `name`, streamed
  bool csv;
};

// Reads one input into `in`, by its content (a batch output goes to `batch`, to be read
// last); an Error naming it when it is none of the kinds.
std::optional<Error> read_input(const std::string& name, const std::string& content, std::size_t order, Inputs& in,
                                std::vector<BatchInput>& batch) {
  const std::string_view text = without_bom(content);
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Error{name + ": empty", 0, 0, "empty"};
  if (text[first] == '{' || text[first] == '[') {
    auto eval = read_eval_json(content, name);
    if (eval.ok()) {
      in.evals.emplace_back(name, std::move(eval.value()));
      return std::nullopt;
    }
    if (eval.error().code != "other-format") return eval.error();
    auto agree = read_agreement_json(content, name);
    if (agree.ok()) {
      in.agreements.emplace_back(name, std::move(agree.value()));
      return std::nullopt;
    }
    if (agree.error().code != "other-format") return agree.error();
    batch.push_back({order, name, &content, false});
    return std::nullopt;
  }
  // CSV: a labels file names a rater; batch output a confidence. The header is the first
  // line that is not blank (the readers skip blank lines, and count them).
  const std::string_view from_header = text.substr(text.rfind('\n', first) + 1);
  const std::string head = csv_header_names(std::string(from_header));
  if (head.find(",rater,") != std::string::npos) {
    auto labels = read_labels_text(content, name);
    if (!labels.ok()) return labels.error();
    in.hand.emplace_back(name, std::move(labels.value().table));
    return std::nullopt;
  }
  if (batch_csv_header(from_header)) {
    batch.push_back({order, name, &content, true});
    return std::nullopt;
  }
  return Error{name +
                   ": not silt batch output (JSON lines or CSV), eval or agree JSON, or a labels CSV "
                   "(item,rater,...)",
               1, 0, "not-a-report-input"};
}

// Reads the batch outputs into digests, in `in.labels` in the inputs' order, and the
// addresses of the issues eval misses name.
std::optional<Error> read_batch_outputs(const std::vector<BatchInput>& batch, const Taxonomy& tax, Inputs& in,
                                        std::vector<std::string>* skipped) {
  std::unordered_set<std::string> missed;
  for (const auto& e : in.evals)
    for (const auto& m : e.second.report.misses) missed.insert(id_key(m.id));
  for (const auto& b : batch) {
    LabelsDigest d;
    d.order = b.order;
    d.name = b.name;
    auto take = [&](Prediction&& p) {
      if (!p.url.empty() && missed.count(id_key(p.id))) in.urls.emplace(id_key(p.id), p.url);
      d.add(std::move(p));
    };
    if (b.content) {
      auto preds =
          b.csv ? read_predictions_csv(*b.content, b.name, tax) : read_predictions(*b.content, b.name, skipped);
      if (!preds.ok()) {
        if (b.csv) return preds.error();
        return Error{
            preds.error().message + " (silt report reads silt batch output, eval and agree JSON, and labels CSV)", 0, 0,
            "not-a-report-input"};
      }
      for (auto& p : preds.value()) take(std::move(p));
    } else {
      auto each = [&](Classification&& c) { take(prediction_of(c)); };
      auto read =
          b.csv ? for_each_classification_csv(b.name, tax, each) : for_each_classification(b.name, each, skipped);
      if (!read.ok()) return read.error();
    }
    if (d.n == 0) return Error{b.name + ": no record", 0, 0, "empty"};
    in.labels.push_back(std::move(d));
  }
  std::stable_sort(in.labels.begin(), in.labels.end(),
                   [](const LabelsDigest& a, const LabelsDigest& b) { return a.order < b.order; });
  return std::nullopt;
}

// Whether `path` is a regular file of batch output (JSON lines or CSV): read a line at a
// time rather than whole (a pipe cannot be read twice, so it is read whole).
std::optional<ClassificationsFile> streamed(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const ClassificationsFile kind = classifications_file(path);
  if (kind == ClassificationsFile::none) return std::nullopt;
  if (kind == ClassificationsFile::csv) {  // a labels CSV that names a confidence too is read whole, as labels
    std::ifstream in(path, std::ios::binary);
    std::string head;
    std::getline(in, head);
    if (csv_header_names(head).find(",rater,") != std::string::npos) return std::nullopt;
  }
  return kind;
}

std::string render(const Inputs& in, const Taxonomy& tax);

const char* css = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 1000px;
       margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem;
     margin-top: 2rem; } h3 { font-size: 1.05rem; }
a { color: #0969da; } .meta { color: #57606a; } figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; font-size: 13px; font-family: system-ui, sans-serif; overflow: visible; }
svg.bars rect, svg.histogram rect { fill: #0969da; } svg.heat rect.diag { fill: #1a7f37; } svg.heat rect.off { fill: #cf222e; }
svg.heat text.on { fill: #fff; } svg.intervals circle, svg.calibration circle { fill: #8250df; }
svg.intervals line.whisker { stroke: #8250df; stroke-width: 3; } svg line.grid { stroke: #d0d7de; }
svg line.zero, svg line.axis { stroke: #57606a; } svg line.diagonal { stroke: #57606a; stroke-dasharray: 4 4; }
svg line.gap { stroke: #cf222e; stroke-width: 2; } svg rect.frame { fill: none; stroke: #d0d7de; }
svg text.undefined { fill: #9a6700; font-style: italic; } svg text.count { fill: #57606a; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #eaeef2;
        vertical-align: top; } .num { text-align: right; font-variant-numeric: tabular-nums; }
tr.average th, tr.average td { border-top: 1px solid #d0d7de; } .ci { color: #57606a; font-size: .9em; }
ol.notes { color: #9a6700; font-size: .9em; margin: .2rem 0; }
.evidence { color: #57606a; font-size: .9em; } code { background: #f6f8fa; padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
summary { cursor: pointer; margin: .5rem 0; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; }
               details { display: block; } }
)";

}  // namespace

Result<std::string> render_html_report(const std::vector<std::pair<std::string, std::string>>& inputs,
                                       const Taxonomy& tax, std::vector<std::string>* skipped) {
  Inputs in;
  std::vector<BatchInput> batch;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (auto error = read_input(inputs[k].first, inputs[k].second, k, in, batch)) return *error;
  if (auto error = read_batch_outputs(batch, tax, in, skipped)) return *error;
  return render(in, tax);
}

Result<std::string> render_html_report_files(const std::vector<std::string>& paths, const Taxonomy& tax,
                                             std::vector<std::string>* skipped) {
  Inputs in;
  std::vector<BatchInput> batch;
  std::deque<std::string> contents;  // of the inputs read whole (a deque: batch points into it)
  for (std::size_t k = 0; k < paths.size(); ++k) {
    if (const auto kind = streamed(paths[k])) {
      batch.push_back({k, paths[k], nullptr, *kind == ClassificationsFile::csv});
      continue;
    }
    auto text = read_input_file(paths[k], ~std::uint64_t{0});
    if (!text.ok()) return text.error();
    contents.push_back(std::move(text).value());
    if (auto error = read_input(paths[k] == "-" ? "<stdin>" : paths[k], contents.back(), k, in, batch)) return *error;
  }
  if (auto error = read_batch_outputs(batch, tax, in, skipped)) return *error;
  return render(in, tax);
}

namespace {

std::string render(const Inputs& in, const Taxonomy& tax) {
  std::string body;
  std::vector<std::string> sources;
  auto section = [&](const std::string& name, const char* kind, auto&& render_section) {
    const std::string anchor = "s" + std::to_string(sources.size() + 1);
    body += render_section(anchor);
    sources.push_back("<a href=\"#" + anchor + "\">" + esc(name) + "</a> (" + kind + ")");
  };
  // Named pairs, not structured bindings: the lambdas capture them (clang 14 cannot).
  for (const auto& d : in.labels)
    section(d.name, "labels", [&](const std::string& a) { return labels_section(d, tax, a); });
  for (const auto& x : in.hand)
    section(x.first, "hand labels", [&](const std::string& a) { return hand_section(x.first, x.second, tax, a); });
  for (const auto& x : in.evals)
    section(x.first, "eval", [&](const std::string& a) { return eval_section(x.first, x.second, in, a); });
  for (const auto& x : in.agreements)
    section(x.first, "agree", [&](const std::string& a) {
      return agreement_section(x.first, x.second.fields, a, "Agreement between labelers");
    });
  std::string list;
  for (const auto& s : sources) list += (list.empty() ? "" : ", ") + s;
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>silt report</title><style>" +
         std::string(css) + "</style></head><body>\n<h1>silt report</h1>\n<p class=\"meta\">Taxonomy " + esc(tax.name) +
         "; from " + list + ". Every figure with its n and, where drawn, its 95% bootstrap interval.</p>\n" + body +
         "</body></html>\n";
}

}  // namespace

}  // namespace silt
