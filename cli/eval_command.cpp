// `silt eval`: labels against gold labels, printed as tables or JSON.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "options.h"
#include "silt/batch.h"
#include "silt/eval.h"

namespace silt::cli {
namespace {

std::string num(const stats::Estimate& e, int decimals = 3) {
  if (!e.value) return "undefined";
  return fmt::format("{:.{}f}", *e.value, decimals);
}

std::string with_interval(const stats::Estimate& e) {
  if (!e.value) return "undefined (" + e.undefined + ")";
  std::string s = num(e);
  if (e.lo && e.hi) s += fmt::format("  [{:.3f}, {:.3f}]", *e.lo, *e.hi);
  return s;
}

nlohmann::ordered_json json_value(const stats::Estimate& e) {
  return e.value ? nlohmann::ordered_json(*e.value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json json_interval(const stats::Estimate& e) {
  if (!e.lo || !e.hi) return nullptr;
  return nlohmann::ordered_json::array({*e.lo, *e.hi});
}

std::string confusion_table(const std::vector<std::vector<std::size_t>>& m, const std::vector<std::string>& labels) {
  // Rows: "NN label"; columns: the rows' numbers.
  std::size_t w = std::string("gold \\ predicted").size();
  for (const auto& l : labels) w = std::max(w, l.size() + 3);
  std::string out = fmt::format("    {:<{}}", "gold \\ predicted", w + 1);
  for (std::size_t j = 0; j < labels.size(); ++j) out += fmt::format("{:>5}", j + 1);
  out += "\n";
  for (std::size_t i = 0; i < m.size(); ++i) {
    out += fmt::format("    {:>2} {:<{}}", i + 1, labels[i], w - 2);
    for (std::size_t x : m[i]) out += fmt::format("{:>5}", x == 0 ? std::string(".") : std::to_string(x));
    out += "\n";
  }
  return out;
}

std::string render_text(const EvalReport& r, const Taxonomy& tax, const std::string& gold, const std::string& preds,
                        std::size_t bootstrap) {
  std::string out = fmt::format("silt eval: {} items in both {} and {}\n", r.n, gold, preds);
  if (bootstrap) out += fmt::format("[intervals: 95% bootstrap, {} resamples of the items]\n", bootstrap);
  out += fmt::format("\nCategory (n = {})\n", r.n);
  out += "  accuracy        " + with_interval(r.category.accuracy) + "\n";
  out += "  macro F1        " + with_interval(r.category.macro_f1) + "\n";
  out += "  Cohen's kappa   " + with_interval(r.category_kappa) +
         (r.category_kappa.se ? fmt::format("  (SE {:.3f})", *r.category_kappa.se) : std::string()) + "\n";
  out += fmt::format("  {:<28}{:>10}{:>10}{:>10}{:>9}\n", "", "precision", "recall", "F1", "support");
  std::vector<std::string> ids;
  for (std::size_t k = 0; k < tax.categories.size(); ++k) {
    ids.push_back(tax.categories[k].id);
    out += fmt::format("  {:<28}{:>10}{:>10}{:>10}{:>9}\n", tax.categories[k].id, num(r.category.precision[k]),
                       num(r.category.recall[k]), num(r.category.f1[k]), r.category.support[k]);
  }
  out += "  confusion:\n" + confusion_table(r.category.confusion, ids);

  out += "  calibration (is silt right as often as its confidence says?)\n";
  out += fmt::format("    {:<12}{:>6}{:>13}{:>11}\n", "confidence", "items", "mean conf.", "accuracy");
  for (const auto& b : r.calibration)
    if (b.n)
      out += fmt::format("    {:.1f}-{:.1f}  {:>8}{:>13.3f}{:>11.3f}\n", b.lo, b.hi, b.n, b.confidence, b.accuracy);
  if (r.ece) out += fmt::format("    expected calibration error {:.3f}\n", *r.ece);
  if (r.n)
    out += fmt::format(
        "  not flagged needs_review: {} of {} ({:.0f}%), right {}\n", r.unflagged, r.n,
        100.0 * static_cast<double>(r.unflagged) / static_cast<double>(r.n),
        r.unflagged ? fmt::format("{} of them ({:.0f}%)", r.unflagged_right,
                                  100.0 * static_cast<double>(r.unflagged_right) / static_cast<double>(r.unflagged))
                    : std::string("-"));
  if (r.loud)
    out += fmt::format(
        "\nSilence: {} loud bug(s) in gold (left out above), {} called loud by silt; {} of the {} "
        "silent ones called loud\n",
        r.loud, r.loud_caught, r.silent_called_loud, r.n);
  out += fmt::format("\nImpact (n = {} with a gold level; a prediction without a level counts as 'none', below 1)\n",
                     r.impact_n);
  out += "  exact accuracy  " + with_interval(r.impact.accuracy) + "\n";
  out += "  within one      " + with_interval(r.impact.within_one) + "\n";
  out += "  kappa quadratic " + with_interval(r.impact_kappa_quadratic) + "\n";
  out += "  confusion:\n" + confusion_table(r.impact.confusion, r.impact_labels);

  out += fmt::format("\nMissing: {} gold id(s) without a prediction, {} prediction(s) without a gold label\n",
                     r.missing_in_predictions.size(), r.missing_in_gold.size());
  for (const auto& id : r.missing_in_predictions) out += "  no prediction: " + id + "\n";
  for (const auto& id : r.missing_in_gold) out += "  no gold label: " + id + "\n";
  return out;
}

// One line of figures, for a table of several sets (`--summary NAME`; `--summary-header`
// prints the columns' names).
constexpr const char* summary_columns =
    "set                      n  category [95% CI]   macroF1  impact [95% CI]     ECE    unflagged  right\n";

std::string render_summary(const EvalReport& r, const std::string& name) {
  auto ci = [](const stats::Estimate& e) {
    if (!e.value) return std::string("-");
    return e.lo && e.hi ? fmt::format("{:.2f} [{:.2f},{:.2f}]", *e.value, *e.lo, *e.hi)
                        : fmt::format("{:.2f}", *e.value);
  };
  const std::string unflagged =
      r.n ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(r.unflagged) / static_cast<double>(r.n)) : "-";
  const std::string right =
      r.unflagged
          ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(r.unflagged_right) / static_cast<double>(r.unflagged))
          : "-";
  return fmt::format("{:<23}{:>3}  {:<20}{:<9}{:<20}{:<7}{:<11}{}\n", name, r.n, ci(r.category.accuracy),
                     num(r.category.macro_f1, 2), ci(r.impact.accuracy), r.ece ? fmt::format("{:.3f}", *r.ece) : "-",
                     unflagged, right);
}

std::string render_misses(const EvalReport& r) {
  std::string out = fmt::format("\nMisses ({}):\n", r.misses.size());
  for (const auto& m : r.misses) {
    const Prediction& p = *m.prediction;
    out += fmt::format("  {} ({}): {} {} (gold) -> {} (silt, confidence {:.2f})\n", m.id,
                       p.title.size() > 60 ? p.title.substr(0, 57) + "..." : p.title,
                       m.category ? "category" : "impact", m.gold, m.predicted, p.confidence);
    if (m.category && !p.why.empty()) out += "      why: " + p.why + "\n";
    // Category misses show the category evidence, impact misses the criteria evidence.
    const std::string kind = m.category ? "category:" : "criterion:";
    for (const auto& e : p.evidence)
      if (e.find(kind) != std::string::npos) out += "      evidence: " + e + "\n";
  }
  return out;
}

nlohmann::ordered_json render_json(const EvalReport& r, const Taxonomy& tax) {
  using nlohmann::ordered_json;
  ordered_json per = ordered_json::object();
  for (std::size_t k = 0; k < tax.categories.size(); ++k)
    per[tax.categories[k].id] = {{"precision", json_value(r.category.precision[k])},
                                 {"recall", json_value(r.category.recall[k])},
                                 {"f1", json_value(r.category.f1[k])},
                                 {"support", r.category.support[k]}};
  ordered_json cat_conf = ordered_json::object();
  for (std::size_t i = 0; i < tax.categories.size(); ++i) {
    ordered_json row = ordered_json::object();
    for (std::size_t j = 0; j < tax.categories.size(); ++j) row[tax.categories[j].id] = r.category.confusion[i][j];
    cat_conf[tax.categories[i].id] = row;
  }
  ordered_json imp_conf = ordered_json::object();
  for (std::size_t i = 0; i < r.impact_labels.size(); ++i) {
    ordered_json row = ordered_json::object();
    for (std::size_t j = 0; j < r.impact_labels.size(); ++j) row[r.impact_labels[j]] = r.impact.confusion[i][j];
    imp_conf[r.impact_labels[i]] = row;
  }
  ordered_json undefined = ordered_json::object();
  auto note = [&](const char* name, const stats::Estimate& e) {
    if (!e.value) undefined[name] = e.undefined;
  };
  note("category.accuracy", r.category.accuracy);
  note("category.kappa", r.category_kappa);
  note("impact.accuracy", r.impact.accuracy);
  note("impact.kappa_quadratic", r.impact_kappa_quadratic);
  ordered_json misses = ordered_json::array();
  for (const auto& m : r.misses)
    misses.push_back({{"id", m.id},
                      {"field", m.category ? "category" : "impact"},
                      {"gold", m.gold},
                      {"predicted", m.predicted},
                      {"confidence", m.prediction->confidence}});
  return {{"n", r.n},
          {"category",
           {{"accuracy", json_value(r.category.accuracy)},
            {"macro_f1", json_value(r.category.macro_f1)},
            {"micro_f1", json_value(r.category.micro_f1)},
            {"kappa", json_value(r.category_kappa)},
            {"kappa_se", r.category_kappa.se ? ordered_json(*r.category_kappa.se) : ordered_json(nullptr)},
            {"intervals",
             {{"accuracy", json_interval(r.category.accuracy)},
              {"macro_f1", json_interval(r.category.macro_f1)},
              {"kappa", json_interval(r.category_kappa)}}},
            {"per_category", per},
            {"confusion", cat_conf}}},
          {"impact",
           {{"n", r.impact_n},
            {"accuracy", json_value(r.impact.accuracy)},
            {"within_one", json_value(r.impact.within_one)},
            {"kappa_quadratic", json_value(r.impact_kappa_quadratic)},
            {"intervals",
             {{"accuracy", json_interval(r.impact.accuracy)},
              {"within_one", json_interval(r.impact.within_one)},
              {"kappa_quadratic", json_interval(r.impact_kappa_quadratic)}}},
            {"confusion", imp_conf}}},
          {"calibration",
           [&] {
             nlohmann::ordered_json bins = nlohmann::ordered_json::array();
             for (const auto& b : r.calibration)
               bins.push_back(
                   {{"lo", b.lo}, {"hi", b.hi}, {"n", b.n}, {"confidence", b.confidence}, {"accuracy", b.accuracy}});
             return nlohmann::ordered_json{{"bins", bins}, {"ece", r.ece ? nlohmann::ordered_json(*r.ece) : nullptr}};
           }()},
          {"review", {{"unflagged", r.unflagged}, {"unflagged_right", r.unflagged_right}}},
          {"silence",
           {{"loud", r.loud}, {"loud_called_loud", r.loud_caught}, {"silent_called_loud", r.silent_called_loud}}},
          {"undefined", undefined},
          {"missing_in_predictions", r.missing_in_predictions},
          {"missing_in_gold", r.missing_in_gold},
          {"misses", misses}};
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description own("Eval options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
                    "predictions (silt batch JSONL) or issues to classify now (any batch input)")(
      "gold", po::value<std::string>()->value_name("GOLD.csv"), "gold labels: id,category,impact")(
      "format,f", po::value<std::string>()->default_value("text"), "text or json")(
      "misses", po::bool_switch(), "list each wrong item with the evidence that led there")(
      "summary", po::value<std::string>()->value_name("NAME"), "print one line of figures named NAME (a table row)")(
      "summary-header", po::bool_switch(), "with --summary: print the columns' names first")(
      "bootstrap", po::value<std::size_t>()->default_value(1000), "bootstrap resamples for the intervals (0: none)")(
      "seed", po::value<std::uint64_t>()->default_value(1), "seed of the bootstrap")(
      "fit-calibration", po::value<std::string>()->value_name("FILE"),
      "fit a calibration map on these labels and write it (YAML) to FILE")(
      "calibrate-with", po::value<std::vector<std::string>>()->value_name("PREDICTIONS"),
      "with --fit-calibration: more silt batch output (other rules, other runs) whose items "
      "in GOLD join the fit; repeatable")("input-format", po::value<std::string>()->default_value("auto"),
                                          "auto, jsonl, json or csv (issues)");
  InputCommand cmd =
      parse_input_command(args, own,
                          "Usage: silt eval --gold GOLD.csv PREDICTIONS...\n\n"
                          "Compares labels with gold labels: category accuracy, macro F1, Cohen's kappa,\n"
                          "per-category precision/recall/F1 and the confusion matrix; impact exact and\n"
                          "within-one accuracy, quadratic weighted kappa and its confusion matrix; with 95%\n"
                          "bootstrap intervals. PREDICTIONS is silt batch output, or issues classified now.");
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  if (!vm.count("gold")) throw UsageError{"--gold GOLD.csv is required"};
  if (!vm.count("input")) throw UsageError{"name the predictions, or the issues to classify"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  auto in_format = parse_input_format(opt(vm, "input-format", "auto"));
  if (!in_format) throw UsageError{"--input-format takes auto, jsonl, json or csv"};

  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;

  auto gold = read_gold_csv(opt(vm, "gold"), tax);
  if (!gold.ok()) {
    spdlog::error("{}", gold.error().message);
    return exit_bad_input;
  }
  for (const auto& p : gold.value().problems) spdlog::warn("{}", p);

  const auto inputs = vm["input"].as<std::vector<std::string>>();
  std::string jsonl, described;
  bool bad = !gold.value().problems.empty();
  if (inputs.size() == 1 && inputs[0] != "-" && looks_like_predictions(inputs[0])) {
    auto text = read_whole(inputs[0]);
    if (!text) return exit_bad_input;
    jsonl = std::move(*text);
    described = inputs[0];
  } else {
    BatchOptions b;
    b.inputs = inputs;
    b.input_format = *in_format;
    b.answers = collect_answers(vm, tax, criteria.ids);
    MemorySink sink;
    Classifier classifier(config->taxonomy, config->rules);
    run_batch(classifier, b, sink);
    bad = bad || sink.rejected || sink.input_errors;
    jsonl = std::move(sink.out);
    described = "silt's labels of " + (inputs.size() == 1 ? inputs[0] : std::to_string(inputs.size()) + " inputs") +
                " (" + config->rules_file + ")";
  }
  auto preds = read_predictions(jsonl, described);
  if (!preds.ok()) {
    spdlog::error("{}", preds.error().message);
    return exit_bad_input;
  }
  EvalOptions eo;
  eo.bootstrap = vm["bootstrap"].as<std::size_t>();
  eo.seed = vm["seed"].as<std::uint64_t>();
  EvalReport rep = evaluate(tax, gold.value().labels, preds.value(), eo);
  if (vm.count("fit-calibration")) {
    const std::string path = opt(vm, "fit-calibration");
    std::vector<std::size_t> items;  // each pair's gold item: one issue's pairs are held out together
    auto pairs = calibration_pairs(gold.value().labels, preds.value(), true, &items);
    std::vector<std::string> sets{described};
    if (vm.count("calibrate-with"))
      for (const auto& file : vm["calibrate-with"].as<std::vector<std::string>>()) {
        auto text = read_whole(file);
        if (!text) return exit_bad_input;
        auto more = read_predictions(*text, file);
        if (!more.ok()) {
          spdlog::error("{}", more.error().message);
          return exit_bad_input;
        }
        auto extra = calibration_pairs(gold.value().labels, more.value(), true, &items);
        pairs.insert(pairs.end(), extra.begin(), extra.end());
        sets.push_back(file);
      }
    auto points = fit_calibration(pairs);
    auto held_out = reliability(cross_validate_calibration(pairs, items));
    std::ostringstream out;
    out << fmt::format("# Fitted by silt eval --fit-calibration on {} labels of the items of {}, from\n# {}.\n",
                       pairs.size(), opt(vm, "gold"), fmt::join(sets, ";\n# "))
        << "# Isotonic regression with add-one smoothing: the confidence becomes the share of\n"
        << "# items that were right at that raw confidence. On items left out of the fit, its\n"
        << fmt::format("# expected calibration error is {}.\n",
                       held_out.ece ? fmt::format("{:.3f}", *held_out.ece) : std::string("undefined (no items)"))
        << "# A map fitted on few items, or on the items the rules were written from, promises\n"
        << "# more than it knows.\ncalibration:\n";
    for (const auto& [x, y] : points) out << fmt::format("  - [{:.4f}, {:.4f}]\n", x, y);
    std::vector<std::string> read = inputs;
    read.push_back(opt(vm, "gold"));
    if (int code = write_whole(path, out.str(), read); code != exit_ok) return code;
    spdlog::info(
        "calibration map of {} points fitted on {} labels, written to {}; cross-validated calibration "
        "error {}",
        points.size(), pairs.size(), path, held_out.ece ? fmt::format("{:.3f}", *held_out.ece) : "undefined");
  }
  if (vm.count("summary")) {
    if (vm["summary-header"].as<bool>()) std::cout << summary_columns;
    std::cout << render_summary(rep, opt(vm, "summary"));
  } else if (format == "json") {
    std::cout << render_json(rep, tax).dump(2) << "\n";
  } else {
    std::cout << render_text(rep, tax, opt(vm, "gold"), described, eo.bootstrap);
    if (vm["misses"].as<bool>()) std::cout << render_misses(rep);
  }
  return bad ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
