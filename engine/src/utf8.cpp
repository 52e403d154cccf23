#include "silt/utf8.h"

// simdjson is linked for its UTF-8 validator alone: silt reads JSON with RapidJSON.
#include <simdjson.h>

namespace silt {

bool valid_utf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

}  // namespace silt
