#include "silt/rules.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "rules_spec.h"

namespace silt {

std::string_view to_string(TargetKind k) {
  switch (k) {
    case TargetKind::category:
      return "category";
    case TargetKind::criterion:
      return "criterion";
    case TargetKind::signal:
      return "signal";
  }
  return "?";
}

namespace {
RE2::Options re2_options(bool case_sensitive);
}  // namespace

// A prefilter: one RE2::Set over some rules' patterns. Two compilations of it: in
// Latin-1, compiled at load, which on ASCII text matches exactly what UTF-8 matches
// (classes, case folding and counted repeats only differ on bytes over 0x7f) with about
// half the instructions (its compilation is most of the start-up: 23.5 -> 19 ms a
// process); and in UTF-8, compiled the first time a text with other bytes comes (safe
// from many threads). Either is null when it cannot be built (a pattern Latin-1 cannot
// parse, or out of memory); the UTF-8 one is then the only one.
struct PrefilterSet {
  std::vector<std::string> patterns;
  std::unique_ptr<RE2::Set> ascii;
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2::Set> utf8;

  static std::unique_ptr<RE2::Set> compile(const std::vector<std::string>& patterns, bool latin1) {
    RE2::Options o = re2_options(true);
    o.set_max_mem(256 << 20);
    if (latin1) o.set_encoding(RE2::Options::EncodingLatin1);
    auto set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
    for (const auto& p : patterns)
      if (set->Add(p, nullptr) < 0) return nullptr;
    return set->Compile() ? std::move(set) : nullptr;
  }
  const RE2::Set* utf8_set() const {
    std::call_once(once, [&] { utf8 = compile(patterns, false); });
    return utf8.get();
  }
  // The set to scan `text` with: null when neither could be built.
  const RE2::Set* for_text(std::string_view text) const {
    if (ascii && std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      return ascii.get();
    return utf8_set();
  }
};

// The compiled form: one RE2 per pattern, and per field one RE2::Set of the patterns of
// the rules that look at it, so a field is scanned once to learn which rules may fire.
struct RuleSet::Compiled {
  struct FieldSet {
    std::string field;
    // A set over this field's rules, or over a modest superset of them shared with
    // other fields; when it cannot be built, each rule is tested alone.
    std::shared_ptr<const PrefilterSet> set;
    std::vector<std::size_t> rules;  // the rules that read this field
    std::vector<bool> reads;         // by rule index: whether the rule reads this field
    std::vector<int> set_rules;      // set index -> rule index
  };
  // Each rule's own RE2, compiled on first use: most rules never fire on a given input,
  // and compiling them all is most of the start-up. Safe from many threads.
  const RE2& pattern(std::size_t i) const {
    std::call_once(once[i],
                   [&] { patterns[i] = std::make_unique<RE2>(pattern_text[i], re2_options(case_sensitive[i])); });
    return *patterns[i];
  }
  std::vector<std::string> pattern_text;
  std::vector<bool> case_sensitive;
  mutable std::vector<std::unique_ptr<RE2>> patterns;
  mutable std::unique_ptr<std::once_flag[]> once;
  std::vector<std::unique_ptr<RE2>> unless;  // null when the rule has none
  std::unique_ptr<RE2::Set> boilerplate;     // null when the file has none
  std::unique_ptr<RE2::Set> headings;        // the `sections:` patterns, anchored; null when none
  std::vector<Section> heading_sections;     // set index -> section
  std::vector<FieldSet> fields;

  bool is_boilerplate(std::string_view text) const {
    if (!boilerplate) return false;
    std::vector<int> found;
    return boilerplate->Match(re2::StringPiece(text.data(), text.size()), &found);
  }

