#include "silt/issue.h"

#include "issue_json.h"

#include <catch2/catch.hpp>

using namespace silt;

TEST_CASE("plain text: the first non-blank line is the title", "[issue]") {
  auto i = issue_from_text("\n\n# Loss is wrong\n\nThe loss is 3.\nSecond line.\n", "x.md");
  CHECK(i.id == "x.md");
  CHECK(i.title == "Loss is wrong");
  CHECK(i.body == "\nThe loss is 3.\nSecond line.\n");
}

TEST_CASE("a GitHub REST issue object gives owner/repo#number, labels and a null body", "[issue]") {
  auto r = read_issues(R"({"number": 123, "title": "T", "body": null,
    "repository_url": "https://api.github.com/repos/tensorflow/tensorflow",
    "html_url": "https://github.com/tensorflow/tensorflow/issues/123",
    "labels": [{"id": 1, "name": "type:bug"}, {"id": 2, "name": "comp:keras"}], "comments": 4})",
                       "in.json");
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 1);
  const Issue& i = r.value()[0];
  CHECK(i.id == "tensorflow/tensorflow#123");
  CHECK(i.title == "T");
  CHECK(i.body.empty());
  CHECK(i.labels == std::vector<std::string>{"type:bug", "comp:keras"});
  CHECK(i.field("labels") == "type:bug\ncomp:keras");
  CHECK(i.comments.empty());  // a count in the REST API, not text
  CHECK(i.url == "https://github.com/tensorflow/tensorflow/issues/123");
}

TEST_CASE("a gh --json object: repository from url, comments as text", "[issue]") {
  auto r = read_issues(R"({"number": 7, "title": "T", "body": "B",
    "url": "https://github.com/keras-team/keras/issues/7",
    "labels": [{"id": "LA_x", "name": "bug"}],
    "comments": [{"author": {"login": "a"}, "body": "first"}, {"author": {"login": "b"}, "body": "second"}]})",
                       "-");
  REQUIRE(r.ok());
  const Issue& i = r.value()[0];
  CHECK(i.id == "keras-team/keras#7");
  CHECK(i.comments == std::vector<std::string>{"first", "second"});
  CHECK(i.field("comments") == "first\n\nsecond");
}

TEST_CASE("a JSON array gives one issue per element, in order", "[issue]") {
  auto r = read_issues(R"([{"number": 1, "title": "a"}, {"number": 2, "title": "b"}, {"title": "c"}])", "list.json");
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 3);
  CHECK(r.value()[0].id == "#1");
  CHECK(r.value()[1].title == "b");
  CHECK(r.value()[2].id == "list.json[2]");
}

