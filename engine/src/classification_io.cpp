#include "silt/classification_io.h"
#include "silt/utf8.h"

#include <optional>

#include <csv.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <streambuf>
#include <unordered_map>

#include "json_read.h"

#include "csv_table.h"
#include "silt/json_writer.h"

namespace silt {

namespace {

void put(JsonWriter& w, std::string_view s) {
  w.string(s);
}

void key(JsonWriter& w, const char* k) {
  w.key(k);
}

// A number as the JSON gives it: rounded to three decimals.
void put_rounded(JsonWriter& w, double v) {
  w.number(v, 3);
}

// An object of rounded numbers, one per category, in the given order.
void put_per_category(JsonWriter& w, const std::vector<std::pair<std::string, double>>& values) {
  w.begin_object();
  for (const auto& [id, v] : values) {
    put(w, id);
    put_rounded(w, v);
  }
  w.end_object();
}

// "impact": the level, its threat and probability, and each criterion's reading.
void put_impact(JsonWriter& w, const Classification& c) {
  w.begin_object();
  key(w, "level");
  if (c.level)
    w.integer(*c.level);
  else
    w.null();
  key(w, "threat");
  if (c.level)
    put(w, c.threat);
  else
    w.null();
  key(w, "probability");
  put_rounded(w, c.level_probability);
  key(w, "criteria");
  w.begin_object();
  for (const auto& cr : c.criteria) {
    put(w, cr.id);
    w.begin_object();
    key(w, "value");
    w.boolean(cr.value);
    key(w, "source");
    put(w, to_string(cr.source));
    if (cr.source != AnswerSource::given) {
      key(w, "probability");
      put_rounded(w, cr.probability);
    }
    w.end_object();
  }
  w.end_object();
  w.end_object();
}

// "evidence": one object per hit.
void put_evidence(JsonWriter& w, const std::vector<Evidence>& evidence) {
  w.begin_array();
  for (const auto& e : evidence) {
    w.begin_object();
    key(w, "rule");
    put(w, e.rule);
    key(w, "target");
    put(w, e.target);
    key(w, "target_kind");
    put(w, to_string(e.kind));
    key(w, "field");
    put(w, e.field);
    key(w, "start");
    w.count(e.start);
    key(w, "end");
    w.count(e.end);
    key(w, "text");
    put(w, e.text);
    key(w, "weight");
    put_rounded(w, e.weight);
    key(w, "defined_at");
    put(w, e.where.to_string());
    w.end_object();
  }
  w.end_array();
}

// The members before the scores: which issue, and the category read.
void put_heading(JsonWriter& w, const Classification& c) {
  key(w, "id");
  put(w, c.id);
  key(w, "title");
  put(w, c.title);
  if (!c.url.empty()) {
    key(w, "url");
    put(w, c.url);
  }
  key(w, "pack");
  put(w, c.pack);
  key(w, "category");
  put(w, c.category);
  key(w, "category_name");
  put(w, c.category_name);
  key(w, "confidence");
  put_rounded(w, c.confidence);
  if (c.raw_confidence != c.confidence) {
    key(w, "confidence_raw");
    put_rounded(w, c.raw_confidence);
  }
  key(w, "fallback");
  w.boolean(c.fallback);
  key(w, "needs_review");
  w.boolean(c.needs_review);
  key(w, "silent");
  if (c.silent)
    w.boolean(*c.silent);
  else
    w.null();
}

}  // namespace

std::string to_json(const Classification& c, std::string_view source) {
  thread_local JsonWriter w(JsonWriter::Style::compact);  // one a thread: its buffer is reused
  w.take();                                               // empty, should a write before this one have thrown half-way
  w.begin_object();
  put_heading(w, c);
  key(w, "scores");
  put_per_category(w, c.scores);
  key(w, "probabilities");
  put_per_category(w, c.probabilities);
  key(w, "impact");
  put_impact(w, c);
  key(w, "rationale");
  w.begin_array();
  for (const auto& r : c.rationale) put(w, r);
  w.end_array();
  key(w, "evidence");
  put_evidence(w, c.evidence);
  if (!source.empty()) {
    key(w, "source");
    put(w, source);
  }
  w.end_object();
  return w.take();
}

namespace {

std::optional<AnswerSource> source_named(std::string_view s) {
  for (auto a : {AnswerSource::given, AnswerSource::inferred, AnswerSource::implied, AnswerSource::assumed})
    if (to_string(a) == s) return a;
  return std::nullopt;
}

std::optional<TargetKind> kind_named(std::string_view s) {
  for (auto k : {TargetKind::category, TargetKind::criterion, TargetKind::signal})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

using detail::json_member;
using detail::JsonValue;

std::string str(const JsonValue& e, const char* k) {
  const JsonValue* v = json_member(e, k);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

double num(const JsonValue& e, const char* k) {
  const JsonValue* v = json_member(e, k);
  return v && v->IsNumber() ? v->GetDouble() : 0.0;
}

// The boolean e[k], if it is one.
std::optional<bool> boolean(const JsonValue& e, const char* k) {
  const JsonValue* v = json_member(e, k);
  return v && v->IsBool() ? std::optional<bool>(v->GetBool()) : std::nullopt;
}

// "file:line:col" back into a location.
SourceLocation location(const std::string& text) {
  SourceLocation at;
  auto c2 = text.rfind(':');
  auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : text.rfind(':', c2 - 1);
  try {
    if (c1 != std::string::npos) {
      at.file = text.substr(0, c1);
      at.line = std::stoi(text.substr(c1 + 1, c2 - c1 - 1));
      at.column = std::stoi(text.substr(c2 + 1));
      return at;
    }
  } catch (const std::exception&) {
  }
  at.file = text;
  return at;
}

void read_impact(const JsonValue& impact, Classification& c) {
  if (const JsonValue* level = json_member(impact, "level"); level && level->IsInt()) c.level = level->GetInt();
  c.threat = str(impact, "threat");
  c.level_probability = num(impact, "probability");
  const JsonValue* criteria = json_member(impact, "criteria");
  if (!criteria || !criteria->IsObject()) return;
  for (const auto& [id, v] : criteria->GetObject()) {
    CriterionReading r;
    r.id = std::string(id.GetString(), id.GetStringLength());
    if (auto b = boolean(v, "value")) r.value = *b;
    r.source = source_named(str(v, "source")).value_or(AnswerSource::assumed);
    r.probability = r.source == AnswerSource::given ? (r.value ? 1.0 : 0.0) : num(v, "probability");
    c.criteria.push_back(std::move(r));
  }
}

void read_evidence(const JsonValue& list, Classification& c) {
  for (const JsonValue& e : list.GetArray()) {
    Evidence ev;
    ev.rule = str(e, "rule");
    ev.target = str(e, "target");
    ev.kind = kind_named(str(e, "target_kind")).value_or(TargetKind::category);
    ev.field = str(e, "field");
    if (const JsonValue* n = json_member(e, "start"); n && n->IsUint64()) ev.start = n->GetUint64();
    if (const JsonValue* n = json_member(e, "end"); n && n->IsUint64()) ev.end = n->GetUint64();
    ev.text = str(e, "text");
    ev.weight = num(e, "weight");
    ev.where = location(str(e, "defined_at"));
    c.evidence.push_back(std::move(ev));
  }
}

}  // namespace

Result<Classification> classification_from_json(std::string_view json) {
  detail::JsonDocument doc;
  if (auto failed = detail::parse_json(json, doc)) {
    Error e{"not valid JSON: " + failed->message, 0, 0, "invalid-json"};
    detail::line_and_column(json, failed->offset, e.line, e.column);
    return e;
  }
  const JsonValue* impact = json_member(doc, "impact");
  const JsonValue* category = json_member(doc, "category");
  if (!category || !category->IsString() || !impact || !impact->IsObject())
    return Error{"not a silt classification (no \"category\" and \"impact\")", 0, 0, "not-a-classification"};
  Classification c;
  c.id = str(doc, "id");
  c.title = str(doc, "title");
  c.url = str(doc, "url");
  if (c.url.empty()) c.url = str(doc, "html_url");
  c.pack = str(doc, "pack");
  c.category = std::string(category->GetString(), category->GetStringLength());
  c.category_name = str(doc, "category_name");
  c.confidence = c.raw_confidence = num(doc, "confidence");
  if (const JsonValue* raw = json_member(doc, "confidence_raw"); raw && raw->IsNumber())
    c.raw_confidence = raw->GetDouble();
  if (auto b = boolean(doc, "fallback")) c.fallback = *b;
  if (auto b = boolean(doc, "needs_review")) c.needs_review = *b;
  if (auto b = boolean(doc, "silent")) c.silent = *b;
  for (const char* key : {"scores", "probabilities"}) {
    const JsonValue* o = json_member(doc, key);
    if (!o || !o->IsObject()) continue;
    auto& dst = std::string_view(key) == "scores" ? c.scores : c.probabilities;
    for (const auto& [id, v] : o->GetObject())
      if (v.IsNumber()) dst.emplace_back(std::string(id.GetString(), id.GetStringLength()), v.GetDouble());
  }
  read_impact(*impact, c);
  if (const JsonValue* list = json_member(doc, "rationale"); list && list->IsArray())
    for (const JsonValue& r : list->GetArray())
      if (r.IsString()) c.rationale.emplace_back(r.GetString(), r.GetStringLength());
  if (const JsonValue* list = json_member(doc, "evidence"); list && list->IsArray()) read_evidence(*list, c);
  c.source = str(doc, "source");
  return c;
}

namespace {

// Line `line` of batch output, not blank: its classification; else nullopt, its Error in
// `fail` without `skipped`, or named in `skipped` (the first such Error kept in
// `first_bad`, for a file where no line reads).
std::optional<Classification> classification_on_line(std::string_view text, int line, const std::string& name,
                                                     std::vector<std::string>* skipped, std::optional<Error>& first_bad,
                                                     std::optional<Error>& fail) {
  auto c = classification_from_json(text);
  if (c.ok()) return std::move(c).value();
  const int column = c.error().column;  // of a JSON error, within the line
  Error e{
      name + ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : "") + ": " + c.error().message,
      line, column, c.error().code};
  if (!skipped) {
    fail = std::move(e);
    return std::nullopt;
  }
  skipped->push_back(e.message + " (line left out)");
  if (!first_bad) first_bad = std::move(e);
  return std::nullopt;
}

bool blank_line(std::string_view text) {
  return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

Result<std::vector<Classification>> read_classifications(std::string_view jsonl, const std::string& name,
                                                         std::vector<std::string>* skipped) {
  jsonl = without_bom(jsonl);
  std::vector<Classification> out;
  std::optional<Error> first_bad, fail;
  std::size_t pos = 0;
  int line = 0;
  while (pos < jsonl.size()) {
    std::size_t nl = jsonl.find('\n', pos);
    if (nl == std::string_view::npos) nl = jsonl.size();
    std::string_view text = jsonl.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (blank_line(text)) continue;
    auto c = classification_on_line(text, line, name, skipped, first_bad, fail);
    if (fail) return *fail;
    if (c) out.push_back(std::move(*c));
  }
  if (out.empty() && first_bad) return *first_bad;  // not one line read: not silt's output
  return out;
}

Result<std::size_t> for_each_classification(const std::string& path, const std::function<void(Classification&&)>& take,
                                            std::vector<std::string>* skipped) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno), 0, 0, "unreadable"};
  std::optional<Error> first_bad, fail;
  std::size_t read = 0;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (line == 1) text.erase(0, text.size() - without_bom(text).size());
    if (blank_line(text)) continue;
    auto c = classification_on_line(text, line, path, skipped, first_bad, fail);
    if (fail) return *fail;
    if (!c) continue;
    ++read;
    take(std::move(*c));
  }
  if (in.bad()) return Error{path + ": read failed", 0, 0, "unreadable"};
  if (read == 0 && first_bad) return *first_bad;  // not one line read: not silt's output
  return read;
}

