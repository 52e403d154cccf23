// Fuzzes the batch reader's framing alone (detail::InputReader), without classifying, so
// it runs thousands of times faster than the batch harness. The first byte chooses: bits
// 0-1 the input format (detect, jsonl, json, csv), bit 2 records over 64 bytes taken as
// too large, bit 3 reads of a few bytes (bits 4-6 choose how many: 1, 2, 3, 5, 7, 11, 16
// or 64), so that a read ends anywhere. The rest is the file. What a JSON input is
// framed into must hold:
// - every record is the input's bytes where it says it starts, as they are;
// - records come in input order and do not overlap;
// - a record's line is the line its first byte is on;
// - nothing is lost: every byte outside the records is a space, a newline, or an
//   array's bracket or comma;
// - no two records have the same source (what names a record with no id of its own);
// - with reads of a few bytes (bit 3), the records are those of reads of a megabyte,
//   wherever the reads end (but for a JSON Lines line over the limit, which is skipped
//   as it is read, whatever it holds: the README says so).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fuzz_support.h"
#include "record_reader.h"

namespace {

// What a framing gave: each record's source, place, size and whether it was too large.
struct Framed {
  std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t, bool>> records;
  bool error = false;
  bool json = false;
  silt::InputFormat format = silt::InputFormat::detect;  // as told from the input
  bool operator==(const Framed&) const = default;
};

Framed frame(std::string_view input, const std::string& path, silt::InputFormat format, std::uint64_t max_record,
             std::size_t read) {
  silt::detail::max_read_for_tests = read;
  silt::detail::InputReader reader({path}, format, max_record);
  Framed out;
  std::vector<bool> covered(input.size(), false);
  std::set<std::string> sources;
  std::uint64_t next_free = 0;
  silt::detail::Chunk chunk;
  while (reader.next(chunk)) {
    if (!chunk.input_error.empty()) {
      out.error = true;
      break;
    }
    out.format = chunk.format;
    out.json = chunk.format != silt::InputFormat::csv;
    for (const auto& r : chunk.records) {
      if (!sources.insert(chunk.source(r)).second) silt::fuzz::die("two records have one source");
      out.records.emplace_back(chunk.source(r), r.file_offset, r.size, r.too_large);
      if (!out.json) continue;
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
  if (out.json && !out.error) {
    std::size_t from = input.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a byte order mark, skipped
    for (std::size_t i = from; i < input.size(); ++i)
      if (!covered[i] && std::string_view(" \t\r\n,[]").find(input[i]) == std::string_view::npos) {
        std::fprintf(stderr, "byte %zu (0x%02x) is in no record\n", i, static_cast<unsigned char>(input[i]));
        silt::fuzz::die("a byte outside every record that is not a space, a bracket or a comma: lost");
      }
  }
  return out;
}

// Whether a line of `input` is longer than `most` bytes.
bool long_line(std::string_view input, std::uint64_t most) {
  std::size_t start = 0;
  for (std::size_t nl = input.find('\n'); start <= input.size(); nl = input.find('\n', start)) {
    const std::size_t end = nl == std::string_view::npos ? input.size() : nl;
    if (end - start > most) return true;
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  static const silt::InputFormat formats[] = {silt::InputFormat::detect, silt::InputFormat::jsonl,
                                              silt::InputFormat::json, silt::InputFormat::csv};
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string& path = silt::fuzz::input_file(data + 1, size - 1);
  silt::fuzz::FdLeakCheck fds;
  const std::uint64_t max_record = (flags & 4u) ? 64 : 1u << 20;
  const Framed whole = frame(input, path, formats[flags & 3u], max_record, 0);
  if (flags & 8u) {
    static const std::size_t reads[] = {1, 2, 3, 5, 7, 11, 16, 64};
    const Framed pieces = frame(input, path, formats[flags & 3u], max_record, reads[(flags >> 4) & 7u]);
    silt::detail::max_read_for_tests = 0;
    const bool skipped_line = whole.format == silt::InputFormat::jsonl && long_line(input, max_record);
    if (!skipped_line && !(pieces == whole)) {
      for (const Framed* f : {&whole, &pieces}) {
        std::fprintf(stderr, "%s: error %d, format %d\n", f == &whole ? "one read" : "small reads", f->error,
                     static_cast<int>(f->format));
        for (const auto& [source, offset, bytes, large] : f->records)
          std::fprintf(stderr, "  %s at %llu, %llu bytes%s\n", source.c_str(), static_cast<unsigned long long>(offset),
                       static_cast<unsigned long long>(bytes), large ? ", too large" : "");
      }
      silt::fuzz::die("where the reads end changed the records");
    }
  }
  return 0;
}
