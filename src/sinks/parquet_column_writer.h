#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/default_init_allocator.h"
#include "core/status.h"
#include "sinks/compression.h"
#include "sinks/parquet_format.h"
#include "sinks/parquet_schema.h"

namespace assay::sinks {

/// The rows of one Append call: row k (0 <= k < count) is `selection[begin + k]`, or `begin + k`
/// when `selection` is null.
struct RowRange {
  const uint32_t* selection = nullptr;
  size_t begin = 0;
  size_t count = 0;

  uint32_t operator[](size_t k) const {
    return selection != nullptr ? selection[begin + k] : static_cast<uint32_t>(begin + k);
  }
};

/// Limits a column chunk writer works within (from ParquetWriterOptions).
struct ColumnChunkOptions {
  size_t page_max_bytes = 1 << 20;        ///< encoded values per data page (one value at least)
  bool dictionary = true;                 ///< try dictionary encoding (not for booleans)
  size_t dictionary_max_bytes = 1 << 20;  ///< give up the dictionary past this PLAIN size
  /// Write a non-dictionary string chunk as DELTA_BYTE_ARRAY when values share long prefixes
  /// with the previous value (paths with line numbers, sequential ids), else as
  /// DELTA_LENGTH_BYTE_ARRAY; false: PLAIN, for readers without the delta encodings.
  bool delta_byte_array = true;
  size_t statistics_max_bytes = 4096;  ///< omit min/max values longer than this
};

/// Buffers for encoding and compressing one page at a time. A column writer needs them only
/// while it flushes, so one set serves all the columns of a file (a set per column kept
/// ~3 MiB per column alive between row groups).
struct PageBuffers {
  std::vector<uint8_t> values;
  std::vector<uint8_t> page;
  UninitVector<uint8_t> compressed;  ///< zstd grows it by its bound per page: no zero fill
  std::vector<uint8_t> header;
};

/// Buffers one column's values for the current row group and encodes them as one column chunk:
/// an optional dictionary page then V1 data pages. Values are copied into flat buffers (one byte
/// buffer for strings), so appending does no per-value allocation. Choosing between dictionary
/// and PLAIN or DELTA_BYTE_ARRAY happens per chunk at Flush, so every chunk uses one encoding for
/// all its data pages.
class ColumnChunkWriter {
 public:
  static std::unique_ptr<ColumnChunkWriter> Make(const ParquetColumnSpec& spec,
                                                 const ColumnChunkOptions& options);
  virtual ~ColumnChunkWriter() = default;

  /// Checks that `values` can be appended for `rows`: the type's array is present, a REQUIRED
  /// column has no null, dates fit in int32, strings fit in a page. kInvalidArgument otherwise.
  Status Validate(const ColumnValues& values, const RowRange& rows) const;
  /// Copies the rows in. Call Validate first: Append itself does not check.
  void Append(const ColumnValues& values, const RowRange& rows);

  size_t num_rows() const { return num_rows_; }
  /// Bytes the buffered rows take PLAIN-encoded (an upper bound of the encoded chunk's size).
  uint64_t buffered_bytes() const { return plain_bytes_ + (spec_.nullable ? num_rows_ / 8 : 0); }

  /// Encodes the buffered rows as pages appended to `out`, whose first byte lands at file offset
  /// `file_offset`, fills `chunk`, and empties the buffers for the next row group. `scratch`
  /// holds one page at a time and may be shared by the columns of a file.
  Status Flush(Compressor& compressor, int64_t file_offset, PageBuffers& scratch,
               std::vector<uint8_t>* out, format::ColumnChunk* chunk);

  const ParquetColumnSpec& spec() const { return spec_; }
  /// The leaf's SchemaElement (type, repetition, converted and logical types).
  format::SchemaElement SchemaElement() const;

 protected:
  ColumnChunkWriter(const ParquetColumnSpec& spec, const ColumnChunkOptions& options)
      : spec_(spec), options_(options) {}

  /// Type-specific part of Validate (the array is present and values are in range).
  virtual Status ValidateValues(const ColumnValues& values, const RowRange& rows) const = 0;
  /// Appends the non-null values of `rows` (those with valid == null or valid[row] != 0).
  virtual void AppendValues(const ColumnValues& values, const RowRange& rows) = 0;
  /// Called once at the start of Flush: picks the encoding of this chunk's data pages, one of
  /// kRleDictionary (then EncodeDictionary is called before the data pages), kPlain, or
  /// format::Encoding::kDeltaByteArray or kDeltaLengthByteArray (strings only).
  virtual format::Encoding ChooseEncoding() = 0;
  /// Appends the PLAIN dictionary page body; returns the number of entries.
  virtual int32_t EncodeDictionary(std::vector<uint8_t>* out) = 0;
  /// Appends values from `first` on, as many as fit in `budget_bytes` (at least one if any
  /// remain), in the chosen encoding, as one self-contained page body; returns how many. Called
  /// with increasing `first`.
  virtual size_t EncodeValues(size_t first, size_t budget_bytes, std::vector<uint8_t>* out) = 0;
  /// Sets min_value/max_value of the chunk (PLAIN-encoded), when known.
  virtual void FillMinMax(format::Statistics* stats) const = 0;
  /// Forgets values, dictionary and statistics (keeping buffer capacity).
  virtual void ResetValues() = 0;

  format::Type physical_type() const;

  ParquetColumnSpec spec_;
  ColumnChunkOptions options_;
  uint64_t plain_bytes_ = 0;  ///< maintained by subclasses as they append values

 private:
  /// Compresses scratch.page and appends header + body to `out`; adds the uncompressed size
  /// (header included) to *uncompressed_total.
  Status WritePage(Compressor& compressor, format::PageHeader header, PageBuffers& scratch,
                   std::vector<uint8_t>* out, int64_t* uncompressed_total);

  size_t num_rows_ = 0;
  size_t null_count_ = 0;
  UninitVector<uint8_t> def_levels_;  ///< one 0/1 per row, OPTIONAL columns only
};

}  // namespace assay::sinks
