#include "silt/agreement.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "csv_table.h"
#include "read_file.h"

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

Domain domain_of(const LabelTable& t, std::size_t f, const Taxonomy& tax, bool nominal) {
  const std::string& name = t.fields[f];
  Domain d;
  if (name == "category") {
    for (const auto& c : tax.categories) d.values.push_back(c.id);
    return d;
  }
  if (name == "impact" || name == "level" || name == "impact_level") {
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
  auto csv = detail::parse_csv(text.value());
  if (csv.rows.empty()) return Error{path + ": the file is empty", 0, 0, "empty"};
  const auto& head = csv.rows.front();
  // Every column the reader takes by name must be there once (a wide file's rater
  // columns included: two of one rater would be read as one).
  if (auto dup = detail::duplicate_column(head, path, [&](const std::string& h) { return !is_metadata(h); }))
    return *dup;
  LabelFile out;
  for (const auto& p : csv.problems) out.problems.push_back(detail::to_string(p, path));
  LabelTable& t = out.table;
  t.file = path;
  std::optional<std::size_t> item_col, rater_col;
  std::vector<std::pair<std::size_t, std::string>> label_cols;  // column, field name or rater name
  for (std::size_t k = 0; k < head.size(); ++k) {
    std::string h = detail::header_name(head[k]);
    if ((h == "item" || h == "id") && !item_col)
      item_col = k;
    else if (h == "rater" && !wide)
      rater_col = k;
    else if (!is_metadata(h) && !h.empty())
      label_cols.emplace_back(k, wide ? detail::trim(head[k]) : h);
  }
  if (!item_col) return Error{path + ":1: the header must name an 'item' (or 'id') column"};
  if (!wide && !rater_col)
    return Error{path + ":1: the header must name a 'rater' column (or use --wide: item,<rater1>,<rater2>...)"};
  if (label_cols.empty()) return Error{path + ":1: the header names no label column"};

  std::unordered_map<std::string, std::size_t> item_at, rater_at;
  auto item_index = [&](const std::string& id) {
    auto [it, fresh] = item_at.emplace(id, t.items.size());
    if (fresh) {
      t.items.push_back(id);
      for (auto& field : t.values) field.emplace_back(t.raters.size());
      t.lines.emplace_back(t.raters.size(), 0);
    }
    return it->second;
  };
  auto rater_index = [&](const std::string& name) {
    auto it = rater_at.find(name);
    if (it != rater_at.end()) return it->second;
    rater_at.emplace(name, t.raters.size());
    return t.add_rater(name);
  };
  if (wide) {
    t.fields = {wide_field};
    t.values.resize(1);
    for (const auto& [col, rater] : label_cols) rater_index(rater);
  } else {
    for (const auto& [col, name] : label_cols) t.fields.push_back(name);
    t.values.resize(t.fields.size());
  }

  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const int line = csv.lines[r];
    auto at = [&](std::size_t k) { return detail::trim(row.at(k)); };
    std::string id = at(*item_col);
    if (id.empty()) {
      out.problems.push_back(path + ":" + std::to_string(line) + ": no item id");
      continue;
    }
    const std::size_t i = item_index(id);
    if (wide) {
      for (std::size_t c = 0; c < label_cols.size(); ++c) {
        t.values[0][i][c] = at(label_cols[c].first);
        if (!t.values[0][i][c].empty()) t.lines[i][c] = line;
      }
      continue;
    }
    std::string rater = at(*rater_col);
    if (rater.empty()) {
      out.problems.push_back(path + ":" + std::to_string(line) + ": no rater");
      continue;
    }
    const std::size_t who = rater_index(rater);
    if (t.lines[i][who] != 0) {
      out.problems.push_back(path + ":" + std::to_string(line) + ": " + rater + " labeled " + id + " already (line " +
                             std::to_string(t.lines[i][who]) + "); this row is left out");
      continue;
    }
    t.lines[i][who] = line;
    for (std::size_t c = 0; c < label_cols.size(); ++c) t.values[c][i][who] = at(label_cols[c].first);
  }
  return out;
}

