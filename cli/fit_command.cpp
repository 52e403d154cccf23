// `silt rules fit`: the rules file's numbers fitted on labeled issues.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include <cmath>
#include <iostream>

#include "cli.h"
#include "options.h"
#include "silt/batch.h"
#include "silt/builtin.h"
#include "silt/fit.h"

namespace silt::cli {
namespace {

const HelpText fit_help{
    "silt rules fit --gold LABELS.csv [OPTIONS] ISSUES...",
    "Fits the numbers of a rules file on labeled issues, and writes the same file with only its numbers "
    "changed: each rule's weight, the field weights, a bias per category and the prior of each criterion per "
    "category (model:), the calibration map and the review threshold. The rules themselves stay as people wrote "
    "them, and the hand-written numbers are the prior: a rule seen on two issues cannot take an extreme weight, a "
    "rule seen on none keeps its own. The rationale of every label keeps citing visible weights.\n\n"
    "How it is judged: cross-validation. The issues are split into folds by a hash of their id; each fold is "
    "predicted by numbers fitted on the others, for each L2 strength tried (the one with the best held-out log "
    "loss is kept). The calibration map is fitted on those held-out predictions only, and the review threshold "
    "is the lowest confidence at which the held-out issues not flagged were right --review-target of the time. "
    "Figures before (the hand numbers) and after are printed and written in the file's comment.\n\n"
    "LABELS.csv: id, category, impact, and optionally the criteria (ui, model-info...) and silent (no: a loud "
    "bug, left out). ISSUES: any batch input holding those ids. The rules fitted: --rules, the --pack named, or "
    "the default pack.",
    {},
    {{"0", "fitted and written"},
     {"2", "usage or configuration error"},
     {"3", "bad labels or records (named on stderr), or too few labeled issues"},
     {"4", "the output could not be written"}},
    {"silt rules fit --gold gold.csv issues.jsonl -o rules/mine-fitted.yaml",
     "silt rules fit --rules rules/mine.yaml --gold a.csv --gold b.csv a.jsonl b.jsonl",
     "silt rules fit --rules rules/mine.yaml --overlay mine.yaml --gold a.csv a.jsonl -o rules/mine-fitted.yaml"}};

// Keeps the classifications run_batch hands over, in order.
struct KeepClassifications : BatchSink {
  std::vector<Classification> values;
  std::size_t rejected = 0, input_errors = 0;
  void write(std::string_view) override {}
  void labeled(Classification&& c, const std::string&, const Issue*) override { values.push_back(std::move(c)); }
  void reject(const Reject& r) override {
    ++rejected;
    spdlog::warn("{}", rejected_line(r));
  }
  void input_error(const std::string& input, const std::string& m) override {
    ++input_errors;
    spdlog::error("{}: {}", printable(input), printable(m));
  }
};

std::string figures(const FitFigures& f) {
  return fmt::format("category {:.3f}  impact exact {:.3f} (n={})  log loss {:.3f}  ECE {}  unflagged {}/{} right {}",
                     f.category_accuracy, f.impact_exact, f.impact_n, f.log_loss,
                     f.ece ? fmt::format("{:.3f}", *f.ece) : "-", f.unflagged, f.n, f.unflagged_right);
}

}  // namespace

int cmd_rules_fit(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("ISSUES"), "the labeled issues")(
      "gold", po::value<std::vector<std::string>>()->value_name("LABELS.csv"), "the labels (required; repeatable)")(
      "output,o", po::value<std::string>()->value_name("FILE"), "write the fitted rules here (default: stdout)")(
      "overlay", po::value<std::string>()->value_name("INCLUDE"),
      "write only the numbers, in a file that includes the rules file as INCLUDE (a path relative to the output)")(
      "folds", po::value<long long>()->default_value(5)->value_name("N"), "cross-validation folds")(
      "review-target", po::value<double>()->default_value(0.85)->value_name("X"),
      "the accuracy issues not flagged needs_review should reach")(
      "iterations", po::value<long long>()->default_value(1500)->value_name("N"), "optimizer steps per fit")(
      "describe", po::value<std::string>()->value_name("TEXT"),
      "what the labels are, for the file's comment (default: the --gold paths)");
  po::positional_options_description pos;
  pos.add("input", -1);
  auto parsed = parse_command(args, own, fit_help, shared_rules, pos);
  if (!parsed) return exit_ok;
  const po::variables_map& vm = *parsed;
  if (!vm.count("gold")) throw UsageError{"--gold LABELS.csv is required"};
  if (!vm.count("input")) throw UsageError{"name the labeled issues (any batch input)"};
  const double target = vm["review-target"].as<double>();
  if (!(target > 0 && target <= 1)) throw UsageError{"--review-target is a share, over 0 and at most 1"};
  // Fewer than 2 folds hold nothing out: the figures the file calls cross-validated would be in sample.
  const std::size_t folds = count_in_range(vm, "folds", 2, 100);
  count_in_range(vm, "iterations", 1, 1000000);  // checked before the issues are read
  auto config = require_config(vm, true);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  config->rules = single_rules(*config);  // the rules to fit: --rules, --pack, or the default pack
  if (!config->rules) return exit_usage;

