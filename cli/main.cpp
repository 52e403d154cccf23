// silt: silent-bug triage. Dispatches on the verb; see `silt --help`.
#include <malloc.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "options.h"
#include "silt/builtin.h"

namespace {

using Run = int (*)(const std::vector<std::string>&);

// The commands, in the order `silt --help` lists them: the one table the dispatch, the
// help and the "did you mean" read.
struct Command {
  const char* name;
  const char* summary;  // one line in `silt --help`
  Run run;
  bool one_at_a_time = false;  // reads an issue or two, where start-up is most of the run
};
constexpr Command commands[] = {
    {"classify", "classify issues: text, Markdown, GitHub or gh JSON", silt::cli::cmd_classify, true},
    {"batch", "label a dataset in parallel, in input order, losing nothing", silt::cli::cmd_batch},
    {"explain", "how silt read an issue: fields, rules fired and suppressed", silt::cli::cmd_explain, true},
    {"eval", "labels against gold labels: accuracy, F1, kappas, confusion", silt::cli::cmd_eval},
    {"agree", "how far labelers agree: kappas, alpha, AC1/AC2, with intervals", silt::cli::cmd_agree},
    {"check", "levels that do not follow from the labelers' own answers", silt::cli::cmd_check},
    {"triage", "label issues by hand at the terminal, blind to silt's reading", silt::cli::cmd_triage},
    {"report", "one self-contained HTML page of batch, eval and agree outputs", silt::cli::cmd_report},
    {"labels", "the gh commands that create the taxonomy's GitHub labels", silt::cli::cmd_labels},
    {"consensus", "the validation survey's figures, per category and level", silt::cli::cmd_consensus},
    {"consistency", "one labeler's 1-5 ratings against the survey's consensus", silt::cli::cmd_consistency},
    {"validate", "check the taxonomy and rules files, report every finding", silt::cli::cmd_validate},
    {"rules", "test, lint or fit the matching rules: rules test|lint|fit", silt::cli::cmd_rules},
    {"taxonomy", "show or lint the taxonomy and its matrix: taxonomy show|lint", silt::cli::cmd_taxonomy},
};

std::string top_help() {
  namespace cli = silt::cli;
  cli::HelpText h;
  h.usage = "silt COMMAND [OPTIONS] [ARGS]";
  h.about =
      "silt - triage silent bugs in deep-learning libraries: a category and an impact level for each report, "
      "with the evidence. silt COMMAND --help tells more of each command.";
  for (const auto& c : commands) h.commands.emplace_back(c.name, c.summary);
  h.exit_codes = {{"0", "success"},
                  {"1", "findings: lint found gaps/overlaps/masked levels, a rule test failed, or check listed rows"},
                  {"2", "usage or configuration error (bad arguments, invalid taxonomy or rules)"},
                  {"3",
                   "bad input: an issue or record could not be read, or an input could not be opened (every other "
                   "record was still classified and written)"},
                  {"4", "an output could not be written (disk full, a failing device); what was written is incomplete"},
                  {"130", "interrupted (Ctrl-C; 143: SIGTERM); batch says how to resume"}};
  h.examples = {"silt classify examples/01-wrong-shape.md", "silt batch issues.jsonl -o labels.jsonl",
                "silt eval --gold gold.csv labels.jsonl", "silt classify --help"};
  boost::program_options::options_description version;
  version.add_options()("version", "print the version");
  const auto common = cli::common_options(), rules = cli::rules_options();
  return cli::format_help(h, {{"Options of every command", &common},
                              {"Options of the commands that classify", &rules},
                              {"Options", &version}});
}

// Counts the warnings and errors logged, shown or not: under -q, an exit 3 whose reasons
// were warnings (rows left out) says so in one line rather than nothing.
struct Counted {
  std::atomic<std::size_t> warnings{0}, errors{0};
};
Counted counted;

class CountingSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    if (m.level == spdlog::level::warn) ++counted.warnings;
    if (m.level >= spdlog::level::err) ++counted.errors;
  }
  void flush_() override {}
};

bool quiet = false;

