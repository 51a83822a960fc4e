#include "sinks/parquet_schema.h"

namespace assay::sinks {

std::string_view ParquetTypeName(ParquetType type) {
  switch (type) {
    case ParquetType::kInt64: return "int64";
    case ParquetType::kDouble: return "double";
    case ParquetType::kBoolean: return "boolean";
    case ParquetType::kString: return "string";
    case ParquetType::kTimestampMicros: return "timestamp_micros";
    case ParquetType::kDate: return "date";
  }
  return "unknown";
}

}  // namespace assay::sinks
