// `silt batch`: options, the output and rejects files, the progress bar, the summary.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli.h"
#include "options.h"
#include "silt/batch.h"
#include "silt/builtin.h"
#include "silt/files.h"
#include "silt/labels.h"

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
  CliSink(OutputFile* out, OutputFile* rejects, bool progress, bool quiet)
      : out_(out), rejects_(rejects), progress_(progress), quiet_(quiet) {}

  // Each chunk is flushed as soon as it is written: on stdout records stream through a
  // pipe (Hadoop Streaming, Spark's pipe, GNU parallel --pipe); in FILE.partial an
  // interrupted run leaves every finished chunk for --resume.
  void write(std::string_view bytes) override {
    if (bytes.empty()) return;
    if (out_) {
      if (!out_->write(bytes) || !out_->flush()) write_failed_ = true;
      return;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0)
      write_failed_ = true;
  }

  void reject(const Reject& r) override {
    if (rejects_) {
      bool ok = true;
      char last = r.raw.empty() ? '\n' : r.raw.back();
      if (r.raw.empty() && !r.raw_path.empty())
        ok = copy_raw(r, last);
      else
        ok = rejects_->write(r.raw);
      if (r.raw.empty() && r.raw_path.empty()) last = 0;  // not kept: an empty line marks its place
      if (last != '\n') ok = rejects_->write("\n") && ok;
      if (!ok) rejects_failed_ = true;
    }
    ++by_code_[r.code];
    if (r.resumed) return;  // named by the run that came before
    if (++shown_ <= rejects_shown) {
      clear_progress();
      spdlog::warn("{}", rejected_line(r));
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

  // Copies a record that was not held in memory from its input file into the rejects
  // file, a block at a time; `last` receives its last byte.
  bool copy_raw(const Reject& r, char& last) {
    int fd = ::open(r.raw_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return rejects_->write("");
    std::string block(1 << 20, '\0');
    std::uint64_t done = 0;
    bool ok = true;
    while (done < r.raw_size && ok) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), r.raw_size - done));
      ssize_t n = ::pread(fd, block.data(), want, static_cast<off_t>(r.raw_offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      ok = rejects_->write(std::string_view(block.data(), static_cast<std::size_t>(n)));
      last = block[static_cast<std::size_t>(n) - 1];
      done += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return ok;
  }

  bool write_failed() const { return write_failed_; }
  bool rejects_failed() const { return rejects_failed_; }
  std::uint64_t hidden_rejects() const { return shown_ > rejects_shown ? shown_ - rejects_shown : 0; }
  const std::map<std::string, std::uint64_t>& by_code() const { return by_code_; }

 private:
  OutputFile* out_;
  OutputFile* rejects_;
  bool progress_;
  bool quiet_;
  bool drawn_ = false;
  bool write_failed_ = false;
  bool rejects_failed_ = false;
  std::uint64_t shown_ = 0;
  std::map<std::string, std::uint64_t> by_code_;
};

// Appends `items` to `out` after `head`, comma-separated, wrapped at 100 columns with
// the continuation lines indented under the first item.
void append_wrapped(std::string& out, const std::string& head, const std::vector<std::string>& items) {
  std::string line = head;
  const std::string indent(head.size(), ' ');
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i];
    if (i + 1 < items.size()) item.push_back(',');
    if (line.size() > indent.size() && line.size() + 1 + item.size() > 100) {
      out += line;
      out.push_back('\n');
      line = indent;
    }
    line.push_back(' ');
    line += item;
  }
  out += line;
  out.push_back('\n');
}

