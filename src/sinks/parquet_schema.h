#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace assay::sinks {

/// The column types Assay writes, each mapped to one Parquet physical + logical type.
enum class ParquetType {
  kInt64,            ///< INT64
  kDouble,           ///< DOUBLE
  kBoolean,          ///< BOOLEAN
  kString,           ///< BYTE_ARRAY, LogicalType STRING, ConvertedType UTF8
  kTimestampMicros,  ///< INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS): µs since the epoch, UTC
  kDate,             ///< INT32, DATE: days since 1970-01-01
};

/// "int64", "double", "boolean", "string", "timestamp_micros", "date".
std::string_view ParquetTypeName(ParquetType type);

/// One leaf of the flat schema. A non-nullable column is REQUIRED: appending a null is an error.
struct ParquetColumnSpec {
  std::string name;
  ParquetType type = ParquetType::kString;
  bool nullable = true;  ///< OPTIONAL (with definition levels) or REQUIRED
};

/// One column's values for a span of rows, borrowed for the duration of one Append call. Which
/// array is read depends on the column's type; the others may be null. Arrays are indexed by the
/// row numbers of the Append selection (the writer does not know their length).
struct ColumnValues {
  const uint8_t* valid = nullptr;         ///< nullptr = all valid; else valid[i] != 0 = non-null
  const int64_t* i64 = nullptr;           ///< kInt64, kTimestampMicros, kDate (days), kBoolean
  const double* f64 = nullptr;            ///< kDouble
  const std::string_view* str = nullptr;  ///< kString (UTF-8 is the caller's promise)
  /// An upper bound of the size of every str value of the Append, when the caller found one
  /// while making the views: below the page limit, Validate skips its pass over the sizes.
  size_t str_max_size = std::numeric_limits<size_t>::max();
};

}  // namespace assay::sinks
