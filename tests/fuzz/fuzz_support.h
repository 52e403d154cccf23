// What the harnesses share: the built-in configuration loaded once, a file that holds
// the fuzz input for readers that take a path, and a check that no descriptor leaks.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "silt/builtin.h"
#include "silt/classifier.h"
#include "silt/rules.h"
#include "silt/taxonomy.h"

namespace silt::fuzz {

[[noreturn]] inline void die(const char* what) {
  std::fprintf(stderr, "silt fuzz harness: %s\n", what);
  std::abort();
}

// The built-in taxonomy; aborts if it does not load (the harness is then useless).
inline std::shared_ptr<const Taxonomy> builtin_taxonomy_loaded() {
  static const std::shared_ptr<const Taxonomy> t = [] {
    auto b = builtin_taxonomy();
    auto l = load_taxonomy(b.text, std::string(b.name));
    if (!l.taxonomy) die("the built-in taxonomy does not load");
    return std::make_shared<const Taxonomy>(std::move(*l.taxonomy));
  }();
  return t;
}

// The built-in taxonomy and rules, as `silt` loads them without --taxonomy/--rules.
inline const Classifier& builtin_classifier() {
  static const Classifier c = [] {
    auto t = builtin_taxonomy_loaded();
    auto b = builtin_rules();
    auto r = load_rules(b.text, std::string(b.name), *t, silt::include_builtin());
    if (!r.rules) die("the built-in rules do not load");
    return Classifier(t, std::make_shared<const RuleSet>(std::move(*r.rules)));
  }();
  return c;
}

// A file holding the current input, for readers that take a path: a memfd named by
// /proc/self/fd/N (a temporary file where memfd_create is missing), one per process,
// rewritten on each call. The descriptor, opened by the first call, lives as long as
// the process: an FdLeakCheck goes after that call.
inline const std::string& input_file(const std::uint8_t* data, std::size_t size) {
  static int fd = -1;
  static std::string path;
  if (fd < 0) {
    fd = ::memfd_create("silt-fuzz-input", MFD_CLOEXEC);
    if (fd >= 0) {
      path = "/proc/self/fd/" + std::to_string(fd);
    } else {
      char tmpl[] = "/tmp/silt-fuzz-XXXXXX";
      fd = ::mkstemp(tmpl);
      if (fd < 0) die("cannot create the input file");
      path = tmpl;
      static struct Unlink {
        std::string p;
        ~Unlink() { ::unlink(p.c_str()); }
      } unlink_at_exit{path};
    }
  }
  if (::ftruncate(fd, 0) != 0) die("ftruncate failed");
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("pwrite failed");
    done += static_cast<std::size_t>(n);
  }
  return path;
}

// The lowest free descriptor: what the next open() returns.
inline int lowest_free_fd() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open /dev/null");
  ::close(fd);
  return fd;
}

// Aborts when the scope it guards leaves a descriptor open (a reader that leaks one).
class FdLeakCheck {
 public:
  FdLeakCheck() : before_(lowest_free_fd()) {}
  ~FdLeakCheck() {
    if (lowest_free_fd() != before_) die("a file descriptor leaked");
  }
  FdLeakCheck(const FdLeakCheck&) = delete;
  FdLeakCheck& operator=(const FdLeakCheck&) = delete;

 private:
  int before_;
};

// A small issue with every field set, for rules to match on.
inline Issue small_issue() {
  Issue i;
  i.id = "example-org/dl-lib#7";
  i.title = "model.fit progress bar shows the wrong shape (None, 2)";
  i.body =
      "**Describe the current behavior**\n"
      "The loss is NaN and the accuracy drops to 0.5 after load_model; no error is raised.\n\n"
      "**Describe the expected behavior**\nThe same accuracy.\n\n"
      "```python\nmodel.fit(x, y, verbose=1)\n```\n\n"
      "```\nEpoch 1/2\nTraceback (most recent call last):\n```\n";
  i.url = "https://github.com/example-org/dl-lib/issues/7";
  i.labels = {"type:bug", "comp:keras"};
  i.comments = {"Same here with TF 2.4: the summary shows (None, 2)."};
  i.join_lists();
  return i;
}

// The bytes of a cache file from the fuzz input (the cache harnesses): after a flag byte,
// an even one takes the rest as they are; an odd one edits `valid`: a length to cut it
// to first (4 bytes, taken when a multiple of 4), then edits of 4 bytes each, a 24-bit
// offset and the byte to put there.
inline std::string cache_file_input(const std::string& valid, const std::uint8_t* data, std::size_t size) {
  if (size > 0 && data[0] % 2 == 0) return std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string file = valid;
  if (file.empty()) return file;
  std::size_t i = 1;
  if (size >= 5) {
    std::uint32_t cut = 0;
    for (int k = 0; k < 4; ++k) cut |= static_cast<std::uint32_t>(data[1 + k]) << (8 * k);
    if (cut % 4 == 0) file.resize(cut % (file.size() + 1));
    i = 5;
  }
  for (; i + 4 <= size; i += 4) {
    const std::size_t at = (data[i] | data[i + 1] << 8 | data[i + 2] << 16) % (file.size() + 1);
    if (at < file.size()) file[at] = static_cast<char>(data[i + 3]);
  }
  return file;
}

// The fuzz input as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace silt::fuzz
