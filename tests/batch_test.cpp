#include "silt/batch.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "record_reader.h"
#include "test_support.h"

using namespace silt;
namespace fs = std::filesystem;

namespace {

// Keeps everything run_batch hands over.
struct Collect : BatchSink {
  std::string out;
  std::vector<Reject> rejects;
  std::vector<std::string> input_errors;
  void write(std::string_view b) override { out.append(b); }
  void reject(const Reject& r) override { rejects.push_back(r); }
  void input_error(const std::string& input, const std::string& m) override {
    input_errors.push_back(input + ": " + m);
  }

  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) v.push_back(nlohmann::json::parse(line));
    return v;
  }
};

using silt::test::TempDir;

std::string issue_line(int n, const std::string& title, const std::string& body = "") {
  return nlohmann::json{{"number", n}, {"title", title}, {"body", body}}.dump() + "\n";
}

BatchStats run(const std::vector<std::string>& inputs, Collect& sink, BatchOptions opt = {}) {
  opt.inputs = inputs;
  return run_batch(silt::test::default_classifier(), opt, sink);
}

// A member of each labeled record (its source, its title), in order.
std::vector<std::string> each_of(const Collect& sink, const char* member) {
  std::vector<std::string> v;
  for (const auto& r : sink.records()) v.push_back(r[member]);
  return v;
}

std::vector<std::string> sources_of(const Collect& sink) {
  return each_of(sink, "source");
}

// Options that hold records to `max_record` bytes, the input read as `format`.
BatchOptions limited(std::uint64_t max_record, InputFormat format = InputFormat::detect) {
  BatchOptions opt;
  opt.max_record = max_record;
  opt.input_format = format;
  return opt;
}

// Thousands of records whose titles cycle through four categories.
std::string many_records(int n) {
  const char* titles[] = {"Memory leak in fit", "Wrong output shape", "Progress bar far too long",
                          "Accuracy drops after loading the saved model"};
  std::string s;
  for (int i = 0; i < n; ++i) s += issue_line(i, titles[i % 4], std::string(static_cast<std::size_t>(i % 700), 'x'));
  return s;
}

}  // namespace

TEST_CASE("batch: JSON Lines, one output record per input record, with its source", "[batch]") {
  TempDir d;
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak in predict") + "\n" + issue_line(2, "Wrong output shape"));
  Collect sink;
  auto stats = run({f}, sink);
  auto recs = sink.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["id"] == "#1");
  CHECK(recs[0]["category"] == "performance-degradation");
  CHECK(recs[0]["source"] == f + ":1");
  CHECK(recs[1]["source"] == f + ":3");  // the blank line 2 is no record
  CHECK(stats.records == 2);
  CHECK(stats.labeled == 2);
  CHECK(stats.rejected == 0);
  CHECK(stats.by_category["performance-degradation"] == 1);
  CHECK(stats.by_level[3] == 1);
}

TEST_CASE("batch: a JSON array, gh api --paginate's arrays in a row, and pretty-printed objects", "[batch]") {
  TempDir d;
  auto arrays = d.write("pages.json",
                        "[\n  {\"number\": 1, \"title\": \"Memory leak\"},\n  {\"number\": 2, \"title\": \"a "
                        "\\\"quoted\\\" ]} title\"}\n]"
                        "[{\"number\": 3, \"title\": \"third\"}]\n");
  auto pretty = d.write(
      "one.json", "{\n  \"number\": 9,\n  \"title\": \"pretty\"\n}\n{\n  \"number\": 10,\n  \"title\": \"again\"\n}\n");
  Collect sink;
  auto stats = run({arrays, pretty}, sink);
  auto recs = sink.records();
  REQUIRE(recs.size() == 5);
  CHECK(recs[0]["source"] == arrays + "[0]");
  CHECK(recs[1]["title"] == "a \"quoted\" ]} title");
  CHECK(recs[2]["source"] == arrays + "[2]");
  CHECK(recs[3]["source"] == pretty + ":1");
  CHECK(recs[4]["source"] == pretty + ":5");
  CHECK(stats.rejected == 0);
}

TEST_CASE("batch: a directory is every *.json in it, in sorted order", "[batch]") {
  Collect sink;
  auto stats = run({SILT_TEST_FIXTURES "/batch-dir"}, sink);
  auto recs = sink.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["id"] == "#1");  // a.json
  CHECK(recs[0]["source"].get<std::string>().find("a.json:1") != std::string::npos);
  CHECK(recs[1]["id"] == "#3");  // b.json
  CHECK(recs[1]["source"].get<std::string>().find("b.json[0]") != std::string::npos);
  CHECK(stats.input_errors == 0);
}

TEST_CASE("batch: a directory of no *.json file is an input error that names the datasets it holds", "[batch]") {
  TempDir d;
  fs::create_directories(d.path / "in");
  d.write("in/a.jsonl", issue_line(1, "Memory leak"));
  d.write("in/b.jsonl", issue_line(2, "Memory leak"));
  d.write("in/c.csv", "title,body\nx,y\n");
  d.write("in/notes.txt", "x");
  Collect sink;
  auto stats = run({(d.path / "in").string()}, sink);
  CHECK(stats.records == 0);
  REQUIRE(sink.input_errors.size() == 1);
  CHECK(sink.input_errors[0].find("the directory holds no *.json file (it holds 1 *.csv, 2 *.jsonl: name them, as " +
                                  (d.path / "in").string() + "/*.jsonl)") != std::string::npos);
}

TEST_CASE("batch: CSV with a header, quoted multi-line fields", "[batch]") {
  TempDir d;
  auto f = d.write("in.csv",
                   "Title,ID,body\r\n"
                   "\"Progress bar, way too long\",x1,\"line one\nline \"\"two\"\"\"\r\n"
                   "Memory leak,x2,RAM keeps growing\r\n");
  Collect sink;
  auto stats = run({f}, sink);
  auto recs = sink.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["id"] == "x1");
  CHECK(recs[0]["title"] == "Progress bar, way too long");
  CHECK(recs[0]["category"] == "wrong-displayed-message");
  CHECK(recs[0]["source"] == f + ":2");
  CHECK(recs[1]["source"] == f + ":4");  // the quoted field spans lines 2-3
  CHECK(stats.rejected == 0);
}

TEST_CASE("batch: CSV lines ended by a CR alone (old Mac line ends) are lines, each row its own source",
          "[batch][csv]") {
  // Every row of such a file was once on 'line 0', all with one id; a bad row's next
  // lines are still read again as rows.
  TempDir d;
  auto f = d.write("mac.csv",
                   "title,body\r\"Progress bar, way too long\",\"line one\rline two\"\rMemory leak,RAM grows\r"
                   "bad,\"open\" quote\rWrong shape,x\r");
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(sources_of(sink) == std::vector<std::string>{f + ":2", f + ":4", f + ":6"});
  auto recs = sink.records();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["title"] == "Progress bar, way too long");
  CHECK(recs[2]["title"] == "Wrong shape");
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].source == f + ":5");
  CHECK(stats.rejected == 1);
}

TEST_CASE("batch: a CSV without title and body columns is an input error, the other inputs still run", "[batch]") {
  TempDir d;
  auto bad = d.write("bad.csv", "id,text\n1,hello\n");
  auto good = d.write("good.jsonl", issue_line(1, "Memory leak"));
  Collect sink;
  auto stats = run({bad, good, d.path.string() + "/missing.jsonl"}, sink);
  CHECK(stats.input_errors == 2);
  REQUIRE(sink.input_errors.size() == 2);
  CHECK(sink.input_errors[0].find("must name a 'title' and a 'body' column") != std::string::npos);
  CHECK(sink.input_errors[1].find("cannot open") != std::string::npos);
  CHECK(sink.records().size() == 1);
}

