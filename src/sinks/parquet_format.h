#pragma once

// The parts of parquet.thrift (apache/parquet-format) that Assay writes, with the spec's numeric
// enum values and field ids. Only fields we set are modelled; optional ones are std::optional and
// are left out of the encoding when empty. Serialisation to the Thrift compact protocol is in
// parquet_format.cc.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sinks/thrift_compact.h"

namespace assay::sinks::format {

/// Physical types (parquet.thrift `Type`).
enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

/// Legacy annotations (`ConvertedType`), still read by older Hive/Spark.
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kDate = 6,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
};

enum class FieldRepetitionType : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kZstd = 6,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3
};

/// `Statistics`: min_value/max_value are PLAIN-encoded values (no length prefix for BYTE_ARRAY).
/// The deprecated min/max fields (1, 2) are never written: their sort order is ambiguous.
struct Statistics {
  std::optional<std::string> max_value;   ///< field 5
  std::optional<std::string> min_value;   ///< field 6
  std::optional<int64_t> null_count;      ///< field 3
  std::optional<int64_t> distinct_count;  ///< field 4

  void Write(CompactWriter& w) const;
};

/// `DataPageHeader` (V1).
struct DataPageHeader {
  int32_t num_values = 0;                               ///< 1: rows in the page, nulls included
  Encoding encoding = Encoding::kPlain;                 ///< 2
  Encoding definition_level_encoding = Encoding::kRle;  ///< 3
  Encoding repetition_level_encoding = Encoding::kRle;  ///< 4

  void Write(CompactWriter& w) const;
};

/// `DictionaryPageHeader`.
struct DictionaryPageHeader {
  int32_t num_values = 0;                ///< 1: dictionary entries
  Encoding encoding = Encoding::kPlain;  ///< 2

  void Write(CompactWriter& w) const;
};

/// `PageHeader`: exactly one of the typed headers is set, according to `type`.
struct PageHeader {
  PageType type = PageType::kDataPage;                         ///< 1
  int32_t uncompressed_page_size = 0;                          ///< 2
  int32_t compressed_page_size = 0;                            ///< 3
  std::optional<DataPageHeader> data_page_header;              ///< 5
  std::optional<DictionaryPageHeader> dictionary_page_header;  ///< 7

  void Write(CompactWriter& w) const;
};

/// The logical types we annotate with (`LogicalType` union members 1, 6, 8).
enum class LogicalKind { kNone, kString, kDate, kTimestampMicrosUtc };

/// `SchemaElement`: the root (a group: num_children set, no type) or a leaf column.
struct SchemaElement {
  std::optional<Type> type;                            ///< 1
  std::optional<FieldRepetitionType> repetition_type;  ///< 3
  std::string name;                                    ///< 4
  std::optional<int32_t> num_children;                 ///< 5
  std::optional<ConvertedType> converted_type;         ///< 6
  LogicalKind logical_type = LogicalKind::kNone;       ///< 10

  void Write(CompactWriter& w) const;
};

/// `PageEncodingStats`: how many pages of a type used an encoding.
struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;  ///< 1
  Encoding encoding = Encoding::kPlain;      ///< 2
  int32_t count = 0;                         ///< 3
};

/// `ColumnMetaData`.
struct ColumnMetaData {
  Type type = Type::kInt64;                                  ///< 1
  std::vector<Encoding> encodings;                           ///< 2
  std::vector<std::string> path_in_schema;                   ///< 3
  CompressionCodec codec = CompressionCodec::kUncompressed;  ///< 4
  int64_t num_values = 0;                                    ///< 5: rows, nulls included
  int64_t total_uncompressed_size = 0;                       ///< 6: page headers included
  int64_t total_compressed_size = 0;                         ///< 7: page headers included
  int64_t data_page_offset = 0;                              ///< 9
  std::optional<int64_t> dictionary_page_offset;             ///< 11
  std::optional<Statistics> statistics;                      ///< 12
  std::vector<PageEncodingStats> encoding_stats;             ///< 13 (omitted when empty)

  void Write(CompactWriter& w) const;
};

/// `ColumnChunk`: metadata inline (file_path unset: the chunk lives in this file).
struct ColumnChunk {
  int64_t file_offset = 0;   ///< 2: where the chunk's first page starts
  ColumnMetaData meta_data;  ///< 3

  void Write(CompactWriter& w) const;
};

/// `RowGroup`.
struct RowGroup {
  std::vector<ColumnChunk> columns;   ///< 1
  int64_t total_byte_size = 0;        ///< 2: uncompressed column data
  int64_t num_rows = 0;               ///< 3
  int64_t file_offset = 0;            ///< 5
  int64_t total_compressed_size = 0;  ///< 6
  int16_t ordinal = 0;                ///< 7

  void Write(CompactWriter& w) const;
};

/// `KeyValue`.
struct KeyValue {
  std::string key;    ///< 1
  std::string value;  ///< 2
};

/// `FileMetaData`, the footer. Every leaf gets ColumnOrder TYPE_ORDER (field 7), which tells
/// readers that min_value/max_value follow the type's defined order (unsigned bytes for strings).
struct FileMetaData {
  int32_t version = 2;                       ///< 1
  std::vector<SchemaElement> schema;         ///< 2: root first, then the leaves (depth-first)
  int64_t num_rows = 0;                      ///< 3
  std::vector<RowGroup> row_groups;          ///< 4
  std::vector<KeyValue> key_value_metadata;  ///< 5 (omitted when empty)
  std::string created_by;                    ///< 6

  void Write(CompactWriter& w) const;
};

}  // namespace assay::sinks::format
