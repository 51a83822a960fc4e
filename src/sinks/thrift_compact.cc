#include "sinks/thrift_compact.h"

namespace assay::sinks {

CompactWriter::CompactWriter(std::vector<uint8_t>* out) : out_(out) { stack_.reserve(8); }

void CompactWriter::BeginStruct() {
  stack_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_->push_back(static_cast<uint8_t>(ThriftType::kStop));
  if (!stack_.empty()) {
    last_field_id_ = stack_.back();
    stack_.pop_back();
  }
}

void CompactWriter::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_->push_back(static_cast<uint8_t>(value) | 0x80);
    value >>= 7;
  }
  out_->push_back(static_cast<uint8_t>(value));
}

void CompactWriter::WriteFieldHeader(ThriftType type, int16_t id) {
  const int delta = static_cast<int>(id) - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<uint8_t>((delta << 4) | static_cast<int>(type)));
  } else {
    // Long form: the type alone, then the absolute id as a zigzag i16.
    out_->push_back(static_cast<uint8_t>(type));
    WriteVarint(ZigZag32(id));
  }
  last_field_id_ = id;
}

void CompactWriter::WriteListHeader(ThriftType element, uint32_t size) {
  if (size < 15) {
    out_->push_back(static_cast<uint8_t>((size << 4) | static_cast<uint32_t>(element)));
  } else {
    out_->push_back(static_cast<uint8_t>(0xF0 | static_cast<uint32_t>(element)));
    WriteVarint(size);
  }
}

void CompactWriter::FieldI32(int16_t id, int32_t value) {
  WriteFieldHeader(ThriftType::kI32, id);
  WriteVarint(ZigZag32(value));
}

void CompactWriter::FieldI64(int16_t id, int64_t value) {
  WriteFieldHeader(ThriftType::kI64, id);
  WriteVarint(ZigZag64(value));
}

void CompactWriter::FieldBool(int16_t id, bool value) {
  WriteFieldHeader(value ? ThriftType::kBoolTrue : ThriftType::kBoolFalse, id);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view value) {
  WriteFieldHeader(ThriftType::kBinary, id);
  ElementBinary(value);
}

void CompactWriter::FieldBinary(int16_t id, std::span<const uint8_t> value) {
  FieldBinary(id, std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
}

void CompactWriter::FieldStructBegin(int16_t id) {
  WriteFieldHeader(ThriftType::kStruct, id);
  BeginStruct();
}

void CompactWriter::FieldListBegin(int16_t id, ThriftType element, uint32_t size) {
  WriteFieldHeader(ThriftType::kList, id);
  WriteListHeader(element, size);
}

void CompactWriter::ElementBinary(std::string_view value) {
  WriteVarint(value.size());
  out_->insert(out_->end(), value.begin(), value.end());
}

}  // namespace assay::sinks
