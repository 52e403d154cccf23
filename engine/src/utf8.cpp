#include "silt/utf8.h"

#include <cstdint>
#include <cstring>

// simdjson is linked for its UTF-8 validator alone: silt reads JSON with RapidJSON.
#include <simdjson.h>

namespace silt {

bool valid_utf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

bool is_ascii(std::string_view s) {
  // Eight bytes at a time, or'ed together (the compiler vectorizes the loop): fields run
  // to megabytes, and most are ASCII whole.
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    high |= w;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

}  // namespace silt
