// The commands: each parses its options, calls the engine and prints.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli.h"
#include "options.h"
#include "silt/builtin.h"
#include "silt/json_writer.h"
#include "silt/labels.h"

namespace silt::cli {

int cmd_classify(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
                    "issue files; - (or none, with a pipe) reads stdin")(
      "title", po::value<std::string>()->value_name("T"), "classify an inline issue with this title")(
      "text", po::value<std::string>()->value_name("S"), "classify an inline issue with this body")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
      "text, json (one object; JSON Lines for several issues), table, or gh (as --emit gh)")(
      "emit", po::value<std::string>()->value_name("gh"),
      "gh: print the gh issue edit command that labels each issue, instead")(
      "label-all", po::bool_switch(), "with --emit gh: label issues flagged needs_review or loud too")(
      "max-record", po::value<std::string>()->default_value("64M")->value_name("SIZE"),
      "refuse an input file bigger than this: 64M, 1G, 500K, bytes")(
      "input-format", po::value<std::string>()->default_value("auto")->value_name("FORMAT"),
      "auto (by content and name), json, or markdown (any text: the first line is the title)");
  const HelpText help{
      "silt classify [OPTIONS] [FILE...|-]\n       silt classify [OPTIONS] --title T [--text S]",
      "Classifies each issue: a category, an impact level, a rationale and the evidence. Inputs are detected by "
      "content: a GitHub REST issue object, gh --json output (an object or an array), or plain text/Markdown (the "
      "first line is the title; a file named *.md, and a first line such as '[Bug]: ...' that goes on as "
      "prose after its bracket, are text). A CSV is not an issue: silt batch reads a CSV of issues.",
      {},
      {{"0", "every issue classified"},
       {"2", "usage or configuration error"},
       {"3", "an input could not be read (the others were still classified)"},
       {"4", "the output could not be written"}},
      {"silt classify examples/01-wrong-shape.md", "silt classify --format json --results issue.md",
       "gh issue view 88 --repo OWNER/REPO --json number,title,body,labels,url | silt classify -",
       "silt classify --emit gh issue.json | sh", "silt classify --title 'Adam ignores lr' --text 'No effect.'"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_answers);
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;

  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json", "table", "gh"});
  check_color(opt(vm, "color", "auto"));

  // The first pass read the same --taxonomy: reuse it.
  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;

  const Answers answers = collect_answers(vm, tax, criteria.ids);

  // Inputs.
  std::vector<std::string> inputs;
  if (vm.count("input")) inputs = vm["input"].as<std::vector<std::string>>();
  const bool has_inline = vm.count("title") || vm.count("text");
  if (inputs.empty() && !has_inline) {
    if (isatty(STDIN_FILENO)) throw UsageError{"no input: name a file, '-' for stdin, or use --title/--text"};
    inputs.push_back("-");
  }

  Classifier classifier = make_classifier(*config);
  const bool color = use_color(opt(vm, "color", "auto"));
  bool bad_input = false;
  std::vector<Classification> table;
  bool first_block = true;
  const bool emit_gh = vm.count("emit") > 0 || format == "gh";  // -f gh as batch takes it
  if (vm.count("emit") && opt(vm, "emit") != "gh") throw UsageError{"--emit takes gh"};
  // Options that would be ignored are refused, not dropped unsaid.
  if (vm.count("emit") && vm.count("format") && !vm["format"].defaulted() && format != "gh")
    throw UsageError{"--emit gh writes gh commands: --format " + format + " does not go with it"};
  if (!emit_gh && vm["label-all"].as<bool>()) throw UsageError{"--label-all goes with --emit gh (or -f gh)"};
  auto emit = [&](const Issue& issue) {
    // Asked for by name, a pull request is classified; said, since batch leaves them out.
    if (issue.pull_request)
      spdlog::warn("{}: a pull request, not an issue report: classified as one all the same", printable(issue.id));
    Classification c = classifier.classify(issue, answers);
    if (emit_gh) {
      std::cout << gh_issue_edit(c, tax, vm["label-all"].as<bool>(), issue.labels_text).line;
    } else if (format == "json") {
      std::cout << to_json(c) << "\n";
    } else if (format == "text") {
      if (!first_block) std::cout << "\n";
      std::cout << render_text(c, tax, color);
    } else {
      table.push_back(std::move(c));
    }
    first_block = false;
  };

  if (has_inline) emit(inline_issue(vm));
  const std::uint64_t max_record = parse_size(opt(vm, "max-record", "64M"), "--max-record");
  const IssueFormat in_format = issue_format_option(vm);
  for (const auto& path : inputs) {
    bool left_out = false;  // an element that is no issue: named, the others labeled
    auto issues = read_issue_file(path, max_record, &left_out, in_format, &classifier);
    if (!issues || left_out) bad_input = true;
    if (!issues) continue;
    for (const auto& issue : *issues) emit(issue);
  }
  if (format == "table" && !table.empty()) std::cout << render_table(table, tax, color);
  std::cout.flush();
  return bad_input ? exit_bad_input : exit_ok;
}

