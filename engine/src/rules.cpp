#include "silt/rules.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "silt/utf8.h"

#include "prefilter.h"
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

// A prefilter: one RE2::Set over some rules' patterns, compiled twice. On ASCII text
// (most of what silt reads) a Latin-1 compilation of an ASCII pattern matches exactly what
// UTF-8 matches (classes, case folding and counted repeats only differ on bytes over
// 0x7f) with about half the instructions, faster to build and to run. The other patterns
// go to a small UTF-8 set of their own, scanned beside it: those Latin-1 cannot parse
// (an escape over U+00FF, such as \x{201C}) and those with a character over U+007F
// written as such, which Latin-1 would read as its UTF-8 bytes (in `can’?t` the `?`
// would make the last byte optional, not the quote). Both are compiled at load. The whole set in UTF-8 is compiled the
// first time a text with other bytes comes (safe from many threads).
struct PrefilterSet {
  std::vector<std::string> patterns;
  struct Part {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> index;  // set index -> pattern index
  };
  std::vector<Part> ascii;  // empty when they could not be built
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2::Set> utf8;

  static RE2::Options options(bool latin1) {
    RE2::Options o = re2_options(true);
    o.set_max_mem(256 << 20);
    if (latin1) o.set_encoding(RE2::Options::EncodingLatin1);
    return o;
  }
  explicit PrefilterSet(std::vector<std::string> p) : patterns(std::move(p)) {
    Part latin1{std::make_unique<RE2::Set>(options(true), RE2::UNANCHORED), {}};
    Part rest{std::make_unique<RE2::Set>(options(false), RE2::UNANCHORED), {}};
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      Part& part = is_ascii(patterns[i]) && latin1.set->Add(patterns[i], nullptr) >= 0 ? latin1 : rest;
      if (&part == &rest && rest.set->Add(patterns[i], nullptr) < 0) return;  // not even in UTF-8
      part.index.push_back(static_cast<int>(i));
    }
    for (Part* part : {&latin1, &rest}) {
      if (part->index.empty()) continue;
      if (!part->set->Compile()) {
        ascii.clear();
        return;
      }
      ascii.push_back(std::move(*part));
    }
  }
  const RE2::Set* utf8_set() const {
    std::call_once(once, [&] {
      auto set = std::make_unique<RE2::Set>(options(false), RE2::UNANCHORED);
      for (const auto& p : patterns)
        if (set->Add(p, nullptr) < 0) return;
      if (set->Compile()) utf8 = std::move(set);
    });
    return utf8.get();
  }
  // The indices of the patterns that match `text`, when it is ASCII (`ascii_text`) and
  // the ASCII sets could be built and scan it; false otherwise.
  bool match_ascii(std::string_view text, bool ascii_text, std::vector<int>& found) const {
    if (ascii.empty() || !ascii_text) return false;
    found.clear();
    thread_local std::vector<int> part_found;
    for (const Part& part : ascii) {
      part_found.clear();
      RE2::Set::ErrorInfo info{};
      if (!part.set->Match(re2::StringPiece(text.data(), text.size()), &part_found, &info) &&
          info.kind != RE2::Set::kNoError)
        return false;  // out of memory
      for (int i : part_found) found.push_back(part.index[static_cast<std::size_t>(i)]);
    }
    return true;
  }
  // The indices of the patterns that match `text`, ASCII or not (`ascii_text`); false
  // when no set could be built or scan it (out of memory).
  bool match(std::string_view text, bool ascii_text, std::vector<int>& found) const {
    if (match_ascii(text, ascii_text, found)) return true;
    const RE2::Set* set = utf8_set();
    if (!set) return false;
    found.clear();
    RE2::Set::ErrorInfo info{};
    return set->Match(re2::StringPiece(text.data(), text.size()), &found, &info) || info.kind == RE2::Set::kNoError;
  }
};

