#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "schema/compatibility.h"

namespace assay::schema {

/// Checks that `text` is a JSON Schema document the registry accepts (any draft-07 document:
/// the registry stores schemas for clients, not only the subset Assay grades with) and returns
/// its canonical form: compact JSON, key order kept. kInvalidArgument says what is wrong.
Result<std::string> CanonicalJsonSchema(std::string_view text);

/// Confluent's JSON Schema diff (io.confluent.kafka.schemaregistry.json.diff.SchemaDiff) of
/// `original` -> `update`: one `{errorType:"<TYPE>", description:"<text>"}` message per
/// incompatible difference, empty when every document valid under `original` is valid under
/// `update`. kLenient also accepts the open-content-model additions (see CompatibilityPolicy).
std::vector<std::string> JsonSchemaBackwardIncompatibilities(std::string_view original,
                                                             std::string_view update,
                                                             CompatibilityPolicy policy);

}  // namespace assay::schema
