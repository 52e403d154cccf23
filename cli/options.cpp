// Options and configuration loading shared by the commands.
#include "options.h"

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <sstream>

#include "silt/builtin.h"
#include "silt/labels.h"
#include "silt/utf8.h"

namespace silt::cli {

po::options_description common_options() {
  po::options_description d;
  d.add_options()("taxonomy", po::value<std::string>()->value_name("FILE"),
                  "taxonomy and impact matrix YAML (default: the built-in keras-tf)")(
      "color", po::value<std::string>()->default_value("auto")->value_name("WHEN"), "colour: auto, always, never")(
      "verbose,v", po::bool_switch(), "more messages on stderr (warnings, timings)")(
      "quiet,q", po::bool_switch(), "errors only on stderr (an exit 3 from warnings: one line)")(
      "help,h", po::bool_switch(), "show this help");
  return d;
}

po::options_description rules_options() {
  po::options_description d;
  d.add_options()("rules", po::value<std::string>()->value_name("FILE"),
                  "one rules YAML for every issue (default: the packs)")(
      "pack", po::value<std::string>()->value_name("NAME"),
      "read every issue with this pack: keras-tf, pytorch, generic (default: by the issue's repository)")(
      "packs", po::value<std::string>()->value_name("FILE"), "a pack map of your own (default: the built-in one)");
  return d;
}

namespace {

constexpr std::size_t help_width = 80;

// The long names of `desc`'s options, with their dashes.
std::vector<std::string> long_names(const po::options_description& desc) {
  std::vector<std::string> names;
  for (const auto& o : desc.options())
    if (!o->long_name().empty()) names.push_back("--" + o->long_name());
  return names;
}

// "-f, --format FORMAT" or "    --title T": the name column of an option.
std::string option_names(const po::option_description& o) {
  const std::string shrt = o.canonical_display_name(po::command_line_style::allow_dash_for_short);
  std::string names = shrt.size() == 2 && shrt[0] == '-' ? shrt + ", " : "    ";
  names += "--" + o.long_name();
  if (o.semantic()->max_tokens() == 0) return names;
  // Boost's name() is the value name followed by " (=default)": the value name alone.
  std::string value = o.semantic()->name();
  value = value.substr(0, value.find(" (="));
  if (value.empty() || value == "arg") {
    value = o.long_name();
    for (auto& ch : value) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return names + " " + value;
}

// An option's default as a person writes it: "0.8", not Boost's "0.80000000000000004";
// nothing for a switch (off) or an empty default.
std::optional<std::string> plain_default(const po::value_semantic& s) {
  boost::any v;
  if (s.max_tokens() == 0 || !s.apply_default(v)) return std::nullopt;
  if (const auto* x = boost::any_cast<std::string>(&v)) return x->empty() ? std::nullopt : std::optional(*x);
  if (const auto* x = boost::any_cast<double>(&v)) return fmt::format("{}", *x);  // shortest exact form
  if (const auto* x = boost::any_cast<int>(&v)) return std::to_string(*x);
  if (const auto* x = boost::any_cast<unsigned>(&v)) return std::to_string(*x);
  if (const auto* x = boost::any_cast<long>(&v)) return std::to_string(*x);
  if (const auto* x = boost::any_cast<unsigned long>(&v)) return std::to_string(*x);
  if (const auto* x = boost::any_cast<unsigned long long>(&v)) return std::to_string(*x);
  // Another type: the text Boost keeps.
  const std::string name = s.name();
  const auto at = name.find(" (=");
  if (at == std::string::npos) return std::nullopt;
  return name.substr(at + 3, name.size() - at - 4);
}

// Rows "  NAME  description" with the descriptions aligned in one column (past `col`,
// a name gets a line of its own) and wrapped.
std::string help_rows(const std::vector<std::pair<std::string, std::string>>& rows, std::size_t col) {
  std::string out;
  for (const auto& [name, text] : rows) {
    const std::string lead = "  " + name;
    if (text.empty()) {
      out += lead + "\n";
      continue;
    }
    const std::string indent(col, ' ');
    if (width(lead) + 2 > col) {
      out += lead + "\n" + wrap(text, help_width, indent);
    } else {
      out += wrap(text, help_width, indent, lead + std::string(col - width(lead), ' '));
    }
  }
  return out;
}

// What the command does: each paragraph re-wrapped; lines starting with a space kept.
std::string about_text(const std::string& about) {
  std::string out, para;
  auto flush = [&] {
    if (!para.empty()) out += wrap(para, help_width, "");
    para.clear();
  };
  std::size_t start = 0;
  while (start <= about.size()) {
    std::size_t end = about.find('\n', start);
    if (end == std::string::npos) end = about.size();
    std::string line = about.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      flush();
      out += "\n";
    } else if (line[0] == ' ') {
      flush();
      out += line + "\n";
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  flush();
  return out;
}

}  // namespace

std::string format_help(const HelpText& h, const std::vector<OptionGroup>& groups,
                        const po::positional_options_description& pos, const std::set<std::string>& hidden) {
  // The positional names; the last one takes any number of arguments when max_total_count() is unbounded.
  std::set<std::string> positional;
  const unsigned bounded = std::min(pos.max_total_count(), 64u);
  for (unsigned k = 0; k < bounded; ++k) positional.insert(pos.name_for_position(k));
  const bool many = pos.max_total_count() == std::numeric_limits<unsigned>::max();
  const std::string repeated = many && bounded ? pos.name_for_position(bounded - 1) : std::string();
  std::vector<std::pair<std::string, std::string>> args;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> sections;
  for (const auto& g : groups) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& o : g.options->options()) {
      if (hidden.count(o->long_name())) continue;
      if (positional.count(o->long_name())) {
        if (o->description().empty()) continue;
        std::string value = o->semantic()->name();
        value = value.substr(0, value.find(" (="));
        args.emplace_back(value + (o->long_name() == repeated ? "..." : ""), o->description());
        continue;
      }
      std::string text = o->description();
      if (auto d = plain_default(*o->semantic())) text += " (default: " + *d + ")";
      rows.emplace_back(option_names(*o), text);
    }
    if (!rows.empty()) sections.emplace_back(g.caption, std::move(rows));
  }
  // The description column: past the longest name that is not too long; one column for
  // every group of options, so that they read as one table.
  auto column = [](std::size_t col, const std::vector<std::pair<std::string, std::string>>& rows) {
    for (const auto& r : rows)
      if (width(r.first) + 4 <= 32) col = std::max(col, width(r.first) + 4);
    return col;
  };
  std::size_t col = 0;
  for (const auto& s : sections) col = column(col, s.second);
  std::string out = "Usage: " + h.usage + "\n";
  if (!h.about.empty()) out += "\n" + about_text(h.about);
  if (!h.commands.empty()) out += "\nCommands:\n" + help_rows(h.commands, column(0, h.commands));
  if (!args.empty()) out += "\nArguments:\n" + help_rows(args, column(col, args));
  for (const auto& [caption, rows] : sections) out += "\n" + caption + ":\n" + help_rows(rows, col);
  if (!h.exit_codes.empty()) {
    // Every command exits 4 when what it prints cannot be written (main: close_stdout):
    // said where the command's own list does not say it, in the order of the codes.
    auto codes = h.exit_codes;
    auto number = [](const std::string& c) { return std::atoi(c.c_str()); };
    if (std::none_of(codes.begin(), codes.end(), [](const auto& c) { return c.first == "4"; }))
      codes.insert(std::find_if(codes.begin(), codes.end(), [&](const auto& c) { return number(c.first) > 4; }),
                   {"4", "the output could not be written"});
    out += "\nExit codes:\n";
    for (const auto& [code, meaning] : codes)
      out += wrap(meaning, help_width, std::string(7, ' '),
                  "  " + code + std::string(code.size() < 5 ? 5 - code.size() : 1, ' '));
  }
  if (!h.examples.empty()) {
    out += "\nExamples:\n";
    for (const auto& e : h.examples) out += "  " + e + "\n";
  }
  return out;
}

UsageError unknown_word(const std::string& what, const std::string& word, const std::vector<std::string>& valid) {
  std::string msg = "unknown " + what + " '" + printable(word) + "'";
  if (auto c = closest(word, valid)) msg += "; did you mean '" + *c + "'?";
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  return UsageError{msg + " (one of: " + list + ")"};
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description& pos) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::string name = e.get_option_name();
    std::string msg = "unknown option '" + printable(name) + "'";
    if (name.rfind("--", 0) == 0) {
      // The closest long option, compared without the dashes.
      std::vector<std::string> bare;
      for (const auto& n : long_names(desc)) bare.push_back(n.substr(2));
      if (auto c = closest(std::string_view(name).substr(
                               2, name.find('=') == std::string::npos ? std::string::npos : name.find('=') - 2),
                           bare))
        msg += "; did you mean '--" + *c + "'?";
    }
    throw UsageError{msg};
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  return vm;
}