namespace detail {

SharedRe2::SharedRe2(std::string text, bool case_sensitive) : text_(std::move(text)), case_sensitive_(case_sensitive) {}

SharedRe2::~SharedRe2() = default;

const RE2& SharedRe2::get(bool ascii_text) const {
  if (ascii_text) {
    std::call_once(latin1_once_, [&] {
      if (!silt::is_ascii(text_)) return;
      RE2::Options o = re2_options(case_sensitive_);
      o.set_encoding(RE2::Options::EncodingLatin1);
      auto re = std::make_unique<RE2>(text_, o);
      if (re->ok()) latin1_ = std::move(re);
    });
    if (latin1_) return *latin1_;
  }
  std::call_once(once_, [&] { re_ = std::make_unique<RE2>(text_, re2_options(case_sensitive_)); });
  return *re_;
}

std::shared_ptr<const SharedRe2> shared_re2(const std::string& text, bool case_sensitive) {
  static std::mutex mutex;
  static std::map<std::pair<bool, std::string>, std::weak_ptr<const SharedRe2>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[{case_sensitive, text}];
  if (auto held = slot.lock()) return held;
  auto made = std::make_shared<const SharedRe2>(text, case_sensitive);
  slot = made;
  if (cache.size() > 4096)  // rule sets come and go in a long-lived process: forget the dead
    std::erase_if(cache, [](const auto& kv) { return kv.second.expired(); });
  return made;
}

}  // namespace detail

