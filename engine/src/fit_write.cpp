// Writing a fitted rules file: the same text, with its numbers replaced.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include "silt/fit.h"

namespace silt {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  if (s == "-0.0") s = "0.0";
  return s;
}

struct Edit {
  std::size_t start, end;
  std::string text;
};

// The byte range of the scalar written at `pos` (a plain number, or a quoted one).
std::size_t scalar_end(std::string_view text, std::size_t pos) {
  if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
    std::size_t close = text.find(text[pos], pos + 1);
    return close == std::string_view::npos ? text.size() : close + 1;
  }
  std::size_t e = pos;
  while (e < text.size() && std::string_view(" ,}]\n\r#\t").find(text[e]) == std::string_view::npos) ++e;
  return e;
}

std::size_t line_start(std::string_view text, std::size_t pos) {
  std::size_t b = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  return b == std::string_view::npos || pos == 0 ? 0 : b + 1;
}

std::size_t line_end(std::string_view text, std::size_t pos) {
  std::size_t e = text.find('\n', pos);
  return e == std::string_view::npos ? text.size() : e + 1;
}

// The lines of the top-level key `key`: from its line (and, with `with_comment`, the
// "# silt rules fit" comment lines right above it) to the start of the next top-level
// key, without the blank and comment lines that lead into that next key.
std::optional<std::pair<std::size_t, std::size_t>> top_block(std::string_view text, const YAML::Node& root,
                                                             const std::string& key, bool with_comment) {
  for (const auto& kv : root) {
    if (kv.first.Scalar() != key) continue;
    std::size_t start = line_start(text, static_cast<std::size_t>(kv.first.Mark().pos));
    if (with_comment)
      while (start > 0) {
        std::size_t prev = line_start(text, start - 1);
        if (text.substr(prev, 2) != "# ") break;
        if (text.substr(prev, 16) != "# silt rules fit" && text.substr(prev, 3) != "#  ") break;
        start = prev;
      }
    std::size_t end = line_end(text, static_cast<std::size_t>(kv.first.Mark().pos)), last = end;
    while (end < text.size()) {
      char c = text[end];
      if (c != ' ' && c != '#' && c != '\n' && c != '\r') break;
      if (c == ' ') last = line_end(text, end);
      end = line_end(text, end);
    }
    return std::make_pair(start, last);
  }
  return std::nullopt;
}

// Where a new top-level block goes: before `rules:`, or at the end.
std::size_t before_rules(std::string_view text, const YAML::Node& root) {
  for (const auto& kv : root)
    if (kv.first.Scalar() == "rules") {
      std::size_t at = line_start(text, static_cast<std::size_t>(kv.first.Mark().pos));
      while (at > 0) {  // above the comment lines that lead into `rules:`
        std::size_t prev = line_start(text, at - 1);
        if (text[prev] != '#') break;
        at = prev;
      }
      return at;
    }
  return text.size();
}

void replace_or_insert(std::vector<Edit>& edits, std::string_view text, const YAML::Node& root, const std::string& key,
                       const std::string& block, bool with_comment) {
  if (auto range = top_block(text, root, key, with_comment))
    edits.push_back({range->first, range->second, block});
  else {
    const std::size_t at = before_rules(text, root);
    edits.push_back({at, at, block + "\n"});
  }
}

std::string model_block(const Taxonomy& tax, const FitResult& fit, const std::string& fitted_on) {
  char date[16];
  std::time_t t = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&t));
  auto figures = [](const FitFigures& f) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "category %.3f, impact exact %.3f, log loss %.3f, ECE %s, unflagged %zu/%zu right %zu",
                  f.category_accuracy, f.impact_exact, f.log_loss, f.ece ? num(*f.ece).c_str() : "-", f.unflagged, f.n,
                  f.unflagged_right);
    return std::string(buf);
  };
  std::string out = "# silt rules fit, " + std::string(date) + ": the numbers below, the rule weights and the\n";
  out += "#   field weights were fitted on " + std::to_string(fit.items) + " labeled issues (" + fitted_on + "),\n";
  out += fit.l2 < 0 ? std::string("#   and cross-validation kept the hand-written numbers as they are.\n")
         : std::isinf(fit.l2)
             ? std::string(
                   "#   the rule and field weights kept: cross-validation preferred fitting the scales, biases\n"
                   "#   and criteria priors alone.\n")
             : "#   with the hand-written numbers as the prior (L2, rule weights " + num(fit.l2) + ").\n";
  out += "#   Cross-validated, " + std::string("each issue predicted by numbers fitted without it:\n");
  out += "#   before: " + figures(fit.before) + "\n";
  out += "#   after:  " + figures(fit.after) + "\n";
  out += "model:\n  category_scale: " + num(fit.model.category_scale) + "\n";
  out += "  criteria_scale: " + num(fit.model.criteria_scale) + "\n  category_bias:\n";
  for (std::size_t c = 0; c < tax.categories.size(); ++c)
    out += "    " + tax.categories[c].id + ": " + num(fit.model.category_bias[c]) + "\n";
  out += "  criteria_prior:\n";
  for (std::size_t c = 0; c < tax.categories.size(); ++c) {
    out += "    " + tax.categories[c].id + ": {";
    for (std::size_t k = 0; k < tax.criteria.size(); ++k)
      out += (k ? ", " : "") + tax.criteria[k].id + ": " + num(fit.model.criteria_prior[c][k]);
    out += "}\n";
  }
  return out;
}

