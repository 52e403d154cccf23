// Private: the pieces silt's statistics documents share (eval and agree JSON): silt's
// pretty writer, the one shape of a figure
// ({"value", "n", "interval"}, with "undefined" and "se" where they apply), the header,
// and a reader that names the member it could not read.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_read.h"
#include "silt/json_writer.h"
#include "silt/result.h"
#include "silt/run_header.h"
#include "silt/stats.h"

namespace silt::detail {

// Statistics are written with 3 decimals: more would claim a precision no sample here has.
inline constexpr int statistic_decimals = JsonWriter::default_decimals;

// silt's writer, pretty, with the two shapes statistics documents share.
class JsonOut : public JsonWriter {
 public:
  void figure(const stats::Estimate& e);
  void header(const RunHeader& h);
};

// A member that is missing or of the wrong type, named by its path ("category.accuracy").
struct BadJson : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A JSON value and where it is in the document; every accessor throws BadJson naming
// the path on a missing member or a wrong type.
class JsonIn {
 public:
  JsonIn(const JsonValue& e, std::string path) : e_(&e), path_(std::move(path)) {}
  JsonIn at(std::string_view key) const;
  std::optional<JsonIn> find(std::string_view key) const;
  JsonIn at(std::size_t index) const;
  bool is_null() const { return e_->IsNull(); }
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
  const JsonValue* e_;
  std::string path_;
};

// Parses `text` and checks that its header names `schema`: an Error with code
// "other-format" when the text is not such a document (not JSON, no header, another
// schema), so a caller can try another reader. Parsed into `doc`, which is returned.
Result<const JsonValue*> parse_document(JsonDocument& doc, std::string_view text, const std::string& schema,
                                        const std::string& name);

}  // namespace silt::detail
