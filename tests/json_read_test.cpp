#include "json_read.h"
#include "silt/json_writer.h"

#include <catch2/catch.hpp>

#include <string>

using silt::detail::JsonDocument;
using silt::detail::JsonSequence;
using silt::detail::parse_json;
using silt::detail::parse_json_in_place;

TEST_CASE("json read: integers within 64 bits are integers, past them their text", "[json_read]") {
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(R"([-9223372036854775808, 18446744073709551615, 18446744073709551616, 7])", doc));
  REQUIRE(doc.Size() == 4);
  CHECK(doc[0].IsInt64());
  CHECK(doc[0].GetInt64() == INT64_MIN);
  CHECK(doc[1].IsUint64());
  CHECK(doc[1].GetUint64() == UINT64_MAX);
  REQUIRE(doc[2].IsString());  // past 64 bits: kept whole, as text
  CHECK(std::string(doc[2].GetString()) == "18446744073709551616");
  CHECK(doc[3].IsInt());
  CHECK(doc[3].GetInt() == 7);
}

TEST_CASE("json read: a double is the one strtod gives, one just past a double's range its text", "[json_read]") {
  JsonDocument doc;
  REQUIRE_FALSE(
      parse_json(R"([0.1, 2.2250738585072014e-308, 0.30000000000000004, 1.7976931348623159e308, -1.5E3])", doc));
  CHECK(doc[0].GetDouble() == std::strtod("0.1", nullptr));
  CHECK(doc[1].GetDouble() == std::strtod("2.2250738585072014e-308", nullptr));
  CHECK(doc[2].GetDouble() == std::strtod("0.30000000000000004", nullptr));
  REQUIRE(doc[3].IsString());
  CHECK(std::string(doc[3].GetString()) == "1.7976931348623159e308");
  CHECK(doc[4].GetDouble() == -1500.0);
  // An underflow is the nearest double, as strtod gives it: a number, not text.
  REQUIRE_FALSE(parse_json("[1e-400, -1e-400, 4.9e-324]", doc));
  CHECK(doc[0].IsDouble());
  CHECK(doc[0].GetDouble() == 0.0);
  CHECK(doc[1].GetDouble() == 0.0);
  CHECK(doc[2].GetDouble() == std::strtod("4.9e-324", nullptr));
  // An exponent past 308 RapidJSON refuses, as it did before.
  auto far = parse_json("[1e999]", doc);
  REQUIRE(far);
  CHECK(far->message == "number too big to be stored in double");
}

TEST_CASE("json read: nesting past the limit is too-deep, counted outside strings only", "[json_read][security]") {
  using silt::detail::max_json_depth;
  JsonDocument doc;
  const auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK_FALSE(parse_json(nested(max_json_depth), doc));
  auto deeper = parse_json(nested(max_json_depth + 1), doc);
  REQUIRE(deeper);
  CHECK(std::string(deeper->code) == "too-deep");
  CHECK(doc.IsNull());
  // Far deeper than a stack would take if each level recursed: stopped at the limit.
  auto huge = parse_json(std::string(1'000'000, '['), doc);
  REQUIRE(huge);
  CHECK(std::string(huge->code) == "too-deep");
  // Brackets inside a string are text.
  CHECK_FALSE(parse_json("{\"a\": \"" + std::string(5000, '[') + "\"}", doc));
}

TEST_CASE("json read: one comma after the value, as a line copied out of an array ends, is read past", "[json_read]") {
  JsonDocument doc;
  for (const char* text : {"{\"a\": 1},", "{\"a\": 1} ,\r\n", "[1, 2],  "}) {
    CAPTURE(text);
    CHECK_FALSE(parse_json(text, doc));
    std::string copy = text;
    CHECK_FALSE(parse_json_in_place(copy.data(), copy.size(), doc));
  }
  // Anything more after it is a second value, as before.
  for (const char* text : {"{\"a\": 1},,", "{\"a\": 1}, {\"a\": 2}", "{\"a\": 1}, x"}) {
    CAPTURE(text);
    auto f = parse_json(text, doc);
    REQUIRE(f);
    CHECK(f->message.find("must not be followed by other values") != std::string::npos);
  }
}