TEST_CASE("batch: an input of nothing but blanks is an input error, an empty list or a bare header is no error",
          "[batch]") {
  TempDir d;
  auto empty = d.write("empty.jsonl", "");
  auto blanks = d.write("blanks.json", " \n\r\n\t\n");
  auto none = d.write("none.json", "[]\n");
  auto header = d.write("header.csv", "id,title,body\n");
  auto good = d.write("good.jsonl", issue_line(1, "Memory leak"));
  Collect sink;
  auto stats = run({empty, blanks, none, header, good}, sink);
  CHECK(stats.input_errors == 2);
  REQUIRE(sink.input_errors.size() == 2);
  CHECK(sink.input_errors[0].find("empty.jsonl: the input is empty (no records)") != std::string::npos);
  CHECK(sink.input_errors[1].find("blanks.json: the input is empty") != std::string::npos);
  CHECK(stats.records == 1);
  CHECK(sink.records().size() == 1);
  // Blanks before the first record, however many, are passed over: lines still counted.
  auto spaced =
      d.write("spaced.json", std::string(5 << 20, ' ') + "\n\n{\n  \"title\": \"Memory leak\",\n  \"body\": 1 2\n}\n");
  auto lines = d.write("lines.jsonl", std::string(5 << 20, '\n'));
  Collect more;
  auto s2 = run({spaced, lines}, more);
  CHECK(s2.records == 1);
  REQUIRE(more.rejects.size() == 1);
  CHECK(more.rejects[0].source == spaced + ":3");
  CHECK(more.rejects[0].raw.rfind("{\n  \"title\"", 0) == 0);
  REQUIRE(more.input_errors.size() == 1);
  CHECK(more.input_errors[0].find("lines.jsonl: the input is empty") != std::string::npos);
}

TEST_CASE("batch: gzip, UTF-16 and Markdown inputs are named as such, each an input error", "[batch]") {
  TempDir d;
  auto gz = d.write("a.jsonl.gz", std::string("\x1f\x8b\x08\0\0\0", 6));
  auto u16 = d.write("b.json", std::string("\xff\xfe{\0}\0", 6));
  auto md = d.write("c.md", "Title\n\nbody\n");
  Collect sink;
  auto stats = run({gz, u16, md}, sink);
  CHECK(stats.input_errors == 3);
  REQUIRE(sink.input_errors.size() == 3);
  CHECK(sink.input_errors[0].find("a gzip file") != std::string::npos);
  CHECK(sink.input_errors[1].find("UTF-16 text") != std::string::npos);
  CHECK(sink.input_errors[2].find("silt classify") != std::string::npos);
}

TEST_CASE("batch: an array element that swallowed the records after it says so", "[batch][rejects]") {
  // The broken element opens the array on its line: nothing tells where it should end.
  TempDir d;
  auto f = d.write("unb.json",
                   "[{\"id\":2,\"title\":\"b\",\"body\":\"x\",\n"
                   "{\"id\":3,\"title\":\"c\",\"body\":\"y\"},\n{\"id\":4,\"title\":\"d\",\"body\":\"z\"}\n]\n");
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(stats.rejected == 1);
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].message.find("the record runs over 4 lines: a missing brace") != std::string::npos);
  CHECK(sink.records().empty());
}

TEST_CASE("batch: a broken value ends where the next one starts, and the records after it come out",
          "[batch][rejects]") {
  TempDir d;
  struct Case {
    const char* what;
    std::string text;
    std::vector<std::string> rejected, labeled;  // sources, after the file's name
    bool says_cut;                               // the reject says it ends where the next record starts
  };
  const std::vector<Case> cases = {
      {"an element missing its closing brace, in an array laid out one element a line",
       "[{\"id\":1,\"title\":\"a\",\"body\":\"x\"},\n{\"id\":2,\"title\":\"b\",\"body\":\"x\",\n"
       "{\"id\":3,\"title\":\"c\",\"body\":\"y\"},\n{\"id\":4,\"title\":\"d\",\"body\":\"z\"}\n]\n",
       {"[1]"},
       {"[0]", "[2]", "[3]"},
       true},
      {"a pretty-printed element (jq, gh) missing its closing brace",
       "[\n  {\n    \"number\": 1,\n    \"title\": \"Memory leak\"\n  },\n  {\n    \"number\": 2,\n"
       "    \"title\": \"cut\"\n  ,\n  {\n    \"number\": 3,\n    \"title\": \"Wrong output shape\"\n  }\n]\n",
       {"[1]"},
       {"[0]", "[2]"},
       true},
      {"a page missing its closing bracket, then the next page of gh api --paginate",
       "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2, \"title\": \"b\"}\n"
       "[\n  {\"number\": 3, \"title\": \"Memory leak\"}\n]\n",
       {},
       {"[0]", "[1]", "[2]"},
       false},
      {"a pretty-printed page missing its closing bracket after a comma, then the next page",
       "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2, \"title\": \"b\"},\n"
       "[\n  {\"number\": 3, \"title\": \"Memory leak\"}\n]\n",
       {},
       {"[0]", "[1]", "[2]"},
       false},
      {"a page whose last element is cut short, then the next page",
       "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2, \"title\": \"cut\"\n]\n"
       "[\n  {\"number\": 3, \"title\": \"Memory leak\"}\n]\n",
       {"[1]"},
       {"[0]", "[2]"},
       false},
      {"a stream of pretty-printed objects, one missing its closing brace",
       "{\n  \"number\": 9,\n  \"title\": \"cut\"\n\n{\n  \"number\": 10,\n  \"title\": \"again\"\n}\n",
       {":1"},
       {":5"},
       true},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto f = d.write("in.json", c.text);
    Collect sink;
    auto stats = run({f}, sink);
    CHECK(stats.records == c.rejected.size() + c.labeled.size());
    CHECK(stats.rejected == c.rejected.size());
    std::vector<std::string> rejected, labeled;
    for (const auto& r : sink.rejects) {
      rejected.push_back(r.source.substr(f.size()));
      if (c.says_cut) CHECK(r.message.find("it ends where the next record starts") != std::string::npos);
    }
    for (const auto& s : sources_of(sink)) labeled.push_back(s.substr(f.size()));
    CHECK(rejected == c.rejected);
    CHECK(labeled == c.labeled);
    // The broken record is kept as it was, up to where the next one starts.
    if (c.says_cut && c.text.front() == '[' && c.text[1] == '{')
      CHECK(sink.rejects.at(0).raw == "{\"id\":2,\"title\":\"b\",\"body\":\"x\",\n");
  }
}

TEST_CASE("batch: past a string that runs over a line, no brace starts a record: no record is made up",
          "[batch][rejects]") {
  // A quote missing, or a raw newline pasted into a body with a snippet after it: what is
  // in a string and what is not can no longer be told, so the broken record takes what
  // follows until its braces close (and says so), rather than a snippet becoming a record.
  TempDir d;
  for (const std::string& broken : {std::string("{\"number\": 1, \"title\": \"no end,\n   \"body\": \"x\"},\n"),
                                    std::string("{\"number\": 1, \"title\": \"t\", \"body\": \"pasted:\n"
                                                "  { \"title\": \"made up\", \"body\": \"snippet\" }\nmore\"},\n")}) {
    auto f = d.write("s.json", "[\n  " + broken + "  {\"number\": 2, \"title\": \"Memory leak\"}\n]\n");
    Collect sink;
    auto stats = run({f}, sink);
    INFO(broken);
    CHECK(stats.rejected >= 1);
    for (const auto& r : sink.records()) CHECK(r["title"] != "made up");
    REQUIRE_FALSE(sink.rejects.empty());
    CHECK(sink.rejects[0].source == f + "[0]");
    CHECK(sink.rejects[0].message.find("it ends where the next record starts") == std::string::npos);
  }
}

