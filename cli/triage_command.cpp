// `silt triage`: label issues by hand, one at a time, reading each report as silt reads
// it; blind to silt's answers unless asked for them.
#include <editline/readline.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

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

// Where answers come from: the terminal (libedit, editable, with history) or a file.
class Prompter {
 public:
  explicit Prompter(const std::string& answers_file) {
    if (!answers_file.empty()) file_.open(answers_file);
    scripted_ = !answers_file.empty();
  }
  bool ok() const { return !scripted_ || file_.good(); }
  std::size_t answers() const { return answers_; }  // lines given so far
  bool ended() const { return ended_; }             // the script's end was reached (scripted only)

  // The next answer, trimmed; nullopt at the end of input (Ctrl-D, end of file).
  std::optional<std::string> ask(const std::string& prompt) {
    std::string line;
    if (scripted_) {
      std::cout << prompt << std::flush;
      if (!std::getline(file_, line)) {
        ended_ = true;
        return std::nullopt;
      }
      ++answers_;
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
  std::size_t answers_ = 0;
  bool ended_ = false;
};

constexpr const char* help_text =
    "  y or n answers a question; a number picks a category; Enter takes the default, when\n"
    "  there is one (--suggest); b goes back one question; < goes back to the previous issue\n"
    "  (its new label supersedes the one saved: the file is only appended to); s skips this\n"
    "  issue; r shows the whole report, a page at a time; c shows its code, o its output; q\n"
    "  quits (what is labeled is saved); ? shows this. A note starting with \\ is the text after it\n"
    "  (\\q: the note q).\n";

constexpr std::size_t page_lines = 30;

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Ids as label files hold them: without surrounding spaces (read_labels trims them).
std::string trimmed(std::string s) {
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

std::size_t line_count(std::string_view s) {
  if (s.find_first_not_of(" \t\r\n") == std::string_view::npos) return 0;
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + (s.back() == '\n' ? 0 : 1);
}

// Each issue to label: silt's reading of it, and the issue itself.
struct Item {
  Classification silt;
  Issue issue;
};

struct KeepItems : BatchSink {
  std::vector<Item> items;
  void write(std::string_view) override {}
  void labeled(Classification&& c, const std::string&, const Issue* issue) override {
    items.push_back({std::move(c), issue ? *issue : Issue{}});
  }
  std::size_t left_out = 0;  // records rejected and inputs not read: exit 3 at the end
  void reject(const Reject& r) override {
    ++left_out;
    spdlog::warn("{}", rejected_line(r));
  }
  void input_error(const std::string& input, const std::string& m) override {
    ++left_out;
    spdlog::error("{}: {}", printable(input), printable(m));
  }
};

// One labeling session: the prompts, the file, and what to show.
class Session {
 public:
  Session(const Taxonomy& tax, const Classifier& clf, Prompter& prompter, std::FILE* out, std::string out_path,
          std::string rater, bool suggest, bool color)
      : tax_(tax),
        clf_(clf),
        prompter_(prompter),
        out_(out),
        out_path_(std::move(out_path)),
        rater_(std::move(rater)),
        suggest_(suggest),
        color_(color) {}

  enum class Outcome { saved, skipped, back, quit, failed };

  // Shows item k and asks for its label; saves it.
  Outcome label(const Item& item, std::size_t k, std::size_t n) {
    show(item, k, n);
    std::vector<bool> holds(tax_.criteria.size(), false);
    std::vector<bool> known(tax_.criteria.size(), false);
    std::optional<std::size_t> category;
    if (suggest_) {
      for (std::size_t i = 0; i < tax_.criteria.size(); ++i) {
        holds[i] = item.silt.criteria[i].value;
        known[i] = true;
      }
      category = tax_.category_index(item.silt.category);
    }
    std::string note;
    const std::size_t nk = tax_.criteria.size();
    std::size_t step = 0;
    while (step <= nk + 1) {
      auto a = prompter_.ask(prompt(step, holds, known, category));
      if (!a) return Outcome::quit;
      // A note starting with a backslash is that text, whatever it is ("\\q": the note q).
      if (step == nk + 1 && !a->empty() && a->front() == '\\') {
        note = a->substr(1);
        ++step;
        continue;
      }
      if (*a == "q") return Outcome::quit;
      const std::string& s = *a;
      std::string answer = s;  // y/n in any case
      for (auto& ch : answer) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (s == "?") {
        std::cout << help_text;
      } else if (s == "s") {
        std::cout << "  skipped\n";
        return Outcome::skipped;
      } else if (s == "<") {
        return Outcome::back;
      } else if (s == "r" || s == "c" || s == "o") {
        page(s == "r" ? item.issue.body : s == "c" ? report(item).code : report(item).output);
      } else if (s == "b") {
        if (step == 0)
          std::cout << "  (this is the first question; < goes back to the previous issue)\n";
        else
          --step;
      } else if (step < nk) {
        if (answer == "y" || answer == "yes" || answer == "n" || answer == "no") {
          holds[step] = answer[0] == 'y';
          known[step++] = true;
        } else if (s.empty() && known[step]) {
          ++step;
        } else {
          std::cout << "  y or n" << (known[step] ? ", or Enter for the default" : "") << " (? for help)\n";
        }
      } else if (step == nk) {
        if (s.empty() && category) {
          ++step;
        } else if (auto pick = number(s); pick && *pick >= 1 && *pick <= tax_.categories.size()) {
          category = *pick - 1;
          ++step;
        } else {
          std::cout << fmt::format("  a number from 1 to {}{}\n", tax_.categories.size(),
                                   category ? ", or Enter for the default" : "");
        }
      } else {
        note = s;
        ++step;
      }
    }
    if (!save(item, holds, *category, note)) return Outcome::failed;
    std::cout << "  saved";
    if (!suggest_)  // only now, the label given: what silt read, to learn from
      std::cout << fmt::format("; silt read it as {} (p {:.2f}), level {}", item.silt.category, item.silt.confidence,
                               item.silt.level ? std::to_string(*item.silt.level) : std::string("none"));
    std::cout << "\n";
    return Outcome::saved;
  }

 private:
  static std::optional<std::size_t> number(const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 3) return std::nullopt;
    return static_cast<std::size_t>(std::stoul(s));
  }

  std::string bold(const std::string& s) const { return color_ ? "\033[1m" + s + "\033[0m" : s; }

  const ReportFields& report(const Item& item) {
    if (report_id_ != &item) {
      report_ = clf_.read_report(item.issue.view());
      report_id_ = &item;
    }
    return report_;
  }

  // The report as silt reads it: prose by section, code and output folded.
  void show(const Item& item, std::size_t k, std::size_t n) {
    std::cout << "\n"
              << bold(fmt::format("[{}/{}] {}: {}", k + 1, n, printable(item.silt.id), printable(item.silt.title)))
              << "\n";
    if (!item.issue.url.empty()) std::cout << "  " << printable(item.issue.url) << "\n";
    const ReportFields& f = report(item);
    auto section = [&](const char* name, const std::string& text) {
      if (line_count(text) == 0) return;
      std::cout << "  " << bold(name) << "\n";
      std::size_t shown = 0, pos = 0;
      while (pos < text.size() && shown < 12) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::cout << "    " << printable(std::string_view(text).substr(pos, nl - pos)) << "\n";
        pos = nl + 1;
        ++shown;
      }
      if (pos < text.size())
        std::cout << fmt::format("    ... {} more line(s): r shows all\n", line_count(text.substr(pos)));
    };
    section("What the reporter says", f.prose_current);
    section("Expected", f.prose_expected);
    section("Other sections", f.prose_other);
    section("Quoted", f.quoted);
    if (std::size_t c = line_count(f.code)) std::cout << fmt::format("  code: {} line(s) (c shows them)\n", c);
    if (std::size_t o = line_count(f.output)) std::cout << fmt::format("  output: {} line(s) (o shows them)\n", o);
    if (suggest_) {
      std::cout << fmt::format("  silt: {} (confidence {:.2f}){}\n", item.silt.category, item.silt.confidence,
                               item.silt.needs_review ? ", needs review" : "");
      std::vector<std::string> reading;
      for (const auto& c : item.silt.criteria)
        reading.push_back(c.id + "=" + (c.value ? "yes" : "no") + " (" + std::string(to_string(c.source)) + ")");
      std::cout << fmt::format("  silt reads: {}; level {}\n", fmt::join(reading, ", "),
                               item.silt.level ? std::to_string(*item.silt.level) : std::string("none"));
    }
  }

  // A long text, a page at a time.
  void page(const std::string& text) {
    std::size_t pos = 0, lines = 0;
    if (line_count(text) == 0) std::cout << "    (nothing)\n";
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::cout << "    " << printable(std::string_view(text).substr(pos, nl - pos)) << "\n";
      pos = nl + 1;
      if (++lines % page_lines == 0 && pos < text.size()) {
        auto a = prompter_.ask("  -- more (Enter: next page, q: enough) -- ");
        if (!a || *a == "q") break;
      }
    }
  }

