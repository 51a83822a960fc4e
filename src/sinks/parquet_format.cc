#include "sinks/parquet_format.h"

namespace assay::sinks::format {

namespace {

int32_t I32(auto e) { return static_cast<int32_t>(e); }

}  // namespace

void Statistics::Write(CompactWriter& w) const {
  w.BeginStruct();
  if (null_count) w.FieldI64(3, *null_count);
  if (distinct_count) w.FieldI64(4, *distinct_count);
  if (max_value) w.FieldBinary(5, *max_value);
  if (min_value) w.FieldBinary(6, *min_value);
  w.EndStruct();
}

void DataPageHeader::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI32(1, num_values);
  w.FieldI32(2, I32(encoding));
  w.FieldI32(3, I32(definition_level_encoding));
  w.FieldI32(4, I32(repetition_level_encoding));
  w.EndStruct();
}

void DictionaryPageHeader::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI32(1, num_values);
  w.FieldI32(2, I32(encoding));
  w.EndStruct();
}

void PageHeader::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI32(1, I32(type));
  w.FieldI32(2, uncompressed_page_size);
  w.FieldI32(3, compressed_page_size);
  if (data_page_header) {
    w.WriteFieldHeader(ThriftType::kStruct, 5);
    data_page_header->Write(w);
  }
  if (dictionary_page_header) {
    w.WriteFieldHeader(ThriftType::kStruct, 7);
    dictionary_page_header->Write(w);
  }
  w.EndStruct();
}

void SchemaElement::Write(CompactWriter& w) const {
  w.BeginStruct();
  if (type) w.FieldI32(1, I32(*type));
  if (repetition_type) w.FieldI32(3, I32(*repetition_type));
  w.FieldBinary(4, name);
  if (num_children) w.FieldI32(5, *num_children);
  if (converted_type) w.FieldI32(6, I32(*converted_type));
  if (logical_type != LogicalKind::kNone) {
    w.FieldStructBegin(10);  // union LogicalType: exactly one member
    switch (logical_type) {
      case LogicalKind::kString:  // 1: StringType (empty struct)
        w.FieldStructBegin(1);
        w.EndStruct();
        break;
      case LogicalKind::kDate:  // 6: DateType (empty struct)
        w.FieldStructBegin(6);
        w.EndStruct();
        break;
      case LogicalKind::kTimestampMicrosUtc:  // 8: TimestampType
        w.FieldStructBegin(8);
        w.FieldBool(1, true);   // isAdjustedToUTC
        w.FieldStructBegin(2);  // unit: union TimeUnit
        w.FieldStructBegin(2);  // MICROS: MicroSeconds (empty struct)
        w.EndStruct();
        w.EndStruct();
        w.EndStruct();
        break;
      case LogicalKind::kNone: break;
    }
    w.EndStruct();
  }
  w.EndStruct();
}

void ColumnMetaData::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI32(1, I32(type));
  w.FieldListBegin(2, ThriftType::kI32, static_cast<uint32_t>(encodings.size()));
  for (Encoding e : encodings) w.ElementI32(I32(e));
  w.FieldListBegin(3, ThriftType::kBinary, static_cast<uint32_t>(path_in_schema.size()));
  for (const std::string& p : path_in_schema) w.ElementBinary(p);
  w.FieldI32(4, I32(codec));
  w.FieldI64(5, num_values);
  w.FieldI64(6, total_uncompressed_size);
  w.FieldI64(7, total_compressed_size);
  w.FieldI64(9, data_page_offset);
  if (dictionary_page_offset) w.FieldI64(11, *dictionary_page_offset);
  if (statistics) {
    w.WriteFieldHeader(ThriftType::kStruct, 12);
    statistics->Write(w);
  }
  if (!encoding_stats.empty()) {
    w.FieldListBegin(13, ThriftType::kStruct, static_cast<uint32_t>(encoding_stats.size()));
    for (const PageEncodingStats& s : encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, I32(s.page_type));
      w.FieldI32(2, I32(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void ColumnChunk::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI64(2, file_offset);
  w.WriteFieldHeader(ThriftType::kStruct, 3);
  meta_data.Write(w);
  w.EndStruct();
}

void RowGroup::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldListBegin(1, ThriftType::kStruct, static_cast<uint32_t>(columns.size()));
  for (const ColumnChunk& c : columns) c.Write(w);
  w.FieldI64(2, total_byte_size);
  w.FieldI64(3, num_rows);
  w.FieldI64(5, file_offset);
  w.FieldI64(6, total_compressed_size);
  w.WriteFieldHeader(ThriftType::kI16, 7);
  w.WriteVarint(CompactWriter::ZigZag32(ordinal));
  w.EndStruct();
}

void FileMetaData::Write(CompactWriter& w) const {
  w.BeginStruct();
  w.FieldI32(1, version);
  w.FieldListBegin(2, ThriftType::kStruct, static_cast<uint32_t>(schema.size()));
  for (const SchemaElement& e : schema) e.Write(w);
  w.FieldI64(3, num_rows);
  w.FieldListBegin(4, ThriftType::kStruct, static_cast<uint32_t>(row_groups.size()));
  for (const RowGroup& rg : row_groups) rg.Write(w);
  if (!key_value_metadata.empty()) {
    w.FieldListBegin(5, ThriftType::kStruct, static_cast<uint32_t>(key_value_metadata.size()));
    for (const KeyValue& kv : key_value_metadata) {
      w.BeginStruct();
      w.FieldBinary(1, kv.key);
      w.FieldBinary(2, kv.value);
      w.EndStruct();
    }
  }
  w.FieldBinary(6, created_by);
  // 7: column_orders, one TYPE_ORDER per leaf (every schema element but the root).
  const uint32_t leaves = schema.empty() ? 0 : static_cast<uint32_t>(schema.size() - 1);
  w.FieldListBegin(7, ThriftType::kStruct, leaves);
  for (uint32_t i = 0; i < leaves; ++i) {
    w.BeginStruct();        // union ColumnOrder
    w.FieldStructBegin(1);  // TYPE_ORDER: TypeDefinedOrder (empty struct)
    w.EndStruct();
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace assay::sinks::format
