#pragma once

#include <optional>
#include <string_view>

namespace assay {

/// The value types of DESIGN.md §3a. kAny is a property without `type`: any value, no type check.
enum class FieldType : unsigned char {
  kAny,
  kString,
  kInteger,  ///< int64
  kNumber,   ///< double
  kBoolean,
  kTimestamp,  ///< string with format date-time; stored as int64 microseconds since epoch, UTC
  kDate,       ///< string with format date; stored as int64 days since 1970-01-01
};

std::string_view FieldTypeName(FieldType type);

/// True for types whose typed value lives in Column::i64.
constexpr bool UsesInt64(FieldType t) {
  return t == FieldType::kInteger || t == FieldType::kBoolean || t == FieldType::kTimestamp ||
         t == FieldType::kDate;
}

}  // namespace assay
