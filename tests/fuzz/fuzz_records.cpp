// Fuzzes the batch reader's framing alone (detail::InputReader), without classifying, so
// it runs thousands of times faster than the batch harness. The first byte chooses: bits
// 0-1 the input format (detect, jsonl, json, csv), bit 2 records over 64 bytes taken as
// too large. The rest is the file. What a JSON input is framed into must hold:
// - every record is the input's bytes where it says it starts, as they are;
// - records come in input order and do not overlap;
// - a record's line is the line its first byte is on;
// - nothing is lost: every byte outside the records is a space, a newline, or an
//   array's bracket or comma;
// - no two records have the same source (what names a record with no id of its own).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "record_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  static const silt::InputFormat formats[] = {silt::InputFormat::detect, silt::InputFormat::jsonl,
                                              silt::InputFormat::json, silt::InputFormat::csv};
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string& path = silt::fuzz::input_file(data + 1, size - 1);
  silt::fuzz::FdLeakCheck fds;
  const std::uint64_t max_record = (flags & 4u) ? 64 : 1u << 20;
  silt::detail::InputReader reader({path}, formats[flags & 3u], max_record);
  std::vector<bool> covered(input.size(), false);
  std::set<std::string> sources;
  std::uint64_t next_free = 0;
  bool json = false, error = false;
  silt::detail::Chunk chunk;
  while (reader.next(chunk)) {
    if (!chunk.input_error.empty()) {
      error = true;
      break;
    }
    json = chunk.format != silt::InputFormat::csv;
    for (const auto& r : chunk.records) {
      if (!sources.insert(chunk.source(r)).second) silt::fuzz::die("two records have one source");
      if (!json) continue;
      if (r.file_offset < next_free) silt::fuzz::die("records out of order or overlapping");
      if (r.file_offset + r.size > input.size()) silt::fuzz::die("a record past the input's end");
      if (r.too_large != (r.size > max_record)) silt::fuzz::die("too_large and the size disagree");
      if (!r.too_large && chunk.raw(r) != input.substr(r.file_offset, r.size))
        silt::fuzz::die("a record is not the input's bytes where it starts");
      const auto line = 1 + std::count(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(r.file_offset), '\n');
      if (r.line != static_cast<std::uint64_t>(line)) {
        std::fprintf(stderr, "record at byte %llu: line %llu, but it starts on line %lld\n",
                     static_cast<unsigned long long>(r.file_offset), static_cast<unsigned long long>(r.line),
                     static_cast<long long>(line));
        silt::fuzz::die("a record's line is not where it starts");
      }
      std::fill(covered.begin() + static_cast<std::ptrdiff_t>(r.file_offset),
                covered.begin() + static_cast<std::ptrdiff_t>(r.file_offset + r.size), true);
      next_free = r.file_offset + r.size;
    }
    chunk = silt::detail::Chunk();
  }
  if (json && !error) {
    std::size_t from = input.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a byte order mark, skipped
    for (std::size_t i = from; i < input.size(); ++i)
      if (!covered[i] && std::string_view(" \t\r\n,[]").find(input[i]) == std::string_view::npos) {
        std::fprintf(stderr, "byte %zu (0x%02x) is in no record\n", i, static_cast<unsigned char>(input[i]));
        silt::fuzz::die("a byte outside every record that is not a space, a bracket or a comma: lost");
      }
  }
  return 0;
}
