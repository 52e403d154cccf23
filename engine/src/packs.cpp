#include "silt/packs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "issue_json.h"
#include "packs_json.h"
#include "silt/builtin.h"
#include "yaml_reader.h"

namespace silt {

PackSet::PackSet(std::vector<PackInfo> packs, std::size_t default_pack, std::string file,
                 std::shared_ptr<const Taxonomy> taxonomy, IncludeReader reader)
    : packs_(std::move(packs)),
      default_(default_pack),
      file_(std::move(file)),
      taxonomy_(std::move(taxonomy)),
      reader_(std::move(reader)),
      slots_(std::make_shared<std::vector<Slot>>(packs_.size())) {}

const PackInfo* PackSet::find(std::string_view name) const {
  for (const auto& p : packs_)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

// GitHub's owner and repository names are ASCII and compared in any case; per record,
// so without a copy or the C locale's tolower.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace

const PackInfo& PackSet::for_repository(std::string_view repo) const {
  if (repo.empty()) return default_pack();
  for (const auto& p : packs_)
    for (const auto& name : p.repositories)
      if (same_name(name, repo)) return p;
  // Then OWNER/*, for every repository of an owner.
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos) return default_pack();
  const std::string_view owner = repo.substr(0, slash);
  for (const auto& p : packs_)
    for (const auto& name : p.repositories)
      if (name.size() == owner.size() + 2 && name.compare(owner.size(), 2, "/*") == 0 &&
          same_name(std::string_view(name).substr(0, owner.size()), owner))
        return p;
  return default_pack();
}

namespace {

// A pack's rules file, read through `reader` relative to the map `file`; its findings (or
// that it cannot be read) go to `diags`.
std::optional<RuleSet> read_pack_rules(const IncludeReader& reader, const std::string& file, const PackInfo& pack,
                                       const Taxonomy& taxonomy, Diagnostics& diags) {
  auto text = reader(file, pack.rules_file);
  if (!text.ok()) {
    Diagnostic d;
    d.code = "unreadable-file";
    d.where = pack.where;
    d.subject_kind = "pack";
    d.subject = pack.name;
    d.message = "cannot read the pack's rules '" + pack.rules_file + "': " + text.error().message;
    diags.add(std::move(d));
    return std::nullopt;
  }
  auto load = load_rules(text.value().second, text.value().first, taxonomy, reader);
  diags.append(load.diagnostics);
  return std::move(load.rules);
}

}  // namespace

std::shared_ptr<const RuleSet> PackSet::rules(const PackInfo& pack, Diagnostics* diagnostics) const {
  const auto index = static_cast<std::size_t>(&pack - packs_.data());
  Slot& slot = (*slots_)[index];
  std::call_once(slot.once, [&] {
    if (auto rules = read_pack_rules(reader_, file_, pack, *taxonomy_, slot.diagnostics))
      slot.rules = std::make_shared<const RuleSet>(std::move(*rules));
  });
  if (diagnostics) diagnostics->append(slot.diagnostics);
  return slot.rules;
}

namespace {

bool valid_repository_pattern(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == s.size() || s.find('/', slash + 1) != std::string::npos)
    return false;
  // OWNER/REPO or OWNER/*: a wildcard only as the whole repository (*/* matched nothing).
  const std::string owner = s.substr(0, slash), repo = s.substr(slash + 1);
  if (owner.find('*') != std::string::npos || (repo != "*" && repo.find('*') != std::string::npos)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == '*';
  });
}

}  // namespace

