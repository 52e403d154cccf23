// Private: the values silt's embedded and cached JSON forms (a rules spec, the taxonomy)
// share: a SourceLocation as [file, line, column], the file as its index in `files` when
// it is there, else its name; a string and a small integer read out of a parsed document.
#pragma once

#include <string>
#include <vector>

#include "json_read.h"
#include "silt/diagnostics.h"
#include "silt/json_writer.h"

namespace silt::detail {

void location_to_json(JsonWriter& j, const SourceLocation& w, const std::vector<std::string>& files = {});
// Throws (JsonShapeError, std::out_of_range) on anything else, a line or column out of
// int's range, or a file index out of `files`.
SourceLocation location_from_json(const JsonValue& e, const std::vector<std::string>& files = {});
std::string string_from_json(const JsonValue& e);  // throws JsonShapeError when not a string
// An integer within +-2^30 (a line, a level's number...); throws otherwise.
int small_int_from_json(const JsonValue& e);

}  // namespace silt::detail
