// The cache of users' rules files: their prefilters (prefilter.h), one file a part named
// by its fingerprint, so that an unchanged file's prefilter is compiled once; and their
// specs (rules_spec.h), so that an unchanged file is read as YAML once.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_read.h"
#include "prefilter.h"
#include "read_file.h"
#include "rules_spec.h"
#include "silt/files.h"
#include "silt/json_writer.h"

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

namespace {}  // namespace

std::uint64_t text_hash(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

// Every cache file ends with a checksum of the bytes before it: the databases in a
// prefilter's are run as they are, so a file damaged on disk or cut short must never
// reach Hyperscan. (Not a defence against someone who can write to the cache
// directory: they could as well change the rules file.)
void seal_cache_bytes(std::string& bytes) {
  const std::uint64_t sum = text_hash(bytes);
  for (std::size_t i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
}

namespace {

// The bytes before the checksum, when it holds.
std::optional<std::string_view> unsealed_cache_bytes(std::string_view file) {
  if (file.size() < 8) return std::nullopt;
  const std::string_view body = file.substr(0, file.size() - 8);
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < 8; ++i)
    stored |= static_cast<std::uint64_t>(static_cast<unsigned char>(file[body.size() + i])) << (8 * i);
  if (stored != text_hash(body)) return std::nullopt;
  return body;
}

}  // namespace

Result<std::shared_ptr<const Prefilter>> read_cache_file(std::string_view file, const PrefilterSource& source,
                                                         std::shared_ptr<const void> owner) {
  auto body = unsealed_cache_bytes(file);
  if (!body) return Error{"the cached prefilter is damaged", 0, 0, "damaged-cache"};
  return Prefilter::deserialize(*body, source, std::move(owner));
}

std::string cache_file_bytes(const Prefilter& prefilter, std::uint64_t fingerprint) {
  std::string bytes = prefilter.serialize(fingerprint);
  seal_cache_bytes(bytes);
  return bytes;
}

void touch_cache_file(const std::string& path) {
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // now; a read-only cache stays as it is
}

std::string cache_file_path(const std::string& dir, const CacheKind& kind, std::uint64_t key) {
  char hex[20];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return dir + "/" + std::string(kind.prefix) + hex + std::string(kind.suffix);
}

std::optional<Error> write_cache_file(const std::string& path, const CacheKind& kind, std::string_view bytes) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"cannot create " + dir + ": " + ec.message(), 0, 0, "unwritable"};
  auto out = OutputFile::open(path, {});
  if (!out.ok()) return out.error();
  if (auto e = out.value()->keep(0)) return e;  // a leftover .partial: written from its start
  out.value()->write(bytes);
  if (auto e = out.value()->commit()) return e;
  prune_cache(dir, kind, path);
  return std::nullopt;
}

void prune_cache(const std::string& dir, const CacheKind& kind, const std::string& just_written) {
  const std::string_view prefix = kind.prefix, suffix = kind.suffix;
  const std::size_t keep = kind.keep;
  std::error_code ec;
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != prefix.size() + 16 + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string_view hex = std::string_view(name).substr(prefix.size(), 16);
    if (!std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
      continue;
    std::error_code e2;
    if (!entry.is_regular_file(e2) || name == std::filesystem::path(just_written).filename().string()) continue;
    const auto t = entry.last_write_time(e2);
    if (!e2) files.emplace_back(t, entry.path());
  }
  if (ec || files.size() + 1 <= keep) return;  // + 1: the file just written stays
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = keep > 0 ? keep - 1 : 0; i < files.size(); ++i) std::filesystem::remove(files[i].second, ec);
}

