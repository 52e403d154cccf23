// Reading rules files: YAML to a checked RulesSpec, following `include:`.
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "read_file.h"
#include "rules_spec.h"
#include "silt/builtin.h"
#include "silt/files.h"
#include "yaml_reader.h"

namespace silt {

namespace detail {

const std::vector<std::pair<std::string, Section>>& section_names() {
  static const std::vector<std::pair<std::string, Section>> names = {{"environment", Section::environment},
                                                                     {"current", Section::current},
                                                                     {"expected", Section::expected},
                                                                     {"logs", Section::logs},
                                                                     {"other", Section::other}};
  return names;
}

namespace {

RE2::Options check_options() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

const std::string re2_hint = "RE2 has no backreferences or lookaround; see https://github.com/google/re2/wiki/Syntax";

// Whether `pattern` is valid RE2, without compiling it (RE2::Set::Add parses only);
// reports `bad-pattern` with RE2's message when it is not. Parsed case-sensitively:
// case folding does not change what is valid, and folding every letter is most of the
// parse.
bool check_pattern(YamlReader& r, const YAML::Node& node, const std::string& subject, const std::string& pattern,
                   const char* what) {
  RE2::Set check(check_options(), RE2::UNANCHORED);
  std::string error;
  if (check.Add(pattern, &error) >= 0) return true;
  r.error("bad-pattern", node, subject, std::string(what) + " is not valid RE2: " + error, re2_hint);
  return false;
}

bool is_field(const std::string& name) {
  const auto& known = issue_fields();
  return std::find(known.begin(), known.end(), name) != known.end();
}

std::string field_hint(const std::string& name) {
  if (auto c = closest(name, issue_fields())) return "did you mean '" + *c + "'?";
  std::string all;
  for (const auto& f : issue_fields()) all += (all.empty() ? "fields: " : ", ") + f;
  return all;
}

// What reading one file needs, and what the files read so far gave.
struct Context {
  const Taxonomy& taxonomy;
  const IncludeReader& includes;
  Diagnostics& diags;
  std::vector<std::string> stack;                    // files being read, outermost first
  std::set<std::string> read;                        // files read already
  std::map<std::string, SourceLocation> rule_ids;    // where each rule id is defined
  std::map<std::string, SourceLocation> bias_given;  // model entries, for the defaults
  std::set<std::pair<std::size_t, std::size_t>> prior_given;
  std::optional<std::vector<std::string>> default_in;  // the last file's, for those including it
  RulesSpec spec;
};

void read_file(Context& ctx, std::string_view yaml, const std::string& file);

void read_includes(Context& ctx, YamlReader& r, const YAML::Node& root) {
  YAML::Node inc = r.get_sequence(root, "include", false, {});
  if (!inc.IsDefined()) return;
  std::set<std::string> listed;  // by this list
  for (const auto& item : inc) {
    if (!item.IsScalar()) {
      r.error("bad-type", item, {}, "each 'include' entry is a path, as a string");
      continue;
    }
    if (!ctx.includes) {
      r.error("unreadable-file", item, {}, "'" + item.Scalar() + "' cannot be included here",
              "load the rules from a file (--rules FILE) for its includes to be read");
      continue;
    }
    auto got = ctx.includes(r.file(), item.Scalar());
    if (!got.ok()) {
      r.error("unreadable-file", item, {}, "cannot include '" + item.Scalar() + "': " + got.error().message);
      continue;
    }
    const std::string& name = got.value().first;
    if (std::find(ctx.stack.begin(), ctx.stack.end(), name) != ctx.stack.end()) {
      r.error("include-cycle", item, {}, "'" + name + "' includes itself, through this entry",
              "remove one of the includes in the cycle");
      continue;
    }
    if (!listed.insert(name).second) {
      r.error("duplicate-include", item, {}, "'" + name + "' is included twice by this list", "include it once");
      continue;
    }
    // Read already through another file (pytorch.yaml and a file of one's own both
    // include generic.yaml): its rules are in once, and stay so.
    if (ctx.read.count(name)) continue;
    read_file(ctx, got.value().second, name);
  }
}

void read_fields(Context& ctx, YamlReader& r, const YAML::Node& root) {
  const YAML::Node fw = root["fields"];
  if (!fw.IsDefined()) return;
  if (!fw.IsMap()) {
    r.error("bad-type", fw, {}, "'fields' must be a map from field name to weight");
    return;
  }
  std::set<std::string> here;
  for (const auto& kv : fw) {
    const std::string name = kv.first.Scalar();
    if (!is_field(name)) {
      r.error("unknown-field", kv.first, {}, "unknown field '" + name + "'", field_hint(name));
      continue;
    }
    double w = 0;
    if (!here.insert(name).second)
      r.error("duplicate-key", kv.first, name, "field '" + name + "' is weighed twice in 'fields'");
    else if (!YAML::convert<double>::decode(kv.second, w) || w < 0)
      r.error("bad-type", kv.second, name, "a field weight must be a number >= 0");
    else
      ctx.spec.field_weights[name] = w;
  }
}

// The fields this file's rules read when they say no `in`: its own `default_in`, else
// that of the files it included (the last one to set it), else title and body.
std::vector<std::string> read_default_in(YamlReader& r, const YAML::Node& root,
                                         const std::optional<std::vector<std::string>>& inherited) {
  std::vector<std::string> out = inherited.value_or(std::vector<std::string>{"title", "body"});
  YAML::Node din = r.get_sequence(root, "default_in", false, {});
  if (!din.IsDefined()) return out;
  if (din.size() == 0) {
    r.error("empty", din, {}, "'default_in' names no field: a rule without 'in' would read nothing",
            "name the fields, or leave 'default_in' out (title and body)");
    return out;
  }
  out.clear();
  for (const auto& f : din) {
    std::string name = f.IsScalar() ? f.Scalar() : std::string();
    if (!is_field(name))
      r.error("unknown-field", f, {}, "unknown field '" + name + "' in 'default_in'", field_hint(name));
    else
      out.push_back(name);
  }
  return out;
}

void read_review(Context& ctx, YamlReader& r, const YAML::Node& root) {
  const YAML::Node review = root["review"];
  if (!review.IsDefined() || !r.expect_map(review, {"min_confidence", "margin"}, "review", {})) return;
  // A confidence and a ratio of scores: from 0 to 1 (past it, every label or none is
  // flagged, whatever the figures).
  for (const char* key : {"min_confidence", "margin"}) {
    auto v = r.get_number(review, key, false, {});
    if (!v) continue;
    if (*v < 0 || *v > 1) {
      r.error("bad-type", review[key], key, std::string("review.") + key + " must be from 0 to 1");
      continue;
    }
    (std::string_view(key) == "margin" ? ctx.spec.review_margin : ctx.spec.review_confidence) = *v;
  }
}

// calibration: [[raw, calibrated], ...], raw increasing, calibrated not decreasing, in [0, 1].
void read_calibration(Context& ctx, YamlReader& r, const YAML::Node& root) {
  YAML::Node cal = r.get_sequence(root, "calibration", false, {});
  if (!cal.IsDefined()) return;
  std::vector<std::pair<double, double>> points;
  for (const auto& point : cal) {
    double x = 0, y = 0;
    if (!point.IsSequence() || point.size() != 2 || !YAML::convert<double>::decode(point[0], x) ||
        !YAML::convert<double>::decode(point[1], y) || x < 0 || x > 1 || y < 0 || y > 1) {
      r.error("bad-calibration", point, {}, "a calibration point is [raw, calibrated], both from 0 to 1");
      continue;
    }
    if (!points.empty() && (x <= points.back().first || y < points.back().second))
      r.error("bad-calibration", point, {},
              "calibration points must have increasing raw values and non-decreasing calibrated ones");
    points.emplace_back(x, y);
  }
  ctx.spec.calibration = std::move(points);
}

void read_boilerplate(Context& ctx, YamlReader& r, const YAML::Node& root) {
  YAML::Node boiler = r.get_sequence(root, "boilerplate", false, {});
  if (!boiler.IsDefined()) return;
  for (const auto& b : boiler) {
    if (!b.IsScalar()) {
      r.error("bad-type", b, {}, "a boilerplate pattern must be a string");
      continue;
    }
    if (check_pattern(r, b, {}, b.Scalar(), "boilerplate pattern"))
      ctx.spec.boilerplate.push_back({b.Scalar(), r.where(b)});
  }
}

// sections: {environment: [patterns], current: [...], expected, logs, other}: the
// template headings that open each section, matched whole.
void read_sections(Context& ctx, YamlReader& r, const YAML::Node& root) {
  const YAML::Node sections = root["sections"];
  if (!sections.IsDefined()) return;
  std::vector<std::string> names;
  for (const auto& [name, s] : section_names()) names.push_back(name);
  if (!sections.IsMap()) {
    r.error("bad-type", sections, {}, "'sections' must be a map from a section to its headings");
    return;
  }
  std::vector<std::pair<Section, TextPattern>> own;
  for (const auto& kv : sections) {
    const std::string name = kv.first.Scalar();
    auto it =
        std::find_if(section_names().begin(), section_names().end(), [&](const auto& p) { return p.first == name; });
    if (it == section_names().end()) {
      std::string hint = "sections: environment, current, expected, logs, other";
      if (auto c = closest(name, names)) hint = "did you mean '" + *c + "'?";
      r.error("unknown-section", kv.first, {}, "unknown section '" + name + "'", hint);
      continue;
    }
    if (!kv.second.IsSequence()) {
      r.error("bad-type", kv.second, name, "the headings of a section are a list of patterns");
      continue;
    }
    for (const auto& h : kv.second)
      if (h.IsScalar() && check_pattern(r, h, name, h.Scalar(), "a heading pattern"))
        own.emplace_back(it->second, TextPattern{h.Scalar(), r.where(h)});
      else if (!h.IsScalar())
        r.error("bad-type", h, name, "a heading pattern must be a string");
  }
  // A heading is matched by the first pattern that takes it: a file's own headings come
  // before those of the files it includes (read before it), so that a pack's 'error
  // message' opens its own section, not the one generic.yaml gives 'error messages?'.
  ctx.spec.sections.insert(ctx.spec.sections.begin(), own.begin(), own.end());
}

std::optional<std::size_t> category_of(YamlReader& r, const Taxonomy& tax, const YAML::Node& key) {
  if (auto i = tax.category_index(key.Scalar())) return i;
  std::vector<std::string> ids;
  for (const auto& c : tax.categories) ids.push_back(c.id);
  std::string hint;
  if (auto c = closest(key.Scalar(), ids)) hint = "did you mean '" + *c + "'?";
  r.error("unknown-category", key, {}, "category '" + key.Scalar() + "' is not in the taxonomy", hint);
  return std::nullopt;
}

std::optional<double> number(YamlReader& r, const YAML::Node& n, const std::string& subject) {
  double v = 0;
  if (n.IsScalar() && YAML::convert<double>::decode(n, v) && std::isfinite(v)) return v;
  r.error("bad-type", n, subject, "expected a number");
  return std::nullopt;
}

void read_criteria_prior(Context& ctx, YamlReader& r, const YAML::Node& prior) {
  const Taxonomy& tax = ctx.taxonomy;
  if (!prior.IsMap()) {
    r.error("bad-type", prior, {}, "'criteria_prior' maps a category to {criterion: log-odds}");
    return;
  }
  for (const auto& kv : prior) {
    auto c = category_of(r, tax, kv.first);
    if (!c) continue;
    if (!kv.second.IsMap()) {
      r.error("bad-type", kv.second, kv.first.Scalar(), "expected a map {criterion: log-odds}");
      continue;
    }
    for (const auto& ck : kv.second) {
      auto k = tax.criterion_index(ck.first.Scalar());
      if (!k) {
        r.error("unknown-criterion", ck.first, kv.first.Scalar(),
                "criterion '" + ck.first.Scalar() + "' is not in the impact matrix");
        continue;
      }
      if (auto v = number(r, ck.second, kv.first.Scalar())) {
        ctx.spec.model.criteria_prior[*c][*k] = *v;
        ctx.prior_given.insert({*c, *k});
      }
    }
  }
}

void read_model(Context& ctx, YamlReader& r, const YAML::Node& root) {
  const YAML::Node model = root["model"];
  if (!model.IsDefined() ||
      !r.expect_map(model, {"category_scale", "criteria_scale", "category_bias", "criteria_prior"}, "model", {}))
    return;
  // What a point of evidence weighs: more than nothing (0 would ignore every rule, a
  // negative scale turn each one against what it names).
  for (auto [key, to] : {std::pair{"category_scale", &ctx.spec.model.category_scale},
                         std::pair{"criteria_scale", &ctx.spec.model.criteria_scale}}) {
    auto v = r.get_number(model, key, false, {});
    if (!v) continue;
    if (*v <= 0)
      r.error("bad-type", model[key], key, std::string("model.") + key + " must be a number over 0");
    else
      *to = *v;
  }
  if (const YAML::Node bias = model["category_bias"]; bias.IsDefined()) {
    if (!bias.IsMap()) {
      r.error("bad-type", bias, {}, "'category_bias' maps a category to a number");
    } else {
      for (const auto& kv : bias)
        if (auto c = category_of(r, ctx.taxonomy, kv.first))
          if (auto v = number(r, kv.second, kv.first.Scalar())) ctx.spec.model.category_bias[*c] = *v;
    }
  }
  if (const YAML::Node prior = model["criteria_prior"]; prior.IsDefined()) read_criteria_prior(ctx, r, prior);
}

void read_tests(YamlReader& r, const YAML::Node& rule_node, Rule& rule) {
  const YAML::Node tests = rule_node["tests"];
  if (!tests.IsDefined() || tests.IsNull()) {
    r.warning("rule-untested", rule_node, rule.id, "the rule has no tests",
              "add 'tests: {match: [...], no_match: [...]}' with short texts in your own words");
    return;
  }
  if (!r.expect_map(tests, {"match", "no_match"}, "tests", rule.id)) return;
  for (const char* key : {"match", "no_match"}) {
    YAML::Node seq = r.get_sequence(tests, key, false, rule.id);
    if (!seq.IsDefined()) continue;
    for (const auto& item : seq) {
      if (!item.IsScalar()) {
        r.error("bad-type", item, rule.id, std::string("each test under '") + key + "' must be a string");
        continue;
      }
      rule.tests.push_back({item.Scalar(), std::string_view(key) == "match", r.where(item)});
    }
  }
}

// The rule's target: exactly one of category, criterion, signal, known to the taxonomy.
bool read_target(YamlReader& r, const YAML::Node& node, const Taxonomy& tax, Rule& rule) {
  auto category = r.get_string(node, "category", false, rule.id);
  auto criterion = r.get_string(node, "criterion", false, rule.id);
  auto signal = r.get_string(node, "signal", false, rule.id);
  const int targets = (category ? 1 : 0) + (criterion ? 1 : 0) + (signal ? 1 : 0);
  if (targets != 1) {
    r.error(targets ? "two-targets" : "missing-key", node, rule.id,
            targets ? "a rule has exactly one target: 'category', 'criterion' or 'signal', not several"
                    : "missing the target: 'category: ID', 'criterion: ID' or 'signal: loud|silent'");
    return false;
  }
  if (signal) {
    rule.kind = TargetKind::signal;
    rule.target = *signal;
    rule.target_index = *signal == "loud" ? 0 : 1;
    if (*signal == "loud" || *signal == "silent") return true;
    r.error("bad-signal", node["signal"], rule.id, "signal '" + *signal + "' is not loud or silent");
    return false;
  }
  const bool is_category = category.has_value();
  rule.kind = is_category ? TargetKind::category : TargetKind::criterion;
  rule.target = is_category ? *category : *criterion;
  auto index = is_category ? tax.category_index(rule.target) : tax.criterion_index(rule.target);
  if (index) {
    rule.target_index = *index;
    return true;
  }
  std::vector<std::string> ids;
  if (is_category)
    for (const auto& c : tax.categories) ids.push_back(c.id);
  else
    for (const auto& c : tax.criteria) ids.push_back(c.id);
  std::string hint;
  if (auto c = closest(rule.target, ids)) hint = "did you mean '" + *c + "'?";
  r.error(is_category ? "unknown-category" : "unknown-criterion", node[is_category ? "category" : "criterion"], rule.id,
          is_category ? "category '" + rule.target + "' is not in the taxonomy"
                      : "criterion '" + rule.target + "' is not in the impact matrix",
          hint);
  return false;
}

bool read_in(YamlReader& r, const YAML::Node& node, const std::vector<std::string>& default_in, Rule& rule) {
  YAML::Node in = r.get_sequence(node, "in", false, rule.id);
  if (!in.IsDefined()) {
    rule.fields = default_in;
    return true;
  }
  bool ok = true;
  for (const auto& f : in) {
    std::string name = f.IsScalar() ? f.Scalar() : std::string();
    if (!is_field(name)) {
      r.error("unknown-field", f, rule.id, "unknown field '" + name + "' in 'in'", field_hint(name));
      ok = false;
    } else if (std::find(rule.fields.begin(), rule.fields.end(), name) == rule.fields.end()) {
      rule.fields.push_back(name);
    }
  }
  if (in.size() == 0) r.error("empty", in, rule.id, "'in' names no field");
  return ok;
}

void read_rule(Context& ctx, YamlReader& r, const YAML::Node& node, const std::vector<std::string>& default_in) {
  const YAML::Node id_node = node.IsMap() ? node["id"] : YAML::Node();
  const std::string named = id_node.IsDefined() && id_node.IsScalar() ? id_node.Scalar() : std::string();
  if (!r.expect_map(node,
                    {"id", "category", "criterion", "signal", "pattern", "unless", "in", "weight", "case_sensitive",
                     "note", "tests"},
                    "a rule", named))
    return;
  auto id = r.get_string(node, "id", true, {});
  if (!id) return;
  Rule rule;
  rule.id = *id;
  rule.where = r.where(node);
  bool ok = true;
  if (auto [it, fresh] = ctx.rule_ids.emplace(rule.id, rule.where); !fresh) {
    r.error("duplicate-id", node["id"], rule.id,
            "rule id '" + rule.id + "' is used twice (first at " + it->second.to_string() + ")",
            "rule ids must be unique across a rules file and the files it includes");
    ok = false;
  }
  ok = read_target(r, node, ctx.taxonomy, rule) && ok;
  rule.case_sensitive = r.get_bool(node, "case_sensitive", false, rule.id).value_or(false);
  rule.weight = r.get_number(node, "weight", false, rule.id).value_or(1.0);
  if (node["weight"].IsDefined()) rule.weight_where = r.where(node["weight"]);
  rule.note = r.get_string(node, "note", false, rule.id).value_or(rule.id);
  SourceLocation pattern_at;
  if (auto p = r.get_string(node, "pattern", true, rule.id)) {
    rule.pattern = *p;
    pattern_at = r.where(node["pattern"]);
    ok = check_pattern(r, node["pattern"], rule.id, rule.pattern, "pattern") && ok;
  } else {
    ok = false;
  }
  if (auto u = r.get_string(node, "unless", false, rule.id)) {
    rule.unless = *u;
    ok = check_pattern(r, node["unless"], rule.id, rule.unless, "unless") && ok;
  }
  ok = read_in(r, node, default_in, rule) && ok;
  read_tests(r, node, rule);
  if (!ok) return;
  ctx.spec.pattern_where.push_back(pattern_at);
  ctx.spec.rules.push_back(std::move(rule));
}

// weights: {rule-id: weight}: the weights of rules defined in an included file, set by
// the including one (what `silt rules fit` writes for them).
void read_weights(Context& ctx, YamlReader& r, const YAML::Node& root) {
  const YAML::Node weights = root["weights"];
  if (!weights.IsDefined()) return;
  if (!weights.IsMap()) {
    r.error("bad-type", weights, {}, "'weights' maps a rule id to its weight");
    return;
  }
  for (const auto& kv : weights) {
    auto it = std::find_if(ctx.spec.rules.begin(), ctx.spec.rules.end(),
                           [&](const Rule& rule) { return rule.id == kv.first.Scalar(); });
    if (it == ctx.spec.rules.end()) {
      r.error("unknown-rule", kv.first, kv.first.Scalar(),
              "no rule '" + kv.first.Scalar() + "' is defined before this file's 'weights'");
      continue;
    }
    if (auto v = number(r, kv.second, kv.first.Scalar())) {
      it->weight = *v;
      it->weight_where = r.where(kv.second);
    }
  }
}

void read_file(Context& ctx, std::string_view yaml, const std::string& file) {
  ctx.stack.push_back(file);
  ctx.read.insert(file);
  ctx.spec.files.push_back(file);
  YamlReader r(file, yaml, ctx.diags);
  auto root = r.parse();
  if (root && r.expect_map(*root,
                           {"schema", "include", "fields", "default_in", "criterion_threshold", "review", "calibration",
                            "boilerplate", "sections", "model", "weights", "rules"},
                           "the rules file", {})) {
    r.check_schema(*root, "silt/rules/v1");
    read_includes(ctx, r, *root);
    if ((*root)["criterion_threshold"].IsDefined())
      r.warning("deprecated-key", (*root)["criterion_threshold"], {},
                "'criterion_threshold' is no longer read: a criterion holds when its probability "
                "(model.criteria_prior and the evidence) is over one half",
                "remove it; set model.criteria_scale or model.criteria_prior instead");
    read_fields(ctx, r, *root);
    const auto default_in = read_default_in(r, *root, ctx.default_in);
    if ((*root)["default_in"].IsDefined()) ctx.default_in = default_in;
    read_review(ctx, r, *root);
    read_calibration(ctx, r, *root);
    read_boilerplate(ctx, r, *root);
    read_sections(ctx, r, *root);
    read_model(ctx, r, *root);
    YAML::Node seq = r.get_sequence(*root, "rules", ctx.stack.size() == 1 && !(*root)["include"].IsDefined(), {});
    r.set_subject_kind("rule");
    if (seq.IsDefined())
      for (const auto& node : seq) read_rule(ctx, r, node, default_in);
    read_weights(ctx, r, *root);
  }
  ctx.stack.pop_back();
}

}  // namespace

std::optional<RulesSpec> read_rules_spec(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                                         const IncludeReader& includes, Diagnostics& diags) {
  Context ctx{taxonomy, includes, diags, {}, {}, {}, {}, {}, {}, {}};
  const std::size_t nc = taxonomy.categories.size(), nk = taxonomy.criteria.size();
  ctx.spec.file = file;
  ctx.spec.model.category_bias.assign(nc, 0.0);
  ctx.spec.model.criteria_prior.assign(nc, std::vector<double>(nk, 0.0));
  read_file(ctx, yaml, file);
  // Criteria priors not given: what the category implies (+1), or not (-1).
  for (std::size_t c = 0; c < nc; ++c)
    for (std::size_t k = 0; k < nk; ++k)
      if (!ctx.prior_given.count({c, k})) {
        const auto& implies = taxonomy.categories[c].implies;
        ctx.spec.model.criteria_prior[c][k] =
            std::find(implies.begin(), implies.end(), k) != implies.end() ? 1.0 : -1.0;
      }
  return std::move(ctx.spec);
}

}  // namespace detail

IncludeReader include_from_disk() {
  return [](const std::string& from, const std::string& path) -> Result<std::pair<std::string, std::string>> {
    namespace fs = std::filesystem;
    fs::path p(path);
    if (p.is_relative()) p = fs::path(from).parent_path() / p;
    std::string name = p.lexically_normal().string();
    auto text = detail::read_file(name);
    if (!text.ok()) {
      // Not beside the including file: a built-in rules file of that name, so that a
      // pack of one's own can include generic.yaml without a copy of it.
      std::error_code ec;
      if (fs::path(path).is_relative() && !fs::exists(name, ec))
        if (auto b = builtin_file("rules/" + fs::path(path).lexically_normal().string()))
          return std::make_pair(std::string(b->name), std::string(b->text));
      return text.error();
    }
    return std::make_pair(name, std::move(text).value());
  };
}

namespace {

// The text of file `name`, included by `file`, read again through `includes` as `file`
// reads it; nullopt when it is not there, or resolves to another file.
std::optional<std::string> reread_include(const IncludeReader& includes, const std::string& file,
                                          const std::string& name) {
  if (!includes) return std::nullopt;
  namespace fs = std::filesystem;
  auto got = includes(file, fs::path(name).lexically_relative(fs::path(file).parent_path()).string());
  // A built-in file an include resolved to (none of that name beside the including file:
  // include_from_disk) is named rules/NAME: asked for as NAME again.
  if ((!got.ok() || got.value().first != name) && name.rfind("rules/", 0) == 0 && builtin_file(name))
    got = includes(file, name.substr(6));
  if (!got.ok() || got.value().first != name) return std::nullopt;
  return std::move(got.value().second);
}

// The spec the build read from a built-in file, when `yaml` is that file's text and
// every file it includes reads as the built-in one of the same name (a copy of the
// packs on disk, unchanged, is as good): reading YAML is most of a one-issue run.
std::optional<detail::RulesSpec> builtin_spec(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                                              const IncludeReader& includes) {
  auto same_as_builtin = [](const std::string& name, std::string_view text) {
    auto b = builtin_file(name);
    return b && b->text == text;
  };
  if (!same_as_builtin(file, yaml)) return std::nullopt;
  const std::string_view pre = detail::builtin_spec(file);
  if (pre.empty()) return std::nullopt;
  auto spec = detail::spec_from_builtin_json(pre, detail::builtin_spec_tests(file), taxonomy);
  if (!spec) return std::nullopt;
  for (std::size_t i = 1; i < spec->files.size(); ++i) {
    auto text = reread_include(includes, file, spec->files[i]);
    if (!text || !same_as_builtin(spec->files[i], *text)) return std::nullopt;
  }
  return spec;
}

// The spec `silt rules compile` cached for `file` with this text, when every file it
// includes reads as it did then; the findings of its read go to `diags` again.
std::optional<detail::RulesSpec> cached_spec(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                                             const IncludeReader& includes, Diagnostics& diags) {
  const std::string dir = detail::prefilter_cache_dir();
  if (dir.empty()) return std::nullopt;
  const std::string path = detail::spec_cache_path(dir, file, yaml);
  auto bytes = detail::read_file(path);
  if (!bytes.ok()) return std::nullopt;
  auto cached = detail::read_spec_cache_file(bytes.value(), taxonomy);
  if (!cached || cached->spec.file != file || cached->includes.size() + 1 != cached->spec.files.size())
    return std::nullopt;
  for (std::size_t i = 0; i < cached->includes.size(); ++i) {
    const auto& [name, hash] = cached->includes[i];
    if (name != cached->spec.files[i + 1]) return std::nullopt;
    auto text = reread_include(includes, file, name);
    if (!text || detail::text_hash(*text) != hash) return std::nullopt;
  }
  for (auto& d : cached->findings) diags.add(std::move(d));
  detail::touch_cache_file(path);
  return std::move(cached->spec);
}

// Caches a spec read from YAML without errors, with the findings of the read (cached_spec);
// a warning when the cache cannot be written.
void cache_spec(const detail::RulesSpec& spec, std::string_view yaml, const Taxonomy& taxonomy,
                const IncludeReader& includes, Diagnostics& diags) {
  auto warn = [&](const std::string& why) {
    Diagnostic d;
    d.code = "cache-unwritable";
    d.severity = Severity::warning;
    d.where.file = spec.file;
    d.message = "the rules' parsed form could not be cached: " + why;
    d.hint = "set SILT_CACHE_DIR to a writable directory";
    diags.add(std::move(d));
  };
  const std::string dir = detail::prefilter_cache_dir();
  if (dir.empty()) return;  // no cache (SILT_CACHE_DIR=off): the prefilter's warning says so
  detail::CachedSpec cached{{}, diags.all(), spec};
  for (std::size_t i = 1; i < spec.files.size(); ++i) {
    auto text = reread_include(includes, spec.file, spec.files[i]);
    if (!text || spec.files[i].find('\n') != std::string::npos)
      return warn("the included file " + spec.files[i] + " cannot be read again by the same name");
    cached.includes.emplace_back(spec.files[i], detail::text_hash(*text));
  }
  std::string bytes;
  try {
    bytes = detail::spec_cache_bytes(cached, taxonomy);
  } catch (const std::invalid_argument&) {  // the strict JsonWriter: a text that is not UTF-8 (a note, a pattern)
    return warn("it holds text that is not valid UTF-8");
  }
  if (auto e = detail::write_cache_file(detail::spec_cache_path(dir, spec.file, yaml), detail::spec_files, bytes))
    warn(e->message);
}

}  // namespace

// The library boundary: whatever yaml-cpp or RE2 throws becomes a diagnostic.
RuleLoad load_rules(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                    const IncludeReader& includes, Prefilters prefilters) {
  RuleLoad out;
  try {
    std::optional<detail::RulesSpec> spec = builtin_spec(yaml, file, taxonomy, includes);
    if (!spec) spec = cached_spec(yaml, file, taxonomy, includes, out.diagnostics);
    if (!spec) {
      spec = detail::read_rules_spec(yaml, file, taxonomy, includes, out.diagnostics);
      if (spec && prefilters == Prefilters::compile && !out.diagnostics.has_errors())
        cache_spec(*spec, yaml, taxonomy, includes, out.diagnostics);
    }
    if (!spec) return out;
    if (out.diagnostics.has_errors()) {  // not compiled; the patterns that are valid still checked
      detail::check_empty_matches_alone(*spec, out.diagnostics);
      return out;
    }
    detail::Matcher matcher = detail::Matcher::automatic;
    if (prefilters == Prefilters::compile) matcher = detail::Matcher::cache;
    out.rules = detail::compile_rules(std::move(*spec), taxonomy, out.diagnostics, matcher);
  } catch (const std::exception& e) {
    out.rules.reset();
    Diagnostic d;
    d.code = "internal";
    d.where.file = file;
    d.message = std::string("the rules could not be read: ") + e.what();
    d.hint = "this is a bug in silt: please report it with the file";
    out.diagnostics.add(std::move(d));
  }
  return out;
}

RuleLoad load_rules_file(const std::string& path, const Taxonomy& taxonomy, Prefilters prefilters) {
  auto text = detail::read_file(path);
  if (!text.ok()) {
    RuleLoad out;
    out.diagnostics.add(detail::unreadable_file(path, text.error()));
    return out;
  }
  return load_rules(text.value(), path, taxonomy, include_from_disk(), prefilters);
}

}  // namespace silt