// The closing lines on stderr, none over 100 columns.
void print_summary(const BatchStats& s, const CliSink& sink) {
  const double secs = s.seconds > 0 ? s.seconds : 1e-9;
  // After --resume, what this run labeled and counts, and what the partial output held.
  const std::string labeled = s.resumed
                                  ? fmt::format("{} labeled in this run ({} before the resume)", s.labeled, s.resumed)
                                  : fmt::format("{} labeled", s.labeled);
  std::string out = fmt::format("silt batch: {} records read, {}, {} rejected; {:.2f} s, {:.1f} MB/s\n", s.records,
                                labeled, s.rejected, s.seconds, static_cast<double>(s.bytes) / 1e6 / secs);
  if (s.labeled)
    out += fmt::format("  needs review: {} (no rule decided, or a close call); loud bugs labeled: {}\n", s.needs_review,
                       s.loud_labeled);
  std::vector<std::string> notes;
  for (const auto& [code, n] : sink.by_code()) notes.push_back(fmt::format("{} {}", n, code));
  if (!notes.empty()) append_wrapped(out, "  rejected:", notes);
  if (s.loud) out += fmt::format("  {} records left out as loud bugs (--silent-only)\n", s.loud);
  if (s.pull_requests)
    out += fmt::format("  {} pull requests left out (--pull-requests labels them)\n", s.pull_requests);
  if (s.input_errors) out += fmt::format("  {} input(s) could not be read\n", s.input_errors);
  if (!s.by_category.empty()) {
    std::vector<std::string> cats, levels;
    for (const auto& [id, n] : s.by_category) cats.push_back(fmt::format("{}={}", id, n));
    for (const auto& [l, n] : s.by_level) levels.push_back(fmt::format("{}={}", l ? std::to_string(l) : "none", n));
    append_wrapped(out, s.resumed ? "  categories (this run):" : "  categories:", cats);
    append_wrapped(out, s.resumed ? "  levels (this run):" : "  levels:", levels);
  }
  if (sink.hidden_rejects())
    out += fmt::format("  {} more rejects not named here (--rejects FILE keeps them all)\n", sink.hidden_rejects());
  std::cerr << out;
}

// Ctrl-C and SIGTERM while a batch runs: the first one asks run_batch to stop reading
// (what was read is still written, whole); the handler then steps aside, so a second
// one stops the process at once.
std::atomic<bool> interrupt_flag{false};
volatile std::sig_atomic_t interrupt_signal = 0;

extern "C" void on_interrupt(int sig) {
  interrupt_signal = sig;
  interrupt_flag.store(true);
}

// A signal ignored when silt started (nohup, a shell's background job) stays ignored.
void catch_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

// A digest of a file's content ("unreadable" when it cannot be read).
std::string content_digest(const std::string& path) {
  auto content = read_input_file(path, ~std::uint64_t{0});
  if (!content.ok()) return "unreadable";
  return fmt::format("{:016x}", std::hash<std::string_view>{}(content.value()));
}

// What decides the records a run writes, one a line: every option given or defaulted
// but those that only say where and how it runs (inputs, -o, -j, --rejects, progress,
// messages), the content of the files named, and silt's version. Kept in
// FILE.partial.options beside an interrupted run's output, so that --resume goes on only
// with the same: a --pack or an answer changed half-way would mix two labelings.
std::vector<std::string> run_settings(const po::variables_map& vm, const Config& config) {
  static const std::set<std::string, std::less<>> how = {"input",   "output",    "resume",   "restart",     "rejects",
                                                         "jobs",    "fail-fast", "progress", "no-progress", "color",
                                                         "verbose", "quiet",     "help"};
  std::vector<std::string> lines;
  for (const auto& [name, value] : vm) {
    if (how.count(name)) continue;
    const boost::any& any = value.value();
    std::string line = "--" + name;
    if (const auto* b = boost::any_cast<bool>(&any)) {
      if (!*b) continue;  // a switch not given
    } else if (const auto* text = boost::any_cast<std::string>(&any)) {
      // A size as the number of bytes it names: 64M and 64MiB are one.
      line += " " + (name == "max-record" ? std::to_string(parse_size(*text, "--max-record")) : *text);
      if (name == "taxonomy" || name == "packs") line += " (content " + content_digest(*text) + ")";
    } else if (const auto* list = boost::any_cast<std::vector<std::string>>(&any)) {
      line += " " + fmt::format("{}", fmt::join(*list, " "));
    } else {
      line += " (set)";
    }
    lines.push_back(std::move(line));
  }
  // The rules files read, with what they include (the built-in ones are silt's version's).
  std::vector<std::shared_ptr<const RuleSet>> sets;
  if (config.rules && (vm.count("rules") || vm.count("packs"))) sets.push_back(config.rules);
  if (config.packs && vm.count("packs"))
    for (const auto& pack : config.packs->packs()) sets.push_back(config.packs->rules(pack));
  std::set<std::string> files;
  for (const auto& set : sets)
    if (set)
      for (const auto& f : set->files()) files.insert(f);
  for (const auto& f : files)
    if (std::error_code ec; fs::is_regular_file(f, ec))
      lines.push_back("rules file " + f + " (content " + content_digest(f) + ")");
  lines.push_back("silt " + std::string(version()));
  return lines;
}

