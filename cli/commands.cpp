// The commands: each parses its options, calls the engine and prints.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli.h"
#include "options.h"
#include "silt/builtin.h"
#include "silt/labels.h"

namespace silt::cli {

int cmd_classify(const std::vector<std::string>& args) {
  po::options_description own("Classify options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
                    "issue files; - (or none, with a pipe) reads stdin")(
      "title", po::value<std::string>()->value_name("T"), "classify an inline issue with this title")(
      "text", po::value<std::string>()->value_name("S"), "classify an inline issue with this body")(
      "set", po::value<std::vector<std::string>>()->value_name("C=yes|no"), "answer criterion C (repeatable)")(
      "format,f", po::value<std::string>()->default_value("text"),
      "text, json (one object; JSON Lines for several issues) or table")(
      "emit", po::value<std::string>()->value_name("gh"),
      "gh: print the gh issue edit command that labels each issue, instead")(
      "label-all", po::bool_switch(), "with --emit gh: label issues flagged needs_review or loud too")(
      "max-record", po::value<std::string>()->default_value("64M")->value_name("SIZE"),
      "refuse an input file bigger than this: 64M, 1G, 500K, bytes");
  InputCommand cmd =
      parse_input_command(args, own,
                          "Usage: silt classify [OPTIONS] [FILE...|-]\n\n"
                          "Classifies each issue: a category, an impact level, a rationale and the evidence.\n"
                          "Inputs are detected by content: a GitHub REST issue object, gh --json output\n"
                          "(an object or an array), or plain text/Markdown (first line = title).");
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;

  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json", "table"});
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
  std::vector<std::string> names;
  bool first_block = true;
  const bool emit_gh = vm.count("emit") > 0;
  if (emit_gh && opt(vm, "emit") != "gh") throw UsageError{"--emit takes gh"};
  auto emit = [&](const Issue& issue, const std::string& name) {
    Classification c = classifier.classify(issue, answers);
    if (emit_gh) {
      std::cout << gh_issue_edit(c, tax, vm["label-all"].as<bool>()).line;
    } else if (format == "json") {
      std::cout << to_json(c) << "\n";
    } else if (format == "text") {
      if (!first_block) std::cout << "\n";
      std::cout << render_text(c, tax, color);
    } else {
      table.push_back(std::move(c));
      names.push_back(name);
    }
    first_block = false;
  };

  if (has_inline) emit(inline_issue(vm), "inline");
  const std::uint64_t max_record = parse_size(opt(vm, "max-record", "64M"), "--max-record");
  for (const auto& path : inputs) {
    auto issues = read_issue_file(path, max_record);
    if (!issues) {
      bad_input = true;
      continue;
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    for (const auto& issue : *issues) emit(issue, issues->size() == 1 ? name : issue.id);
  }
  if (format == "table") std::cout << render_table(table, names, tax, color);
  std::cout.flush();
  return bad_input ? exit_bad_input : exit_ok;
}

int cmd_labels(const std::vector<std::string>& args) {
  po::options_description own("Labels options");
  own.add_options()("repo", po::value<std::string>()->value_name("OWNER/REPO"), "the repository");
  auto parsed = parse_command(args, own,
                              "Usage: silt labels --repo OWNER/REPO\n\n"
                              "Prints the gh label create --force commands that create the taxonomy's labels (one\n"
                              "a category, one a level) in the repository: gh does not create a missing label\n"
                              "when it edits an issue. Pipe to sh to run them.");
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
  po::options_description own("Validate options");
  own.add_options()("format,f", po::value<std::string>()->default_value("text"), "text or json");
  auto parsed = parse_command(args, own,
                              "Usage: silt validate [--taxonomy FILE] [--rules FILE] [--format text|json]\n\n"
                              "Loads both files and reports every finding (errors and warnings) with its\n"
                              "file:line:column, a stable code and the source line. Exit 0 when there is no\n"
                              "error, 2 otherwise.");
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  Config c = load_config(vm, true);
  if (c.packs && c.forced_pack.empty())  // validate checks every pack
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
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  std::size_t count = 0;
  for (const auto& [name, set] : rule_sets(c)) {
    auto findings = lint_rules(*set, *c.taxonomy);
    count += findings.size();
    if (format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& f : findings)
        list.push_back({{"code", f.code},
                        {"subject", f.subject},
                        {"other", f.other},
                        {"file", f.where.file},
                        {"line", f.where.line},
                        {"message", f.message}});
      all.push_back({{"pack", name}, {"file", set->file()}, {"findings", list}});
      continue;
    }
    for (const auto& f : findings)
      std::cout << f.where.to_string() << ": " << f.code << ": " << printable(f.message) << "\n";
    std::cout << (name == set->file() ? set->file() : "pack " + name) << ": " << set->rules().size() << " rules; "
              << (findings.empty() ? std::string("no untested or shadowed rule, every category and criterion covered")
                                   : std::to_string(findings.size()) + " finding(s)")
              << "\n";
  }
  if (format == "json") std::cout << nlohmann::ordered_json{{"packs", all}, {"findings", count}}.dump(2) << "\n";
  return count ? exit_findings : exit_ok;
}

}  // namespace