namespace {

// Appends one CSV field, quoted (by libcsv) only when it must be.
void csv_append(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  std::size_t need = field.size() * 2 + 2;
  std::size_t at = out.size();
  out.resize(at + need);
  out.resize(at + csv_write(out.data() + at, need, field.data(), field.size()));
}

}  // namespace

std::string csv_field(std::string_view field) {
  std::string out;
  csv_append(out, field);
  return out;
}

std::string csv_header(const Taxonomy& taxonomy) {
  std::string h = "id,category,confidence,impact_level,threat";
  for (const auto& c : taxonomy.criteria) {
    h += ',';
    csv_append(h, c.id);
  }
  return h + ",needs_review,silent,pack,url,title,source\n";
}

void append_csv_row(std::string& out, const Classification& c, std::string_view source) {
  char conf[16];
  std::snprintf(conf, sizeof conf, "%.3f", c.confidence);
  csv_append(out, c.id);
  out += ',';
  csv_append(out, c.category);
  out += ',';
  out += conf;
  out += ',';
  if (c.level) out += std::to_string(*c.level);
  out += ',';
  if (c.level) csv_append(out, c.threat);
  for (const auto& cr : c.criteria) out += cr.value ? ",yes" : ",no";
  out += c.needs_review ? ",true," : ",false,";
  if (c.silent) out += *c.silent ? "true" : "false";
  out += ',';
  csv_append(out, c.pack);
  out += ',';
  csv_append(out, c.url);
  out += ',';
  csv_append(out, c.title);
  out += ',';
  csv_append(out, source);
  out += '\n';
}