  std::string prompt(std::size_t step, const std::vector<bool>& holds, const std::vector<bool>& known,
                     const std::optional<std::size_t>& category) const {
    const std::size_t nk = tax_.criteria.size();
    if (step < nk) {
      const auto& crit = tax_.criteria[step];
      const std::string choice = !known[step] ? "y/n" : holds[step] ? "Y/n" : "y/N";
      return fmt::format("  {} ({}) [{}] ", crit.question, crit.id, choice);
    }
    if (step == nk) {
      auto level = tax_.decide(holds);
      std::cout << "  level: "
                << (level ? fmt::format("{} ({} threat)", tax_.levels[*level].number, tax_.levels[*level].threat)
                          : std::string("none (no criterion holds)"))
                << "\n";
      for (std::size_t c = 0; c < tax_.categories.size(); ++c)
        std::cout << fmt::format("   {} {}{}\n", c + 1, tax_.categories[c].id,
                                 category && c == *category ? "  <- silt" : "");
      return category ? fmt::format("  category [Enter: {}] ", tax_.categories[*category].id)
                      : std::string("  category (a number) ");
    }
    return "  note (optional) ";
  }

  bool save(const Item& item, const std::vector<bool>& holds, std::size_t category, const std::string& note) {
    auto level = tax_.decide(holds);
    HandLabel label;
    label.item = trimmed(item.silt.id);
    label.rater = rater_;
    label.category = tax_.categories[category].id;
    if (level) label.impact = tax_.levels[*level].number;
    label.criteria = holds;
    label.silent = item.silt.silent;
    label.note = note;
    label.labeled_at = now_utc();
    const std::string row = labels_csv_row(label);
    // Written and flushed at once: a crash loses at most the issue on screen.
    if (std::fputs(row.c_str(), out_) < 0 || std::fflush(out_) != 0 || ::fsync(fileno(out_)) != 0) {
      spdlog::error("{}: write failed: {}", printable(out_path_), std::strerror(errno));
      return false;
    }
    return true;
  }

