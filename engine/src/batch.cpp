#include "silt/batch.h"

#include "silt/classification_io.h"

#include <fcntl.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "issue_json.h"
#include "read_file.h"
#include "record_reader.h"
#include "silt/labels.h"
#include "silt/utf8.h"

namespace silt {

std::optional<InputFormat> parse_input_format(std::string_view name) {
  if (name == "auto" || name == "detect") return InputFormat::detect;
  if (name == "jsonl" || name == "ndjson") return InputFormat::jsonl;
  if (name == "json") return InputFormat::json;
  if (name == "csv") return InputFormat::csv;
  return std::nullopt;
}

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "jsonl" || name == "json") return OutputFormat::jsonl;
  if (name == "csv") return OutputFormat::csv;
  if (name == "gh") return OutputFormat::gh;
  return std::nullopt;
}

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Records bigger than this are parsed in place in the chunk (the strings are unescaped
// inside the record's own bytes), so a 50 MB record is not held twice; smaller ones in
// a copy, so that a rejected record's bytes are there as they were.
constexpr std::size_t big_record = 8u << 20;

// A worker's means of parsing records, reused from one to the next: a copy of the
// record, parsed in place, and a document whose first 256 KiB of values need no
// allocation.
class RecordParser {
 public:
  RecordParser() : pool_buffer_(256u << 10), pool_(pool_buffer_.data(), pool_buffer_.size()), doc_(&pool_) {}
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Parses the record at `text` into doc(): in place when `in_place`, else in the copy.
  std::optional<detail::JsonFailure> parse(char* text, std::size_t size, bool in_place) {
    if (in_place) return detail::parse_json_in_place(text, size, doc_);
    copy_.assign(text, size);
    copy_.push_back('\0');  // the byte after the record, which the parse holds a NUL in
    return detail::parse_json_in_place(copy_.data(), size, doc_);
  }
  const detail::JsonDocument& doc() const { return doc_; }
  // Gives back the memory a big record took, once it is no longer read.
  void release() {
    if (copy_.capacity() > big_record) std::string().swap(copy_);
  }

 private:
  std::vector<char> pool_buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  detail::JsonDocument doc_;
  std::string copy_;
};

// Where a record's bytes are in its input, for a record whose bytes are not held (too
// large) or no longer intact (a big record parsed in place): the rejects file copies
// them from there. Nothing when the input is not a file.
void raw_from_input(const detail::Chunk& c, const detail::Chunk::Record& r, Reject& why) {
  if (c.path.empty()) {
    why.message += "; read from a pipe, the record could not be kept";
    return;
  }
  why.raw_path = c.path;
  why.raw_offset = r.file_offset;
  why.raw_size = r.size;
}

// Reads a JSON record into `out`; on failure fills `why`. A big record is parsed in
// place, in the chunk, unless `keep_bytes`.
bool parse_json_record(detail::Chunk& c, const detail::Chunk::Record& r, RecordParser& rp, detail::ParsedIssue& out,
                       Reject& why, bool keep_bytes = false) {
  char* text = c.buf.data() + r.offset;
  const bool in_place = r.size > big_record && !keep_bytes;
  if (auto failed = rp.parse(text, r.size, in_place)) {
    why.code = failed->code;
    why.message = failed->message;
    const std::string_view bytes(text, r.size);
    const bool json_error = failed->code == std::string_view("invalid-json");
    // Where: a line and column, counted in the bytes as they were; a big record's bytes
    // parsed in place are no longer (each \n escape unescaped is a newline), so its byte.
    if (in_place && json_error) {
      why.message += " (at byte " + std::to_string(failed->offset) + " of the record)";
    } else if (failed->code != std::string_view("too-deep")) {
      int line = 0, column = 0;
      detail::line_and_column(bytes, failed->offset, line, column);
      if (line == 1) column += static_cast<int>(std::min<std::uint64_t>(r.column - 1, 1u << 30));
      why.message += line > 1
                         ? " (line " + std::to_string(line) + " of the record, column " + std::to_string(column) + ")"
                         : " (column " + std::to_string(column) + ")";
    }
    // A broken value the reader ended where the next one starts: said. Else, one over
    // many lines: a brace or bracket missing may have taken the records after it into
    // this one (when they are not laid out as the reader can tell). Said, so that they
    // are looked for in --rejects.
    if (json_error && !in_place && !bytes.empty() && bytes.front() == '"' && !r.element)
      why.message += "; it starts with a string, not '{': the opening brace of an object may be missing";
    else if (r.cut_at_layout)
      why.message +=
          "; a string in it runs over a line (a quote is missing, or a newline was pasted in), so it is taken to "
          "end where the lines' layout shows the next record start";
    else if (r.cut_at_next)
      why.message += "; it ends where the next record starts (a closing brace or bracket is missing)";
    else if (json_error && !in_place && bytes.front() == '{')
      if (const auto lines = std::count(bytes.begin(), bytes.end(), '\n'); lines >= 2)
        why.message += "; the record runs over " + std::to_string(lines + 1) +
                       " lines: a missing brace or bracket may have taken the records after it into this one";
    // Bytes that are not UTF-8 are found before the parse, which has left them as they
    // were; any other failure, after it had begun to unescape them in place.
    if (in_place && failed->code == std::string_view("invalid-utf8"))
      why.raw = std::string(bytes);
    else if (in_place)
      raw_from_input(c, r, why);
    return false;
  }
  detail::NotAnIssue no{};
  if (!detail::parse_issue(rp.doc(), out, no)) {
    why.code = no.code;
    why.message = no.message;
    if (in_place) raw_from_input(c, r, why);
    return false;
  }
  return true;
}

// Reads record i of a CSV chunk; the views point into the chunk's fields.
bool parse_csv_record(const detail::Chunk& c, std::size_t i, detail::ParsedIssue& out, Reject& why) {
  const auto& f = c.csv_fields[i];
  const auto& cols = *c.columns;
  if (c.csv_bad[i]) {
    why.code = "csv-syntax";
    why.message =
        "malformed quoting (a quote inside an unquoted field, text after a closing quote, or a quote never "
        "closed); the lines after this one are read as rows of their own";
    return false;
  }
  if (f.size() != cols.count) {
    why.code = "csv-fields";
    why.message = "the row has " + std::to_string(f.size()) + " fields, the header " + std::to_string(cols.count);
    return false;
  }
  for (const auto& field : f)
    if (!valid_utf8(field)) {
      why.code = "invalid-utf8";
      why.message = "a field holds bytes that are not UTF-8";
      return false;
    }
  auto at = [&](std::size_t k) { return k == detail::CsvColumns::none ? std::string_view() : std::string_view(f[k]); };
  out.title = at(cols.title);
  out.body = at(cols.body);
  if (blank(out.title) && blank(out.body)) {
    why.code = "no-title-or-body";
    why.message = "the row has neither a title nor a body";
    return false;
  }
  out.url = at(cols.url);
  out.pull_request = out.url.find("/pull/") != std::string_view::npos;
  std::string repo = detail::repo_of(out.url);
  out.id = std::string(at(cols.id));
  if (out.id.empty() && !at(cols.number).empty())
    out.id = (repo.empty() ? "#" : repo + "#") + std::string(at(cols.number));
  if (out.id.empty() && !repo.empty())  // the number the url gives, as for JSON
    if (std::string num = detail::number_of(out.url); !num.empty()) out.id = repo + "#" + num;
  if (out.id.empty()) out.id = c.source(c.records[i]);
  out.labels_text = std::string(at(cols.labels));
  out.comments_text.clear();
  return true;
}

std::string size_text(std::uint64_t bytes) {
  return bytes >= (1ull << 20) ? std::to_string(bytes >> 20) + " MiB (" + std::to_string(bytes) + " bytes)"
                               : std::to_string(bytes) + " bytes";
}

bool parse_record(detail::Chunk& c, std::size_t i, RecordParser& rp, detail::ParsedIssue& out, Reject& why,
                  std::uint64_t max_record, bool keep_bytes = false) {
  if (c.records[i].too_large) {
    why.code = "too-large";
    why.message = "the record is " + size_text(c.records[i].size) + ", over the limit of " + size_text(max_record) +
                  " (--max-record)";
    raw_from_input(c, c.records[i], why);
    return false;
  }
  if (c.format == InputFormat::csv) return parse_csv_record(c, i, out, why);
  return parse_json_record(c, c.records[i], rp, out, why, keep_bytes);
}

void process(detail::Chunk& c, const Classifier& clf, const BatchOptions& opt, RecordParser& rp) {
  c.outcomes.assign(c.records.size(), {});
  detail::ParsedIssue parsed;
  for (std::size_t i = 0; i < c.records.size(); ++i) {
    auto& o = c.outcomes[i];
    const auto& r = c.records[i];
    if (r.skip) {
      o.status = detail::Chunk::Outcome::skipped;
      o.out_end = c.out.size();
      continue;
    }
    Reject why;
    if (!parse_record(c, i, rp, parsed, why, opt.max_record)) {
      why.source = c.source(r);
      if (!r.too_large && (r.size <= big_record || c.format == InputFormat::csv)) why.raw = std::string(c.raw(r));
      why.resumed = r.resumed;
      c.rejects.push_back(std::move(why));
      o.status = detail::Chunk::Outcome::rejected;
      o.out_end = c.out.size();
      continue;
    }
    if (parsed.id.empty()) parsed.id = c.source(r);
    if (parsed.pull_request && !opt.pull_requests) {  // gh api repos/O/R/issues lists them too: not bug reports
      o.status = detail::Chunk::Outcome::pull_request;
      o.out_end = c.out.size();
      continue;
    }
    // A CSV row or a gh command prints no rationale and no evidence: not built for them.
    const bool labels_only = opt.output_format == OutputFormat::csv || opt.output_format == OutputFormat::gh;
    Classification cl =
        clf.classify(parsed.view(), opt.answers, labels_only ? Classifier::Explain::labels : Classifier::Explain::full);
    if (opt.silent_only && cl.silent == false) {
      o.status = detail::Chunk::Outcome::loud;
      o.out_end = c.out.size();
      continue;
    }
    o.category = static_cast<std::int16_t>(*clf.taxonomy().category_index(cl.category));
    o.level = cl.level.value_or(0);
    o.needs_review = cl.needs_review;
    o.loud_bug = cl.silent == false;
    const std::string source = c.source(r);
    if (opt.output_format == OutputFormat::values) {
      c.values.push_back(std::move(cl));
      if (opt.keep_issues) c.issues.push_back(parsed.to_issue());
    } else if (opt.output_format == OutputFormat::gh) {
      c.out += gh_issue_edit(cl, clf.taxonomy(), opt.label_all, parsed.labels_text).line;
    } else if (opt.output_format == OutputFormat::csv) {
      append_csv_row(c.out, cl, source);
    } else {
      c.out += to_json(cl, source);
      c.out += '\n';
    }
    o.status = detail::Chunk::Outcome::labeled;
    o.out_end = c.out.size();
  }
}

// One run of run_batch: what its pipeline's stages share. The serial stages (reading
// and delivering) touch the counters; the parallel one only classifies.
class BatchRun {
 public:
  using clock = std::chrono::steady_clock;

  BatchRun(const Classifier& clf, const BatchOptions& opt, BatchSink& sink)
      : clf_(clf),
        opt_(opt),
        sink_(sink),
        tax_(clf.taxonomy()),
        start_(clock::now()),
        reader_(opt.inputs, opt.input_format, opt.max_record),
        skip_left_(opt.skip_good),
        last_progress_(start_) {
    stats_.total_bytes = reader_.total_bytes();
  }

  BatchStats run() {
    if (opt_.output_format == OutputFormat::csv && opt_.header) sink_.write(csv_header(tax_));
    const unsigned jobs =
        std::min(BatchOptions::max_jobs, opt_.jobs ? opt_.jobs : std::max(1u, std::thread::hardware_concurrency()));
    // As many threads as asked for, even beyond the cores (TBB's default cap).
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, jobs);
    tbb::task_arena arena(static_cast<int>(jobs));
    auto input = tbb::make_filter<void, detail::Chunk*>(tbb::filter_mode::serial_in_order,
                                                        [this](tbb::flow_control& fc) { return next_chunk(fc); });
    auto work = tbb::make_filter<detail::Chunk*, detail::Chunk*>(tbb::filter_mode::parallel, [this](detail::Chunk* c) {
      if (!stop_) process(*c, clf_, opt_, parsers_.local());
      return c;
    });
    auto output = tbb::make_filter<detail::Chunk*, void>(tbb::filter_mode::serial_in_order, [this](detail::Chunk* c) {
      std::unique_ptr<detail::Chunk> own(c);
      if (!stop_) deliver(*c);
      recycle(std::move(own));
    });
    arena.execute([&] { tbb::parallel_pipeline(jobs * 4, input & work & output); });
    if (skip_left_ > 0 && !interrupted_ && !stop_ && stats_.resume_mismatch.empty())
      stats_.resume_mismatch = "it holds " + std::to_string(opt_.skip_good) + " records, the inputs only " +
                               std::to_string(opt_.skip_good - skip_left_) + " good ones";
    stats_.interrupted = interrupted_;
    stats_.seconds = std::chrono::duration<double>(clock::now() - start_).count();
    sink_.progress(stats_);
    return stats_;
  }

 private:
  // The pipeline's input: the next chunk, or nullptr once stopped, cancelled or done.
  detail::Chunk* next_chunk(tbb::flow_control& fc) {
    if (stop_) {
      fc.stop();
      return nullptr;
    }
    if (opt_.cancel && opt_.cancel->load()) {
      interrupted_ = true;
      fc.stop();
      return nullptr;
    }
    std::unique_ptr<detail::Chunk> c;
    {
      std::lock_guard<std::mutex> lock(spare_mutex_);
      if (!spare_.empty()) {
        c = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    if (!c) c = std::make_unique<detail::Chunk>();
    if (!reader_.next(*c)) {
      fc.stop();
      return nullptr;
    }
    if (skip_left_ > 0) mark_skipped(*c);
    if (!stats_.resume_mismatch.empty()) {  // not this run's partial output: write nothing
      stop_ = true;
      fc.stop();
      return nullptr;
    }
    return c.release();
  }

  // A delivered chunk, emptied, for the input to fill again (no more of them than the
  // pipeline's tokens); not one that grew past a few chunks' size for a big record.
  void recycle(std::unique_ptr<detail::Chunk> c) {
    constexpr std::size_t most = 8u << 20;
    if (c->buf.capacity() > most || c->out.capacity() > most) return;
    c->clear();
    std::lock_guard<std::mutex> lock(spare_mutex_);
    spare_.push_back(std::move(c));
  }

  // Whether the input's record N (the last one resumed) is the partial output's last: the
  // same id; or, for a record named by its place (no id of its own: "name:line" or
  // "name[k]"), the same place whatever the input's name (stdin, then the file).
  void check_resumed(const detail::Chunk& c, const detail::Chunk::Record& r, const detail::ParsedIssue& parsed) {
    const std::string source = c.source(r);
    const std::string id = parsed.id.empty() ? source : std::string(parsed.id);
    auto place = [](const std::string& s) {  // ":line" or "[k]", after the input's name
      const auto at = s.back() == ']' ? s.rfind('[') : s.rfind(':');
      return at == std::string::npos ? s : s.substr(at);
    };
    const bool by_place = opt_.resume_id == opt_.resume_source;
    if (by_place ? id == source && place(source) == place(opt_.resume_source) : id == opt_.resume_id) return;
    stats_.resume_mismatch = "its last record is " + opt_.resume_id + " (" + opt_.resume_source +
                             "), this run's record " + std::to_string(opt_.skip_good) + " is " + id + " (" + source +
                             ")";
  }

  // Resume: marks the good records a previous run wrote. Serial, and it only parses.
  void mark_skipped(detail::Chunk& c) {
    detail::ParsedIssue parsed;
    for (std::size_t i = 0; i < c.records.size() && skip_left_ > 0; ++i) {
      Reject why;
      c.records[i].resumed = true;
      // Its bytes are kept: a worker parses a big record in place, later.
      bool good = parse_record(c, i, skip_parser_, parsed, why, opt_.max_record, true);
      // A pull request left out was not written: it does not count.
      if (good && parsed.pull_request && !opt_.pull_requests) good = false;
      // With silent_only, a loud record was not written: it does not count.
      if (good && opt_.silent_only &&
          clf_.classify(parsed.view(), opt_.answers, Classifier::Explain::labels).silent == false)
        good = false;
      if (good) {
        c.records[i].skip = true;
        if (--skip_left_ == 0 && !opt_.resume_id.empty()) check_resumed(c, c.records[i], parsed);
        if (!stats_.resume_mismatch.empty()) break;
      }
    }
    skip_parser_.release();
  }

  // Counts a labeled record; hands it over when the sink takes values.
  void count_labeled(detail::Chunk& c, std::size_t i, std::size_t& next_value) {
    const auto& o = c.outcomes[i];
    if (opt_.output_format == OutputFormat::values) {
      const Issue* issue = opt_.keep_issues ? &c.issues[next_value] : nullptr;
      sink_.labeled(std::move(c.values[next_value++]), c.source(c.records[i]), issue);
    }
    ++stats_.labeled;
    ++stats_.by_category[tax_.categories[static_cast<std::size_t>(o.category)].id];
    ++stats_.by_level[o.level];
    if (o.needs_review) ++stats_.needs_review;
    if (o.loud_bug) ++stats_.loud_labeled;
  }

  // The output stage: writes a chunk's lines and rejects, in input order.
  void deliver(detail::Chunk& c) {
    stats_.bytes += c.bytes;
    if (!c.input_error.empty()) {
      ++stats_.input_errors;
      sink_.input_error(c.input, c.input_error);
    }
    std::size_t next_reject = 0, written = 0, next_value = 0;
    for (std::size_t i = 0; i < c.records.size(); ++i) {
      const auto& o = c.outcomes[i];
      ++stats_.records;
      if (o.status == detail::Chunk::Outcome::skipped) {
        ++stats_.resumed;
        continue;
      }
      if (o.status == detail::Chunk::Outcome::loud) {
        ++stats_.loud;
        continue;
      }
      if (o.status == detail::Chunk::Outcome::pull_request) {
        ++stats_.pull_requests;
        continue;
      }
      if (o.status == detail::Chunk::Outcome::labeled) {
        count_labeled(c, i, next_value);
        continue;
      }
      const Reject& r = c.rejects[next_reject++];
      ++stats_.rejected;
      if (opt_.fail_fast && !r.resumed) {
        sink_.write(std::string_view(c.out).substr(written, o.out_end - written));
        written = o.out_end;
        sink_.reject(r);
        stats_.stopped = true;
        stop_ = true;
        return;
      }
      sink_.reject(r);
    }
    sink_.write(std::string_view(c.out).substr(written));
    auto now = clock::now();
    if (now - last_progress_ > std::chrono::milliseconds(200)) {
      last_progress_ = now;
      stats_.seconds = std::chrono::duration<double>(now - start_).count();
      sink_.progress(stats_);
    }
  }

  const Classifier& clf_;
  const BatchOptions& opt_;
  BatchSink& sink_;
  const Taxonomy& tax_;
  const clock::time_point start_;  // before the reader: its opening counts as time spent
  BatchStats stats_;
  detail::InputReader reader_;
  std::atomic<bool> stop_{false};
  bool interrupted_ = false;  // only the input stage (serial) touches it
  std::uint64_t skip_left_;
  RecordParser skip_parser_;
  tbb::enumerable_thread_specific<RecordParser> parsers_;
  clock::time_point last_progress_;
  std::mutex spare_mutex_;  // the input and output stages run on different threads
  std::vector<std::unique_ptr<detail::Chunk>> spare_;
};

}  // namespace

BatchStats run_batch(const Classifier& clf, const BatchOptions& opt, BatchSink& sink) {
  BatchRun batch(clf, opt, sink);
  return batch.run();
}

Result<PartialOutput> scan_partial_output(const std::string& path, OutputFormat format) {
  // Streamed a line at a time: a partial output can be many times the memory.
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path, 0, 0, "unreadable"};
  PartialOutput p;
  std::string line;
  std::uint64_t offset = 0;
  if (format == OutputFormat::jsonl || format == OutputFormat::gh) {
    std::string last;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: cut off
      const bool json = !line.empty() && line[0] == '{';
      if (format == OutputFormat::jsonl && !json)
        return Error{path + ":" + std::to_string(p.records + 1) + ": not a silt JSON line" +
                         (line.rfind("id,category,c", 0) == 0 ? " (it holds CSV: resume with --format csv)" : ""),
                     static_cast<int>(p.records + 1), 0, "not-silt-output"};
      if (format == OutputFormat::gh && !gh_output_line(line))
        return Error{path + ":" + std::to_string(p.records + 1) + ": not a gh command, as --format gh writes",
                     static_cast<int>(p.records + 1), 0, "not-silt-output"};
      ++p.records;
      offset += line.size() + 1;
      last = std::move(line);
    }
    p.bytes = offset;
    if (format == OutputFormat::jsonl && !last.empty())
      if (auto c = classification_from_json(last); c.ok()) {
        p.last_id = c.value().id;
        p.last_source = c.value().source;
      }
    return p;
  }
  const CsvOutputRows csv = scan_csv_output(in);
  if (csv.json_first)
    return Error{path + ":1: JSON Lines, not CSV: resume with the --format that wrote it (jsonl)", 1, 0,
                 "not-silt-output"};
  p.bytes = csv.bytes;
  p.last_id = csv.last_id;
  p.last_source = csv.last_source;
  p.has_header = csv.rows > 0;
  p.records = csv.rows > 0 ? csv.rows - 1 : 0;
  if (p.has_header && !csv.header_ok)
    return Error{path + ":1: not a silt CSV output (the header differs)", 1, 0, "not-silt-output"};
  return p;
}

}  // namespace silt