int cmd_rules(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "fit") return cmd_rules_fit(std::vector<std::string>(args.begin() + 1, args.end()));
  po::options_description own("Rules options");
  own.add_options()("action", po::value<std::string>(), "test or lint")(
      "format,f", po::value<std::string>()->default_value("text"), "text or json");
  po::positional_options_description pos;
  pos.add("action", 1);
  auto parsed = parse_command(args, own,
                              "Usage: silt rules test|lint|fit [--pack NAME | --rules FILE] [--format text|json]\n\n"
                              "test: validates each pack (or the one named, or the file), then runs the tests\n"
                              "      kept with each rule: every 'match' text must make the rule fire and every\n"
                              "      'no_match' text must not. Exit 0 when all pass, 1 when one fails, 2 when\n"
                              "      the files are invalid.\n"
                              "lint: finds rules no test makes fire, rules shadowed by another (every match\n"
                              "      test of theirs fires a rule with the same target and as much weight), and\n"
                              "      categories or criteria no rule covers. Exit 1 on findings.\n"
                              "fit:  fits the numbers on labeled issues (silt rules fit --help).",
                              pos);
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  if (opt(vm, "action") != "test" && opt(vm, "action") != "lint")
    throw UsageError{"expected 'silt rules test', 'silt rules lint' or 'silt rules fit'"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  auto config = require_config(vm, true);
  if (!config) return exit_usage;
  if (opt(vm, "action") == "lint") return rules_lint(*config, format);
  nlohmann::ordered_json packs = nlohmann::ordered_json::array();
  std::size_t all_failed = 0;
  for (const auto& [name, set] : rule_sets(*config)) {
    const RuleSet& rules = *set;
    auto failures = rules.run_tests();
    all_failed += failures.size();
    const std::size_t total = rules.test_count();
    if (format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& f : failures)
        list.push_back({{"rule", f.rule},
                        {"expected", f.test.should_match ? "match" : "no_match"},
                        {"text", f.test.text},
                        {"file", f.test.where.file},
                        {"line", f.test.where.line},
                        {"column", f.test.where.column}});
      packs.push_back({{"pack", name},
                       {"file", rules.file()},
                       {"rules", rules.rules().size()},
                       {"tests", total},
                       {"passed", total - failures.size()},
                       {"failed", failures.size()},
                       {"failures", list}});
      continue;
    }
    for (const auto& f : failures)
      std::cout << f.test.where.to_string() << ": rule '" << f.rule << "' "
                << (f.test.should_match ? "should match but does not" : "matches but should not") << ": \""
                << printable(f.test.text) << "\"\n";
    std::size_t untested = 0;
    for (const auto& r : rules.rules()) untested += r.tests.empty();
    std::cout << pack_line(name, rules);
    if (untested) std::cout << "  " << untested << " rule(s) without tests\n";
    std::cout << "  " << (total - failures.size()) << " passed, " << failures.size() << " failed\n";
  }
  if (format == "json")
    std::cout << nlohmann::ordered_json{{"packs", packs}, {"failed", all_failed}}.dump(
                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  return all_failed == 0 ? exit_ok : exit_findings;
}

int cmd_taxonomy(const std::vector<std::string>& args) {
  po::options_description own("Taxonomy options");
  own.add_options()("action", po::value<std::string>(), "show or lint")(
      "consensus", po::value<std::string>()->value_name("FILE"), "survey figures to show (default: the study's)")(
      "no-consensus", po::bool_switch(), "show no survey figures")(
      "format,f", po::value<std::string>()->default_value("text"), "text or json (lint)");
  po::positional_options_description pos;
  pos.add("action", 1);
  auto parsed = parse_command(args, own,
                              "Usage: silt taxonomy show|lint [--taxonomy FILE] [--format text|json]\n\n"
                              "show: the categories, the criteria and their questions, the levels and the\n"
                              "      matrix.\n"
                              "lint: enumerates every combination of criteria answers and reports each gap\n"
                              "      (no level matches; the combination where nothing holds is exempt), each\n"
                              "      overlap (several match, and which one the hit policy picks) and each\n"
                              "      masked level (never the outcome). Exit 0 when clean, 1 on findings.",
                              pos);
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  const std::string action = opt(vm, "action");
  if (action != "show" && action != "lint") throw UsageError{"expected 'silt taxonomy show' or 'silt taxonomy lint'"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  check_color(opt(vm, "color", "auto"));

  auto config = require_config(vm, false);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  if (action == "show") {
    std::optional<Consensus> consensus;
    if (!vm["no-consensus"].as<bool>()) {
      consensus = load_consensus(opt(vm, "consensus"));
      if (!consensus) return exit_usage;
    }
    std::cout << render_taxonomy(tax, consensus ? &*consensus : nullptr, use_color(opt(vm, "color", "auto")));
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