TEST_CASE("invalid JSON gives the line and column of the error", "[issue]") {
  auto r = read_issues("{\n  \"title\": \"x\",\n  \"body\": oops\n}", "bad.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().line == 3);
  CHECK(r.error().column == 11);
  CHECK(r.error().message.rfind("invalid JSON", 0) == 0);
}

TEST_CASE("an object with neither title nor body is rejected", "[issue]") {
  auto r = read_issues(R"({"number": 5, "title": "  ", "body": null})", "x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "no-title-or-body");
  CHECK(r.error().message.find("neither a title nor a body") != std::string::npos);
  auto arr = read_issues(R"([{"title": "ok"}, 3])", "x");
  REQUIRE_FALSE(arr.ok());
  CHECK(arr.error().code == "not-an-object");
  CHECK(arr.error().message.find("element [1]") != std::string::npos);
}

TEST_CASE("a title or body that is not a string (nor null) is an error naming the field and what it is", "[issue]") {
  auto r = read_issues(R"({"title": "Shape is wrong", "body": 3})", "x.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad-field");
  CHECK(r.error().message.find("'body' must be a string (or null), found a number") != std::string::npos);
  auto title = read_issues(R"({"title": {"text": "t"}, "body": "b"})", "x.json");
  REQUIRE_FALSE(title.ok());
  CHECK(title.error().code == "bad-field");
  CHECK(title.error().message.find("'title'") != std::string::npos);
  CHECK(title.error().message.find("an object") != std::string::npos);
  auto null_body = read_issues(R"({"title": "Shape is wrong", "body": null})", "x.json");  // the REST API's
  REQUIRE(null_body.ok());
  REQUIRE(null_body.value().size() == 1);
  CHECK(null_body.value()[0].body.empty());
}

TEST_CASE("bytes that are not UTF-8 are an error, not a text issue", "[issue]") {
  auto r = read_issues(std::string("title\n\xff\xfe body"), "bin");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid-utf8");
}

TEST_CASE("empty input is an error, not an empty issue", "[issue]") {
  auto r = read_issues("  \n\t\n", "empty.md");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "empty");
}

TEST_CASE("issue_from_json reads one object", "[issue]") {
  auto r = issue_from_json(R"({"id": "abc", "title": "t", "body": "b"})");
  REQUIRE(r.ok());
  CHECK(r.value().id == "abc");
  auto array = issue_from_json("[1]");
  REQUIRE_FALSE(array.ok());
  CHECK(array.error().code == "not-an-object");
}

TEST_CASE("a UTF-8 byte order mark before a JSON issue or a text is not part of it", "[issue]") {
  auto j =
      read_issues("\xEF\xBB\xBF{\"number\": 7, \"title\": \"T\", \"body\": \"b\", \"repository\": \"o/r\"}", "f.json");
  REQUIRE(j.ok());
  REQUIRE(j.value().size() == 1);
  CHECK(j.value()[0].id == "o/r#7");  // read as JSON, not as a text titled by its first line
  CHECK(j.value()[0].title == "T");
  auto t = read_issues("\xEF\xBB\xBF# Loss is wrong\n\nbody\n", "x.md");
  REQUIRE(t.ok());
  CHECK(t.value()[0].title == "Loss is wrong");
}

TEST_CASE("an integer past 64 bits is valid JSON: the issue is read", "[issue]") {
  for (const char* extra :
       {"100000000000000000000000000000", "-18446744073709551617", "18446744073709551616", "1.5e300"}) {
    CAPTURE(extra);
    auto r = read_issues(std::string(R"({"number": 12, "title": "T", "body": "b", "extra": )") + extra + "}", "f.json");
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].id == "#12");
    CHECK(r.value()[0].title == "T");
  }
  // In an array too, and an issue number that is a big number is kept as its digits.
  auto a = read_issues(R"([{"number": 99999999999999999999, "title": "A"}, {"title": "B", "x": 1e99}])", "a.json");
  REQUIRE(a.ok());
  REQUIRE(a.value().size() == 2);
  CHECK(a.value()[0].id == "#99999999999999999999");
  CHECK(a.value()[1].title == "B");
  // A malformed number is still an error, with its place; so is one past a double's range
  // (RFC 8259 lets a reader limit the range: both readers stop at it), said as such.
  auto bad = read_issues("{\"title\": \"T\", \"x\": 01}", "b.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().line == 1);
  auto huge = read_issues("{\"title\": \"T\",\n \"x\": 1e400}", "h.json");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().line == 2);
  CHECK(huge.error().message.find("too big") != std::string::npos);
}

TEST_CASE("several JSON documents one after another are read in order, a bad one is named by its line", "[issue]") {
  auto r = read_issues("{\"number\": 1, \"title\": \"a\"}\n\n{\"title\": \"b\"}\n[{\"number\": 3, \"title\": \"c\"}]",
                       "f.jsonl");
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 3);
  CHECK(r.value()[0].id == "#1");
  CHECK(r.value()[1].id == "f.jsonl:3");  // no id of its own: its line
  CHECK(r.value()[2].id == "#3");
  auto cut = read_issues("{\"title\": \"a\"}\n{\"title\": \"b\"}\n{\"title\": \"c\"", "f.jsonl");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().line == 3);
  CHECK(cut.error().message.find("silt batch") != std::string::npos);
  auto empty = read_issues("{\"title\": \"a\"}\n{\"x\": 1}\n", "f.jsonl");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().line == 2);
  CHECK(empty.error().code == "no-title-or-body");
}

