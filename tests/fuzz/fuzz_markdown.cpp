// Fuzzes the Markdown reading of an issue body (silt::read_report, md4c underneath):
// the input is the body of an issue, read alone, with the built-in rules' boilerplate,
// and classified.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "silt/classifier.h"
#include "silt/issue.h"
#include "silt/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const silt::Classifier& classifier = silt::fuzz::builtin_classifier();
  silt::fuzz::FdLeakCheck fds;
  const auto body = silt::fuzz::text(data, size);
  (void)silt::read_report(body);

  silt::Issue issue;
  issue.id = "example-org/dl-lib#1";
  issue.title = "Wrong output shape after save and reload";
  issue.body = std::string(body);
  issue.join_lists();
  const auto report = classifier.read_report(issue.view());
  const auto view = silt::with_report(issue.view(), report);
  for (const auto& f : silt::issue_fields()) (void)view.field(f);
  const auto c = classifier.classify(issue);
  (void)silt::to_json(c);

  (void)silt::issue_from_text(body, "fuzz.md");
  return 0;
}