// The compiled form. Each rule's own RE2 (and its `unless`), compiled on first use:
// most rules never fire on a given input, and compiling them all would be most of the
// start-up. The prefilter tells which rules may fire in a text: Hyperscan (prefilter.h)
// when it could be built or read, else the reference path, one RE2::Set per group of
// fields. Boilerplate and headings likewise: Hyperscan's candidates confirmed by RE2, or
// RE2 sets. Everything lazy is safe from many threads.
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
  // A list of patterns compiled one by one on first use, each shared with every rule
  // set that has the same pattern (shared_re2).
  struct Lazy {
    std::vector<std::string> text;
    std::vector<bool> case_sensitive;
    mutable std::vector<std::shared_ptr<const detail::SharedRe2>> re;
    mutable std::unique_ptr<std::once_flag[]> once;
    void add(std::string t, bool cs) {
      text.push_back(std::move(t));
      case_sensitive.push_back(cs);
    }
    void seal() {
      re.resize(text.size());
      once = std::make_unique<std::once_flag[]>(text.size());
    }
    // The pattern's compilation for a text that is ASCII (`ascii_text`) or may not be.
    const RE2& at(std::size_t i, bool ascii_text) const {
      std::call_once(once[i], [&] { re[i] = detail::shared_re2(text[i], case_sensitive[i]); });
      return re[i]->get(ascii_text);
    }
    const RE2& operator[](std::size_t i) const { return at(i, false); }
  };
  Lazy patterns, unless, boilerplate, headings;
  std::vector<bool> has_unless;
  std::vector<Section> heading_sections;  // heading pattern -> section
  // The prefilter, one part a file (a pack's rules and those of the files it includes):
  // a part's candidates are indices from its file's first rule, boilerplate and
  // heading. Empty: the reference path.
  struct Part {
    std::size_t rule0 = 0, boilerplate0 = 0, heading0 = 0;
    std::shared_ptr<const detail::Prefilter> pf;
  };
  std::vector<Part> hs;
  std::vector<FieldSet> fields;  // the reference path's sets
  mutable std::once_flag sets_once;
  mutable std::unique_ptr<RE2::Set> boilerplate_set, headings_set;  // the reference path's

  const RE2& pattern(std::size_t i, bool ascii_text = false) const { return patterns.at(i, ascii_text); }
  // The rules that may fire in `text` read as field `field`, in increasing order.
  void candidates(std::size_t field, std::string_view text, std::vector<std::size_t>& out) const {
    out.clear();
    std::vector<std::size_t> part_out;
    for (const auto& part : hs) {
      part.pf->candidates(field, text, part_out);
      for (std::size_t r : part_out) out.push_back(part.rule0 + r);
    }
  }
  const RE2* unless_of(std::size_t i, bool ascii_text = false) const {
    return has_unless[i] ? &unless.at(i, ascii_text) : nullptr;
  }

  void reference_sets() const {
    std::call_once(sets_once, [&] {
      auto build = [](const Lazy& l, RE2::Anchor anchor) -> std::unique_ptr<RE2::Set> {
        if (l.text.empty()) return nullptr;
        auto set = std::make_unique<RE2::Set>(re2_options(false), anchor);
        for (const auto& t : l.text)
          if (set->Add(t, nullptr) < 0) return nullptr;
        return set->Compile() ? std::move(set) : nullptr;
      };
      boilerplate_set = build(boilerplate, RE2::UNANCHORED);
      headings_set = build(headings, RE2::ANCHOR_BOTH);
    });
  }

  bool is_boilerplate(std::string_view text) const {
    if (boilerplate.text.empty()) return false;
    const re2::StringPiece piece(text.data(), text.size());
    if (!hs.empty()) {
      std::vector<std::size_t> cands;
      const bool ascii = is_ascii(text);
      for (const auto& part : hs) {
        part.pf->boilerplate_candidates(text, cands);
        for (std::size_t c : cands)
          if (RE2::PartialMatch(piece, boilerplate.at(part.boilerplate0 + c, ascii))) return true;
      }
      return false;
    }
    reference_sets();
    std::vector<int> found;
    return boilerplate_set && boilerplate_set->Match(piece, &found);
  }

  std::optional<Section> section_of(std::string_view heading) const {
    if (headings.text.empty()) return std::nullopt;
    // Without surrounding punctuation, emoji and spaces ("## 🐛 Bug", "**Describe the bug:**"),
    // but with the letters of any script ("问题描述", "Übersicht"): a closing parenthesis
    // ends it ("Environment (required)").
    // ASCII bytes are told apart at once; a character beyond ASCII by RE2's Unicode
    // classes, one character at a time (a pattern with a capture, run on every heading,
    // sent RE2 to its slow NFA).
    // Compiled on the first character beyond ASCII only: Unicode's letters and numbers
    // are a class of hundreds of ranges, a tenth of a one-issue run to compile.
    auto is_letter = [](std::string_view cp) {
      static const RE2 letter(R"([\pL\pN])");
      return RE2::FullMatch(re2::StringPiece(cp.data(), cp.size()), letter);
    };
    std::size_t b = 0, e = heading.size();
    while (b < e) {
      const auto c = static_cast<unsigned char>(heading[b]);
      if (c < 0x80) {
        if (std::isalnum(c)) break;
        ++b;
        continue;
      }
      std::size_t n = 1;
      while (b + n < e && (static_cast<unsigned char>(heading[b + n]) & 0xC0) == 0x80) ++n;
      if (is_letter(heading.substr(b, n))) break;
      b += n;
    }
    while (e > b) {
      const auto c = static_cast<unsigned char>(heading[e - 1]);
      if (c < 0x80) {
        if (std::isalnum(c) || c == ')') break;
        --e;
        continue;
      }
      const std::size_t s = std::max(b, utf8_cut(heading, e - 1));  // where the last character starts
      if (is_letter(heading.substr(s, e - s))) break;
      e = s;
    }
    if (b == e || e - b > 200) return std::nullopt;
    std::string text(heading.substr(b, e - b));
    for (auto& c : text) {
      if (c == '\n' || c == '\t' || c == '\r') c = ' ';
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!hs.empty()) {  // the first heading pattern that matches, in the spec's order, as the reference set's
      std::vector<std::size_t> cands;
      std::optional<std::size_t> first;
      const bool ascii = is_ascii(text);
      for (const auto& part : hs) {
        part.pf->heading_candidates(text, cands);
        for (std::size_t c : cands)
          if (RE2::FullMatch(text, headings.at(part.heading0 + c, ascii))) {
            if (!first || part.heading0 + c < *first) first = part.heading0 + c;
            break;  // a part's candidates come in its order: the rest come later
          }
      }
      if (!first) return std::nullopt;
      return heading_sections[*first];
    }
    reference_sets();
    std::vector<int> found;
    if (!headings_set || !headings_set->Match(text, &found) || found.empty()) return std::nullopt;
    return heading_sections[static_cast<std::size_t>(*std::min_element(found.begin(), found.end()))];
  }
};