PackLoad load_packs(std::string_view yaml, const std::string& file, std::shared_ptr<const Taxonomy> taxonomy,
                    IncludeReader reader) {
  PackLoad out;
  try {
    // The built-in map, byte for byte: read from the JSON the build wrote of it (the build
    // checked that it loads without a finding), not from YAML.
    if (const std::string_view json = detail::builtin_packs_json(file); !json.empty())
      if (auto b = builtin_file(file); b && b->text == yaml)
        if (auto m = detail::packs_from_json(json)) {
          out.packs.emplace(std::move(m->packs), m->default_pack, file, std::move(taxonomy), std::move(reader));
          return out;
        }
    detail::YamlReader r(file, yaml, out.diagnostics);
    auto root = r.parse();
    if (!root || !r.expect_map(*root, {"schema", "default", "packs"}, "the pack map", {})) return out;
    r.check_schema(*root, "silt/packs/v1");
    std::vector<PackInfo> packs;
    std::map<std::string, std::pair<std::string, std::string>> repo_owner;  // lowercased -> as written, pack
    const YAML::Node map = (*root)["packs"];
    if (!map.IsDefined() || !map.IsMap() || map.size() == 0) {
      r.error("missing-key", *root, {}, "'packs' must map each pack's name to {rules, repositories}");
      return out;
    }
    r.set_subject_kind("pack");
    for (const auto& kv : map) {
      PackInfo p;
      p.name = kv.first.Scalar();
      p.where = r.where(kv.first);
      if (!r.expect_map(kv.second, {"rules", "repositories"}, "a pack", p.name)) continue;
      auto rules = r.get_string(kv.second, "rules", true, p.name);
      if (!rules) continue;
      p.rules_file = *rules;
      YAML::Node repos = r.get_sequence(kv.second, "repositories", false, p.name);
      if (repos.IsDefined())
        for (const auto& repo : repos) {
          const std::string name = repo.IsScalar() ? repo.Scalar() : std::string();
          if (!valid_repository_pattern(name)) {
            r.error("bad-repository", repo, p.name, "'" + name + "' is not OWNER/REPO or OWNER/*");
            continue;
          }
          // Matched in any case (same_name): 'Org/Repo' and 'org/repo' are one.
          std::string key = name;
          for (auto& ch : key) ch = ascii_lower(ch);
          if (auto [it, fresh] = repo_owner.emplace(key, std::pair{name, p.name}); !fresh)
            r.error("duplicate-repository", repo, p.name,
                    "'" + name + "' is named by pack '" + it->second.second + "' too" +
                        (it->second.first == name ? std::string()
                                                  : " (as '" + it->second.first + "': case does not count)"));
          p.repositories.push_back(name);
        }
      packs.push_back(std::move(p));
    }
    const std::string def = r.get_string(*root, "default", true, {}).value_or("");
    auto it = std::find_if(packs.begin(), packs.end(), [&](const PackInfo& p) { return p.name == def; });
    if (!def.empty() && it == packs.end())
      r.error("unknown-pack", (*root)["default"], def, "the default pack '" + def + "' is not among the packs");
    if (out.diagnostics.has_errors() || it == packs.end()) {
      // The map is not used; the rules files it names are read all the same, so that
      // every finding comes at once (a bad repository and an unreadable file together).
      std::set<std::string> read;  // a file two packs name: its findings once
      if (taxonomy && reader)
        for (const auto& p : packs)
          if (read.insert(p.rules_file).second) read_pack_rules(reader, file, p, *taxonomy, out.diagnostics);
      return out;
    }
    const auto index = static_cast<std::size_t>(it - packs.begin());
    out.packs.emplace(std::move(packs), index, file, std::move(taxonomy), std::move(reader));
  } catch (const std::exception& e) {
    Diagnostic d;
    d.code = "internal";
    d.where.file = file;
    d.message = std::string("the pack map could not be read: ") + e.what();
    out.diagnostics.add(std::move(d));
  }
  return out;
}

std::string repository_of(const IssueView& issue) {
  // The id's repository first: it comes from repository_url, then the url (issue.cpp),
  // so the pack and the id (and gh's --repo) name the same repository.
  const auto hash = issue.id.find('#');
  if (hash != std::string_view::npos && hash > 0) {
    std::string_view head = issue.id.substr(0, hash);
    if (std::count(head.begin(), head.end(), '/') == 1) return std::string(head);
  }
  return detail::repo_of(issue.url);
}

}  // namespace silt
