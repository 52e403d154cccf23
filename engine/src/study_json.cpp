#include "study_json.h"

#include <cmath>

namespace silt::detail {

namespace {

// One value as compact JSON text, to be put in a line of its own shape.
template <class F>
std::string compact(F&& write) {
  JsonWriter w(JsonWriter::Style::compact);
  write(w);
  return w.take();
}

}  // namespace

void JsonOut::figure(const stats::Estimate& e) {
  // On one line, {"value": 0.733, "n": 5, "interval": [0.467, 1.0]}: a figure reads as one.
  auto num = [](double x) { return compact([&](JsonWriter& w) { w.number(x, statistic_decimals); }); };
  std::string raw = "{\"value\": ";
  raw += e.value ? num(*e.value) : std::string("null");
  raw += ", \"n\": ";
  raw += std::to_string(e.n);
  raw += ", \"interval\": ";
  if (e.value && e.lo && e.hi && std::isfinite(*e.lo) && std::isfinite(*e.hi)) {
    raw += "[";
    raw += num(*e.lo);
    raw += ", ";
    raw += num(*e.hi);
    raw += "]";
  } else {
    raw += "null";
  }
  if (!e.value) {
    raw += ", \"undefined\": ";
    raw += compact([&](JsonWriter& w) { w.string(e.undefined); });
  }
  if (e.value && e.se) {
    raw += ", \"se\": ";
    raw += num(*e.se);
  }
  raw += "}";
  JsonWriter::raw(raw, true);
}

void JsonOut::header(const RunHeader& h) {
  begin_object();
  key("schema");
  string(h.schema);
  key("bootstrap");
  count(h.bootstrap);
  key("seed");
  count(h.seed);
  key("confidence_level");
  number(h.confidence_level, 2);
  key("interval");
  string(h.bootstrap ? "bootstrap percentile, resampling the items" : "none (bootstrap 0)");
  key("raters");
  inline_strings(h.raters);
  key("inputs");
  begin_object();
  for (const auto& [role, path] : h.inputs) {
    key(role);
    string(path);
  }
  end_object();
  end_object();
}

void JsonIn::fail(const std::string& what) const {
  throw BadJson((path_.empty() ? std::string("the document") : path_) + ": " + what);
}

JsonIn JsonIn::at(std::string_view key) const {
  auto found = find(key);
  if (!found) {
    JsonIn child(*e_, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
    child.fail("missing");
  }
  return *found;
}

std::optional<JsonIn> JsonIn::find(std::string_view key) const {
  if (!e_->IsObject()) fail("not an object");
  const JsonValue* v = json_member(*e_, key);
  if (!v) return std::nullopt;
  return JsonIn(*v, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
}

JsonIn JsonIn::at(std::size_t index) const {
  if (!e_->IsArray()) fail("not an array");
  if (index >= e_->Size()) fail("no item " + std::to_string(index));
  return JsonIn((*e_)[static_cast<rapidjson::SizeType>(index)], path_ + "[" + std::to_string(index) + "]");
}

double JsonIn::number() const {
  if (!e_->IsNumber()) fail("not a number");
  return e_->GetDouble();
}

std::optional<double> JsonIn::optional_number() const {
  if (is_null()) return std::nullopt;
  return number();
}

std::size_t JsonIn::count() const {
  return static_cast<std::size_t>(uint64());
}

std::uint64_t JsonIn::uint64() const {
  if (!e_->IsUint64()) fail("not a count (a whole number, 0 or more)");
  return e_->GetUint64();
}

bool JsonIn::boolean() const {
  if (!e_->IsBool()) fail("not true or false");
  return e_->GetBool();
}

std::string JsonIn::string() const {
  if (!e_->IsString()) fail("not a string");
  return std::string(e_->GetString(), e_->GetStringLength());
}

std::vector<std::string> JsonIn::strings() const {
  std::vector<std::string> out;
  for (const auto& x : items()) out.push_back(x.string());
  return out;
}

std::vector<JsonIn> JsonIn::items() const {
  if (!e_->IsArray()) fail("not an array");
  std::vector<JsonIn> out;
  std::size_t k = 0;
  for (const JsonValue& v : e_->GetArray()) out.emplace_back(v, path_ + "[" + std::to_string(k++) + "]");
  return out;
}

std::vector<std::pair<std::string, JsonIn>> JsonIn::members() const {
  if (!e_->IsObject()) fail("not an object");
  std::vector<std::pair<std::string, JsonIn>> out;
  for (const auto& m : e_->GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    out.emplace_back(key, JsonIn(m.value, path_.empty() ? key : path_ + "." + key));
  }
  return out;
}

stats::Estimate JsonIn::figure() const {
  stats::Estimate e;
  e.value = at("value").optional_number();
  e.n = at("n").count();
  const JsonIn interval = at("interval");
  if (!interval.is_null()) {
    auto bounds = interval.items();
    if (bounds.size() != 2) interval.fail("not [low, high]");
    e.lo = bounds[0].number();
    e.hi = bounds[1].number();
  }
  if (!e.value) e.undefined = at("undefined").string();
  if (auto se = find("se")) e.se = se->number();
  return e;
}

RunHeader JsonIn::header() const {
  RunHeader h;
  h.schema = at("schema").string();
  h.bootstrap = at("bootstrap").count();
  h.seed = at("seed").uint64();
  h.confidence_level = at("confidence_level").number();
  h.raters = at("raters").strings();
  for (auto& [role, path] : at("inputs").members()) h.inputs.emplace_back(role, path.string());
  return h;
}

Result<const JsonValue*> parse_document(JsonDocument& doc, std::string_view text, const std::string& schema,
                                        const std::string& name) {
  if (parse_json(text, doc)) return Error{name + ": not a JSON document", 0, 0, "other-format"};
  const JsonValue* header = json_member(doc, "header");
  const JsonValue* found = header ? json_member(*header, "schema") : nullptr;
  if (!found || json_string(*found) != std::optional<std::string_view>(schema))
    return Error{name + ": not a " + schema + " document (its header.schema says otherwise, or it has none)", 0, 0,
                 "other-format"};
  return &static_cast<const JsonValue&>(doc);
}

}  // namespace silt::detail