// Builds a RuleSet; a friend so the class can keep its members private.
struct RuleSet::Tests {
  std::once_flag once;
  std::string_view json;                       // empty: `rules` holds them already
  std::shared_ptr<const std::string> owner;    // what keeps `json` alive (null: built in)
  std::vector<std::vector<RuleTest>> by_rule;  // filled from `json` once asked for
};

struct RuleSetBuilder {
  static RuleSet make(detail::RulesSpec spec, std::shared_ptr<const RuleSet::Compiled> compiled) {
    RuleSet s;
    s.tests_ = std::make_shared<RuleSet::Tests>();
    s.tests_->json = spec.tests_json;
    s.tests_->owner = std::move(spec.tests_owner);
    if (s.tests_->json.empty())
      for (auto& r : spec.rules) s.tests_->by_rule.push_back(std::move(r.tests));
    for (auto& r : spec.rules) r.tests.clear();
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
  o.set_never_capture(true);  // only whole matches are asked for: smaller programs, faster to build and run
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
  return find_firing(index, text, is_ascii(text), start, end);
}

bool RuleSet::find_firing(std::size_t index, std::string_view text, bool ascii_text, std::size_t& start,
                          std::size_t& end) const {
  const RE2& pattern = compiled_->pattern(index, ascii_text);
  const RE2* unless = compiled_->unless_of(index, ascii_text);  // a sentence of an ASCII text is ASCII
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
  const auto& order = issue_fields();
  std::vector<std::size_t> candidates;
  if (!compiled_->hs.empty()) {
    // One Hyperscan scan a field tells which rules may fire; RE2 finds where, and `unless`.
    for (std::size_t f = 0; f < order.size(); ++f) {
      std::string_view text = issue.field(order[f]);
      if (text.empty()) continue;
      const bool ascii = is_ascii(text);
      if (ascii || valid_utf8(text)) {
        compiled_->candidates(f, text, candidates);
      } else {  // Hyperscan's UTF-8 mode takes valid UTF-8 only: every rule of the field is tested
        candidates.clear();
        for (std::size_t r = 0; r < rules_.size(); ++r)
          if (std::find(rules_[r].fields.begin(), rules_[r].fields.end(), order[f]) != rules_[r].fields.end())
            candidates.push_back(r);
      }
      for (std::size_t r : candidates) {
        std::size_t s = 0, e = 0;
        if (find_firing(r, text, ascii, s, e)) hits.push_back({r, order[f], s, e});
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.rule < b.rule; });
    return hits;
  }
  std::vector<int> found;
  for (const auto& fs : compiled_->fields) {
    std::string_view text = issue.field(fs.field);
    if (text.empty()) continue;
    candidates.clear();
    const bool ascii = is_ascii(text);  // one check for the set and each rule
    if (fs.set->match(text, ascii, found)) {
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
      if (find_firing(r, text, ascii, s, e)) hits.push_back({r, fs.field, s, e});
    }
  }
  // In rule order, then in the order of issue_fields() (as the prefilter's path gives them).
  auto position = [&](const std::string& f) { return std::find(order.begin(), order.end(), f) - order.begin(); };
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    return a.rule != b.rule ? a.rule < b.rule : position(a.field) < position(b.field);
  });
  return hits;
}

bool RuleSet::prefiltered() const {
  return compiled_ && !compiled_->hs.empty();
}

std::vector<Hit> RuleSet::suppressed(const IssueView& issue) const {
  std::vector<Hit> out;
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    if (!compiled_->has_unless[r]) continue;
    for (const auto& field : rules_[r].fields) {
      std::string_view text = issue.field(field);
      std::size_t s = 0, e = 0;
      const bool ascii = is_ascii(text);  // the compilation find_firing took, not a second one
      if (text.empty() || find_firing(r, text, ascii, s, e)) continue;
      re2::StringPiece m;
      if (compiled_->pattern(r, ascii).Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                                             RE2::UNANCHORED, &m, 1)) {
        s = static_cast<std::size_t>(m.data() - text.data());
        out.push_back({r, field, s, s + m.size()});
      }
    }
  }
  return out;
}