void setup_logging(const std::vector<std::string>& args) {
  auto shown = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger =
      std::make_shared<spdlog::logger>("silt", spdlog::sinks_init_list{shown, std::make_shared<CountingSink>()});
  logger->set_pattern("silt: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
  for (const auto& a : args) {
    if (a == "-v" || a == "--verbose") spdlog::set_level(spdlog::level::debug);
    if (a == "-q" || a == "--quiet") quiet = true;
  }
  if (quiet) {  // the warnings still reach the counter, not the terminal
    spdlog::set_level(spdlog::level::warn);
    shown->set_level(spdlog::level::err);
  }
}

// Flushes and closes stdout, as coreutils do: a write that failed (a full disk, /dev/full,
// a failing device) must not end in exit 0. Returns the exit code to use.
int close_stdout(int code) {
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
  const int err = errno;
  if (std::fclose(stdout) != 0 || failed) {
    if (code == silt::cli::exit_write) return code;  // the command said so already
    spdlog::error("<stdout>: write failed: {}", std::strerror(failed ? err : errno));
    return silt::cli::exit_write;
  }
  return code;
}

// A run that classifies one issue spends most of its time starting: reading the rules
// allocates about 2 MB in small pieces, and the first touch of each heap page is a page
// fault. On a virtual machine a fault can cost 10-20 us (15-21 us a page measured on the
// machine this was written on, against about 1 us a page populated in one call), a
// quarter of such a run. The commands that read an issue or two take that heap at once:
// allocated, populated (MADV_POPULATE_WRITE, Linux 5.14 on; elsewhere nothing is
// populated and the faults come as before) and freed, it stays as the heap's top for
// the allocations that follow. Not for batch: setting these thresholds turns off glibc's
// adaptive mmap threshold, which a long run of big records wants.
void take_heap_at_once(std::size_t bytes) {
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(2 * bytes));  // this block from the heap,
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * bytes));  // and kept once freed
  char* p = static_cast<char*>(std::malloc(bytes));
  if (!p) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t from = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
  const std::uintptr_t to = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
#ifdef MADV_POPULATE_WRITE
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
#endif
  std::free(p);
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  const int code = run(argc, argv);
  if (quiet && code == silt::cli::exit_bad_input && counted.errors == 0 && counted.warnings > 0)
    spdlog::error("exit 3: {} warning(s) not shown (-q) say what was left out; run without -q to see them",
                  counted.warnings.load());
  return close_stdout(code);
}

namespace {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  setup_logging(args);
  if (args.size() > 1 && args[0] == "help") args = {args[1], "--help"};  // silt help COMMAND
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << top_help();
    return args.empty() ? silt::cli::exit_usage : silt::cli::exit_ok;
  }
  if (args[0] == "--version") {
    std::cout << "silt " << silt::version() << "\n";
    return silt::cli::exit_ok;
  }
  const std::string verb = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    for (const auto& c : commands)
      if (verb == c.name) {
        if (c.one_at_a_time) take_heap_at_once(std::size_t{2} << 20);
        return c.run(rest);
      }
    std::vector<std::string> names;
    for (const auto& c : commands) names.emplace_back(c.name);
    const std::string what = verb.rfind("-", 0) == 0 ? "option" : "command";
    std::string msg = "unknown " + what + " '" + silt::cli::printable(verb) + "'";
    if (what == "command")
      if (auto c = silt::closest(verb, names)) msg += "; did you mean '" + *c + "'?";
    spdlog::error("{}", msg);
    spdlog::error("see 'silt --help'");
    return silt::cli::exit_usage;
  } catch (const silt::cli::UsageError& e) {
    spdlog::error("{}", e.message);
    // Commands with subcommands (rules fit, taxonomy show): the subcommand's own help.
    const bool sub =
        !rest.empty() &&
        ((verb == "rules" && (rest[0] == "test" || rest[0] == "lint" || rest[0] == "compile" || rest[0] == "fit")) ||
         (verb == "taxonomy" && (rest[0] == "show" || rest[0] == "lint")));
    spdlog::error("see 'silt {}{} --help'", verb, sub ? " " + silt::cli::printable(rest[0]) : std::string());
    return silt::cli::exit_usage;
  }
}

}  // namespace
