#include "silt/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace silt {

namespace {

constexpr std::size_t buffer_limit = 1 << 20;

Error make_error(std::string code, std::string message) {
  Error e;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1ull << 20)) return std::to_string(bytes >> 20) + " MiB (" + std::to_string(bytes) + " bytes)";
  return std::to_string(bytes) + " bytes";
}

bool stat_of(const std::string& path, struct stat& st) {
  if (path == "-") return ::fstat(STDIN_FILENO, &st) == 0;
  return ::stat(path.c_str(), &st) == 0;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Result<std::string> read_input_file(const std::string& path, std::uint64_t max_bytes) {
  const std::string name = path == "-" ? "<stdin>" : path;
  int fd = STDIN_FILENO;
  if (path != "-") {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return make_error("is-a-directory", name + ": a directory, not a file");
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error("unreadable", name + ": cannot read: " + std::strerror(errno));
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) <= max_bytes)
    out.reserve(static_cast<std::size_t>(st.st_size));
  char block[1 << 16];
  std::optional<Error> failure;
  while (true) {
    ssize_t n = ::read(fd, block, sizeof block);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failure = make_error(errno == EISDIR ? "is-a-directory" : "unreadable",
                           name + (errno == EISDIR ? ": a directory, not a file"
                                                   : ": cannot read: " + std::string(std::strerror(errno))));
      break;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      std::uint64_t size = out.size() + static_cast<std::uint64_t>(n);
      if (S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
      failure = make_error("too-large", name + ": " + (S_ISREG(st.st_mode) ? "" : "over ") + human_size(size) +
                                            ", over the limit of " + human_size(max_bytes) + " (--max-record)");
      break;
    }
    out.append(block, static_cast<std::size_t>(n));
  }
  if (path != "-") ::close(fd);
  if (failure) return *failure;
  return out;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  if (!stat_of(a, sa) || !stat_of(b, sb)) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::vector<std::string> input_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (in == "-" || !std::filesystem::is_directory(in, ec)) {
      out.push_back(in);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(in, ec))
      if (e.path().extension() == ".json" && !e.is_directory()) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) out.push_back(in);
    for (auto& f : files) out.push_back(std::move(f));
  }
  return out;
}

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path, const std::vector<std::string>& given) {
  namespace fs = std::filesystem;
  std::unique_ptr<OutputFile> f(new OutputFile());
  f->path_ = path;
  f->target_ = path;
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    std::error_code ec;
    fs::path resolved = fs::canonical(path, ec);
    struct stat via {};
    if (!ec)
      f->target_ = resolved.string();
    else if (::stat(path.c_str(), &via) != 0 || S_ISREG(via.st_mode) || S_ISDIR(via.st_mode))
      return make_error("unwritable", path + ": a symbolic link to nothing that exists (" + ec.message() + ")");
    // else a pipe or a socket behind /proc/self/fd (-o /dev/stdout in a pipeline): written
    // directly through the link, as a FIFO is.
  }
  struct stat st {};
  const bool exists = ::stat(f->target_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return make_error("unwritable", path + ": a directory, not a file");
  f->direct_ = exists && !S_ISREG(st.st_mode);
  f->written_ = f->direct_ ? f->target_ : f->target_ + ".partial";
  // A file read through its directory is as much an input as one named.
  for (const auto& in : input_files(given)) {
    struct stat ist {};
    if (!stat_of(in, ist) || S_ISDIR(ist.st_mode)) continue;
    if (!S_ISREG(ist.st_mode)) continue;  // a FIFO or a device read and written is the user's business
    const std::string shown = in == "-" ? "<stdin>" : in;
    if ((exists && same_file(f->target_, in)) || same_file(f->written_, in))
      return make_error("output-is-input", path + ": this output is also an input (" + shown +
                                               "); writing it would destroy what is being read");
  }
  const int flags = f->direct_ ? O_WRONLY | O_CLOEXEC : O_WRONLY | O_CREAT | O_CLOEXEC;
  do f->fd_ = ::open(f->written_.c_str(), flags, 0666);
  while (f->fd_ < 0 && errno == EINTR);
  if (f->fd_ < 0) return make_error("unwritable", f->written_ + ": cannot write: " + std::strerror(errno));
  if (!f->direct_ && ::flock(f->fd_, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    ::close(f->fd_);
    f->fd_ = -1;
    if (busy)
      return make_error("locked", f->written_ +
                                      " is being written by another run of silt; wait for it to finish, or "
                                      "choose another output");
    return make_error("unwritable", f->written_ + ": cannot lock: " + std::strerror(errno));
  }
  return f;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    flush();
    ::close(fd_);
  }
}

std::optional<Error> OutputFile::keep(std::uint64_t bytes) {
  if (direct_) return std::nullopt;
  if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0)
    return make_error("unwritable", written_ + ": " + std::strerror(errno));
  return std::nullopt;
}

bool OutputFile::write(std::string_view bytes) {
  if (failed()) return false;
  buffer_.append(bytes);
  if (buffer_.size() >= buffer_limit) return flush();
  return true;
}

bool OutputFile::flush() {
  if (failed() || fd_ < 0) return !failed();
  if (!write_all(fd_, buffer_)) {
    error_ = written_ + ": write failed: " + std::strerror(errno ? errno : EIO);
    return false;
  }
  buffer_.clear();
  return true;
}

std::optional<Error> OutputFile::commit() {
  bool ok = flush();
  if (ok && !direct_ && ::fsync(fd_) != 0) {
    error_ = written_ + ": write failed: " + std::strerror(errno);
    ok = false;
  }
  if (::close(fd_) != 0 && ok) {
    error_ = written_ + ": write failed: " + std::strerror(errno);
    ok = false;
  }
  fd_ = -1;
  if (!ok) return make_error("write-failed", error_);
  if (direct_) return std::nullopt;
  if (::rename(written_.c_str(), target_.c_str()) != 0)
    return make_error("rename-failed", "cannot rename " + written_ + " to " + target_ + ": " + std::strerror(errno));
  return std::nullopt;
}

}  // namespace silt
