// `silt agree --format json`: the one module that writes the document and reads it
// back (for `silt report`). Figures have eval's shape (silt/eval_json.h): {"value",
// "n", "interval"}, "undefined" with the reason where there is no value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "silt/agreement.h"
#include "silt/result.h"
#include "silt/run_header.h"

namespace silt {

inline constexpr const char* agreement_schema = "silt/agree/v1";

// The document; header.schema is set to agreement_schema.
std::string to_json(const std::vector<FieldAgreement>& fields, RunHeader header);

struct AgreementDocument {
  RunHeader header;
  std::vector<FieldAgreement> fields;  // figures as written (rounded)
};

// Reads what to_json wrote. Errors: code "other-format" when `text` is not an agree
// document (another reader may take it); "bad-agree-json" when a member is missing or
// of the wrong type (the message names it).
Result<AgreementDocument> read_agreement_json(std::string_view text, const std::string& name);

}  // namespace silt
