// `silt eval`: labels against gold labels, printed as tables or JSON.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <unordered_set>

#include "cli.h"
#include "figure_text.h"
#include "options.h"
#include "silt/batch.h"
#include "silt/classification_io.h"
#include "silt/eval.h"
#include "silt/eval_json.h"

namespace silt::cli {
namespace {

// The rules that classify issues now: "each issue by its repository's pack (MAP)", a
// pack forced, or a rules file.
std::string rules_used(const Config& config) {
  if (!config.packs) return config.rules_file;
  if (!config.forced_pack.empty()) return "pack " + config.forced_pack + ", " + config.rules_file;
  return "each issue by its repository's pack";
}

std::string num(const stats::Estimate& e, int decimals = 3) {
  if (!e.value) return "undefined";
  return fmt::format("{:.{}f}", *e.value, decimals);
}

// Rows gold, columns predicted; both named by `cols` (impact: the levels), rows by
// `rows` (categories: "1 wrong-shape", numbered as the columns).
std::string confusion_table(const std::vector<std::vector<std::size_t>>& m, const std::vector<std::string>& rows,
                            const std::vector<std::string>& cols) {
  std::size_t w = std::string("gold \\ predicted").size();
  for (const auto& l : rows) w = std::max(w, l.size());
  std::size_t cw = 4;
  for (const auto& c : cols) cw = std::max(cw, c.size() + 1);
  std::string out = fmt::format("    {:<{}}", "gold \\ predicted", w);
  for (const auto& c : cols) out += fmt::format("{:>{}}", c, cw + 1);
  out += "\n";
  for (std::size_t i = 0; i < m.size(); ++i) {
    out += fmt::format("    {:<{}}", rows[i], w);
    for (std::size_t x : m[i]) out += fmt::format("{:>{}}", x == 0 ? std::string(".") : std::to_string(x), cw + 1);
    out += "\n";
  }
  return out;
}

// Precision, recall and F1 of each class with their intervals and n, then the macro and
// weighted averages (scikit-learn's classification_report).
// The width of class_table()'s first column, indent included.
std::size_t class_width(const std::vector<std::string>& labels) {
  std::size_t w = std::string("weighted average").size();
  for (const auto& l : labels) w = std::max(w, l.size());
  return w + 4;
}

std::string class_table(const stats::ClassReport& r, const std::vector<std::string>& labels, const std::string& what) {
  const std::size_t w = class_width(labels) - 2;
  std::string out =
      fmt::format("  {:<{}}{:<{}}{:<{}}{}\n", "per " + what, w, "precision [95%]        n", figure_cell_width,
                  "recall [95%]           n", figure_cell_width, "F1 [95%]               n");
  auto row = [&](const std::string& name, const stats::Estimate& p, const stats::Estimate& rc,
                 const stats::Estimate& f) {
    out += fmt::format("  {:<{}}{:<{}}{:<{}}{}\n", name, w, figure_cell(p), figure_cell_width, figure_cell(rc),
                       figure_cell_width, figure_cell(f));
  };
  for (std::size_t k = 0; k < labels.size(); ++k) row(labels[k], r.precision[k], r.recall[k], r.f1[k]);
  row("macro average", r.macro_precision, r.macro_recall, r.macro_f1);
  row("weighted average", r.weighted_precision, r.weighted_recall, r.weighted_f1);
  out += "  (n: predicted as it for precision, in gold for recall, in either for F1, all for averages)\n";
  return out;
}

std::string render_text(const EvalReport& r, const Taxonomy& tax, const std::string& gold, const std::string& preds,
                        std::size_t bootstrap) {
  std::string out = fmt::format("silt eval: {} items in both {} and {}\n", r.n, gold, preds);
  if (bootstrap) out += fmt::format("[intervals: 95% bootstrap percentile, {} resamples of the items]\n", bootstrap);
  out += fmt::format("\nCategory (n = {})\n", r.n);
  FigureTable figures;
  figures.add("accuracy", r.category.accuracy);
  figures.add("macro F1", r.category.macro_f1);
  figures.add("Cohen's kappa", r.category_kappa, 0,
              r.category_kappa.se ? fmt::format("SE {:.3f}", *r.category_kappa.se) : std::string());
  std::vector<std::string> ids, numbered, numbers;
  for (std::size_t k = 0; k < tax.categories.size(); ++k) {
    ids.push_back(tax.categories[k].id);
    numbered.push_back(fmt::format("{:>2} {}", k + 1, tax.categories[k].id));
    numbers.push_back(std::to_string(k + 1));
  }
  out += figures.render(true, class_width(ids));
  out += class_table(r.category, ids, "category");
  out += "  confusion (rows gold, columns predicted, numbered as the rows):\n" +
         confusion_table(r.category.confusion, numbered, numbers);

  out += "  calibration (is silt right as often as its confidence says?)\n";
  out += fmt::format("    {:<12}{:>6}{:>13}{:>11}\n", "confidence", "items", "mean conf.", "accuracy");
  for (const auto& b : r.calibration)
    if (b.n)
      out += fmt::format("    {:.1f}-{:.1f}  {:>8}{:>13.3f}{:>11.3f}\n", b.lo, b.hi, b.n, b.confidence, b.accuracy);
  if (r.ece.value) {
    FigureTable ece;
    ece.add("expected calibration error", r.ece, 1);
    out += ece.render(false);
  }
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
  FigureTable impact;
  impact.add("exact accuracy", r.impact.accuracy);
  impact.add("within one", r.impact.within_one);
  for (const auto& [w, e] : r.impact_kappa) impact.add(fmt::format("Cohen's kappa, {}", stats::to_string(w)), e);
  out += impact.render(true, class_width(r.impact_labels));
  out += class_table(r.impact, r.impact_labels, "level");
  out += "  confusion (rows gold, columns predicted):\n" +
         confusion_table(r.impact.confusion, r.impact_labels, r.impact_labels);

  out += fmt::format("\nMissing: {} gold id(s) without a prediction, {} prediction(s) without a gold label\n",
                     r.missing_in_predictions.size(), r.missing_in_gold.size());
  // The first 20 of each, as batch names its rejects: a gold sample of a big batch output
  // leaves most of it without a gold label (--format json lists them all).
  auto listed = [&](const std::vector<std::string>& list, const char* what) {
    for (std::size_t k = 0; k < list.size() && k < 20; ++k) out += std::string("  ") + what + printable(list[k]) + "\n";
    if (list.size() > 20) out += fmt::format("  ... and {} more (--format json lists them all)\n", list.size() - 20);
  };
  listed(r.missing_in_predictions, "no prediction: ");
  listed(r.missing_in_gold, "no gold label: ");
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
                     num(r.category.macro_f1, 2), ci(r.impact.accuracy), r.ece.value ? num(r.ece) : "-", unflagged,
                     right);
}

std::string render_misses(const EvalReport& r) {
  std::string out = fmt::format("\nMisses ({}):\n", r.misses.size());
  for (const auto& m : r.misses) {
    const Prediction& p = *m.prediction;
    std::string title = printable(p.title);
    if (title.size() > 60) {
      title.resize(57);
      while (!title.empty() && (static_cast<unsigned char>(title.back()) & 0xC0) == 0x80) title.pop_back();
      if (!title.empty() && static_cast<unsigned char>(title.back()) >= 0xC0) title.pop_back();  // a lead byte
      title += "...";
    }
    out += fmt::format("  {} ({}): {} {} (gold) -> {} (silt, confidence {:.2f})\n", printable(m.id), title,
                       m.category ? "category" : "impact", printable(m.gold), printable(m.predicted), p.confidence);
    if (m.category && !p.why.empty()) out += "      why: " + printable(p.why) + "\n";
    // Category misses show the category evidence, impact misses the criteria evidence.
    const std::string kind = m.category ? "category:" : "criterion:";
    for (const auto& e : p.evidence)
      if (e.find(kind) != std::string::npos) out += "      evidence: " + printable(e) + "\n";
  }
  return out;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("PREDICTIONS"),
                    "silt batch output (JSON Lines), or issues to classify now (any batch input)")(
      "gold", po::value<std::string>()->value_name("GOLD.csv"), "gold labels: id,category,impact (required)")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json")(
      "misses", po::bool_switch(), "list each wrong item with the evidence that led there")(
      "summary", po::value<std::string>()->value_name("NAME"), "print one line of figures named NAME (a table row)")(
      "summary-header", po::bool_switch(), "with --summary: print the columns' names first")(
      "bootstrap", po::value<long long>()->default_value(1000)->value_name("N"),
      "bootstrap resamples for the intervals (0: none)")(
      "seed", po::value<long long>()->default_value(1)->value_name("S"), "seed of the bootstrap")(
      "fit-calibration", po::value<std::string>()->value_name("FILE"),
      "fit a calibration map on these labels and write it (YAML) to FILE")(
      "calibrate-with", po::value<std::vector<std::string>>()->value_name("PREDICTIONS"),
      "with --fit-calibration: more silt batch output (other rules, other runs) whose items "
      "in GOLD join the fit; repeatable")("input-format",
                                          po::value<std::string>()->default_value("auto")->value_name("FORMAT"),
                                          "auto, jsonl, json or csv (issues)");
  const HelpText help{
      "silt eval --gold GOLD.csv [OPTIONS] PREDICTIONS...",
      "Compares labels with gold labels: category accuracy, macro F1, Cohen's kappa, per-category "
      "precision/recall/F1 and the confusion matrix; impact exact and within-one accuracy, weighted kappas and "
      "the confusion matrix; each figure with its n and a 95% bootstrap interval. PREDICTIONS is silt batch "
      "output (one file or several, read as one set), or issues classified now as silt batch would (criteria "
      "answers then apply to every issue); not a mix of both.",
      {},
      {{"0", "evaluated"},
       {"2", "usage or configuration error"},
       {"3", "a gold row or an input record was bad (named on stderr; the figures still come out)"},
       {"4", "the output or the calibration map could not be written"}},
      {"silt eval --gold gold.csv labels.jsonl", "silt eval --gold gold.csv issues.jsonl --misses",
       "silt eval --gold gold.csv labels.jsonl --format json > eval.json",
       "silt eval --gold gold.csv issues.jsonl --fit-calibration map.yaml"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_answers);
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  if (!vm.count("gold")) throw UsageError{"--gold GOLD.csv is required"};
  if (!vm.count("input")) throw UsageError{"name the predictions, or the issues to classify"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  if (vm["summary-header"].as<bool>() && !vm.count("summary"))  // refused, not ignored unsaid
    throw UsageError{"--summary-header goes with --summary NAME"};
  auto in_format = parse_input_format(opt(vm, "input-format", "auto"));
  if (!in_format) throw UsageError{"--input-format takes auto, jsonl, json or csv"};

  const std::size_t bootstrap = count_in_range(vm, "bootstrap", 0, 1000000);  // before any input is read
  const std::size_t seed = count_in_range(vm, "seed", 0, std::numeric_limits<long long>::max());
  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;

  auto gold = read_gold_csv(opt(vm, "gold"), tax);
  if (!gold.ok()) {
    spdlog::error("{}", gold.error().message);
    return exit_bad_input;
  }
  for (const auto& p : gold.value().problems) spdlog::warn("{}", p);

  bool gold_or_inputs_bad = false;
  // An empty file (a run that labeled nothing) is said and left out, as neither kind.
  std::vector<std::string> inputs;
  for (const auto& in : vm["input"].as<std::vector<std::string>>()) {
    std::error_code ec;
    if (in != "-" && std::filesystem::is_regular_file(in, ec) && std::filesystem::file_size(in, ec) == 0) {
      spdlog::warn("{}: empty: no record in it", printable(in));
      gold_or_inputs_bad = true;
      continue;
    }
    inputs.push_back(in);
  }
  if (inputs.empty()) {
    spdlog::error("no record to evaluate: every input is empty");
    return exit_bad_input;
  }
  std::string described;
  bool bad = !gold.value().problems.empty() || gold_or_inputs_bad;
  // Batch outputs (every input one), or issues to classify now (none): not a mix. A
  // file that cannot be read is said as such, before it is counted as either.
  std::size_t outputs = 0;
  std::vector<ClassificationsFile> kinds;
  for (const auto& in : inputs) {
    if (in != "-") {
      std::error_code ec;
      if (!std::filesystem::exists(in, ec)) {
        spdlog::error("{}: cannot open: no such file", printable(in));
        return exit_bad_input;
      }
    }
    kinds.push_back(in == "-" ? ClassificationsFile::none : classifications_file(in));
    outputs += kinds.back() != ClassificationsFile::none;
  }
  if (outputs > 0 && outputs < inputs.size()) {
    std::string others;
    for (std::size_t k = 0; k < inputs.size(); ++k)
      if (kinds[k] == ClassificationsFile::none) others += (others.empty() ? "" : ", ") + printable(inputs[k]);
    throw UsageError{"give silt batch outputs or issues to classify, not both (" + std::to_string(outputs) + " of " +
                     std::to_string(inputs.size()) + " inputs are batch outputs; not: " + others + ")"};
  }
  const bool classified_now = outputs == 0;
  std::unordered_set<std::string> gold_ids;
  for (const auto& g : gold.value().labels) gold_ids.insert(id_key(g.id));
  // Batch outputs, read as one set (read_prediction_files); the problems it names (a bad
  // line, an id labeled otherwise in another file) are warnings, and exit 3.
  auto read_outputs = [&](const std::vector<std::string>& files) -> std::optional<std::vector<Prediction>> {
    auto read = read_prediction_files(files, gold_ids, tax);
    if (!read.ok()) {
      spdlog::error("{}", printable(read.error().message));
      return std::nullopt;
    }
    for (const auto& w : read.value().problems) spdlog::warn("{}", printable(w));
    bad = bad || !read.value().problems.empty();
    return std::move(read.value().predictions);
  };
  Result<std::vector<Prediction>> preds = std::vector<Prediction>{};
  if (!classified_now) {
    auto read = read_outputs(inputs);
    if (!read) return exit_bad_input;
    preds = std::move(*read);
    described = inputs.size() == 1 ? inputs[0] : std::to_string(inputs.size()) + " batch outputs";
  } else {
    BatchOptions b;
    b.inputs = inputs;
    b.input_format = *in_format;
    b.answers = collect_answers(vm, tax, criteria.ids);
    b.output_format = OutputFormat::values;  // the values, not bytes to parse again
    MemorySink sink;
    // Read as `silt batch` reads them: each issue by its repository's pack, unless
    // --rules or --pack say otherwise.
    Classifier classifier = make_classifier(*config);
    run_batch(classifier, b, sink);
    bad = bad || sink.rejected || sink.input_errors;
    for (const auto& c : sink.values) preds.value().push_back(prediction_of(c));
    described = "silt's labels of " + (inputs.size() == 1 ? inputs[0] : std::to_string(inputs.size()) + " inputs") +
                " (" + rules_used(*config) + ")";
  }
  if (!preds.ok()) {
    spdlog::error("{}", preds.error().message);
    return exit_bad_input;
  }
  EvalOptions eo;
  eo.bootstrap = bootstrap;
  eo.seed = seed;
  EvalReport rep = evaluate(tax, gold.value().labels, preds.value(), eo);
  if (!gold.value().labels.empty() && rep.missing_in_predictions.size() == gold.value().labels.size() &&
      !rep.missing_in_gold.empty()) {
    // Nothing in common: ids written another way, or the wrong files.
    spdlog::warn(
        "no gold id is among the predictions' ids (gold: '{}', predictions: '{}', for example); ids match "
        "as OWNER/REPO#N, whatever the case, a GitHub address read as one",
        printable(rep.missing_in_predictions.front()), printable(rep.missing_in_gold.front()));
    bad = true;
  }
  if (vm.count("fit-calibration")) {
    const std::string path = opt(vm, "fit-calibration");
    std::vector<std::size_t> items;  // each pair's gold item: one issue's pairs are held out together
    auto pairs = calibration_pairs(gold.value().labels, preds.value(), true, &items);
    std::vector<std::string> sets{described};
    if (vm.count("calibrate-with"))
      for (const auto& file : vm["calibrate-with"].as<std::vector<std::string>>()) {
        auto more = read_outputs({file});
        if (!more) return exit_bad_input;
        auto extra = calibration_pairs(gold.value().labels, *more, true, &items);
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
    RunHeader header;
    header.bootstrap = eo.bootstrap;
    header.seed = eo.seed;
    header.raters = {"gold", "silt"};
    header.inputs.emplace_back("gold", opt(vm, "gold"));
    for (std::size_t k = 0; k < inputs.size(); ++k)
      header.inputs.emplace_back(k == 0 ? std::string("predictions") : fmt::format("predictions {}", k + 1), inputs[k]);
    if (classified_now) header.inputs.emplace_back("rules", rules_used(*config));
    std::cout << to_json(rep, tax, header);
  } else {
    std::cout << render_text(rep, tax, opt(vm, "gold"), described, eo.bootstrap);
    if (vm["misses"].as<bool>()) std::cout << render_misses(rep);
  }
  return bad ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
