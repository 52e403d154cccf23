#include "taxonomy_json.h"

#include <simdjson.h>

#include "json_values.h"
#include "silt/json_writer.h"

namespace silt::detail {

namespace {

void put_label(JsonWriter& j, const Label& l) {
  j.begin_array();
  j.string(l.name);
  j.string(l.color);
  j.string(l.description);
  j.end_array();
}

using simdjson::dom::element;

Label tax_label(element e) {
  simdjson::dom::array a = e.get_array();
  return {string_from_json(a.at(0)), string_from_json(a.at(1)), string_from_json(a.at(2))};
}

}  // namespace

std::string taxonomy_to_json(const Taxonomy& t) {
  JsonWriter j(JsonWriter::Style::compact, JsonWriter::Text::strict);
  j.begin_object();
  j.field("name", t.name);
  j.field("file", t.file);
  j.field("fallback", t.fallback);
  j.field("policy", static_cast<int>(t.policy));
  j.key("categories");
  j.begin_array();
  for (const auto& c : t.categories) {
    j.begin_object();
    j.field("id", c.id);
    j.field("name", c.name);
    j.field("definition", c.definition);
    j.field("example", c.example);
    j.key("implies");
    j.inline_counts(c.implies);
    j.key("label");
    put_label(j, c.label);
    j.key("where");
    location_to_json(j, c.where);
    j.end_object();
  }
  j.end_array();
  j.key("criteria");
  j.begin_array();
  for (const auto& c : t.criteria) {
    j.begin_object();
    j.field("id", c.id);
    j.field("question", c.question);
    j.key("where");
    location_to_json(j, c.where);
    j.end_object();
  }
  j.end_array();
  j.key("levels");
  j.begin_array();
  for (const auto& l : t.levels) {
    j.begin_object();
    j.field("number", l.number);
    j.field("threat", l.threat);
    j.field("description", l.description);
    j.key("label");
    put_label(j, l.label);
    j.key("where");
    location_to_json(j, l.where);
    j.end_object();
  }
  j.end_array();
  j.key("cells");
  j.begin_array();
  for (const auto& row : t.cells) {
    j.begin_array();
    for (Cell c : row) j.integer(static_cast<int>(c));
    j.end_array();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

std::optional<Taxonomy> taxonomy_from_json(std::string_view text) {
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    element doc = parser.parse(padded);
    Taxonomy t;
    t.name = string_from_json(doc["name"]);
    t.file = string_from_json(doc["file"]);
    for (element e : doc["criteria"].get_array())
      t.criteria.push_back(
          {string_from_json(e["id"]), string_from_json(e["question"]), location_from_json(e["where"])});
    for (element e : doc["categories"].get_array()) {
      Category c;
      c.id = string_from_json(e["id"]);
      c.name = string_from_json(e["name"]);
      c.definition = string_from_json(e["definition"]);
      c.example = string_from_json(e["example"]);
      for (element i : e["implies"].get_array()) {
        const auto k = std::uint64_t(i.get_uint64());
        if (k >= t.criteria.size()) return std::nullopt;
        c.implies.push_back(static_cast<std::size_t>(k));
      }
      c.label = tax_label(e["label"]);
      c.where = location_from_json(e["where"]);
      t.categories.push_back(std::move(c));
    }
    for (element e : doc["levels"].get_array()) {
      Level l;
      l.number = small_int_from_json(e["number"]);
      l.threat = string_from_json(e["threat"]);
      l.description = string_from_json(e["description"]);
      l.label = tax_label(e["label"]);
      l.where = location_from_json(e["where"]);
      t.levels.push_back(std::move(l));
    }
    for (element row : doc["cells"].get_array()) {
      std::vector<Cell> cells;
      for (element c : row.get_array()) {
        const int v = small_int_from_json(c);
        if (v < 0 || v > static_cast<int>(Cell::forbidden)) return std::nullopt;
        cells.push_back(static_cast<Cell>(v));
      }
      if (cells.size() != t.criteria.size()) return std::nullopt;
      t.cells.push_back(std::move(cells));
    }
    if (t.cells.size() != t.levels.size() || t.categories.empty() || t.levels.empty()) return std::nullopt;
    const auto fallback = std::uint64_t(doc["fallback"].get_uint64());
    if (fallback >= t.categories.size()) return std::nullopt;
    t.fallback = static_cast<std::size_t>(fallback);
    const int policy = small_int_from_json(doc["policy"]);
    if (policy < 0 || policy > static_cast<int>(HitPolicy::unique)) return std::nullopt;
    t.policy = static_cast<HitPolicy>(policy);
    return t;
  } catch (const std::exception&) {  // simdjson_error, out_of_range: not a taxonomy this build wrote
    return std::nullopt;
  }
}

}  // namespace silt::detail
