// `silt rules lint`: what a pack's rules leave untested, shadowed or uncovered.
#include <algorithm>
#include <cmath>

#include "silt/rules.h"

namespace silt {

namespace {

// Whether rule `b` shadows rule `a`: the same target, weight of the same sign and as
// much of it, and every match test of `a` (there is one at least) fires `b`. A rule of
// the other sign is a counter-rule (its weight takes back what `b` gives), not a copy.
bool shadows(const RuleSet& set, std::size_t b, std::size_t a) {
  const auto& rules = set.rules();
  const Rule &r = rules[a], &o = rules[b];
  if (b == a || o.kind != r.kind || o.target != r.target) return false;
  if ((o.weight > 0) != (r.weight > 0) || std::fabs(o.weight) < std::fabs(r.weight)) return false;
  bool any = false;
  for (const auto& t : set.tests(a)) {
    if (!t.should_match) continue;
    any = true;
    if (!set.fires(b, t.text)) return false;
  }
  return any;
}

}  // namespace

std::vector<RuleFinding> lint_rules(const RuleSet& set, const Taxonomy& tax) {
  std::vector<RuleFinding> out;
  const auto& rules = set.rules();
  // A rule no other shadows, but a later twin it shadows in turn; worked out once a rule.
  std::vector<signed char> kept_memo(rules.size(), -1);
  auto kept = [&](std::size_t b) {
    if (kept_memo[b] < 0) {
      kept_memo[b] = 1;
      for (std::size_t c = 0; c < rules.size() && kept_memo[b]; ++c)
        if (shadows(set, c, b) && !(c > b && shadows(set, b, c))) kept_memo[b] = 0;
    }
    return kept_memo[b] == 1;
  };
  for (std::size_t a = 0; a < rules.size(); ++a) {
    const Rule& r = rules[a];
    const auto& tests = set.tests(a);
    if (std::none_of(tests.begin(), tests.end(), [](const RuleTest& t) { return t.should_match; })) {
      out.push_back({"untested", r.id, {}, r.where, "rule '" + r.id + "' has no match test: no test makes it fire"});
      continue;
    }
    for (std::size_t b = 0; b < rules.size(); ++b) {
      // Reported only when shadowed by a rule that is kept itself: removing every rule
      // reported then loses no match test (of two that shadow each other, the earlier
      // is kept; a rule shadowed in turn cannot vouch for another).
      if (!shadows(set, b, a) || !kept(b)) continue;
      const Rule& o = rules[b];
      out.push_back({"shadowed", r.id, o.id, r.where,
                     "every match test of rule '" + r.id + "' also fires '" + o.id +
                         "', with the same target and as much weight: on its own tests it never fires alone: "
                         "it counts the same evidence twice"});
      break;
    }
  }
  auto covered = [&](TargetKind kind, const std::string& id) {
    return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.kind == kind && r.target == id; });
  };
  for (const auto& c : tax.categories)
    if (!covered(TargetKind::category, c.id))
      out.push_back({"no-rule", c.id, {}, c.where, "no rule is evidence for category '" + c.id + "'"});
  for (const auto& c : tax.criteria)
    if (!covered(TargetKind::criterion, c.id))
      out.push_back({"no-rule", c.id, {}, c.where, "no rule is evidence for criterion '" + c.id + "'"});
  return out;
}

}  // namespace silt
