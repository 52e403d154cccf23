// A main for the harnesses where libFuzzer is missing: runs LLVMFuzzerTestOneInput once
// on each file named on the command line, as `harness file...` does under libFuzzer.
// Each input must finish within SILT_FUZZ_TIMEOUT seconds (default 30) or the process
// is killed by SIGALRM. Exit status: 0 when every input ran, 1 when a file is unreadable.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  const char* t = std::getenv("SILT_FUZZ_TIMEOUT");
  const unsigned timeout = t && std::atoi(t) > 0 ? static_cast<unsigned>(std::atoi(t)) : 30u;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", argv[i]);
      return 1;
    }
    std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", argv[i], data.size());
    // A copy of exactly the input's size, so that reading past its end is caught.
    auto* copy = static_cast<std::uint8_t*>(std::malloc(data.empty() ? 1 : data.size()));
    if (!data.empty()) std::copy(data.begin(), data.end(), copy);
    ::alarm(timeout);
    LLVMFuzzerTestOneInput(copy, data.size());
    ::alarm(0);
    std::free(copy);
  }
  return 0;
}
