// `silt triage`: label issues by hand, one at a time, with silt's reading as defaults.
#include <editline/readline.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli.h"
#include "options.h"
#include "silt/agreement.h"
#include "silt/batch.h"
#include "silt/files.h"

namespace silt::cli {
namespace {

using json = nlohmann::ordered_json;

// Where answers come from: the terminal (libedit, editable, with history) or a file.
class Prompter {
 public:
  explicit Prompter(const std::string& answers_file) {
    if (!answers_file.empty()) file_.open(answers_file);
    scripted_ = !answers_file.empty();
  }
  bool ok() const { return !scripted_ || file_.good(); }

  // The next answer, trimmed; nullopt at the end of input (Ctrl-D, end of file).
  std::optional<std::string> ask(const std::string& prompt) {
    std::string line;
    if (scripted_) {
      std::cout << prompt << std::flush;
      if (!std::getline(file_, line)) return std::nullopt;
      std::cout << line << "\n";
    } else {
      char* got = readline(prompt.c_str());
      if (!got) return std::nullopt;
      line = got;
      std::free(got);
      if (!line.empty()) add_history(line.c_str());
    }
    line.erase(0, line.find_first_not_of(" \t\r"));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    return line;
  }

 private:
  bool scripted_ = false;
  std::ifstream file_;
};

constexpr const char* help_text =
    "  Enter accepts the default (silt's reading); y or n answers a question; a number picks\n"
    "  a category; s skips this issue; b goes back one question; q quits (what is labeled is\n"
    "  saved); ? shows this.\n";

// Ids as label files hold them: without surrounding spaces (read_labels trims them).
std::string detail_trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  return s;
}

bool ends_with_newline(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || in.tellg() <= 0) return true;
  in.seekg(-1, std::ios::end);
  return in.get() == '\n';
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

int cmd_triage(const std::vector<std::string>& args) {
  po::options_description own("Triage options");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"), "issues (any batch input)")(
      "output,o", po::value<std::string>()->value_name("LABELS.csv"), "labels, appended to as you go")(
      "rater", po::value<std::string>()->value_name("NAME"), "your name in the labels file")(
      "answers", po::value<std::string>()->value_name("FILE"), "the answers, a line each, instead of a terminal");
  InputCommand cmd =
      parse_input_command(args, own,
                          "Usage: silt triage ISSUES... -o LABELS.csv --rater NAME\n\n"
                          "Walks through the issues one at a time: silt's category, its reading of each criterion\n"
                          "and the evidence; asks the matrix's questions (silt's reading is the default), shows\n"
                          "the level that follows, asks the category and a note. Each issue is appended to\n"
                          "LABELS.csv as soon as it is labeled (item,rater,category,impact,<criteria>,silent,\n"
                          "note,labeled_at); rerun to resume after the last item you labeled.");
  if (cmd.help) return exit_ok;
  // Named, not structured bindings: lambdas below capture them (clang 14 cannot capture
  // a structured binding).
  const po::variables_map& vm = cmd.vm;
  const CriteriaFlags& criteria = cmd.criteria;
  if (!vm.count("input")) throw UsageError{"name the issues to label"};
  if (!vm.count("output")) throw UsageError{"-o LABELS.csv is required"};
  if (!vm.count("rater")) throw UsageError{"--rater NAME is required"};
  const std::string answers = opt(vm, "answers");
  if (answers.empty() && !isatty(STDIN_FILENO))
    throw UsageError{
        "triage asks its questions at a terminal, and stdin is not one; script the answers with --answers FILE"};
  auto config = require_config(vm, true, &criteria.probe);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  const std::string out_path = opt(vm, "output"), rater = opt(vm, "rater");

  // silt's reading of every issue.
  BatchOptions b;
  b.inputs = vm["input"].as<std::vector<std::string>>();
  MemorySink sink;
  Classifier classifier(config->taxonomy, config->rules);
  run_batch(classifier, b, sink);
  std::vector<json> items;
  for (std::size_t pos = 0; pos < sink.out.size();) {
    std::size_t nl = sink.out.find('\n', pos);
    items.push_back(json::parse(sink.out.substr(pos, nl - pos)));
    pos = nl + 1;
  }

