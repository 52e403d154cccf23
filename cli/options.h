// Option parsing and configuration loading shared by the commands.
#pragma once

#include <boost/program_options.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "silt/batch.h"
#include "silt/files.h"
#include "silt/packs.h"

namespace silt::cli {

namespace po = boost::program_options;

// Options every command takes: --taxonomy, --color, -v, -q, -h. -v/-q are read by main
// before parsing; they are listed here so that they are accepted and documented.
po::options_description common_options();

// --rules, --pack, --packs: only on the commands that read issues with rules.
po::options_description rules_options();

// The option groups a command takes besides its own and the common ones.
enum Shared : unsigned {
  shared_none = 0,
  shared_rules = 1,    // rules_options(): the command classifies issues
  shared_answers = 2,  // --set and the criteria shorthands: the command reads criteria answers
};

// What a command's --help says besides its options; the options are described by their
// one definition (po::options_description).
struct HelpText {
  std::string usage;  // what follows "Usage: "; several forms on lines of their own
  std::string about;  // what it does: paragraphs (blank-line separated) re-wrapped to the
                      // terminal's 80 columns; lines starting with a space are kept as they are
  std::vector<std::pair<std::string, std::string>> commands;    // subcommands: name, what it does
  std::vector<std::pair<std::string, std::string>> exit_codes;  // code, meaning
  std::vector<std::string> examples;                            // command lines; "#" lines comment them
};

// The one help layout: the usage line, what the command does, its subcommands, its
// positional arguments (value name and description), each group of options under its
// caption (the command's own first, then the shared ones), each option as
// "-f, --format FORMAT  description (default: text)" with the default written plainly,
// the exit codes, the examples. Positional options appear as arguments, never as
// --options; those named in `hidden` (and the positional ones without a description)
// appear nowhere.
struct OptionGroup {
  std::string caption;  // "Options", "Common options"...
  const po::options_description* options;
};
std::string format_help(const HelpText& help, const std::vector<OptionGroup>& groups,
                        const po::positional_options_description& pos = {}, const std::set<std::string>& hidden = {});

// Parses `args`; a bad option throws UsageError (an unknown one with the closest valid
// option as a "did you mean").
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description& pos);

// A usage error for a word that is not one of `valid` (a subcommand...): "unknown
// WHAT 'word'", the closest valid one, and the list.
UsageError unknown_word(const std::string& what, const std::string& word, const std::vector<std::string>& valid);

// The string value of option `name`, or `fallback` when absent.
std::string opt(const po::variables_map& vm, const char* name, std::string fallback = {});

// Throw UsageError unless the value is one of those allowed.
void check_format(const std::string& format, std::initializer_list<const char*> allowed);
void check_color(const std::string& when);

// The loaded configuration, or the findings that prevented it.
struct Config {
  std::shared_ptr<const Taxonomy> taxonomy;
  // The rules of --rules, or of the --pack named, or of the default pack.
  std::shared_ptr<const RuleSet> rules;
  // The packs, each issue read by its repository's (null with --rules).
  std::shared_ptr<const PackSet> packs;
  std::string forced_pack;  // --pack
  Diagnostics diagnostics;
  std::string taxonomy_file, rules_file;
  bool rules_checked = false;  // false when the taxonomy failed, so rules were not read
  bool ok() const { return taxonomy && (rules || packs || !rules_checked) && !diagnostics.has_errors(); }
};

// Loads the taxonomy (and the rules when `with_rules`). A taxonomy already loaded from
// the same options is passed as `loaded` to skip loading it again.
Config load_config(const po::variables_map& vm, bool with_rules, const Config* loaded = nullptr);

// The one rule set a command about rules acts on: --rules's, the --pack named, or the
// default pack's (loaded now).
std::shared_ptr<const RuleSet> single_rules(const Config& config);

// The classifier of the configuration: by packs (or the --pack forced), or by --rules.
Classifier make_classifier(const Config& config);

// As load_config, for a command that needs it whole: on failure prints the findings to
// stderr and returns nullopt (the caller exits with exit_usage).
std::optional<Config> require_config(const po::variables_map& vm, bool with_rules, const Config* loaded = nullptr);

// A size: a whole number of bytes, or with a K, M or G suffix (powers of 1024). Throws
// UsageError naming `flag` for anything else, or 0.
std::uint64_t parse_size(const std::string& text, const char* flag);