TEST_CASE(
    "batch: past a string that runs over a line, the layout gh, jq and json.dumps print tells where the next "
    "record starts",
    "[batch][rejects]") {
  // A quote missing in a pretty-printed record: the records after it come out, whether
  // in an array (the broken one in the middle or last) or in a stream of objects.
  TempDir d;
  const std::string a = "  {\n    \"number\": 1,\n    \"title\": \"Memory leak\"\n  }";
  const std::string broken = "  {\n    \"number\": 2,\n    \"title\": \"no end,\n    \"body\": \"x\"\n  }";
  const std::string c = "  {\n    \"number\": 3,\n    \"title\": \"Wrong output shape\"\n  }";
  struct Case {
    std::string what, text;
    std::vector<std::string> rejected, labeled;
  };
  const std::vector<Case> cases = {
      {"an array, the broken element between two",
       "[\n" + a + ",\n" + broken + ",\n" + c + "\n]\n",
       {"[1]"},
       {"[0]", "[2]"}},
      {"an array, the broken element last, then another array",
       "[\n" + a + ",\n" + broken + "\n]\n[\n" + c + "\n]\n",
       {"[1]"},
       {"[0]", "[2]"}},
      {"a stream of objects at the margin",
       "{\n  \"number\": 1,\n  \"title\": \"a\"\n}\n{\n  \"number\": 2,\n  \"title\": \"no end\n}\n"
       "{\n  \"number\": 3,\n  \"title\": \"Wrong output shape\"\n}\n",
       {":5"},
       {":1", ":9"}},
      {"one object a line in an array, the broken one between two (jq's and many scripts' layout)",
       "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2, \"title\": \"no end, \"body\": \"x\"},\n"
       "  {\"number\": 3, \"title\": \"c\"},\n  {\"number\": 4, \"title\": \"d\"}\n]\n",
       {"[1]"},
       {"[0]", "[2]", "[3]"}},
      {"one object a line, the broken one last before the array's end, CRLF line ends",
       "[\r\n  {\"number\": 1, \"title\": \"a\"},\r\n  {\"number\": 2, \"title\": \"no end}  \r\n]\r\n"
       "[\r\n  {\"number\": 3, \"title\": \"c\"}\r\n]\r\n",
       {"[1]"},
       {"[0]", "[2]"}},
      {"a stream, the missing quote the opening one, CRLF line ends",
       "{\r\n  \"number\": 1,\r\n  \"title\": no end\",\r\n  \"body\": \"b\"\r\n},\r\n"
       "{\r\n  \"number\": 3,\r\n  \"title\": \"Wrong output shape\"\r\n}\r\n",
       {":1"},
       {":6"}},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    auto f = d.write("in.json", k.text);
    Collect sink;
    auto stats = run({f}, sink);
    std::vector<std::string> rejected;
    for (const auto& r : sink.rejects) {
      rejected.push_back(r.source.substr(f.size()));
      CHECK(r.message.find("a string in it runs over a line") != std::string::npos);
    }
    std::vector<std::string> labeled;
    for (const auto& s : sources_of(sink)) labeled.push_back(s.substr(f.size()));
    CHECK(rejected == k.rejected);
    CHECK(labeled == k.labeled);
    CHECK(stats.records == k.rejected.size() + k.labeled.size());
  }
}

TEST_CASE(
    "batch: the members of an object whose opening brace is missing are one bad record, the next object "
    "is read",
    "[batch][rejects]") {
  TempDir d;
  auto f = d.write(
      "in.json",
      "{\n  \"number\": 1,\n  \"title\": \"a\",\n  \"labels\": [\n    {\n      \"name\": \"bug\"\n    }\n  ]\n}\n"
      "  \"number\": 2,\n  \"title\": \"b\",\n  \"labels\": [\n    {\n      \"name\": \"bug\"\n    }\n  ]\n}\n"
      "{\n  \"number\": 3,\n  \"title\": \"Wrong output shape\"\n}\n");
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(stats.records == 3);
  CHECK(sources_of(sink) == std::vector<std::string>{f + ":1", f + ":18"});
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].source == f + ":10");
  CHECK(sink.rejects[0].message.find("the opening brace of an object may be missing") != std::string::npos);
  CHECK(sink.rejects[0].raw.find("\"number\": 2") != std::string::npos);
  CHECK(sink.rejects[0].raw.find("\"number\": 3") == std::string::npos);
}

TEST_CASE("batch: what breaks the layout rules keeps its records, wherever a read's end falls", "[batch][rejects]") {
  // The reader takes 1 MiB a read: the spot that tells where a broken record ends is
  // put across that boundary, and each record after it must still come out.
  constexpr std::size_t block = 1 << 20;
  auto pad_to = [](const std::string& head, std::size_t at) {  // a first record ending so that `at` is next
    std::string r = "{\n  \"title\": \"a\",\n  \"body\": \"";
    r += std::string(at - head.size() - r.size() - 4, 'x') + "\"\n}\n";
    return r;
  };
  TempDir d;
  SECTION("an object missing its '{', the line of an object it holds just after the boundary") {
    const std::string garbage = "  \"title\": \"c\",\n  \"labels\": [\n";
    std::string text = pad_to("", block - garbage.size() - 2);
    text += garbage + "  ";  // the boundary falls here, inside the next line's indent
    REQUIRE(text.size() == block);
    text += "  {\n      \"title\": \"FAKE\",\n      \"body\": \"x\"\n    }\n  ],\n  \"body\": \"d\"\n}\n";
    text += "{\n  \"title\": \"e\",\n  \"body\": \"f\"\n}\n";
    auto f = d.write("g.json", text);
    Collect sink;
    run({f}, sink);
    CHECK(each_of(sink, "title") == std::vector<std::string>{"a", "e"});
    CHECK(sink.rejects.size() == 1);
  }
  SECTION("a record over the size limit whose string runs over a line, its closing line across the boundary") {
    std::string text = "[\n  {\n    \"title\": \"one\",\n    \"body\": \"broken ";
    text += std::string(block - text.size() - 3, 'x') + "\n  ";  // the boundary: between "  " and "},"
    REQUIRE(text.size() == block);
    text +=
        "},\n  {\n    \"title\": \"two\",\n    \"body\": \"ok\"\n  },\n  {\n    \"title\": \"three\",\n"
        "    \"body\": \"ok\"\n  }\n]\n";
    auto f = d.write("s.json", text);
    Collect sink;
    BatchOptions opt = limited(1000);
    run({f}, sink, opt);
    CHECK(each_of(sink, "title") == std::vector<std::string>{"two", "three"});
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].code == "too-large");
  }
  SECTION("an object missing its '{', over the size limit before its end is read") {
    const std::string garbage = "  \"title\": \"" + std::string(100, 'c') + "\",\n  \"labels\": [\n";
    std::string text = pad_to("", block - garbage.size() - 2);
    const std::size_t starts = text.size();
    text += garbage + "  ";
    text += "  {\n      \"title\": \"FAKE\",\n      \"body\": \"x\"\n    }\n  ],\n  \"body\": \"d\"\n}\n";
    const std::size_t ends = text.size();
    text += "{\n  \"title\": \"e\",\n  \"body\": \"f\"\n}\n";
    auto f = d.write("g.json", text);
    Collect sink;
    BatchOptions opt = limited(40);  // the first record is over it too: a reject as well
    run({f}, sink, opt);
    CHECK(each_of(sink, "title") == std::vector<std::string>{"e"});
    REQUIRE(sink.rejects.size() == 2);
    CHECK(sink.rejects[1].code == "too-large");
    CHECK(sink.rejects[1].raw_size == ends - starts - 2);  // from the first byte after its indent
  }
  SECTION("a record as big as the limit, cut by the layout, the read ending just after the next '{'") {
    std::string text = "{\n  \"title\": \"one\",\n  \"body\": \"broken ";
    text += std::string(block - text.size() - 4, 'x') + "\n}\n{";
    REQUIRE(text.size() == block);
    const std::size_t record = block - 2;  // up to its '}'
    text += "\n  \"title\": \"two\",\n  \"body\": \"ok\"\n}\n";
    auto f = d.write("l.json", text);
    Collect sink;
    BatchOptions opt = limited(record);  // within it: not too large, however the reads fall
    run({f}, sink, opt);
    CHECK(sources_of(sink) == std::vector<std::string>{f + ":5"});
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].code == "invalid-json");
    CHECK(sink.rejects[0].raw.size() == record);
  }
  SECTION("a stray comma between objects on one line, laid out one a line before") {
    auto f = d.write("c.json", "{\"title\": \"z\"}\n{\"title\":\"a\"}, {\"title\":\"c\"}, {\"title\":\"e\"}\n");
    Collect sink;
    BatchOptions opt;
    opt.input_format = InputFormat::json;  // a JSON stream: in JSON Lines, such a line is one bad record
    run({f}, sink, opt);
    CHECK(sources_of(sink) == std::vector<std::string>{f + ":1", f + ":2", f + ":2:16", f + ":2:31"});
  }
}

