// A RulesSpec as JSON: what the build writes for every built-in rules file
// (tools/build_prefilters.cpp), so that silt reads its own rules without parsing YAML
// (the YAML parse was most of a one-issue run). Written with silt's JsonWriter, read
// with simdjson.
#include <simdjson.h>

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

void rule(JsonWriter& j, const Rule& r, const SourceLocation& pattern_where, const std::vector<std::string>& files) {
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

std::string spec_to_json(const RulesSpec& spec, const Taxonomy& taxonomy) {
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
  for (std::size_t i = 0; i < spec.rules.size(); ++i) rule(j, spec.rules[i], spec.pattern_where[i], files);
  j.end_array();
  j.end_object();
  return j.take();
}

using simdjson::dom::array;
using simdjson::dom::element;

int small_int_from_json(element e) {
  const std::int64_t v = e.get_int64();
  if (v < -(std::int64_t{1} << 30) || v > (std::int64_t{1} << 30)) throw std::out_of_range("a number out of range");
  return static_cast<int>(v);
}

SourceLocation location_from_json(element e, const std::vector<std::string>& files) {
  array a = e.get_array();
  SourceLocation w;
  element f = a.at(0);
  if (f.is_string())
    w.file = string_from_json(f);
  else
    w.file = files.at(static_cast<std::size_t>(std::int64_t(f.get_int64())));
  w.line = small_int_from_json(a.at(1));
  w.column = small_int_from_json(a.at(2));
  return w;
}

std::string string_from_json(element e) {
  return std::string(std::string_view(e.get_string()));
}

namespace {

TextPattern read_pattern(element e, const std::vector<std::string>& files) {
  array a = e.get_array();
  return {string_from_json(a.at(0)), location_from_json(a.at(1), files)};
}

std::vector<double> doubles(element e) {
  std::vector<double> out;
  for (element x : e.get_array()) out.push_back(double(x.get_double()));
  return out;
}

}  // namespace

namespace {

std::vector<RuleTest> read_tests(element rule, const std::vector<std::string>& files) {
  std::vector<RuleTest> out;
  for (element t : rule["tests"].get_array())
    out.push_back({string_from_json(t.at(0)), bool(t.at(1).get_bool()), location_from_json(t.at(2), files)});
  return out;
}

}  // namespace

std::optional<std::vector<std::vector<RuleTest>>> tests_from_json(std::string_view text) {
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    element doc = parser.parse(padded);
    std::vector<std::string> files;
    for (element f : doc["files"].get_array()) files.push_back(string_from_json(f));
    std::vector<std::vector<RuleTest>> out;
    for (element e : doc["rules"].get_array()) out.push_back(read_tests(e, files));
    return out;
  } catch (const std::exception&) {  // simdjson_error, out_of_range: not a spec this build wrote
    return std::nullopt;
  }
}

std::optional<RulesSpec> spec_from_json(std::string_view text, const Taxonomy& taxonomy, bool with_tests) {
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    element doc = parser.parse(padded);
    if (std::string_view(doc["taxonomy"].get_string()) != taxonomy_key(taxonomy)) return std::nullopt;
    RulesSpec spec;
    spec.file = string_from_json(doc["file"]);
    for (element f : doc["files"].get_array()) spec.files.push_back(string_from_json(f));
    const auto& files = spec.files;
    for (auto [k, v] : doc["field_weights"].get_object()) spec.field_weights[std::string(k)] = double(v.get_double());
    if (element e; doc["review_confidence"].get(e) == simdjson::SUCCESS)
      spec.review_confidence = double(e.get_double());
    if (element e; doc["review_margin"].get(e) == simdjson::SUCCESS) spec.review_margin = double(e.get_double());
    if (element e; doc["calibration"].get(e) == simdjson::SUCCESS) {
      spec.calibration.emplace();
      for (element p : e.get_array())
        spec.calibration->emplace_back(double(p.at(0).get_double()), double(p.at(1).get_double()));
    }
    for (element b : doc["boilerplate"].get_array()) spec.boilerplate.push_back(read_pattern(b, files));
    for (element s : doc["sections"].get_array()) {
      const auto section = std::int64_t(s.at(0).get_int64());
      if (section < 0 || section > static_cast<std::int64_t>(Section::environment)) return std::nullopt;
      spec.sections.emplace_back(static_cast<Section>(section), read_pattern(s.at(1), files));
    }
    element m = doc["model"];
    spec.model.category_scale = double(m["category_scale"].get_double());
    spec.model.criteria_scale = double(m["criteria_scale"].get_double());
    spec.model.category_bias = doubles(m["category_bias"]);
    for (element row : m["criteria_prior"].get_array()) spec.model.criteria_prior.push_back(doubles(row));
    const std::size_t nc = taxonomy.categories.size(), nk = taxonomy.criteria.size();
    if (spec.model.category_bias.size() != nc || spec.model.criteria_prior.size() != nc) return std::nullopt;
    for (const auto& row : spec.model.criteria_prior)
      if (row.size() != nk) return std::nullopt;
    const auto& known_fields = issue_fields();
    for (element e : doc["rules"].get_array()) {
      Rule r;
      r.id = string_from_json(e["id"]);
      const auto kind = std::int64_t(e["kind"].get_int64());
      if (kind < 0 || kind > static_cast<std::int64_t>(TargetKind::signal)) return std::nullopt;
      r.kind = static_cast<TargetKind>(kind);
      r.target = string_from_json(e["target"]);
      r.target_index = static_cast<std::size_t>(std::uint64_t(e["target_index"].get_uint64()));
      // Indices in range (the bytes may come from a cache file on disk).
      const std::size_t targets = r.kind == TargetKind::category    ? taxonomy.categories.size()
                                  : r.kind == TargetKind::criterion ? taxonomy.criteria.size()
                                                                    : 2;  // signal: loud, silent
      if (r.target_index >= targets) return std::nullopt;
      r.pattern = string_from_json(e["pattern"]);
      r.unless = string_from_json(e["unless"]);
      for (element f : e["fields"].get_array()) {
        r.fields.push_back(string_from_json(f));
        if (std::find(known_fields.begin(), known_fields.end(), r.fields.back()) == known_fields.end())
          return std::nullopt;
      }
      r.weight = double(e["weight"].get_double());
      r.case_sensitive = bool(e["case_sensitive"].get_bool());
      r.note = string_from_json(e["note"]);
      if (with_tests) r.tests = read_tests(e, files);
      r.where = location_from_json(e["where"], files);
      r.weight_where = location_from_json(e["weight_where"], files);
      spec.pattern_where.push_back(location_from_json(e["pattern_where"], files));
      spec.rules.push_back(std::move(r));
    }
    if (!with_tests) spec.tests_json = std::string(text);
    return spec;
  } catch (const std::exception&) {  // simdjson_error, out_of_range: not a spec this build wrote
    return std::nullopt;
  }
}

}  // namespace silt::detail
