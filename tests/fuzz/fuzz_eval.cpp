// Fuzzes the evaluation readers: a gold CSV (silt::read_gold_csv) and silt's JSON Lines
// predictions (silt::read_predictions; the same bytes read as batch CSV too, through
// silt::read_predictions_csv; the gold file read as batch CSV whole and a row at a time,
// which must agree), then evaluates the one against the other and fits a
// calibration map. The input is the gold file, then the separator line
// "--8<--", then the predictions (all gold when there is no separator).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "silt/classification_io.h"
#include "silt/eval.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto taxonomy = silt::fuzz::builtin_taxonomy_loaded();
  const std::string_view input = silt::fuzz::text(data, size);
  constexpr std::string_view separator = "\n--8<--\n";
  const std::size_t at = input.find(separator);
  const std::string_view gold_text = input.substr(0, at);
  const std::string_view predictions_text =
      at == std::string_view::npos ? std::string_view() : input.substr(at + separator.size());

  const std::string& path =
      silt::fuzz::input_file(reinterpret_cast<const std::uint8_t*>(gold_text.data()), gold_text.size());
  silt::fuzz::FdLeakCheck fds;  // after input_file, which opens its file once
  auto gold = silt::read_gold_csv(path, *taxonomy);
  (void)silt::classifications_file(path);
  (void)silt::for_each_classification(path, [](silt::Classification&&) {});  // the gold text, read as batch output
  // Read as batch CSV a row at a time, it gives what the whole-text reader gives: the
  // rows, or an error at the same line (two on one line, where carriage returns end rows,
  // may be told in either order).
  std::size_t rows = 0;
  auto streamed = silt::for_each_classification_csv(path, *taxonomy, [&](silt::Classification&&) { ++rows; });
  auto whole = silt::read_classifications_csv(gold_text, path, *taxonomy);
  if (streamed.ok() != whole.ok()) __builtin_trap();
  if (whole.ok() && (streamed.value() != whole.value().size() || rows != whole.value().size())) __builtin_trap();
  if (!whole.ok() && streamed.error().line != whole.error().line) __builtin_trap();
  auto predictions = silt::read_predictions(predictions_text, "fuzz-predictions.jsonl");
  auto as_csv = silt::read_predictions_csv(predictions_text, "fuzz-predictions.csv", *taxonomy);
  silt::EvalOptions options;
  options.bootstrap = 20;
  if (gold.ok() && as_csv.ok()) (void)silt::evaluate(*taxonomy, gold.value().labels, as_csv.value(), options);
  if (!gold.ok() || !predictions.ok()) return 0;

  const auto report = silt::evaluate(*taxonomy, gold.value().labels, predictions.value(), options);
  (void)report.misses.size();
  for (bool raw : {true, false}) {
    auto pairs = silt::calibration_pairs(gold.value().labels, predictions.value(), raw);
    (void)silt::reliability(pairs);
    (void)silt::fit_calibration(pairs);
    if (pairs.size() <= 64) (void)silt::cross_validate_calibration(pairs);
  }
  return 0;
}