TEST_CASE("with skipped, an element or document that is no issue is named and the others are read", "[issue]") {
  std::vector<Error> skipped;
  auto a = read_issues(R"([{"number": 1, "title": "a"}, {"x": 1}, {"number": 3, "title": "c"}])", "a.json", &skipped);
  REQUIRE(a.ok());
  REQUIRE(a.value().size() == 2);
  CHECK(a.value()[1].id == "#3");
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].message.find("element [1]") == 0);
  skipped.clear();
  auto l = read_issues("{\"title\": \"a\"}\n{\"x\": 1}\n{\"title\": \"c\"}\n", "f.jsonl", &skipped);
  REQUIRE(l.ok());
  CHECK(l.value().size() == 2);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].line == 2);
  // Without it, the first fails the whole, as before; so does a syntax error.
  CHECK_FALSE(read_issues(R"([{"title": "a"}, {"x": 1}])", "a.json").ok());
  CHECK_FALSE(read_issues("{\"title\": \"a\"}\n{\"title\": \n", "f.jsonl").ok());
}

TEST_CASE("JSON Lines are read line by line: a number past 64 bits is read, a bad line is named alone", "[issue]") {
  auto r = read_issues(
      "{\"title\": \"a\"}\n{\"title\": \"b\", \"n\": 123456789012345678901234567890}\n{\"title\": \"c\"}\n", "f.jsonl");
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 3);
  CHECK(r.value()[1].title == "b");
  auto one = issue_from_json("\xEF\xBB\xBF{\"title\": \"T\"}");  // a BOM before one object
  REQUIRE(one.ok());
  CHECK(one.value().title == "T");
  // A syntax error, or bytes that are not UTF-8, on one line: that line is named (its
  // column into the line) and every other line is read, the first one too.
  std::vector<Error> skipped;
  auto bad = read_issues(
      std::string("{\"title\": \"a\" body}\n{\"title\": \"b\"}\n{\"title\": \"\xff\"}\n") + "{\"title\": \"d\"}\n",
      "f.jsonl", &skipped);
  REQUIRE(bad.ok());
  REQUIRE(bad.value().size() == 2);
  CHECK(bad.value()[0].title == "b");
  CHECK(bad.value()[1].title == "d");
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0].line == 1);
  CHECK(skipped[0].column == 15);  // at "body"
  CHECK(skipped[0].code == "invalid-json");
  CHECK(skipped[1].line == 3);
  CHECK(skipped[1].code == "invalid-utf8");
  // Without `skipped`, the first bad line fails the whole, named by its line.
  auto whole = read_issues("{\"title\": \"a\"}\n{\"title\" 1}\n", "f.jsonl");
  REQUIRE_FALSE(whole.ok());
  CHECK(whole.error().line == 2);
  CHECK(whole.error().message.find("silt batch") != std::string::npos);
}

TEST_CASE("with skipped, a syntax error in JSON Lines keeps the documents before it and names it", "[issue]") {
  std::vector<Error> skipped;
  auto r = read_issues("{\"title\": \"a\"}\n{\"title\": \"b\"}\n{\"title\": \n", "f.jsonl", &skipped);
  REQUIRE(r.ok());
  CHECK(r.value().size() == 2);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].line == 3);
}

