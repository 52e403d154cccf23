// Options and configuration loading shared by the commands.
#include "options.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "silt/builtin.h"

namespace silt::cli {

// Options every command takes. -v/-q are read by main before parsing; they are listed
// here so that they are accepted and documented.
po::options_description common_options() {
  po::options_description d("Common options");
  d.add_options()("taxonomy", po::value<std::string>()->value_name("FILE"),
                  "taxonomy and impact matrix YAML (default: built-in keras-tf)")(
      "rules", po::value<std::string>()->value_name("FILE"), "one rules YAML for every issue (default: the packs)")(
      "pack", po::value<std::string>()->value_name("NAME"),
      "read every issue with this pack: keras-tf, pytorch, generic (default: by the issue's repository)")(
      "packs", po::value<std::string>()->value_name("FILE"), "a pack map of your own (default: the built-in one)")(
      "color", po::value<std::string>()->default_value("auto")->value_name("WHEN"), "colour: auto, always, never")(
      "verbose,v", po::bool_switch(), "more messages on stderr")("quiet,q", po::bool_switch(), "errors only on stderr")(
      "help,h", po::bool_switch(), "show this help");
  return d;
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description& pos) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  return vm;
}

std::string opt(const po::variables_map& vm, const char* name, std::string fallback) {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

void check_format(const std::string& format, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (format == a) return;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw UsageError{"unknown format '" + format + "' (expected one of: " + list + ")"};
}

void check_color(const std::string& when) {
  if (when != "auto" && when != "always" && when != "never")
    throw UsageError{"--color takes auto, always or never, not '" + when + "'"};
}

namespace {

// Loads the taxonomy named by --taxonomy (or the built-in one) into `c`; false when it
// has errors (they are in c.diagnostics).
bool load_taxonomy_into(const po::variables_map& vm, Config& c) {
  const std::string tpath = opt(vm, "taxonomy");
  TaxonomyLoad tl;
  if (tpath.empty()) {
    auto b = builtin_taxonomy();
    tl = load_taxonomy(b.text, std::string(b.name));
    c.taxonomy_file = std::string(b.name) + " (built in)";
  } else {
    tl = load_taxonomy_file(tpath);
    c.taxonomy_file = tpath;
  }
  c.diagnostics.append(tl.diagnostics);
  if (!tl.taxonomy) return false;
  c.taxonomy = std::make_shared<const Taxonomy>(std::move(*tl.taxonomy));
  return true;
}

}  // namespace

// Loads the taxonomy (and the rules when `with_rules`). A taxonomy already loaded from
// the same options is passed as `loaded` to skip loading it again.
Config load_config(const po::variables_map& vm, bool with_rules, const Config* loaded) {
  Config c;
  if (loaded && loaded->taxonomy) {
    c.taxonomy = loaded->taxonomy;
    c.taxonomy_file = loaded->taxonomy_file;
    c.diagnostics = loaded->diagnostics;
  } else if (!load_taxonomy_into(vm, c)) {
    return c;
  }
  if (!with_rules) return c;
  c.rules_checked = true;
  const std::string rpath = opt(vm, "rules");
  if (!rpath.empty()) {  // one rules file reads every issue
    if (vm.count("pack") || vm.count("packs"))
      throw UsageError{"--rules reads every issue with one file: no --pack or --packs with it"};
    RuleLoad rl = load_rules_file(rpath, *c.taxonomy);
    c.rules_file = rpath;
    c.diagnostics.append(rl.diagnostics);
    if (rl.rules) c.rules = std::make_shared<const RuleSet>(std::move(*rl.rules));
    return c;
  }
  // Packs: the built-in map, or the user's.
  const std::string map = opt(vm, "packs");
  PackLoad pl;
  if (map.empty()) {
    auto b = builtin_file("rules/packs.yaml");
    pl = load_packs(b->text, std::string(b->name), c.taxonomy, include_builtin());
  } else {
    auto text = read_input_file(map);
    if (!text.ok()) {
      Diagnostic d;
      d.code = "unreadable-file";
      d.where.file = map;
      d.message = text.error().message;
      c.diagnostics.add(std::move(d));
      return c;
    }
    pl = load_packs(text.value(), map, c.taxonomy, include_from_disk());
  }
  c.diagnostics.append(pl.diagnostics);
  if (!pl.packs) return c;
  c.packs = std::make_shared<const PackSet>(std::move(*pl.packs));
  const PackInfo* pack = &c.packs->default_pack();
  if (vm.count("pack")) {
    c.forced_pack = opt(vm, "pack");
    pack = c.packs->find(c.forced_pack);
    if (!pack) {
      std::string names;
      for (const auto& p : c.packs->packs()) names += (names.empty() ? "" : ", ") + p.name;
      throw UsageError{"no pack '" + c.forced_pack + "' (the packs: " + names + ")"};
    }
  }
  // A pack map of the user's: every pack that may read an issue is checked now. The
  // built-in packs are checked by the test suite: each loads when it is first needed
  // (start-up compiles one pack, not all).
  if (!map.empty())
    for (const auto& p : c.packs->packs())
      if (!vm.count("pack")) c.packs->rules(p, &c.diagnostics);
  // A single rule set only for a pack named: the packs load as issues need them.
  if (vm.count("pack")) c.rules = c.packs->rules(*pack, &c.diagnostics);
  c.rules_file =
      c.rules ? c.rules->file() + (map.empty() ? " (built in, pack " + pack->name + ")" : "") : pack->rules_file;
  return c;
}

std::shared_ptr<const RuleSet> single_rules(const Config& c) {
  if (c.rules || !c.packs) return c.rules;
  return c.packs->rules(c.packs->default_pack());
}

Classifier make_classifier(const Config& c) {
  if (c.packs) return Classifier(c.taxonomy, c.packs, c.forced_pack);
  return Classifier(c.taxonomy, c.rules);
}

// Loads the configuration for a command that needs it whole; on failure prints the
// findings to stderr and returns nullopt (the caller exits with exit_usage).
std::optional<Config> require_config(const po::variables_map& vm, bool with_rules, const Config* loaded) {
  Config c = load_config(vm, with_rules, loaded);
  bool color = isatty(STDERR_FILENO) && use_color(opt(vm, "color", "auto"));
  print_diagnostics(c.diagnostics, spdlog::should_log(spdlog::level::debug), color);
  if (!c.ok()) {
    spdlog::error("the configuration has {} error(s); run 'silt validate' for the full report",
                  c.diagnostics.error_count());
    return std::nullopt;
  }
  return c;
}

bool help_requested(const po::variables_map& vm, const char* usage_line, const po::options_description& desc) {
  if (!vm["help"].as<bool>()) return false;
  std::cout << usage_line << "\n\n" << desc << "\n";
  return true;
}

std::optional<bool> parse_yes_no(std::string v) {
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (v == "yes" || v == "y" || v == "true" || v == "1") return true;
  if (v == "no" || v == "n" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::uint64_t parse_size(const std::string& text, const char* flag) {
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) n = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B' && unit != "B") unit.pop_back();  // "64MB", "1GiB" -> "64M", "1GI"
  if (unit.size() == 2 && unit[1] == 'I') unit.pop_back();
  const int shift = unit.empty() || unit == "B" ? 0 : unit == "K" ? 10 : unit == "M" ? 20 : unit == "G" ? 30 : -1;
  if (used == 0 || shift < 0 || n == 0 || n > (~0ull >> shift))
    throw UsageError{std::string(flag) + " takes a size such as 64M, 1G, 500K or a number of bytes, not '" + text +
                     "'"};
  return n << shift;
}

CriteriaFlags criteria_flags(const std::vector<std::string>& args, const po::options_description& own) {
  // First pass: only to find --taxonomy, whose criteria give the --ID/--no-ID flags.
  CriteriaFlags f{{}, po::options_description("Criteria shorthands (from the loaded matrix)"), {}};
  po::options_description pre = common_options();
  po::variables_map pre_vm;
  try {
    po::store(po::command_line_parser(args).options(pre).allow_unregistered().run(), pre_vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  f.probe = load_config(pre_vm, false);
  if (!f.probe.taxonomy) return f;
  const po::options_description common = common_options();
  for (const auto& c : f.probe.taxonomy->criteria) {
    // An id that would shadow an option gets no shorthand: --set still works for it.
    if (own.find_nothrow(c.id, false) || common.find_nothrow(c.id, false) || own.find_nothrow("no-" + c.id, false))
      continue;
    f.ids.push_back(c.id);
    f.desc.add_options()(c.id.c_str(), po::bool_switch(), (c.id + "=yes: " + c.question).c_str());
    f.desc.add_options()(("no-" + c.id).c_str(), po::bool_switch(), (c.id + "=no").c_str());
  }
  return f;
}

std::optional<po::variables_map> parse_command(const std::vector<std::string>& args, const po::options_description& own,
                                               const char* usage, const po::positional_options_description& pos) {
  po::options_description all;
  all.add(own).add(common_options());
  auto vm = parse(args, all, pos);
  if (help_requested(vm, usage, all)) return std::nullopt;
  return vm;
}

InputCommand parse_input_command(const std::vector<std::string>& args, const po::options_description& own,
                                 const char* usage) {
  InputCommand c{{}, criteria_flags(args, own), false};
  po::options_description all;
  all.add(own).add(c.criteria.desc).add(common_options());
  po::positional_options_description pos;
  pos.add("input", -1);
  c.vm = parse(args, all, pos);
  c.help = help_requested(c.vm, usage, all);
  return c;
}

std::optional<std::vector<Issue>> read_issue_file(const std::string& path, std::uint64_t max_bytes) {
  const std::string name = path == "-" ? "<stdin>" : path;
  auto content = read_input_file(path, max_bytes);
  if (!content.ok()) {
    if (content.error().code == "is-a-directory")
      spdlog::error("{}: a directory, not a file ('silt batch {}' reads every *.json in it)", printable(name),
                    printable(name));
    else
      spdlog::error("{}", printable(content.error().message));
    return std::nullopt;
  }
  auto issues = read_issues(content.value(), name);
  if (!issues.ok()) {
    const Error& e = issues.error();
    if (e.line > 0)
      spdlog::error("{}:{}:{}: {}", printable(name), e.line, e.column, printable(e.message));
    else
      spdlog::error("{}: {}", printable(name), printable(e.message));
    return std::nullopt;
  }
  return std::move(issues).value();
}

std::optional<std::string> read_whole(const std::string& path) {
  auto text = read_input_file(path, ~std::uint64_t{0});
  if (!text.ok()) {
    spdlog::error("{}", printable(text.error().message));
    return std::nullopt;
  }
  return std::move(text).value();
}

int write_whole(const std::string& path, std::string_view content, const std::vector<std::string>& inputs) {
  auto out = OutputFile::open(path, inputs);
  if (!out.ok()) {
    spdlog::error("{}", printable(out.error().message));
    return out.error().code == "output-is-input" || out.error().code == "locked" ? exit_usage : exit_write;
  }
  auto& f = *out.value();
  std::optional<Error> e = f.keep(0);
  if (!e && !f.write(content)) e = Error{f.error()};
  if (!e) e = f.commit();
  if (e) {
    spdlog::error("{}", printable(e->message));
    return exit_write;
  }
  return exit_ok;
}

Issue inline_issue(const po::variables_map& vm) {
  Issue issue;
  issue.id = "inline";
  issue.title = opt(vm, "title");
  issue.body = opt(vm, "text");
  issue.join_lists();
  return issue;
}

void MemorySink::write(std::string_view bytes) {
  out.append(bytes);
}

void MemorySink::reject(const Reject& r) {
  ++rejected;
  spdlog::warn("{}: rejected, {}: {}", printable(r.source), r.code, printable(r.message));
}

void MemorySink::input_error(const std::string& input, const std::string& message) {
  ++input_errors;
  spdlog::error("{}: {}", printable(input), printable(message));
}

Answers collect_answers(const po::variables_map& vm, const Taxonomy& tax,
                        const std::vector<std::string>& shorthand_ids) {
  Answers answers(tax.criteria.size());
  auto give = [&](const std::string& id, bool value) {
    auto i = tax.criterion_index(id);
    if (!i) {
      std::string ids;
      for (const auto& c : tax.criteria) ids += (ids.empty() ? "" : ", ") + c.id;
      throw UsageError{"unknown criterion '" + id + "' (the matrix has: " + ids + ")"};
    }
    if (answers[*i] && *answers[*i] != value) throw UsageError{"criterion '" + id + "' is given both yes and no"};
    answers[*i] = value;
  };
  if (vm.count("set")) {
    for (const auto& s : vm["set"].as<std::vector<std::string>>()) {
      auto eq = s.find('=');
      if (eq == std::string::npos) throw UsageError{"--set takes CRITERION=yes|no, not '" + s + "'"};
      auto v = parse_yes_no(s.substr(eq + 1));
      if (!v) throw UsageError{"--set " + s + ": the answer must be yes or no"};
      give(s.substr(0, eq), *v);
    }
  }
  for (const auto& id : shorthand_ids) {
    if (vm[id].as<bool>()) give(id, true);
    if (vm["no-" + id].as<bool>()) give(id, false);
  }
  return answers;
}

}  // namespace silt::cli