  // The text of the rules file, to write back with new numbers.
  std::string rules_text;
  if (vm.count("rules")) {
    auto t = read_whole(opt(vm, "rules"));
    if (!t) return exit_usage;
    rules_text = std::move(*t);
  } else if (auto b = builtin_file(config->rules->file())) {
    rules_text = std::string(b->text);
  } else if (std::error_code ec; std::filesystem::is_regular_file(config->rules->file(), ec)) {
    auto t = read_whole(config->rules->file());  // a pack of one's own map (--packs)
    if (!t) return exit_usage;
    rules_text = std::move(*t);
  } else {
    spdlog::error("the rules of {} cannot be read back to be rewritten", config->rules->file());
    return exit_usage;
  }

  bool bad = false;
  std::vector<GoldLabel> gold;
  for (const auto& path : vm["gold"].as<std::vector<std::string>>()) {
    auto g = read_gold_csv(path, tax);
    if (!g.ok()) {
      spdlog::error("{}", printable(g.error().message));
      return exit_bad_input;
    }
    for (const auto& p : g.value().problems) spdlog::warn("{}", printable(p));
    bad = bad || !g.value().problems.empty();
    gold.insert(gold.end(), g.value().labels.begin(), g.value().labels.end());
  }
  BatchOptions b;
  b.inputs = vm["input"].as<std::vector<std::string>>();
  b.output_format = OutputFormat::values;
  KeepClassifications sink;
  Classifier classifier(config->taxonomy, config->rules);
  run_batch(classifier, b, sink);
  bad = bad || sink.rejected || sink.input_errors;
  auto items = fit_items(tax, *config->rules, gold, sink.values);
  if (items.size() < 2 * folds) {
    spdlog::error("only {} labeled silent issue(s) found among the inputs: too few to fit and cross-validate",
                  items.size());
    return exit_bad_input;
  }
  FitOptions fo;
  fo.folds = folds;
  fo.review_target = target;
  fo.iterations = count_in_range(vm, "iterations", 1, 1000000);
  spdlog::info("fitting on {} labeled issues ({} folds, {} strengths)...", items.size(), fo.folds, fo.l2.size());
  FitResult fit = fit_rules(tax, *config->rules, items, fo);
  const std::string kept = fit.l2 < 0           ? std::string("the hand numbers as they are")
                           : std::isinf(fit.l2) ? std::string("scales, biases and priors fitted, weights kept")
                                                : fmt::format("everything fitted, L2 strength {}", fit.l2);
  std::cerr << fmt::format("silt rules fit: {} issues; kept: {}\n  before: {}\n  after:  {}\n", items.size(), kept,
                           figures(fit.before), figures(fit.after));
  for (const auto& [l2, f] : fit.candidates)
    spdlog::debug("candidate {}: {}",
                  l2 < 0           ? std::string("hand")
                  : std::isinf(l2) ? std::string("model only")
                                   : fmt::format("L2 {}", l2),
                  figures(f));
  std::string on = opt(vm, "describe");
  if (on.empty())
    for (const auto& g : vm["gold"].as<std::vector<std::string>>()) on += (on.empty() ? "" : ", ") + g;
  if (vm.count("overlay"))
    rules_text = "schema: silt/rules/v1\n# The rules of " + opt(vm, "overlay") +
                 " with the numbers silt rules fit fitted (what on, and how they do on\n"
                 "# issues each was not fitted on: below). Only numbers here; the rules are there.\ninclude: [" +
                 opt(vm, "overlay") + "]\n";
  auto text = write_fitted_rules(rules_text, config->rules_file, *config->rules, tax, fit, on);
  if (!text.ok()) {
    spdlog::error("{}", printable(text.error().message));
    return exit_usage;
  }
  if (vm.count("output")) {
    std::vector<std::string> read = b.inputs;
    for (const auto& g : vm["gold"].as<std::vector<std::string>>()) read.push_back(g);
    if (vm.count("rules")) read.push_back(opt(vm, "rules"));
    if (int code = write_whole(opt(vm, "output"), text.value(), read); code != exit_ok) return code;
  } else {
    std::cout << text.value();
  }
  return bad ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
