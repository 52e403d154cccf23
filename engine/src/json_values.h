// Private: the values silt's embedded and cached JSON forms (a rules spec, the taxonomy)
// share: a SourceLocation as [file, line, column], the file as its index in `files` when
// it is there, else its name; a string and a small integer read out of simdjson's DOM.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "silt/diagnostics.h"
#include "silt/json_writer.h"

namespace silt::detail {

void location_to_json(JsonWriter& j, const SourceLocation& w, const std::vector<std::string>& files = {});
// Throws (simdjson_error, std::out_of_range) on anything else, a line or column out of
// int's range, or a file index out of `files`.
SourceLocation location_from_json(simdjson::dom::element e, const std::vector<std::string>& files = {});
std::string string_from_json(simdjson::dom::element e);  // throws simdjson_error when not a string
// An integer within +-2^30 (a line, a level's number...); throws otherwise.
int small_int_from_json(simdjson::dom::element e);

}  // namespace silt::detail