const std::vector<RuleTest>& RuleSet::tests(std::size_t index) const {
  static const std::vector<RuleTest> none;
  if (!tests_) return none;
  std::call_once(tests_->once, [this] {
    if (tests_->json.empty()) return;
    // The JSON was read once already, by this build: it reads again. Should it not, the
    // rules have no tests to run rather than wrong ones.
    tests_->by_rule = detail::tests_from_json(tests_->json).value_or(std::vector<std::vector<RuleTest>>{});
    tests_->json = {};
    tests_->owner.reset();
  });
  return index < tests_->by_rule.size() ? tests_->by_rule[index] : none;
}

std::vector<RuleTestFailure> RuleSet::run_tests() const {
  std::vector<RuleTestFailure> out;
  for (std::size_t i = 0; i < rules_.size(); ++i)
    for (const auto& t : tests(i))
      if (fires(i, t.text) != t.should_match) out.push_back({rules_[i].id, t});
  return out;
}

std::size_t RuleSet::test_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < rules_.size(); ++i) n += tests(i).size();
  return n;
}

namespace detail {

namespace {

// Per field, the reference prefilter: a set of the rules that read it.
void build_field_sets(const std::vector<Rule>& rules, RuleSet::Compiled& compiled) {
  const auto& known_fields = issue_fields();
  // A field scans its text once with a set, then drops the rules that matched but do
  // not read it. Compiling a set is most of the start-up, so a field reuses a set
  // already built when that set's rules are a modest superset of its own; otherwise
  // (code and output read few rules, and are long) it gets its own set.
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
      std::vector<std::string> patterns;
      for (std::size_t i : b.rules) {
        patterns.push_back(set_pattern(rules[i]));
        b.index.push_back(static_cast<int>(i));
      }
      b.set = std::make_shared<PrefilterSet>(std::move(patterns));
      built.push_back(std::move(b));
      reuse = &built.back();
    }
    fs.set = reuse->set;
    fs.set_rules = reuse->index;
  }
  compiled.fields = std::move(field_sets);
}

// Whether `re` matches no text at all first in one of a few plain texts: `\b` alone,
// `^`, `(not)?`. Such a pattern fires on nearly every issue, citing nothing.
bool zero_width_match(const RE2& re) {
  for (std::string_view probe : {"a", "a b", " ", ".", "1"}) {
    re2::StringPiece m;
    if (re.Match(re2::StringPiece(probe.data(), probe.size()), 0, probe.size(), RE2::UNANCHORED, &m, 1) && m.empty())
      return true;
  }
  return false;
}

// A pattern that matches the empty text would fire on every issue. The prefilter (or
// the reference sets) tells which rules may; a rule in no set (one failed to build) is
// compiled to tell.
void check_empty_matches(const RulesSpec& spec, const RuleSet::Compiled& compiled, Diagnostics& diags) {
  std::vector<bool> empty(spec.rules.size(), false), covered(spec.rules.size(), false);
  if (!compiled.hs.empty()) {
    std::vector<std::size_t> candidates;
    for (std::size_t f = 0; f < issue_fields().size(); ++f) {
      compiled.candidates(f, "", candidates);
      for (std::size_t r : candidates) empty[r] = RE2::PartialMatch("", compiled.pattern(r));
    }
    covered.assign(spec.rules.size(), true);
  }
  for (const auto& fs : compiled.fields) {
    std::vector<int> found;
    if (!fs.set->match("", true, found)) continue;  // no set: each rule is compiled below to tell
    for (int i : fs.set_rules) covered[static_cast<std::size_t>(i)] = true;
    for (int i : found) empty[static_cast<std::size_t>(fs.set_rules[static_cast<std::size_t>(i)])] = true;
  }
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    if (!covered[i]) empty[i] = RE2::PartialMatch("", compiled.pattern(i));
    std::string message = "the pattern matches the empty text, so it fires on every issue";
    if (!empty[i] && zero_width_match(compiled.pattern(i))) {
      empty[i] = true;
      message =
          "the pattern can match no text at all (an anchor or \\b alone, or all of it optional), so it fires "
          "on almost every issue with nothing to cite";
    }
    auto found = [&](std::string what) {
      Diagnostic d;
      d.code = "empty-match";
      d.where = spec.pattern_where[i];
      d.subject_kind = "rule";
      d.subject = spec.rules[i].id;
      d.message = std::move(what);
      diags.add(std::move(d));
    };
    if (const RE2* unless = compiled.unless_of(i); unless && RE2::PartialMatch("", *unless))
      found("its unless pattern matches the empty text, so it suppresses every match: the rule never fires");
    if (empty[i]) found(std::move(message));
  }
  // A boilerplate pattern that matches the empty text matches every paragraph: the
  // reporter's prose would all be dropped as template text.
  for (std::size_t i = 0; i < spec.boilerplate.size(); ++i) {
    if (!RE2::PartialMatch("", compiled.boilerplate[i])) continue;
    Diagnostic d;
    d.code = "empty-match";
    d.where = spec.boilerplate[i].where;
    d.subject_kind = "boilerplate";
    d.subject = spec.boilerplate[i].text;
    d.message = "the boilerplate pattern matches the empty text, so it drops every paragraph";
    diags.add(std::move(d));
  }
}

}  // namespace

