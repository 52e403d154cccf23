// A RulesSpec as JSON: what the build writes for every built-in rules file
// (tools/build_prefilters.cpp), so that silt reads its own rules without parsing YAML
// (the YAML parse was most of a one-issue run). Written with nlohmann::json, read with
// simdjson.
#include <simdjson.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "rules_spec.h"
#include "silt/issue.h"

namespace silt::detail {

namespace {

using nlohmann::json;

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

// A location: [file index into spec.files, line, column]; a file not there as its name.
json loc(const SourceLocation& w, const std::vector<std::string>& files) {
  auto it = std::find(files.begin(), files.end(), w.file);
  json f = it == files.end() ? json(w.file) : json(it - files.begin());
  return json::array({f, w.line, w.column});
}

json pattern(const TextPattern& p, const std::vector<std::string>& files) {
  return json::array({p.text, loc(p.where, files)});
}

}  // namespace

std::string spec_to_json(const RulesSpec& spec, const Taxonomy& taxonomy) {
  const auto& files = spec.files;
  json j;
  j["taxonomy"] = taxonomy_key(taxonomy);
  j["file"] = spec.file;
  j["files"] = files;
  j["field_weights"] = json::object();
  for (const auto& [f, w] : spec.field_weights) j["field_weights"][f] = w;
  if (spec.review_confidence) j["review_confidence"] = *spec.review_confidence;
  if (spec.review_margin) j["review_margin"] = *spec.review_margin;
  if (spec.calibration) {
    j["calibration"] = json::array();
    for (const auto& [x, y] : *spec.calibration) j["calibration"].push_back({x, y});
  }
  j["boilerplate"] = json::array();
  for (const auto& b : spec.boilerplate) j["boilerplate"].push_back(pattern(b, files));
  j["sections"] = json::array();
  for (const auto& [s, p] : spec.sections) j["sections"].push_back({static_cast<int>(s), pattern(p, files)});
  j["model"] = {{"category_scale", spec.model.category_scale},
                {"criteria_scale", spec.model.criteria_scale},
                {"category_bias", spec.model.category_bias},
                {"criteria_prior", spec.model.criteria_prior}};
  j["rules"] = json::array();
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    const Rule& r = spec.rules[i];
    json tests = json::array();
    for (const auto& t : r.tests) tests.push_back({t.text, t.should_match, loc(t.where, files)});
    j["rules"].push_back({{"id", r.id},
                          {"kind", static_cast<int>(r.kind)},
                          {"target", r.target},
                          {"target_index", r.target_index},
                          {"pattern", r.pattern},
                          {"unless", r.unless},
                          {"fields", r.fields},
                          {"weight", r.weight},
                          {"case_sensitive", r.case_sensitive},
                          {"note", r.note},
                          {"tests", tests},
                          {"where", loc(r.where, files)},
                          {"weight_where", loc(r.weight_where, files)},
                          {"pattern_where", loc(spec.pattern_where[i], files)}});
  }
  return j.dump();
}

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

SourceLocation read_loc(element e, const std::vector<std::string>& files) {
  array a = e.get_array();
  SourceLocation w;
  element f = a.at(0);
  if (f.is_string()) {
    w.file = std::string(std::string_view(f.get_string()));
  } else {
    const auto i = static_cast<std::size_t>(std::int64_t(f.get_int64()));
    w.file = files.at(i);
  }
  w.line = static_cast<int>(std::int64_t(a.at(1).get_int64()));
  w.column = static_cast<int>(std::int64_t(a.at(2).get_int64()));
  return w;
}

std::string str(element e) {
  return std::string(std::string_view(e.get_string()));
}

TextPattern read_pattern(element e, const std::vector<std::string>& files) {
  array a = e.get_array();
  return {str(a.at(0)), read_loc(a.at(1), files)};
}

std::vector<double> doubles(element e) {
  std::vector<double> out;
  for (element x : e.get_array()) out.push_back(double(x.get_double()));
  return out;
}

}  // namespace

std::optional<RulesSpec> spec_from_json(std::string_view text, const Taxonomy& taxonomy) {
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    element doc = parser.parse(padded);
    if (std::string_view(doc["taxonomy"].get_string()) != taxonomy_key(taxonomy)) return std::nullopt;
    RulesSpec spec;
    spec.file = str(doc["file"]);
    for (element f : doc["files"].get_array()) spec.files.push_back(str(f));
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
      r.id = str(e["id"]);
      const auto kind = std::int64_t(e["kind"].get_int64());
      if (kind < 0 || kind > static_cast<std::int64_t>(TargetKind::signal)) return std::nullopt;
      r.kind = static_cast<TargetKind>(kind);
      r.target = str(e["target"]);
      r.target_index = static_cast<std::size_t>(std::uint64_t(e["target_index"].get_uint64()));
      // Indices in range (the bytes may come from a cache file on disk).
      const std::size_t targets = r.kind == TargetKind::category    ? taxonomy.categories.size()
                                  : r.kind == TargetKind::criterion ? taxonomy.criteria.size()
                                                                    : 2;  // signal: loud, silent
      if (r.target_index >= targets) return std::nullopt;
      r.pattern = str(e["pattern"]);
      r.unless = str(e["unless"]);
      for (element f : e["fields"].get_array()) {
        r.fields.push_back(str(f));
        if (std::find(known_fields.begin(), known_fields.end(), r.fields.back()) == known_fields.end())
          return std::nullopt;
      }
      r.weight = double(e["weight"].get_double());
      r.case_sensitive = bool(e["case_sensitive"].get_bool());
      r.note = str(e["note"]);
      for (element t : e["tests"].get_array())
        r.tests.push_back({str(t.at(0)), bool(t.at(1).get_bool()), read_loc(t.at(2), files)});
      r.where = read_loc(e["where"], files);
      r.weight_where = read_loc(e["weight_where"], files);
      spec.pattern_where.push_back(read_loc(e["pattern_where"], files));
      spec.rules.push_back(std::move(r));
    }
    return spec;
  } catch (const std::exception&) {  // simdjson_error, out_of_range: not a spec this build wrote
    return std::nullopt;
  }
}

}  // namespace silt::detail
