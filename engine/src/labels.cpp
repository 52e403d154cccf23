#include "silt/labels.h"

#include <re2/re2.h>

#include <algorithm>
#include <vector>

namespace silt {

std::string shell_quote(std::string_view s) {
  static const RE2 safe(R"(^[A-Za-z0-9_./:@%+=,-]+$)");
  if (!s.empty() && RE2::FullMatch(re2::StringPiece(s.data(), s.size()), safe)) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool valid_repo(std::string_view repo) {
  static const RE2 re(R"(^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$)");
  if (!RE2::FullMatch(re2::StringPiece(repo.data(), repo.size()), re)) return false;
  std::string_view name = repo.substr(repo.find('/') + 1);
  return name != "." && name != "..";
}

std::string comment_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

namespace {

std::string create(const Label& l, const std::string& repo) {
  return "gh label create " + shell_quote(l.name) + " --repo " + shell_quote(repo) + " --color " +
         shell_quote(l.color) + " --description " + shell_quote(l.description) + " --force\n";
}

}  // namespace

std::string gh_label_create_commands(const Taxonomy& t, const std::string& repo) {
  std::string out;
  for (const auto& c : t.categories) out += create(c.label, repo);
  for (const auto& l : t.levels) out += create(l.label, repo);
  return out;
}

bool gh_output_line(std::string_view line) {
  return line.rfind("gh issue edit ", 0) == 0 || line.rfind("# ", 0) == 0;
}

GhEdit gh_issue_edit(const Classification& c, const Taxonomy& t, bool label_all, std::string_view issue_labels) {
  static const RE2 id_re(R"(^([^#]+)#([0-9]{1,12})$)");
  std::string repo, number;
  auto skip = [&](const std::string& why) { return GhEdit{false, "# " + comment_safe(c.id) + ": " + why + "\n"}; };
  if (!RE2::FullMatch(c.id, id_re, &repo, &number) || !valid_repo(repo))
    return skip("no repository and issue number known; no label");
  if (!label_all && c.needs_review) return skip("flagged needs_review; no label (--label-all labels it)");
  if (!label_all && c.silent == false) return skip("the report shows a loud bug; no label (--label-all labels it)");
  std::vector<const std::string*> give;
  if (auto i = t.category_index(c.category)) give.push_back(&t.categories[*i].label.name);
  if (c.level)
    for (const auto& l : t.levels)
      if (l.number == *c.level) give.push_back(&l.label.name);
  // The taxonomy's labels the issue carries that this reading does not give, in the
  // taxonomy's order; the names written are the taxonomy's (checked when it loaded).
  std::vector<const std::string*> own;
  for (const auto& cat : t.categories) own.push_back(&cat.label.name);
  for (const auto& l : t.levels) own.push_back(&l.label.name);
  auto carried = [&](const std::string& name) {
    for (std::size_t start = 0; start <= issue_labels.size();) {
      std::size_t end = std::min(issue_labels.find('\n', start), issue_labels.size());
      if (issue_labels.substr(start, end - start) == name) return true;
      start = end + 1;
    }
    return false;
  };
  auto join = [](const std::vector<const std::string*>& names) {
    std::string out;
    for (const auto* n : names) out += (out.empty() ? "" : ",") + *n;
    return out;
  };
  std::vector<const std::string*> remove;
  for (const auto* n : own)
    if (carried(*n) && std::none_of(give.begin(), give.end(), [&](const std::string* g) { return *g == *n; }) &&
        std::none_of(remove.begin(), remove.end(), [&](const std::string* r) { return *r == *n; }))
      remove.push_back(n);
  std::string line =
      "gh issue edit " + number + " --repo " + shell_quote(repo) + " --add-label " + shell_quote(join(give));
  if (!remove.empty()) line += " --remove-label " + shell_quote(join(remove));
  return GhEdit{true, line + "\n"};
}

}  // namespace silt
