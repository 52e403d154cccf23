// `silt consensus` and `silt consistency`: the survey's figures, and one labeler's
// ratings against them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "options.h"
#include "silt/builtin.h"
#include "silt/html_report.h"
#include "silt/json_writer.h"
#include "silt/survey.h"

namespace silt::cli {
namespace {

std::string brief(const Summary& s) {
  if (s.n == 0) return "-";
  return fmt::format("{:g} [{:g}-{:g}] {:.2f}", s.median, s.q1, s.q3, s.mean);
}

std::string render_text(const Consensus& c, const std::string& source) {
  std::string out = fmt::format("Survey: {} respondents ({})\n\n", c.respondents, source);
  out += "Categories: median [Q1-Q3] mean of 1-5 answers (5: hardest to diagnose, most severe, hardest to fix),\n";
  out += "and (n) how many answered\n";
  auto cell = [](const Summary& s) { return s.n ? fmt::format("{} ({})", brief(s), s.n) : std::string("-"); };
  auto met = [](const CategoryConsensus& cat) {
    const std::size_t n = cat.met_yes + cat.met_no;
    return n ? fmt::format("{:.0f}% ({})", 100.0 * static_cast<double>(cat.met_yes) / static_cast<double>(n), n)
             : std::string("-");
  };
  // Columns as wide as their widest cell, two spaces apart.
  std::size_t wm = std::string("met one").size(), wd = std::string("diagnosing").size(),
              ws = std::string("severity").size();
  for (const auto& cat : c.categories) {
    wm = std::max(wm, met(cat).size());
    wd = std::max(wd, cell(cat.diagnosing).size());
    ws = std::max(ws, cell(cat.severity).size());
  }
  out += fmt::format("  {:<25}{:<{}}{:<{}}{:<{}}{}\n", "", "met one", wm + 2, "diagnosing", wd + 2, "severity", ws + 2,
                     "fixing");
  for (const auto& cat : c.categories)
    out += fmt::format("  {:<25}{:<{}}{:<{}}{:<{}}{}\n", cat.category, met(cat), wm + 2, cell(cat.diagnosing), wd + 2,
                       cell(cat.severity), ws + 2, cell(cat.fixing));
  out += "\nLevels: agreement with the level's definition and example (1 strongly disagree - 5 strongly agree)\n";
  out +=
      fmt::format("  {:<8}{:>6}{:>10}  {:<22}{}\n", "level", "n", "agree 4-5", "median [Q1-Q3] mean", "answers 1..5");
  auto line = [&](const std::string& name, const Summary& s) {
    out += fmt::format("  {:<8}{:>6}{:>9.0f}%  {:<22}{}\n", name, s.n, 100 * s.share_high, brief(s),
                       fmt::join(s.counts, " "));
  };
  for (const auto& l : c.levels) line(std::to_string(l.level), l.agreement);
  if (c.scale) {
    out += "\nThe scale as a whole (1-5)\n";
    line("scale", *c.scale);
  }
  if (!c.problematic.empty()) {
    std::size_t total = 0;
    for (const auto& [a, n] : c.problematic) total += n;
    out += "\nSilent bugs, compared with bugs that crash or hang\n";
    for (const auto& [a, n] : c.problematic)
      out +=
          fmt::format("  {:<24}{:>5} ({:.0f}%)\n", a, n, 100.0 * static_cast<double>(n) / static_cast<double>(total));
  }
  return out;
}

}  // namespace

int cmd_consensus(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("RESPONSES.csv"),
                    "the survey's Google Forms export")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
      "text, json, or yaml (a consensus file)");
  const HelpText help{
      "silt consensus RESPONSES.csv [--format text|json|yaml]",
      "Reads the survey's Google Forms CSV export and summarises it: for each category, Diagnosing, Severity and "
      "Fixing (median, quartiles, mean) and the share who met such a bug; for each impact level, the agreement "
      "with it; the scale as a whole; how problematic silent bugs are. Columns are found by their question "
      "text.",
      {},
      {{"0", "summarised"},
       {"2", "usage or configuration error"},
       {"3", "the file is no survey export, or answers were left out (named on stderr)"}},
      {"silt consensus responses.csv", "silt consensus responses.csv --format yaml > consensus.yaml"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_none, true);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one survey export"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json", "yaml"});
  auto config = require_config(vm, false);
  if (!config) return exit_usage;
  const std::string path = vm["input"].as<std::vector<std::string>>()[0];
  auto c = read_survey(path, *config->taxonomy);
  if (!c.ok()) {
    spdlog::error("{}", c.error().message);
    return exit_bad_input;
  }
  for (const auto& p : c.value().problems) spdlog::warn("{}", p);
  if (format == "yaml")
    std::cout << to_yaml(c.value());
  else if (format == "json")
    std::cout << to_json(c.value());
  else
    std::cout << render_text(c.value(), path);
  return c.value().problems.empty() ? exit_ok : exit_bad_input;
}

std::optional<Consensus> load_consensus(const std::string& path) {
  std::string text, name;
  if (path.empty()) {
    auto b = builtin_consensus();
    text = std::string(b.text);
    name = std::string(b.name);
  } else {
    auto t = read_whole(path);
    if (!t) return std::nullopt;
    text = std::move(*t);
    name = path;
  }
  auto c = consensus_from_yaml(text, name);
  if (!c.ok()) {
    spdlog::error("{}", c.error().message);
    return std::nullopt;
  }
  return c.value();
}