std::string settings_path(const OutputFile& out) {
  return out.written_path() + ".options";
}

bool write_settings(const OutputFile& out, const std::vector<std::string>& settings) {
  std::ofstream f(settings_path(out), std::ios::trunc);
  f << "# silt batch: what " << out.written_path() << " is written with; --resume goes on only with the same\n";
  for (const auto& line : settings) f << line << "\n";
  f.flush();
  return static_cast<bool>(f);
}

// How this run's settings differ from those an interrupted run kept ("" when they do
// not, or when none were kept: nullopt).
std::optional<std::string> settings_change(const OutputFile& out, const std::vector<std::string>& now) {
  std::ifstream f(settings_path(out));
  if (!f) return std::nullopt;
  std::vector<std::string> then;
  for (std::string line; std::getline(f, line);)
    if (!line.empty() && line[0] != '#') then.push_back(line);
  std::vector<std::string> gone, added;
  for (const auto& l : then)
    if (std::find(now.begin(), now.end(), l) == now.end()) gone.push_back(l);
  for (const auto& l : now)
    if (std::find(then.begin(), then.end(), l) == then.end()) added.push_back(l);
  if (gone.empty() && added.empty()) return std::string();
  std::string why;
  if (!gone.empty()) why += fmt::format("it was written with {}", fmt::join(gone, ", "));
  if (!added.empty()) why += fmt::format("{}this run has {}", why.empty() ? "" : "; ", fmt::join(added, ", "));
  return why;
}

// The command that goes on: the same arguments without --restart, with --resume once
// (a resumed run interrupted again has it already).
std::string resume_command(const std::vector<std::string>& args) {
  std::string line = "silt batch";
  bool resume = false;
  for (const auto& a : args) {
    if (a == "--restart") continue;
    resume = resume || a == "--resume";
    line.push_back(' ');
    line += shell_quote(a);
  }
  if (!resume) line += " --resume";
  return line;
}

}  // namespace

