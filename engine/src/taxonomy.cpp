#include "silt/taxonomy.h"
#include "silt/utf8.h"

#include <algorithm>
#include <map>
#include <set>

#include "read_file.h"
#include "silt/builtin.h"
#include "taxonomy_json.h"
#include "yaml_reader.h"

namespace silt {

std::string_view to_string(HitPolicy p) {
  switch (p) {
    case HitPolicy::highest:
      return "highest";
    case HitPolicy::first:
      return "first";
    case HitPolicy::unique:
      return "unique";
  }
  return "?";
}

char to_char(Cell c) {
  switch (c) {
    case Cell::required:
      return 'X';
    case Cell::optional:
      return 'O';
    case Cell::forbidden:
      return '-';
  }
  return '?';
}

std::string_view to_string(LintFinding::Kind k) {
  switch (k) {
    case LintFinding::Kind::gap:
      return "gap";
    case LintFinding::Kind::overlap:
      return "overlap";
    case LintFinding::Kind::masked:
      return "masked";
    case LintFinding::Kind::unmet:
      return "unmet";
  }
  return "?";
}

std::optional<std::size_t> Taxonomy::category_index(std::string_view id) const {
  for (std::size_t i = 0; i < categories.size(); ++i)
    if (categories[i].id == id) return i;
  return std::nullopt;
}

std::optional<std::size_t> Taxonomy::criterion_index(std::string_view id) const {
  for (std::size_t i = 0; i < criteria.size(); ++i)
    if (criteria[i].id == id) return i;
  return std::nullopt;
}

std::optional<std::size_t> Taxonomy::level_index(int number) const {
  for (std::size_t l = 0; l < levels.size(); ++l)
    if (levels[l].number == number) return l;
  return std::nullopt;
}

bool Taxonomy::level_matches(std::size_t level, const std::vector<bool>& holds) const {
  const auto& row = cells[level];
  for (std::size_t c = 0; c < row.size(); ++c) {
    if (row[c] == Cell::required && !holds[c]) return false;
    if (row[c] == Cell::forbidden && holds[c]) return false;
  }
  return true;
}

std::vector<std::size_t> Taxonomy::matching_levels(const std::vector<bool>& holds) const {
  std::vector<std::size_t> out;
  for (std::size_t l = 0; l < levels.size(); ++l)
    if (level_matches(l, holds)) out.push_back(l);
  return out;
}

std::optional<std::size_t> Taxonomy::decide(const std::vector<bool>& holds) const {
  auto m = matching_levels(holds);
  if (m.empty()) return std::nullopt;
  if (policy != HitPolicy::highest) return m.front();
  std::size_t best = m.front();
  for (std::size_t l : m)
    if (levels[l].number > levels[best].number) best = l;
  return best;
}

namespace {

// True when some combination of answers satisfies both levels: no criterion is X in
// one and - in the other.
bool can_overlap(const Taxonomy& t, std::size_t a, std::size_t b) {
  for (std::size_t c = 0; c < t.criteria.size(); ++c) {
    Cell x = t.cells[a][c], y = t.cells[b][c];
    if ((x == Cell::required && y == Cell::forbidden) || (x == Cell::forbidden && y == Cell::required)) return false;
  }
  return true;
}

std::vector<bool> combination(std::size_t n, std::uint64_t bits) {
  std::vector<bool> holds(n);
  for (std::size_t c = 0; c < n; ++c) holds[c] = (bits >> c) & 1u;
  return holds;
}

}  // namespace

std::vector<LintFinding> lint(const Taxonomy& t) {
  std::vector<LintFinding> out;
  const std::size_t n = t.criteria.size();
  std::vector<bool> reached(t.levels.size(), false);
  for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << n); ++bits) {
    auto holds = combination(n, bits);
    auto m = t.matching_levels(holds);
    auto chosen = t.decide(holds);
    if (chosen) reached[*chosen] = true;
    if (m.empty() && bits != 0) out.push_back({LintFinding::Kind::gap, holds, {}, std::nullopt});
    if (bits == 0 && chosen) out.push_back({LintFinding::Kind::unmet, holds, m, chosen});
    if (m.size() > 1) out.push_back({LintFinding::Kind::overlap, holds, m, chosen});
  }
  for (std::size_t l = 0; l < t.levels.size(); ++l)
    if (!reached[l]) out.push_back({LintFinding::Kind::masked, {}, {l}, std::nullopt});
  return out;
}

