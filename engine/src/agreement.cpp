#include "silt/agreement.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "csv_table.h"
#include "read_file.h"
#include "silt/classification_io.h"

namespace silt {

std::optional<std::size_t> LabelTable::field_index(const std::string& name) const {
  for (std::size_t f = 0; f < fields.size(); ++f)
    if (fields[f] == name) return f;
  return std::nullopt;
}

std::size_t LabelTable::add_rater(const std::string& name) {
  raters.push_back(name);
  for (auto& field : values)
    for (auto& item : field) item.emplace_back();
  for (auto& item : lines) item.push_back(0);
  return raters.size() - 1;
}

namespace {

bool is_metadata(const std::string& h) {
  return h == "note" || h == "notes" || h == "labeled_at" || h == "timestamp" || h == "comment" || h == "comments";
}

std::optional<bool> yes_no(std::string v) {
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "yes" || v == "y" || v == "true" || v == "1" || v == "x") return true;
  if (v == "no" || v == "n" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<double> number(const std::string& s) {
  try {
    std::size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

struct Domain {
  std::vector<std::string> values;
  std::vector<double> numbers;  // for the interval metric, when numeric
  bool ordinal = false;
};

bool is_level_field(const std::string& name) {
  return name == "impact" || name == "level" || name == "impact_level";
}

Domain domain_of(const LabelTable& t, std::size_t f, const Taxonomy& tax, bool nominal) {
  const std::string& name = t.fields[f];
  Domain d;
  if (name == "category") {
    for (const auto& c : tax.categories) d.values.push_back(c.id);
    return d;
  }
  if (is_level_field(name)) {
    // "none" (no level: the bug meets no criterion, as triage writes it), one step below
    // the lowest level as eval counts it; in the domain only when a rater gave it, so
    // that the figures of files without it stay as they were.
    bool none = false;
    for (const auto& item : t.values[f])
      for (const auto& v : item) none = none || detail::trim(v) == "none";
    if (none && !tax.levels.empty()) {
      int lowest = tax.levels.front().number;
      for (const auto& l : tax.levels) lowest = std::min(lowest, l.number);
      d.values.push_back("none");
      d.numbers.push_back(lowest - 1);
    }
    for (const auto& l : tax.levels) {
      d.values.push_back(std::to_string(l.number));
      d.numbers.push_back(l.number);
    }
    d.ordinal = !nominal;
    return d;
  }
  if (tax.criterion_index(name) || name == "silent") {
    d.values = {"no", "yes"};
    return d;
  }
  // Any other field: the values that occur; ordinal when they are all numbers.
  std::set<std::string> seen;
  for (const auto& item : t.values[f])
    for (const auto& v : item)
      if (!v.empty()) seen.insert(v);
  bool numeric = !seen.empty() && std::all_of(seen.begin(), seen.end(), [](const std::string& v) { return number(v); });
  d.values.assign(seen.begin(), seen.end());
  if (numeric) {
    std::sort(d.values.begin(), d.values.end(), [](const auto& a, const auto& b) { return *number(a) < *number(b); });
    for (const auto& v : d.values) d.numbers.push_back(*number(v));
    d.ordinal = !nominal;
  }
  return d;
}

}  // namespace

std::string normalize_value(const std::string& field, const std::string& value, const Taxonomy& tax) {
  std::string v = detail::trim(value);
  if (v.empty()) return v;
  if (tax.criterion_index(field) || field == "silent") {
    if (auto b = yes_no(v)) return *b ? "yes" : "no";
  }
  return v;
}

Result<LabelFile> read_labels(const std::string& path, bool wide, const std::string& wide_field) {
  auto text = detail::read_file(path);
  if (!text.ok()) return text.error();
  return read_labels_text(text.value(), path, wide, wide_field);
}

namespace {

// Where a labels file's header puts things.
struct LabelColumns {
  std::size_t item = 0, rater = 0;
  std::vector<std::pair<std::size_t, std::string>> labels;  // column, field name or rater name
};

Result<LabelColumns> label_columns(const std::vector<std::string>& head, const std::string& path, bool wide) {
  std::optional<std::size_t> item_col, rater_col;
  LabelColumns cols;
  // In a file silt triage writes (it has labeled_at), `silent` is silt's reading copied
  // into every rater's row, not a label: agreement on it would be silt's with itself.
  const bool triage = !wide && std::any_of(head.begin(), head.end(),
                                           [](const std::string& h) { return detail::header_name(h) == "labeled_at"; });
  for (std::size_t k = 0; k < head.size(); ++k) {
    std::string h = detail::header_name(head[k]);
    if ((h == "item" || h == "id") && !item_col)
      item_col = k;
    else if (h == "rater" && !wide)
      rater_col = k;
    else if (triage && h == "silent")
      continue;
    else if (!is_metadata(h) && !h.empty())
      cols.labels.emplace_back(k, wide ? detail::trim(head[k]) : h);
  }
  if (!item_col) return Error{path + ":1: the header must name an 'item' (or 'id') column", 1, 0, "missing-column"};
  if (!wide && !rater_col)
    return Error{path + ":1: the header must name a 'rater' column (or use --wide: item,<rater1>,<rater2>...)", 1, 0,
                 "missing-column"};
  if (cols.labels.empty()) return Error{path + ":1: the header names no label column", 1, 0, "missing-column"};
  cols.item = *item_col;
  cols.rater = rater_col.value_or(0);
  return cols;
}

// Items and raters of a table being read, numbered in the order first seen.
class TableBuilder {
 public:
  explicit TableBuilder(LabelTable& t) : t_(t) {}
  std::size_t item(const std::string& id) {
    auto [it, fresh] = item_at_.emplace(id, t_.items.size());
    if (fresh) {
      t_.items.push_back(id);
      for (auto& field : t_.values) field.emplace_back(t_.raters.size());
      t_.lines.emplace_back(t_.raters.size(), 0);
    }
    return it->second;
  }
  std::size_t rater(const std::string& name) {
    auto it = rater_at_.find(name);
    if (it != rater_at_.end()) return it->second;
    rater_at_.emplace(name, t_.raters.size());
    return t_.add_rater(name);
  }

 private:
  LabelTable& t_;
  std::unordered_map<std::string, std::size_t> item_at_, rater_at_;
};

}  // namespace

Result<LabelFile> read_labels_text(std::string_view text, const std::string& path, bool wide,
                                   const std::string& wide_field) {
  if (auto e = detail::not_csv(text, path, wide ? "item,<rater1>,<rater2>..." : "item,rater,<field>...")) return *e;
  auto csv = detail::parse_csv(text);
  if (csv.rows.empty()) return Error{path + ": the file is empty", 0, 0, "empty"};
  const auto& head = csv.rows.front();
  // Every column the reader takes by name must be there once (a wide file's rater
  // columns included: two of one rater would be read as one).
  if (auto dup = detail::duplicate_column(head, path, [&](const std::string& h) { return !is_metadata(h); }))
    return *dup;
  auto columns = label_columns(head, path, wide);
  if (!columns.ok()) return columns.error();
  const LabelColumns& cols = columns.value();
  LabelFile out;
  for (const auto& p : csv.problems) out.problems.push_back(detail::to_string(p, path));
  LabelTable& t = out.table;
  t.file = path;
  TableBuilder build(t);
  if (wide) {
    t.fields = {wide_field};
    t.values.resize(1);
    for (const auto& [col, rater] : cols.labels) build.rater(rater);
  } else {
    for (const auto& [col, name] : cols.labels) t.fields.push_back(name);
    t.values.resize(t.fields.size());
  }
  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const int line = csv.lines[r];
    auto at = [&](std::size_t k) { return detail::trim(row.at(k)); };
    const std::string where = path + ":" + std::to_string(line) + ": ";
    std::string id = at(cols.item);
    if (id.empty()) {
      out.problems.push_back(where + "no item id");
      continue;
    }
    const std::size_t i = build.item(id);
    if (wide) {
      for (std::size_t c = 0; c < cols.labels.size(); ++c) {
        t.values[0][i][c] = at(cols.labels[c].first);
        if (!t.values[0][i][c].empty()) t.lines[i][c] = line;
      }
      continue;
    }
    std::string rater = at(cols.rater);
    if (rater.empty()) {
      out.problems.push_back(where + "no rater");
      continue;
    }
    const std::size_t who = build.rater(rater);
    if (t.lines[i][who] != 0)
      out.superseded.push_back(where + rater + "'s label of " + id + " supersedes line " +
                               std::to_string(t.lines[i][who]));
    t.lines[i][who] = line;
    for (std::size_t c = 0; c < cols.labels.size(); ++c) t.values[c][i][who] = at(cols.labels[c].first);
  }
  return out;
}

namespace {

// The field's ratings as codes of its domain; values outside it go to fa.problems.
stats::Ratings code_ratings(const LabelTable& t, std::size_t f, const Domain& dom, const Taxonomy& tax,
                            FieldAgreement& fa) {
  std::unordered_map<std::string, int> code;
  for (std::size_t k = 0; k < dom.values.size(); ++k) code[dom.values[k]] = static_cast<int>(k);
  stats::Ratings r;
  r.categories = dom.values.size();
  for (std::size_t i = 0; i < t.items.size(); ++i) {
    std::vector<int> item(t.raters.size(), stats::missing);
    for (std::size_t a = 0; a < t.raters.size(); ++a) {
      std::string v = normalize_value(fa.field, t.values[f][i][a], tax);
      if (v.empty()) continue;
      auto it = code.find(v);
      if (it == code.end()) {
        // "none" is allowed for a level even when no rater gave it (so not in the domain).
        std::vector<std::string> allowed = dom.values;
        if (is_level_field(fa.field) && std::find(allowed.begin(), allowed.end(), "none") == allowed.end())
          allowed.push_back("none");
        fa.problems.push_back(t.file + ":" + std::to_string(t.lines[i][a]) + ": " + fa.field + " '" + v +
                              "' is not one of its values" + detail::allowed_values_hint(v, allowed) + "; left out");
        continue;
      }
      item[a] = it->second;
    }
    r.codes.push_back(std::move(item));
  }
  return r;
}

// The kappa weightings a field gets: unweighted, and for ordinal fields linear and quadratic.
std::vector<stats::Weights> kappa_weights(bool ordinal) {
  if (!ordinal) return {stats::Weights::none};
  return {stats::Weights::none, stats::Weights::linear, stats::Weights::quadratic};
}

// The statistics over all raters, with their intervals from one set of resamples.
void overall(const stats::Ratings& r, const Domain& dom, const AgreementOptions& opt, FieldAgreement& fa) {
  std::vector<stats::Metric> metrics = {stats::Metric::nominal};
  if (fa.ordinal) metrics = {stats::Metric::ordinal, stats::Metric::nominal, stats::Metric::interval};
  std::vector<stats::Weights> gwet = {stats::Weights::none};
  if (fa.ordinal) gwet.push_back(stats::Weights::quadratic);
  const std::vector<double> numbers = dom.numbers;
  // Every figure of the field, in a fixed order: the same for the estimate and each resample.
  auto all = [metrics, gwet, numbers](const stats::Ratings& x) {
    std::vector<stats::Estimate> v;
    v.push_back(stats::percent_agreement(x));
    auto fk = stats::fleiss_kappa(x);
    v.push_back(fk.kappa);
    v.insert(v.end(), fk.per_category.begin(), fk.per_category.end());
    v.push_back(stats::conger_kappa(x));
    for (auto m : metrics) v.push_back(stats::krippendorff_alpha(x, m, numbers));
    for (auto w : gwet) v.push_back(stats::gwet_ac(x, w));
    return v;
  };
  std::vector<stats::Estimate> v = all(r);
  std::size_t k = 0;
  fa.percent = v[k++];
  fa.fleiss = v[k++];
  fa.fleiss_per_value.assign(v.begin() + static_cast<std::ptrdiff_t>(k),
                             v.begin() + static_cast<std::ptrdiff_t>(k + r.categories));
  k += r.categories;
  fa.conger = v[k++];
  for (auto m : metrics) fa.alpha.emplace_back(m, v[k++]);
  for (auto w : gwet) fa.gwet.emplace_back(w, v[k++]);
  std::vector<stats::Estimate*> targets = {&fa.percent, &fa.fleiss};
  for (auto& e : fa.fleiss_per_value) targets.push_back(&e);
  targets.push_back(&fa.conger);
  for (auto& [m, e] : fa.alpha) targets.push_back(&e);
  for (auto& [w, e] : fa.gwet) targets.push_back(&e);
  stats::bootstrap(
      targets, r.codes.size(), [&](const std::vector<std::size_t>& idx) { return all(stats::select(r, idx)); },
      opt.bootstrap, opt.seed);
  fa.items = fa.percent.n;
}

// Cohen's kappas of raters a and b of `r` (items either left unrated are skipped); with
// `agreement`, their percent agreement there too. Intervals from one set of resamples.
FieldAgreement::Kappas kappas(const stats::Ratings& r, std::size_t a, std::size_t b, bool ordinal,
                              const AgreementOptions& opt, stats::Estimate* agreement = nullptr) {
  const auto weights = kappa_weights(ordinal);
  auto all = [&](const stats::Ratings& x) {
    std::vector<stats::Estimate> v;
    for (auto w : weights) v.push_back(stats::cohen_kappa(x, a, b, w));
    if (agreement) v.push_back(stats::percent_agreement(x));
    return v;
  };
  FieldAgreement::Kappas out;
  std::vector<stats::Estimate> v = all(r);
  for (std::size_t k = 0; k < weights.size(); ++k) out.emplace_back(weights[k], v[k]);
  std::vector<stats::Estimate*> targets;
  for (auto& [w, e] : out) targets.push_back(&e);
  if (agreement) {
    *agreement = v.back();
    targets.push_back(agreement);
  }
  stats::bootstrap(
      targets, r.codes.size(), [&](const std::vector<std::size_t>& idx) { return all(stats::select(r, idx)); },
      opt.bootstrap, opt.seed);
  return out;
}

// Rater a against the majority of the others, on the items where one exists (no tie).
FieldAgreement::VsMajority against_majority(const stats::Ratings& r, std::size_t a, const std::string& name,
                                            bool ordinal, const AgreementOptions& opt) {
  stats::Ratings vs;
  vs.categories = r.categories;
  for (const auto& item : r.codes) {
    if (item[a] == stats::missing) continue;
    std::map<int, int> votes;
    for (std::size_t b = 0; b < item.size(); ++b)
      if (b != a && item[b] != stats::missing) ++votes[item[b]];
    int best = -1, best_n = 0;
    bool tie = false;
    for (const auto& [v, n] : votes) {
      if (n > best_n) {
        best = v;
        best_n = n;
        tie = false;
      } else if (n == best_n) {
        tie = true;
      }
    }
    if (best_n > 0 && !tie) vs.codes.push_back({item[a], best});
  }
  FieldAgreement::VsMajority m{name, {}, {}};
  if (vs.codes.empty()) {
    m.agreement.undefined = "no item where the others have a majority";
    for (auto w : kappa_weights(ordinal)) m.kappa.emplace_back(w, m.agreement);
    return m;
  }
  m.kappa = kappas(vs, 0, 1, ordinal, opt, &m.agreement);
  return m;
}

}  // namespace

std::vector<FieldAgreement> agreement(const LabelTable& t, const Taxonomy& tax, const AgreementOptions& opt) {
  std::vector<FieldAgreement> out;
  for (std::size_t f = 0; f < t.fields.size(); ++f) {
    FieldAgreement fa;
    fa.field = t.fields[f];
    Domain dom = domain_of(t, f, tax, opt.nominal);
    fa.domain = dom.values;
    fa.ordinal = dom.ordinal;
    const stats::Ratings r = code_ratings(t, f, dom, tax, fa);
    overall(r, dom, opt, fa);
    for (std::size_t a = 0; a < t.raters.size(); ++a)
      for (std::size_t b = a + 1; b < t.raters.size(); ++b)
        fa.pairs.push_back({t.raters[a], t.raters[b], kappas(r, a, b, fa.ordinal, opt)});
    for (std::size_t a = 0; a < t.raters.size(); ++a)
      fa.vs_majority.push_back(against_majority(r, a, t.raters[a], fa.ordinal, opt));

    // Items with the most disagreement.
    for (std::size_t i = 0; i < r.codes.size(); ++i) {
      stats::Ratings one;
      one.categories = r.categories;
      one.codes = {r.codes[i]};
      auto p = stats::percent_agreement(one);
      if (!p.value || *p.value >= 1) continue;
      FieldAgreement::Disagreement d{t.items[i], *p.value, {}};
      for (std::size_t a = 0; a < t.raters.size(); ++a)
        d.values.push_back(r.codes[i][a] == stats::missing ? "" : dom.values[static_cast<std::size_t>(r.codes[i][a])]);
      fa.most_disagreement.push_back(std::move(d));
    }
    std::stable_sort(fa.most_disagreement.begin(), fa.most_disagreement.end(),
                     [](const auto& x, const auto& y) { return x.agreement < y.agreement; });
    if (fa.most_disagreement.size() > opt.top) fa.most_disagreement.resize(opt.top);
    out.push_back(std::move(fa));
  }
  return out;
}

LevelCheck check_levels(const LabelTable& t, const Taxonomy& tax) {
  LevelCheck out;
  std::optional<std::size_t> level_field;
  for (const char* name : {"impact", "level", "impact_level"})
    if (!level_field) level_field = t.field_index(name);
  if (!level_field) {
    out.no_level_column = true;
    return out;
  }
  // A category that is not the taxonomy's: named (a typo would read as a contradiction).
  // A loud bug's row (silent: no) may hold any stand-in: no category of the taxonomy is.
  if (auto cf = t.field_index("category")) {
    std::vector<std::string> ids;
    for (const auto& c : tax.categories) ids.push_back(c.id);
    const auto silent = t.field_index("silent");
    for (std::size_t i = 0; i < t.items.size(); ++i)
      for (std::size_t a = 0; a < t.raters.size(); ++a) {
        const std::string v = detail::trim(t.values[*cf][i][a]);
        if (t.lines[i][a] == 0 || v.empty() || tax.category_index(v)) continue;
        if (silent && yes_no(detail::trim(t.values[*silent][i][a])) == false) continue;
        out.bad_answers.emplace_back(
            t.lines[i][a], "category '" + v + "' is not in the taxonomy" + detail::allowed_values_hint(v, ids));
      }
  }
  std::vector<std::optional<std::size_t>> crit_field;
  for (const auto& c : tax.criteria) crit_field.push_back(t.field_index(c.id));
  for (std::size_t i = 0; i < t.items.size(); ++i)
    for (std::size_t a = 0; a < t.raters.size(); ++a) {
      if (t.lines[i][a] == 0) continue;  // this rater did not label this item
      std::vector<bool> holds;
      std::vector<std::pair<std::string, bool>> answers;
      bool complete = true;
      for (std::size_t c = 0; c < tax.criteria.size(); ++c) {
        std::optional<bool> v;
        std::string given;
        if (crit_field[c]) v = yes_no(given = detail::trim(t.values[*crit_field[c]][i][a]));
        if (!v) {
          if (!given.empty())
            out.bad_answers.emplace_back(t.lines[i][a], t.items[i] + " by " + t.raters[a] + ": criterion '" +
                                                            tax.criteria[c].id + "' is '" + given +
                                                            "', neither yes nor no; the row is not checked");
          complete = false;
          break;
        }
        holds.push_back(*v);
        answers.emplace_back(tax.criteria[c].id, *v);
      }
      std::string given = detail::trim(t.values[*level_field][i][a]);
      // A blank impact is not answered (as agree reads it); no level is written "none".
      if (!complete || given.empty()) {
        ++out.unanswered;
        continue;
      }
      ++out.checked;
      auto chosen = tax.decide(holds);
      std::optional<int> expected;
      if (chosen) expected = tax.levels[*chosen].number;
      auto given_number = number(given);
      // A level is a whole number within int's range (4444444444, 2.5, inf: no level).
      const bool whole = given_number && std::isfinite(*given_number) && std::fabs(*given_number) < 1e9 &&
                         *given_number == std::floor(*given_number);
      if (given != "none" && !(whole && tax.level_index(static_cast<int>(*given_number)))) {
        --out.checked;
        ++out.unanswered;
        out.bad_answers.emplace_back(t.lines[i][a], t.items[i] + " by " + t.raters[a] + ": impact '" + given +
                                                        "' is not a level of the taxonomy; the row is not checked");
        continue;
      }
      bool same = given == "none" ? !expected : (expected && given_number && *given_number == *expected);
      if (!same) {
        std::optional<int> given_level;
        if (whole) given_level = static_cast<int>(*given_number);
        out.mismatches.push_back({t.items[i], t.raters[a], t.lines[i][a], given, given_level, expected, answers});
      }
    }
  return out;
}

namespace {

// The columns triage writes, in order: item,rater,category,impact,<criteria>,silent,note,labeled_at.
std::vector<std::string> labels_csv_columns(const Taxonomy& taxonomy) {
  std::vector<std::string> out{"item", "rater", "category", "impact"};
  for (const auto& c : taxonomy.criteria) out.push_back(c.id);
  for (const char* c : {"silent", "note", "labeled_at"}) out.emplace_back(c);
  return out;
}

}  // namespace

std::string labels_csv_header(const Taxonomy& taxonomy) {
  std::string head;
  for (const auto& c : labels_csv_columns(taxonomy)) {
    if (!head.empty()) head += ',';  // not "," + field: g++ 12 warns (-Wrestrict) on that, wrongly
    head += csv_field(c);
  }
  return head + "\n";
}

std::optional<Error> labels_csv_append_problem(std::string_view text, const std::string& name,
                                               const Taxonomy& taxonomy) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;
  const auto header = detail::parse_csv(text.substr(0, text.find('\n')));
  const std::vector<std::string> none, want = labels_csv_columns(taxonomy);
  const auto& have = header.rows.empty() ? none : header.rows.front();
  std::string joined;
  for (const auto& w : want) joined += (joined.empty() ? "" : ",") + w;
  for (std::size_t k = 0; k < std::max(have.size(), want.size()); ++k) {
    const std::string h = k < have.size() ? detail::header_name(have[k]) : std::string();
    if (k < want.size() && h == want[k]) continue;
    std::string what = k >= have.size() ? "has no column " + std::to_string(k + 1) + " ('" + want[k] + "')"
                       : k >= want.size()
                           ? "has a column " + std::to_string(k + 1) + " ('" + h + "') more"
                           : "names column " + std::to_string(k + 1) + " '" + h + "', not '" + want[k] + "'";
    return Error{name + ":1: the header " + what + "; rows are appended as " + joined +
                     " (the taxonomy's criteria in its order): label into another file",
                 1, static_cast<int>(k) + 1, "labels-header"};
  }
  return std::nullopt;
}

std::string labels_csv_row(const HandLabel& l) {
  std::string row = csv_field(l.item) + "," + csv_field(l.rater) + "," + csv_field(l.category) + ",";
  row += l.impact ? std::to_string(*l.impact) : std::string("none");  // a choice, not a blank
  for (bool h : l.criteria) row += h ? ",yes" : ",no";
  row += ",";
  if (l.silent) row += *l.silent ? "yes" : "no";
  row += "," + csv_field(l.note) + "," + csv_field(l.labeled_at) + "\n";
  return row;
}

}  // namespace silt
