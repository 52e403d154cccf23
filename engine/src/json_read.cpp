#include "json_read.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "silt/utf8.h"

namespace silt::detail {

namespace {

// Forwards a reader's events to the document, counting how deep values nest (stopping
// the parse past max_json_depth) and reading each number from its text.
struct BoundedHandler {
  JsonDocument& doc;
  std::size_t depth = 0;
  bool too_deep = false;

  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned u) { return doc.Uint(u); }
  bool Int64(std::int64_t i) { return doc.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc.Uint64(u); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    const char* end = s + n;
    if (std::string_view(s, n).find_first_of(".eE") == std::string_view::npos) {
      if (n > 0 && s[0] == '-') {
        std::int64_t i = 0;
        if (auto [p, ec] = std::from_chars(s, end, i); ec == std::errc() && p == end) return doc.Int64(i);
      } else {
        std::uint64_t u = 0;
        if (auto [p, ec] = std::from_chars(s, end, u); ec == std::errc() && p == end) return doc.Uint64(u);
      }
    } else {
      double d = 0;
      if (auto [p, ec] = std::from_chars(s, end, d); ec == std::errc() && p == end && std::isfinite(d))
        return doc.Double(d);
    }
    return doc.String(s, n, copy);  // past 64 bits or a double's range: its text
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool StartObject() { return deeper() && doc.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth;
    return doc.EndObject(members);
  }
  bool StartArray() { return deeper() && doc.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth;
    return doc.EndArray(elements);
  }

 private:
  bool deeper() {
    if (++depth <= max_json_depth) return true;
    too_deep = true;
    return false;
  }
};

constexpr unsigned base_flags = rapidjson::kParseNumbersAsStringsFlag;

// RapidJSON's message for `code`, lower case, without its final period.
std::string message_of(rapidjson::ParseErrorCode code) {
  std::string m = rapidjson::GetParseError_En(code);
  if (!m.empty() && m.back() == '.') m.pop_back();
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  return m;
}

template <unsigned flags, class Stream>
std::optional<JsonFailure> parse_stream(Stream& in, JsonDocument& doc, std::size_t size) {
  doc.SetNull();
  rapidjson::ParseResult result;
  bool too_deep = false;
  auto generate = [&](JsonDocument& d) {
    BoundedHandler h{d};
    rapidjson::Reader reader;
    result = reader.Parse<flags>(in, h);
    too_deep = h.too_deep;
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return std::nullopt;
  doc.SetNull();
  JsonFailure f;
  f.offset = result.Offset();
  if (too_deep) {
    f.code = "too-deep";
    f.message = "arrays or objects nested deeper than " + std::to_string(max_json_depth);
    return f;
  }
  f.code = "invalid-json";
  f.message = message_of(result.Code());
  f.more = result.Code() == rapidjson::kParseErrorDocumentRootNotSingular;
  if (f.offset >= size && result.Code() != rapidjson::kParseErrorDocumentEmpty) f.message += " (is it cut short?)";
  return f;
}

// Where in `text` (not UTF-8) the first bad byte is, as RapidJSON's check finds it.
JsonFailure not_utf8(std::string_view text) {
  JsonFailure f{"invalid-utf8", "bytes that are not UTF-8", 0, false};
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  const auto r = reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag |
                              rapidjson::kParseIterativeFlag>(in, ignore);
  if (r.Code() == rapidjson::kParseErrorStringInvalidEncoding) f.offset = r.Offset();
  return f;
}

}  // namespace

namespace {

constexpr unsigned first_value = base_flags | rapidjson::kParseStopWhenDoneFlag;

// After a value that ends at `end`: whitespace only, else a second value (an error).
std::optional<JsonFailure> nothing_after(std::string_view text, std::size_t end, JsonDocument& doc) {
  end = std::min(text.find_first_not_of(" \t\n\r", end), text.size());
  if (end == text.size()) return std::nullopt;
  doc.SetNull();
  return JsonFailure{"invalid-json", message_of(rapidjson::kParseErrorDocumentRootNotSingular), end, true};
}

}  // namespace

std::optional<JsonFailure> parse_first_json(std::string_view text, JsonDocument& doc, std::size_t& end) {
  if (!valid_utf8(text)) return not_utf8(text);
  if (text.find('\0') != std::string_view::npos) {  // not valid JSON: read as bytes, for where
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    auto failed = parse_stream<first_value>(in, doc, text.size());
    end = in.Tell();
    return failed;
  }
  // A NUL-terminated copy, which RapidJSON scans 16 bytes at a time (reading up to 15
  // bytes past the NUL: room is made for them).
  std::string copy;
  copy.reserve(text.size() + json_padding);
  copy.assign(text);
  rapidjson::StringStream in(copy.c_str());
  auto failed = parse_stream<first_value>(in, doc, text.size());
  end = in.Tell();
  return failed;
}

std::optional<JsonFailure> parse_json(std::string_view text, JsonDocument& doc) {
  std::size_t end = 0;
  if (auto failed = parse_first_json(text, doc, end)) return failed;
  return nothing_after(text, end, doc);
}

std::optional<JsonFailure> parse_json_in_place(char* text, std::size_t size, JsonDocument& doc) {
  const std::string_view bytes(text, size);
  if (!valid_utf8(bytes)) return not_utf8(bytes);
  const char saved = text[size];
  text[size] = '\0';
  rapidjson::InsituStringStream in(text);
  // Stops after the value: what follows it is checked below, since a NUL inside the
  // bytes would otherwise end the text early.
  auto failed = parse_stream<first_value | rapidjson::kParseInsituFlag>(in, doc, size);
  const std::size_t end = in.Tell();
  text[size] = saved;
  if (failed) return failed;
  return nothing_after(bytes, end, doc);
}

void line_and_column(std::string_view text, std::size_t offset, int& line, int& column) {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

const JsonValue* json_member(const JsonValue& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  const auto it = v.FindMember(JsonValue(rapidjson::StringRef(key.data(), key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> json_string(const JsonValue& v) {
  if (!v.IsString()) return std::nullopt;
  return std::string_view(v.GetString(), v.GetStringLength());
}

const char* json_kind(const JsonValue& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsString()) return "a string";
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  return "a number";
}

const JsonValue& json_at(const JsonValue& v, std::string_view key) {
  const JsonValue* m = json_member(v, key);
  if (!m) throw JsonShapeError("no member '" + std::string(key) + "'");
  return *m;
}

const JsonValue& json_item(const JsonValue& v, std::size_t i) {
  if (!v.IsArray() || i >= v.Size()) throw JsonShapeError("no item " + std::to_string(i));
  return v[static_cast<rapidjson::SizeType>(i)];
}

rapidjson::Value::ConstArray json_array(const JsonValue& v) {
  if (!v.IsArray()) throw JsonShapeError("not an array");
  return v.GetArray();
}

rapidjson::Value::ConstObject json_object(const JsonValue& v) {
  if (!v.IsObject()) throw JsonShapeError("not an object");
  return v.GetObject();
}

std::string_view json_str(const JsonValue& v) {
  auto s = json_string(v);
  if (!s) throw JsonShapeError("not a string");
  return *s;
}

double json_double(const JsonValue& v) {
  if (!v.IsNumber()) throw JsonShapeError("not a number");
  return v.GetDouble();
}

std::int64_t json_int64(const JsonValue& v) {
  if (!v.IsInt64()) throw JsonShapeError("not an integer");
  return v.GetInt64();
}

std::uint64_t json_uint64(const JsonValue& v) {
  if (!v.IsUint64()) throw JsonShapeError("not a whole number, 0 or more");
  return v.GetUint64();
}

bool json_bool(const JsonValue& v) {
  if (!v.IsBool()) throw JsonShapeError("not true or false");
  return v.GetBool();
}

}  // namespace silt::detail
