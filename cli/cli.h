// The silt command line: argument parsing, printing and exit codes. No logic of its
// own: everything it reports comes from the engine (engine/include/silt).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/batch.h"
#include "silt/classifier.h"
#include "silt/diagnostics.h"
#include "silt/rules.h"
#include "silt/survey.h"
#include "silt/taxonomy.h"

namespace silt::cli {

// Exit codes, as documented in `silt --help` and the README.
enum Exit : int {
  exit_ok = 0,
  exit_findings = 1,   // lint findings, failing rule tests
  exit_usage = 2,      // bad arguments or configuration (taxonomy, rules)
  exit_bad_input = 3,  // an input issue could not be read; the others were still processed
  exit_write = 4       // an output could not be written (disk full, closed or failing device)
};

// Thrown by option parsing for a usage error; main prints it and exits with exit_usage.
struct UsageError {
  std::string message;
};

// Each command takes the arguments after its verb and returns an exit code.
int cmd_classify(const std::vector<std::string>& args);
int cmd_batch(const std::vector<std::string>& args);
int cmd_explain(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_agree(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_labels(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);
int cmd_triage(const std::vector<std::string>& args);
int cmd_consensus(const std::vector<std::string>& args);
int cmd_consistency(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
int cmd_rules(const std::vector<std::string>& args);
int cmd_rules_fit(const std::vector<std::string>& args);
int cmd_taxonomy(const std::vector<std::string>& args);

// ---- printing (output.cpp) ----

// `text` safe to show on a terminal: control characters (C0 but newline when
// `keep_newlines`, DEL, C1) and the Unicode format characters that reorder or hide text
// (bidirectional overrides and isolates, zero-width characters) are shown escaped
// (\x1b, \u202e), so a report cannot set the window title, clear the screen or make
// text read differently from what it is. Tabs become a space.
std::string printable(std::string_view text, bool keep_newlines = false);

// How every command names a bad record on stderr: "SOURCE: rejected, CODE: MESSAGE",
// printable.
std::string rejected_line(const Reject& r);

// Display width of UTF-8 text, counting each code point as one column.
std::size_t width(std::string_view s);

// `text`'s words (split at spaces and newlines) wrapped at `cols` columns, each line
// starting with `indent`, the first with `first` when given; every line ends with '\n'.
std::string wrap(const std::string& text, std::size_t cols, const std::string& indent,
                 const std::optional<std::string>& first = std::nullopt);

// Whether to colour stdout: "always", "never", or "auto" (a TTY, NO_COLOR unset,
// TERM not "dumb").
bool use_color(const std::string& when);

// The readable block `classify --format text` prints for one issue.
std::string render_text(const Classification& c, const Taxonomy& t, bool color);

// A table with one row per classification (`classify --format table`), each named by
// its id (a file's name when the issue has none of its own).
std::string render_table(const std::vector<Classification>& cs, const Taxonomy& t, bool color);

// `taxonomy show`: categories, criteria and the matrix, with the survey's figures
// beside each category and level when `consensus` has them.
std::string render_taxonomy(const Taxonomy& t, const Consensus* consensus, bool color);

// `taxonomy show --format json`: name, file, fallback, categories (id, name, definition,
// example, label, implies), criteria (id, question), levels (number, threat, description,
// label), the matrix (a row of cells "X", "O", "-" a criterion, in level order), the hit
// policy, and `consensus`: the survey's figures as `silt consensus --format json` prints
// them, or null when not shown.
std::string render_taxonomy_json(const Taxonomy& t, const Consensus* consensus);

// The consensus file at `path`, or the built-in one (the study's survey) when empty;
// nullopt after reporting an error.
std::optional<Consensus> load_consensus(const std::string& path);

// `taxonomy lint` in text and JSON.
std::string render_lint_text(const Taxonomy& t, const std::vector<LintFinding>& fs);
std::string render_lint_json(const Taxonomy& t, const std::vector<LintFinding>& fs);

// Every diagnostic, text form, to stderr; warnings only when `warnings`.
void print_diagnostics(const Diagnostics& ds, bool warnings, bool color);

}  // namespace silt::cli
