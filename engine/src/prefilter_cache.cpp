// The cache of the prefilters of users' rules files (prefilter.h): one file a part,
// named by its fingerprint, so that an unchanged file's prefilter is compiled once.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string_view>

#include "prefilter.h"
#include "read_file.h"
#include "silt/files.h"

namespace silt::detail {

std::string prefilter_cache_dir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (std::string dir = env("SILT_CACHE_DIR"); !dir.empty()) return dir == "off" ? "" : dir;
  if (std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty()) return xdg + "/silt";
  if (std::string home = env("HOME"); !home.empty()) return home + "/.cache/silt";
  return {};
}

namespace {

std::string cache_path(const std::string& dir, std::uint64_t fingerprint) {
  char name[40];
  std::snprintf(name, sizeof name, "prefilter-%016llx.bin", static_cast<unsigned long long>(fingerprint));
  return dir + "/" + name;
}

}  // namespace

namespace {

// A cache file is the prefilter's bytes and a checksum of them: the databases in it are
// run as they are, so a file damaged on disk or cut short must never reach Hyperscan.
// (Not a defence against someone who can write to the cache directory: they could as
// well change the rules file.)
std::uint64_t checksum(std::string_view bytes) {
  return std::hash<std::string_view>{}(bytes);
}

}  // namespace

Result<std::shared_ptr<const Prefilter>> read_cache_file(std::string_view file, const PrefilterSource& source) {
  const Error damaged{"the cached prefilter is damaged", 0, 0, "damaged-cache"};
  if (file.size() < 8) return damaged;
  const std::string_view body = file.substr(0, file.size() - 8);
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < 8; ++i)
    stored |= static_cast<std::uint64_t>(static_cast<unsigned char>(file[body.size() + i])) << (8 * i);
  if (stored != checksum(body)) return damaged;
  return Prefilter::deserialize(body, source);
}

std::string cache_file_bytes(const Prefilter& prefilter, std::uint64_t fingerprint) {
  std::string bytes = prefilter.serialize(fingerprint);
  const std::uint64_t sum = checksum(bytes);
  for (std::size_t i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  return bytes;
}

std::shared_ptr<const Prefilter> cached_prefilter(const PrefilterSource& source) {
  const std::string dir = prefilter_cache_dir();
  if (dir.empty()) return nullptr;
  auto bytes = read_file(cache_path(dir, Prefilter::fingerprint(source)));
  if (!bytes.ok()) return nullptr;
  auto pf = read_cache_file(bytes.value(), source);  // a copy: the string goes
  return pf.ok() ? pf.value() : nullptr;
}

Result<std::string> cache_prefilter(const Prefilter& prefilter, const PrefilterSource& source) {
  const std::string dir = prefilter_cache_dir();
  if (dir.empty()) return Error{"no cache directory (set SILT_CACHE_DIR or HOME)", 0, 0, "no-cache"};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"cannot create " + dir + ": " + ec.message(), 0, 0, "unwritable"};
  const std::uint64_t fp = Prefilter::fingerprint(source);
  const std::string path = cache_path(dir, fp);
  auto out = OutputFile::open(path, {});
  if (!out.ok()) return out.error();
  out.value()->write(cache_file_bytes(prefilter, fp));
  if (auto e = out.value()->commit()) return *e;
  return path;
}

}  // namespace silt::detail

namespace silt {

std::string prefilter_cache_directory() {
  return detail::prefilter_cache_dir();
}

}  // namespace silt