TEST_CASE("json read: errors say what and where", "[json_read]") {
  JsonDocument doc;
  SECTION("a syntax error: RapidJSON's words, lower case, and its byte") {
    auto f = parse_json(R"({"a": 1 "b": 2})", doc);
    REQUIRE(f);
    CHECK(std::string(f->code) == "invalid-json");
    CHECK(f->message == "missing a comma or '}' after an object member");
    CHECK(f->offset == 8);
    CHECK_FALSE(f->more);
  }
  SECTION("cut short: said") {
    auto f = parse_json(R"({"title": "a", "body": "b)", doc);
    REQUIRE(f);
    CHECK(f->message.find("cut short") != std::string::npos);
  }
  SECTION("a second document after a whole first one") {
    auto f = parse_json("{\"a\": 1}\n{\"a\": 2}\n", doc);
    REQUIRE(f);
    CHECK(f->more);
    CHECK(f->offset == 9);
  }
  SECTION("bytes that are not UTF-8, inside a string: invalid-utf8 at the bad byte") {
    auto f = parse_json("{\"title\": \"ok \xff\"}", doc);
    REQUIRE(f);
    CHECK(std::string(f->code) == "invalid-utf8");
    CHECK(f->offset == 14);
  }
  SECTION("bytes that are not UTF-8 outside a string: at the bad byte, a character whole before it") {
    const std::string text = "{\"t\": \"\xc3\xa9\"}\xed\xa0\x80 ";
    auto f = parse_json(text, doc);
    REQUIRE(f);
    CHECK(std::string(f->code) == "invalid-utf8");
    CHECK(f->offset == text.find('\xed'));  // a surrogate's encoding: the sequence's first byte
    auto last = parse_json("{}\xff", doc);
    REQUIRE(last);
    CHECK(last->offset == 2);
  }
  SECTION("a NUL after the value is not the end of the text") {
    auto f = parse_json(std::string("{}\0{}", 5), doc);
    REQUIRE(f);
    CHECK(std::string(f->code) == "invalid-json");
  }
  SECTION("a raw control character in a string is named as such, in place or not; a real bad escape stays one") {
    for (bool in_place : {false, true}) {
      INFO(in_place);
      auto parse = [&](std::string text) {
        if (!in_place) return parse_json(text, doc);
        const std::size_t size = text.size();
        text += '\0';
        return parse_json_in_place(text.data(), size, doc);
      };
      auto tab = parse("{\"t\": \"a\tb\", \"u\": \"\\t\"}");
      REQUIRE(tab);
      CHECK(tab->message.find("a control character (U+0009, a tab) inside a string") == 0);
      CHECK(tab->offset == 8);
      auto bell = parse("{\"t\": \"a\x07\"}");
      REQUIRE(bell);
      CHECK(bell->message.find("a control character (U+0007) inside") == 0);
      auto crlf = parse("{\"t\": \"cut sho\r\n");  // a CRLF line cut short
      REQUIRE(crlf);
      CHECK(crlf->message == "missing a closing quotation mark in string (is it cut short?)");
      auto escape = parse(R"({"t": "a\qb"})");
      REQUIRE(escape);
      CHECK(escape->message == "invalid escape character in string");
    }
  }
  SECTION("line_and_column") {
    int line = 0, column = 0;
    silt::detail::line_and_column("ab\ncd\ne", 4, line, column);
    CHECK(line == 2);
    CHECK(column == 2);
  }
}

