#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace assay::schema {

/// Checks that `text` is a valid Avro schema (Avro 1.11 specification: names, defaults that
/// match their type, unions without nested unions or duplicate branches, ...) and returns its
/// canonical form, the key under which identical schemas share one registry id.
/// kInvalidArgument says what is wrong and where.
Result<std::string> CanonicalAvroSchema(std::string_view text);

/// Avro schema resolution (org.apache.avro.SchemaCompatibility, as Confluent applies it): can a
/// reader with schema `update` read data written with `original`? One Confluent-style message per
/// incompatibility (`{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'...',
/// additionalInfo:'...'}`), empty when it can. Both must be valid (CanonicalAvroSchema).
std::vector<std::string> AvroBackwardIncompatibilities(std::string_view original,
                                                       std::string_view update);

}  // namespace assay::schema
