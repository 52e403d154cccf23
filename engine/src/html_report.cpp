#include "silt/html_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace silt {

namespace {

// Ordered: confusion matrices keep the file's order (the taxonomy's, "none" first).
using json = nlohmann::ordered_json;

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

std::string num(double v, int decimals = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Horizontal bars, one a label, with the count at the end.
std::string bar_chart(const std::string& title, const std::vector<std::pair<std::string, double>>& rows) {
  double max = 1;
  for (const auto& r : rows) max = std::max(max, r.second);
  const int label_w = 230, bar_w = 380, row_h = 26;
  const int h = static_cast<int>(rows.size()) * row_h + 10;
  std::string svg =
      "<figure><figcaption>" + esc(title) + "</figcaption><svg class=\"chart bars\" role=\"img\" viewBox=\"0 0 " +
      std::to_string(label_w + bar_w + 70) + " " + std::to_string(h) + "\" aria-label=\"" + esc(title) + "\">";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int y = static_cast<int>(i) * row_h + 5;
    const double w = rows[i].second / max * bar_w;
    svg += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 16) + "\" text-anchor=\"end\">" +
           esc(rows[i].first) + "</text>";
    svg += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" + num(w, 1) +
           "\" height=\"18\" rx=\"2\"/>";
    svg += "<text x=\"" + num(label_w + w + 6, 1) + "\" y=\"" + std::to_string(y + 16) + "\">" +
           num(rows[i].second, 0) + "</text>";
  }
  return svg + "</svg></figure>\n";
}

// A confusion matrix as a heat map: rows gold, columns predicted.
std::string heat_map(const std::string& title, const json& confusion) {
  std::vector<std::string> labels;
  for (auto it = confusion.begin(); it != confusion.end(); ++it) labels.push_back(it.key());
  double max = 1;
  for (const auto& row : confusion)
    for (const auto& v : row) max = std::max(max, v.get<double>());
  const int label_w = 230, cell = 40, n = static_cast<int>(labels.size());
  const int w = label_w + n * cell + 10, h = 30 + n * cell + 10;
  std::string svg = "<figure><figcaption>" + esc(title) +
                    " (rows: gold; columns: predicted, numbered as the rows)</figcaption>"
                    "<svg class=\"chart heat\" role=\"img\" viewBox=\"0 0 " +
                    std::to_string(w) + " " + std::to_string(h) + "\" aria-label=\"" + esc(title) + "\">";
  for (int j = 0; j < n; ++j)
    svg += "<text x=\"" + std::to_string(label_w + j * cell + cell / 2) + "\" y=\"20\" text-anchor=\"middle\">" +
           std::to_string(j + 1) + "</text>";
  int i = 0;
  for (auto it = confusion.begin(); it != confusion.end(); ++it, ++i) {
    const int y = 30 + i * cell;
    const bool level = !it.key().empty() && it.key().find_first_not_of("0123456789") == std::string::npos;
    svg += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + cell / 2 + 5) +
           "\" text-anchor=\"end\">" + std::to_string(i + 1) + " " + (level ? "level " : "") + esc(it.key()) +
           "</text>";
    int j = 0;
    for (const auto& v : *it) {
      const double x = v.get<double>();
      const double a = x / max;
      svg += "<rect x=\"" + std::to_string(label_w + j * cell) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
             std::to_string(cell - 2) + "\" height=\"" + std::to_string(cell - 2) + "\" class=\"" +
             (i == j ? "diag" : "off") + "\" fill-opacity=\"" + num(0.08 + 0.92 * a, 2) + "\"/>";
      if (x > 0)
        svg += "<text x=\"" + std::to_string(label_w + j * cell + cell / 2 - 1) + "\" y=\"" +
               std::to_string(y + cell / 2 + 4) + "\" text-anchor=\"middle\" class=\"" + (a > 0.55 ? "on" : "") +
               "\">" + num(x, 0) + "</text>";
      ++j;
    }
  }
  return svg + "</svg></figure>\n";
}