int cmd_labels(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("repo", po::value<std::string>()->value_name("OWNER/REPO"), "the repository (required)");
  auto parsed = parse_command(
      args, own,
      {"silt labels --repo OWNER/REPO",
       "Prints the gh label create --force commands that create the taxonomy's labels (one a category, one a "
       "level) in the repository: gh does not create a missing label when it edits an issue. Pipe to sh to run "
       "them.",
       {},
       {{"0", "the commands were printed"}, {"2", "usage or configuration error (a missing or malformed --repo)"}},
       {"silt labels --repo OWNER/REPO | sh", "silt labels --repo OWNER/REPO --taxonomy my-taxonomy.yaml"}},
      shared_none);
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string repo = opt(vm, "repo");
  if (repo.empty()) throw UsageError{"--repo OWNER/REPO is required"};
  if (!valid_repo(repo))
    throw UsageError{
        "--repo takes OWNER/REPO in GitHub's characters (letters, digits, '-'; also '.' and '_' in the "
        "repository's name), not '" +
        printable(repo) + "'"};
  auto config = require_config(vm, false);
  if (!config) return exit_usage;
  std::cout << gh_label_create_commands(*config->taxonomy, repo);
  return exit_ok;
}

namespace {

// "pack NAME: FILE (includes A, B): N rules, M rule tests"
std::string pack_line(const std::string& name, const RuleSet& rules) {
  std::string includes;
  for (std::size_t i = 1; i < rules.files().size(); ++i) includes += (i > 1 ? ", " : "") + rules.files()[i];
  return (name == rules.file() ? rules.file() : "pack " + name + ": " + rules.file()) +
         (includes.empty() ? "" : " (includes " + includes + ")") + ": " + std::to_string(rules.rules().size()) +
         " rules, " + std::to_string(rules.test_count()) + " rule tests\n";
}

// The rule sets a command about rules acts on: --rules's file, the --pack named, or
// every pack of the map.
std::vector<std::pair<std::string, std::shared_ptr<const RuleSet>>> rule_sets(const Config& c) {
  std::vector<std::pair<std::string, std::shared_ptr<const RuleSet>>> out;
  if (c.packs && c.forced_pack.empty()) {
    for (const auto& p : c.packs->packs()) out.emplace_back(p.name, c.packs->rules(p));
  } else {
    out.emplace_back(c.forced_pack.empty() ? c.rules_file : c.forced_pack, single_rules(c));
  }
  return out;
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json");
  auto parsed = parse_command(args, own,
                              {"silt validate [--taxonomy FILE] [--rules FILE | --pack NAME] [--format text|json]",
                               "Loads the taxonomy and the rules (every pack, or the one named, or the file) and "
                               "reports every finding, errors and warnings, each with its file:line:column, a "
                               "stable code and the source line.",
                               {},
                               {{"0", "no error (warnings allowed)"}, {"2", "a file has errors"}},
                               {"silt validate", "silt validate --rules rules/mine.yaml --format json",
                                "silt validate --taxonomy tests/fixtures/five-levels.yaml"}},
                              shared_rules);
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  Config c = load_config(vm, true);
  // validate checks every pack (load_config did already for a map or a taxonomy of the
  // user's: asking again would list each finding twice)
  if (c.packs && c.forced_pack.empty() && !vm.count("packs") && !vm.count("taxonomy"))
    for (const auto& p : c.packs->packs()) c.packs->rules(p, &c.diagnostics);
  if (format == "json") {
    std::cout << to_json(c.diagnostics) << "\n";
  } else {
    const bool color = use_color(opt(vm, "color", "auto"));
    for (const auto& d : c.diagnostics.all()) std::cout << to_text(d, color);
    if (c.taxonomy)
      std::cout << c.taxonomy_file << ": " << c.taxonomy->categories.size() << " categories, "
                << c.taxonomy->criteria.size() << " criteria, " << c.taxonomy->levels.size() << " levels\n";
    if (c.packs && c.forced_pack.empty()) {
      for (const auto& p : c.packs->packs())
        if (auto rules = c.packs->rules(p)) std::cout << pack_line(p.name, *rules);
    } else if (c.rules) {
      std::cout << pack_line(c.forced_pack.empty() ? c.rules_file : c.forced_pack, *c.rules);
    }
    if (!c.rules_checked) std::cout << "rules not checked: the taxonomy has errors\n";
    std::cout << c.diagnostics.error_count() << " error(s), " << c.diagnostics.warning_count() << " warning(s)\n";
  }
  return c.ok() && c.rules_checked ? exit_ok : exit_usage;
}

namespace {

// `silt rules lint`: each pack's findings; exit 1 when there are any.
int rules_lint(const Config& c, const std::string& format) {
  JsonWriter j;
  j.begin_object();
  j.key("packs");
  j.begin_array();
  std::size_t count = 0;
  for (const auto& [name, set] : rule_sets(c)) {
    auto findings = lint_rules(*set, *c.taxonomy);
    count += findings.size();
    if (format == "json") {
      j.begin_object();
      j.field("pack", name);
      j.field("file", set->file());
      j.key("findings");
      j.begin_array();
      for (const auto& f : findings) {
        j.begin_object();
        j.field("code", f.code);
        j.field("subject", f.subject);
        j.field("other", f.other);
        j.field("file", f.where.file);
        j.field("line", f.where.line);
        j.field("message", f.message);
        j.end_object();
      }
      j.end_array();
      j.end_object();
      continue;
    }
    for (const auto& f : findings)
      std::cout << f.where.to_string() << ": " << f.code << ": " << printable(f.message) << "\n";
    std::cout << (name == set->file() ? set->file() : "pack " + name) << ": " << set->rules().size() << " rules; "
              << (findings.empty() ? std::string("no untested or shadowed rule, every category and criterion covered")
                                   : std::to_string(findings.size()) + " finding(s)")
              << "\n";
  }
  if (format == "json") {
    j.end_array();
    j.field("findings", count);
    j.end_object();
    std::cout << j.take();
  }
  return count ? exit_findings : exit_ok;
}

// `silt rules test`: each pack's rule tests; exit 1 when one fails.
int rules_test(const Config& c, const std::string& format) {
  JsonWriter j(JsonWriter::Style::compact);
  j.begin_object();
  j.key("packs");
  j.begin_array();
  std::size_t all_failed = 0;
  for (const auto& [name, set] : rule_sets(c)) {
    const RuleSet& rules = *set;
    auto failures = rules.run_tests();
    all_failed += failures.size();
    const std::size_t total = rules.test_count();
    if (format == "json") {
      j.begin_object();
      j.field("pack", name);
      j.field("file", rules.file());
      j.field("rules", rules.rules().size());
      j.field("tests", total);
      j.field("passed", total - failures.size());
      j.field("failed", failures.size());
      j.key("failures");
      j.begin_array();
      for (const auto& f : failures) {
        j.begin_object();
        j.field("rule", f.rule);
        j.field("expected", f.test.should_match ? "match" : "no_match");
        j.field("text", f.test.text);
        j.field("file", f.test.where.file);
        j.field("line", f.test.where.line);
        j.field("column", f.test.where.column);
        j.end_object();
      }
      j.end_array();
      j.end_object();
      continue;
    }
    for (const auto& f : failures)
      std::cout << f.test.where.to_string() << ": rule '" << f.rule << "' "
                << (f.test.should_match ? "should match but does not" : "matches but should not") << ": \""
                << printable(f.test.text) << "\"\n";
    std::size_t untested = 0;
    for (std::size_t i = 0; i < rules.rules().size(); ++i) untested += rules.tests(i).empty();
    std::cout << pack_line(name, rules);
    if (untested) std::cout << "  " << untested << " rule(s) without tests\n";
    std::cout << "  " << (total - failures.size()) << " passed, " << failures.size() << " failed\n";
  }
  if (format == "json") {
    j.end_array();
    j.field("failed", all_failed);
    j.end_object();
    std::cout << j.take() << "\n";
  }
  return all_failed == 0 ? exit_ok : exit_findings;
}

// `silt rules compile`: each rule set read from a file of the user's is loaded again
// with Prefilters::compile, which caches its parsed form and compiles and caches the
// prefilter parts that are neither built in nor cached yet.
int rules_compile(const Config& c, const std::string& format) {
  const std::string dir = prefilter_cache_directory();
  JsonWriter j;
  j.begin_object();
  j.field("cache", dir);
  j.key("rule_sets");
  j.begin_array();
  bool failed = false, unwritten = false;
  for (const auto& [name, set] : rule_sets(c)) {
    std::string state = "built in or cached";
    double seconds = 0;
    const bool builtin_pack = builtin_file(set->file()) && !std::filesystem::exists(set->file());
    if (!set->prefiltered() && builtin_pack) {
      state = "built in; not used: SILT_MATCHER=re2 takes the RE2 sets";
    } else if (!builtin_pack) {
      const bool had_prefilter = set->prefiltered();
      const auto start = std::chrono::steady_clock::now();
      RuleLoad again = load_rules_file(set->file(), *c.taxonomy, Prefilters::compile);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      for (const auto& d : again.diagnostics.all()) std::cerr << to_text(d, false);
      if (again.rules && again.rules->prefiltered()) {
        const auto& found = again.diagnostics.all();
        const bool unwritable =
            std::any_of(found.begin(), found.end(), [](const Diagnostic& d) { return d.code == "cache-unwritable"; });
        unwritten = unwritten || (!dir.empty() && unwritable);
        state = dir.empty()     ? "not cached: SILT_CACHE_DIR=off"
                : unwritable    ? "not cached: see the warning"
                : had_prefilter ? "cached (its prefilter built in or cached already)"
                                : "compiled and cached";
      } else {
        state = "no prefilter (SILT_MATCHER=re2, or a pattern Hyperscan cannot take): RE2 sets";
        failed = true;
      }
    }
    if (format == "json") {
      j.begin_object();
      j.field("pack", name);
      j.field("file", set->file());
      j.field("prefilter", state);
      j.field("seconds", seconds);
      j.end_object();
    } else {
      std::cout << (name == set->file() ? set->file() : "pack " + name) << ": " << state;
      if (seconds > 0) std::cout << fmt::format(" ({:.2f} s)", seconds);
      std::cout << "\n";
    }
  }
  if (format == "json") {
    j.end_array();
    j.end_object();
    std::cout << j.take();
  } else {
    std::cout << "cache: " << (dir.empty() ? std::string("none (SILT_CACHE_DIR=off)") : dir) << "\n";
  }
  // Caching is what compile is for: a cache it could not write is an output not written.
  return unwritten ? exit_write : failed ? exit_findings : exit_ok;
}

}  // namespace

int cmd_rules(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "fit") return cmd_rules_fit(std::vector<std::string>(args.begin() + 1, args.end()));
  po::options_description own;
  own.add_options()("action", po::value<std::string>(), "")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json");
  po::positional_options_description pos;
  pos.add("action", 1);
  auto parsed = parse_command(
      args, own,
      {"silt rules test|lint|compile [--pack NAME | --packs MAP | --rules FILE] [--format text|json]\n       silt "
       "rules fit --gold "
       "LABELS.csv ISSUES... (silt rules fit --help)",
       "The rules' own checks, on each pack (or the one named, or the file).",
       {{"test",
         "validate, then run the tests kept with each rule: every 'match' text must make the rule fire "
         "and every 'no_match' text must not"},
        {"lint",
         "rules no test makes fire, rules shadowed by another (every match test of theirs fires a rule "
         "with the same target and as much weight), categories or criteria no rule covers"},
        {"compile",
         "compile the Hyperscan prefilter of a rules file of your own and cache it (by its patterns' content), "
         "so that each later start reads it instead of building RE2 sets (built-in packs have theirs built in)"},
        {"fit", "fit the rules' numbers on labeled issues"}},
       {{"0", "every test passed; lint found nothing; compile cached what it compiled"},
        {"1", "a rule test failed; lint has findings; compile found a pattern Hyperscan cannot take"},
        {"2", "usage error, or the files are invalid"},
        {"4", "the output, or compile's cache, could not be written"}},
       {"silt rules test", "silt rules lint --pack pytorch --format json", "silt rules test --rules rules/mine.yaml",
        "silt rules compile --rules rules/mine.yaml"}},
      shared_rules, pos, {"action"});
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string action = opt(vm, "action");
  if (action != "test" && action != "lint" && action != "compile") {
    if (action.empty()) throw UsageError{"expected 'silt rules test', 'lint', 'compile' or 'fit'"};
    if (action == "fit") throw UsageError{"fit comes first: silt rules fit [OPTIONS] ISSUES..."};
    throw unknown_word("rules command", action, {"test", "lint", "compile", "fit"});
  }
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  auto config = require_config(vm, true);
  if (!config) return exit_usage;
  if (action == "lint") return rules_lint(*config, format);
  if (action == "compile") return rules_compile(*config, format);
  return rules_test(*config, format);
}