std::vector<PrefilterPart> prefilter_parts(const RulesSpec& spec) {
  std::vector<PrefilterPart> parts;
  // The part of `file`, made when first seen: a file's rules, boilerplate and headings
  // each follow one another in the spec (a file's are read before the next file's).
  auto part_of = [&](const std::string& file) -> PrefilterPart& {
    for (auto& p : parts)
      if (p.file == file) return p;
    parts.push_back({file, spec.rules.size(), spec.boilerplate.size(), spec.sections.size(), {}});
    return parts.back();
  };
  const auto& fields = issue_fields();
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    const Rule& r = spec.rules[i];
    PrefilterPart& part = part_of(r.where.file);
    if (part.source.rules.empty()) part.rule0 = i;
    PrefilterSource::Pattern p;
    p.text = r.pattern;
    p.unless = r.unless;
    p.case_sensitive = r.case_sensitive;
    for (const auto& f : r.fields)
      p.fields.push_back(static_cast<std::size_t>(std::find(fields.begin(), fields.end(), f) - fields.begin()));
    part.source.rules.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < spec.boilerplate.size(); ++i) {
    PrefilterPart& part = part_of(spec.boilerplate[i].where.file);
    if (part.source.boilerplate.empty()) part.boilerplate0 = i;
    part.source.boilerplate.push_back(spec.boilerplate[i].text);
  }
  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    PrefilterPart& part = part_of(spec.sections[i].second.where.file);
    if (part.source.headings.empty()) part.heading0 = i;
    part.source.headings.push_back(spec.sections[i].second.text);
  }
  // Were a file's patterns not one run, the parts would not cover every index once. The
  // runs may come in another order than the parts (a file's own headings come before
  // those of the files it includes): each kind's runs, by where they start, must tile it.
  auto tiles = [&](auto start, auto size, std::size_t total) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (const auto& p : parts)
      if (size(p) > 0) runs.emplace_back(start(p), size(p));
    std::sort(runs.begin(), runs.end());
    std::size_t at = 0;
    for (const auto& [from, n] : runs) {
      if (from != at) return false;
      at += n;
    }
    return at == total;
  };
  if (!tiles([](const PrefilterPart& p) { return p.rule0; },
             [](const PrefilterPart& p) { return p.source.rules.size(); }, spec.rules.size()) ||
      !tiles([](const PrefilterPart& p) { return p.boilerplate0; },
             [](const PrefilterPart& p) { return p.source.boilerplate.size(); }, spec.boilerplate.size()) ||
      !tiles([](const PrefilterPart& p) { return p.heading0; },
             [](const PrefilterPart& p) { return p.source.headings.size(); }, spec.sections.size()))
    return {};
  return parts;
}

namespace {

// Caches a prefilter compiled now; a cache that cannot be written is a warning.
void cache_compiled(const PrefilterPart& part, const Prefilter& pf, Diagnostics& diags) {
  if (auto written = cache_prefilter(pf, part.source); !written.ok()) {
    Diagnostic d;
    d.code = "cache-unwritable";
    d.severity = Severity::warning;
    d.where.file = part.file;
    d.message = "the compiled prefilter could not be cached: " + written.error().message;
    d.hint = "set SILT_CACHE_DIR to a writable directory";
    diags.add(std::move(d));
  }
}

}  // namespace

