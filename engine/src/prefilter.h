// Private: the one-pass prefilter of a rule set. Hyperscan databases over every rule's
// pattern, relaxed so that they match a superset of what RE2 matches, tell in one scan
// of a text which rules may fire in it; RE2 then finds the exact match and applies
// `unless` (rules.cpp). The template's boilerplate and headings get databases too.
// Built once (at build time for the built-in packs, or on first use of a user's file,
// then cached), serialized and deserialized in about a millisecond.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/result.h"

struct hs_database;

namespace silt::detail {

// What a prefilter is built from: the rules' patterns with the fields each reads, and
// the boilerplate and heading patterns.
struct PrefilterSource {
  struct Pattern {
    std::string text;
    std::string unless;  // not compiled; in the fingerprint so that a prefilter vouches for every pattern
    bool case_sensitive = false;
    std::vector<std::size_t> fields;  // indices into issue_fields()
  };
  std::vector<Pattern> rules;
  std::vector<std::string> boilerplate;  // caseless, unanchored
  std::vector<std::string> headings;     // caseless, matched whole
};

// The pattern as the prefilter compiles it, changed only in ways that can only match
// more, and that keep Hyperscan's databases small: every bounded repeat {m,n} made
// unbounded {m,}, and every word boundary (\b, \B) left out (an empty group, so that a
// repeat after it still applies to nothing). Without the boundaries the generic pack's
// database is 4.8 MB instead of 7.3: Hyperscan checks a database's CRC when a scratch
// is made for it, at every start.
std::string relaxed_pattern(std::string_view pattern);

class Prefilter {
 public:
  // What the databases are compiled for: this CPU's features (AVX2, AVX-512), or
  // Hyperscan's baseline, which every CPU it runs on reads (the built-in prefilters: a
  // binary built on one machine runs on others, and a database compiled for AVX-512 is
  // refused where there is none).
  enum class Target { host, portable };
  // Compiles every database. A pattern Hyperscan cannot take is "unfiltered": the rule
  // is a candidate wherever it reads (RE2 alone decides), never missed. Fails only when
  // Hyperscan is unusable (no supported CPU, out of memory).
  static Result<std::shared_ptr<const Prefilter>> compile(const PrefilterSource& source, Target target = Target::host);
  // What serialize() wrote, read in place when `bytes` is 64-byte aligned (for bytes that
  // outlive every prefilter: the built-in ones), else copied; fails (code "stale-prefilter") when the bytes are not for
  // `source` (its fingerprint differs, or an index is out of range) or Hyperscan cannot
  // read them.
  static Result<std::shared_ptr<const Prefilter>> deserialize(std::string_view bytes, const PrefilterSource& source);
  // The same, for bytes that `owner` keeps alive (a mapped cache file): read in place
  // when aligned, the prefilter then holding `owner`; copied when `owner` is null.
  static Result<std::shared_ptr<const Prefilter>> deserialize(std::string_view bytes, const PrefilterSource& source,
                                                              std::shared_ptr<const void> owner);
  std::string serialize(std::uint64_t fingerprint) const;
  // A hash of everything the databases depend on.
  static std::uint64_t fingerprint(const PrefilterSource& source);

  ~Prefilter();
  Prefilter(const Prefilter&) = delete;
  Prefilter& operator=(const Prefilter&) = delete;

  // The rules that may fire in `text`, read as field `field` (an index into
  // issue_fields()), in increasing order. Thread-safe. `text` must be valid UTF-8.
  void candidates(std::size_t field, std::string_view text, std::vector<std::size_t>& out) const;
  // The boilerplate patterns that may match `text`, and the heading patterns that may
  // match `heading` whole (normalised by the caller), in increasing order: RE2 decides.
  void boilerplate_candidates(std::string_view text, std::vector<std::size_t>& out) const;
  void heading_candidates(std::string_view heading, std::vector<std::size_t>& out) const;
  // Hyperscan's description of each database, a line each: its version, the CPU
  // features it was compiled for (none: the baseline), its mode.
  std::string database_info() const;