namespace {

using detail::YamlReader;

bool valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char ch : id)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')) return false;
  return true;
}

void check_id(YamlReader& r, const YAML::Node& item, const std::string& id, const char* what) {
  if (!valid_id(id))
    r.error("bad-id", item["id"], id, std::string(what) + " id '" + id + "' may hold only a-z, 0-9, '-', '_' and '.'");
}

// Each category's `implies` list, resolved once the criteria are known.
void resolve_implies(YamlReader& r, Taxonomy& t, const std::vector<YAML::Node>& implied_names) {
  r.set_subject_kind("category");
  for (std::size_t c = 0; c < t.categories.size() && c < implied_names.size(); ++c) {
    if (!implied_names[c].IsDefined()) continue;
    for (const auto& n : implied_names[c]) {
      std::string id = n.IsScalar() ? n.Scalar() : std::string();
      if (auto i = t.criterion_index(id))
        t.categories[c].implies.push_back(*i);
      else
        r.error("unknown-criterion", n, t.categories[c].id, "'implies' names '" + id + "', which is not a criterion");
    }
  }
}

// The first sentence of `text`, cut to `max` bytes at a UTF-8 boundary.
std::string short_text(const std::string& text, std::size_t max) {
  std::string s = text.substr(0, text.find(". ") == std::string::npos ? text.size() : text.find(". ") + 1);
  if (s.size() <= max) return s;
  return s.substr(0, utf8_cut(s, max - 3)) + "...";
}

