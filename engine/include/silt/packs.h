// Rule packs: which rules read a report, chosen by the repository it was filed in
// (a YAML map, rules/packs.yaml built in), or named by the user.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/diagnostics.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt {

struct PackInfo {
  std::string name;
  std::string rules_file;                 // as the map resolves it (relative to the map's directory)
  std::vector<std::string> repositories;  // "owner/repo", or "owner/*" for every repository of an owner
  SourceLocation where;
};

// A map of packs. Each pack's rules are loaded on first use and kept; const methods
// are safe from many threads.
class PackSet {
 public:
  PackSet(std::vector<PackInfo> packs, std::size_t default_pack, std::string file,
          std::shared_ptr<const Taxonomy> taxonomy, IncludeReader reader);

  const std::vector<PackInfo>& packs() const { return packs_; }
  const PackInfo& default_pack() const { return packs_[default_]; }
  const std::string& file() const { return file_; }
  const PackInfo* find(std::string_view name) const;
  // The pack that names `repo` ("owner/repo": an exact entry first, then "owner/*"); the
  // default pack when none does or `repo` is empty.
  const PackInfo& for_repository(std::string_view repo) const;

  // The pack's rules, loaded on first use; nullptr when they fail to load, with the
  // findings in `diagnostics` (those of the first attempt, every time).
  std::shared_ptr<const RuleSet> rules(const PackInfo& pack, Diagnostics* diagnostics = nullptr) const;

 private:
  std::vector<PackInfo> packs_;
  std::size_t default_ = 0;
  std::string file_;
  std::shared_ptr<const Taxonomy> taxonomy_;
  IncludeReader reader_;
  struct Slot {
    std::once_flag once;
    std::shared_ptr<const RuleSet> rules;
    Diagnostics diagnostics;
  };
  std::shared_ptr<std::vector<Slot>> slots_;
};

struct PackLoad {
  std::optional<PackSet> packs;  // set when the map has no error (the packs' rules are not read yet)
  Diagnostics diagnostics;
};

// Reads a pack map:
//   schema: silt/packs/v1
//   default: generic
//   packs:
//     keras-tf: {rules: keras-tf-fitted.yaml, repositories: [tensorflow/tensorflow, keras-team/*]}
// Rules files are read through `reader` relative to `file` (built-in or disk). Collects
// every finding (unknown default, a repository named by two packs...). Never throws.
PackLoad load_packs(std::string_view yaml, const std::string& file, std::shared_ptr<const Taxonomy> taxonomy,
                    IncludeReader reader);

// The repository an issue belongs to: from its URL (html_url, repository_url, gh's url),
// else from an id "owner/repo#N"; empty when neither says.
std::string repository_of(const IssueView& issue);

}  // namespace silt
