#include "taxonomy_json.h"

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

Label tax_label(const JsonValue& e) {
  return {string_from_json(json_item(e, 0)), string_from_json(json_item(e, 1)), string_from_json(json_item(e, 2))};
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
    JsonDocument doc;
    if (parse_json(text, doc)) return std::nullopt;
    Taxonomy t;
    t.name = string_from_json(json_at(doc, "name"));
    t.file = string_from_json(json_at(doc, "file"));
    for (const JsonValue& e : json_array(json_at(doc, "criteria")))
      t.criteria.push_back({string_from_json(json_at(e, "id")), string_from_json(json_at(e, "question")),
                            location_from_json(json_at(e, "where"))});
    for (const JsonValue& e : json_array(json_at(doc, "categories"))) {
      Category c;
      c.id = string_from_json(json_at(e, "id"));
      c.name = string_from_json(json_at(e, "name"));
      c.definition = string_from_json(json_at(e, "definition"));
      c.example = string_from_json(json_at(e, "example"));
      for (const JsonValue& i : json_array(json_at(e, "implies"))) {
        const auto k = json_uint64(i);
        if (k >= t.criteria.size()) return std::nullopt;
        c.implies.push_back(static_cast<std::size_t>(k));
      }
      c.label = tax_label(json_at(e, "label"));
      c.where = location_from_json(json_at(e, "where"));
      t.categories.push_back(std::move(c));
    }
    for (const JsonValue& e : json_array(json_at(doc, "levels"))) {
      Level l;
      l.number = small_int_from_json(json_at(e, "number"));
      l.threat = string_from_json(json_at(e, "threat"));
      l.description = string_from_json(json_at(e, "description"));
      l.label = tax_label(json_at(e, "label"));
      l.where = location_from_json(json_at(e, "where"));
      t.levels.push_back(std::move(l));
    }
    for (const JsonValue& row : json_array(json_at(doc, "cells"))) {
      std::vector<Cell> cells;
      for (const JsonValue& c : json_array(row)) {
        const int v = small_int_from_json(c);
        if (v < 0 || v > static_cast<int>(Cell::forbidden)) return std::nullopt;
        cells.push_back(static_cast<Cell>(v));
      }
      if (cells.size() != t.criteria.size()) return std::nullopt;
      t.cells.push_back(std::move(cells));
    }
    if (t.cells.size() != t.levels.size() || t.categories.empty() || t.levels.empty()) return std::nullopt;
    const auto fallback = json_uint64(json_at(doc, "fallback"));
    if (fallback >= t.categories.size()) return std::nullopt;
    t.fallback = static_cast<std::size_t>(fallback);
    const int policy = small_int_from_json(json_at(doc, "policy"));
    if (policy < 0 || policy > static_cast<int>(HitPolicy::unique)) return std::nullopt;
    t.policy = static_cast<HitPolicy>(policy);
    return t;
  } catch (const std::exception&) {  // JsonShapeError, out_of_range: not a taxonomy this build wrote
    return std::nullopt;
  }
}

}  // namespace silt::detail
