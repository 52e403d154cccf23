#include "packs_json.h"

#include "json_values.h"
#include "silt/json_writer.h"

namespace silt::detail {

std::string packs_to_json(const PackMap& m) {
  JsonWriter j(JsonWriter::Style::compact, JsonWriter::Text::strict);
  j.begin_object();
  j.field("default", m.default_pack);
  j.key("packs");
  j.begin_array();
  for (const auto& p : m.packs) {
    j.begin_object();
    j.field("name", p.name);
    j.field("rules", p.rules_file);
    j.key("repositories");
    j.begin_array();
    for (const auto& r : p.repositories) j.string(r);
    j.end_array();
    j.key("where");
    location_to_json(j, p.where);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

std::optional<PackMap> packs_from_json(std::string_view text) {
  try {
    JsonDocument doc;
    if (parse_json(text, doc)) return std::nullopt;
    PackMap m;
    for (const JsonValue& e : json_array(json_at(doc, "packs"))) {
      PackInfo p;
      p.name = string_from_json(json_at(e, "name"));
      p.rules_file = string_from_json(json_at(e, "rules"));
      for (const JsonValue& r : json_array(json_at(e, "repositories"))) p.repositories.push_back(string_from_json(r));
      p.where = location_from_json(json_at(e, "where"));
      m.packs.push_back(std::move(p));
    }
    const auto d = json_uint64(json_at(doc, "default"));
    if (d >= m.packs.size()) return std::nullopt;
    m.default_pack = static_cast<std::size_t>(d);
    return m;
  } catch (const std::exception&) {  // JsonShapeError, out_of_range: not a map this build wrote
    return std::nullopt;
  }
}

}  // namespace silt::detail