  // What this rater labeled already.
  std::set<std::string> done;
  std::error_code ec;
  const bool fresh = !std::filesystem::exists(out_path, ec) || std::filesystem::file_size(out_path, ec) == 0;
  if (!fresh) {
    auto labels = read_labels(out_path);
    if (!labels.ok()) {
      spdlog::error("{}", labels.error().message);
      return exit_bad_input;
    }
    const auto& t = labels.value().table;
    for (std::size_t i = 0; i < t.items.size(); ++i)
      for (std::size_t a = 0; a < t.raters.size(); ++a)
        if (t.raters[a] == rater && t.lines[i][a] != 0) done.insert(t.items[i]);
  }
  for (const auto& in : b.inputs)
    if (same_file(in, out_path)) {
      spdlog::error("{}: the labels file is also an input; appending to it would change what is being read",
                    printable(out_path));
      return exit_usage;
    }
  std::FILE* out = std::fopen(out_path.c_str(), "ab");
  if (!out) {
    spdlog::error("{}: cannot write: {}", printable(out_path), std::strerror(errno));
    return exit_write;
  }
  // A file whose last line has no newline (edited by hand) gets one first, so the next
  // row is not glued to it.
  if (!fresh && !ends_with_newline(out_path) && (std::fputc('\n', out) == EOF || std::fflush(out) != 0)) {
    spdlog::error("{}: write failed: {}", printable(out_path), std::strerror(errno));
    std::fclose(out);
    return exit_write;
  }
  if (fresh) {
    std::string head = "item,rater,category,impact";
    for (const auto& c : tax.criteria) head += "," + csv_field(c.id);
    if (std::fputs((head + ",silent,note,labeled_at\n").c_str(), out) < 0 || std::fflush(out) != 0) {
      spdlog::error("{}: write failed: {}", printable(out_path), std::strerror(errno));
      std::fclose(out);
      return exit_write;
    }
  }

  Prompter prompter(answers);
  if (!prompter.ok()) {
    spdlog::error("{}: cannot read the answers", answers);
    return exit_usage;
  }
  const bool color = use_color(opt(vm, "color", "auto"));
  auto bold = [&](const std::string& s) { return color ? "\033[1m" + s + "\033[0m" : s; };
  std::size_t labeled = 0, total_left = 0;
  for (const auto& it : items) total_left += !done.count(detail_trim(it["id"].get<std::string>()));
  std::cout << fmt::format("{} issue(s) to label ({} labeled by {} already in {}). ? for help.\n", total_left,
                           done.size(), rater, out_path);