TEST_CASE("batch: objects each followed by a comma, as lines copied out of an array, are all labeled",
          "[batch][rejects]") {
  // Read as JSON Lines (each line one object and a comma) and as a JSON stream alike: the
  // commas are no records, and no object is rejected for its comma. A second comma is.
  TempDir d;
  auto f =
      d.write("c.json", "{\"title\": \"a\"},\n{\"title\": \"b\"} , \r\n{\"title\": \"c\"},\n{\"title\": \"d\"},,\n");
  for (InputFormat format : {InputFormat::detect, InputFormat::json}) {
    Collect sink;
    BatchOptions opt;
    opt.input_format = format;
    auto stats = run({f}, sink, opt);
    INFO(static_cast<int>(format));
    // Line 4, two commas: as JSON Lines the line is one bad record; as a JSON stream the
    // object is good and the second comma is the bad record.
    std::vector<std::string> good = {f + ":1", f + ":2", f + ":3"};
    if (format == InputFormat::json) good.push_back(f + ":4");
    CHECK(sources_of(sink) == good);
    CHECK(stats.rejected == 1);
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].source == (format == InputFormat::json ? f + ":4:16" : f + ":4"));
  }
}

TEST_CASE("batch: where a read ends changes nothing: reads of 1 to 7 bytes give what one read gives",
          "[batch][rejects]") {
  // Every spot of each input falls at a read's end for some read size: the records, the
  // rejects and their sources and codes must be those of a single read.
  struct Restore {
    ~Restore() { silt::detail::max_read_for_tests = 0; }
  } restore;
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"broken.json",
       "[\n  {\n    \"title\": \"a\"\n  },\n  {\n    \"title\": \"no end,\n    \"body\": \"x\"\n  },\n  {\n"
       "    \"title\": \"c\"\n  }\n]\n"},
      {"stream.json",
       "{\r\n  \"title\": \"a\"\r\n}\r\n  \"title\": \"b\",\r\n  \"labels\": [\r\n    {\r\n"
       "      \"name\": \"x\"\r\n    }\r\n  ]\r\n}\r\n{\r\n  \"title\": \"c\"\r\n}\r\n"},
      {"lines.jsonl",
       "{\"title\":\"a\"}{\"title\":\"b}{\"title\":\"c\"}  {\"title\":\"d\"}\n\n[1, 2]\n{\"title\":\"e\"}"},
      {"mac.csv", "title,body\r\"a\",\"x\ry\"\rb,\"open\" q\r\nc,d\n"},
      {"scalars.json", "[\n  1\n,\n  {\"title\": \"a\"}\n]\nnull\n{\"title\": \"b\"}\n"},
      {"last.json",
       "[\n\t{\n\t\t\"title\": \"a\",\n\t\t\"body\": \"pasted\n\t\t{ \"x\": 1 }\n\t}\n]\n"
       "{\"title\": \"b\"}, {\"title\": \"c\"}\n"},
      {"stray.json", "stray words ]] here\n{\"title\":\"a\"} trailing words {\"title\":\"b\"}\n"},
      {"strayarr.json", "[{\"title\":\"a\"}, 3};\n{\"title\":\"b\"}]\n"},
      {"blank.jsonl", "\n \n  \t{\"title\":\"a\"}\n   \n{\"title\":\"b\"}\n"},
      {"pages.json", "[\n  {\"title\": \"a\"},\n  {\"title\": \"b\"\n[\n  {\"title\": \"c\"}\n]\n"},
      {"indent.json",  // the cut record under the limit, its next line's indentation over it
       "[\n        {\"t\": \"no end},\n        {\"title\": \"c\"}\n]\n"},
      {"blanks.json",  // cut records at the limit, with blanks after their closing '}'
       "[\r\n{\"t\": \"a, \"b\": 1},   \r\n{\"title\": \"c\"}\r\n]\r\n"
       "[\n{\n\"t\": \"a,\n\"b\": 1\n}, \n{\n\"title\": \"d\"\n}\n]\n"},
      {"commas.json", "{\"title\": \"a\"},\n{\"title\": \"b\"} , {\"title\": \"c\"},,\n[1] , [{\"title\": \"d\"}],\n"},
      {"compact.json",
       "[\n  {\"title\": \"a\"},\n  {\"title\": \"no end, \"body\": \"x\"} , \r\n  {\"title\": \"c\", \"body\": "
       "\"d\"},\n  {\"title\": \"e\"}\n]\n"},
  };
  TempDir d;
  for (const auto& [name, text] : inputs)
    for (std::uint64_t max_record : {std::uint64_t{1} << 20, std::uint64_t{20}}) {
      // A JSON Lines line over the limit before its newline is read is one reject
      // whatever it holds (the README says so): only there may reads change the outcome.
      if (name == "lines.jsonl" && max_record < text.size()) continue;
      auto f = d.write(name, text);
      auto outcome = [&](std::size_t read) {
        silt::detail::max_read_for_tests = read;
        Collect sink;
        BatchOptions opt = limited(max_record);
        run({f}, sink, opt);
        std::vector<std::string> got = sources_of(sink);
        for (const auto& r : sink.rejects) got.push_back(r.source + " " + r.code + " " + std::to_string(r.raw_size));
        return got;
      };
      const auto whole = outcome(0);
      for (std::size_t read = 1; read <= 7; ++read) {
        INFO(name << ", max_record " << max_record << ", reads of " << read << " bytes");
        CHECK(outcome(read) == whole);
      }
    }
}