TEST_CASE("an issue without a number takes the one its address gives, scheme and host in any case", "[issue]") {
  auto r = read_issues(R"({"title": "t", "html_url": "https://github.com/apache/mxnet/issues/5"})", "u.json");
  REQUIRE(r.ok());
  CHECK(r.value()[0].id == "apache/mxnet#5");
  auto api = read_issues(R"({"title": "t", "url": "https://api.github.com/repos/o/r/issues/12"})", "u.json");
  REQUIRE(api.ok());
  CHECK(api.value()[0].id == "o/r#12");
  auto upper = read_issues(R"({"title": "t", "number": 3, "html_url": "HTTPS://GITHUB.COM/o/r/issues/3"})", "u.json");
  REQUIRE(upper.ok());
  CHECK(upper.value()[0].id == "o/r#3");
}

TEST_CASE("a file named as JSON that holds a bare value is no issue, a text file of one word is one", "[issue]") {
  for (const char* value : {"42", "\"just a string\"", "true", "null"}) {
    CAPTURE(value);
    auto r = read_issues(value, "t.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "not-an-object");
    CHECK_FALSE(read_issues(value, "t.jsonl").ok());
  }
  auto text = read_issues("null", "t.md");
  REQUIRE(text.ok());
  CHECK(text.value()[0].title == "null");
}

TEST_CASE("a Markdown issue's title is the first line it shows: no template comment, no markup", "[issue]") {
  auto comment =
      issue_from_text("<!-- template comment\nplease fill -->\n\n# Wrong output shape\n\nThe shape.\n", "a.md");
  CHECK(comment.title == "Wrong output shape");
  CHECK(comment.body == "\nThe shape.\n");
  auto markup = issue_from_text("## **Wrong** `output shape` after reshape\n\nnothing else\n", "b.md");
  CHECK(markup.title == "Wrong output shape after reshape");
  auto code_first = issue_from_text("```\nx = 1\n```\nThe loss is NaN\nafter one step\n", "c.md");
  CHECK(code_first.title == "The loss is NaN");
  CHECK(code_first.body == "after one step\n");
  auto list = issue_from_text("1. Loss is wrong\n2. Then it is NaN\n", "d.md");
  CHECK(list.title == "Loss is wrong");
  CHECK(list.body == "2. Then it is NaN\n");
  auto setext = issue_from_text("Shape is wrong\n==============\n\nbody\n", "e.md");
  CHECK(setext.title == "Shape is wrong");
}

TEST_CASE("UTF-16 and gzip input are named as such, not as binary", "[issue]") {
  auto u16 = read_issues(std::string("\xFF\xFET\0i\0", 6), "u.md");
  REQUIRE_FALSE(u16.ok());
  CHECK(u16.error().message.find("UTF-16") != std::string::npos);
  auto gz = read_issues(std::string("\x1F\x8B\x08\0", 4), "g.json");
  REQUIRE_FALSE(gz.ok());
  CHECK(gz.error().message.find("gzip") != std::string::npos);
}

TEST_CASE("an id or number from 2^63 to 2^64-1 is kept as its digits", "[issue]") {
  auto r = read_issues(
      "{\"id\": 12345678901234567890, \"title\": \"a\"}\n{\"number\": 9223372036854775808, \"title\": \"b\"}\n",
      "f.jsonl");
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 2);
  CHECK(r.value()[0].id == "12345678901234567890");
  CHECK(r.value()[1].id == "#9223372036854775808");
}

TEST_CASE("a syntax error in documents printed over several lines is named at its own line and column", "[issue]") {
  auto r = read_issues("{\n  \"title\": \"a\"\n}\n{\n  \"title\": \"c\",\n  \"x\": [1,,2]\n}\n", "pp.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().line == 6);
  CHECK(r.error().column == 11);  // the second comma
  CHECK(r.error().message.find("document starting at line 4") != std::string::npos);
}

TEST_CASE("an input that is not UTF-8 says whether it reads as 8-bit text (and how to convert it) or not", "[issue]") {
  auto latin1 = read_issues("Caf\xe9 shape is wrong\n\nThe output is na\xefve.\n", "a.md");
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.error().code == "invalid-utf8");
  CHECK(latin1.error().message.find("8-bit encoding (Latin-1, Windows-1252)") != std::string::npos);
  CHECK(latin1.error().message.find("iconv -f WINDOWS-1252 -t UTF-8") != std::string::npos);
  auto binary = read_issues(std::string("\x7f"
                                        "ELF\x02\x01\x01\0\0\0\xff\xfe",
                                        14),
                            "a.md");
  REQUIRE_FALSE(binary.ok());
  CHECK(binary.error().message.find("a binary file?") != std::string::npos);
}

TEST_CASE("a text that opens with a bracket and goes on as prose is text, not broken JSON", "[issue]") {
  const std::string body = "\n\nThe accuracy drops after load_model.\n";
  const std::vector<std::pair<std::string, std::string>> titles = {
      {"[Bug]: accuracy drops after reload", "[Bug]: accuracy drops after reload"},
      {"[TF 2.4](https://x.y) accuracy drops", "TF 2.4 accuracy drops"},  // the title as it shows
      {"[x] I searched; accuracy drops", "[x] I searched; accuracy drops"},
      {"{TF 2.4} accuracy drops", "{TF 2.4} accuracy drops"},
      {"[2.4] Regression", "[2.4] Regression"},
      {"[ 2.4 ]: accuracy drops", "[ 2.4 ]: accuracy drops"},
      {"[2.4][Keras] fit fails", "[2.4][Keras] fit fails"},
      {"[2.0] 模型 accuracy drops", "[2.0] 模型 accuracy drops"},
      {"[ ] I searched; accuracy drops", "[ ] I searched; accuracy drops"},
      {"[2.x] accuracy drops", "[2.x] accuracy drops"},
      {"[2.0.0-beta1] accuracy drops", "[2.0.0-beta1] accuracy drops"},
      {"[1e-3] lr ignored", "[1e-3] lr ignored"},
      {"[1, 2] shape is wrong", "[1, 2] shape is wrong"},  // a whole JSON value, then words on its line
      {"{} is returned by get_config", "{} is returned by get_config"}};
  for (const auto& [text, title] : titles) {
    auto r = read_issues(text + body, "<stdin>");
    INFO(text);
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].title == title);
  }
  // What may be JSON stays JSON, and a JSON error says how to read the input as text.
  auto broken = read_issues("{\"title\": \"x\"\n", "<stdin>");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "invalid-json");
  CHECK(broken.error().message.find("--input-format markdown") != std::string::npos);
  for (const char* json_text :
       {"[]\n", "[1][2]\n", "[ ]\n[{\"title\": \"x\"}]\n", "[2.4], [1]\n", "{\"title\": \"x\"} {\"title\": \"y\"}\n",
        "{\"title\": \"x\"} oops\n{\"title\": \"y\"}\n",  // a broken line among JSON Lines
        "[{\"title\": \"x\"}] null\n"}) {
    INFO(json_text);
    auto r = read_issues(json_text, "<stdin>");
    CHECK((!r.ok() || r.value().empty() || r.value()[0].title == "x"));
  }
  auto numbers = read_issues("[1, 2]\n", "<stdin>");
  REQUIRE_FALSE(numbers.ok());
  CHECK(numbers.error().code == "not-an-object");
  // A file named as JSON is JSON whatever follows its bracket: the hint is not given.
  auto named = read_issues("[Bug] x\n", "a.json");
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().message.find("--input-format") == std::string::npos);
}

