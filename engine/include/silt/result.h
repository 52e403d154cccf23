// A value or an error, for single operations that can fail on bad input.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace silt {

// What went wrong with one input: a message and, where known, a 1-based line and
// column in that input (0 when unknown). `code` is stable (kebab-case, documented where
// the error is returned) and what tests and callers compare; the message is for people.
struct Error {
  Error(std::string message_ = {}, int line_ = 0, int column_ = 0, std::string code_ = {})
      : message(std::move(message_)), line(line_), column(column_), code(std::move(code_)) {}
  std::string message;
  int line = 0;
  int column = 0;
  std::string code;
};

// Holds either a T or an Error. Check ok() before value(); error() only when !ok().
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

}  // namespace silt
