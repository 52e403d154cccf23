// Fuzzes the issue readers (silt::read_issues: a JSON object, a JSON array, text or
// Markdown; silt::issue_from_json), then classifies what they read with the built-in
// taxonomy and rules, which reads each body as Markdown.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.h"
#include "silt/classifier.h"
#include "silt/issue.h"
#include "silt/labels.h"

namespace {

// Most issues of one input classified: the reading is what is fuzzed.
constexpr std::size_t max_classified = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const silt::Classifier& classifier = silt::fuzz::builtin_classifier();
  silt::fuzz::FdLeakCheck fds;
  const auto input = silt::fuzz::text(data, size);
  (void)silt::issue_from_json(input);
  // As classify reads a file: elements that are no issue, and a syntax error in JSON
  // Lines, set aside with what was read before kept. Every one left out is named.
  std::vector<silt::Error> skipped;
  auto kept = silt::read_issues(input, "fuzz-input", &skipped);
  if (kept.ok())
    for (const auto& e : skipped)
      if (e.message.empty()) __builtin_trap();
  // Read as the formats --input-format names: text reads any UTF-8 that is not blank.
  auto as_text = silt::read_issues(input, "fuzz-input", nullptr, silt::IssueFormat::text);
  if (as_text.ok() && as_text.value().size() != 1) __builtin_trap();
  (void)silt::read_issues(input, "fuzz-input", nullptr, silt::IssueFormat::json);
  auto issues = silt::read_issues(input, "fuzz-input");
  if (!issues.ok()) return 0;
  // Whatever reads whole reads the same with `skipped`, and sets nothing aside.
  if (!kept.ok() || kept.value().size() != issues.value().size() || !skipped.empty()) __builtin_trap();
  const auto& all = issues.value();
  for (std::size_t i = 0; i < std::min(all.size(), max_classified); ++i) {
    const silt::Issue& issue = all[i];
    for (const auto& f : silt::issue_fields()) (void)issue.field(f);
    const auto report = classifier.read_report(issue.view());
    (void)silt::with_report(issue.view(), report);
    const auto c = classifier.classify(issue);
    (void)silt::to_json(c, "fuzz-input");
    (void)silt::gh_issue_edit(c, classifier.taxonomy(), true);
  }
  return 0;
}
