#include "json_read.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>

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
      const auto [p, ec] = std::from_chars(s, end, d);
      if (ec == std::errc() && p == end && std::isfinite(d)) return doc.Double(d);
      // Out of range: an underflow (1e-400) is the nearest double, 0 or subnormal, as
      // strtod gives it; an overflow stays text.
      if (ec == std::errc::result_out_of_range) {
        const std::string text(s, n);
        if (const double u = std::strtod(text.c_str(), nullptr); std::isfinite(u)) return doc.Double(u);
      }
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
  doc.GetAllocator().Clear();  // what a reused document held (a pool keeps a buffer it was given)
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

// `text` is not UTF-8: where its first bad byte is. A prefix cut at a character's start
// is valid until it takes in the first bad sequence, so the validator finds it by halves.
JsonFailure not_utf8(std::string_view text) {
  auto valid_before = [&](std::size_t k) { return valid_utf8(text.substr(0, utf8_cut(text, k))); };
  std::size_t lo = 0, hi = text.size();  // valid_before(lo), !valid_before(hi)
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    (valid_before(mid) ? lo : hi) = mid;
  }
  return JsonFailure{"invalid-utf8", "bytes that are not UTF-8", utf8_cut(text, lo), false};
}

}  // namespace

namespace {

constexpr unsigned first_value = base_flags | rapidjson::kParseStopWhenDoneFlag;

// RapidJSON calls a raw control character inside a string an "invalid escape character"
// (there may be no escape in the text at all): said as what it is. A carriage return
// that ends the text (a CRLF line cut short) is the string's missing closing quote.
void name_control_character(JsonFailure& f, std::string_view text) {
  if (f.offset >= text.size()) return;
  const auto c = static_cast<unsigned char>(text[f.offset]);
  if (c >= 0x20 || f.message != message_of(rapidjson::kParseErrorStringEscapeInvalid)) return;
  if (c == '\r' && text.find_first_not_of("\r\n", f.offset) == std::string_view::npos) {
    f.message = message_of(rapidjson::kParseErrorStringMissQuotationMark) + " (is it cut short?)";
    return;
  }
  static constexpr const char* names[] = {"", "", "",      "",          "", "", "",
                                          "", "", "a tab", "a newline", "", "", "a carriage return"};
  char code[8];
  std::snprintf(code, sizeof code, "U+%04X", c);
  const std::string name = c < std::size(names) && *names[c] ? std::string(", ") + names[c] : std::string();
  f.message = std::string("a control character (") + code + name +
              ") inside a string: it must be written as an escape (\\t, \\n, \\u00XX)";
}

// After a value that ends at `end`: whitespace only, else a second value (an error).
std::optional<JsonFailure> nothing_after(std::string_view text, std::size_t end, JsonDocument& doc) {
  end = std::min(text.find_first_not_of(" \t\n\r", end), text.size());
  if (end == text.size()) return std::nullopt;
  // One comma after the value, as a line copied out of an array ends ({...},): the value
  // is whole, and nothing is lost by reading it.
  if (text[end] == ',' && text.find_first_not_of(" \t\n\r", end + 1) == std::string_view::npos) return std::nullopt;
  doc.SetNull();
  return JsonFailure{"invalid-json", message_of(rapidjson::kParseErrorDocumentRootNotSingular), end, true};
}

}  // namespace

JsonSequence::JsonSequence(std::string_view text) : text_(text) {
  if (!valid_utf8(text)) bad_utf8_ = not_utf8(text);
}

std::optional<JsonFailure> JsonSequence::next(std::size_t at, JsonDocument& doc, std::size_t& end) {
  at = std::min(at, text_.size());
  // Read where it lies, to its end (a NUL inside is a byte like any other, never an end).
  rapidjson::MemoryStream ms(text_.data() + at, text_.size() - at);
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  std::optional<JsonFailure> failed = parse_stream<first_value>(in, doc, text_.size() - at);
  end = at + in.Tell();
  if (failed) failed->offset += at;
  if (failed) name_control_character(*failed, text_);
  // Bytes that are not UTF-8 (which the parse lets through inside strings) in this value,
  // or before where it fails: they are what is wrong.
  if (bad_utf8_ && bad_utf8_->offset >= at && bad_utf8_->offset < (failed ? failed->offset + 1 : end)) {
    doc.SetNull();
    return bad_utf8_;
  }
  return failed;
}

std::optional<JsonFailure> parse_json(std::string_view text, JsonDocument& doc) {
  JsonSequence values(text);
  if (values.bad_utf8()) return values.bad_utf8();
  std::size_t end = 0;
  if (auto failed = values.next(0, doc, end)) return failed;
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
  // The byte where the parse failed is as it was (an in-place parse writes behind it).
  if (failed) name_control_character(*failed, bytes);
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