  std::optional<Section> section_of(std::string_view heading) const {
    if (!headings) return std::nullopt;
    // Without surrounding punctuation, emoji and spaces ("## 🐛 Bug", "**Describe the bug:**").
    auto edge = [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); };
    std::size_t b = 0, e = heading.size();
    while (b < e && edge(heading[b])) ++b;
    while (e > b && edge(heading[e - 1]) && heading[e - 1] != ')') --e;
    if (b == e || e - b > 200) return std::nullopt;
    std::string text(heading.substr(b, e - b));
    for (auto& c : text) {
      if (c == '\n' || c == '\t' || c == '\r') c = ' ';
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::vector<int> found;
    if (!headings->Match(text, &found) || found.empty()) return std::nullopt;
    return heading_sections[static_cast<std::size_t>(*std::min_element(found.begin(), found.end()))];
  }
};

// Builds a RuleSet; a friend so the class can keep its members private.
struct RuleSetBuilder {
  static RuleSet make(detail::RulesSpec spec, std::shared_ptr<const RuleSet::Compiled> compiled) {
    RuleSet s;
    s.calibration_ = spec.calibration.value_or(std::vector<std::pair<double, double>>{});
    s.review_confidence_ = spec.review_confidence.value_or(0.5);
    s.review_margin_ = spec.review_margin.value_or(0.75);
    s.model_ = std::move(spec.model);
    s.rules_ = std::move(spec.rules);
    s.field_weights_ = std::move(spec.field_weights);
    s.file_ = std::move(spec.file);
    s.files_ = std::move(spec.files);
    s.compiled_ = std::move(compiled);
    // The template reads through the compiled sets, shared by every copy of the set.
    std::shared_ptr<const RuleSet::Compiled> c = s.compiled_;
    s.template_.section_of = [c](std::string_view heading) { return c->section_of(heading); };
    s.template_.is_boilerplate = [c](std::string_view text) { return c->is_boilerplate(text); };
    for (const auto& r : s.rules_)
      for (const auto& f : r.fields) s.uses_report_fields_ = s.uses_report_fields_ || is_report_field(f);
    return s;
  }
};

namespace {

RE2::Options re2_options(bool case_sensitive) {
  RE2::Options o;
  o.set_log_errors(false);  // errors become diagnostics; the library never prints
  o.set_case_sensitive(case_sensitive);
  o.set_max_mem(64 << 20);
  return o;
}

// The pattern as it goes into a set shared by rules of either case sensitivity.
std::string set_pattern(const Rule& r) {
  return (r.case_sensitive ? "" : "(?i)") + r.pattern;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A sentence ends at a line break, or at '.', '!' or '?' followed by a space or the end
// of the text (so "model.fit()" does not end one).
bool ends_sentence(std::string_view text, std::size_t i) {
  char c = text[i];
  if (c == '\n') return true;
  if (c != '.' && c != '!' && c != '?') return false;
  return i + 1 == text.size() || is_space(text[i + 1]);
}

}  // namespace

std::string_view sentence_around(std::string_view text, std::size_t start, std::size_t end) {
  std::size_t b = start;
  while (b > 0 && !ends_sentence(text, b - 1)) --b;
  while (b < start && is_space(text[b])) ++b;
  std::size_t e = end;
  while (e < text.size() && !ends_sentence(text, e)) ++e;
  if (e < text.size()) ++e;  // keep the closing punctuation
  return text.substr(b, e - b);
}

double RuleSet::field_weight(std::string_view field) const {
  auto it = field_weights_.find(field);
  return it == field_weights_.end() ? 1.0 : it->second;
}

double RuleSet::calibrate(double raw) const {
  return silt::calibrate(calibration_, raw);
}

double calibrate(const std::vector<std::pair<double, double>>& c, double raw) {
  if (c.empty()) return raw;
  if (raw <= c.front().first) return c.front().second;
  if (raw >= c.back().first) return c.back().second;
  for (std::size_t i = 1; i < c.size(); ++i)
    if (raw <= c[i].first) {
      const double t = (raw - c[i - 1].first) / (c[i].first - c[i - 1].first);
      return c[i - 1].second + t * (c[i].second - c[i - 1].second);
    }
  return raw;
}

bool RuleSet::is_boilerplate(std::string_view text) const {
  return compiled_->is_boilerplate(text);
}

std::optional<Section> RuleSet::section_of(std::string_view heading) const {
  return compiled_->section_of(heading);
}

bool RuleSet::fires(std::size_t index, std::string_view text) const {
  std::size_t s = 0, e = 0;
  return find_firing(index, text, s, e);
}

bool RuleSet::find_firing(std::size_t index, std::string_view text, std::size_t& start, std::size_t& end) const {
  const RE2& pattern = compiled_->pattern(index);
  const RE2* unless = compiled_->unless[index].get();
  std::size_t from = 0;
  while (from <= text.size()) {
    re2::StringPiece m;
    if (!pattern.Match(re2::StringPiece(text.data(), text.size()), from, text.size(), RE2::UNANCHORED, &m, 1))
      return false;
    start = static_cast<std::size_t>(m.data() - text.data());
    end = start + m.size();
    if (!unless) return true;
    std::string_view sentence = sentence_around(text, start, end);
    if (!RE2::PartialMatch(re2::StringPiece(sentence.data(), sentence.size()), *unless)) return true;
    from = end > start ? end : start + 1;  // suppressed: look for a later match
  }
  return false;
}

std::vector<Hit> RuleSet::match(const IssueView& issue) const {
  std::vector<Hit> hits;
  std::vector<int> found;
  for (const auto& fs : compiled_->fields) {
    std::string_view text = issue.field(fs.field);
    if (text.empty()) continue;
    found.clear();
    bool prefiltered = false;
    if (const RE2::Set* set = fs.set->for_text(text)) {
      RE2::Set::ErrorInfo info{};
      prefiltered =
          set->Match(re2::StringPiece(text.data(), text.size()), &found, &info) || info.kind == RE2::Set::kNoError;
    }
    std::vector<std::size_t> candidates;
    if (prefiltered) {
      for (int i : found) {
        const auto rule = static_cast<std::size_t>(fs.set_rules[static_cast<std::size_t>(i)]);
        if (fs.reads[rule]) candidates.push_back(rule);
      }
      std::sort(candidates.begin(), candidates.end());
    } else {
      candidates = fs.rules;  // no set, or it ran out of memory: test every rule of this field
    }
    for (std::size_t r : candidates) {
      std::size_t s = 0, e = 0;
      if (find_firing(r, text, s, e)) hits.push_back({r, fs.field, s, e});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.rule < b.rule; });
  return hits;
}

std::vector<Hit> RuleSet::suppressed(const IssueView& issue) const {
  std::vector<Hit> out;
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    if (!compiled_->unless[r]) continue;
    for (const auto& field : rules_[r].fields) {
      std::string_view text = issue.field(field);
      std::size_t s = 0, e = 0;
      if (text.empty() || find_firing(r, text, s, e)) continue;
      re2::StringPiece m;
      if (compiled_->pattern(r).Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, &m,
                                      1)) {
        s = static_cast<std::size_t>(m.data() - text.data());
        out.push_back({r, field, s, s + m.size()});
      }
    }
  }
  return out;
}

std::vector<RuleTestFailure> RuleSet::run_tests() const {
  std::vector<RuleTestFailure> out;
  for (std::size_t i = 0; i < rules_.size(); ++i)
    for (const auto& t : rules_[i].tests)
      if (fires(i, t.text) != t.should_match) out.push_back({rules_[i].id, t});
  return out;
}

std::size_t RuleSet::test_count() const {
  std::size_t n = 0;
  for (const auto& r : rules_) n += r.tests.size();
  return n;
}

namespace detail {

namespace {

// The sets of the file's boilerplate and heading patterns.
std::unique_ptr<RE2::Set> pattern_set(const std::vector<TextPattern>& patterns, RE2::Anchor anchor) {
  if (patterns.empty()) return nullptr;
  auto set = std::make_unique<RE2::Set>(re2_options(false), anchor);
  for (const auto& p : patterns)
    if (set->Add(p.text, nullptr) < 0) return nullptr;
  return set->Compile() ? std::move(set) : nullptr;
}

// Per field, the prefilter set of the rules that read it.
void build_field_sets(const std::vector<Rule>& rules, RuleSet::Compiled& compiled, Diagnostics& diags,
                      const std::vector<SourceLocation>& pattern_where) {
  const auto& known_fields = issue_fields();
  // Prefilter sets: a field scans its text once with a set, then drops the rules that
  // matched but do not read it. Compiling a set is most of the start-up, so a field
  // reuses a set already built when that set's rules are a modest superset of its own;
  // otherwise (code and output read few rules, and are long) it gets its own set.
  struct Built {
    std::vector<std::size_t> rules;
    std::shared_ptr<PrefilterSet> set;
    std::vector<int> index;  // set index -> rule index
  };
  std::vector<Built> built;
  std::vector<RuleSet::Compiled::FieldSet> field_sets;
  for (const auto& field : known_fields) {
    RuleSet::Compiled::FieldSet fs;
    fs.field = field;
    fs.reads.assign(rules.size(), false);
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (std::find(rules[i].fields.begin(), rules[i].fields.end(), field) != rules[i].fields.end()) {
        fs.rules.push_back(i);
        fs.reads[i] = true;
      }
    if (!fs.rules.empty()) field_sets.push_back(std::move(fs));
  }
  std::stable_sort(field_sets.begin(), field_sets.end(),
                   [](const auto& a, const auto& b) { return a.rules.size() > b.rules.size(); });
  for (auto& fs : field_sets) {
    const Built* reuse = nullptr;
    for (const auto& b : built)
      if (b.rules.size() <= fs.rules.size() * 2 + 4 &&
          std::includes(b.rules.begin(), b.rules.end(), fs.rules.begin(), fs.rules.end()))
        reuse = &b;
    if (!reuse) {
      Built b;
      b.rules = fs.rules;
      b.set = std::make_shared<PrefilterSet>();
      for (std::size_t i : b.rules) {
        b.set->patterns.push_back(set_pattern(rules[i]));
        b.index.push_back(static_cast<int>(i));
      }
      b.set->ascii = PrefilterSet::compile(b.set->patterns, true);
      built.push_back(std::move(b));
      reuse = &built.back();
    }
    fs.set = reuse->set;
    fs.set_rules = reuse->index;
  }
  compiled.fields = std::move(field_sets);
  compiled.patterns.resize(rules.size());
  compiled.once = std::make_unique<std::once_flag[]>(rules.size());
  // A pattern that matches the empty text would fire on every issue: the sets tell for
  // the rules they hold; a rule in no set (one failed to build) is compiled to tell.
  std::vector<bool> empty(rules.size(), false), covered(rules.size(), false);
  for (const auto& b : built) {
    const RE2::Set* set = b.set->for_text("");  // exact in Latin-1: the empty text is ASCII
    if (!set) continue;
    for (int i : b.index) covered[static_cast<std::size_t>(i)] = true;
    std::vector<int> found;
    if (set->Match("", &found))
      for (int i : found) empty[static_cast<std::size_t>(b.index[static_cast<std::size_t>(i)])] = true;
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!covered[i]) empty[i] = RE2::PartialMatch("", compiled.pattern(i));
    if (empty[i]) {
      Diagnostic d;
      d.code = "empty-match";
      d.where = pattern_where[i];
      d.subject_kind = "rule";
      d.subject = rules[i].id;
      d.message = "the pattern matches the empty text, so it fires on every issue";
      diags.add(std::move(d));
    }
  }
}

}  // namespace

std::optional<RuleSet> compile_rules(RulesSpec spec, const Taxonomy& taxonomy, Diagnostics& diags) {
  (void)taxonomy;
  auto compiled = std::make_shared<RuleSet::Compiled>();
  for (const auto& rule : spec.rules) {
    compiled->pattern_text.push_back(rule.pattern);
    compiled->case_sensitive.push_back(rule.case_sensitive);
    compiled->unless.push_back(
        rule.unless.empty() ? nullptr : std::make_unique<RE2>(rule.unless, re2_options(rule.case_sensitive)));
  }
  compiled->boilerplate = pattern_set(spec.boilerplate, RE2::UNANCHORED);
  std::vector<TextPattern> headings;
  for (const auto& [section, p] : spec.sections) {
    headings.push_back(p);
    compiled->heading_sections.push_back(section);
  }
  compiled->headings = pattern_set(headings, RE2::ANCHOR_BOTH);
  const std::size_t errors = diags.error_count();
  build_field_sets(spec.rules, *compiled, diags, spec.pattern_where);
  if (diags.error_count() > errors) return std::nullopt;
  return RuleSetBuilder::make(std::move(spec), std::move(compiled));
}

}  // namespace detail

}  // namespace silt
