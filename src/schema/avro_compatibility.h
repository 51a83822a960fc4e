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
///
/// The key is not the specification's Parsing Canonical Form, which drops `default` and
/// `aliases`: two schemas differing only in a default would share an id although they resolve
/// differently. It is compact JSON with full names (`namespace` only as "" for a type in the null
/// namespace written inside another namespace), a fixed key order (name, type, fields | symbols |
/// items | values | size, default, order, aliases, then the other attributes sorted), keeping
/// `default`, `aliases`, a non-ascending `order`, `logicalType` and its parameters and any other
/// attribute; only `doc` and whitespace are dropped (AvroSchema::RegistryCanonicalForm).
Result<std::string> CanonicalAvroSchema(std::string_view text);

/// Avro schema resolution (org.apache.avro.SchemaCompatibility, as Confluent applies it): can a
/// reader with schema `update` read data written with `original`? One Confluent-style message per
/// incompatibility (`{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'...',
/// additionalInfo:'...'}`), empty when it can. Both must be valid (CanonicalAvroSchema).
std::vector<std::string> AvroBackwardIncompatibilities(std::string_view original,
                                                       std::string_view update);

}  // namespace assay::schema