 private:
  Prefilter() = default;
  static Result<std::shared_ptr<const Prefilter>> read(std::string_view bytes, const PrefilterSource& source,
                                                       std::shared_ptr<const void> owner, bool in_place);
  struct Group {
    const hs_database* db = nullptr;
    std::vector<std::size_t> rule_of;  // pattern id -> rule
  };
  std::vector<Group> groups_;                         // one a group of fields
  std::vector<std::size_t> group_of_field_;           // field -> group (npos: no rule reads it)
  std::vector<std::vector<bool>> reads_;              // [field][rule]
  std::vector<std::vector<std::size_t>> unfiltered_;  // [field]: rules always candidates
  Group boilerplate_, headings_;
  std::vector<std::size_t> boilerplate_unfiltered_, headings_unfiltered_;
  bool compiled_ = false;  // the databases are Hyperscan's to free; else they live in the bytes read
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> copy_;   // the bytes read, when they had to be copied to be aligned
  std::shared_ptr<const void> owner_;  // what keeps the bytes read in place alive, when not static
  std::vector<const hs_database*> databases() const;
  friend struct PrefilterBuilder;
};

// The directory prefilters of users' rules are cached in: $SILT_CACHE_DIR ("off": none),
// else $XDG_CACHE_HOME/silt, else ~/.cache/silt.
std::string prefilter_cache_dir();
// The cached prefilter of `source`; null when there is none that reads back.
std::shared_ptr<const Prefilter> cached_prefilter(const PrefilterSource& source);
// A hash of `text` (std::hash): the cache files' checksums, names and include hashes.
std::uint64_t text_hash(std::string_view text);
// Appends to a cache file's bytes the checksum every cache file ends with.
void seal_cache_bytes(std::string& bytes);
// A cache file's bytes: serialize(fingerprint) and a checksum of them.
std::string cache_file_bytes(const Prefilter& prefilter, std::uint64_t fingerprint);
// Reads a cache file's bytes back: damaged-cache when the checksum does not hold, else
// as Prefilter::deserialize (in place when `owner` keeps the bytes alive and they are
// aligned; copied otherwise, and always when `owner` is null).
Result<std::shared_ptr<const Prefilter>> read_cache_file(std::string_view file, const PrefilterSource& source,
                                                         std::shared_ptr<const void> owner = nullptr);
// Writes `prefilter` (compiled from `source`) to the cache, atomically; the path written.
// Then prunes the cache's prefilters to the most recently used (prune_cache).
Result<std::string> cache_prefilter(const Prefilter& prefilter, const PrefilterSource& source);

// A kind of cache file: named PREFIX + 16 hex digits + SUFFIX, and how many are kept
// (every edit of a rules file compiled with `silt rules compile` makes new ones, a
// prefilter up to 13 MB, so the least recently used go).
struct CacheKind {
  std::string_view prefix, suffix;
  std::size_t keep;
};
inline constexpr CacheKind prefilter_files{"prefilter-", ".bin", 16}, spec_files{"spec-", ".json", 64};
// The cache file of `kind` named by `key`, in `dir`.
std::string cache_file_path(const std::string& dir, const CacheKind& kind, std::uint64_t key);
// Writes `bytes` as the cache file `path` of `kind` (its directory created if need be),
// atomically, then prunes that kind (prune_cache). An Error when it cannot be written.
std::optional<Error> write_cache_file(const std::string& path, const CacheKind& kind, std::string_view bytes);
// Deletes the least recently used files of `kind` in `dir` beyond the `kind.keep` most
// recent (by modification time, which a read of a cache file renews: touch_cache_file),
// never `just_written`. Other files are left alone; errors are ignored (a cache that
// cannot be pruned still works).
void prune_cache(const std::string& dir, const CacheKind& kind, const std::string& just_written);
// Marks a cache file as just used (its modification time), for prune_cache.
void touch_cache_file(const std::string& path);

}  // namespace silt::detail