TEST_CASE("batch: objects one after another on a line are records of their own, each with its column",
          "[batch][rejects]") {
  // jq -j, or records appended with no newline: "}{" outside strings starts a record; a
  // "}{" inside a string does not, and a broken object keeps what follows on its line.
  TempDir d;
  const std::string one = "{\"number\": 1, \"title\": \"Wrong output shape\", \"body\": \"f'{a}{b}' }{\"}";
  const std::string two = "{\"number\": 2, \"title\": \"Memory leak\"}";
  const std::string bad = "{\"number\": 3, \"title\": \"no end}";
  const std::string four = "{\"number\": 4, \"title\": \"b\"}";
  for (const std::string name : {"in.jsonl", "in.json"}) {
    INFO(name);
    auto f = d.write(name, one + two + "\n" + two + bad + four + "\n" + four + "\n");
    Collect sink;
    auto stats = run({f}, sink);
    CHECK(stats.records == 5);
    // A record after another on its line is named by its column as well: every source,
    // and the id of a record that has none of its own, is one record's.
    CHECK(sources_of(sink) ==
          std::vector<std::string>{f + ":1", f + ":1:" + std::to_string(one.size() + 1), f + ":2", f + ":3"});
    CHECK(each_of(sink, "title") == std::vector<std::string>{"Wrong output shape", "Memory leak", "Memory leak", "b"});
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].source == f + ":2:" + std::to_string(two.size() + 1));
    CHECK(sink.rejects[0].raw == bad + four);
    // The column of the error (the word after the string the missing quote ran on to)
    // counts from the line's start, past the record before it.
    CHECK(sink.rejects[0].message.find("(column " + std::to_string(two.size() + bad.size() + 3) + ")") !=
          std::string::npos);
  }
}

TEST_CASE("batch: objects on one line separated by spaces are split too, each held to the size limit", "[batch]") {
  TempDir d;
  std::string line;
  for (int i = 0; i < 5; ++i)
    line += "{\"title\":\"t" + std::to_string(i) + "\",\"body\":\"b\"}" + (i % 2 ? "\t" : "  ");
  const std::string big = "{\"title\":\"big\",\"body\":\"" + std::string(200, 'x') + "\"}";
  auto f = d.write("k.jsonl", line + big + "\n");
  Collect sink;
  BatchOptions opt = limited(100);  // the line is over it, each of its first five objects is not
  auto stats = run({f}, sink, opt);
  CHECK(stats.records == 6);
  CHECK(sink.records().size() == 5);
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].code == "too-large");
  CHECK(sink.rejects[0].source == f + ":1:" + std::to_string(line.size() + 1));
}

TEST_CASE("batch: a bare scalar ended by its line's end counts that line once", "[batch][rejects]") {
  // The newline that ends a number or a word in an array was counted by the scan and
  // again by what reads between values: every line after it was one too far on.
  TempDir d;
  auto f = d.write(
      "in.json",
      "[\n  1\n]\n{\"number\": 2, \"title\": \"b\"}\n[\n  true\n,\n  x\n]\n{\"number\": 3, \"title\": \"c\"}\n");
  Collect sink;
  run({f}, sink);
  CHECK(sources_of(sink) == std::vector<std::string>{f + ":4", f + ":10"});
}

TEST_CASE("batch: valid JSON is never split, whatever the layout of what a value holds", "[batch]") {
  TempDir d;
  // Objects and arrays inside a record, each first on its line, as far in as the record:
  // after a colon, after an array's bracket, after a comma between elements.
  auto f = d.write("v.json",
                   "[\n{\"number\": 1, \"title\": \"a\", \"user\":\n{\"login\": \"x\"}, \"labels\": [\n"
                   "{\"name\": \"bug\"},\n{\"name\": \"silent\"}\n], \"body\": \"b\"},\n"
                   "{\"number\": 2, \"title\": \"c\"}\n]\n"
                   "{\"number\": 3, \"title\": \"d\", \"user\":\n{\"login\": \"y\"}}\n");
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(stats.rejected == 0);
  CHECK(sources_of(sink) == std::vector<std::string>{f + "[0]", f + "[1]", f + ":9"});
}

TEST_CASE("batch: each kind of bad record is rejected, counted, kept unchanged, the good ones all come out",
          "[batch][rejects]") {
  TempDir d;
  const std::string cut = "{\"number\": 2, \"title\": \"cut sho";
  const std::string utf8 = "{\"number\": 3, \"title\": \"bad \xff byte\"}";
  const std::string array = "[1, 2]";
  const std::string empty = "{\"number\": 5, \"title\": \" \", \"body\": null}";
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak") + cut + "\n" + utf8 + "\n" + array + "\n" + empty + "\n" +
                                   issue_line(6, "Wrong output shape"));
  auto csv = d.write("in.csv", "id,title,body\n7,too,many,fields\n8,,\n9,Progress bar too long,\n");
  Collect sink;
  auto stats = run({f, csv}, sink);
  CHECK(stats.records == 9);
  CHECK(stats.labeled == 3);
  CHECK(stats.rejected == 6);
  REQUIRE(sink.rejects.size() == 6);
  std::vector<std::string> codes, sources;
  for (const auto& r : sink.rejects) {
    codes.push_back(r.code);
    sources.push_back(r.source);
  }
  CHECK(codes == std::vector<std::string>{"invalid-json", "invalid-utf8", "not-an-object", "no-title-or-body",
                                          "csv-fields", "no-title-or-body"});
  CHECK(sources == std::vector<std::string>{f + ":2", f + ":3", f + ":4", f + ":5", csv + ":2", csv + ":3"});
  CHECK(sink.rejects[0].raw == cut);
  CHECK(sink.rejects[1].raw == utf8);
  CHECK(sink.rejects[4].raw == "7,too,many,fields\n");
  CHECK(sink.rejects[0].message.find("cut short") != std::string::npos);
  auto recs = sink.records();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["id"] == "#1");
  CHECK(recs[1]["id"] == "#6");
  CHECK(recs[2]["id"] == "9");
}

TEST_CASE("batch: a bad record's column counts from its line's start, as classify counts it", "[batch][rejects]") {
  TempDir d;
  auto object = [](int n, const std::string& title) {  // on one line, no newline after it
    std::string s = issue_line(n, title);
    s.pop_back();
    return s;
  };
  // An element after another on its line, behind a byte order mark; then a bad record
  // indented on a line of its own: columns are the file's, not the record's.
  auto f = d.write("pages.json", "\xef\xbb\xbf[" + object(1, "Memory leak") + ", {\"title\": \"x\" \"body\": 1}]\n" +
                                     "[" + object(2, "Wrong shape") + "]\n  garbage\n");
  Collect sink;
  run({f}, sink);
  REQUIRE(sink.rejects.size() == 2);
  const std::string first_line = "[" + object(1, "Memory leak") + ", {\"title\": \"x\" ";
  CHECK(sink.rejects[0].message.find("(column " + std::to_string(first_line.size() + 1) + ")") != std::string::npos);
  CHECK(sink.rejects[1].source == f + ":3");
  CHECK(sink.rejects[1].message.find("(column 3)") != std::string::npos);
}

TEST_CASE("batch: fail-fast stops at the first bad record, after writing the good ones before it", "[batch][rejects]") {
  TempDir d;
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak") + "{oops\n" + issue_line(3, "Wrong output shape"));
  Collect sink;
  BatchOptions opt;
  opt.fail_fast = true;
  auto stats = run({f}, sink, opt);
  CHECK(stats.stopped);
  CHECK(stats.rejected == 1);
  CHECK(sink.rejects.size() == 1);
  auto recs = sink.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["id"] == "#1");
}

TEST_CASE("batch: output order is input order whatever the number of jobs", "[batch][order]") {
  TempDir d;
  auto f = d.write("many.jsonl", many_records(6000));
  Collect one, four;
  BatchOptions opt;
  opt.jobs = 1;
  run({f}, one, opt);
  opt.jobs = 4;
  auto stats = run({f}, four, opt);
  CHECK(stats.labeled == 6000);
  CHECK(four.out == one.out);
  auto recs = four.records();
  REQUIRE(recs.size() == 6000);
  for (int i = 0; i < 6000; ++i)
    if (recs[static_cast<std::size_t>(i)]["id"] != "#" + std::to_string(i)) FAIL("record " << i << " out of order");
}