std::string_view matcher_override() {
  const char* m = std::getenv("SILT_MATCHER");
  return m ? std::string_view(m) : std::string_view();
}

namespace {

// Every pattern of `spec`, compiled when first used; no sets, no prefilter yet.
std::shared_ptr<RuleSet::Compiled> lazy_patterns(const RulesSpec& spec) {
  auto compiled = std::make_shared<RuleSet::Compiled>();
  for (const auto& rule : spec.rules) {
    compiled->patterns.add(rule.pattern, rule.case_sensitive);
    compiled->unless.add(rule.unless, rule.case_sensitive);
    compiled->has_unless.push_back(!rule.unless.empty());
  }
  for (const auto& b : spec.boilerplate) compiled->boilerplate.add(b.text, false);
  for (const auto& [section, h] : spec.sections) {
    compiled->headings.add(h.text, false);
    compiled->heading_sections.push_back(section);
  }
  for (auto* lazy : {&compiled->patterns, &compiled->unless, &compiled->boilerplate, &compiled->headings}) lazy->seal();
  return compiled;
}

}  // namespace

void check_empty_matches_alone(const RulesSpec& spec, Diagnostics& diags) {
  if (spec.pattern_where.size() != spec.rules.size()) return;
  // Each pattern compiled on its own (no set, no prefilter): one that is not valid RE2
  // (reported already) matches nothing.
  check_empty_matches(spec, *lazy_patterns(spec), diags);
}

std::optional<RuleSet> compile_rules(RulesSpec spec, const Taxonomy& taxonomy, Diagnostics& diags, Matcher matcher) {
  (void)taxonomy;
  auto compiled = lazy_patterns(spec);
  if (matcher == Matcher::automatic && matcher_override() == "re2") matcher = Matcher::reference;
  // Each file's prefilter built into silt for these very patterns, or cached, or compiled
  // now; else the reference sets. Built-in and cached prefilters vouch for their
  // patterns (none matches the empty text): the build checked them, and a prefilter is
  // cached only once its patterns passed that check, below.
  bool vouched = matcher != Matcher::hyperscan_now;
  std::vector<PrefilterPart> parts;
  std::vector<std::pair<std::size_t, std::shared_ptr<const Prefilter>>> to_cache;  // part, compiled now
  if (matcher != Matcher::reference) {
    parts = prefilter_parts(spec);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const PrefilterPart& part = parts[k];
      const PrefilterSource& src = part.source;
      if (src.rules.empty() && src.boilerplate.empty() && src.headings.empty()) continue;
      std::shared_ptr<const Prefilter> pf;
      if (matcher == Matcher::hyperscan_now) {
        if (auto c = Prefilter::compile(src); c.ok()) pf = c.value();
      } else if (std::string_view bytes = builtin_prefilter(Prefilter::fingerprint(src)); !bytes.empty()) {
        if (auto b = Prefilter::deserialize(bytes, src); b.ok()) pf = b.value();
      } else {
        pf = cached_prefilter(src);
        if (!pf && matcher == Matcher::cache) {
          if (auto c = Prefilter::compile(src); c.ok()) pf = c.value();
          if (pf) to_cache.emplace_back(k, pf);
          vouched = false;
        }
      }
      if (!pf) {
        compiled->hs.clear();
        break;
      }
      compiled->hs.push_back({part.rule0, part.boilerplate0, part.heading0, pf});
    }
    if (parts.empty()) compiled->hs.clear();
  }
  vouched = vouched && !compiled->hs.empty();
  if (compiled->hs.empty()) build_field_sets(spec.rules, *compiled);
  const std::size_t errors = diags.error_count();
  if (!vouched) check_empty_matches(spec, *compiled, diags);
  if (diags.error_count() > errors) return std::nullopt;
  if (!compiled->hs.empty())
    for (const auto& [k, pf] : to_cache) cache_compiled(parts[k], *pf, diags);
  return RuleSetBuilder::make(std::move(spec), std::move(compiled));
}

}  // namespace detail

}  // namespace silt
