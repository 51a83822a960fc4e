#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "sinks/compression.h"
#include "sinks/parquet_column_writer.h"
#include "sinks/parquet_format.h"
#include "sinks/parquet_schema.h"

namespace assay::sinks {

/// How a ParquetWriter lays out and encodes a file.
struct ParquetWriterOptions {
  Compression compression = Compression::kZstd;
  int zstd_level = 1;
  /// A row group is flushed when it reaches either limit. Bytes are the rows' PLAIN-encoded size
  /// (an upper bound of the encoded size), which is also about the memory the writer holds.
  size_t row_group_max_rows = 1 << 20;
  size_t row_group_max_bytes = 128 << 20;
  /// Encoded values per data page; a single larger value gets a page of its own.
  size_t page_max_bytes = 1 << 20;
  /// Try dictionary encoding for string, int64, timestamp, date and double columns. A chunk
  /// keeps it only while the dictionary stays under dictionary_max_bytes and makes it smaller.
  bool dictionary = true;
  size_t dictionary_max_bytes = 1 << 20;
  /// Write string chunks whose values mostly share a prefix with the previous one (paths with
  /// line numbers, sequential ids) as DELTA_BYTE_ARRAY. Off for readers without it (Spark's
  /// vectorised reader before 3.3).
  bool delta_byte_array = true;
  /// String min/max statistics longer than this are omitted.
  size_t statistics_max_bytes = 4096;
  /// Writer identity in the footer, "<app> version <x.y.z>" so readers can parse it.
  std::string created_by = "assay version 0.1.0";
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

/// Writes a flat table to one Parquet file: PAR1, row groups of column chunks (dictionary or
/// PLAIN, V1 data pages, zstd/snappy/none), then the Thrift compact footer. Rows are buffered
/// column-wise until a row group is full; memory is about row_group_max_bytes.
///
/// Nothing is thrown: every failure (bad input, full disk, unwritable path) is a Status. After an
/// I/O error the writer is failed and every later call returns that error. The file is complete
/// only after Close() returns OK; a writer destroyed before that removes its partial file.
/// Not thread-safe.
class ParquetWriter {
 public:
  /// Creates (or truncates) `path` and writes the leading magic. kInvalidArgument for an empty
  /// or duplicate column name or bad options; an errno-derived code when the file cannot be made.
  static Result<std::unique_ptr<ParquetWriter>> Make(const std::filesystem::path& path,
                                                     std::vector<ParquetColumnSpec> columns,
                                                     ParquetWriterOptions options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  /// Appends the rows listed in `selection` (indices into the ColumnValues arrays), in order.
  /// `columns` has one entry per column spec, in spec order; values are copied. All-or-nothing:
  /// input errors (a null in a REQUIRED column, a missing value array, a date out of INT32 range)
  /// are found before any row is taken. May write full row groups to the file.
  Status Append(std::span<const ColumnValues> columns, std::span<const uint32_t> selection);
  /// Appends rows 0 .. num_rows-1.
  Status Append(std::span<const ColumnValues> columns, size_t num_rows);

  /// Flushes the last row group, writes the footer and trailing magic, fsyncs and closes. After
  /// Close the writer accepts nothing more.
  Status Close();
  /// Closes without completing the file and removes it (if it is a regular file).
  void Abort();

  const std::filesystem::path& path() const { return path_; }
  const std::vector<ParquetColumnSpec>& columns() const { return specs_; }
  /// Rows accepted so far (buffered or written).
  uint64_t rows_written() const { return rows_written_; }
  /// Bytes in the file so far (the whole file after Close).
  uint64_t bytes_written() const { return bytes_written_; }
  /// Row groups flushed so far.
  size_t num_row_groups() const { return metadata_.row_groups.size(); }

 private:
  ParquetWriter(std::filesystem::path path, std::vector<ParquetColumnSpec> specs,
                ParquetWriterOptions options);

  Status AppendRows(std::span<const ColumnValues> columns, const uint32_t* selection, size_t count);
  Status FlushRowGroup();
  Status WriteBytes(std::span<const uint8_t> bytes);
  Status Fail(Status status);

  std::filesystem::path path_;
  std::vector<ParquetColumnSpec> specs_;
  ParquetWriterOptions options_;
  int fd_ = -1;
  Status error_;  ///< sticky: the first I/O error
  bool closed_ = false;

  std::unique_ptr<Compressor> compressor_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> column_writers_;
  size_t row_group_rows_ = 0;
  format::FileMetaData metadata_;
  std::vector<uint8_t> chunk_buf_;
  PageBuffers page_buffers_;  ///< one page at a time, shared by the columns

  uint64_t rows_written_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace assay::sinks