TEST_CASE("the input format given overrides detection, *.md is text, *.txt by its content", "[issue]") {
  const std::string json = "{\"title\": \"Memory leak\", \"body\": \"b\"}";
  auto md = read_issues(json, "issue.md");
  REQUIRE(md.ok());
  CHECK(md.value()[0].title == json);
  auto txt = read_issues(json, "x.txt");  // gh issue view --json ... > issue.txt
  REQUIRE(txt.ok());
  CHECK(txt.value()[0].title == "Memory leak");
  auto as_text = read_issues(json, "<stdin>", nullptr, IssueFormat::text);
  REQUIRE(as_text.ok());
  CHECK(as_text.value()[0].title == json);
  auto as_json = read_issues(json, "issue.md", nullptr, IssueFormat::json);
  REQUIRE(as_json.ok());
  CHECK(as_json.value()[0].title == "Memory leak");
  auto not_json = read_issues("Memory leak\n", "<stdin>", nullptr, IssueFormat::json);
  REQUIRE_FALSE(not_json.ok());
  CHECK(not_json.error().code == "invalid-json");
  CHECK(parse_issue_format("markdown") == IssueFormat::text);
  CHECK(parse_issue_format("text") == IssueFormat::text);
  CHECK(parse_issue_format("auto") == IssueFormat::detect);
  CHECK_FALSE(parse_issue_format("csv").has_value());
}

TEST_CASE("a text ending in an unfinished link, inside a larger buffer, is read up to its end", "[issue]") {
  // md4c 0.4.8 reads past the end of "[](" and parsed on into a ')' found there (a crash,
  // found by the fuzzer): silt hands it a copy that ends where the text does.
  std::string text = "Shape wrong\n\n{\"body\":\"b\",";
  text += '\0';
  text += "x\":\"https://a/b]([](";
  const std::string buffer = text + ")" + std::string(64, 'x') + ")";
  auto r = read_issues(std::string_view(buffer.data(), text.size()), "<stdin>", nullptr, IssueFormat::text);
  REQUIRE(r.ok());
  CHECK(r.value()[0].title == "Shape wrong");
  CHECK(r.value()[0].body.find(')') == std::string::npos);
}