TEST_CASE("batch: chunks used again carry nothing over, CSV or JSON, one job or more", "[batch][order]") {
  // A delivered chunk is emptied and filled again (its buffers kept): thousands of rows
  // make several chunks, with bad rows in later ones.
  TempDir d;
  std::string csv = "title,body\n", jsonl;
  for (int i = 0; i < 6000; ++i) {
    const bool bad = i == 3000 || i == 5000;
    csv += bad ? "t" + std::to_string(i) + ",\"open\" quote\n" : "t" + std::to_string(i) + ",b\n";
    jsonl += bad ? "{\"title\": \"t" + std::to_string(i) + "\n" : issue_line(i, "t" + std::to_string(i));
  }
  for (const auto& [name, text] : {std::pair{std::string("in.csv"), csv}, std::pair{std::string("in.jsonl"), jsonl}})
    for (unsigned jobs : {1u, 2u}) {
      INFO(name << " jobs " << jobs);
      auto f = d.write(name, text);
      Collect sink;
      BatchOptions opt;
      opt.jobs = jobs;
      auto stats = run({f}, sink, opt);
      CHECK(stats.records == 6000);
      CHECK(stats.rejected == 2);
      REQUIRE(sink.rejects.size() == 2);
      const int header = name == "in.csv" ? 1 : 0;
      CHECK(sink.rejects[0].source == f + ":" + std::to_string(3001 + header));
      CHECK(sink.rejects[1].source == f + ":" + std::to_string(5001 + header));
      auto recs = sink.records();
      REQUIRE(recs.size() == 5998);
      bool in_order = true;
      for (std::size_t k = 0, i = 0; k < recs.size(); ++k, ++i) {
        if (i == 3000 || i == 5000) ++i;
        in_order = in_order && recs[k]["title"] == "t" + std::to_string(i) &&
                   recs[k]["source"] == f + ":" + std::to_string(i + 1 + header);
      }
      CHECK(in_order);
    }
}

TEST_CASE("batch: CSV output quotes the fields that need it", "[batch][csv]") {
  TempDir d;
  auto f = d.write("in.csv", "id,title,body\n\"a,b \"\"c\"\"\",Memory leak,RAM grows\n");
  Collect sink;
  BatchOptions opt;
  opt.output_format = OutputFormat::csv;
  run({f}, sink, opt);
  // The confidence depends on the shipped calibration map: checked apart.
  const std::string header =
      "id,category,confidence,impact_level,threat,ui,model-info,model-operation,results,needs_review,silent,pack,"
      "url,title,source\n";
  const std::string head = "\"a,b \"\"c\"\"\",performance-degradation,";
  const std::string tail =
      ",3,high,no,no,yes,no,false,," + silt::test::default_classifier().rules().file() + ",,Memory leak," + f + ":2\n";
  REQUIRE(sink.out.size() > header.size() + head.size() + tail.size());
  CHECK(sink.out.substr(0, header.size() + head.size()) == header + head);
  CHECK(sink.out.substr(sink.out.size() - tail.size()) == tail);
  const std::string conf =
      sink.out.substr(header.size() + head.size(), sink.out.size() - tail.size() - header.size() - head.size());
  CHECK(std::stod(conf) > 0.5);
  CHECK(std::stod(conf) <= 1.0);
}

TEST_CASE("batch: CSV rows, built without rationale or evidence, are those of the full classification",
          "[batch][csv]") {
  TempDir d;
  std::string lines;
  const std::vector<std::pair<std::string, std::string>> issues = {
      {"Memory leak in fit", "RAM grows at every epoch."},
      {"The progress bar is far too long", "The progress bar floods the console."},
      {"Question", "How do I install it?"},
      {"fit crashes", "Traceback (most recent call last):\nValueError: bad"}};
  for (std::size_t i = 0; i < issues.size(); ++i)
    lines += issue_line(static_cast<int>(i), issues[i].first, issues[i].second);
  auto f = d.write("in.jsonl", lines);
  Collect sink;
  BatchOptions opt;
  opt.output_format = OutputFormat::csv;
  run({f}, sink, opt);
  const auto& clf = silt::test::default_classifier();
  std::string expected = csv_header(clf.taxonomy());
  for (std::size_t i = 0; i < issues.size(); ++i) {
    Issue issue;
    issue.id = "#" + std::to_string(i);
    issue.title = issues[i].first;
    issue.body = issues[i].second;
    issue.join_lists();
    const Classification full = clf.classify(issue);
    REQUIRE_FALSE(full.rationale.empty());
    append_csv_row(expected, full, f + ":" + std::to_string(i + 1));
  }
  CHECK(sink.out == expected);
}

TEST_CASE("batch: the CSV output reads back as it was written, by the module that writes it", "[batch][csv]") {
  const auto& tax = silt::test::default_classifier().taxonomy();
  Issue i;
  i.id = "o/r#7";
  i.title = "Loss is \"NaN\", then 0, after load_model";
  i.url = "https://github.com/o/r/issues/7";
  i.join_lists();
  const Classification c = silt::test::default_classifier().classify(i);
  std::string table = csv_header(tax);
  append_csv_row(table, c, "in.jsonl:1");
  auto back = read_classifications_csv(table, "t.csv", tax);
  REQUIRE(back.ok());
  REQUIRE(back.value().size() == 1);
  const Classification& r = back.value()[0];
  CHECK(r.id == c.id);
  CHECK(r.title == c.title);
  CHECK(r.url == c.url);
  CHECK(r.category == c.category);
  CHECK(r.level == c.level);
  CHECK(r.confidence == Approx(c.confidence).margin(0.0005));
  CHECK(r.needs_review == c.needs_review);
  CHECK(r.pack == c.pack);
  CHECK(r.source == "in.jsonl:1");
  REQUIRE(r.criteria.size() == c.criteria.size());
  for (std::size_t k = 0; k < r.criteria.size(); ++k) CHECK(r.criteria[k].value == c.criteria[k].value);
  // Another table is named for what it is; a number that is none fails with its line.
  auto other = read_classifications_csv("id,label\na,b\n", "o.csv", tax);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == "not-batch-csv");
  auto bad = read_classifications_csv("id,category,confidence\na,wrong-shape,high\n", "b.csv", tax);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad-number");
  CHECK(bad.error().message.rfind("b.csv:2:", 0) == 0);
}

