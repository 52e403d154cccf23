// silt's one JSON writer: every JSON document or line silt writes (classifications,
// eval and agree documents, diagnostics, the rules' caches, the commands' --format json)
// goes through it. RapidJSON underneath; its headers are not part of this one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace silt {

class JsonWriter {
 public:
  // pretty: indented by 2, for people (a document ends with a newline); compact: one
  // line, no spaces, nothing after it (JSON lines, cache files).
  enum class Style { pretty, compact };
  // What a string or key that is not valid UTF-8 becomes: each bad byte U+FFFD
  // (replace), or std::invalid_argument (strict: a cache must hold the text exactly).
  enum class Text { replace, strict };
  // Decimals a rounded number keeps by default: more would claim a precision that no
  // sample silt measures has.
  static constexpr int default_decimals = 3;

  explicit JsonWriter(Style style = Style::pretty, Text text = Text::replace);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void string(std::string_view s);
  void count(std::uint64_t n);
  void integer(long long n);
  void boolean(bool b);
  void null();
  // Rounded to `decimals`; null when not finite.
  void number(double x, int decimals = default_decimals);
  void optional_number(const std::optional<double>& x, int decimals = default_decimals);
  // The shortest text that reads back as exactly x (weights kept in a cache); null when
  // not finite.
  void exact(double x);
  // Short lists on one line even in a pretty document: ["a", "b"], [3, 0, 1],
  // [0.75, 0.0], {"a": 1, "b": 0}.
  void inline_strings(const std::vector<std::string>& v);
  void inline_counts(const std::vector<std::size_t>& counts);
  void inline_numbers(const std::vector<double>& v, int decimals = default_decimals);
  void inline_counts(const std::vector<std::string>& keys, const std::vector<std::size_t>& counts);
  // A member: its key, then the value written as its type says (bool, signed or
  // unsigned integer, floating point rounded as number() does, anything else as a string).
  template <class T>
  void field(std::string_view k, const T& v) {
    key(k);
    if constexpr (std::is_same_v<T, bool>)
      boolean(v);
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
      integer(v);
    else if constexpr (std::is_integral_v<T>)
      count(v);
    else if constexpr (std::is_floating_point_v<T>)
      number(v);
    else
      string(v);
  }
  // A value given as JSON text already (written on one line by a JsonWriter), put in
  // as it is: `object` says whether it is an object or an array.
  void raw(std::string_view json, bool object);
  // The document written so far; the writer is then empty.
  std::string take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string text(std::string_view s) const;
};

}  // namespace silt
