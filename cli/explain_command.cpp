// `silt explain`: the issue as silt read it, every rule that fired and every match an
// `unless` suppressed, with the scores: for rule authors.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <iostream>

#include "cli.h"
#include "options.h"
#include "silt/report.h"
#include "silt/utf8.h"

namespace silt::cli {
namespace {

// `text` with the byte ranges marked: bold on a terminal, else between « and ».
std::string mark(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> spans, bool color) {
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t at = 0;
  for (auto [s, e] : spans) {
    if (s < at || e > text.size()) continue;  // overlapping: the first one is marked
    out += printable(text.substr(at, s - at), true);
    out += color ? "\033[1;33m" : "\u00ab";
    out += printable(text.substr(s, e - s), true);
    out += color ? "\033[0m" : "\u00bb";
    at = e;
  }
  out += printable(text.substr(at), true);
  return out;
}

// A field's first `max_lines` lines (every line with --full, max_lines = -1), each cut
// after max_line_bytes unless --full.
constexpr std::size_t max_line_bytes = 2000;

std::string indent(const std::string& text, std::size_t max_lines) {
  std::string out;
  std::size_t lines = 0, pos = 0;
  while (pos < text.size() && lines < max_lines) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::size_t len = nl - pos;
    const bool full = max_lines == static_cast<std::size_t>(-1);
    if (!full && len > max_line_bytes)  // a line of logs or a pasted blob: its start, between characters
      len = utf8_cut(std::string_view(text).substr(pos, nl - pos), max_line_bytes);
    out += "    " + text.substr(pos, len);
    if (len < nl - pos) out += fmt::format(" ... ({} more bytes on this line; --full shows them)", nl - pos - len);
    out += "\n";
    pos = nl + 1;
    ++lines;
  }
  if (pos < text.size()) {
    std::size_t rest =
        static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(pos), text.end(), '\n'));
    out += fmt::format("    ... {} more line(s) (--full shows them)\n", rest + 1);
  }
  return out;
}

// The issue `id` names among `issues`: @N, the N-th; else the issues with that id (or, an
// issue with no id of its own, that source), with, for a bare number N, those whose id
// ends with "#N" too, and, for #N, those when no id is #N. More than one is an error that
// names each with its place, so that @N can pick it.
const Issue& pick_issue(const std::vector<Issue>& issues, const std::string& id) {
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (id.size() > 1 && id[0] == '@' && digits(std::string_view(id).substr(1))) {
    std::size_t n = 0;  // past size_t's range: no such place either
    const auto [end, error] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
    if (error == std::errc() && n >= 1 && n <= issues.size()) return issues[n - 1];
    throw UsageError{"--id " + id + ": the input holds " + std::to_string(issues.size()) + " issue(s)"};
  }
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < issues.size(); ++i)
    if (issues[i].id == id) found.push_back(i);
  const bool bare = digits(id), hashed = id.size() > 1 && id[0] == '#' && digits(std::string_view(id).substr(1));
  if (bare || (hashed && found.empty())) {
    const std::string number = bare ? id : id.substr(1);
    for (std::size_t i = 0; i < issues.size(); ++i) {
      const std::string& other = issues[i].id;
      const std::size_t hash = other.rfind('#');
      if (hash != std::string::npos && other.compare(hash + 1, std::string::npos, number) == 0 &&
          std::find(found.begin(), found.end(), i) == found.end())
        found.push_back(i);
    }
    std::sort(found.begin(), found.end());
  }
  if (found.size() == 1) return issues[found[0]];
  if (found.empty())
    throw UsageError{"--id " + printable(id) + ": no issue of the " + std::to_string(issues.size()) +
                     " in the input has that id (the first is " + printable(issues.empty() ? "" : issues[0].id) +
                     "; @N picks the N-th)"};
  std::string which;
  for (std::size_t k = 0; k < found.size() && k < 3; ++k)
    which += (k ? ", " : "") + printable(issues[found[k]].id) + " @" + std::to_string(found[k] + 1);
  throw UsageError{"--id " + printable(id) + ": " + std::to_string(found.size()) + " issues match it (" + which +
                   (found.size() > 3 ? ", ..." : "") + "): pick one with --id @N, N its place in the input"};
}

}  // namespace

