#include "silt/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.h"

using namespace silt;
namespace fs = std::filesystem;

using silt::test::slurp;
using silt::test::TempDir;

TEST_CASE("files: read_input_file names a directory, a missing file and a file over the limit", "[files]") {
  TempDir d;
  auto dir = read_input_file(d.path.string());
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().code == "is-a-directory");
  auto missing = read_input_file(d.at("nope"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "unreadable");
  auto big = read_input_file(d.write("big", std::string(2000, 'x')), 1000);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == "too-large");
  CHECK(big.error().message.find("2000 bytes") != std::string::npos);
  auto ok = read_input_file(d.write("ok", "abc"), 1000);
  REQUIRE(ok.ok());
  CHECK(ok.value() == "abc");
}

TEST_CASE("files: an output goes to PATH.partial and replaces PATH only on commit", "[files]") {
  TempDir d;
  const std::string path = d.write("out.txt", "old\n");
  auto f = OutputFile::open(path, {});
  REQUIRE(f.ok());
  auto& out = *f.value();
  CHECK_FALSE(out.direct());
  CHECK(out.written_path() == path + ".partial");
  REQUIRE_FALSE(out.keep(0));
  CHECK(out.write("new\n"));
  CHECK(out.flush());
  CHECK(slurp(path) == "old\n");  // not yet
  REQUIRE_FALSE(out.commit());
  CHECK(slurp(path) == "new\n");
  CHECK_FALSE(fs::exists(path + ".partial"));
}

TEST_CASE("files: a FIFO as output is written directly, never replaced", "[files]") {
  TempDir d;
  const std::string fifo = d.at("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  {
    auto f = OutputFile::open(fifo, {});
    REQUIRE(f.ok());
    CHECK(f.value()->direct());
    CHECK(f.value()->write("through\n"));
    CHECK_FALSE(f.value()->commit());
  }
  reader.join();
  CHECK(got == "through\n");
  struct stat st {};
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK_FALSE(fs::exists(fifo + ".partial"));
}

TEST_CASE("files: an output that is one of the inputs is refused", "[files]") {
  TempDir d;
  const std::string in = d.write("in.jsonl", "{}\n");
  auto same = OutputFile::open(in, {d.at("other"), in});
  REQUIRE_FALSE(same.ok());
  CHECK(same.error().code == "output-is-input");
  fs::create_symlink(in, d.at("link"));
  auto through_link = OutputFile::open(d.at("link"), {in});
  REQUIRE_FALSE(through_link.ok());
  CHECK(through_link.error().code == "output-is-input");
  CHECK(slurp(in) == "{}\n");
}

TEST_CASE("files: a file read through its directory is an input an output may not be", "[files]") {
  TempDir d;
  fs::create_directories(d.path / "dir" / "sub");
  const std::string in = d.write("dir/a.json", "[]\n");
  d.write("dir/notes.txt", "x");
  d.write("dir/sub/b.json", "[]\n");
  const std::string dir = d.at("dir");
  CHECK(input_files({dir, "-"}) == std::vector<std::string>{in, "-"});  // *.json, not below
  auto through_dir = OutputFile::open(in, {dir});
  REQUIRE_FALSE(through_dir.ok());
  CHECK(through_dir.error().code == "output-is-input");
  CHECK(slurp(in) == "[]\n");
  CHECK(OutputFile::open(d.at("dir/notes.txt"), {dir}).ok());  // not read from the directory
  const std::string empty = d.at("empty");
  fs::create_directories(empty);
  CHECK(input_files({empty}) == std::vector<std::string>{empty});
}

TEST_CASE("files: a second writer of the same output is refused while the first holds it", "[files]") {
  TempDir d;
  const std::string path = d.at("out.jsonl");
  auto first = OutputFile::open(path, {});
  REQUIRE(first.ok());
  REQUIRE_FALSE(first.value()->keep(0));
  first.value()->write("first\n");
  first.value()->flush();
  auto second = OutputFile::open(path, {});
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "locked");
  CHECK(slurp(path + ".partial") == "first\n");  // untouched by the refused one
  REQUIRE_FALSE(first.value()->commit());
  CHECK(slurp(path) == "first\n");
  auto third = OutputFile::open(path, {});  // free again
  CHECK(third.ok());
}

TEST_CASE("files: keep() truncates a partial output to what a resumed run keeps", "[files]") {
  TempDir d;
  const std::string path = d.at("out.jsonl");
  d.write("out.jsonl.partial", "one\ntwo\ncut");
  auto f = OutputFile::open(path, {});
  REQUIRE(f.ok());
  REQUIRE_FALSE(f.value()->keep(8));
  f.value()->write("three\n");
  REQUIRE_FALSE(f.value()->commit());
  CHECK(slurp(path) == "one\ntwo\nthree\n");
}

TEST_CASE("files: a write that fails is reported, and commit leaves the target alone", "[files]") {
  if (::access("/dev/full", W_OK) != 0) return;  // not on this system
  auto f = OutputFile::open("/dev/full", {});
  REQUIRE(f.ok());
  CHECK(f.value()->direct());
  f.value()->write(std::string(100, 'x'));
  auto e = f.value()->commit();
  REQUIRE(e);
  CHECK(e->code == "write-failed");
}
