// `silt agree` and `silt check`: labelers against each other, the engine and the matrix.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include <iostream>
#include <unordered_map>

#include "cli.h"
#include "figure_text.h"
#include "options.h"
#include "silt/agreement.h"
#include "silt/agreement_json.h"
#include "silt/batch.h"
#include "silt/eval.h"
#include "silt/json_writer.h"

namespace silt::cli {

namespace {

// silt's labels of the issues in `path`, by id; nullopt (reported) on failure.
std::optional<std::unordered_map<std::string, Prediction>> engine_labels(const Config& config,
                                                                         const std::string& path) {
  BatchOptions b;
  b.inputs = {path};
  b.output_format = OutputFormat::values;  // the values, not bytes to parse again
  MemorySink sink;
  Classifier classifier = make_classifier(config);  // each issue by its repository's pack, as batch
  run_batch(classifier, b, sink);
  if (sink.input_errors) return std::nullopt;
  std::unordered_map<std::string, Prediction> by_id;  // by id_key: labels may name issues otherwise
  for (const auto& c : sink.values) by_id.emplace(id_key(c.id), prediction_of(c));
  return by_id;
}

// Relabelled rows (a later row for the same item and rater) are no problem: one line says
// how many, each is listed with -v.
void report_superseded(const LabelFile& f) {
  if (f.superseded.empty()) return;
  spdlog::info("{} row(s) relabel an item a rater labeled before; the later row counts (first: {})",
               f.superseded.size(), printable(f.superseded.front()));
  for (const auto& s : f.superseded) spdlog::debug("{}", printable(s));
}

// A field's figures as a table.
FigureTable field_table(const FieldAgreement& f) {
  FigureTable table;
  table.add("Percent agreement", f.percent);
  table.add("Fleiss' kappa", f.fleiss);
  table.add("Conger's kappa", f.conger);
  for (const auto& [m, e] : f.alpha) table.add(fmt::format("Krippendorff's alpha ({})", stats::to_string(m)), e);
  for (const auto& [w, e] : f.gwet)
    table.add(w == stats::Weights::none ? "Gwet's AC1" : fmt::format("Gwet's AC2 ({} weights)", stats::to_string(w)),
              e);
  // "alice / bob" for a field with one kappa; "alice / bob, linear" when it has several.
  auto kappa_rows = [&](const std::string& who, const FieldAgreement::Kappas& ks) {
    for (const auto& [w, e] : ks)
      table.add(ks.size() == 1 ? who : fmt::format("{}, {}", who, stats::to_string(w)), e, 1);
  };
  if (!f.pairs.empty()) {
    table.heading("Cohen's kappa of each pair of raters");
    for (const auto& p : f.pairs) kappa_rows(printable(p.a) + " / " + printable(p.b), p.kappa);
  }
  if (!f.vs_majority.empty()) {
    table.heading("Each rater against the others' majority");
    for (const auto& m : f.vs_majority) {
      table.add(printable(m.rater) + ": percent agreement", m.agreement, 1);
      kappa_rows(printable(m.rater) + ": Cohen's kappa", m.kappa);
    }
  }
  // When Fleiss' kappa is undefined, so is every value's, for the reason given above.
  if (f.fleiss.value && !f.fleiss_per_value.empty()) {
    table.heading("Fleiss' kappa of each value");
    for (std::size_t k = 0; k < f.domain.size() && k < f.fleiss_per_value.size(); ++k)
      table.add(printable(f.domain[k]), f.fleiss_per_value[k], 1);
  }
  return table;
}

std::string render_field(const FieldAgreement& f, const FigureTable& table, std::size_t width, const LabelTable& t) {
  std::vector<std::string> raters;
  for (const auto& r : t.raters) raters.push_back(printable(r));
  std::string out =
      fmt::format("Field {} ({}, {} values; {} items rated by two raters or more; raters: {})\n", printable(f.field),
                  f.ordinal ? "ordinal" : "nominal", f.domain.size(), f.items, fmt::join(raters, ", "));
  out += table.render(true, width);
  if (!f.most_disagreement.empty()) {
    out += "  Most disagreement (share of rater pairs that agree; each rater's value)\n";
    std::size_t w = width > 4 ? width - 4 : 0;
    for (const auto& d : f.most_disagreement) w = std::max(w, printable(d.item).size() + 2);
    for (const auto& d : f.most_disagreement) {
      std::vector<std::string> vals;
      for (std::size_t a = 0; a < t.raters.size() && a < d.values.size(); ++a)
        vals.push_back(raters[a] + "=" + (d.values[a].empty() ? "-" : printable(d.values[a])));
      out += fmt::format("    {:<{}}{:<10}{}\n", printable(d.item), w, fixed3(d.agreement), fmt::join(vals, " "));
    }
  }
  return out;
}

std::string render_text(const std::vector<FieldAgreement>& fields, const LabelTable& t, std::size_t bootstrap) {
  std::string out;
  if (bootstrap)
    out += fmt::format("[intervals: 95% bootstrap percentile, {} resamples of the items]\n\n", bootstrap);
  else
    out += "[no intervals: --bootstrap 0]\n\n";
  // Every field's table aligned alike.
  std::vector<FigureTable> tables;
  std::size_t width = 0;
  for (const auto& f : fields) {
    tables.push_back(field_table(f));
    width = std::max(width, tables.back().label_width());
  }
  for (std::size_t k = 0; k < fields.size(); ++k) out += render_field(fields[k], tables[k], width, t) + "\n";
  return out;
}

}  // namespace

int cmd_agree(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("LABELS.csv"),
                    "the labels: item,rater,<field>... (or --wide)")(
      "wide", po::bool_switch(), "item,<rater1>,<rater2>... for one field (--field)")(
      "field", po::value<std::string>()->default_value("category")->value_name("F"), "the field of a --wide file")(
      "nominal", po::bool_switch(), "treat impact and numeric fields as nominal, not ordinal")(
      "engine", po::bool_switch(), "add silt as a rater, classifying the items of --issues")(
      "issues", po::value<std::string>()->value_name("FILE"), "the issues the labels are about (any batch input)")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json")(
      "bootstrap", po::value<long long>()->default_value(1000)->value_name("N"),
      "bootstrap resamples for the intervals (0: none)")(
      "seed", po::value<long long>()->default_value(1)->value_name("S"), "seed of the bootstrap")(
      "top", po::value<long long>()->default_value(10)->value_name("N"), "items listed with the most disagreement");
  const HelpText help{
      "silt agree LABELS.csv [--wide [--field F]] [--engine --issues FILE] [OPTIONS]",
      "How far labelers agree, field by field (category, impact, each criterion): percent agreement, Fleiss', "
      "Conger's and each pair's Cohen's kappa, Krippendorff's alpha, Gwet's AC1, each with its n and 95% "
      "bootstrap interval; for ordinal fields (impact) also linear and quadratic kappas, ordinal and interval "
      "alphas and AC2. Each rater against the others' majority; the items with the most disagreement. A later "
      "row for the same item and rater supersedes the earlier one.",
      {},
      {{"0", "the figures were printed"},
       {"2", "usage or configuration error"},
       {"3", "the file is not a labels CSV, or rows or values were left out (named on stderr)"}},
      {"silt agree labels.csv", "silt agree labels.csv --format json > agree.json",
       "silt agree labels.csv --engine --issues issues.jsonl", "silt agree --wide --field impact levels.csv"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_rules, true);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one labels file"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  const bool engine = vm["engine"].as<bool>();
  if (engine && !vm.count("issues")) throw UsageError{"--engine needs --issues FILE: the issues to classify"};

  const std::size_t bootstrap = count_in_range(vm, "bootstrap", 0, 1000000);  // before any input is read
  auto config = require_config(vm, engine);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  const std::string path = vm["input"].as<std::vector<std::string>>()[0];
  auto labels = read_labels(path, vm["wide"].as<bool>(), opt(vm, "field"));
  if (!labels.ok()) {
    spdlog::error("{}", labels.error().message);
    return exit_bad_input;
  }
  bool bad = false;
  for (const auto& p : labels.value().problems) {
    spdlog::warn("{}", p);
    bad = true;
  }
  report_superseded(labels.value());
  LabelTable& t = labels.value().table;
  if (t.items.empty()) {  // a header alone: the figures below are all undefined
    spdlog::warn("{}: no label rows, only a header", printable(path));
    bad = true;
  }
  if (engine) {
    // The engine joins as the rater "silt": a labeler of that name would be merged with it.
    if (std::find(t.raters.begin(), t.raters.end(), "silt") != t.raters.end())
      throw UsageError{"--engine adds silt's labels as the rater 'silt', and " + t.file +
                       " has a labeler of that name: rename them there"};
    auto preds = engine_labels(*config, opt(vm, "issues"));
    if (!preds) return exit_bad_input;
    const std::size_t silt = t.add_rater("silt");
    std::size_t found = 0;
    for (std::size_t i = 0; i < t.items.size(); ++i) {
      auto it = preds->find(id_key(t.items[i]));
      if (it == preds->end()) continue;
      ++found;
      const Prediction& p = it->second;
      t.lines[i][silt] = -1;
      for (std::size_t f = 0; f < t.fields.size(); ++f) {
        const std::string& name = t.fields[f];
        if (name == "category")
          t.values[f][i][silt] = p.category;
        else if (name == "impact" || name == "level")
          t.values[f][i][silt] = p.level ? std::to_string(*p.level) : "";
        else
          for (const auto& [id, v] : p.criteria)
            if (id == name) t.values[f][i][silt] = v ? "yes" : "no";
      }
    }
    if (found < t.items.size())
      spdlog::warn("silt classified {} of the {} items: the others are not in {}", found, t.items.size(),
                   opt(vm, "issues"));
  }
  AgreementOptions ao;
  ao.nominal = vm["nominal"].as<bool>();
  ao.bootstrap = bootstrap;
  ao.seed = count_in_range(vm, "seed", 0, std::numeric_limits<long long>::max());
  ao.top = count_in_range(vm, "top", 0, 1000000);
  auto fields = agreement(t, tax, ao);
  for (const auto& f : fields)
    for (const auto& p : f.problems) {
      spdlog::warn("{}", p);
      bad = true;
    }
  if (format == "json") {
    RunHeader header;
    header.bootstrap = ao.bootstrap;
    header.seed = ao.seed;
    header.raters = t.raters;
    header.inputs.emplace_back("labels", path);
    if (engine) header.inputs.emplace_back("issues", opt(vm, "issues"));
    std::cout << to_json(fields, header);
  } else {
    std::cout << render_text(fields, t, ao.bootstrap);
  }
  return bad ? exit_bad_input : exit_ok;
}