  for (std::size_t k = 0; k < items.size(); ++k) {
    const json& it = items[k];
    const std::string id = it["id"].get<std::string>();
    if (done.count(detail_trim(id))) continue;
    std::cout << "\n"
              << bold(fmt::format("[{}/{}] {}: {}", k + 1, items.size(), printable(id),
                                  printable(it["title"].get<std::string>())))
              << "\n";
    std::cout << fmt::format("  silt: {} (confidence {:.2f}){}\n", it["category"].get<std::string>(),
                             it["confidence"].get<double>(), it["needs_review"].get<bool>() ? ", needs review" : "");
    std::vector<std::string> reading;
    for (const auto& c : tax.criteria) {
      const json& r = it["impact"]["criteria"][c.id];
      reading.push_back(c.id + "=" + (r["value"].get<bool>() ? "yes" : "no") + " (" + r["source"].get<std::string>() +
                        ")");
    }
    std::cout << fmt::format("  silt reads: {}; level {}\n", fmt::join(reading, ", "),
                             it["impact"]["level"].is_null() ? std::string("none") : it["impact"]["level"].dump());
    for (const auto& e : it["evidence"])
      std::cout << fmt::format("    {} {} \"{}\"\n", e["field"].get<std::string>(), e["target"].get<std::string>(),
                               bold(printable(e["text"].get<std::string>())));
    // The answers: one step a criterion, then the category, then the note.
    std::vector<bool> holds;
    for (const auto& c : tax.criteria) holds.push_back(it["impact"]["criteria"][c.id]["value"].get<bool>());
    std::size_t category = *tax.category_index(it["category"].get<std::string>());
    std::string note;
    const std::size_t n = tax.criteria.size();
    std::size_t step = 0;
    bool skip = false, quit = false;
    while (step <= n + 1 && !skip && !quit) {
      std::string prompt;
      if (step < n) {
        const auto& crit = tax.criteria[step];
        prompt = fmt::format("  {} ({}) [{}] ", crit.question, crit.id, holds[step] ? "Y/n" : "y/N");
      } else if (step == n) {
        auto level = tax.decide(holds);
        std::cout << "  level: "
                  << (level ? fmt::format("{} ({} threat)", tax.levels[*level].number, tax.levels[*level].threat)
                            : std::string("none (no criterion holds)"))
                  << "\n";
        for (std::size_t c = 0; c < tax.categories.size(); ++c)
          std::cout << fmt::format("   {} {}{}\n", c + 1, tax.categories[c].id, c == category ? "  <- silt" : "");
        prompt = fmt::format("  category [Enter: {}] ", tax.categories[category].id);
      } else {
        prompt = "  note (optional) ";
      }
      auto a = prompter.ask(prompt);
      if (!a) {
        quit = true;
        break;
      }
      const std::string& s = *a;
      if (s == "?") {
        std::cout << help_text;
      } else if (s == "q") {
        quit = true;
      } else if (s == "s") {
        skip = true;
      } else if (s == "b") {
        if (step == 0)
          std::cout << "  (this is the first question)\n";
        else
          --step;
      } else if (step < n) {
        if (s.empty())
          ++step;
        else if (s == "y" || s == "yes")
          holds[step++] = true;
        else if (s == "n" || s == "no")
          holds[step++] = false;
        else
          std::cout << "  y, n, or Enter for the default (? for help)\n";
      } else if (step == n) {
        if (s.empty())
          ++step;
        else {
          std::size_t pick = 0;
          try {
            pick = static_cast<std::size_t>(std::stoul(s));
          } catch (const std::exception&) {
          }
          if (pick >= 1 && pick <= tax.categories.size()) {
            category = pick - 1;
            ++step;
          } else {
            std::cout << fmt::format("  a number from 1 to {}, or Enter for silt's\n", tax.categories.size());
          }
        }
      } else {
        note = s;
        ++step;
      }
    }
    if (quit) break;
    if (skip) {
      std::cout << "  skipped\n";
      continue;
    }
    auto level = tax.decide(holds);
    std::string row = csv_field(detail_trim(id)) + "," + csv_field(rater) + "," +
                      csv_field(tax.categories[category].id) + "," +
                      (level ? std::to_string(tax.levels[*level].number) : std::string());
    for (bool h : holds) row += h ? ",yes" : ",no";
    const json& silent = it["silent"];
    row += "," + std::string(silent.is_null() ? "" : silent.get<bool>() ? "yes" : "no");
    row += "," + csv_field(note) + "," + now_utc() + "\n";
    // Written and flushed at once: a crash loses at most the issue on screen.
    if (std::fputs(row.c_str(), out) < 0 || std::fflush(out) != 0 || ::fsync(fileno(out)) != 0) {
      spdlog::error("{}: write failed: {}", printable(out_path), std::strerror(errno));
      std::fclose(out);
      return exit_write;
    }
    ++labeled;
    std::cout << "  saved\n";
  }
  if (std::fclose(out) != 0) {
    spdlog::error("{}: write failed: {}", printable(out_path), std::strerror(errno));
    return exit_write;
  }
  std::cout << fmt::format("\n{} issue(s) labeled in this session; {}\n", labeled, printable(out_path));
  return exit_ok;
}

}  // namespace silt::cli
