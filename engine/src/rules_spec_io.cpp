// A RulesSpec as JSON: what the build writes for every built-in rules file
// (tools/build_prefilters.cpp), so that silt reads its own rules without parsing YAML
// (the YAML parse was most of a one-issue run). Written with silt's JsonWriter, read
// with json_read.h.

#include <algorithm>
#include <stdexcept>

#include "json_values.h"
#include "rules_spec.h"
#include "silt/issue.h"
#include "silt/json_writer.h"

namespace silt::detail {

namespace {

// What a spec read against a taxonomy depends on: target indices and default priors.
std::string taxonomy_key(const Taxonomy& t) {
  std::string key;
  for (const auto& c : t.categories) {
    key += c.id + ":";
    for (auto i : c.implies) key += std::to_string(i) + ",";
    key += ";";
  }
  for (const auto& k : t.criteria) key += k.id + ";";
  return key;
}

void pattern(JsonWriter& j, const TextPattern& p, const std::vector<std::string>& files) {
  j.begin_array();
  j.string(p.text);
  location_to_json(j, p.where, files);
  j.end_array();
}

void doubles(JsonWriter& j, const std::vector<double>& v) {
  j.begin_array();
  for (double x : v) j.exact(x);
  j.end_array();
}

void tests(JsonWriter& j, const Rule& r, const std::vector<std::string>& files) {
  j.key("tests");
  j.begin_array();
  for (const auto& t : r.tests) {
    j.begin_array();
    j.string(t.text);
    j.boolean(t.should_match);
    location_to_json(j, t.where, files);
    j.end_array();
  }
  j.end_array();
}

void rule(JsonWriter& j, const Rule& r, const SourceLocation& pattern_where, const std::vector<std::string>& files,
          bool with_tests) {
  j.begin_object();
  j.field("id", r.id);
  j.field("kind", static_cast<int>(r.kind));
  j.field("target", r.target);
  j.field("target_index", r.target_index);
  j.field("pattern", r.pattern);
  j.field("unless", r.unless);
  j.key("fields");
  j.begin_array();
  for (const auto& f : r.fields) j.string(f);
  j.end_array();
  j.key("weight");
  j.exact(r.weight);
  j.field("case_sensitive", r.case_sensitive);
  j.field("note", r.note);
  if (with_tests) tests(j, r, files);
  j.key("where");
  location_to_json(j, r.where, files);
  j.key("weight_where");
  location_to_json(j, r.weight_where, files);
  j.key("pattern_where");
  location_to_json(j, pattern_where, files);
  j.end_object();
}

}  // namespace

void location_to_json(JsonWriter& j, const SourceLocation& w, const std::vector<std::string>& files) {
  j.begin_array();
  auto it = std::find(files.begin(), files.end(), w.file);
  if (it == files.end())
    j.string(w.file);
  else
    j.count(static_cast<std::uint64_t>(it - files.begin()));
  j.integer(w.line);
  j.integer(w.column);
  j.end_array();
}

std::string spec_to_json(const RulesSpec& spec, const Taxonomy& taxonomy, bool with_tests) {
  const auto& files = spec.files;
  // Strict: a text that is not UTF-8 throws, since the cache must give back the very bytes.
  JsonWriter j(JsonWriter::Style::compact, JsonWriter::Text::strict);
  j.begin_object();
  j.field("taxonomy", taxonomy_key(taxonomy));
  j.field("file", spec.file);
  j.key("files");
  j.inline_strings(files);
  j.key("field_weights");
  j.begin_object();
  for (const auto& [f, w] : spec.field_weights) {
    j.key(f);
    j.exact(w);
  }
  j.end_object();
  if (spec.review_confidence) {
    j.key("review_confidence");
    j.exact(*spec.review_confidence);
  }
  if (spec.review_margin) {
    j.key("review_margin");
    j.exact(*spec.review_margin);
  }
  if (spec.calibration) {
    j.key("calibration");
    j.begin_array();
    for (const auto& [x, y] : *spec.calibration) doubles(j, {x, y});
    j.end_array();
  }
  j.key("boilerplate");
  j.begin_array();
  for (const auto& b : spec.boilerplate) pattern(j, b, files);
  j.end_array();
  j.key("sections");
  j.begin_array();
  for (const auto& [s, p] : spec.sections) {
    j.begin_array();
    j.integer(static_cast<int>(s));
    pattern(j, p, files);
    j.end_array();
  }
  j.end_array();
  j.key("model");
  j.begin_object();
  j.key("category_scale");
  j.exact(spec.model.category_scale);
  j.key("criteria_scale");
  j.exact(spec.model.criteria_scale);
  j.key("category_bias");
  doubles(j, spec.model.category_bias);
  j.key("criteria_prior");
  j.begin_array();
  for (const auto& row : spec.model.criteria_prior) doubles(j, row);
  j.end_array();
  j.end_object();
  j.key("rules");
  j.begin_array();
  for (std::size_t i = 0; i < spec.rules.size(); ++i) rule(j, spec.rules[i], spec.pattern_where[i], files, with_tests);
  j.end_array();
  j.end_object();
  return j.take();
}

std::string tests_to_json(const RulesSpec& spec) {
  JsonWriter j(JsonWriter::Style::compact, JsonWriter::Text::strict);
  j.begin_object();
  j.key("files");
  j.inline_strings(spec.files);
  j.key("rules");
  j.begin_array();
  for (const auto& r : spec.rules) {
    j.begin_object();
    tests(j, r, spec.files);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

int small_int_from_json(const JsonValue& e) {
  const std::int64_t v = json_int64(e);
  if (v < -(std::int64_t{1} << 30) || v > (std::int64_t{1} << 30)) throw std::out_of_range("a number out of range");
  return static_cast<int>(v);
}

SourceLocation location_from_json(const JsonValue& e, const std::vector<std::string>& files) {
  SourceLocation w;
  const JsonValue& f = json_item(e, 0);
  if (f.IsString())
    w.file = string_from_json(f);
  else
    w.file = files.at(static_cast<std::size_t>(json_uint64(f)));
  w.line = small_int_from_json(json_item(e, 1));
  w.column = small_int_from_json(json_item(e, 2));
  return w;
}

std::string string_from_json(const JsonValue& e) {
  return std::string(json_str(e));
}

namespace {

TextPattern read_pattern(const JsonValue& e, const std::vector<std::string>& files) {
  return {string_from_json(json_item(e, 0)), location_from_json(json_item(e, 1), files)};
}

std::vector<double> doubles(const JsonValue& e) {
  std::vector<double> out;
  for (const JsonValue& x : json_array(e)) out.push_back(json_double(x));
  return out;
}

std::vector<RuleTest> read_tests(const JsonValue& rule, const std::vector<std::string>& files) {
  std::vector<RuleTest> out;
  for (const JsonValue& t : json_array(json_at(rule, "tests")))
    out.push_back(
        {string_from_json(json_item(t, 0)), json_bool(json_item(t, 1)), location_from_json(json_item(t, 2), files)});
  return out;
}

// Parses a spec this build wrote, in place in `buffer` (a copy of `text`, which the
// document's strings point into: keep it while `doc` is read); throws JsonShapeError
// when `text` is not JSON.
void parse_spec(std::string_view text, std::string& buffer, JsonDocument& doc) {
  buffer.assign(text.data(), text.size());
  if (parse_json_in_place(buffer.data(), buffer.size(), doc)) throw JsonShapeError("not JSON");
}

}  // namespace

std::optional<std::vector<std::vector<RuleTest>>> tests_from_json(std::string_view text) {
  try {
    JsonDocument doc;
    std::string buffer;
    parse_spec(text, buffer, doc);
    std::vector<std::string> files;
    for (const JsonValue& f : json_array(json_at(doc, "files"))) files.push_back(string_from_json(f));
    std::vector<std::vector<RuleTest>> out;
    for (const JsonValue& e : json_array(json_at(doc, "rules"))) out.push_back(read_tests(e, files));
    return out;
  } catch (const std::exception&) {  // JsonShapeError, out_of_range: not a spec this build wrote
    return std::nullopt;
  }
}

namespace {

enum class Tests { read, copy, view };

std::optional<RulesSpec> read_spec(std::string_view text, const Taxonomy& taxonomy, Tests tests,
                                   std::string_view tests_text = {}) {
  const bool with_tests = tests == Tests::read;
  try {
    JsonDocument doc;
    std::string buffer;
    parse_spec(text, buffer, doc);
    if (json_str(json_at(doc, "taxonomy")) != taxonomy_key(taxonomy)) return std::nullopt;
    RulesSpec spec;
    spec.file = string_from_json(json_at(doc, "file"));
    for (const JsonValue& f : json_array(json_at(doc, "files"))) spec.files.push_back(string_from_json(f));
    const auto& files = spec.files;
    for (const auto& m : json_object(json_at(doc, "field_weights")))
      spec.field_weights[string_from_json(m.name)] = json_double(m.value);
    if (const JsonValue* e = json_member(doc, "review_confidence")) spec.review_confidence = json_double(*e);
    if (const JsonValue* e = json_member(doc, "review_margin")) spec.review_margin = json_double(*e);
    if (const JsonValue* e = json_member(doc, "calibration")) {
      spec.calibration.emplace();
      for (const JsonValue& p : json_array(*e))
        spec.calibration->emplace_back(json_double(json_item(p, 0)), json_double(json_item(p, 1)));
    }
    for (const JsonValue& b : json_array(json_at(doc, "boilerplate")))
      spec.boilerplate.push_back(read_pattern(b, files));
    for (const JsonValue& s : json_array(json_at(doc, "sections"))) {
      const auto section = json_int64(json_item(s, 0));
      if (section < 0 || section > static_cast<std::int64_t>(Section::environment)) return std::nullopt;
      spec.sections.emplace_back(static_cast<Section>(section), read_pattern(json_item(s, 1), files));
    }
    const JsonValue& m = json_at(doc, "model");
    spec.model.category_scale = json_double(json_at(m, "category_scale"));
    spec.model.criteria_scale = json_double(json_at(m, "criteria_scale"));
    spec.model.category_bias = doubles(json_at(m, "category_bias"));
    for (const JsonValue& row : json_array(json_at(m, "criteria_prior")))
      spec.model.criteria_prior.push_back(doubles(row));
    const std::size_t nc = taxonomy.categories.size(), nk = taxonomy.criteria.size();
    if (spec.model.category_bias.size() != nc || spec.model.criteria_prior.size() != nc) return std::nullopt;
    for (const auto& row : spec.model.criteria_prior)
      if (row.size() != nk) return std::nullopt;
    const auto& known_fields = issue_fields();
    for (const JsonValue& e : json_array(json_at(doc, "rules"))) {
      Rule r;
      r.id = string_from_json(json_at(e, "id"));
      const auto kind = json_int64(json_at(e, "kind"));
      if (kind < 0 || kind > static_cast<std::int64_t>(TargetKind::signal)) return std::nullopt;
      r.kind = static_cast<TargetKind>(kind);
      r.target = string_from_json(json_at(e, "target"));
      r.target_index = static_cast<std::size_t>(json_uint64(json_at(e, "target_index")));
      // Indices in range (the bytes may come from a cache file on disk).
      const std::size_t targets = r.kind == TargetKind::category    ? taxonomy.categories.size()
                                  : r.kind == TargetKind::criterion ? taxonomy.criteria.size()
                                                                    : 2;  // signal: loud, silent
      if (r.target_index >= targets) return std::nullopt;
      r.pattern = string_from_json(json_at(e, "pattern"));
      r.unless = string_from_json(json_at(e, "unless"));
      for (const JsonValue& f : json_array(json_at(e, "fields"))) {
        r.fields.push_back(string_from_json(f));
        if (std::find(known_fields.begin(), known_fields.end(), r.fields.back()) == known_fields.end())
          return std::nullopt;
      }
      r.weight = json_double(json_at(e, "weight"));
      r.case_sensitive = json_bool(json_at(e, "case_sensitive"));
      r.note = string_from_json(json_at(e, "note"));
      if (with_tests) r.tests = read_tests(e, files);
      r.where = location_from_json(json_at(e, "where"), files);
      r.weight_where = location_from_json(json_at(e, "weight_where"), files);
      spec.pattern_where.push_back(location_from_json(json_at(e, "pattern_where"), files));
      spec.rules.push_back(std::move(r));
    }
    if (tests == Tests::copy) {
      spec.tests_owner = std::make_shared<const std::string>(text);
      spec.tests_json = *spec.tests_owner;
    } else if (tests == Tests::view) {
      spec.tests_json = tests_text;
    }
    return spec;
  } catch (const std::exception&) {  // JsonShapeError, out_of_range: not a spec this build wrote
    return std::nullopt;
  }
}

}  // namespace

std::optional<RulesSpec> spec_from_json(std::string_view text, const Taxonomy& taxonomy, bool with_tests) {
  return read_spec(text, taxonomy, with_tests ? Tests::read : Tests::copy);
}

std::optional<RulesSpec> spec_from_builtin_json(std::string_view text, std::string_view tests,
                                                const Taxonomy& taxonomy) {
  return read_spec(text, taxonomy, Tests::view, tests);
}

}  // namespace silt::detail