namespace {

// A category label silt contradicts with strong evidence.
struct Contradiction {
  std::string item, rater, label;
  int line;
  const Prediction* p;
};

// `silt check --format json`.
std::string check_json(const LevelCheck& lc, const std::vector<Contradiction>& contra) {
  JsonWriter j;
  j.begin_object();
  j.field("rows_checked", lc.checked);
  j.field("rows_without_all_answers", lc.unanswered);
  j.key("level_mismatches");
  j.begin_array();
  for (const auto& m : lc.mismatches) {
    j.begin_object();
    j.field("item", m.item);
    j.field("rater", m.rater);
    j.field("line", m.line);
    // The level given, as the level expected: a number, or null for none (the text says
    // "none"); check_levels lists nothing else as a mismatch.
    j.key("given");
    if (m.given_level)
      j.integer(*m.given_level);
    else
      j.null();
    j.key("expected");
    if (m.expected)
      j.integer(*m.expected);
    else
      j.null();
    j.key("answers");
    j.begin_object();
    for (const auto& [id, v] : m.answers) {
      j.field(id, v);
    }
    j.end_object();
    j.end_object();
  }
  j.end_array();
  j.key("category_contradictions");
  j.begin_array();
  for (const auto& c : contra) {
    j.begin_object();
    j.field("item", c.item);
    j.field("rater", c.rater);
    j.field("line", c.line);
    j.field("label", c.label);
    j.field("silt", c.p->category);
    j.field("confidence", c.p->confidence);
    j.field("why", c.p->why);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

}  // namespace

int cmd_check(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("LABELS.csv"), "the labels")(
      "issues", po::value<std::string>()->value_name("FILE"), "also list rows whose category silt contradicts")(
      "min-confidence", po::value<double>()->default_value(0.8)->value_name("X"),
      "how sure silt must be to contradict a label")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json");
  const HelpText help{
      "silt check LABELS.csv [--issues FILE] [OPTIONS]",
      "Lists every row whose impact level does not follow from the labeler's own criteria answers under the "
      "loaded matrix, with the level it should have been; with --issues, also every row whose category silt "
      "contradicts with strong evidence: a list to re-read, not a verdict. A category or a level that is not the "
      "taxonomy's, and an answer that is neither yes nor no, is named on stderr with its line.",
      {},
      {{"0", "nothing to list"},
       {"1", "rows were listed"},
       {"2", "usage or configuration error"},
       {"3",
        "the file is not a labels CSV, the issues could not be read, or rows or answers were left out "
        "(named on stderr; the rest is listed)"}},
      {"silt check labels.csv", "silt check labels.csv --issues issues.jsonl --min-confidence 0.9"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_rules, true);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one labels file"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  const bool with_engine = vm.count("issues") > 0;
  if (const double m = vm["min-confidence"].as<double>(); !(m >= 0 && m <= 1))
    throw UsageError{"--min-confidence is a share, from 0 to 1"};
  auto config = require_config(vm, with_engine);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  const std::string path = vm["input"].as<std::vector<std::string>>()[0];
  auto labels = read_labels(path);
  if (!labels.ok()) {
    spdlog::error("{}", labels.error().message);
    return exit_bad_input;
  }
  for (const auto& p : labels.value().problems) spdlog::warn("{}", p);
  report_superseded(labels.value());
  const LabelTable& t = labels.value().table;
  LevelCheck lc = check_levels(t, tax);
  if (lc.no_level_column) {
    spdlog::error("{}:1: no impact column (impact, level or impact_level): there is no level to check", path);
    return exit_bad_input;
  }
  for (const auto& [line, what] : lc.bad_answers) spdlog::warn("{}:{}: {}", path, line, what);
  const bool bad_input = !labels.value().problems.empty() || !lc.bad_answers.empty();

  std::vector<Contradiction> contra;
  std::optional<std::unordered_map<std::string, Prediction>> preds;
  std::size_t not_found = 0;
  if (with_engine) {
    preds = engine_labels(*config, opt(vm, "issues"));
    if (!preds) return exit_bad_input;
    const double min_conf = vm["min-confidence"].as<double>();
    if (auto cf = t.field_index("category"))
      for (std::size_t i = 0; i < t.items.size(); ++i) {
        auto it = preds->find(id_key(t.items[i]));
        if (it == preds->end()) {
          if (++not_found <= 20)
            spdlog::warn("{}: {} is not among the issues of --issues: not compared", path, t.items[i]);
          continue;
        }
        const Prediction& p = it->second;
        if (p.needs_review || p.confidence < min_conf) continue;
        for (std::size_t a = 0; a < t.raters.size(); ++a) {
          const std::string& label = t.values[*cf][i][a];
          if (!label.empty() && label != p.category && tax.category_index(label))
            contra.push_back({t.items[i], t.raters[a], label, t.lines[i][a], &p});
        }
      }
  }

  if (not_found > 20) spdlog::warn("{}: {} item(s) in all are not among the issues of --issues", path, not_found);
  if (format == "json") {
    std::cout << check_json(lc, contra);
  } else {
    std::cout << fmt::format("{}: {} row(s) with every criterion and the impact answered, {} without (not checkable)\n",
                             path, lc.checked, lc.unanswered);
    for (const auto& m : lc.mismatches) {
      std::vector<std::string> ans;
      for (const auto& [id, v] : m.answers) ans.push_back(id + "=" + (v ? "yes" : "no"));
      std::cout << fmt::format("{}:{}: {} by {}: level {}, but with {} the matrix gives {}\n", path, m.line, m.item,
                               m.rater, m.given.empty() ? "none" : m.given, fmt::join(ans, ", "),
                               m.expected ? "level " + std::to_string(*m.expected) : std::string("no level"));
    }
    std::cout << fmt::format("{} level(s) that do not follow from the answers\n", lc.mismatches.size());
    if (with_engine) {
      for (const auto& c : contra)
        std::cout << fmt::format("{}:{}: {} by {}: category {}, silt says {} (confidence {:.2f}): {}\n", path, c.line,
                                 c.item, c.rater, c.label, c.p->category, c.p->confidence, c.p->why);
      std::cout << fmt::format("{} category label(s) silt contradicts with strong evidence: worth re-reading\n",
                               contra.size());
    }
  }
  if (bad_input) return exit_bad_input;  // the listing is out, but rows were left out of it
  return lc.mismatches.empty() && contra.empty() ? exit_ok : exit_findings;
}

}  // namespace silt::cli
