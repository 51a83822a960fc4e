#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace assay::sinks {

/// Type ids of the Thrift compact protocol, as they appear in field and list headers.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  ///< a bool field whose value is true (the value lives in the header)
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

/// Encodes Thrift compact-protocol values into a byte buffer: the subset that Parquet's footer and
/// page headers need (structs, lists, i32/i64, binary, bool fields). There is no schema: the caller
/// writes the fields of each struct in the order it likes, and ends every struct it began.
///
/// Usage:
///   CompactWriter w(&bytes);
///   w.BeginStruct();
///   w.FieldI32(1, 7);
///   w.EndStruct();
class CompactWriter {
 public:
  /// Appends to `out`, which must outlive the writer.
  explicit CompactWriter(std::vector<uint8_t>* out);

  /// Starts a struct as a top-level value or a list element. Field ids restart from 0 inside it.
  void BeginStruct();
  /// Writes the STOP byte of the innermost struct and returns to the enclosing one's field ids.
  void EndStruct();

  /// Field writers of the current struct: a field header (delta or long form) then the value.
  void FieldI32(int16_t id, int32_t value);
  void FieldI64(int16_t id, int64_t value);
  void FieldBool(int16_t id, bool value);
  void FieldBinary(int16_t id, std::string_view value);
  void FieldBinary(int16_t id, std::span<const uint8_t> value);
  /// Starts a struct-valued field; close it with EndStruct().
  void FieldStructBegin(int16_t id);
  /// Starts a list-valued field of `size` elements of type `element`; then write exactly `size`
  /// elements with the element writers below (nothing closes a list).
  void FieldListBegin(int16_t id, ThriftType element, uint32_t size);

  /// Element writers for lists (no field header).
  void ElementI32(int32_t value) { WriteVarint(ZigZag32(value)); }
  void ElementI64(int64_t value) { WriteVarint(ZigZag64(value)); }
  void ElementBinary(std::string_view value);

  /// Primitive encodings, public for tests and for callers that frame their own bytes.
  void WriteVarint(uint64_t value);
  void WriteFieldHeader(ThriftType type, int16_t id);
  void WriteListHeader(ThriftType element, uint32_t size);

  static constexpr uint32_t ZigZag32(int32_t v) {
    return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  }
  static constexpr uint64_t ZigZag64(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }

  /// Depth of open structs (0 when every struct begun has been ended).
  size_t depth() const { return stack_.size(); }

 private:
  std::vector<uint8_t>* out_;
  int16_t last_field_id_ = 0;
  std::vector<int16_t> stack_;  ///< enclosing structs' last field ids
};

}  // namespace assay::sinks
