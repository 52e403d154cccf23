// Fuzzes the batch reader end to end (silt::run_batch): the input is a file of issue
// records, framed, parsed, classified with the built-in taxonomy and rules, and
// written. The first byte chooses: bits 0-1 the input format (detect, jsonl, json,
// csv), bits 2-3 the output format (jsonl, csv, gh, jsonl), bit 4 silent_only, bit 5
// fail_fast, bit 6 odd settings (label_all, no CSV header, records over 512 bytes
// rejected as too-large), bit 7 a resume past the first good record. The rest is the
// file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "silt/batch.h"

namespace {

// Counts what run_batch hands over.
struct CountingSink : silt::BatchSink {
  std::size_t bytes = 0, rejects = 0, input_errors = 0, progress_calls = 0;
  void write(std::string_view b) override { bytes += b.size(); }
  void reject(const silt::Reject&) override { ++rejects; }
  void input_error(const std::string&, const std::string&) override { ++input_errors; }
  void progress(const silt::BatchStats&) override { ++progress_calls; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const silt::Classifier& classifier = silt::fuzz::builtin_classifier();
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  static const silt::InputFormat inputs[] = {silt::InputFormat::detect, silt::InputFormat::jsonl,
                                             silt::InputFormat::json, silt::InputFormat::csv};
  static const silt::OutputFormat outputs[] = {silt::OutputFormat::jsonl, silt::OutputFormat::csv,
                                               silt::OutputFormat::gh, silt::OutputFormat::jsonl};
  silt::BatchOptions options;
  options.inputs = {silt::fuzz::input_file(data + 1, size - 1)};
  silt::fuzz::FdLeakCheck fds;  // after input_file, which opens its file once
  options.input_format = inputs[flags & 3u];
  options.output_format = outputs[(flags >> 2) & 3u];
  options.jobs = 1;
  options.silent_only = flags & 16u;
  options.fail_fast = flags & 32u;
  options.label_all = flags & 64u;
  options.header = !(flags & 64u);
  if (flags & 64u) options.max_record = 512;
  options.skip_good = (flags & 128u) ? 1 : 0;
  CountingSink sink;
  const auto stats = silt::run_batch(classifier, options, sink);
  if (stats.rejected != sink.rejects || stats.input_errors != sink.input_errors)
    silt::fuzz::die("the stats and the sink disagree on the rejects");
  return 0;
}