// A `label:` map over `fallback`; reports what GitHub would refuse.
Label read_label(YamlReader& r, const YAML::Node& item, const std::string& subject, Label fallback) {
  const YAML::Node n = item["label"];
  if (!n.IsDefined()) return fallback;
  if (!r.expect_map(n, {"name", "color", "description"}, "a label", subject)) return fallback;
  Label l = fallback;
  if (auto v = r.get_string(n, "name", false, subject)) l.name = *v;
  if (auto v = r.get_string(n, "color", false, subject)) l.color = *v;
  if (auto v = r.get_string(n, "description", false, subject)) l.description = *v;
  if (l.name.find_first_not_of(" \t") == std::string::npos || l.name.size() > 50)
    r.error("bad-label", n, subject, "a label name has 1 to 50 characters, not all spaces (GitHub's limit)");
  if (l.name.find(',') != std::string::npos)
    r.error("bad-label", n, subject, "a label name cannot hold a comma: gh --add-label splits its value on commas");
  if (std::any_of(l.name.begin(), l.name.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }) ||
      std::any_of(l.description.begin(), l.description.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
    r.error("bad-label", n, subject, "a label name or description cannot hold a control character or a line break");
  if (l.color.size() != 6 || l.color.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    r.error("bad-label", n, subject, "a label colour is 6 hex digits, without '#'");
  if (l.description.size() > 100)
    r.error("bad-label", n, subject, "a label description has at most 100 characters (GitHub's limit)");
  return l;
}

void read_categories(YamlReader& r, const YAML::Node& root, Taxonomy& t, std::vector<YAML::Node>& implied_names) {
  YAML::Node seq = r.get_sequence(root, "categories", true, {});
  if (!seq.IsDefined()) return;
  r.set_subject_kind("category");
  std::set<std::string> seen;
  for (const auto& item : seq) {
    if (!r.expect_map(item, {"id", "name", "definition", "example", "implies", "label"}, "a category", {})) continue;
    auto id = r.get_string(item, "id", true, {});
    if (!id) continue;
    check_id(r, item, *id, "category");
    if (!seen.insert(*id).second) {
      r.error("duplicate-id", item["id"], *id, "category '" + *id + "' is defined twice");
      continue;
    }
    Category c;
    c.id = *id;
    c.name = r.get_string(item, "name", true, *id).value_or(*id);
    c.definition = r.get_string(item, "definition", false, *id).value_or("");
    c.example = r.get_string(item, "example", false, *id).value_or("");
    c.where = r.where(item);
    c.label = read_label(r, item, *id, {"silent:" + c.id, "d93f0b", short_text(c.name + ": " + c.definition, 100)});
    t.categories.push_back(std::move(c));
    implied_names.push_back(r.get_sequence(item, "implies", false, *id));
  }
  if (seq.size() == 0) r.error("empty", seq, {}, "the taxonomy has no categories");
}

void read_criteria(YamlReader& r, const YAML::Node& impact, Taxonomy& t) {
  r.set_subject_kind({});
  YAML::Node seq = r.get_sequence(impact, "criteria", true, {});
  if (!seq.IsDefined()) return;
  r.set_subject_kind("criterion");
  std::set<std::string> seen;
  for (const auto& item : seq) {
    if (!r.expect_map(item, {"id", "question"}, "a criterion", {})) continue;
    auto id = r.get_string(item, "id", true, {});
    if (!id) continue;
    check_id(r, item, *id, "criterion");
    if (!seen.insert(*id).second) {
      r.error("duplicate-id", item["id"], *id, "criterion '" + *id + "' is defined twice");
      continue;
    }
    Criterion c;
    c.id = *id;
    c.question = r.get_string(item, "question", true, *id).value_or("");
    c.where = r.where(item);
    t.criteria.push_back(std::move(c));
  }
  r.set_subject_kind({});
  if (seq.size() == 0) r.error("empty", seq, {}, "the impact scale has no criteria");
}

void read_levels(YamlReader& r, const YAML::Node& impact, Taxonomy& t) {
  YAML::Node seq = r.get_sequence(impact, "levels", true, {});
  if (!seq.IsDefined()) return;
  r.set_subject_kind("level");
  std::set<long> seen;
  for (const auto& item : seq) {
    if (!r.expect_map(item, {"level", "threat", "description", "label"}, "a level", {})) continue;
    auto n = r.get_int(item, "level", true, {});
    if (!n) continue;
    std::string subject = std::to_string(*n);
    if (!seen.insert(*n).second) {
      r.error("duplicate-id", item["level"], subject, "level " + subject + " is defined twice");
      continue;
    }
    Level l;
    l.number = static_cast<int>(*n);
    l.threat = r.get_string(item, "threat", false, subject).value_or("");
    l.description = r.get_string(item, "description", false, subject).value_or("");
    l.where = r.where(item);
    l.label = read_label(r, item, subject,
                         {"impact:" + subject, l.threat == "high" ? "b60205" : "fbca04",
                          short_text("Impact level " + subject +
                                         (l.threat.empty() ? "" : " (" + l.threat + " threat)") + ": " + l.description,
                                     100)});
    t.levels.push_back(std::move(l));
  }
  r.set_subject_kind({});
  if (seq.size() == 0) r.error("empty", seq, {}, "the impact scale has no levels");
}

// Fills t.cells; returns false when the matrix could not be read whole.
bool read_matrix(YamlReader& r, const YAML::Node& impact, Taxonomy& t) {
  const YAML::Node m = impact["matrix"];
  if (!m.IsDefined() || m.IsNull()) {
    r.error("missing-key", impact, {}, "missing required key 'matrix' in impact");
    return false;
  }
  r.set_subject_kind("matrix row");
  if (!m.IsMap()) {
    r.error("bad-type", m, {}, "'matrix' must be a map from criterion id to a row of cells",
            "write e.g. 'ui: [X, O, O, O]'");
    return false;
  }
  bool whole = true;
  const std::size_t n_levels = t.levels.size();
  t.cells.assign(n_levels, std::vector<Cell>(t.criteria.size(), Cell::optional));
  std::vector<bool> has_row(t.criteria.size(), false);
  std::vector<std::string> ids;
  for (const auto& c : t.criteria) ids.push_back(c.id);
  for (const auto& kv : m) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    auto ci = t.criterion_index(key);
    if (!ci) {
      std::string hint;
      if (auto c = detail::closest(key, ids)) hint = "did you mean '" + *c + "'?";
      r.error("unknown-criterion", kv.first, key, "matrix row '" + key + "' names no criterion of impact.criteria",
              hint);
      whole = false;
      continue;
    }
    if (has_row[*ci]) {
      r.error("duplicate-id", kv.first, key, "matrix row '" + key + "' is given twice");
      whole = false;
      continue;
    }
    has_row[*ci] = true;
    const YAML::Node& row = kv.second;
    if (!row.IsSequence()) {
      r.error("bad-type", row, key, "matrix row '" + key + "' must be a list of cells",
              "write e.g. '" + key + ": [X, O, O, O]'");
      whole = false;
      continue;
    }
    if (row.size() != n_levels) {
      r.error("matrix-row-length", row, key,
              "matrix row '" + key + "' has " + std::to_string(row.size()) + " cells, but there are " +
                  std::to_string(n_levels) + " levels",
              "one cell a level, in the order of impact.levels");
      whole = false;
    }
    for (std::size_t l = 0; l < row.size(); ++l) {
      const YAML::Node cell = row[l];
      std::string tok = cell.IsScalar() ? cell.Scalar() : std::string();
      Cell value;
      if (tok == "X")
        value = Cell::required;
      else if (tok == "O")
        value = Cell::optional;
      else if (tok == "-")
        value = Cell::forbidden;
      else {
        r.error("matrix-bad-cell", cell, key, "matrix cell '" + tok + "' is not X, O or -",
                "X = required, O = optional, \"-\" = must not hold (quote the dash)");
        whole = false;
        continue;
      }
      if (l < n_levels) t.cells[l][*ci] = value;
    }
  }
  for (std::size_t c = 0; c < t.criteria.size(); ++c) {
    if (!has_row[c]) {
      r.error("matrix-missing-row", m, t.criteria[c].id,
              "the matrix has no row for criterion '" + t.criteria[c].id + "'");
      whole = false;
    }
  }
  return whole;
}

std::string describe_level_pair(const Taxonomy& t, std::size_t a, std::size_t b) {
  std::string combo;
  for (std::size_t c = 0; c < t.criteria.size(); ++c) {
    bool need = t.cells[a][c] == Cell::required || t.cells[b][c] == Cell::required;
    if (need) combo += (combo.empty() ? "" : ", ") + t.criteria[c].id;
  }
  return "levels " + std::to_string(t.levels[a].number) + " and " + std::to_string(t.levels[b].number) +
         " both match when " + (combo.empty() ? std::string("no criterion holds") : combo + " hold");
}

void check_matrix(YamlReader& r, const YAML::Node& impact, Taxonomy& t) {
  for (std::size_t l = 0; l < t.levels.size(); ++l) {
    bool any_required = false;
    for (Cell c : t.cells[l]) any_required |= c == Cell::required;
    r.set_subject_kind("level");
    if (!any_required)
      r.report(Severity::warning, "level-without-required", t.levels[l].where, std::to_string(t.levels[l].number),
               "no criterion is X for this level, so it matches bugs that meet no criterion");
  }
  if (t.policy == HitPolicy::unique) {
    for (std::size_t a = 0; a < t.levels.size(); ++a)
      for (std::size_t b = a + 1; b < t.levels.size(); ++b)
        if (can_overlap(t, a, b))
          r.error("matrix-overlap", impact["matrix"], {}, describe_level_pair(t, a, b) + ", and hit_policy is unique",
                  "make the rows exclusive with '-' cells, or use hit_policy: highest");
  }
}

}  // namespace