std::vector<FieldAgreement> agreement(const LabelTable& t, const Taxonomy& tax, const AgreementOptions& opt) {
  std::vector<FieldAgreement> out;
  for (std::size_t f = 0; f < t.fields.size(); ++f) {
    FieldAgreement fa;
    fa.field = t.fields[f];
    Domain dom = domain_of(t, f, tax, opt.nominal);
    fa.domain = dom.values;
    fa.ordinal = dom.ordinal;
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
          fa.problems.push_back(t.file + ":" + std::to_string(t.lines[i][a]) + ": " + fa.field + " '" + v +
                                "' is not one of its values; left out");
          continue;
        }
        item[a] = it->second;
      }
      r.codes.push_back(std::move(item));
    }

    const stats::Weights w = fa.ordinal ? stats::Weights::quadratic : stats::Weights::none;
    const stats::Metric metric = fa.ordinal ? stats::Metric::ordinal : stats::Metric::nominal;
    auto on = [&](auto&& stat) {
      return [&r, stat](const std::vector<std::size_t>& idx) { return stat(stats::select(r, idx)); };
    };
    auto with_ci = [&](stats::Estimate e, auto&& stat) {
      stats::bootstrap(e, r.codes.size(), on(stat), opt.bootstrap, opt.seed);
      return e;
    };
    auto percent = [](const stats::Ratings& x) { return stats::percent_agreement(x); };
    auto fleiss = [](const stats::Ratings& x) { return stats::fleiss_kappa(x).kappa; };
    auto conger = [](const stats::Ratings& x) { return stats::conger_kappa(x); };
    auto alpha = [metric, nums = dom.numbers](const stats::Ratings& x) {
      return stats::krippendorff_alpha(x, metric, nums);
    };
    auto gwet = [w](const stats::Ratings& x) { return stats::gwet_ac(x, w); };
    fa.percent = with_ci(percent(r), percent);
    fa.items = fa.percent.n;
    auto fk = stats::fleiss_kappa(r);
    fa.fleiss = with_ci(fk.kappa, fleiss);
    fa.fleiss_per_value = fk.per_category;
    fa.conger = with_ci(conger(r), conger);
    fa.alpha = with_ci(alpha(r), alpha);
    fa.gwet = with_ci(gwet(r), gwet);

    for (std::size_t a = 0; a < t.raters.size(); ++a)
      for (std::size_t b = a + 1; b < t.raters.size(); ++b) {
        FieldAgreement::Pair p{t.raters[a], t.raters[b], {}, {}};
        auto k = [a, b](const stats::Ratings& x) { return stats::cohen_kappa(x, a, b); };
        p.kappa = with_ci(k(r), k);
        if (fa.ordinal) {
          auto kq = [a, b](const stats::Ratings& x) { return stats::cohen_kappa(x, a, b, stats::Weights::quadratic); };
          p.kappa_quadratic = with_ci(kq(r), kq);
        } else {
          p.kappa_quadratic = {std::nullopt, "the field is nominal", 0, {}, {}, {}, 0};
        }
        fa.pairs.push_back(std::move(p));
      }

    // Each rater against the majority of the others, on the items where one exists.
    for (std::size_t a = 0; a < t.raters.size(); ++a) {
      stats::Ratings vs;
      vs.categories = r.categories;
      for (const auto& item : r.codes) {
        if (item[a] == stats::missing) continue;
        std::map<int, int> votes;
        for (std::size_t b = 0; b < item.size(); ++b)
          if (b != a && item[b] != stats::missing) ++votes[item[b]];
        if (votes.empty()) continue;
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
        if (!tie) vs.codes.push_back({item[a], best});
      }
      FieldAgreement::VsMajority m{t.raters[a], {}, {}};
      if (vs.codes.empty()) {
        m.agreement.undefined = m.kappa.undefined = "no item where the others have a majority";
      } else {
        auto agree = [](const stats::Ratings& x) { return stats::percent_agreement(x); };
        auto k = [](const stats::Ratings& x) { return stats::cohen_kappa(x, 0, 1); };
        auto est = [&](auto&& stat) {
          stats::Estimate e = stat(vs);
          stats::bootstrap(
              e, vs.codes.size(), [&](const std::vector<std::size_t>& idx) { return stat(stats::select(vs, idx)); },
              opt.bootstrap, opt.seed);
          return e;
        };
        m.agreement = est(agree);
        m.kappa = est(k);
      }
      fa.vs_majority.push_back(std::move(m));
    }

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
        if (crit_field[c]) v = yes_no(detail::trim(t.values[*crit_field[c]][i][a]));
        if (!v) {
          complete = false;
          break;
        }
        holds.push_back(*v);
        answers.emplace_back(tax.criteria[c].id, *v);
      }
      if (!complete) {
        ++out.unanswered;
        continue;
      }
      ++out.checked;
      auto chosen = tax.decide(holds);
      std::optional<int> expected;
      if (chosen) expected = tax.levels[*chosen].number;
      std::string given = level_field ? detail::trim(t.values[*level_field][i][a]) : std::string();
      auto given_number = number(given);
      bool same =
          given.empty() || given == "none" ? !expected : (expected && given_number && *given_number == *expected);
      if (!same) out.mismatches.push_back({t.items[i], t.raters[a], t.lines[i][a], given, expected, answers});
    }
  return out;
}

}  // namespace silt
