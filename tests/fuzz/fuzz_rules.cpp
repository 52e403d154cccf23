// Fuzzes the rules YAML reader (silt::load_rules) against the built-in taxonomy, with
// the built-in packs to include; rules that load are matched on a small issue,
// classify it, and run their own tests.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_support.h"
#include "silt/builtin.h"
#include "silt/classifier.h"
#include "silt/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto taxonomy = silt::fuzz::builtin_taxonomy_loaded();
  static const silt::Issue issue = silt::fuzz::small_issue();
  silt::fuzz::FdLeakCheck fds;
  // Named as a file of rules/, so that `include:` finds the built-in packs beside it.
  auto load = silt::load_rules(silt::fuzz::text(data, size), "rules/fuzz.yaml", *taxonomy, silt::include_builtin());
  for (const auto& d : load.diagnostics.all()) (void)d.message.size();
  if (!load.rules) return 0;
  auto rules = std::make_shared<const silt::RuleSet>(std::move(*load.rules));
  const auto hits = rules->match(issue);
  for (const auto& h : hits) (void)rules->rules().at(h.rule);
  (void)rules->suppressed(issue.view());
  (void)rules->is_boilerplate(issue.body);
  (void)rules->calibrate(0.5);
  (void)rules->run_tests();
  silt::Classifier classifier(taxonomy, rules);
  const auto c = classifier.classify(issue);
  (void)silt::to_json(c, "fuzz");
  return 0;
}