std::string opt(const po::variables_map& vm, const char* name, std::string fallback) {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

IssueFormat issue_format_option(const po::variables_map& vm) {
  auto format = parse_issue_format(opt(vm, "input-format", "auto"));
  if (!format) throw UsageError{"--input-format takes auto, json or markdown (text)"};
  return *format;
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

namespace {

// The built-in taxonomy, read once: what a taxonomy of the user's is compared with.
const Taxonomy* builtin_taxonomy_read() {
  static const std::optional<Taxonomy> t = [] {
    auto b = builtin_taxonomy();
    return load_taxonomy(b.text, std::string(b.name)).taxonomy;
  }();
  return t ? &*t : nullptr;
}

}  // namespace

bool has_builtin_scale(const Taxonomy& taxonomy) {
  const Taxonomy* builtin = builtin_taxonomy_read();
  if (!builtin || builtin->levels.size() != taxonomy.levels.size()) return false;
  for (const auto& cat : builtin->categories)
    if (!taxonomy.category_index(cat.id)) return false;
  return true;
}

namespace {

// Whether the built-in packs can read issues under a taxonomy of the user's: they name
// the built-in taxonomy's categories and criteria. One diagnostic when some are missing
// (not one for each of the hundreds of rules that name them).
bool builtin_packs_fit(const Taxonomy& taxonomy, const std::string& file, Diagnostics& diags) {
  const Taxonomy* builtin = builtin_taxonomy_read();
  if (!builtin) return true;  // cannot happen: the build checks it; the packs' load would say
  std::string missing;
  for (const auto& cat : builtin->categories)
    if (!taxonomy.category_index(cat.id)) missing += (missing.empty() ? "" : ", ") + cat.id;
  for (const auto& k : builtin->criteria)
    if (!taxonomy.criterion_index(k.id)) missing += (missing.empty() ? "" : ", ") + k.id;
  if (missing.empty()) return true;
  Diagnostic d;
  d.code = "taxonomy-mismatch";
  d.where.file = file;
  d.message = "the built-in rule packs name categories and criteria this taxonomy lacks (" + missing + ")";
  d.hint = "give rules written for this taxonomy: --rules FILE, or a pack map with --packs FILE";
  diags.add(std::move(d));
  return false;
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
  if (map.empty() && vm.count("taxonomy") && !builtin_packs_fit(*c.taxonomy, c.taxonomy_file, c.diagnostics)) return c;
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
      std::vector<std::string> names;
      for (const auto& p : c.packs->packs()) names.push_back(p.name);
      throw unknown_word("pack", c.forced_pack, names);
    }
  }
  // A pack map of the user's, or the built-in packs read against a taxonomy of the
  // user's: every pack that may read an issue is checked now (a category the taxonomy
  // lacks is a diagnostic at start, not an issue read by no rules). The built-in packs
  // under the built-in taxonomy are checked by the test suite: each loads when it is
  // first needed (start-up compiles one pack, not all).
  if (!map.empty() || vm.count("taxonomy"))
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
  CriteriaFlags f;
  std::string set_help = "answer criterion C (any criterion id; repeatable)";
  auto add_set = [&] {
    f.desc.add_options()("set", po::value<std::vector<std::string>>()->value_name("C=yes|no"), set_help.c_str());
  };
  // First pass: only to find --taxonomy, whose criteria give the --ID/--no-ID flags.
  po::options_description pre = common_options();
  po::variables_map pre_vm;
  try {
    po::store(po::command_line_parser(args).options(pre).allow_unregistered().run(), pre_vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  f.probe = load_config(pre_vm, false);
  if (!f.probe.taxonomy) {
    add_set();
    return f;
  }
  const po::options_description common = common_options(), rules = rules_options();
  for (const auto& c : f.probe.taxonomy->criteria) {
    // An id that would shadow an option gets no shorthand: --set still works for it.
    auto taken = [&](const std::string& name) {
      return own.find_nothrow(name, false) || common.find_nothrow(name, false) || rules.find_nothrow(name, false) ||
             name == "set";
    };
    if (taken(c.id) || taken("no-" + c.id)) {
      set_help += "; " + c.id + " has no --" + c.id + " flag (an option of that name): --set " + c.id + "=yes";
      continue;
    }
    f.ids.push_back(c.id);
    f.desc.add_options()(c.id.c_str(), po::bool_switch(), (c.id + "=yes: " + c.question).c_str());
    f.desc.add_options()(("no-" + c.id).c_str(), po::bool_switch(), (c.id + "=no").c_str());
  }
  add_set();
  return f;
}

namespace {

// Parses with the groups given, prints the help when --help was given; nullopt then.
std::optional<po::variables_map> parse_groups(const std::vector<std::string>& args,
                                              const std::vector<OptionGroup>& groups, const HelpText& help,
                                              const po::positional_options_description& pos,
                                              const std::set<std::string>& hidden,
                                              const po::positional_options_description* help_pos = nullptr) {
  po::options_description all;
  for (const auto& g : groups) all.add(*g.options);
  // A hidden option is a positional argument's slot, not an option to write.
  for (const auto& a : args)
    for (const auto& h : hidden)
      if (a == "--" + h || a.rfind("--" + h + "=", 0) == 0) throw UsageError{"unknown option '" + printable(a) + "'"};
  auto vm = parse(args, all, pos);
  if (!vm["help"].as<bool>()) return vm;
  std::cout << format_help(help, groups, help_pos ? *help_pos : pos, hidden);
  return std::nullopt;
}

}  // namespace

std::optional<po::variables_map> parse_command(const std::vector<std::string>& args, const po::options_description& own,
                                               const HelpText& help, unsigned shared,
                                               const po::positional_options_description& pos,
                                               const std::set<std::string>& hidden) {
  const po::options_description rules = rules_options(), common = common_options();
  std::vector<OptionGroup> groups{{"Options", &own}};
  if (shared & shared_rules) groups.push_back({"Rules options", &rules});
  groups.push_back({"Common options", &common});
  return parse_groups(args, groups, help, pos, hidden);
}

InputCommand parse_input_command(const std::vector<std::string>& args, const po::options_description& own,
                                 const HelpText& help, unsigned shared, bool one_input) {
  InputCommand c{{}, shared & shared_answers ? criteria_flags(args, own) : CriteriaFlags{}, false};
  const po::options_description rules = rules_options(), common = common_options();
  std::vector<OptionGroup> groups{{"Options", &own}};
  if (shared & shared_answers)
    groups.push_back({"Criteria answers (the loaded matrix's; given answers win over the text)", &c.criteria.desc});
  if (shared & (shared_rules | shared_answers)) groups.push_back({"Rules options", &rules});
  groups.push_back({"Common options", &common});
  // Every file is taken, so that a command of one input says so in its own words; its
  // help shows one.
  po::positional_options_description pos, one;
  pos.add("input", -1);
  one.add("input", 1);
  auto vm = parse_groups(args, groups, help, pos, {}, one_input ? &one : nullptr);
  c.help = !vm;
  if (vm) c.vm = std::move(*vm);
  return c;
}

namespace {

// Whether a file given as one issue is a CSV table: named *.csv, or starting with a header
// line of two or more column names (each a word without spaces, or quoted) and a second
// line with as many fields. Text issues whose title has commas have a blank line or prose
// after it.
bool csv_table(const std::string& path, std::string_view text) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".csv") return true;
  text = without_bom(text);
  auto line = [&](std::size_t k) {
    std::size_t start = 0;
    for (; k > 0 && start != std::string_view::npos; --k) {
      start = text.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || start >= text.size()) return std::string_view();
    std::string_view l = text.substr(start, text.find('\n', start) - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  const std::string_view head = line(0), next = line(1);
  const auto commas = [](std::string_view l) { return std::count(l.begin(), l.end(), ','); };
  if (commas(head) == 0 || next.empty() || commas(next) < commas(head)) return false;
  std::size_t start = 0;
  while (start <= head.size()) {
    std::size_t end = std::min(head.find(',', start), head.size());
    std::string_view name = head.substr(start, end - start);
    const bool quoted = name.size() >= 2 && name.front() == '"' && name.back() == '"';
    const bool word = !name.empty() && std::none_of(name.begin(), name.end(), [](char ch) {
      return std::isspace(static_cast<unsigned char>(ch)) || ch == '"' || ch == '#' || ch == '`';
    });
    if (!quoted && !word) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

namespace {

// Collects the issues of a batch run and its bad records, in input order.
struct IssueSink : BatchSink {
  std::vector<Issue> issues;
  std::vector<Reject> rejects;
  std::vector<std::string> input_errors;
  void write(std::string_view) override {}
  void labeled(Classification&&, const std::string&, const Issue* issue) override {
    if (issue) issues.push_back(*issue);
  }
  void reject(const Reject& r) override { rejects.push_back(r); }
  void input_error(const std::string& input, const std::string& message) override {
    input_errors.push_back(input + ": " + message);
  }
};

// `content`, which `path` held, read as silt batch reads JSON: record by record, a
// broken one rejected alone. stdin, read already, is given to the batch reader as a
// file in memory put in its place.
std::optional<IssueSink> read_as_batch(const std::string& path, std::string_view content, std::uint64_t max_bytes,
                                       const Classifier& classifier) {
  if (path == "-") {
    const int fd = memfd_create("silt-stdin", MFD_CLOEXEC);
    if (fd < 0) return std::nullopt;
    bool ok = true;
    for (std::size_t at = 0; ok && at < content.size();) {
      const ssize_t n = ::write(fd, content.data() + at, content.size() - at);
      ok = n > 0;
      if (ok) at += static_cast<std::size_t>(n);
    }
    ok = ok && ::lseek(fd, 0, SEEK_SET) == 0 && ::dup2(fd, STDIN_FILENO) == STDIN_FILENO;
    ::close(fd);
    if (!ok) return std::nullopt;
  }
  BatchOptions options;
  options.inputs = {path};
  options.input_format = InputFormat::detect;  // JSON Lines framed by lines, as batch frames them
  options.output_format = OutputFormat::values;
  options.keep_issues = true;
  options.pull_requests = true;  // classify labels one it is given, and says so
  options.jobs = 1;
  options.max_record = max_bytes;
  IssueSink sink;
  run_batch(classifier, options, sink);
  return sink;
}

}  // namespace

std::optional<std::vector<Issue>> read_issue_file(const std::string& path, std::uint64_t max_bytes, bool* left_out,
                                                  IssueFormat format, const Classifier* read_on) {
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
  if (format == IssueFormat::detect && csv_table(path, content.value())) {
    spdlog::error(
        "{}: a CSV table, not an issue; '{}' labels a CSV of issues (a row each, with title and body "
        "columns)",
        printable(name),
        path == "-" ? "silt batch --input-format csv -" : "silt batch " + shell_quote(printable(path)));
    return std::nullopt;
  }
  auto say = [&](const Error& e) {
    if (e.line > 0 && e.column > 0)
      spdlog::error("{}:{}:{}: {}", printable(name), e.line, e.column, printable(e.message));
    else if (e.line > 0)
      spdlog::error("{}:{}: {}", printable(name), e.line, printable(e.message));
    else
      spdlog::error("{}: {}", printable(name), printable(e.message));
  };
  std::vector<Error> skipped;  // elements that are no issue: named, the others read
  auto issues = read_issues(content.value(), name, left_out ? &skipped : nullptr, format);
  // JSON whose syntax is broken stops the reading of the documents after it (and fails
  // an array whole): read again record by record, as batch reads it, when that keeps
  // more issues (JSON Lines are read line by line already).
  const auto broken = [](const Error& e) { return e.code == "invalid-json"; };
  if (read_on && left_out && format != IssueFormat::text &&
      (issues.ok() ? std::any_of(skipped.begin(), skipped.end(), broken) : broken(issues.error()))) {
    auto again = read_as_batch(path, content.value(), max_bytes, *read_on);
    if (again && again->issues.size() > (issues.ok() ? issues.value().size() : 0)) {
      for (const auto& r : again->rejects) spdlog::error("{}", rejected_line(r));
      for (const auto& e : again->input_errors) spdlog::error("{}", printable(e));
      *left_out = true;
      return std::move(again->issues);
    }
  }
  if (!issues.ok()) {
    say(issues.error());
    return std::nullopt;
  }
  for (const auto& e : skipped) say(e);
  if (left_out) *left_out = !skipped.empty();
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

std::size_t count_in_range(const po::variables_map& vm, const char* name, long long lo, long long hi) {
  const long long v = vm[name].as<long long>();
  if (v < lo || v > hi)
    throw UsageError{"--" + std::string(name) + " takes " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", not " + std::to_string(v)};
  return static_cast<std::size_t>(v);
}

Issue inline_issue(const po::variables_map& vm) {
  Issue issue;
  issue.id = "inline";
  issue.title = opt(vm, "title");
  issue.body = opt(vm, "text");
  // As a JSON issue with neither is refused: there is nothing to read.
  if (issue.title.find_first_not_of(" \t\r\n") == std::string::npos &&
      issue.body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError{"--title and --text are empty: the inline issue has neither a title nor a body"};
  issue.join_lists();
  return issue;
}

void MemorySink::write(std::string_view bytes) {
  out.append(bytes);
}

void MemorySink::labeled(Classification&& c, const std::string& source, const Issue*) {
  c.source = source;
  values.push_back(std::move(c));
}

void MemorySink::reject(const Reject& r) {
  ++rejected;
  spdlog::warn("{}", rejected_line(r));
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
      std::vector<std::string> ids;
      for (const auto& c : tax.criteria) ids.push_back(c.id);
      throw unknown_word("criterion", id, ids);
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