// The rule weights of this file: replaced where written, added where not.
void rule_weight_edits(std::vector<Edit>& edits, std::string_view text, const YAML::Node& root, const RuleSet& rules,
                       const FitResult& fit, std::string& included) {
  std::map<std::string, YAML::Node> nodes;
  if (root["rules"].IsDefined() && root["rules"].IsSequence())
    for (const auto& node : root["rules"])
      if (node.IsMap() && node["id"].IsDefined() && node["id"].IsScalar())
        nodes.emplace(node["id"].Scalar(), static_cast<const YAML::Node&>(node));
  for (std::size_t r = 0; r < rules.rules().size(); ++r) {
    const Rule& rule = rules.rules()[r];
    const std::string w = num(fit.rule_weights[r]);
    auto it = nodes.find(rule.id);
    if (it == nodes.end()) {  // defined in an included file: a `weights:` entry here
      included += "  " + rule.id + ": " + w + "\n";
      continue;
    }
    const YAML::Node& node = it->second;
    if (node["weight"].IsDefined()) {
      auto pos = static_cast<std::size_t>(node["weight"].Mark().pos);
      edits.push_back({pos, scalar_end(text, pos), w});
    } else if (node.Style() == YAML::EmitterStyle::Flow) {
      auto pos = static_cast<std::size_t>(node.Mark().pos) + 1;  // after '{'
      edits.push_back({pos, pos, "weight: " + w + ", "});
    } else {
      const YAML::Mark id = node["id"].Mark();
      const std::size_t eol = line_end(text, static_cast<std::size_t>(id.pos));
      const auto key_col = static_cast<std::size_t>(node.Mark().column);
      std::string line = std::string(key_col, ' ') + "weight: " + w + "\n";
      if (eol == text.size() && (text.empty() || text.back() != '\n')) line = "\n" + line;
      edits.push_back({eol, eol, line});
    }
  }
}

void field_edits(std::vector<Edit>& edits, std::string_view text, const YAML::Node& root, const FitResult& fit) {
  std::string block = "fields:\n";
  for (const auto& [name, w] : fit.field_weights) block += "  " + name + ": " + num(w) + "\n";
  const YAML::Node fields = root["fields"];
  if (!fields.IsDefined() || !fields.IsMap() || fields.Style() == YAML::EmitterStyle::Flow) {
    replace_or_insert(edits, text, root, "fields", block, false);
    return;
  }
  std::size_t after_last = 0, col = 2;
  for (const auto& kv : fields) {
    auto fw = std::find_if(fit.field_weights.begin(), fit.field_weights.end(),
                           [&](const auto& f) { return f.first == kv.first.Scalar(); });
    if (fw == fit.field_weights.end()) continue;
    auto pos = static_cast<std::size_t>(kv.second.Mark().pos);
    edits.push_back({pos, scalar_end(text, pos), num(fw->second)});
    after_last = std::max(after_last, line_end(text, pos));
    col = static_cast<std::size_t>(kv.first.Mark().column);
  }
  std::string missing;
  for (const auto& [name, w] : fit.field_weights)
    if (!fields[name].IsDefined() && std::fabs(w - 1.0) > 5e-4)
      missing += std::string(col, ' ') + name + ": " + num(w) + "\n";
  if (!missing.empty()) edits.push_back({after_last, after_last, missing});
}

void review_edit(std::vector<Edit>& edits, std::string_view text, const YAML::Node& root, double threshold) {
  const YAML::Node review = root["review"];
  const std::string v = num(threshold);
  if (review.IsDefined() && review.IsMap() && review["min_confidence"].IsDefined()) {
    auto pos = static_cast<std::size_t>(review["min_confidence"].Mark().pos);
    edits.push_back({pos, scalar_end(text, pos), v});
  } else if (review.IsDefined() && review.IsMap() && review.Style() != YAML::EmitterStyle::Flow && review.size() > 0) {
    auto first = review.begin()->first.Mark();
    std::size_t at = line_start(text, static_cast<std::size_t>(first.pos));
    edits.push_back({at, at, std::string(static_cast<std::size_t>(first.column), ' ') + "min_confidence: " + v + "\n"});
  } else {
    replace_or_insert(edits, text, root, "review", "review:\n  min_confidence: " + v + "\n", false);
  }
}

}  // namespace

Result<std::string> write_fitted_rules(std::string_view yaml, const std::string& file, const RuleSet& rules,
                                       const Taxonomy& taxonomy, const FitResult& fit, const std::string& fitted_on) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error{file + ": " + e.msg, e.mark.line + 1, e.mark.column + 1, "yaml-syntax"};
  }
  if (!root.IsMap() || fit.rule_weights.size() != rules.rules().size())
    return Error{file + ": not the rules file that was fitted", 0, 0, "not-fitted-file"};
  std::string text(yaml);
  std::vector<Edit> edits;
  std::string included;
  rule_weight_edits(edits, text, root, rules, fit, included);
  field_edits(edits, text, root, fit);
  review_edit(edits, text, root, fit.review_threshold);
  replace_or_insert(edits, text, root, "model", model_block(taxonomy, fit, fitted_on), true);
  std::string cal = "calibration:\n";
  for (const auto& [x, y] : fit.calibration) cal += "  - [" + num(x) + ", " + num(y) + "]\n";
  replace_or_insert(edits, text, root, "calibration", cal, false);
  if (!included.empty())
    replace_or_insert(edits, text, root, "weights", "weights:\n" + included, false);
  else if (root["weights"].IsDefined())
    replace_or_insert(edits, text, root, "weights", "", false);
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.start > b.start; });
  for (const auto& e : edits) text.replace(e.start, e.end - e.start, e.text);
  return text;
}

}  // namespace silt