TEST_CASE("json read: in place, strings are unescaped in the bytes and the byte after is given back", "[json_read]") {
  std::string buf = R"({"t": "a\nb\u00e9", "n": 3})";
  const std::size_t size = buf.size();
  buf += 'X';  // the byte after the record: held as NUL for the parse only
  JsonDocument doc;
  REQUIRE_FALSE(parse_json_in_place(buf.data(), size, doc));
  CHECK(buf[size] == 'X');
  REQUIRE(doc["t"].IsString());
  CHECK(std::string(doc["t"].GetString(), doc["t"].GetStringLength()) == "a\nb\xc3\xa9");
  CHECK(doc["t"].GetString() >= buf.data());  // points into the bytes
  CHECK(doc["t"].GetString() < buf.data() + size);
  CHECK(doc["n"].GetInt() == 3);

  std::string two = "{} {}";
  two += '\n';
  auto f = parse_json_in_place(two.data(), 5, doc);
  REQUIRE(f);
  CHECK(f->more);
  std::string nul("{}\0", 3);
  nul += 'Y';
  CHECK(parse_json_in_place(nul.data(), 3, doc));
  CHECK(nul[3] == 'Y');
}

TEST_CASE("json read: several documents one after another, each where the last ended", "[json_read]") {
  JsonDocument doc;
  const std::string text = "[1, 2]\n  {\"a\": true} \"s\"\n{\"b\": \"\xff\"}\n{\"c\" 1}";
  JsonSequence values(text);
  std::size_t end = 0;
  REQUIRE_FALSE(values.next(0, doc, end));
  CHECK(doc.IsArray());
  CHECK(end == 6);
  REQUIRE_FALSE(values.next(end, doc, end));  // whitespace before a value is skipped
  CHECK(doc["a"].GetBool());
  CHECK(end == text.find(" \"s\""));
  REQUIRE_FALSE(values.next(end, doc, end));
  CHECK(std::string(doc.GetString()) == "s");
  // A bad byte inside the next value is what is wrong with it, at its offset in the text.
  auto bad = values.next(end, doc, end);
  REQUIRE(bad);
  CHECK(std::string(bad->code) == "invalid-utf8");
  CHECK(bad->offset == text.find('\xff'));
  auto syntax = values.next(text.rfind('{'), doc, end);
  REQUIRE(syntax);
  CHECK(std::string(syntax->code) == "invalid-json");
  CHECK(syntax->offset == text.rfind('1'));  // where the colon is missing: offsets into the whole text
}

TEST_CASE("json read: the shape accessors throw on anything unexpected", "[json_read]") {
  using namespace silt::detail;
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(R"({"s": "x", "n": -2, "a": [1], "b": false})", doc));
  CHECK(json_str(json_at(doc, "s")) == "x");
  CHECK(json_int64(json_at(doc, "n")) == -2);
  CHECK_THROWS_AS(json_uint64(json_at(doc, "n")), JsonShapeError);
  CHECK_THROWS_AS(json_at(doc, "missing"), JsonShapeError);
  CHECK_THROWS_AS(json_item(json_at(doc, "a"), 1), JsonShapeError);
  CHECK(json_double(json_item(json_at(doc, "a"), 0)) == 1.0);
  CHECK_FALSE(json_bool(json_at(doc, "b")));
  CHECK_THROWS_AS(json_str(json_at(doc, "b")), JsonShapeError);
  CHECK(std::string(json_kind(json_at(doc, "a"))) == "an array");
  CHECK(json_member(json_at(doc, "a"), "x") == nullptr);
}

TEST_CASE("json read: control bytes 0x1A-0x1F are escaped when written and refused raw, wherever they fall",
          "[json_read]") {
  // RapidJSON's SSE2 scans took them for text inside an aligned block (ANSI colours in a
  // pasted traceback hold ESC).
  const std::string text = std::string(40, 'a') + "\x1b[31mError\x1b[0m" + std::string(40, 'b') + "\x1f";
  silt::JsonWriter w(silt::JsonWriter::Style::compact);
  w.string(text);
  const std::string json = w.take();
  CHECK(json.find('\x1b') == std::string::npos);
  JsonDocument doc;
  REQUIRE_FALSE(parse_json(json, doc));
  CHECK(std::string(doc.GetString(), doc.GetStringLength()) == text);
  for (std::size_t k = 0; k < 32; ++k) {
    INFO(k);
    CHECK(parse_json("\"" + std::string(k, 'x') + "\x1b" + std::string(20, 'y') + "\"", doc));
  }
}
