// Private: a rules file and the files it includes, read and checked but not compiled
// (rules_load.cpp reads, rules.cpp compiles).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "prefilter.h"
#include "silt/diagnostics.h"
#include "silt/report.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace re2 {
class RE2;
}

namespace silt::detail {

struct TextPattern {
  std::string text;
  SourceLocation where;
};

// Everything the files say, merged: included files first, then the including file, whose
// settings win; rules, boilerplate and sections add up.
struct RulesSpec {
  std::string file;                // the top file
  std::vector<std::string> files;  // every file read, the top one first
  std::map<std::string, double, std::less<>> field_weights;
  std::optional<double> review_confidence, review_margin;
  std::optional<std::vector<std::pair<double, double>>> calibration;
  std::vector<TextPattern> boilerplate;
  std::vector<std::pair<Section, TextPattern>> sections;
  ScoreModel model;  // complete: defaults filled from the taxonomy
  std::vector<Rule> rules;
  std::vector<SourceLocation> pattern_where;  // of each rule's pattern
  // A spec read from JSON without its rules' tests (a start needs none; `rules test` and
  // `lint` do): that JSON, to read them from when asked (tests_from_json), and what keeps
  // it alive (null for a built-in spec, which lives as long as the program). Empty when
  // the rules hold their tests.
  std::string_view tests_json;
  std::shared_ptr<const std::string> tests_owner;
};

// The section names of a `sections:` map, in the order a heading is tried.
const std::vector<std::pair<std::string, Section>>& section_names();

// Reads `yaml` (and its includes, through `includes`) into a spec; every finding goes
// to `diags`. nullopt when the top file cannot be parsed at all.
std::optional<RulesSpec> read_rules_spec(std::string_view yaml, const std::string& file, const Taxonomy& taxonomy,
                                         const IncludeReader& includes, Diagnostics& diags);

// How a rule set finds which rules may fire in a text (prefilter.h).
enum class Matcher {
  automatic,      // the prefilter built into silt or cached (prefilter_cache_dir) for
                  // each file's patterns if there is one, else the reference sets;
                  // SILT_MATCHER=re2 in the environment: the reference sets
  reference,      // RE2 sets only
  hyperscan_now,  // a prefilter compiled now (seconds: the build tool, and tests)
  cache,          // as automatic, with the cached prefilters of users' files; a part
                  // with none is compiled now and cached (silt rules compile)
};

// SILT_MATCHER from the environment ("" when unset): "re2" makes the automatic matcher
// take the RE2 sets (to compare the two).
std::string_view matcher_override();

// A pattern's RE2, compiled on first use and shared by every rule set of the process
// that has the same pattern: the packs include generic.yaml's rules, and a batch over
// many repositories compiled each of them once a pack (on the 217 real reports, first
// compiles were half the CPU).
//
// Two compilations, each on first use: UTF-8, for any text, and Latin-1, for ASCII text.
// On ASCII text a Latin-1 compilation of an ASCII pattern finds exactly the matches the
// UTF-8 one finds, at the same places (they differ only on bytes over 0x7f: classes, case
// folding such as K and the Kelvin sign) with about half the instructions, so it is
// quicker to build (a third of a one-issue run was compiling rules' RE2s). A pattern with
// a byte over 0x7f (Latin-1 would read `’?` as its last byte made optional) or that
// Latin-1 cannot parse (an escape over U+00FF, such as \x{201C}) takes UTF-8 on any text.
class SharedRe2 {
 public:
  SharedRe2(std::string text, bool case_sensitive);
  ~SharedRe2();
  // The compilation for a text that is ASCII (`ascii_text`) or may not be; compiled on
  // the first call that needs it; safe from many threads.
  const re2::RE2& get(bool ascii_text = false) const;

