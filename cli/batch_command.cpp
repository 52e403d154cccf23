// `silt batch`: options, the output and rejects files, the progress bar, the summary.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli.h"
#include "options.h"
#include "silt/batch.h"

namespace silt::cli {
namespace {

namespace fs = std::filesystem;

// At most this many rejects are named on stderr; the rest are counted (and all of them
// go to --rejects).
constexpr std::uint64_t rejects_shown = 20;

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string duration(double s) {
  long t = std::lround(s);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

// Writes the output (stdout, or FILE.partial renamed to FILE at the end), the rejects
// file, and what goes to stderr.
class CliSink : public BatchSink {
 public:
  CliSink(std::FILE* out, bool flush_each, std::FILE* rejects, bool progress, bool quiet)
      : out_(out), flush_each_(flush_each), rejects_(rejects), progress_(progress), quiet_(quiet) {}

  void write(std::string_view bytes) override {
    if (bytes.empty()) return;
    if (std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size()) write_failed_ = true;
    if (flush_each_ && std::fflush(out_) != 0) write_failed_ = true;
  }

  void reject(const Reject& r) override {
    if (rejects_) {
      std::fwrite(r.raw.data(), 1, r.raw.size(), rejects_);
      if (r.raw.empty() || r.raw.back() != '\n') std::fputc('\n', rejects_);
    }
    ++by_code_[r.code];
    if (r.resumed) return;  // named by the run that came before
    if (++shown_ <= rejects_shown) {
      clear_progress();
      spdlog::warn("{}: rejected, {}: {}", r.source, r.code, r.message);
    }
  }

  void input_error(const std::string& input, const std::string& message) override {
    clear_progress();
    spdlog::error("{}: {}", input, message);
  }

  void progress(const BatchStats& s) override {
    if (!progress_) return;
    const double rate = s.seconds > 0 ? static_cast<double>(s.bytes) / s.seconds : 0;
    std::string line;
    if (s.total_bytes > 0) {
      const double frac = std::min(1.0, static_cast<double>(s.bytes) / static_cast<double>(s.total_bytes));
      const auto filled = static_cast<std::size_t>(frac * 24);
      line = fmt::format("  [{:#<{}}{:.<{}}] {:3.0f}%", "", filled, "", 24 - filled, frac * 100);
    }
    line +=
        fmt::format("  {} records  {}  {}/s", s.records, human_bytes(static_cast<double>(s.bytes)), human_bytes(rate));
    if (s.total_bytes > 0 && rate > 0 && s.bytes < s.total_bytes)
      line += "  ETA " + duration(static_cast<double>(s.total_bytes - s.bytes) / rate);
    std::fprintf(stderr, "\r%-100s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  void clear_progress() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r%-100s\r", "");
    drawn_ = false;
  }

  bool write_failed() const { return write_failed_; }
  std::uint64_t hidden_rejects() const { return shown_ > rejects_shown ? shown_ - rejects_shown : 0; }
  const std::map<std::string, std::uint64_t>& by_code() const { return by_code_; }

 private:
  std::FILE* out_;
  bool flush_each_;
  std::FILE* rejects_;
  bool progress_;
  bool quiet_;
  bool drawn_ = false;
  bool write_failed_ = false;
  std::uint64_t shown_ = 0;
  std::map<std::string, std::uint64_t> by_code_;
};

void print_summary(const BatchStats& s, const CliSink& sink) {
  const double secs = s.seconds > 0 ? s.seconds : 1e-9;
  std::string line =
      fmt::format("silt batch: {} records read, {} labeled, {} rejected", s.records, s.labeled, s.rejected);
  if (!sink.by_code().empty()) {
    std::vector<std::string> codes;
    for (const auto& [code, n] : sink.by_code()) codes.push_back(fmt::format("{} {}", n, code));
    line += fmt::format(" ({})", fmt::join(codes, ", "));
  }
  if (s.resumed) line += fmt::format(", {} already in the partial output", s.resumed);
  if (s.loud) line += fmt::format(", {} left out as loud bugs (--silent-only)", s.loud);
  if (s.input_errors) line += fmt::format(", {} unreadable input(s)", s.input_errors);
  line += fmt::format("; {:.2f} s, {:.1f} MB/s, {:.0f} records/s", s.seconds, static_cast<double>(s.bytes) / 1e6 / secs,
                      static_cast<double>(s.records) / secs);
  std::cerr << line << "\n";
  if (!s.by_category.empty()) {
    std::vector<std::string> cats, levels;
    for (const auto& [id, n] : s.by_category) cats.push_back(fmt::format("{}={}", id, n));
    for (const auto& [l, n] : s.by_level) levels.push_back(fmt::format("{}={}", l ? std::to_string(l) : "none", n));
    std::cerr << fmt::format("  categories: {}\n  levels: {}\n", fmt::join(cats, ", "), fmt::join(levels, ", "));
  }
  if (sink.hidden_rejects())
    std::cerr << "  " << sink.hidden_rejects() << " more rejects not named here (--rejects FILE keeps them all)\n";
}

}  // namespace

int cmd_batch(const std::vector<std::string>& args) {
  po::options_description own("Batch options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
                    "files, directories (every *.json), - for stdin")(
      "input-format", po::value<std::string>()->default_value("auto"), "auto, jsonl, json or csv")(
      "format,f", po::value<std::string>()->default_value("jsonl"),
      "jsonl (what classify --format json prints) or csv")("output,o", po::value<std::string>()->value_name("FILE"),
                                                           "write here (atomically, via FILE.partial), not stdout")(
      "rejects", po::value<std::string>()->value_name("FILE"), "write each bad record here, unchanged")(
      "jobs,j", po::value<unsigned>()->default_value(0), "worker threads (0: one per core)")(
      "fail-fast", po::bool_switch(), "stop at the first bad record")(
      "silent-only", po::bool_switch(), "leave out records whose report shows a loud bug (traceback, crash, hang)")(
      "emit", po::value<std::string>()->value_name("gh"), "gh: write a gh issue edit command a record, not labels")(
      "label-all", po::bool_switch(), "with --emit gh: label issues flagged needs_review or loud too")(
      "resume", po::bool_switch(), "continue what -o FILE.partial holds from an interrupted run")(
      "progress", po::bool_switch(), "show a progress bar on stderr even when it is not a terminal")(
      "no-progress", po::bool_switch(), "never show the progress bar")(
      "set", po::value<std::vector<std::string>>()->value_name("C=yes|no"), "answer criterion C for every record");
  auto [vm, criteria, help] =
      parse_input_command(args, own,
                          "Usage: silt batch [OPTIONS] INPUT...\n\n"
                          "Labels every issue of the inputs, in parallel, and writes one output record per\n"
                          "good input record, in input order. Bad records are reported (file:line), kept\n"
                          "with --rejects, and counted; the others still all come out. Exit 0 when every\n"
                          "record was good, 3 when some were rejected or an input could not be read.");
  if (help) return exit_ok;

  BatchOptions options;
  auto in_format = parse_input_format(opt(vm, "input-format", "auto"));
  if (!in_format) throw UsageError{"--input-format takes auto, jsonl, json or csv"};
  options.input_format = *in_format;
  auto out_format = parse_output_format(opt(vm, "format", "jsonl"));
  if (!out_format) throw UsageError{"--format takes jsonl or csv"};
  options.output_format = *out_format;
  if (vm.count("emit")) {
    if (opt(vm, "emit") != "gh") throw UsageError{"--emit takes gh"};
    options.output_format = OutputFormat::gh;
  }
  options.label_all = vm["label-all"].as<bool>();
  options.jobs = vm["jobs"].as<unsigned>();
  options.fail_fast = vm["fail-fast"].as<bool>();
  options.silent_only = vm["silent-only"].as<bool>();
  if (vm.count("input")) options.inputs = vm["input"].as<std::vector<std::string>>();
  if (options.inputs.empty()) {
    if (isatty(STDIN_FILENO)) throw UsageError{"no input: name files or directories, or - for stdin"};
    options.inputs.push_back("-");
  }
  const bool resume = vm["resume"].as<bool>();
  const std::string output = opt(vm, "output");
  if (resume && output.empty()) throw UsageError{"--resume needs -o FILE: it continues FILE.partial"};
  if (vm["progress"].as<bool>() && vm["no-progress"].as<bool>())
    throw UsageError{"--progress and --no-progress contradict each other"};
  const bool quiet = vm["quiet"].as<bool>();
  const bool progress = !quiet && !vm["no-progress"].as<bool>() && (vm["progress"].as<bool>() || isatty(STDERR_FILENO));

  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  options.answers = collect_answers(vm, *config->taxonomy, criteria.ids);

  // The output: stdout, or FILE.partial renamed to FILE once everything is written.
  std::FILE* out = stdout;
  const std::string partial = output + ".partial";
  if (!output.empty()) {
    std::error_code ec;
    const char* mode = "wb";
    if (resume && fs::exists(partial, ec)) {
      auto p = scan_partial_output(partial, options.output_format);
      if (!p.ok()) {
        spdlog::error("cannot resume: {}", p.error().message);
        return exit_usage;
      }
      fs::resize_file(partial, p.value().bytes, ec);
      if (ec) {
        spdlog::error("cannot resume: {}: {}", partial, ec.message());
        return exit_usage;
      }
      options.skip_good = p.value().records;
      options.header = !p.value().has_header;
      mode = "ab";
      spdlog::info("resuming: {} holds {} records; going on from there", partial, options.skip_good);
    } else if (resume && fs::exists(output, ec)) {
      spdlog::info("{} is complete (no {}): nothing to resume", output, partial);
      return exit_ok;
    }
    out = std::fopen(partial.c_str(), mode);
    if (!out) {
      spdlog::error("{}: cannot write: {}", partial, std::strerror(errno));
      return exit_usage;
    }
    std::setvbuf(out, nullptr, _IOFBF, 1 << 20);
  }
  std::FILE* rejects = nullptr;
  if (vm.count("rejects")) {
    rejects = std::fopen(opt(vm, "rejects").c_str(), "wb");
    if (!rejects) {
      spdlog::error("{}: cannot write: {}", opt(vm, "rejects"), std::strerror(errno));
      return exit_usage;
    }
  }

  Classifier classifier(config->taxonomy, config->rules);
  // Each chunk is flushed as soon as it is written: on stdout records stream through a
  // pipe (Hadoop Streaming, Spark's pipe, GNU parallel --pipe); in FILE.partial an
  // interrupted run leaves every finished chunk for --resume.
  CliSink sink(out, true, rejects, progress, quiet);
  BatchStats stats = run_batch(classifier, options, sink);
  sink.clear_progress();

  bool ok = std::fflush(out) == 0 && !sink.write_failed();
  if (!output.empty()) {
    ok = ok && ::fsync(fileno(out)) == 0;
    ok = std::fclose(out) == 0 && ok;
  }
  if (rejects) std::fclose(rejects);
  if (!ok) {
    spdlog::error("{}: write failed: {}", output.empty() ? std::string("<stdout>") : partial, std::strerror(errno));
    return exit_bad_input;
  }
  if (!output.empty()) {
    if (stats.stopped) {
      spdlog::error("stopped at the first bad record (--fail-fast); what was written is in {}", partial);
    } else {
      std::error_code ec;
      fs::rename(partial, output, ec);
      if (ec) {
        spdlog::error("cannot rename {} to {}: {}", partial, output, ec.message());
        return exit_bad_input;
      }
    }
  }
  if (!quiet) print_summary(stats, sink);
  return stats.rejected > 0 || stats.input_errors > 0 || stats.stopped ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