namespace {

// One row of the table read back; false, with `why`, when a number is not one.
bool classification_of_row(const std::vector<std::string>& row, const std::unordered_map<std::string, std::size_t>& col,
                           const Taxonomy& taxonomy, Classification& c) {
  auto at = [&](const std::string& name) {
    auto it = col.find(name);
    return it == col.end() || it->second >= row.size() ? std::string() : detail::trim(row[it->second]);
  };
  c.id = at("id");
  c.category = at("category");
  c.title = at("title");
  c.url = at("url");
  c.pack = at("pack");
  c.source = at("source");
  c.threat = at("threat");
  try {
    std::size_t used = 0;
    const std::string conf = at("confidence");
    c.confidence = c.raw_confidence = std::stod(conf, &used);
    if (used != conf.size()) return false;
    const std::string level = at("impact_level");
    if (!level.empty()) {
      c.level = std::stoi(level, &used);
      if (used != level.size()) return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  c.needs_review = at("needs_review") == "true";
  const std::string silent = at("silent");
  if (!silent.empty()) c.silent = silent == "true";
  for (const auto& cr : taxonomy.criteria)
    if (col.count(cr.id)) {
      CriterionReading r;
      r.id = cr.id;
      r.value = at(cr.id) == "yes";
      c.criteria.push_back(std::move(r));
    }
  return true;
}

}  // namespace

namespace {

// A text held elsewhere, read as a stream (no copy): a batch CSV in memory is read by the
// one reader of a file's.
struct TextBuf : std::streambuf {
  explicit TextBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());  // only read: a get area, no put area
    setg(p, p, p + text.size());
  }
};

// Reads a batch CSV table a row at a time (detail::for_each_csv_row), each classification
// handed to `take`; stops at the first problem, in the order the rows meet it.
Result<std::size_t> read_batch_csv(std::istream& in, const std::string& name, const Taxonomy& taxonomy,
                                   const std::function<void(Classification&&)>& take) {
  std::unordered_map<std::string, std::size_t> col;
  std::optional<Error> failed;
  std::size_t n = 0;
  bool header = true;
  auto problem = detail::for_each_csv_row(in, [&](std::vector<std::string>& row, int line) {
    if (header) {
      header = false;
      if (auto dup = detail::duplicate_column(row, name, [](const std::string&) { return true; })) {
        failed = *dup;
        return false;
      }
      for (std::size_t k = 0; k < row.size(); ++k) col[detail::header_name(row[k])] = k;
      if (!col.count("category") || !col.count("confidence")) {
        failed = Error{name + ":1: not silt batch CSV output: the header must name 'category' and 'confidence'", 1, 0,
                       "not-batch-csv"};
        return false;
      }
      return true;
    }
    Classification c;
    if (!classification_of_row(row, col, taxonomy, c)) {
      failed = Error{name + ":" + std::to_string(line) + ": a confidence or impact_level that is not a number", line, 0,
                     "bad-number"};
      return false;
    }
    ++n;
    take(std::move(c));
    return true;
  });
  if (in.bad()) return Error{name + ": read failed: " + std::strerror(errno), 0, 0, "unreadable"};
  if (problem) return Error{detail::to_string(*problem, name), problem->line, 0, problem->code};
  if (failed) return *failed;
  if (header) return Error{name + ": the file is empty", 0, 0, "empty"};
  return n;
}

}  // namespace

