// GitHub labels for silt's results: the `gh` commands that create the taxonomy's labels
// and that put them on issues, one shell command a line, arguments quoted for sh.
#pragma once

#include <string>
#include <string_view>

#include "silt/classifier.h"
#include "silt/taxonomy.h"

namespace silt {

// `s` quoted for a POSIX shell: as is when it is safe, else in single quotes.
std::string shell_quote(std::string_view s);

// Whether `repo` is OWNER/REPO in GitHub's characters: an owner of letters, digits and
// inner hyphens (at most 39), a repository name of letters, digits, '-', '_' and '.'
// (at most 100, not "." or "..").
bool valid_repo(std::string_view repo);

// `s` fit for a shell comment line: no newline or other control character (each is
// shown escaped, \x0a), so nothing after it can run as a command.
std::string comment_safe(std::string_view s);

// `gh label create NAME --repo REPO --color C --description D --force`, a line for each
// category and each level (gh does not create a missing label on edit).
std::string gh_label_create_commands(const Taxonomy& taxonomy, const std::string& repo);

// `gh issue edit N --repo OWNER/REPO --add-label CATEGORY,LEVEL` for a classification
// whose id is "owner/repo#N" (a valid_repo() and a number of digits). `issue_labels` are
// the names of the labels the issue carries now, one a line (IssueView::labels); those
// that are the taxonomy's own labels (a category's or a level's label name) and that this
// reading does not give are removed (`--remove-label OLD,...`): a label silt put there
// for an earlier reading. Any other label, one a person added, is never removed. An
// issue without such an id, one flagged needs_review, or one whose report shows a loud
// bug (unless label_all) gets a comment line "# id: why" instead (the id made
// comment_safe()); `labeled` says which. Every line is one command or one comment:
// whatever the id and the labels hold, piping the output to sh runs only gh.
struct GhEdit {
  bool labeled = false;
  std::string line;  // ends with '\n'
};
GhEdit gh_issue_edit(const Classification& c, const Taxonomy& taxonomy, bool label_all,
                     std::string_view issue_labels = {});
// Whether `line` (without its newline) is one gh_issue_edit writes: a command or a comment.
bool gh_output_line(std::string_view line);

}  // namespace silt