// Whether `taxonomy` has the built-in one's categories and as many levels: the study's
// survey figures (by category id and level number) then describe it.
bool has_builtin_scale(const Taxonomy& taxonomy);

// A count option (declared po::value<long long>) in [lo, hi]; a UsageError naming the
// option and the range otherwise (Boost reads "-1" into an unsigned as 2^64-1).
std::size_t count_in_range(const po::variables_map& vm, const char* name, long long lo, long long hi);

// yes/y/true/1 and no/n/false/0, any case.
std::optional<bool> parse_yes_no(std::string v);

// The criteria answers a command takes: --set C=yes|no and the --ID / --no-ID shorthands
// for the criteria of the taxonomy that `args` name (a first pass over them), leaving out
// ids that would shadow an option of `own`.
struct CriteriaFlags {
  Config probe;  // the taxonomy that pass loaded, to reuse
  po::options_description desc;
  std::vector<std::string> ids;
};
CriteriaFlags criteria_flags(const std::vector<std::string>& args, const po::options_description& own);

// Parses a command that takes input files (positional "input"), the `shared` groups
// (the criteria answers of the taxonomy it names, the rules options), and the common
// options. `help` is true when --help was given and printed. With `one_input`, the help
// names one input, not FILE... (the command refuses more itself).
struct InputCommand {
  po::variables_map vm;
  CriteriaFlags criteria;  // empty unless `shared` has shared_answers
  bool help = false;
};
InputCommand parse_input_command(const std::vector<std::string>& args, const po::options_description& own,
                                 const HelpText& help, unsigned shared, bool one_input = false);

// Parses a command's own options, positional `pos`, the `shared` groups and the common
// options; nullopt when --help was given (and printed). Options named in `hidden` are
// accepted but not shown.
std::optional<po::variables_map> parse_command(const std::vector<std::string>& args, const po::options_description& own,
                                               const HelpText& help, unsigned shared,
                                               const po::positional_options_description& pos = {},
                                               const std::set<std::string>& hidden = {});

// The issues a file ("-": stdin) holds; on failure says why on stderr (the file, and the
// line and column of a JSON error) and returns nullopt. With `left_out`, an element of an
// array or JSON Lines that is no issue is named on stderr and the others are returned;
// *left_out says whether any was. With `read_on` too, JSON whose syntax is broken is
// read again record by record, as silt batch reads it (`read_on` labels the records
// there; only their issues are kept): each broken record is named on stderr, and the
// records before and after it are returned.
std::optional<std::vector<Issue>> read_issue_file(const std::string& path, std::uint64_t max_bytes = default_max_record,
                                                  bool* left_out = nullptr, IssueFormat format = IssueFormat::detect,
                                                  const Classifier* read_on = nullptr);

// --input-format of classify and explain: auto, json, markdown (or text).
IssueFormat issue_format_option(const boost::program_options::variables_map& vm);

// The whole of a file silt wrote or a person gave ("-": stdin), however large; nullopt
// after saying why on stderr.
std::optional<std::string> read_whole(const std::string& path);

// Writes `content` to `path` through OutputFile (never replacing a device or a FIFO,
// refusing a path that is one of `inputs`, atomic otherwise). Returns exit_ok, or the
// exit code after saying why on stderr.
int write_whole(const std::string& path, std::string_view content, const std::vector<std::string>& inputs);

// The issue --title and --text give, with the id "inline".
Issue inline_issue(const po::variables_map& vm);

// Keeps what run_batch writes, in memory (silt JSON lines), and names each bad record
// and unreadable input on stderr as it goes.
// Collects a batch in memory: with OutputFormat::values, the Classifications themselves
// (`values`, in input order); else the bytes (`out`).
struct MemorySink : BatchSink {
  std::string out;
  std::vector<Classification> values;
  std::size_t rejected = 0, input_errors = 0;
  void write(std::string_view bytes) override;
  void labeled(Classification&& c, const std::string& source, const Issue* issue) override;
  void reject(const Reject& r) override;
  void input_error(const std::string& input, const std::string& message) override;
};

// The answers given with --set C=yes|no and the shorthands (parsed with shared_answers).
// Throws UsageError for an unknown criterion, a bad answer, or yes and no for the same
// criterion.
Answers collect_answers(const po::variables_map& vm, const Taxonomy& tax,
                        const std::vector<std::string>& shorthand_ids);

}  // namespace silt::cli