std::shared_ptr<const Prefilter> cached_prefilter(const PrefilterSource& source) {
  const std::string dir = prefilter_cache_dir();
  if (dir.empty()) return nullptr;
  // Mapped, not read: the databases are used where they lie (page-aligned), with no copy
  // and no zeroed pages to fill (a doubled pack's cache file is 13 MB). silt replaces a
  // cache file by renaming a new one over it, so a mapped file never changes under it
  // (one cut short in place by something else while mapped would end the process with
  // SIGBUS: keep SILT_CACHE_DIR on a local disk, or set it to off).
  const std::string path = cache_file_path(dir, prefilter_files, Prefilter::fingerprint(source));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* map = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  const auto size = static_cast<std::size_t>(st.st_size);
  std::shared_ptr<const void> owner(map, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  auto pf = read_cache_file(std::string_view(static_cast<const char*>(map), size), source, owner);
  if (!pf.ok()) return nullptr;
  touch_cache_file(path);
  return pf.value();
}

Result<std::string> cache_prefilter(const Prefilter& prefilter, const PrefilterSource& source) {
  const std::string dir = prefilter_cache_dir();
  if (dir.empty()) {
    const char* set = std::getenv("SILT_CACHE_DIR");
    return Error{set && std::string_view(set) == "off" ? "the cache is off (SILT_CACHE_DIR=off): nothing is kept"
                                                       : "no cache directory (set SILT_CACHE_DIR or HOME)",
                 0, 0, "no-cache"};
  }
  const std::uint64_t fp = Prefilter::fingerprint(source);
  const std::string path = cache_file_path(dir, prefilter_files, fp);
  if (auto e = write_cache_file(path, prefilter_files, cache_file_bytes(prefilter, fp))) return *e;
  return path;
}

std::string spec_cache_path(const std::string& dir, const std::string& file, std::string_view yaml) {
  std::string key = SILT_VERSION;
  key += '\0';
  key += file;
  key += '\0';
  key += yaml;
  return cache_file_path(dir, spec_files, text_hash(key));
}

namespace {

constexpr std::string_view spec_magic = "silt-spec-cache 2\n";  // 2: own headings first

// A finding as spec_cache_bytes writes it (nullopt when the line is not one).
std::optional<Diagnostic> finding_from_json(JsonDocument& doc, std::string_view line) {
  if (parse_json(line, doc) || !doc.IsArray() || doc.Size() != 10) return std::nullopt;
  Diagnostic d;
  std::string_view severity;
  std::int64_t row = 0, column = 0;
  std::string* text[] = {&d.code,         nullptr,    &d.where.file, nullptr,        nullptr,
                         &d.subject_kind, &d.subject, &d.message,    &d.source_line, &d.hint};
  std::size_t i = 0;
  for (const JsonValue& e : doc.GetArray()) {
    auto s = json_string(e);
    if (text[i]) {
      if (!s) return std::nullopt;
      *text[i] = std::string(*s);
    } else if (i == 1) {
      if (!s) return std::nullopt;
      severity = *s;
    } else if (!e.IsInt64()) {
      return std::nullopt;
    } else {
      (i == 3 ? row : column) = e.GetInt64();
    }
    ++i;
  }
  if (severity != to_string(Severity::error) && severity != to_string(Severity::warning)) return std::nullopt;
  d.severity = severity == to_string(Severity::error) ? Severity::error : Severity::warning;
  if (row < 0 || row > 1 << 30 || column < 0 || column > 1 << 30) return std::nullopt;
  d.where.line = static_cast<int>(row);
  d.where.column = static_cast<int>(column);
  return d;
}

}  // namespace

// The bytes: the magic line; a line with the number of includes, then one line an
// include, "HASH NAME" (HASH 16 hex digits); a line with the number of findings, then
// one line a finding, a JSON array; the spec's JSON; 8 bytes of checksum.
std::string spec_cache_bytes(const CachedSpec& cached, const Taxonomy& taxonomy) {
  std::string bytes(spec_magic);
  bytes += std::to_string(cached.includes.size()) + "\n";
  for (const auto& [name, hash] : cached.includes) {
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llx ", static_cast<unsigned long long>(hash));
    bytes += hex + name + "\n";
  }
  bytes += std::to_string(cached.findings.size()) + "\n";
  for (const auto& d : cached.findings) {
    JsonWriter line(JsonWriter::Style::compact);
    line.begin_array();
    line.string(d.code);
    line.string(to_string(d.severity));
    line.string(d.where.file);
    line.integer(d.where.line);
    line.integer(d.where.column);
    for (const std::string* t : {&d.subject_kind, &d.subject, &d.message, &d.source_line, &d.hint}) line.string(*t);
    line.end_array();
    bytes += line.take() + "\n";
  }
  bytes += spec_to_json(cached.spec, taxonomy);
  seal_cache_bytes(bytes);
  return bytes;
}

std::optional<CachedSpec> read_spec_cache_file(std::string_view file, const Taxonomy& taxonomy) {
  auto sealed = unsealed_cache_bytes(file);
  if (!sealed || sealed->substr(0, spec_magic.size()) != spec_magic) return std::nullopt;
  std::string_view body = sealed->substr(spec_magic.size());
  auto line = [&body]() -> std::optional<std::string_view> {
    const auto nl = body.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view l = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    return l;
  };
  auto count = [&line]() -> std::optional<int> {
    auto l = line();
    if (!l || l->empty() || l->size() > 4 ||
        !std::all_of(l->begin(), l->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoi(std::string(*l));
  };
  auto includes = count();
  if (!includes) return std::nullopt;
  CachedSpec out;
  for (int n = *includes; n > 0; --n) {
    auto l = line();
    if (!l || l->size() < 18 || (*l)[16] != ' ') return std::nullopt;
    std::uint64_t hash = 0;
    for (char c : l->substr(0, 16)) {
      const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) return std::nullopt;
      hash = hash << 4 | static_cast<std::uint64_t>(v);
    }
    out.includes.emplace_back(std::string(l->substr(17)), hash);
  }
  auto findings = count();
  if (!findings) return std::nullopt;
  JsonDocument doc;
  for (int n = *findings; n > 0; --n) {
    auto l = line();
    if (!l) return std::nullopt;
    auto d = finding_from_json(doc, *l);
    if (!d) return std::nullopt;
    out.findings.push_back(std::move(*d));
  }
  auto spec = spec_from_json(body, taxonomy);
  if (!spec) return std::nullopt;
  out.spec = std::move(*spec);
  return out;
}

}  // namespace silt::detail

namespace silt {

std::string prefilter_cache_directory() {
  return detail::prefilter_cache_dir();
}

}  // namespace silt
