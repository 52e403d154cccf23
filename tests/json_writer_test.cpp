#include "silt/json_writer.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

using silt::JsonWriter;

TEST_CASE("json writer: compact is one line without spaces, pretty indents by two and ends the line", "[json_writer]") {
  auto write = [](JsonWriter& w) {
    w.begin_object();
    w.key("a");
    w.count(1);
    w.key("b");
    w.begin_array();
    w.string("x");
    w.boolean(true);
    w.null();
    w.end_array();
    w.end_object();
  };
  JsonWriter compact(JsonWriter::Style::compact);
  write(compact);
  CHECK(compact.take() == R"({"a":1,"b":["x",true,null]})");
  JsonWriter pretty;
  write(pretty);
  CHECK(pretty.take() == "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n    true,\n    null\n  ]\n}\n");
}

TEST_CASE("json writer: take empties the writer, which then writes a new document", "[json_writer]") {
  JsonWriter w(JsonWriter::Style::compact);
  w.begin_array();
  w.integer(-3);
  w.end_array();
  CHECK(w.take() == "[-3]");
  CHECK(w.take().empty());
  w.begin_object();
  w.end_object();
  CHECK(w.take() == "{}");
}

TEST_CASE("json writer: numbers rounded to what they mean, exact ones read back exactly, null when not finite",
          "[json_writer]") {
  JsonWriter w(JsonWriter::Style::compact);
  const double third = 1.0 / 3, sum = 0.1 + 0.2;
  w.begin_array();
  w.number(third);
  w.number(2.0 / 3, 1);
  w.number(-0.0001);  // rounds to 0: written 0.0, not -0.0
  w.number(std::numeric_limits<double>::quiet_NaN());
  w.optional_number(std::nullopt);
  w.exact(sum);
  w.exact(std::numeric_limits<double>::infinity());
  w.end_array();
  const std::string text = w.take();
  CHECK(text.rfind("[0.333,0.7,0.0,null,null,", 0) == 0);
  auto j = nlohmann::json::parse(text);
  CHECK(j[5].get<double>() == sum);  // bit for bit
  CHECK(j[6].is_null());
}

TEST_CASE("json writer: text that is not UTF-8 becomes U+FFFD, or throws when strict", "[json_writer]") {
  const std::string bad = std::string("ok \xC3") + "\x28 \xFF end";
  JsonWriter w(JsonWriter::Style::compact);
  w.begin_object();
  w.key(bad);
  w.string(bad);
  w.end_object();
  const std::string text = w.take();
  auto j = nlohmann::json::parse(text);  // nlohmann rejects invalid UTF-8: this parses only if it was mended
  const std::string mended = "ok \xEF\xBF\xBD( \xEF\xBF\xBD end";
  CHECK(j[mended] == mended);

  JsonWriter strict(JsonWriter::Style::compact, JsonWriter::Text::strict);
  strict.begin_array();
  CHECK_THROWS_AS(strict.string(bad), std::invalid_argument);
  CHECK_NOTHROW(strict.string("caf\xC3\xA9"));
}

TEST_CASE("json writer: short lists on one line, with a space after commas only in a pretty document",
          "[json_writer]") {
  JsonWriter pretty;
  pretty.begin_object();
  pretty.key("c");
  pretty.inline_counts({3, 0, 1});
  pretty.key("s");
  pretty.inline_strings({"a", "b\"q"});
  pretty.key("n");
  pretty.inline_numbers({0.75, std::nan("")});
  pretty.key("m");
  pretty.inline_counts({"x", "y"}, {1, 2});
  pretty.end_object();
  CHECK(pretty.take() ==
        "{\n  \"c\": [3, 0, 1],\n  \"s\": [\"a\", \"b\\\"q\"],\n  \"n\": [0.75, null],\n  \"m\": {\"x\": 1, \"y\": "
        "2}\n}\n");
  JsonWriter compact(JsonWriter::Style::compact);
  compact.inline_counts({"x", "y"}, {1, 2});
  CHECK(compact.take() == R"({"x":1,"y":2})");
}

TEST_CASE("json writer: a number too large to round is written whole, and the document stays JSON", "[json_writer]") {
  JsonWriter w(JsonWriter::Style::compact);
  w.begin_object();
  w.field("a", 1e306);
  w.field("b", 1);
  w.key("c");
  w.inline_numbers({-1e307, 0.5});
  w.end_object();
  auto j = nlohmann::json::parse(w.take());
  CHECK(j["a"].get<double>() == 1e306);
  CHECK(j["b"] == 1);
  CHECK(j["c"][0].get<double>() == -1e307);
}