Result<std::vector<Classification>> read_classifications_csv(std::string_view text, const std::string& name,
                                                             const Taxonomy& taxonomy) {
  TextBuf buf(text);
  std::istream in(&buf);
  std::vector<Classification> out;
  auto read = read_batch_csv(in, name, taxonomy, [&](Classification&& c) { out.push_back(std::move(c)); });
  if (!read.ok()) return read.error();
  return out;
}

Result<std::size_t> for_each_classification_csv(const std::string& path, const Taxonomy& taxonomy,
                                                const std::function<void(Classification&&)>& take) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno), 0, 0, "unreadable"};
  return read_batch_csv(in, path, taxonomy, take);
}

bool batch_csv_header(std::string_view line) {
  const auto head = detail::parse_csv(line.substr(0, line.find('\n')));
  bool category = false, confidence = false;
  for (const auto& c : head.rows.empty() ? std::vector<std::string>{} : head.rows.front()) {
    const std::string h = detail::header_name(c);
    category = category || h == "category";
    confidence = confidence || h == "confidence";
  }
  return category && confidence;
}

ClassificationsFile classifications_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  int seen = 0;
  while (seen < 5 && std::getline(in, line)) {
    if (seen == 0) line.erase(0, line.size() - without_bom(line).size());
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (seen++ == 0 && line[line.find_first_not_of(" \t")] != '{') {
      if (batch_csv_header(line)) return ClassificationsFile::csv;
      continue;  // a stray first line: the lines after it say
    }
    if (classification_from_json(line).ok()) return ClassificationsFile::jsonl;
  }
  return ClassificationsFile::none;
}

