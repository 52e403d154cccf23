// silt: silent-bug triage. Dispatches on the verb; see `silt --help`.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "silt/builtin.h"

namespace {

constexpr const char* usage = R"(silt - triage silent bugs in deep-learning libraries

Usage: silt COMMAND [OPTIONS] [ARGS]

Commands:
  classify [FILE...|-]   classify issues (text, Markdown, GitHub or gh JSON)
  batch INPUT...         label a dataset: JSON Lines, JSON arrays, CSV, directories,
                         stdin; in parallel, in input order, losing nothing
  explain [FILE|-]        how silt read an issue: fields, rules fired and suppressed
  eval --gold GOLD.csv PREDICTIONS...
                         labels against gold labels: accuracy, F1, kappas, confusion
  agree LABELS.csv       how far labelers agree: kappas, alpha, AC1/AC2, with intervals
  check LABELS.csv       levels that do not follow from the labelers' own answers
  consensus RESPONSES.csv
                         the validation survey's figures, per category and level
  consistency RATINGS.csv
                         one labeler's 1-5 ratings against the survey's consensus
  labels --repo O/R      the gh commands that create the taxonomy's GitHub labels
  report INPUT... -o F   one self-contained HTML page of batch, eval and agree outputs
  triage ISSUES... -o LABELS.csv --rater NAME
                         label issues by hand at the terminal, silt's reading as defaults
  validate               check the taxonomy and rules files, report every finding
  rules test             validate the rules, then run the tests kept with each rule
  taxonomy show          print the categories, criteria, levels and the matrix
  taxonomy lint          find gaps, overlaps and masked levels in the matrix

Options for every command:
  --taxonomy FILE        taxonomy and impact matrix (default: the built-in keras-tf)
  --rules FILE           matching rules (default: the built-in keras-tf rules)
  -v, --verbose          more messages on stderr (warnings, timings)
  -q, --quiet            errors only on stderr
  -h, --help             help for a command: silt COMMAND --help
  --version              print the version

Exit codes:
  0  success
  1  findings: lint found gaps/overlaps/masked levels, a rule test failed, or
     check listed rows
  2  usage or configuration error (bad arguments, invalid taxonomy or rules)
  3  bad input: an issue or record could not be read, or an input could not be
     opened (every other record was still classified and written)
  4  an output could not be written (disk full, a failing device); what was
     written is incomplete
)";

void setup_logging(const std::vector<std::string>& args) {
  auto logger = spdlog::stderr_color_mt("silt");
  logger->set_pattern("silt: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
  for (const auto& a : args) {
    if (a == "-v" || a == "--verbose") spdlog::set_level(spdlog::level::debug);
    if (a == "-q" || a == "--quiet") spdlog::set_level(spdlog::level::err);
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

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  return close_stdout(run(argc, argv));
}

namespace {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  setup_logging(args);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? silt::cli::exit_usage : silt::cli::exit_ok;
  }
  if (args[0] == "--version") {
    std::cout << "silt " << silt::version() << "\n";
    return silt::cli::exit_ok;
  }
  const std::string verb = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (verb == "classify") return silt::cli::cmd_classify(rest);
    if (verb == "batch") return silt::cli::cmd_batch(rest);
    if (verb == "explain") return silt::cli::cmd_explain(rest);
    if (verb == "eval") return silt::cli::cmd_eval(rest);
    if (verb == "agree") return silt::cli::cmd_agree(rest);
    if (verb == "check") return silt::cli::cmd_check(rest);
    if (verb == "labels") return silt::cli::cmd_labels(rest);
    if (verb == "report") return silt::cli::cmd_report(rest);
    if (verb == "triage") return silt::cli::cmd_triage(rest);
    if (verb == "consensus") return silt::cli::cmd_consensus(rest);
    if (verb == "consistency") return silt::cli::cmd_consistency(rest);
    if (verb == "validate") return silt::cli::cmd_validate(rest);
    if (verb == "rules") return silt::cli::cmd_rules(rest);
    if (verb == "taxonomy") return silt::cli::cmd_taxonomy(rest);
    spdlog::error("unknown command '{}'; see 'silt --help'", verb);
    return silt::cli::exit_usage;
  } catch (const silt::cli::UsageError& e) {
    spdlog::error("{}", e.message);
    spdlog::error("see 'silt {} --help'", verb);
    return silt::cli::exit_usage;
  }
}

}  // namespace
