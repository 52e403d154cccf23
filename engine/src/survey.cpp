#include "silt/survey.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "csv_table.h"
#include "read_file.h"
#include "study_json.h"

namespace silt {

namespace {

// Letters and digits only, lower case: "3. Wrong Parameter Settings" -> "3wrongparametersettings".
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The category a header asks about: its text before the first ':', without a leading
// number, starts with the category's name.
std::optional<std::size_t> category_of(const std::string& header, const Taxonomy& tax) {
  std::string head = header.substr(0, header.find(':'));
  std::size_t k = 0;
  while (k < head.size() && (std::isdigit(static_cast<unsigned char>(head[k])) || head[k] == '.' || head[k] == ' '))
    ++k;
  std::string name = squash(head.substr(k));
  if (name.empty()) return std::nullopt;
  for (std::size_t c = 0; c < tax.categories.size(); ++c) {
    std::string cat = squash(tax.categories[c].name);
    if (!cat.empty() && name.rfind(cat, 0) == 0) return c;
  }
  return std::nullopt;
}

std::optional<int> level_of(const std::string& header) {
  std::string h = squash(header.substr(0, header.find(':')));
  if (h.rfind("level", 0) != 0 || h.size() == 5) return std::nullopt;
  try {
    return std::stoi(h.substr(5));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool contains(const std::string& header, std::string_view what) {
  std::string h = header, w(what);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
  return h.find(w) != std::string::npos;
}

// "1 (easy)", "5 (difficult)", "3": the leading number 1-5, alone or followed by a space
// or its label in parentheses; nullopt for anything else ("3.5" and "3abc" are no answer
// on the scale, not a 3).
std::optional<int> scale_answer(const std::string& s) {
  std::string t = detail::trim(s);
  if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) return std::nullopt;
  int v = t[0] - '0';
  if (v < 1 || v > 5) return std::nullopt;
  if (t.size() > 1 && t[1] != '(' && !std::isspace(static_cast<unsigned char>(t[1]))) return std::nullopt;
  return v;
}

double quantile(std::vector<int> v, double p) {
  std::sort(v.begin(), v.end());
  double h = p * static_cast<double>(v.size() - 1);
  auto lo = static_cast<std::size_t>(h);
  std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Summary summarize(const std::vector<int>& v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  double sum = 0;
  std::size_t high = 0;
  for (int x : v) {
    ++s.counts[static_cast<std::size_t>(x - 1)];
    sum += x;
    high += x >= 4;
  }
  s.mean = sum / static_cast<double>(v.size());
  s.median = quantile(v, 0.5);
  s.q1 = quantile(v, 0.25);
  s.q3 = quantile(v, 0.75);
  s.share_high = static_cast<double>(high) / static_cast<double>(v.size());
  return s;
}

}  // namespace

namespace {

// Where the export puts each question.
struct SurveyColumns {
  struct Category {
    std::optional<std::size_t> diagnosing, severity, fixing, met;
  };
  std::vector<Category> category;                   // taxonomy order
  std::vector<std::pair<int, std::size_t>> levels;  // level, column
  std::optional<std::size_t> scale, problematic;
};

// The columns, found by their question's text; an Error (duplicate-column) when a question
// the reader takes by its text is asked twice.
Result<SurveyColumns> survey_columns(const std::vector<std::string>& head, const std::string& path,
                                     const Taxonomy& tax) {
  // A question the reader takes by its text must be asked once (Google Forms repeats
  // "Any comments?" and the "confronted" question: those are told apart by position).
  std::optional<Error> duplicate;
  auto take = [&](std::optional<std::size_t>& slot, std::size_t k) {
    if (slot && !duplicate)
      duplicate = Error{path + ":1: the header asks the same question twice (columns " + std::to_string(*slot + 1) +
                            " and " + std::to_string(k + 1) + "): '" + head[k] + "'",
                        1, static_cast<int>(k) + 1, "duplicate-column"};
    slot = k;
  };
  SurveyColumns cols;
  auto& cat = cols.category;
  cat.resize(tax.categories.size());
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t last_category = none;  // the category whose block the columns are in
  for (std::size_t k = 0; k < head.size(); ++k) {
    const std::string& h = head[k];
    if (auto c = category_of(h, tax)) {
      last_category = *c;
      if (contains(h, "[diagnosing]"))
        take(cat[*c].diagnosing, k);
      else if (contains(h, "[severity]"))
        take(cat[*c].severity, k);
      else if (contains(h, "[fixing]"))
        take(cat[*c].fixing, k);
      continue;
    }
    if (contains(h, "have you ever been confronted")) {
      // The same question follows each category's block.
      if (last_category != none && !cat[last_category].met) cat[last_category].met = k;
      continue;
    }
    if (auto l = level_of(h)) {
      for (const auto& [seen, col] : cols.levels)
        if (seen == *l && !duplicate) {
          std::optional<std::size_t> slot = col;
          take(slot, k);
        }
      cols.levels.emplace_back(*l, k);
      last_category = none;
      continue;
    }
    if (contains(h, "how would you judge this scale"))
      take(cols.scale, k);
    else if (contains(h, "how problematic"))
      take(cols.problematic, k);
    if (!contains(h, "any comments")) last_category = none;
  }
  if (duplicate) return *duplicate;
  return cols;
}

}  // namespace

Result<Consensus> read_survey(const std::string& path, const Taxonomy& tax) {
  auto text = detail::read_file(path);
  if (!text.ok()) return text.error();
  auto csv = detail::parse_csv(text.value());
  if (csv.rows.size() < 1) return Error{path + ": the file is empty", 0, 0, "empty"};
  auto found = survey_columns(csv.rows.front(), path, tax);
  if (!found.ok()) return found.error();
  const SurveyColumns& columns = found.value();
  const auto& cat = columns.category;
  std::vector<std::pair<int, std::size_t>> level_cols = columns.levels;
  const std::optional<std::size_t> scale_col = columns.scale, problem_col = columns.problematic;
  bool any = !level_cols.empty();
  for (const auto& c : cat) any = any || c.diagnosing || c.severity || c.fixing;
  if (!any)
    return Error{path + ":1: no column asks about a category or a level of the taxonomy", 1, 0, "missing-column"};

  Consensus out;
  for (const auto& p : csv.problems) out.problems.push_back(detail::to_string(p, path));
  out.respondents = csv.rows.size() - 1;
  auto collect = [&](std::size_t col, const std::string& what) {
    std::vector<int> v;
    for (std::size_t r = 1; r < csv.rows.size(); ++r) {
      const std::string cell = col < csv.rows[r].size() ? detail::trim(csv.rows[r][col]) : std::string();
      if (cell.empty()) continue;  // skipped
      if (auto a = scale_answer(cell))
        v.push_back(*a);
      else
        out.problems.push_back(path + ":" + std::to_string(csv.lines[r]) + ": " + what + ": '" + cell +
                               "' is not an answer from 1 to 5");
    }
    return v;
  };
  for (std::size_t c = 0; c < tax.categories.size(); ++c) {
    const SurveyColumns::Category& cc = cat[c];
    if (!cc.diagnosing && !cc.severity && !cc.fixing) continue;
    CategoryConsensus cons;
    cons.category = tax.categories[c].id;
    if (cc.diagnosing) cons.diagnosing = summarize(collect(*cc.diagnosing, cons.category + " diagnosing"));
    if (cc.severity) cons.severity = summarize(collect(*cc.severity, cons.category + " severity"));
    if (cc.fixing) cons.fixing = summarize(collect(*cc.fixing, cons.category + " fixing"));
    // A category asked about, with one of its three questions missing: an edited form
    // whose question text changed, most likely; its answers would be lost unsaid.
    for (auto [question, col] :
         {std::pair{"Diagnosing", cc.diagnosing}, std::pair{"Severity", cc.severity}, std::pair{"Fixing", cc.fixing}})
      if (!col)
        out.problems.push_back(path + ":1: " + cons.category + ": no " + question +
                               " column, though the category's other questions are there");
    if (cc.met)
      for (std::size_t r = 1; r < csv.rows.size(); ++r) {
        const std::string cell = *cc.met < csv.rows[r].size() ? detail::trim(csv.rows[r][*cc.met]) : "";
        std::string a = squash(cell);
        if (a == "yes")
          ++cons.met_yes;
        else if (a == "no")
          ++cons.met_no;
        else if (!a.empty())
          out.problems.push_back(path + ":" + std::to_string(csv.lines[r]) + ": " + cons.category + " confronted: '" +
                                 cell + "' is neither yes nor no");
      }
    out.categories.push_back(std::move(cons));
  }
  std::sort(level_cols.begin(), level_cols.end());
  for (const auto& [level, col] : level_cols)
    out.levels.push_back({level, summarize(collect(col, "level " + std::to_string(level)))});
  if (scale_col) out.scale = summarize(collect(*scale_col, "scale"));
  if (problem_col) {
    // One answer in any case ("more problematic", "More problematic"): counted together,
    // under the spelling met first.
    std::map<std::string, std::string> spelled;
    for (std::size_t r = 1; r < csv.rows.size(); ++r) {
      std::string a = *problem_col < csv.rows[r].size() ? detail::trim(csv.rows[r][*problem_col]) : "";
      if (!a.empty()) ++out.problematic[spelled.try_emplace(squash(a), a).first->second];
    }
  }
  return out;
}

namespace {

void emit(YAML::Emitter& y, const Summary& s) {
  y << YAML::BeginMap << YAML::Key << "n" << YAML::Value << s.n;
  y << YAML::Key << "counts" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (auto c : s.counts) y << c;
  y << YAML::EndSeq;
  // No answer: no mean, median or quartile (null), not a 0 a reader would take for one.
  for (auto [key, v] : {std::pair{"mean", s.mean}, std::pair{"median", s.median}, std::pair{"q1", s.q1},
                        std::pair{"q3", s.q3}, std::pair{"share_4_5", s.share_high}}) {
    y << YAML::Key << key << YAML::Value;
    if (s.n == 0)
      y << YAML::Null;
    else
      y << v;
  }
  y << YAML::EndMap;
}

Summary read_summary(const YAML::Node& n) {
  Summary s;
  if (!n || !n.IsMap()) return s;
  s.n = n["n"].as<std::size_t>(0);
  if (n["counts"] && n["counts"].IsSequence())
    for (std::size_t k = 0; k < 5 && k < n["counts"].size(); ++k) s.counts[k] = n["counts"][k].as<std::size_t>(0);
  s.mean = n["mean"].as<double>(0);
  s.median = n["median"].as<double>(0);
  s.q1 = n["q1"].as<double>(0);
  s.q3 = n["q3"].as<double>(0);
  s.share_high = n["share_4_5"].as<double>(0);
  return s;
}

}  // namespace

std::string to_yaml(const Consensus& c) {
  YAML::Emitter y;
  y.SetDoublePrecision(4);
  y << YAML::BeginMap;
  y << YAML::Key << "schema" << YAML::Value << "silt/consensus/v1";
  y << YAML::Key << "respondents" << YAML::Value << c.respondents;
  y << YAML::Key << "categories" << YAML::Value << YAML::BeginMap;
  for (const auto& cat : c.categories) {
    y << YAML::Key << cat.category << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "diagnosing" << YAML::Value;
    emit(y, cat.diagnosing);
    y << YAML::Key << "severity" << YAML::Value;
    emit(y, cat.severity);
    y << YAML::Key << "fixing" << YAML::Value;
    emit(y, cat.fixing);
    y << YAML::Key << "met" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "yes" << YAML::Value
      << cat.met_yes << YAML::Key << "no" << YAML::Value << cat.met_no << YAML::EndMap;
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
  y << YAML::Key << "levels" << YAML::Value << YAML::BeginMap;
  for (const auto& l : c.levels) {
    y << YAML::Key << l.level << YAML::Value;
    emit(y, l.agreement);
  }
  y << YAML::EndMap;
  if (c.scale) {
    y << YAML::Key << "scale" << YAML::Value;
    emit(y, *c.scale);
  }
  y << YAML::Key << "problematic" << YAML::Value << YAML::BeginMap;
  for (const auto& [answer, n] : c.problematic) y << YAML::Key << answer << YAML::Value << n;
  y << YAML::EndMap << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

Result<Consensus> consensus_from_yaml(std::string_view yaml, const std::string& file) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root["schema"] || root["schema"].as<std::string>() != "silt/consensus/v1")
      return Error{file + ": not a silt consensus file (schema: silt/consensus/v1)", 0, 0, "not-consensus"};
    Consensus c;
    c.respondents = root["respondents"].as<std::size_t>(0);
    for (const auto& kv : root["categories"]) {
      CategoryConsensus cat;
      cat.category = kv.first.as<std::string>();
      cat.diagnosing = read_summary(kv.second["diagnosing"]);
      cat.severity = read_summary(kv.second["severity"]);
      cat.fixing = read_summary(kv.second["fixing"]);
      cat.met_yes = kv.second["met"]["yes"].as<std::size_t>(0);
      cat.met_no = kv.second["met"]["no"].as<std::size_t>(0);
      c.categories.push_back(std::move(cat));
    }
    for (const auto& kv : root["levels"]) c.levels.push_back({kv.first.as<int>(), read_summary(kv.second)});
    if (root["scale"]) c.scale = read_summary(root["scale"]);
    for (const auto& kv : root["problematic"]) c.problematic[kv.first.as<std::string>()] = kv.second.as<std::size_t>();
    return c;
  } catch (const YAML::Exception& e) {
    return Error{file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg, e.mark.line + 1, e.mark.column + 1,
                 "yaml-syntax"};
  }
}

namespace {

double share(std::size_t part, std::size_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

void write_summary(JsonWriter& j, const Summary& s) {
  j.begin_object();
  j.field("n", s.n);
  for (auto [key, v] : {std::pair{"median", s.median}, std::pair{"mean", s.mean}, std::pair{"q1", s.q1},
                        std::pair{"q3", s.q3}, std::pair{"share_4_5", s.share_high}}) {
    j.key(key);
    if (s.n == 0)
      j.null();  // no answer: no figure, not a 0
    else
      j.number(v);
  }
  j.key("counts");
  j.inline_counts(std::vector<std::size_t>(s.counts.begin(), s.counts.end()));
  j.key("shares");  // of the answers 1..5
  std::vector<double> shares;
  for (auto c : s.counts) shares.push_back(share(c, s.n));
  j.inline_numbers(shares);
  j.end_object();
}

}  // namespace

std::string to_json(const Consensus& c) {
  JsonWriter j;
  write_json(j, c);
  return j.take();
}

void write_json(JsonWriter& j, const Consensus& c) {
  j.begin_object();
  j.field("respondents", c.respondents);
  j.key("categories");
  j.begin_object();
  for (const auto& cat : c.categories) {
    j.key(cat.category);
    j.begin_object();
    j.key("diagnosing");
    write_summary(j, cat.diagnosing);
    j.key("severity");
    write_summary(j, cat.severity);
    j.key("fixing");
    write_summary(j, cat.fixing);
    // "Have you ever been confronted to such type of bugs?": the share who met one.
    const std::size_t answered = cat.met_yes + cat.met_no;
    j.key("met");
    j.begin_object();
    j.field("yes", cat.met_yes);
    j.field("no", cat.met_no);
    j.field("n", answered);
    j.key("share_yes");
    j.optional_number(answered ? std::optional<double>(share(cat.met_yes, answered)) : std::nullopt);
    j.end_object();
    j.end_object();
  }
  j.end_object();
  j.key("levels");
  j.begin_object();
  for (const auto& l : c.levels) {
    j.key(std::to_string(l.level));
    write_summary(j, l.agreement);
  }
  j.end_object();
  if (c.scale) {
    j.key("scale");
    write_summary(j, *c.scale);
  }
  std::size_t total = 0;
  for (const auto& [answer, n] : c.problematic) total += n;
  j.key("problematic");
  j.begin_object();
  for (const auto& [answer, n] : c.problematic) {
    j.key(answer);
    j.begin_object();
    j.field("n", n);
    j.field("share", share(n, total));
    j.end_object();
  }
  j.end_object();
  j.end_object();
}

const CategoryConsensus* find(const Consensus& c, const std::string& category) {
  for (const auto& x : c.categories)
    if (x.category == category) return &x;
  return nullptr;
}

const LevelConsensus* find(const Consensus& c, int level) {
  for (const auto& x : c.levels)
    if (x.level == level) return &x;
  return nullptr;
}

Result<ConsistencyReport> consistency(const std::string& path, const Consensus& cons, const Taxonomy& tax) {
  auto text = detail::read_file(path);
  if (!text.ok()) return text.error();
  auto csv = detail::parse_csv(text.value());
  if (csv.rows.empty()) return Error{path + ": the file is empty"};
  std::map<std::string, std::size_t> col;
  if (auto dup = detail::duplicate_column(csv.rows[0], path, [](const std::string&) { return true; })) return *dup;
  for (std::size_t k = 0; k < csv.rows[0].size(); ++k) col[detail::header_name(csv.rows[0][k])] = k;
  const bool by_category = col.count("category") > 0;
  const bool by_level = col.count("level") > 0 && col.count("agreement") > 0;
  if (!by_category && !by_level)
    return Error{path + ":1: the header must be category,diagnosing,severity,fixing or level,agreement"};
  ConsistencyReport out;
  for (const auto& p : csv.problems) out.problems.push_back(detail::to_string(p, path));
  double distance = 0;
  auto check = [&](const std::string& what, int line, const std::string& cell, const Summary& s) {
    if (detail::trim(cell).empty()) return;
    auto r = scale_answer(cell);
    if (!r) {
      out.problems.push_back(path + ":" + std::to_string(line) + ": " + what + ": '" + cell + "' is not 1-5");
      return;
    }
    if (s.n == 0) {  // the survey has no answer there: nothing to compare with
      out.problems.push_back(path + ":" + std::to_string(line) + ": no consensus for " + what +
                             " (the survey has no answer there)");
      return;
    }
    RatingCheck rc{what, line, *r, s.median, s.q1, s.q3, *r < s.q1 || *r > s.q3};
    distance += std::abs(*r - s.median);
    out.outside += rc.outside;
    out.ratings.push_back(rc);
  };
  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const int line = csv.lines[r];
    auto at = [&](const char* name) {
      auto it = col.find(name);
      return it != col.end() && it->second < row.size() ? row[it->second] : std::string();
    };
    if (by_category) {
      std::string id = detail::trim(at("category"));
      const CategoryConsensus* c = find(cons, id);
      if (!c) {
        std::vector<std::string> ids;
        for (const auto& cat : tax.categories) ids.push_back(cat.id);
        out.problems.push_back(
            path + ":" + std::to_string(line) + ": no consensus for category '" + id + "'" +
            (tax.category_index(id) ? "" : " (not in the taxonomy)" + detail::allowed_values_hint(id, ids)));
        continue;
      }
      check(id + " diagnosing", line, at("diagnosing"), c->diagnosing);
      check(id + " severity", line, at("severity"), c->severity);
      check(id + " fixing", line, at("fixing"), c->fixing);
    } else {
      auto level = scale_answer(at("level"));
      const LevelConsensus* l = level ? find(cons, *level) : nullptr;
      if (!l) {
        out.problems.push_back(path + ":" + std::to_string(line) + ": no consensus for level '" + at("level") + "'");
        continue;
      }
      check("level " + std::to_string(*level), line, at("agreement"), l->agreement);
    }
  }
  if (!out.ratings.empty()) out.mean_distance = distance / static_cast<double>(out.ratings.size());
  return out;
}

}  // namespace silt
