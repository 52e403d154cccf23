// Helpers shared by the tests: the built-in configuration and finding lookups.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "silt/builtin.h"
#include "silt/classifier.h"
#include "silt/diagnostics.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt::test {

inline std::shared_ptr<const Taxonomy> builtin_taxonomy_loaded() {
  auto b = builtin_taxonomy();
  auto t = load_taxonomy(b.text, std::string(b.name));
  REQUIRE(t.taxonomy);
  return std::make_shared<const Taxonomy>(std::move(*t.taxonomy));
}

inline std::shared_ptr<const RuleSet> builtin_rules_loaded(const Taxonomy& t) {
  auto b = builtin_rules();
  auto r = load_rules(b.text, std::string(b.name), t, include_builtin());
  REQUIRE(r.rules);
  return std::make_shared<const RuleSet>(std::move(*r.rules));
}

inline const Classifier& default_classifier() {
  static const Classifier c = [] {
    auto t = builtin_taxonomy_loaded();
    auto r = builtin_rules_loaded(*t);
    return Classifier(t, r);
  }();
  return c;
}

// The first diagnostic with this code, or nullptr.
inline const Diagnostic* find_code(const Diagnostics& ds, const std::string& code) {
  for (const auto& d : ds.all())
    if (d.code == code) return &d;
  return nullptr;
}

inline std::size_t count_code(const Diagnostics& ds, const std::string& code) {
  std::size_t n = 0;
  for (const auto& d : ds.all()) n += d.code == code;
  return n;
}

// Criteria answers as a bit pattern over the criteria (bit i = criterion i holds).
inline std::vector<bool> bits(std::size_t n, unsigned mask) {
  std::vector<bool> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (mask >> i) & 1u;
  return v;
}

// SILT_CACHE_DIR set for one test, unset after it.
struct CacheDirEnv {
  explicit CacheDirEnv(const std::string& dir) { ::setenv("SILT_CACHE_DIR", dir.c_str(), 1); }
  ~CacheDirEnv() { ::unsetenv("SILT_CACHE_DIR"); }
  CacheDirEnv(const CacheDirEnv&) = delete;
  CacheDirEnv& operator=(const CacheDirEnv&) = delete;
};

// A fresh directory for one test's files, removed with it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("silt-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string at(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return at(name);
  }
};

// Whether `what` is in `s`.
inline bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// The whole of a file.
inline std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace silt::test