TEST_CASE("batch: the CSV output read a row at a time from a file gives what the whole-text reader gives",
          "[batch][csv]") {
  const auto& tax = silt::test::default_classifier().taxonomy();
  TempDir d;
  auto f = d.write("in.jsonl", many_records(40) + issue_line(41, "Multi\nline \"quoted\", title"));
  Collect sink;
  BatchOptions opt;
  opt.output_format = OutputFormat::csv;
  run({f}, sink, opt);
  const std::string table = "\xEF\xBB\xBF" + sink.out;  // a byte order mark is skipped
  auto whole = read_classifications_csv(table, "t.csv", tax);
  REQUIRE(whole.ok());
  REQUIRE(whole.value().size() == 41);
  std::vector<Classification> rows;
  auto n = for_each_classification_csv(d.write("t.csv", table), tax,
                                       [&](Classification&& c) { rows.push_back(std::move(c)); });
  REQUIRE(n.ok());
  CHECK(n.value() == 41);
  REQUIRE(rows.size() == 41);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].id == whole.value()[i].id);
    CHECK(rows[i].title == whole.value()[i].title);
    CHECK(rows[i].category == whole.value()[i].category);
    CHECK(rows[i].level == whole.value()[i].level);
    CHECK(rows[i].source == whole.value()[i].source);
  }
  CHECK(rows.back().title == "Multi\nline \"quoted\", title");
  // Each problem gives the error the whole-text reader gives, with its line.
  const std::string head = "id,category,confidence\n";
  for (const std::string& text :
       {head + "a,wrong-shape,0.5\n\"b,wrong-shape,0.5\n", head + "a,wrong-shape\n",
        head + "a,wrong-shape,0.5\nb,wrong-shape,high\n", std::string("id,label\na,b\n"), head + "a,wr\"ong,0.5\n",
        std::string("id,category,confidence,Category\n"), std::string(),
        head + "a,wrong-shape,high\n\"b,wrong-shape,0.5\n",  // a row's problem before a later line's
        std::string("c\r\"x\":")}) {                         // the header's before its line's quoting
    INFO(text);
    auto expected = read_classifications_csv(text, d.at("p.csv"), tax);
    auto got = for_each_classification_csv(d.write("p.csv", text), tax, [](Classification&&) {});
    REQUIRE_FALSE(expected.ok());
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == expected.error().code);
    CHECK(got.error().line == expected.error().line);
  }
  auto missing = for_each_classification_csv(d.at("none.csv"), tax, [](Classification&&) {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "unreadable");
}

TEST_CASE("batch: criteria answers apply to every record", "[batch]") {
  TempDir d;
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak") + issue_line(2, "Wrong output shape"));
  Collect sink;
  BatchOptions opt;
  const auto& tax = silt::test::default_classifier().taxonomy();
  opt.answers.assign(tax.criteria.size(), std::nullopt);
  opt.answers[*tax.criterion_index("results")] = true;
  run({f}, sink, opt);
  const auto records = sink.records();
  REQUIRE(records.size() == 2);  // the loop below must not pass on no output
  for (const auto& r : records) CHECK(r["impact"]["level"] == 4);
}

TEST_CASE("batch: resuming skips the good records already written and still reports all rejects", "[batch][resume]") {
  TempDir d;
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak") + "{bad\n" + issue_line(3, "Wrong output shape") +
                                   issue_line(4, "Progress bar too long") + "[]\n" + issue_line(6, "Memory leak"));
  Collect full;
  run({f}, full);
  Collect resumed;
  BatchOptions opt;
  opt.skip_good = 2;  // #1 and #3 were written by the interrupted run
  auto stats = run({f}, resumed, opt);
  CHECK(stats.resumed == 2);
  CHECK(stats.labeled == 2);
  auto recs = resumed.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["id"] == "#4");
  CHECK(recs[1]["id"] == "#6");
  REQUIRE(resumed.rejects.size() == 2);
  CHECK(resumed.rejects[0].resumed);  // before the resume point: named already
  CHECK_FALSE(resumed.rejects[1].resumed);
}

TEST_CASE("batch: scan_partial_output counts complete records and drops a cut-off one", "[batch][resume]") {
  TempDir d;
  auto jsonl = d.write("out.jsonl", "{\"id\":1}\n{\"id\":2}\n{\"id\":");
  auto p = scan_partial_output(jsonl, OutputFormat::jsonl);
  REQUIRE(p.ok());
  CHECK(p.value().records == 2);
  CHECK(p.value().bytes == 18);
  auto csv = d.write("out.csv", "id,category,confidence\n1,a,0.5\n\"2\nx\",b,0.5\n\"3,c");
  auto c = scan_partial_output(csv, OutputFormat::csv);
  REQUIRE(c.ok());
  CHECK(c.value().has_header);
  CHECK(c.value().records == 2);  // the second spans two lines
  CHECK(c.value().bytes == std::string("id,category,confidence\n1,a,0.5\n\"2\nx\",b,0.5\n").size());
  auto other = d.write("other.txt", "hello\n");
  CHECK_FALSE(scan_partial_output(other, OutputFormat::jsonl).ok());
}

TEST_CASE("batch: a record over 8 MB is parsed in place and labeled as any other", "[batch][big]") {
  TempDir d;
  std::string body = "RAM keeps growing. " + std::string(9u << 20, 'x') + " \"quoted\" \\ end";
  auto big = nlohmann::json{{"number", 1}, {"title", "Memory leak in fit"}, {"body", body}}.dump();
  auto f = d.write("big.jsonl", big + "\n" + issue_line(2, "Wrong output shape"));
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(stats.labeled == 2);
  auto recs = sink.records();
  REQUIRE(recs.size() == 2);
  Issue issue;
  issue.id = "#1";
  issue.title = "Memory leak in fit";
  issue.body = body;
  issue.join_lists();
  CHECK(recs[0] == nlohmann::json::parse(to_json(silt::test::default_classifier().classify(issue), f + ":1")));
  CHECK(recs[1]["id"] == "#2");
}

TEST_CASE("batch: a big record that is cut short is rejected with its bytes as they were", "[batch][big][rejects]") {
  TempDir d;
  std::string cut = "{\"number\": 1, \"title\": \"t\", \"body\": \"" + std::string(9u << 20, 'y') + "\\n more";
  std::string bad_utf8 = "{\"title\": \"t\", \"body\": \"\xff" + std::string(9u << 20, 'z') + "\"}";
  auto f = d.write("big.jsonl", cut + "\n" + bad_utf8 + "\n" + issue_line(3, "Memory leak"));
  Collect sink;
  auto stats = run({f}, sink);
  CHECK(stats.rejected == 2);
  CHECK(stats.labeled == 1);
  REQUIRE(sink.rejects.size() == 2);
  CHECK(sink.rejects[0].code == "invalid-json");
  // Its \n escape became a newline in place: the error is named by its byte, and no
  // line count of the altered bytes claims records were swallowed.
  CHECK(sink.rejects[0].message.find("(at byte " + std::to_string(cut.size()) + " of the record)") !=
        std::string::npos);
  CHECK(sink.rejects[0].message.find("runs over") == std::string::npos);
  // Parsed in place, the record's bytes are no longer intact: where they are in the file
  // is given, for the rejects file to copy them from.
  CHECK(sink.rejects[0].raw.empty());
  CHECK(silt::test::slurp(sink.rejects[0].raw_path).substr(sink.rejects[0].raw_offset, sink.rejects[0].raw_size) ==
        cut);
  CHECK(sink.rejects[1].code == "invalid-utf8");
  CHECK(sink.rejects[1].raw == bad_utf8);
}

TEST_CASE("batch: --silent-only leaves out loud bugs, counts them, and resumes exactly", "[batch][silent]") {
  TempDir d;
  auto f = d.write("in.jsonl",
                   issue_line(1, "Memory leak in fit", "No error is raised, RAM just grows.") +
                       issue_line(2, "fit crashes", "Traceback (most recent call last):\n  File \"a.py\", line 3") +
                       issue_line(3, "Wrong output shape", "The shape becomes unknown.") +
                       issue_line(4, "Progress bar far too long", "It floods the console."));
  Collect all, silent;
  auto s1 = run({f}, all);
  BatchOptions opt;
  opt.silent_only = true;
  auto s2 = run({f}, silent, opt);
  auto a = all.records();
  REQUIRE(a.size() == 4);
  CHECK(a[0]["silent"] == true);
  CHECK(a[1]["silent"] == false);
  CHECK(a[2]["silent"].is_null());
  CHECK(s1.loud == 0);
  CHECK(s2.loud == 1);
  auto b = silent.records();
  REQUIRE(b.size() == 3);
  CHECK(b[1]["id"] == "#3");
  // Resuming after 2 written records skips #1 and #3 (the loud #2 was never written).
  Collect resumed;
  opt.skip_good = 2;
  run({f}, resumed, opt);
  auto c = resumed.records();
  REQUIRE(c.size() == 1);
  CHECK(c[0]["id"] == "#4");
}