 private:
  std::string text_;
  bool case_sensitive_;
  mutable std::once_flag once_, latin1_once_;
  mutable std::unique_ptr<re2::RE2> re_, latin1_;  // latin1_ null: the pattern takes UTF-8
};

// The shared RE2 of `text`: the one a living rule set holds already, else a new one (not
// compiled until used). Safe from many threads; two threads asking for different patterns
// compile them at the same time.
std::shared_ptr<const SharedRe2> shared_re2(const std::string& text, bool case_sensitive);

// The empty-match findings of compile_rules for a spec read with errors (which is not
// compiled), so that a file's findings all come at once: its valid patterns checked.
void check_empty_matches_alone(const RulesSpec& spec, Diagnostics& diags);

// Compiles a spec without errors into a RuleSet; compile-time findings (a pattern that
// matches the empty text) go to `diags`. nullopt when there are any.
std::optional<RuleSet> compile_rules(RulesSpec spec, const Taxonomy& taxonomy, Diagnostics& diags,
                                     Matcher matcher = Matcher::automatic);

// What the prefilter of a spec is built from: one part a file, with the index of the
// file's first rule, boilerplate and heading pattern in the spec. Empty when a file's
// patterns are not contiguous (then there is no prefilter).
struct PrefilterPart {
  std::string file;
  std::size_t rule0 = 0, boilerplate0 = 0, heading0 = 0;
  PrefilterSource source;
};
std::vector<PrefilterPart> prefilter_parts(const RulesSpec& spec);
// The prefilter built into silt whose source has this fingerprint (empty when there is
// none): builtin_prefilters.cpp, generated at build time by tools/build_prefilters.cpp.
std::string_view builtin_prefilter(std::uint64_t fingerprint);

// A spec as JSON, and back (nullopt when the text is not one, or was read against a
// taxonomy with other categories, criteria or implications). The build writes one for
// every built-in rules file; builtin_spec gives it (empty when there is none).
// Without `with_tests`, the rules' tests are left out (the build writes them apart:
// tests_to_json).
std::string spec_to_json(const RulesSpec& spec, const Taxonomy& taxonomy, bool with_tests = true);
// The rules' tests alone, as tests_from_json reads them.
std::string tests_to_json(const RulesSpec& spec);
// Without `with_tests`, the rules' tests are left in the text (RulesSpec::tests_json), a
// copy of it kept for them.
std::optional<RulesSpec> spec_from_json(std::string_view text, const Taxonomy& taxonomy, bool with_tests = false);
// The same for a built-in spec (builtin_spec, written without its tests) and its tests
// (builtin_spec_tests), which live as long as the program: the tests are read from there
// when asked for, neither copied nor parsed at a start (a third of the spec's bytes).
std::optional<RulesSpec> spec_from_builtin_json(std::string_view text, std::string_view tests,
                                                const Taxonomy& taxonomy);
// The tests of every rule of a spec's JSON, in rule order; nullopt when the text is not
// a spec.
std::optional<std::vector<std::vector<RuleTest>>> tests_from_json(std::string_view text);
std::string_view builtin_spec(std::string_view file);
std::string_view builtin_spec_tests(std::string_view file);

// The cache of users' rules files' specs (prefilter_cache.cpp), written by `silt rules
// compile` beside their prefilters so that an unchanged file is not read as YAML again
// (the YAML parse is most of a one-issue run with a user's rules). One file a rules file,
// spec-KEY.json, KEY a hash of silt's version, the file's name and its text; in it the
// hash of the text of every file it includes, checked at each read, the spec as JSON
// (spec_to_json), the findings of the read (warnings: a file with errors is not cached),
// given again at each read so that none is lost, and a checksum.
struct CachedSpec {
  std::vector<std::pair<std::string, std::uint64_t>> includes;  // every included file, its text's hash
  std::vector<Diagnostic> findings;
  RulesSpec spec;
};
std::string spec_cache_path(const std::string& dir, const std::string& file, std::string_view yaml);
std::string spec_cache_bytes(const CachedSpec& cached, const Taxonomy& taxonomy);
// nullopt when the bytes are not a whole cache file (damaged, cut short, another
// format or taxonomy).
std::optional<CachedSpec> read_spec_cache_file(std::string_view bytes, const Taxonomy& taxonomy);

}  // namespace silt::detail
