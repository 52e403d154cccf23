#include "silt/json_writer.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <stdexcept>

#include "silt/utf8.h"

namespace silt {

namespace {

using Compact = rapidjson::Writer<rapidjson::StringBuffer>;
using Pretty = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

double rounded(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(x * scale) / scale;
  if (!std::isfinite(r)) return x;  // so large that x * scale overflows: a whole number already
  return r == 0 ? 0.0 : r;          // no -0.0
}

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string replace_bad_utf8(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len && i + len <= s.size() && valid_utf8(std::string_view(s.data() + i, len))) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// One value on one line, for the inline lists.
template <class F>
std::string compact(F&& write) {
  rapidjson::StringBuffer b;
  Compact w(b);
  write(w);
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace

struct JsonWriter::Impl {
  rapidjson::StringBuffer buf;
  std::optional<Compact> one_line;
  std::optional<Pretty> pretty;
  Text text;
  // ", " between the items of an inline list in a pretty document, "," in a compact one.
  const char* sep;

  Impl(Style style, Text t) : text(t), sep(style == Style::pretty ? ", " : ",") {
    if (style == Style::pretty) {
      pretty.emplace(buf);
      pretty->SetIndent(' ', 2);
    } else {
      one_line.emplace(buf);
    }
  }
  // Empty again, keeping the buffer's memory (a writer reused record after record).
  void reset() {
    buf.Clear();
    if (pretty)
      pretty->Reset(buf);
    else
      one_line->Reset(buf);
  }
  template <class F>
  void with(F&& f) {
    if (pretty)
      f(*pretty);
    else
      f(*one_line);
  }
};

JsonWriter::JsonWriter(Style style, Text text) : impl_(std::make_unique<Impl>(style, text)) {}
JsonWriter::~JsonWriter() = default;

std::string JsonWriter::text(std::string_view s) const {
  if (valid_utf8(s)) return std::string(s);
  if (impl_->text == Text::strict) throw std::invalid_argument("a text that is not valid UTF-8");
  return replace_bad_utf8(s);
}

void JsonWriter::begin_object() {
  impl_->with([](auto& w) { w.StartObject(); });
}
void JsonWriter::end_object() {
  impl_->with([](auto& w) { w.EndObject(); });
}
void JsonWriter::begin_array() {
  impl_->with([](auto& w) { w.StartArray(); });
}
void JsonWriter::end_array() {
  impl_->with([](auto& w) { w.EndArray(); });
}

void JsonWriter::key(std::string_view k) {
  string(k);  // RapidJSON's Key is its String: the writer knows a key by where it stands
}

void JsonWriter::string(std::string_view v) {
  if (valid_utf8(v)) {
    impl_->with([&](auto& w) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); });
    return;
  }
  const std::string s = text(v);
  impl_->with([&](auto& w) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); });
}

void JsonWriter::count(std::uint64_t n) {
  impl_->with([&](auto& w) { w.Uint64(n); });
}
void JsonWriter::integer(long long n) {
  impl_->with([&](auto& w) { w.Int64(n); });
}
void JsonWriter::boolean(bool b) {
  impl_->with([&](auto& w) { w.Bool(b); });
}
void JsonWriter::null() {
  impl_->with([](auto& w) { w.Null(); });
}

void JsonWriter::number(double x, int decimals) {
  if (std::isfinite(x))
    impl_->with([&](auto& w) { w.Double(rounded(x, decimals)); });
  else
    null();
}

void JsonWriter::optional_number(const std::optional<double>& x, int decimals) {
  if (x)
    number(*x, decimals);
  else
    null();
}

void JsonWriter::exact(double x) {
  if (std::isfinite(x))
    impl_->with([&](auto& w) { w.Double(x); });
  else
    null();
}

void JsonWriter::inline_strings(const std::vector<std::string>& v) {
  std::string raw = "[";
  for (std::size_t k = 0; k < v.size(); ++k) {
    const std::string s = text(v[k]);
    if (k) raw += impl_->sep;
    raw += compact([&](auto& w) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); });
  }
  raw += "]";
  this->raw(raw, false);
}

void JsonWriter::inline_counts(const std::vector<std::size_t>& counts) {
  std::string raw = "[";
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (k) raw += impl_->sep;
    raw += std::to_string(counts[k]);
  }
  raw += "]";
  this->raw(raw, false);
}

void JsonWriter::inline_numbers(const std::vector<double>& v, int decimals) {
  std::string raw = "[";
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (k) raw += impl_->sep;
    raw += std::isfinite(v[k]) ? compact([&](auto& w) { w.Double(rounded(v[k], decimals)); }) : std::string("null");
  }
  raw += "]";
  this->raw(raw, false);
}

void JsonWriter::inline_counts(const std::vector<std::string>& keys, const std::vector<std::size_t>& counts) {
  std::string raw = "{";
  for (std::size_t k = 0; k < keys.size() && k < counts.size(); ++k) {
    const std::string s = text(keys[k]);
    if (k) raw += impl_->sep;
    raw += compact([&](auto& w) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); });
    raw += impl_->pretty ? ": " : ":";
    raw += std::to_string(counts[k]);
  }
  raw += "}";
  this->raw(raw, true);
}

void JsonWriter::raw(std::string_view json, bool object) {
  impl_->with(
      [&](auto& w) { w.RawValue(json.data(), json.size(), object ? rapidjson::kObjectType : rapidjson::kArrayType); });
}

std::string JsonWriter::take() {
  std::string out(impl_->buf.GetString(), impl_->buf.GetSize());
  if (impl_->pretty) out += "\n";
  impl_->reset();
  return out;
}

}  // namespace silt