TEST_CASE("batch: resuming a --silent-only run checks a big loud record as any other", "[batch][silent][big][resume]") {
  // A record over 8 MB was only checked to be an issue when resumed: the loud check then
  // classified whatever the record before it had left.
  TempDir d;
  const std::string loud = "Traceback (most recent call last):\n  File \"a.py\", line 3\n" + std::string(9u << 20, 'x');
  auto f = d.write("in.jsonl", issue_line(1, "Memory leak in fit", "No error is raised, RAM just grows.") +
                                   nlohmann::json{{"number", 2}, {"title", "fit crashes"}, {"body", loud}}.dump() +
                                   "\n" + issue_line(3, "Wrong output shape", "The shape becomes unknown."));
  BatchOptions opt;
  opt.silent_only = true;
  Collect first;
  CHECK(run({f}, first, opt).loud == 1);
  const auto written = first.records();
  REQUIRE(written.size() == 2);  // #1 and #3
  opt.skip_good = written.size();
  opt.resume_id = written.back()["id"];
  opt.resume_source = written.back()["source"];
  Collect resumed;
  CHECK(run({f}, resumed, opt).resume_mismatch.empty());
  CHECK(resumed.records().empty());  // both written records were found again: nothing left
}

TEST_CASE("batch: a closing bracket at the top level is a reject and reading goes on", "[batch][security]") {
  // These looped forever: a ']' or '}' at depth 0 framed an empty value that never moved on.
  for (const std::string input : {"[1]]", "]", "}", "[}", "[1]] {\"title\":\"after\",\"body\":\"wrong shape\"}"}) {
    TempDir d;
    Collect sink;
    BatchOptions opt;
    opt.input_format = InputFormat::json;
    auto stats = run({d.write("s.json", input)}, sink, opt);
    INFO(input);
    CHECK(stats.rejected >= 1);
    CHECK(stats.records == stats.rejected + stats.labeled);
  }
  TempDir d;
  Collect sink;
  auto stats = run({d.write("s.json", "[1]] {\"title\":\"after\",\"body\":\"wrong shape\"}")}, sink);
  auto recs = sink.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["title"] == "after");
  CHECK(stats.rejected == 2);  // the 1 (not an object) and the stray bracket
}

TEST_CASE("batch: records over max_record are rejected with their size, never held", "[batch][security]") {
  const std::string big = "{\"title\":\"big\",\"body\":\"" + std::string(5000, 'x') + "\"}";
  for (auto format : {InputFormat::jsonl, InputFormat::json}) {
    TempDir d;
    Collect sink;
    BatchOptions opt = limited(1000, format);
    const std::string text = format == InputFormat::json
                                 ? "[" + issue_line(1, "a").substr(0, issue_line(1, "a").size() - 1) + "," + big + "," +
                                       issue_line(3, "c").substr(0, issue_line(3, "c").size() - 1) + "]"
                                 : issue_line(1, "a") + big + "\n" + issue_line(3, "c");
    auto stats = run({d.write("in", text)}, sink, opt);
    CHECK(stats.labeled == 2);
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].code == "too-large");
    CHECK(sink.rejects[0].raw.empty());
    CHECK(sink.rejects[0].raw_size == big.size());
    CHECK(text.substr(sink.rejects[0].raw_offset, sink.rejects[0].raw_size) == big);
  }
}

TEST_CASE("batch: a last line over max_record with no newline after it is a reject, not lost", "[batch][security]") {
  // Read to its end while its format was told, the input's one line was skipped and
  // never reported: no record, no reject, exit 0.
  const std::string big = "{\"title\":\"big\",\"body\":\"" + std::string(5000, 'x') + "\"}";
  for (auto format : {InputFormat::detect, InputFormat::jsonl}) {
    TempDir d;
    Collect sink;
    BatchOptions opt = limited(1000, format);
    auto stats = run({d.write("in", big)}, sink, opt);
    CHECK(stats.records == 1);
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].code == "too-large");
    CHECK(sink.rejects[0].raw_size == big.size());
  }
}

TEST_CASE("batch: a record over max_record after another on its line is named by its column", "[batch][security]") {
  // In a JSON stream, skipped as it is read (cut short, its end is never found): its
  // source is its own, not the line's first record's.
  const std::string a = "{\"title\":\"a\"}";
  const std::string big = "{\"title\":\"big\",\"body\":\"" + std::string(5000, 'x');
  TempDir d;
  Collect sink;
  BatchOptions opt = limited(1000, InputFormat::json);
  auto f = d.write("in", a + big);
  run({f}, sink, opt);
  CHECK(sources_of(sink) == std::vector<std::string>{f + ":1"});
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].code == "too-large");
  CHECK(sink.rejects[0].source == f + ":1:" + std::to_string(a.size() + 1));
}

TEST_CASE("batch: a CSV row over max_record is skipped to its end, quotes and all", "[batch][security][csv]") {
  TempDir d;
  Collect sink;
  BatchOptions opt = limited(1000);
  const std::string big_row = "2,big,\"" + std::string(3000, 'x') + "\nwith \"\"quotes\"\" and\nlines\"\n";
  const std::string text = "id,title,body\n1,a,wrong shape\n" + big_row + "3,c,x\n";
  auto stats = run({d.write("in.csv", text)}, sink, opt);
  CHECK(stats.labeled == 2);
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].code == "too-large");
  CHECK(sink.rejects[0].source.find("in.csv:3") != std::string::npos);
  CHECK(text.substr(sink.rejects[0].raw_offset, sink.rejects[0].raw_size) == big_row);
}

TEST_CASE("batch: CSV input is read strictly, a bad row's following lines are rows again", "[batch][csv]") {
  TempDir d;
  Collect sink;
  auto stats = run({d.write("in.csv", "id,title,body\nA,\"good,wrong shape\nB,second,x\nC,third,\"y\"\n")}, sink);
  CHECK(stats.labeled == 2);
  REQUIRE(sink.rejects.size() == 1);
  CHECK(sink.rejects[0].code == "csv-syntax");
  CHECK(sink.rejects[0].raw == "A,\"good,wrong shape\n");
  auto recs = sink.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["id"] == "B");
  CHECK(recs[1]["id"] == "C");
}

TEST_CASE("batch: a CSV header naming a column twice makes the input an error", "[batch][csv]") {
  TempDir d;
  Collect sink;
  auto stats = run({d.write("in.csv", "id,title,title,body\n1,a,b,c\n")}, sink);
  CHECK(stats.labeled == 0);
  REQUIRE(sink.input_errors.size() == 1);
  CHECK(sink.input_errors[0].find("'title' twice") != std::string::npos);
}

TEST_CASE("batch: nesting deeper than 1024 is too-deep on both parse paths", "[batch][security]") {
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  const std::string small = "{\"title\":\"deep\",\"body\":" + deep + "}\n";
  const std::string big = "{\"title\":\"deep\",\"body\":" + deep + std::string(9 << 20, ' ') + "}\n";
  for (const auto& rec : {small, big}) {
    TempDir d;
    Collect sink;
    auto stats = run({d.write("in.jsonl", issue_line(1, "a") + rec + issue_line(3, "c"))}, sink);
    CHECK(stats.labeled == 2);
    REQUIRE(sink.rejects.size() == 1);
    CHECK(sink.rejects[0].code == "too-deep");
  }
}