namespace {

TaxonomyLoad load_taxonomy_unguarded(std::string_view yaml, const std::string& file) {
  TaxonomyLoad out;
  YamlReader r(file, yaml, out.diagnostics);
  auto root = r.parse();
  if (!root) return out;
  if (!r.expect_map(*root, {"schema", "name", "fallback", "categories", "impact"}, "the taxonomy", {})) return out;
  r.check_schema(*root, "silt/taxonomy/v1");

  Taxonomy t;
  t.file = file;
  t.name = r.get_string(*root, "name", false, {}).value_or("");
  std::vector<YAML::Node> implied_names;
  read_categories(r, *root, t, implied_names);

  r.set_subject_kind("category");
  if (auto fb = r.get_string(*root, "fallback", true, {})) {
    if (auto i = t.category_index(*fb))
      t.fallback = *i;
    else {
      std::vector<std::string> ids;
      for (const auto& c : t.categories) ids.push_back(c.id);
      std::string hint;
      if (auto c = detail::closest(*fb, ids)) hint = "did you mean '" + *c + "'?";
      r.error("fallback-not-category", (*root)["fallback"], *fb,
              "fallback '" + *fb + "' is not a category of this taxonomy", hint);
    }
  }

  const YAML::Node impact = (*root)["impact"];
  if (!impact.IsDefined()) {
    r.error("missing-key", *root, {}, "missing required key 'impact'");
  } else if (r.expect_map(impact, {"criteria", "levels", "matrix", "hit_policy"}, "impact", {})) {
    read_criteria(r, impact, t);
    resolve_implies(r, t, implied_names);
    read_levels(r, impact, t);
    r.set_subject_kind({});
    if (auto p = r.get_string(impact, "hit_policy", false, {})) {
      if (*p == "highest")
        t.policy = HitPolicy::highest;
      else if (*p == "first")
        t.policy = HitPolicy::first;
      else if (*p == "unique")
        t.policy = HitPolicy::unique;
      else
        r.error("bad-hit-policy", impact["hit_policy"], {},
                "hit_policy '" + *p + "' is not one of highest, first, unique");
    }
    if (read_matrix(r, impact, t) && !out.diagnostics.has_errors()) check_matrix(r, impact, t);
  }
  // One GitHub label a category or level: two with one name would be one label on GitHub
  // (gh --add-label silent:a,silent:a), and the two could not be told apart.
  r.set_subject_kind({});
  std::map<std::string, std::string> label_owner;
  auto owned = [&](const Label& l, const std::string& who, const SourceLocation& where) {
    std::string key;
    for (char ch : l.name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));  // GitHub: any case
    auto [it, fresh] = label_owner.emplace(key, who);
    if (!fresh)
      r.report(Severity::error, "bad-label", where, who,
               "the label '" + l.name + "' is " + it->second + "'s too: each category and level needs its own");
  };
  for (const auto& c : t.categories) owned(c.label, "category " + c.id, c.where);
  for (const auto& l : t.levels) owned(l.label, "level " + std::to_string(l.number), l.where);

