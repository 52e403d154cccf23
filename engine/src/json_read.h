// Private: the one way silt reads JSON, whatever the format (issues, batch records,
// classifications, eval and agree output, embedded specs and caches): RapidJSON's DOM,
// filled through a handler that bounds nesting and keeps numbers exact.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace silt::detail {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;

// How deep arrays and objects may nest: deeper is "too-deep", read no further (the
// parse recurses once a level).
inline constexpr std::size_t max_json_depth = 1024;

// Why a text is not read: `code` is "invalid-json", "invalid-utf8" or "too-deep";
// `message` RapidJSON's words, lower case, without a final period; `offset` the byte
// of `text` where it is wrong; `more` whether that is a second value after a whole
// first one (JSON Lines given where one document was expected).
struct JsonFailure {
  const char* code = nullptr;
  std::string message;
  std::size_t offset = 0;
  bool more = false;
};

// Numbers: an integer within 64 bits (signed or not) is an integer, any other number
// within a double's range a double (correctly rounded, an underflow 0 or subnormal); an
// integer past 64 bits (an id of 30 digits) or a number just past a double's largest is
// kept as its text, a string. An exponent past 308 RapidJSON refuses (1e999).

// Parses `text`, which must hold one value and nothing after it but whitespace, into
// `doc` (its strings copied into doc's allocator). UTF-8 is checked.
std::optional<JsonFailure> parse_json(std::string_view text, JsonDocument& doc);

// Several JSON values one after another in a text (documents back to back), each read in
// turn where it lies: the text's UTF-8 is checked once, not once a value.
class JsonSequence {
 public:
  explicit JsonSequence(std::string_view text);
  // Parses the value that starts at byte `at` (after whitespace) into `doc` and stops
  // after it; `end` is then where it ended. Offsets, in and out, are into the whole text.
  std::optional<JsonFailure> next(std::size_t at, JsonDocument& doc, std::size_t& end);
  // The text's first bytes that are not UTF-8, if any.
  const std::optional<JsonFailure>& bad_utf8() const { return bad_utf8_; }

 private:
  std::string_view text_;
  std::optional<JsonFailure> bad_utf8_;
};

// Parses `size` bytes at `text` in place: strings are unescaped inside them, and the
// document points into them. text[size] must be writable (it holds a NUL for the time
// of the parse, then its byte again). UTF-8 is checked.
std::optional<JsonFailure> parse_json_in_place(char* text, std::size_t size, JsonDocument& doc);

// The 1-based line and column of byte `offset` of `text`.
void line_and_column(std::string_view text, std::size_t offset, int& line, int& column);

// Reading values: null when `v` is not an object or has no such member.
const JsonValue* json_member(const JsonValue& v, std::string_view key);
// The string `v` is, or nothing.
std::optional<std::string_view> json_string(const JsonValue& v);
// "an object", "an array", "a string", "a number", "a boolean" or "null".
const char* json_kind(const JsonValue& v);

// For the forms silt writes and reads back (specs, caches), where anything unexpected
// means "not a file this build wrote": these throw JsonShapeError.
struct JsonShapeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
const JsonValue& json_at(const JsonValue& v, std::string_view key);  // the member, which must be there
const JsonValue& json_item(const JsonValue& v, std::size_t i);       // item i of the array v must be
rapidjson::Value::ConstArray json_array(const JsonValue& v);         // the items of the array v must be
rapidjson::Value::ConstObject json_object(const JsonValue& v);       // the members of the object v must be
std::string_view json_str(const JsonValue& v);                       // the string v must be
double json_double(const JsonValue& v);                              // the number v must be
std::int64_t json_int64(const JsonValue& v);                         // the integer v must be
std::uint64_t json_uint64(const JsonValue& v);                       // the integer >= 0 v must be
bool json_bool(const JsonValue& v);                                  // the boolean v must be

}  // namespace silt::detail
