// The cache of the prefilters of users' rules files (prefilter.h): one file a part,
// named by its fingerprint, so that an unchanged file's prefilter is compiled once.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

std::shared_ptr<const Prefilter> cached_prefilter(const PrefilterSource& source) {
  const std::string dir = prefilter_cache_dir();
  if (dir.empty()) return nullptr;
  auto bytes = read_file(cache_path(dir, Prefilter::fingerprint(source)));
  if (!bytes.ok()) return nullptr;
  auto pf = Prefilter::deserialize(bytes.value(), source);  // a copy: the string goes
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
  out.value()->write(prefilter.serialize(fp));
  if (auto e = out.value()->commit()) return *e;
  return path;
}

}  // namespace silt::detail

namespace silt {

std::string prefilter_cache_directory() {
  return detail::prefilter_cache_dir();
}

}  // namespace silt
