// A value or an error, for single operations that can fail on bad input.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace silt {

// What went wrong with one input: a message and, where known, a 1-based line and
// column in that input (0 when unknown).
struct Error {
  std::string message;
  int line = 0;
  int column = 0;
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