  const Taxonomy& tax_;
  const Classifier& clf_;
  Prompter& prompter_;
  std::FILE* out_;
  std::string out_path_, rater_;
  bool suggest_, color_;
  ReportFields report_;
  const Item* report_id_ = nullptr;
};

// The items this rater labeled already in `path` (empty when the file is new).
std::optional<std::set<std::string>> labeled_by(const std::string& path, const std::string& rater) {
  std::set<std::string> done;
  auto labels = read_labels(path);
  if (!labels.ok()) {
    spdlog::error("{}", printable(labels.error().message));
    return std::nullopt;
  }
  const auto& t = labels.value().table;
  for (std::size_t i = 0; i < t.items.size(); ++i)
    for (std::size_t a = 0; a < t.raters.size(); ++a)
      if (t.raters[a] == rater && t.lines[i][a] != 0) done.insert(t.items[i]);
  return done;
}

// Opens the labels file for appending, with its header when new; nullptr after saying why.
std::FILE* open_labels(const std::string& path, bool fresh, const Taxonomy& tax) {
  std::FILE* out = std::fopen(path.c_str(), "ab");
  if (!out) {
    spdlog::error("{}: cannot write: {}", printable(path), std::strerror(errno));
    return nullptr;
  }
  bool ok = true;
  // A file whose last line has no newline (edited by hand) gets one first, so the next
  // row is not glued to it.
  if (!fresh && !ends_with_newline(path)) ok = std::fputc('\n', out) != EOF;
  if (fresh) {
    ok = std::fputs(labels_csv_header(tax).c_str(), out) >= 0;
  }
  if (!ok || std::fflush(out) != 0) {
    spdlog::error("{}: write failed: {}", printable(path), std::strerror(errno));
    std::fclose(out);
    return nullptr;
  }
  return out;
}

}  // namespace

