// `silt agree` and `silt check`: labelers against each other, the engine and the matrix.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <unordered_map>

#include "cli.h"
#include "options.h"
#include "silt/agreement.h"
#include "silt/batch.h"
#include "silt/eval.h"

namespace silt::cli {
namespace {

// silt's labels of the issues in `path`, by id; nullopt (reported) on failure.
std::optional<std::unordered_map<std::string, Prediction>> engine_labels(const Config& config,
                                                                         const std::string& path) {
  BatchOptions b;
  b.inputs = {path};
  MemorySink sink;
  Classifier classifier(config.taxonomy, config.rules);
  run_batch(classifier, b, sink);
  auto preds = read_predictions(sink.out, path);
  if (!preds.ok()) {
    spdlog::error("{}", preds.error().message);
    return std::nullopt;
  }
  std::unordered_map<std::string, Prediction> by_id;
  for (auto& p : preds.value()) by_id.emplace(p.id, std::move(p));
  return by_id;
}

std::string est(const stats::Estimate& e) {
  if (!e.value) return "undefined (" + e.undefined + ")";
  std::string s = fmt::format("{:.3f}", *e.value);
  if (e.lo && e.hi) s += fmt::format(" [{:.3f}, {:.3f}]", *e.lo, *e.hi);
  return s + fmt::format("  n={}", e.n);
}

nlohmann::ordered_json jest(const stats::Estimate& e) {
  nlohmann::ordered_json j = {{"value", e.value ? nlohmann::ordered_json(*e.value) : nlohmann::ordered_json(nullptr)},
                              {"n", e.n}};
  if (!e.value) j["undefined"] = e.undefined;
  if (e.lo && e.hi) j["interval"] = {*e.lo, *e.hi};
  if (e.se) j["se"] = *e.se;
  return j;
}

std::string render_text(const std::vector<FieldAgreement>& fields, const LabelTable& t) {
  std::string out;
  for (const auto& f : fields) {
    out += fmt::format("Field {} ({}, {} values; {} items rated by two raters or more; raters: {})\n", f.field,
                       f.ordinal ? "ordinal" : "nominal", f.domain.size(), f.items, fmt::join(t.raters, ", "));
    out += "  percent agreement    " + est(f.percent) + "\n";
    out += "  Fleiss' kappa        " + est(f.fleiss) + "\n";
    out += "  Conger's kappa       " + est(f.conger) + "\n";
    out += fmt::format("  Krippendorff alpha   {} ({})\n", est(f.alpha), f.ordinal ? "ordinal" : "nominal");
    out += fmt::format("  Gwet's {}          {}\n", f.ordinal ? "AC2" : "AC1", est(f.gwet));
    out += "  Cohen's kappa, each pair of raters\n";
    for (const auto& p : f.pairs) {
      out += fmt::format("    {:<24} {}\n", p.a + " / " + p.b, est(p.kappa));
      if (f.ordinal) out += fmt::format("    {:<24} {}\n", "  quadratic weights", est(p.kappa_quadratic));
    }
    out += "  each rater against the others' majority (agreement, kappa)\n";
    for (const auto& m : f.vs_majority)
      out += fmt::format("    {:<24} {}\n    {:<24} {}\n", m.rater, est(m.agreement), "", est(m.kappa));
    out += "  Fleiss' kappa of each value\n";
    for (std::size_t k = 0; k < f.domain.size(); ++k)
      if (f.fleiss_per_value[k].value)
        out += fmt::format("    {:<24} {:.3f}\n", f.domain[k], *f.fleiss_per_value[k].value);
    if (!f.most_disagreement.empty()) {
      out += "  most disagreement (share of agreeing pairs; each rater's value)\n";
      for (const auto& d : f.most_disagreement) {
        std::vector<std::string> vals;
        for (std::size_t a = 0; a < t.raters.size(); ++a)
          vals.push_back(t.raters[a] + "=" + (d.values[a].empty() ? "-" : d.values[a]));
        out += fmt::format("    {:<30} {:.2f}  {}\n", d.item, d.agreement, fmt::join(vals, " "));
      }
    }
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json render_json(const std::vector<FieldAgreement>& fields) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& f : fields) {
    nlohmann::ordered_json pairs = nlohmann::ordered_json::array(), vs = nlohmann::ordered_json::array(),
                           per = nlohmann::ordered_json::object(), most = nlohmann::ordered_json::array();
    for (const auto& p : f.pairs)
      pairs.push_back({{"a", p.a}, {"b", p.b}, {"kappa", jest(p.kappa)}, {"kappa_quadratic", jest(p.kappa_quadratic)}});
    for (const auto& m : f.vs_majority)
      vs.push_back({{"rater", m.rater}, {"agreement", jest(m.agreement)}, {"kappa", jest(m.kappa)}});
    for (std::size_t k = 0; k < f.domain.size(); ++k) per[f.domain[k]] = jest(f.fleiss_per_value[k]);
    for (const auto& d : f.most_disagreement)
      most.push_back({{"item", d.item}, {"agreement", d.agreement}, {"values", d.values}});
    all.push_back({{"field", f.field},
                   {"scale", f.ordinal ? "ordinal" : "nominal"},
                   {"domain", f.domain},
                   {"items", f.items},
                   {"percent_agreement", jest(f.percent)},
                   {"fleiss_kappa", jest(f.fleiss)},
                   {"fleiss_kappa_per_value", per},
                   {"conger_kappa", jest(f.conger)},
                   {"krippendorff_alpha", jest(f.alpha)},
                   {f.ordinal ? "gwet_ac2" : "gwet_ac1", jest(f.gwet)},
                   {"cohen_kappa_pairs", pairs},
                   {"against_majority", vs},
                   {"most_disagreement", most}});
  }
  return all;
}

}  // namespace

int cmd_agree(const std::vector<std::string>& args) {
  po::options_description own("Agree options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("LABELS.csv"), "the labels")(
      "wide", po::bool_switch(), "item,<rater1>,<rater2>... for one field (--field)")(
      "field", po::value<std::string>()->default_value("category"), "the field of a --wide file")(
      "nominal", po::bool_switch(), "treat impact and numeric fields as nominal, not ordinal")(
      "engine", po::bool_switch(), "add silt as a rater, classifying the items of --issues")(
      "issues", po::value<std::string>()->value_name("FILE"), "the issues the labels are about (any batch input)")(
      "format,f", po::value<std::string>()->default_value("text"), "text or json")(
      "bootstrap", po::value<std::size_t>()->default_value(1000), "bootstrap resamples for the intervals (0: none)")(
      "seed", po::value<std::uint64_t>()->default_value(1), "seed of the bootstrap")(
      "top", po::value<std::size_t>()->default_value(10), "items listed with the most disagreement");
  InputCommand cmd =
      parse_input_command(args, own,
                          "Usage: silt agree LABELS.csv [--wide [--field F]] [--engine --issues FILE]\n\n"
                          "How far labelers agree, field by field (category, impact, each criterion): percent\n"
                          "agreement, Fleiss', Conger's and each pair's Cohen's kappa, Krippendorff's alpha,\n"
                          "Gwet's AC1/AC2, with 95% bootstrap intervals; each rater against the others'\n"
                          "majority; the items with the most disagreement. Long form: item,rater,<field>...");
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one labels file"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  const bool engine = vm["engine"].as<bool>();
  if (engine && !vm.count("issues")) throw UsageError{"--engine needs --issues FILE: the issues to classify"};

  auto config = require_config(vm, engine, &criteria.probe);
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
  LabelTable& t = labels.value().table;
  if (engine) {
    auto preds = engine_labels(*config, opt(vm, "issues"));
    if (!preds) return exit_bad_input;
    const std::size_t silt = t.add_rater("silt");
    std::size_t found = 0;
    for (std::size_t i = 0; i < t.items.size(); ++i) {
      auto it = preds->find(t.items[i]);
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
  ao.bootstrap = vm["bootstrap"].as<std::size_t>();
  ao.seed = vm["seed"].as<std::uint64_t>();
  ao.top = vm["top"].as<std::size_t>();
  auto fields = agreement(t, tax, ao);
  for (const auto& f : fields)
    for (const auto& p : f.problems) {
      spdlog::warn("{}", p);
      bad = true;
    }
  if (format == "json")
    std::cout << render_json(fields).dump(2) << "\n";
  else
    std::cout << render_text(fields, t);
  return bad ? exit_bad_input : exit_ok;
}

int cmd_check(const std::vector<std::string>& args) {
  po::options_description own("Check options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("LABELS.csv"), "the labels")(
      "issues", po::value<std::string>()->value_name("FILE"), "also list rows whose category silt contradicts")(
      "min-confidence", po::value<double>()->default_value(0.8), "how sure silt must be to contradict a label")(
      "format,f", po::value<std::string>()->default_value("text"), "text or json");
  InputCommand cmd =
      parse_input_command(args, own,
                          "Usage: silt check LABELS.csv [--issues FILE]\n\n"
                          "Lists every row whose impact level does not follow from the labeler's own criteria\n"
                          "answers under the loaded matrix, with the level it should have been; with --issues,\n"
                          "also every row whose category silt contradicts with strong evidence: a list to\n"
                          "re-read, not a verdict. Exit 0 when there is nothing to list, 1 otherwise.");
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one labels file"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  const bool with_engine = vm.count("issues") > 0;
  auto config = require_config(vm, with_engine, &criteria.probe);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  const std::string path = vm["input"].as<std::vector<std::string>>()[0];
  auto labels = read_labels(path);
  if (!labels.ok()) {
    spdlog::error("{}", labels.error().message);
    return exit_bad_input;
  }
  for (const auto& p : labels.value().problems) spdlog::warn("{}", p);
  const LabelTable& t = labels.value().table;
  LevelCheck lc = check_levels(t, tax);

  struct Contradiction {
    std::string item, rater, label;
    int line;
    const Prediction* p;
  };
  std::vector<Contradiction> contra;
  std::optional<std::unordered_map<std::string, Prediction>> preds;
  if (with_engine) {
    preds = engine_labels(*config, opt(vm, "issues"));
    if (!preds) return exit_bad_input;
    const double min_conf = vm["min-confidence"].as<double>();
    if (auto cf = t.field_index("category"))
      for (std::size_t i = 0; i < t.items.size(); ++i) {
        auto it = preds->find(t.items[i]);
        if (it == preds->end()) continue;
        const Prediction& p = it->second;
        if (p.needs_review || p.confidence < min_conf) continue;
        for (std::size_t a = 0; a < t.raters.size(); ++a) {
          const std::string& label = t.values[*cf][i][a];
          if (!label.empty() && label != p.category)
            contra.push_back({t.items[i], t.raters[a], label, t.lines[i][a], &p});
        }
      }
  }

  if (format == "json") {
    nlohmann::ordered_json mm = nlohmann::ordered_json::array(), cc = nlohmann::ordered_json::array();
    for (const auto& m : lc.mismatches) {
      nlohmann::ordered_json answers = nlohmann::ordered_json::object();
      for (const auto& [id, v] : m.answers) answers[id] = v;
      mm.push_back({{"item", m.item},
                    {"rater", m.rater},
                    {"line", m.line},
                    {"given", m.given},
                    {"expected", m.expected ? nlohmann::ordered_json(*m.expected) : nlohmann::ordered_json(nullptr)},
                    {"answers", answers}});
    }
    for (const auto& c : contra)
      cc.push_back({{"item", c.item},
                    {"rater", c.rater},
                    {"line", c.line},
                    {"label", c.label},
                    {"silt", c.p->category},
                    {"confidence", c.p->confidence},
                    {"why", c.p->why}});
    nlohmann::ordered_json j = {{"rows_checked", lc.checked},
                                {"rows_without_all_answers", lc.unanswered},
                                {"level_mismatches", mm},
                                {"category_contradictions", cc}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}: {} row(s) with every criterion answered, {} without (not checkable)\n", path,
                             lc.checked, lc.unanswered);
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
  return lc.mismatches.empty() && contra.empty() ? exit_ok : exit_findings;
}

}  // namespace silt::cli
