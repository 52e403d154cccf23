// Reading whole input files and writing output files without destroying what a path
// names or what another run is writing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silt/result.h"

namespace silt {

// The largest record (an issue, a CSV row, a whole file read at once) silt reads by
// default: larger ones are rejected with their size rather than held in memory.
inline constexpr std::uint64_t default_max_record = 64ull << 20;

// The bytes of `path` ("-": stdin). Fails, with a code, when it cannot be read:
//   is-a-directory  the path names a directory
//   unreadable      it cannot be opened or read (the message has the system's reason)
//   too-large       it holds more than `max_bytes` (the message gives the size)
Result<std::string> read_input_file(const std::string& path, std::uint64_t max_bytes = default_max_record);

// Whether two paths name the same existing file (same device and inode); "-" is stdin.
bool same_file(const std::string& a, const std::string& b);

// The files a run reads from `inputs`, in order: a directory stands for the *.json files
// in it (not in its subdirectories), sorted by name; one holding none stays as it is (its
// reader says so); any other path ("-" too) as given.
std::vector<std::string> input_files(const std::vector<std::string>& inputs);

// An output file written so that nothing is lost or destroyed:
//  - a path naming an existing file that is not a regular file (a device such as
//    /dev/null, a FIFO, a terminal) is written directly: it is never replaced;
//  - otherwise the output goes to PATH.partial, locked (flock) against another run
//    writing the same output, and commit() renames it over PATH (a symbolic link is
//    followed: the file it names is replaced, the link is kept);
//  - nothing is created before open() is called, and open() refuses a path that is one
//    of the run's inputs.
// Not thread-safe. The destructor closes the file and releases the lock, leaving
// PATH.partial in place when commit() was not called (an interrupted run, --resume).
class OutputFile {
 public:
  // Error codes: output-is-input, locked (another run holds PATH.partial), unwritable.
  // `inputs` are the paths the run reads ("-" for stdin); a directory's files are
  // input_files'.
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path, const std::vector<std::string>& inputs);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Whether the output is written directly into a non-regular file (no .partial).
  bool direct() const { return direct_; }
  // The file written to: PATH.partial, or PATH itself when direct().
  const std::string& written_path() const { return written_; }
  // The path given to open().
  const std::string& path() const { return path_; }

  // Keeps the first `bytes` bytes of PATH.partial (0: a fresh start) and writes after
  // them. Not for direct outputs.
  std::optional<Error> keep(std::uint64_t bytes);

  // Appends; false once a write has failed (error() says why).
  bool write(std::string_view bytes);
  // Writes out what is buffered.
  bool flush();
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // Flushes, syncs and closes, then renames PATH.partial over PATH. Fails (code
  // write-failed or rename-failed) when any of it did; PATH is then left untouched.
  std::optional<Error> commit();

 private:
  OutputFile() = default;
  std::string path_, target_, written_;
  int fd_ = -1;
  bool direct_ = false;
  std::string buffer_;
  std::string error_;
};

}  // namespace silt