int cmd_batch(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("INPUT"),
                    "files, directories (every *.json), - for stdin")(
      "input-format", po::value<std::string>()->default_value("auto")->value_name("FORMAT"),
      "auto, jsonl, json or csv")("format,f", po::value<std::string>()->default_value("jsonl")->value_name("FORMAT"),
                                  "jsonl (what classify --format json prints) or csv")(
      "output,o", po::value<std::string>()->value_name("FILE"),
      "write here (atomically, via FILE.partial), not stdout")(
      "resume", po::bool_switch(), "continue what -o FILE.partial holds from an interrupted run")(
      "restart", po::bool_switch(), "discard what -o FILE.partial holds from an interrupted run, and start again")(
      "rejects", po::value<std::string>()->value_name("FILE"), "write each bad record here, unchanged")(
      "jobs,j", po::value<long long>()->default_value(0)->value_name("N"),
      "worker threads, 0 to 256 (0: one per core)")("fail-fast", po::bool_switch(), "stop at the first bad record")(
      "silent-only", po::bool_switch(), "leave out records whose report shows a loud bug (traceback, crash, hang)")(
      "pull-requests", po::bool_switch(),
      "label pull requests too (left out by default: gh api .../issues lists them)")(
      "emit", po::value<std::string>()->value_name("gh"), "gh: write a gh issue edit command a record, not labels")(
      "label-all", po::bool_switch(), "with --emit gh: label issues flagged needs_review or loud too")(
      "progress", po::bool_switch(), "show a progress bar on stderr even when it is not a terminal")(
      "no-progress", po::bool_switch(), "never show the progress bar")(
      "max-record", po::value<std::string>()->default_value("64M")->value_name("SIZE"),
      "reject records bigger than this (too-large), never holding them: 64M, 1G, 500K, bytes");
  const HelpText help{
      "silt batch [OPTIONS] INPUT...",
      "Labels every issue of the inputs, in parallel, and writes one output record per good input record, in "
      "input order. Bad records are reported (file:line), kept with --rejects, and counted; the others still all "
      "come out. With -o FILE the output goes to FILE.partial, renamed to FILE when the run completes; a run "
      "stopped (Ctrl-C, a crash) leaves FILE.partial, which --resume continues and a plain re-run refuses to "
      "discard unless told --restart.",
      {},
      {{"0", "every record was good"},
       {"2", "usage or configuration error; a FILE.partial a re-run would discard"},
       {"3", "some records were rejected or an input could not be read (the good records are all written)"},
       {"4", "the output could not be written"},
       {"130", "stopped by Ctrl-C (143: by SIGTERM); the line printed says how to resume"}},
      {"silt batch issues.jsonl -o labels.jsonl", "silt batch dump/ more.csv -f csv -o labels.csv --rejects bad.txt",
       "gh api --paginate repos/OWNER/REPO/issues | silt batch - > labels.jsonl",
       "silt batch huge.jsonl -o labels.jsonl --resume     # after an interruption",
       "silt batch issues.jsonl --emit gh > label.sh"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_answers);
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;

  BatchOptions options;
  auto in_format = parse_input_format(opt(vm, "input-format", "auto"));
  if (!in_format) throw UsageError{"--input-format takes auto, jsonl, json or csv"};
  options.input_format = *in_format;
  auto out_format = parse_output_format(opt(vm, "format", "jsonl"));
  if (!out_format) throw UsageError{"--format takes jsonl or csv"};
  options.output_format = *out_format;
  if (vm.count("emit")) {
    if (opt(vm, "emit") != "gh") throw UsageError{"--emit takes gh"};
    // Options that would be ignored are refused, not dropped unsaid.
    if (vm.count("format") && !vm["format"].defaulted() && *out_format != OutputFormat::gh)
      throw UsageError{"--emit gh writes gh commands: --format " + opt(vm, "format") + " does not go with it"};
    options.output_format = OutputFormat::gh;
  }
  options.label_all = vm["label-all"].as<bool>();
  if (options.label_all && options.output_format != OutputFormat::gh)
    throw UsageError{"--label-all goes with --emit gh"};
  const long long jobs = vm["jobs"].as<long long>();
  if (jobs < 0 || jobs > static_cast<long long>(BatchOptions::max_jobs))
    throw UsageError{"--jobs takes 0 (one per core) to " + std::to_string(BatchOptions::max_jobs) + ", not " +
                     std::to_string(jobs)};
  options.jobs = static_cast<unsigned>(jobs);
  options.fail_fast = vm["fail-fast"].as<bool>();
  options.silent_only = vm["silent-only"].as<bool>();
  options.pull_requests = vm["pull-requests"].as<bool>();
  options.max_record = parse_size(opt(vm, "max-record", "64M"), "--max-record");
  if (vm.count("input")) options.inputs = vm["input"].as<std::vector<std::string>>();
  if (options.inputs.empty()) {
    if (isatty(STDIN_FILENO)) throw UsageError{"no input: name files or directories, or - for stdin"};
    options.inputs.push_back("-");
  }
  const bool resume = vm["resume"].as<bool>();
  const std::string output = opt(vm, "output");
  const bool restart = vm["restart"].as<bool>();
  if (resume && output.empty()) throw UsageError{"--resume needs -o FILE: it continues FILE.partial"};
  if (restart && output.empty()) throw UsageError{"--restart needs -o FILE: it discards FILE.partial"};
  if (resume && restart) throw UsageError{"--resume and --restart contradict each other"};
  if (vm.count("rejects") && !output.empty()) {  // before either is created
    std::error_code e1, e2;
    if (fs::weakly_canonical(opt(vm, "rejects"), e1) == fs::weakly_canonical(output, e2))
      throw UsageError{"--rejects and -o name the same file: the rejects would overwrite the labels"};
  }
  if (vm["progress"].as<bool>() && vm["no-progress"].as<bool>())
    throw UsageError{"--progress and --no-progress contradict each other"};
  const bool quiet = vm["quiet"].as<bool>();
  const bool progress = !quiet && !vm["no-progress"].as<bool>() && (vm["progress"].as<bool>() || isatty(STDERR_FILENO));

  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  options.answers = collect_answers(vm, *config->taxonomy, criteria.ids);

  // Nothing is created before some input is known to be readable.
  std::size_t readable = 0;
  std::vector<std::string> unreadable;
  for (const auto& in : options.inputs) {
    std::error_code ec;
    if (in == "-" || fs::is_directory(in, ec) || ::access(in.c_str(), R_OK) == 0)
      ++readable;
    else
      unreadable.push_back(printable(in) + ": cannot read: " + std::strerror(errno));
  }
  if (readable == 0) {
    for (const auto& m : unreadable) spdlog::error("{}", m);
    spdlog::error("no input could be read; nothing was written");
    return exit_bad_input;
  }

  // The output: stdout, or FILE.partial renamed to FILE once everything is written
  // (written directly when FILE is a device or a FIFO).
  std::unique_ptr<OutputFile> out;
  const std::vector<std::string> settings = run_settings(vm, *config);
  bool write_settings_now = false;  // a fresh start, or a resume of a partial that had none
  if (!output.empty()) {
    auto opened = OutputFile::open(output, options.inputs);
    if (!opened.ok()) {
      spdlog::error("{}", printable(opened.error().message));
      return opened.error().code == "output-is-input" || opened.error().code == "locked" ? exit_usage : exit_write;
    }
    out = std::move(opened).value();
    std::error_code ec;
    const std::string& partial = out->written_path();
    const std::uintmax_t size = fs::file_size(partial, ec);
    const std::uintmax_t held = ec ? 0 : size;  // bytes an interrupted run left there
    if (out->direct()) {
      if (resume) throw UsageError{"--resume needs -o to name a regular file; " + output + " is not one"};
    } else if (resume && (held > 0 || fs::exists(settings_path(*out), ec))) {
      // An interrupted run's partial output; empty when it stopped before its first
      // records were written (its options file says there was one): going on from it is
      // starting afresh, with its options.
      Result<PartialOutput> p = PartialOutput{};
      if (held > 0) p = scan_partial_output(partial, options.output_format);
      if (!p.ok()) {
        spdlog::error("cannot resume: {}", printable(p.error().message));
        return exit_usage;
      }
      const auto change = settings_change(*out, settings);
      if (change && !change->empty()) {
        spdlog::error(
            "cannot resume: {} was written with other options ({}); its records are kept. Run with the options "
            "that wrote it, or --restart to discard it",
            printable(partial), printable(*change));
        return exit_usage;
      }
      if (!change)
        spdlog::warn("{}: not found; the options of the interrupted run are not known, and not checked",
                     printable(settings_path(*out)));
      if (auto e = out->keep(p.value().bytes)) {
        spdlog::error("cannot resume: {}", printable(e->message));
        return exit_write;
      }
      options.skip_good = p.value().records;
      options.resume_id = p.value().last_id;
      options.resume_source = p.value().last_source;
      options.header = !p.value().has_header;
      spdlog::info("resuming: {} holds {} records; going on from there", printable(partial), options.skip_good);
      write_settings_now = !change;
    } else if (resume && fs::exists(out->path(), ec)) {
      // Nothing says which inputs and options wrote a complete FILE: going on from it
      // could append another run's records to it. Refused, FILE left as it is.
      fs::remove(partial, ec);  // the empty file open() created
      spdlog::error(
          "cannot resume: {} is complete (there is no {}); nothing tells which inputs and options wrote it. To "
          "label these inputs again, run without --resume (it is replaced when that run completes); to label more "
          "issues, write them to another file",
          printable(output), printable(partial));
      return exit_usage;
    } else if (!resume && !restart && held > 0) {
      spdlog::error("{} holds the output of an interrupted run ({}); --resume goes on from it, --restart discards it",
                    printable(partial), human_bytes(static_cast<double>(held)));
      return exit_usage;
    } else if (auto e = out->keep(0)) {
      spdlog::error("{}", printable(e->message));
      return exit_write;
    } else {
      write_settings_now = true;
    }
  }
  std::unique_ptr<OutputFile> rejects;
  if (vm.count("rejects")) {
    std::vector<std::string> taken = options.inputs;
    if (out) taken.push_back(out->written_path());
    auto opened = OutputFile::open(opt(vm, "rejects"), taken);
    if (!opened.ok()) {
      spdlog::error("--rejects {}", printable(opened.error().message));
      return opened.error().code == "output-is-input" || opened.error().code == "locked" ? exit_usage : exit_write;
    }
    rejects = std::move(opened).value();
    if (auto e = rejects->keep(0)) {
      spdlog::error("{}", printable(e->message));
      return exit_write;
    }
  }

  // Written once every file this run writes is open: a run that could not start leaves none.
  if (write_settings_now && !write_settings(*out, settings)) {
    spdlog::error("{}: cannot write: {}", printable(settings_path(*out)), std::strerror(errno));
    return exit_write;
  }
  Classifier classifier = make_classifier(*config);
  CliSink sink(out.get(), rejects.get(), progress, quiet);
  options.cancel = &interrupt_flag;
  catch_interrupts();
  BatchStats stats = run_batch(classifier, options, sink);
  sink.clear_progress();
  // A signal that came after the reading ended still interrupted the run: in a pipeline,
  // Ctrl-C stops the writer too, and the end of input it leaves is no end of the data.
  if (interrupt_flag.load()) stats.interrupted = true;
  if (!stats.resume_mismatch.empty()) {
    if (rejects && !rejects->direct()) {  // nothing was read for it: no rejects file of this run
      std::error_code ec;
      fs::remove(rejects->written_path(), ec);
    }
    std::error_code ec;
    if (write_settings_now) fs::remove(settings_path(*out), ec);  // they were not the partial's
    spdlog::error(
        "cannot resume: {} is not this run's output ({}); its records are kept. Run with the inputs and options "
        "that wrote it, or --restart to discard it",
        printable(out->written_path()), printable(stats.resume_mismatch));
    return exit_usage;
  }

  int code = stats.rejected > 0 || stats.input_errors > 0 || stats.stopped ? exit_bad_input : exit_ok;
  if (rejects) {
    auto e = rejects->commit();
    if (e || sink.rejects_failed()) {
      spdlog::error("--rejects: {}", printable(e ? e->message : rejects->error()));
      code = exit_write;
    }
  }
  if (sink.write_failed()) {
    if (!out)
      spdlog::error("<stdout>: write failed: {}", std::strerror(errno));
    else if (out->direct())
      spdlog::error("{}", printable(out->error()));
    else  // the records written whole before it are kept; a record cut short is dropped
      spdlog::error("{}; once there is room, go on with:\n  {}", printable(out->error()), resume_command(args));
    return exit_write;
  }
  if (stats.interrupted) {
    const int sig = interrupt_signal ? interrupt_signal : SIGINT;
    std::string far = fmt::format("{} records read", stats.records);
    if (stats.total_bytes > 0)
      far += fmt::format(" ({} of {}, {:.0f}%)", human_bytes(static_cast<double>(stats.bytes)),
                         human_bytes(static_cast<double>(stats.total_bytes)),
                         100.0 * static_cast<double>(stats.bytes) / static_cast<double>(stats.total_bytes));
    if (out && !out->direct()) {
      out->flush();
      spdlog::error("interrupted ({}) after {}; {} holds the {} records labeled so far. Go on with:\n  {}",
                    sig == SIGTERM ? "SIGTERM" : "Ctrl-C", far, printable(out->written_path()),
                    stats.labeled + stats.resumed, resume_command(args));
    } else {
      spdlog::error("interrupted ({}) after {}; the {} records labeled so far were written",
                    sig == SIGTERM ? "SIGTERM" : "Ctrl-C", far, stats.labeled);
    }
    if (!quiet) print_summary(stats, sink);
    return 128 + sig;
  }
  if (out) {
    if (stats.stopped) {
      out->flush();
      spdlog::error("stopped at the first bad record (--fail-fast); what was written is in {}",
                    printable(out->written_path()));
    } else if (auto e = out->commit()) {
      spdlog::error("{}", printable(e->message));
      return exit_write;
    } else if (!out->direct()) {
      std::error_code ec;
      fs::remove(settings_path(*out), ec);
    }
  }
  if (!quiet) print_summary(stats, sink);
  return code;
}

}  // namespace silt::cli