// Statistics on a -1..1 axis, each a dot with its interval.
std::string interval_chart(const std::string& title, const std::vector<std::tuple<std::string, json>>& rows) {
  const int label_w = 260, axis_w = 360, row_h = 26;
  const int h = static_cast<int>(rows.size()) * row_h + 40;
  auto xpos = [&](double v) { return label_w + (std::clamp(v, -1.0, 1.0) + 1) / 2 * axis_w; };
  std::string svg =
      "<figure><figcaption>" + esc(title) + "</figcaption><svg class=\"chart intervals\" role=\"img\" viewBox=\"0 0 " +
      std::to_string(label_w + axis_w + 80) + " " + std::to_string(h) + "\" aria-label=\"" + esc(title) + "\">";
  for (double t : {-1.0, 0.0, 0.5, 1.0})
    svg += "<line class=\"grid\" x1=\"" + num(xpos(t), 1) + "\" x2=\"" + num(xpos(t), 1) + "\" y1=\"0\" y2=\"" +
           std::to_string(h - 20) + "\"/><text x=\"" + num(xpos(t), 1) + "\" y=\"" + std::to_string(h - 5) +
           "\" text-anchor=\"middle\">" + num(t, 1) + "</text>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& [name, e] = rows[i];
    const int y = static_cast<int>(i) * row_h + 14;
    svg += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 4) + "\" text-anchor=\"end\">" +
           esc(name) + "</text>";
    if (!e.contains("value") || e["value"].is_null()) {
      svg += "<text x=\"" + std::to_string(label_w + 4) + "\" y=\"" + std::to_string(y + 4) +
             "\" class=\"undefined\">undefined: " + esc(e.value("undefined", std::string())) + "</text>";
      continue;
    }
    const double v = e["value"].get<double>();
    if (e.contains("interval") && e["interval"].is_array())
      svg += "<line class=\"whisker\" x1=\"" + num(xpos(e["interval"][0].get<double>()), 1) + "\" x2=\"" +
             num(xpos(e["interval"][1].get<double>()), 1) + "\" y1=\"" + std::to_string(y) + "\" y2=\"" +
             std::to_string(y) + "\"/>";
    svg += "<circle cx=\"" + num(xpos(v), 1) + "\" cy=\"" + std::to_string(y) + "\" r=\"5\"/><text x=\"" +
           std::to_string(label_w + axis_w + 10) + "\" y=\"" + std::to_string(y + 4) + "\">" + num(v) + "</text>";
  }
  return svg + "</svg></figure>\n";
}

std::string figure_row(const std::string& name, const json& v, const json& interval) {
  std::string s = "<tr><th>" + esc(name) + "</th><td>" +
                  (v.is_number() ? num(v.get<double>()) : std::string("undefined")) + "</td><td>";
  if (interval.is_array()) s += "[" + num(interval[0].get<double>()) + ", " + num(interval[1].get<double>()) + "]";
  return s + "</td></tr>";
}

const char* css = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 1000px;
       margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem;
     margin-top: 2rem; } h3 { font-size: 1.05rem; }