int cmd_report(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("INPUT"),
                    "batch output (JSON Lines or CSV), eval or agree JSON, a labels CSV")(
      "output,o", po::value<std::string>()->value_name("report.html"), "the HTML file to write (required)");
  const HelpText help{
      "silt report INPUT... -o report.html",
      "Writes one self-contained HTML page (inline SVG charts and CSS, no script, nothing loaded from elsewhere) "
      "from silt batch output, JSON Lines or CSV (category and level distributions, a confidence histogram, the "
      "items needing review, every issue linked to its address), eval --format json (figures, per-category "
      "P/R/F1, confusion heat maps, a calibration chart), agree --format json (each field's statistics with "
      "their intervals) and labels CSV (item,rater,...: what each labeler gave, their agreement). Every figure "
      "with its n. Inputs are told apart by content. Batch JSON Lines in a file are read a line at a time, so an "
      "output of any size fits in memory; the lists show the first 5000 issues and say so.",
      {},
      {{"0", "written"},
       {"2", "usage or configuration error"},
       {"3",
        "an input could not be read or is of no known kind (no page), or lines of one were left out (named on "
        "stderr; the page is written without them)"},
       {"4", "the page could not be written"}},
      {"silt report labels.jsonl eval.json agree.json -o report.html"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_none);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input")) throw UsageError{"name batch, eval or agree outputs, or labels CSV"};
  if (!vm.count("output")) throw UsageError{"-o report.html is required"};
  auto config = require_config(vm, false);
  if (!config) return exit_usage;
  std::vector<std::string> skipped;  // bad lines of batch output among good ones: named, left out
  auto html = render_html_report_files(vm["input"].as<std::vector<std::string>>(), *config->taxonomy, &skipped);
  if (!html.ok()) {
    spdlog::error("{}", printable(html.error().message));
    return exit_bad_input;
  }
  for (const auto& w : skipped) spdlog::warn("{}", w);
  const int written = write_whole(opt(vm, "output"), html.value(), vm["input"].as<std::vector<std::string>>());
  return written == exit_ok && !skipped.empty() ? exit_bad_input : written;
}

int cmd_consistency(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("RATINGS.csv"), "your ratings")(
      "consensus", po::value<std::string>()->value_name("FILE"), "a consensus file (default: the study's survey)")(
      "format,f", po::value<std::string>()->default_value("text")->value_name("FORMAT"), "text or json");
  const HelpText help{
      "silt consistency RATINGS.csv [--consensus FILE] [--format text|json]",
      "Compares one labeler's own 1-5 ratings with the survey's consensus: each rating outside the consensus "
      "quartiles, and the mean distance to the median. RATINGS.csv is category,diagnosing,severity,fixing or "
      "level,agreement.",
      {},
      {{"0", "compared"},
       {"2", "usage or configuration error"},
       {"3", "the file could not be read, or ratings were left out (named on stderr)"}},
      {"silt consistency my-ratings.csv", "silt consistency my-ratings.csv --consensus consensus.yaml"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_none, true);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input") || vm["input"].as<std::vector<std::string>>().size() != 1)
    throw UsageError{"name one ratings file"};
  const std::string format = opt(vm, "format", "text");
  check_format(format, {"text", "json"});
  auto config = require_config(vm, false);
  if (!config) return exit_usage;
  auto cons = load_consensus(opt(vm, "consensus"));
  if (!cons) return exit_usage;
  const std::string path = vm["input"].as<std::vector<std::string>>()[0];
  auto rep = consistency(path, *cons, *config->taxonomy);
  if (!rep.ok()) {
    spdlog::error("{}", rep.error().message);
    return exit_bad_input;
  }
  for (const auto& p : rep.value().problems) spdlog::warn("{}", p);
  const auto& r = rep.value();
  if (format == "json") {
    JsonWriter j;
    j.begin_object();
    j.key("ratings");
    j.begin_array();
    for (const auto& x : r.ratings) {
      j.begin_object();
      j.field("what", x.what);
      j.field("line", x.line);
      j.field("rating", x.rating);
      j.field("median", x.median);
      j.field("q1", x.q1);
      j.field("q3", x.q3);
      j.field("outside", x.outside);
      j.end_object();
    }
    j.end_array();
    j.field("outside", r.outside);
    j.key("mean_distance_to_median");
    if (r.ratings.empty())
      j.null();  // nothing compared
    else
      j.number(r.mean_distance);
    j.end_object();
    std::cout << j.take();
  } else {
    for (const auto& x : r.ratings)
      if (x.outside)
        std::cout << fmt::format("{}:{}: {}: you gave {}, the survey's middle half gave {:g}-{:g} (median {:g})\n",
                                 path, x.line, x.what, x.rating, x.q1, x.q3, x.median);
    std::cout << fmt::format(
        "{} of {} rating(s) outside the consensus quartiles; mean distance to the median {}\n", r.outside,
        r.ratings.size(),
        r.ratings.empty() ? std::string("undefined (none compared)") : fmt::format("{:.2f}", r.mean_distance));
  }
  return r.problems.empty() ? exit_ok : exit_bad_input;
}

}  // namespace silt::cli