int cmd_taxonomy(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("action", po::value<std::string>(), "")("consensus", po::value<std::string>()->value_name("FILE"),
                                                            "show: the survey figures to show (default: the study's)")(
      "no-consensus", po::bool_switch(), "show: no survey figures")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json");
  po::positional_options_description pos;
  pos.add("action", 1);
  auto parsed = parse_command(
      args, own,
      {"silt taxonomy show|lint [--taxonomy FILE] [--format text|json]",
       "The taxonomy and its impact matrix: the built-in one, or --taxonomy's.",
       {{"show",
         "the categories, the criteria and their questions, the levels and the matrix, with the survey's "
         "figures beside each category and level"},
        {"lint",
         "every combination of criteria answers: each gap (no level matches; the combination where nothing "
         "holds is exempt), each overlap (several match, and which one the hit policy picks) and each "
         "masked level (never the outcome)"}},
       {{"0", "shown; lint found nothing"},
        {"1", "lint found a gap, an overlap or a masked level"},
        {"2", "usage error, or the taxonomy is invalid"}},
       {"silt taxonomy show", "silt taxonomy show --format json --no-consensus",
        "silt taxonomy lint --taxonomy my-taxonomy.yaml"}},
      shared_none, pos, {"action"});
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string action = opt(vm, "action");
  if (action != "show" && action != "lint") {
    if (action.empty()) throw UsageError{"expected 'silt taxonomy show' or 'silt taxonomy lint'"};
    throw unknown_word("taxonomy command", action, {"show", "lint"});
  }
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  // Read once; lint -f json gives the findings of a taxonomy that does not load as JSON too.
  const Config loaded = load_config(vm, false);
  if (action == "lint" && format == "json" && !loaded.ok()) {
    std::cout << to_json(loaded.diagnostics) << "\n";
    return exit_usage;
  }
  auto config = require_config(vm, false, &loaded);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  if (action == "show") {
    std::optional<Consensus> consensus;
    // The built-in consensus is the study's survey of the study's taxonomy: beside a
    // taxonomy of the user's it would pair figures with levels by number only.
    const bool own_taxonomy_only = vm.count("taxonomy") && !vm.count("consensus") && !has_builtin_scale(tax);
    if (own_taxonomy_only && !vm["no-consensus"].as<bool>())
      spdlog::info("no survey figures: the built-in ones are the study's taxonomy's (--consensus FILE gives yours)");
    if (!vm["no-consensus"].as<bool>() && !own_taxonomy_only) {
      consensus = load_consensus(opt(vm, "consensus"));
      if (!consensus) return exit_usage;
    }
    const Consensus* shown = consensus ? &*consensus : nullptr;
    std::cout << (format == "json" ? render_taxonomy_json(tax, shown)
                                   : render_taxonomy(tax, shown, use_color(opt(vm, "color", "auto"))));
    return exit_ok;
  }
  if (tax.criteria.size() > max_lint_criteria) {
    spdlog::error("lint enumerates 2^n combinations and stops at {} criteria; this matrix has {}", max_lint_criteria,
                  tax.criteria.size());
    return exit_usage;
  }
  auto findings = lint(tax);
  std::cout << (format == "json" ? render_lint_json(tax, findings) : render_lint_text(tax, findings));
  return findings.empty() ? exit_ok : exit_findings;
}

}  // namespace silt::cli