int cmd_explain(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"), "an issue; - for stdin")(
      "title", po::value<std::string>()->value_name("T"), "an inline issue's title")(
      "text", po::value<std::string>()->value_name("S"), "an inline issue's body")(
      "id", po::value<std::string>()->value_name("ID"),
      "in an input of several issues, the one to explain: its id as silt prints it (owner/repo#123, or a "
      "source such as file.json[4]), its number (123, #123) when only one has it, or @N, the N-th issue read "
      "(a broken record is no issue: it is not counted)")("full", po::bool_switch(), "show every line of every field")(
      "max-record", po::value<std::string>()->default_value("64M")->value_name("SIZE"),
      "refuse an input file bigger than this: 64M, 1G, 500K, bytes")(
      "input-format", po::value<std::string>()->default_value("auto")->value_name("FORMAT"),
      "auto (by content and name), json, or markdown (any text: the first line is the title)");
  const HelpText help{
      "silt explain [OPTIONS] [FILE|-]\n       silt explain [OPTIONS] --title T [--text S]",
      "Shows how silt read an issue, for rule authors: each field the rules see (prose by template section, "
      "code, output, and what was dropped as boilerplate) with the matched text marked; every rule that fired, "
      "with its weight; every match an `unless` suppressed, with the sentence that did it; the scores and the "
      "result.",
      {},
      {{"0", "explained"},
       {"2", "usage or configuration error; an input of several issues and no --id, or an --id none has"},
       {"3",
        "the input could not be read; or a record of it could not (named on stderr) and the issue asked for, "
        "read from the others, was explained"}},
      {"silt explain examples/04-wrong-save-reload.md", "silt explain --full --pack pytorch issue.json",
       "silt explain issues.jsonl --id tensorflow/tensorflow#27275",
       "silt explain --title 'Wrong shape after reshape' --text 'The output has 3 dimensions instead of 4.'"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_answers, true);
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  const Answers answers = collect_answers(vm, *config->taxonomy, criteria.ids);
  const bool color = use_color(opt(vm, "color", "auto"));
  const std::size_t max_lines = vm["full"].as<bool>() ? static_cast<std::size_t>(-1) : 12;

  Classifier classifier = make_classifier(*config);
  Issue issue;
  bool left_out = false;  // a record that could not be read: named, the issue asked for explained
  if (vm.count("title") || vm.count("text")) {
    if (vm.count("input")) throw UsageError{"explain reads one issue: --title/--text or a file, not both"};
    if (vm.count("id")) throw UsageError{"--id picks an issue of a file: it does not go with --title/--text"};
    issue = inline_issue(vm);
  } else {
    std::vector<std::string> inputs;
    if (vm.count("input")) inputs = vm["input"].as<std::vector<std::string>>();
    if (inputs.empty() && isatty(STDIN_FILENO))
      throw UsageError{"no input: name a file, '-' for stdin, or use --title/--text"};
    if (inputs.size() > 1) throw UsageError{"explain reads one issue"};
    // As classify reads it: a broken record is named and the others are read.
    auto issues =
        read_issue_file(inputs.empty() ? "-" : inputs[0], parse_size(opt(vm, "max-record", "64M"), "--max-record"),
                        &left_out, issue_format_option(vm), &classifier);
    if (!issues) return exit_bad_input;
    if (issues->empty())  // every record was broken: each is named above
      return exit_bad_input;
    if (vm.count("id")) {
      try {
        issue = pick_issue(*issues, opt(vm, "id"));
      } catch (const UsageError& e) {
        if (!left_out) throw;
        // The issue asked for may be in the record that could not be read.
        spdlog::error("{}; a record of the input could not be read (named above): it may be that one", e.message);
        return exit_bad_input;
      }
    } else if (issues->size() != 1)
      throw UsageError{"explain reads one issue; this input holds " + std::to_string(issues->size()) +
                       ": name one with --id (" + printable((*issues)[0].id) + ", say)"};
    else
      issue = (*issues)[0];
  }

  const RuleSet& rules = classifier.rules_for(issue.view());
  ReportFields report = classifier.read_report(issue.view());
  IssueView v = with_report(issue.view(), report);
  Classification c = classifier.classify(v, answers);
  auto suppressed = rules.suppressed(v);

  std::string out = fmt::format("{}: {}\n\nHow silt read it (the fields the rules see; matches marked)\n",
                                printable(c.id), printable(c.title));
  for (const auto& field : issue_fields()) {
    std::string_view text = v.field(field);
    if (text.empty() || field == "body" || field == "prose") continue;  // body and prose: the sum of the others
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& e : c.evidence)
      if (e.field == field) spans.emplace_back(e.start, e.end);
    out += fmt::format("  {} ({} bytes)\n", field, text.size());
    out += indent(mark(text, spans, color), max_lines);
  }
  if (report.unread_bytes > 0)
    out += fmt::format("  not read: the body's last {} bytes, past the {} MiB read as Markdown (logs, in practice)\n",
                       report.unread_bytes, max_report_bytes >> 20);
  if (!report.dropped.empty()) {
    out += fmt::format("  dropped: template, system information, HTML ({} bytes)\n", report.dropped.size());
    out += indent(printable(report.dropped, true), vm["full"].as<bool>() ? max_lines : 4);
  }

  out += "\nRules that fired (weight x field weight = evidence)\n";
  for (const auto& e : c.evidence) {
    const Rule* r = nullptr;
    for (const auto& rule : rules.rules())
      if (rule.id == e.rule) r = &rule;
    out += fmt::format("  {:<26} {:<34} {}[{}:{}] \"{}\"  {:g} x {:g} = {:g}\n", e.rule,
                       std::string(to_string(e.kind)) + ":" + e.target, e.field, e.start, e.end,
                       printable(e.text.size() > 50 ? e.text.substr(0, 47) + "..." : e.text), r ? r->weight : 0,
                       rules.field_weight(e.field), e.weight);
  }
  if (c.evidence.empty()) out += "  (none)\n";
  out += "\nMatches suppressed by `unless` (the sentence also matched it)\n";
  for (const auto& h : suppressed) {
    const Rule& r = rules.rules()[h.rule];
    std::string_view text = v.field(h.field);
    out +=
        fmt::format("  {:<26} {}[{}:{}] \"{}\" in: \"{}\"\n", r.id, h.field, h.start, h.end,
                    printable(text.substr(h.start, h.end - h.start)), printable(sentence_around(text, h.start, h.end)));
  }
  if (suppressed.empty()) out += "  (none)\n";
  const ScoreModel& model = rules.model();
  const Taxonomy& tax = *config->taxonomy;
  out += fmt::format("\nCategories: bias + {:g} x score = logit -> probability\n", model.category_scale);
  for (std::size_t i = 0; i < c.scores.size(); ++i)
    out += fmt::format("  {:<26} {:+6.2f} + {:g} x {:<6g} -> {:.3f}\n", c.scores[i].first, model.category_bias[i],
                       model.category_scale, c.scores[i].second, c.probabilities[i].second);
  const std::size_t top = *tax.category_index(c.category);
  out += fmt::format("Criteria: prior for {} + {:g} x evidence -> probability it holds\n", c.category,
                     model.criteria_scale);
  for (std::size_t k = 0; k < c.criteria.size(); ++k)
    out += fmt::format("  {:<26} {:+6.2f} + {:g} x {:<6g} -> {}\n", c.criteria[k].id, model.criteria_prior[top][k],
                       model.criteria_scale, c.criteria[k].score,
                       c.criteria[k].source == AnswerSource::given ? std::string("given")
                                                                   : fmt::format("{:.3f}", c.criteria[k].probability));
  out += "\n";
  std::cout << out << render_text(c, *config->taxonomy, color);
  return left_out ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