.meta { color: #57606a; } figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; max-width: 720px; font-size: 13px; }
svg.bars rect { fill: #0969da; } svg.heat rect.diag { fill: #1a7f37; } svg.heat rect.off { fill: #cf222e; }
svg.heat text.on { fill: #fff; } svg.intervals circle { fill: #8250df; } svg.intervals line.whisker { stroke: #8250df; stroke-width: 3; }
svg.intervals line.grid { stroke: #d0d7de; } svg text.undefined { fill: #9a6700; font-style: italic; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #eaeef2;
        vertical-align: top; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.evidence { color: #57606a; font-size: .9em; } code { background: #f6f8fa; padding: 0 .2em; border-radius: 3px; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
)";

}  // namespace

Result<std::string> render_html_report(const std::vector<std::pair<std::string, std::string>>& inputs,
                                       const Taxonomy& tax) {
  std::string body;
  std::vector<std::string> sources;
  for (const auto& [name, content] : inputs) {
    json whole = json::parse(content, nullptr, false);
    // eval --format json
    if (whole.is_object() && whole.contains("category") && whole.contains("impact") && whole.contains("n")) {
      sources.push_back(esc(name) + " (eval)");
      body += "<h2>Against the gold labels <span class=\"meta\">(" + esc(name) + ", n = " + whole["n"].dump() +
              ")</span></h2>\n";
      const json& c = whole["category"];
      const json& im = whole["impact"];
      body += "<table><tr><th></th><th>value</th><th>95% interval</th></tr>";
      body += figure_row("category accuracy", c["accuracy"], c["intervals"]["accuracy"]);
      body += figure_row("category macro F1", c["macro_f1"], c["intervals"]["macro_f1"]);
      body += figure_row("category Cohen's kappa", c["kappa"], c["intervals"]["kappa"]);
      body += figure_row("impact exact accuracy", im["accuracy"], im["intervals"]["accuracy"]);
      body += figure_row("impact within one", im["within_one"], im["intervals"]["within_one"]);
      body += figure_row("impact quadratic kappa", im["kappa_quadratic"], im["intervals"]["kappa_quadratic"]);
      body += "</table>\n";
      body += heat_map("Category confusion", c["confusion"]);
      body += heat_map("Impact confusion", im["confusion"]);
      continue;
    }
    // agree --format json
    if (whole.is_array() && !whole.empty() && whole[0].is_object() && whole[0].contains("field")) {
      sources.push_back(esc(name) + " (agree)");
      body += "<h2>Agreement between labelers <span class=\"meta\">(" + esc(name) + ")</span></h2>\n";
      for (const auto& f : whole) {
        std::vector<std::tuple<std::string, json>> rows = {{"percent agreement", f["percent_agreement"]},
                                                           {"Fleiss' kappa", f["fleiss_kappa"]},
                                                           {"Conger's kappa", f["conger_kappa"]},
                                                           {"Krippendorff's alpha", f["krippendorff_alpha"]}};
        if (f.contains("gwet_ac1")) rows.emplace_back("Gwet's AC1", f["gwet_ac1"]);
        if (f.contains("gwet_ac2")) rows.emplace_back("Gwet's AC2", f["gwet_ac2"]);
        for (const auto& p : f["cohen_kappa_pairs"])
          rows.emplace_back("Cohen's kappa " + p["a"].get<std::string>() + " / " + p["b"].get<std::string>(),
                            p["kappa"]);
        for (const auto& m : f["against_majority"])
          rows.emplace_back(m["rater"].get<std::string>() + " against the others' majority (kappa)", m["kappa"]);
        body +=
            interval_chart("Field " + f["field"].get<std::string>() + " (" + f["scale"].get<std::string>() + ")", rows);
      }
      continue;
    }
    // batch JSON lines
    std::map<std::string, double> categories, levels;
    std::vector<json> review;
    std::size_t n = 0, line_no = 0;
    std::size_t pos = 0;
    while (pos < content.size()) {
      std::size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) nl = content.size();
      std::string line = content.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("category") || !j.contains("impact"))
        return Error{name + ":" + std::to_string(line_no) + ": not silt batch output, eval JSON or agree JSON"};
      ++n;
      categories[j["category"].get<std::string>()] += 1;
      const json& lv = j["impact"]["level"];
      levels[lv.is_null() ? std::string("none") : "level " + lv.dump()] += 1;
      if (j.value("needs_review", false)) review.push_back(std::move(j));
    }
    if (n == 0) return Error{name + ": no record"};
    sources.push_back(esc(name) + " (labels)");
    body += "<h2>Labels <span class=\"meta\">(" + esc(name) + ", " + std::to_string(n) + " issues)</span></h2>\n";
    std::vector<std::pair<std::string, double>> cat_rows, level_rows;
    for (const auto& c : tax.categories) cat_rows.emplace_back(c.id, categories.count(c.id) ? categories[c.id] : 0);
    level_rows.emplace_back("none", levels.count("none") ? levels["none"] : 0);
    for (const auto& l : tax.levels) {
      std::string k = "level " + std::to_string(l.number);
      level_rows.emplace_back(k + (l.threat.empty() ? "" : " (" + l.threat + ")"), levels.count(k) ? levels[k] : 0);
    }
    body += bar_chart("Issues per category", cat_rows);
    body += bar_chart("Issues per impact level", level_rows);
    body += "<h3>Needing review (" + std::to_string(review.size()) + ")</h3>\n";
    if (review.empty())
      body += "<p>None.</p>\n";
    else {
      body += "<table><tr><th>issue</th><th>category</th><th class=\"num\">confidence</th><th>why</th></tr>";
      for (const auto& r : review) {
        std::string evidence;
        for (std::size_t k = 0; k < r["evidence"].size() && k < 3; ++k) {
          const auto& e = r["evidence"][k];
          evidence +=
              "<code>" + esc(e.value("text", std::string())) + "</code> (" + esc(e.value("rule", std::string())) + ") ";
        }
        body += "<tr><td>" + esc(r.value("id", std::string())) + "<br><span class=\"evidence\">" +
                esc(r.value("title", std::string())) + "</span></td><td>" + esc(r["category"].get<std::string>()) +
                "</td><td class=\"num\">" + num(r.value("confidence", 0.0), 2) + "</td><td class=\"evidence\">" +
                (evidence.empty() ? std::string("no evidence") : evidence) + "</td></tr>";
      }
      body += "</table>\n";
    }
  }
  std::string list;
  for (const auto& s : sources) list += (list.empty() ? "" : ", ") + s;
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>silt report</title><style>" +
         std::string(css) + "</style></head><body>\n<h1>silt report</h1>\n<p class=\"meta\">Taxonomy " + esc(tax.name) +
         "; from " + list + ".</p>\n" + body + "</body></html>\n";
}

}  // namespace silt