int cmd_triage(const std::vector<std::string>& args) {
  po::options_description own;
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("ISSUES"), "issues (any batch input)")(
      "output,o", po::value<std::string>()->value_name("LABELS.csv"), "labels, appended to as you go (required)")(
      "rater", po::value<std::string>()->value_name("NAME"), "your name in the labels file (required)")(
      "suggest", po::bool_switch(), "show silt's reading and take it as the default answers (not blind)")(
      "answers", po::value<std::string>()->value_name("FILE"), "the answers, a line each, instead of a terminal")(
      "input-format", po::value<std::string>()->default_value("auto")->value_name("FORMAT"),
      "auto, jsonl, json or csv (as silt batch reads them)");
  const HelpText help{
      "silt triage ISSUES... -o LABELS.csv --rater NAME [--suggest]",
      "Walks through the issues one at a time: shows each report as silt reads it (the reporter's prose by "
      "template section, code and output folded, the link), asks the matrix's questions, shows the level that "
      "follows, asks the category and a note, and appends the label to LABELS.csv at once "
      "(item,rater,category,impact,<criteria>,silent,note,labeled_at).\n\n"
      "Blind by default: silt's answers are shown only once yours are saved, so that silt agree measures you, "
      "not how far you followed silt. --suggest shows them first and makes them the defaults. < goes back to an "
      "earlier issue: the new row supersedes the old one (the file is only appended to). Rerun to resume after "
      "the last item you labeled.",
      {},
      {{"0", "done, or quit (what was labeled is saved)"},
       {"2", "usage or configuration error; stdin is not a terminal and no --answers"},
       {"3",
        "the labels file could not be read, or an issue or input (named on stderr; the others were asked), or "
        "the --answers ended in the middle of an issue"},
       {"4", "the labels file or the output could not be written"}},
      {"silt triage issues.jsonl -o labels.csv --rater ann",
       "silt triage issues.jsonl -o labels.csv --rater ann --suggest"}};
  InputCommand cmd = parse_input_command(args, own, help, shared_rules);
  if (cmd.help) return exit_ok;
  const po::variables_map& vm = cmd.vm;
  if (!vm.count("input")) throw UsageError{"name the issues to label"};
  if (!vm.count("output")) throw UsageError{"-o LABELS.csv is required"};
  if (!vm.count("rater")) throw UsageError{"--rater NAME is required"};
  // As the labels reader reads it back (trimmed), so that a rerun finds its rows.
  const std::string rater = trimmed(opt(vm, "rater"));
  if (rater.empty()) throw UsageError{"--rater takes a name, not an empty one"};
  if (rater == "silt")
    throw UsageError{"'silt' names the engine's labels (silt agree --engine): choose your own name for --rater"};
  const std::string answers = opt(vm, "answers");
  if (answers.empty() && !isatty(STDIN_FILENO))
    throw UsageError{
        "triage asks its questions at a terminal, and stdin is not one; script the answers with --answers FILE"};
  auto config = require_config(vm, true);
  if (!config) return exit_usage;
  const Taxonomy& tax = *config->taxonomy;
  const std::string out_path = opt(vm, "output");

  // silt's reading of every issue, with the issue.
  BatchOptions b;
  b.inputs = vm["input"].as<std::vector<std::string>>();
  auto in_format = parse_input_format(opt(vm, "input-format", "auto"));
  if (!in_format) throw UsageError{"--input-format takes auto, jsonl, json or csv"};
  b.input_format = *in_format;
  b.output_format = OutputFormat::values;
  b.keep_issues = true;
  for (const auto& in : b.inputs)
    if (same_file(in, out_path)) {
      spdlog::error("{}: the labels file is also an input; appending to it would change what is being read",
                    printable(out_path));
      return exit_usage;
    }
  // Rows go in by the header triage writes: a file with another header (another
  // taxonomy's criteria, columns in another order) would have them misread or dropped.
  if (std::error_code ec; std::filesystem::exists(out_path, ec)) {
    auto text = read_input_file(out_path);
    if (!text.ok()) {
      spdlog::error("{}", printable(text.error().message));
      return exit_bad_input;
    }
    if (auto problem = labels_csv_append_problem(text.value(), out_path, tax)) {
      spdlog::error("{}", printable(problem->message));
      return exit_bad_input;
    }
  }
  KeepItems sink;
  Classifier classifier = make_classifier(*config);
  run_batch(classifier, b, sink);

  std::error_code ec;
  const bool fresh = !std::filesystem::exists(out_path, ec) || std::filesystem::file_size(out_path, ec) == 0;
  std::set<std::string> done;
  if (!fresh) {
    auto d = labeled_by(out_path, rater);
    if (!d) return exit_bad_input;
    done = std::move(*d);
  }
  std::FILE* out = open_labels(out_path, fresh, tax);
  if (!out) return exit_write;
  Prompter prompter(answers);
  if (!prompter.ok()) {
    spdlog::error("{}: cannot read the answers", printable(answers));
    std::fclose(out);
    return exit_usage;
  }
  std::size_t left = 0;
  for (const auto& it : sink.items) left += !done.count(trimmed(it.silt.id));
  std::cout << fmt::format("{} issue(s) to label ({} labeled by {} already in {}){}. ? for help.\n", left, done.size(),
                           printable(rater), printable(out_path), vm["suggest"].as<bool>() ? "" : "; blind");
  Session session(tax, classifier, prompter, out, out_path, rater, vm["suggest"].as<bool>(),
                  use_color(opt(vm, "color", "auto")));
  std::size_t labeled = 0;
  std::string ended_early;
  bool revisit = false;  // going back: ask even what was labeled already
  for (std::size_t k = 0; k < sink.items.size();) {
    if (!revisit && done.count(trimmed(sink.items[k].silt.id))) {
      ++k;
      continue;
    }
    revisit = false;
    const std::size_t answered = prompter.answers();
    auto outcome = session.label(sink.items[k], k, sink.items.size());
    if (outcome == Session::Outcome::quit && prompter.ended() && prompter.answers() > answered) {
      // The script ran out in the middle of an issue (short, or an answer it took for
      // another): said, not taken for a quit.
      ended_early = fmt::format("{}: the answers end in the middle of issue {} ({} of {}): {} issue(s) left unlabeled",
                                printable(answers), printable(sink.items[k].silt.id), k + 1, sink.items.size(),
                                sink.items.size() - k);
      break;
    }
    if (outcome == Session::Outcome::quit) break;
    if (outcome == Session::Outcome::failed) {
      std::fclose(out);
      return exit_write;
    }
    if (outcome == Session::Outcome::back) {
      if (k == 0) {
        std::cout << "  (this is the first issue)\n";
      } else {
        --k;
        revisit = true;
      }
      continue;
    }
    if (outcome == Session::Outcome::saved) {
      ++labeled;
      done.insert(trimmed(sink.items[k].silt.id));
    }
    ++k;
  }
  if (std::fclose(out) != 0) {
    spdlog::error("{}: write failed: {}", printable(out_path), std::strerror(errno));
    return exit_write;
  }
  std::cout << fmt::format("\n{} issue(s) labeled in this session; {}\n", labeled, printable(out_path));
  if (!ended_early.empty()) spdlog::error("{}", ended_early);
  return sink.left_out > 0 || !ended_early.empty() ? exit_bad_input : exit_ok;
}

}  // namespace silt::cli
