// Private: the pieces silt's statistics documents share (eval and agree JSON): a pretty
// writer whose numbers are rounded to what they mean, the one shape of a figure
// ({"value", "n", "interval"}, with "undefined" and "se" where they apply), the header,
// and a reader that names the member it could not read.
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silt/result.h"
#include "silt/run_header.h"
#include "silt/stats.h"

namespace silt::detail {

// Statistics are written with 3 decimals: more would claim a precision no sample here has.
inline constexpr int statistic_decimals = 3;

class JsonOut {
 public:
  JsonOut();
  void begin_object() { w_.StartObject(); }
  void end_object() { w_.EndObject(); }
  void begin_array() { w_.StartArray(); }
  void end_array() { w_.EndArray(); }
  void key(std::string_view k);
  void string(std::string_view s);  // bytes that are not UTF-8 become U+FFFD
  void count(std::size_t n) { w_.Uint64(n); }
  void integer(long long n) { w_.Int64(n); }
  void boolean(bool b) { w_.Bool(b); }
  void null() { w_.Null(); }
  // Rounded to `decimals`; null when not finite.
  void number(double x, int decimals = statistic_decimals);
  void optional_number(const std::optional<double>& x, int decimals = statistic_decimals);
  // A short list on one line: ["a", "b"], [0.467, 1.0].
  void inline_strings(const std::vector<std::string>& v);
  // [3, 0, 1] and [0.75, 0.0, 0.25] on one line.
  void inline_counts(const std::vector<std::size_t>& counts);
  void inline_numbers(const std::vector<double>& v, int decimals = statistic_decimals);
  // {"a": 1, "b": 0} on one line.
  void inline_counts(const std::vector<std::string>& keys, const std::vector<std::size_t>& counts);
  void figure(const stats::Estimate& e);
  void header(const RunHeader& h);
  std::string take();

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w_;
};

// A member that is missing or of the wrong type, named by its path ("category.accuracy").
struct BadJson : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A JSON value and where it is in the document; every accessor throws BadJson naming
// the path on a missing member or a wrong type.
class JsonIn {
 public:
  JsonIn(simdjson::dom::element e, std::string path) : e_(e), path_(std::move(path)) {}
  JsonIn at(std::string_view key) const;
  std::optional<JsonIn> find(std::string_view key) const;
  JsonIn at(std::size_t index) const;
  bool is_null() const { return e_.is_null(); }
  double number() const;
  std::optional<double> optional_number() const;  // null: nullopt
  std::size_t count() const;
  std::uint64_t uint64() const;
  bool boolean() const;
  std::string string() const;
  std::vector<std::string> strings() const;
  std::vector<JsonIn> items() const;                            // an array's
  std::vector<std::pair<std::string, JsonIn>> members() const;  // an object's, in order
  stats::Estimate figure() const;
  RunHeader header() const;
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  simdjson::dom::element e_;
  std::string path_;
};

// Parses `text` and checks that its header names `schema`: an Error with code
// "other-format" when the text is not such a document (not JSON, no header, another
// schema), so a caller can try another reader. `parser` must outlive the element.
Result<simdjson::dom::element> parse_document(simdjson::dom::parser& parser, const simdjson::padded_string& text,
                                              const std::string& schema, const std::string& name);

}  // namespace silt::detail
