// Cutting UTF-8 text without cutting a character in two.
#pragma once

#include <cstddef>
#include <string_view>

namespace silt {

// The largest position at most `at` (and at most s.size()) where a character of `s`
// starts: s.substr(0, utf8_cut(s, at)) is whole characters.
inline std::size_t utf8_cut(std::string_view s, std::size_t at) {
  if (at >= s.size()) return s.size();
  while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;  // a continuation byte
  return at;
}

// `s` without a UTF-8 byte order mark at its start (some Windows editors write one): it
// is no part of the text.
inline std::string_view without_bom(std::string_view s) {
  return s.substr(0, 3) == "\xEF\xBB\xBF" ? s.substr(3) : s;
}

}  // namespace silt