CsvOutputRows scan_csv_output(std::istream& in) {
  struct State {  // of each row only its first field (the id) and last (the source) are kept
    std::uint64_t rows = 0;
    std::size_t fields = 0;
    std::string first, last, row_id, row_source;
  } st;
  CsvOutputRows out;
  csv_parser parser{};
  csv_init(&parser, 0);
  std::uint64_t offset = 0;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // a last line without newline is cut off
    if (first) {
      out.header_ok = line.rfind("id,category,c", 0) == 0;  // as csv_header begins
      out.json_first = !line.empty() && line[0] == '{';
      if (out.json_first) break;
    }
    first = false;
    line += '\n';
    csv_parse(
        &parser, line.data(), line.size(),
        [](void* f, size_t n, void* d) {
          auto* s = static_cast<State*>(d);
          (s->fields++ == 0 ? s->first : s->last).assign(static_cast<const char*>(f), n);
        },
        [](int, void* d) {
          auto* s = static_cast<State*>(d);
          ++s->rows;
          if (s->fields > 1) {
            s->row_id = std::move(s->first);
            s->row_source = std::move(s->last);
          }
          s->fields = 0;
        },
        &st);
    offset += line.size();
    if (st.rows > out.rows) {
      out.rows = st.rows;
      out.bytes = offset;
    }
  }
  csv_free(&parser);
  // The source column is the last one append_csv_row writes.
  if (out.rows > 1) {
    out.last_id = st.row_id;
    out.last_source = st.row_source;
  }
  return out;
}

}  // namespace silt