  if (!out.diagnostics.has_errors()) out.taxonomy = std::move(t);
  return out;
}

}  // namespace

// The library boundary: whatever yaml-cpp throws becomes a diagnostic.
TaxonomyLoad load_taxonomy(std::string_view yaml, const std::string& file) {
  try {
    // The built-in taxonomy, byte for byte: read from the JSON the build wrote of it (the
    // build checked that it loads without a finding), not from YAML.
    if (const std::string_view json = detail::builtin_taxonomy_json(file); !json.empty())
      if (auto b = builtin_file(file); b && b->text == yaml)
        if (auto t = detail::taxonomy_from_json(json)) {
          TaxonomyLoad out;
          out.taxonomy = std::move(*t);
          return out;
        }
    return load_taxonomy_unguarded(yaml, file);
  } catch (const std::exception& e) {
    TaxonomyLoad out;
    Diagnostic d;
    d.code = "internal";
    d.where.file = file;
    d.message = std::string("the taxonomy could not be read: ") + e.what();
    d.hint = "this is a bug in silt: please report it with the file";
    out.diagnostics.add(std::move(d));
    return out;
  }
}

TaxonomyLoad load_taxonomy_file(const std::string& path) {
  auto text = detail::read_file(path);
  if (!text.ok()) {
    TaxonomyLoad out;
    out.diagnostics.add(detail::unreadable_file(path, text.error()));
    return out;
  }
  return load_taxonomy(text.value(), path);
}

}  // namespace silt
