// Cutting UTF-8 text without cutting a character in two.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace silt {

// Whether `s` is valid UTF-8 (simdjson's validator, which checks 16 or 32 bytes at a
// time: silt checks every input and every string it writes).
bool valid_utf8(std::string_view s);

// Whether every byte of `s` is below 0x80 (ASCII text, valid UTF-8 too).
bool is_ascii(std::string_view s);

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

// When `head`, an input's first bytes, is gzip or UTF-16 rather than UTF-8 text: what
// it is and how `command` (as "silt batch") reads it, for the error message.
inline std::optional<std::string> not_utf8_input(std::string_view head, std::string_view command) {
  if (head.substr(0, 2) == "\x1F\x8B")
    return "a gzip file: silt reads it decompressed (zcat FILE | " + std::string(command) + " -)";
  if (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF")
    return std::string("UTF-16 text: silt reads UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)");
  return std::nullopt;
}

// Whether bytes that are not UTF-8 read as text in an 8-bit encoding (Latin-1, Windows-1252):
// no control bytes but tab, newline, return and form feed, and mostly ASCII.
inline bool looks_like_8bit_text(std::string_view s) {
  std::size_t high = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
    high += c >= 0x80;
  }
  return high * 10 < s.size();
}

}  // namespace silt
