#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/byte_stream.h"
#include "sources/csv_scanner.h"
#include "sources/record_reader.h"

namespace assay::sources {

/// Streaming RFC 4180 reader (see RecordReader). Fields are kText views into the input buffers;
/// only quoted fields with doubled quotes are copied (unescaped) into the batch arena. Records
/// can be split into fields on worker threads (MakeParallelDecoder): the reading thread then
/// only frames them (line feeds and quotes, 16 bytes at a time) and checks their UTF-8.
class CsvReader final : public RecordReader {
 public:
  /// Reads the header (when options.header) so that missing_fields()/extra_fields() are known
  /// on return. `fields` are the wanted columns, in batch column order. Errors: stream errors,
  /// kInvalidArgument for bad options or an unreadable header (unterminated quote, bad UTF-8).
  static Result<std::unique_ptr<CsvReader>> Make(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                 CsvOptions options,
                                                 std::vector<std::string> fields);

  Result<size_t> ReadBatch(Batch& batch, size_t max_rows) override;
  std::unique_ptr<RecordDecoder> MakeParallelDecoder() override;
  Status SkipTo(uint64_t byte_offset, uint64_t line) override;
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t compressed_bytes_consumed() const override { return input_.compressed_bytes_read(); }
  uint64_t next_line() const override { return line_; }
  const std::vector<std::string>& missing_fields() const override { return missing_fields_; }
  const std::vector<std::string>& extra_fields() const override { return extra_fields_; }

  /// The input's column names (from the header, the options, or `column1..N`).
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  using Record = CsvScanner::Record;

  CsvReader(std::unique_ptr<ByteStream> in, uint32_t unit, CsvOptions options,
            std::vector<std::string> fields);

  Status Init();
  /// Positions pos_ at the next record (skipping blank lines), refilling as needed, and scans
  /// it (only frames it when `frame_only`); false at the end of input.
  Result<bool> NextRecord(Record* record, bool frame_only = false);
  Status Refill();
  void MapColumns();
  bool RecordUtf8Valid(const Record& record) const;
  void Consume(const Record& record);

  ChunkedInput input_;
  uint32_t unit_;
  CsvOptions options_;
  std::vector<std::string> fields_;
  std::vector<std::string> columns_;
  std::vector<int> column_to_field_;  ///< input column -> batch column, -1 = ignored
  std::vector<std::string> missing_fields_;
  std::vector<std::string> extra_fields_;
  CsvScanner scanner_;
  bool deferred_ = false;  ///< ReadBatch only frames: MakeParallelDecoder was called
  const char* pos_ = nullptr;
  uint64_t line_ = 1;
  uint64_t consumed_ = 0;
  bool started_ = false;
  uint64_t bytes_read_ = 0;  ///< by ReadBatch, for ExpectedBatchRows
  uint64_t records_read_ = 0;
  /// [input_.begin(), utf8_valid_end_) of the current buffer is known to be valid UTF-8.
  const char* utf8_valid_end_ = nullptr;
};

/// Convenience for RecordReader users: CsvReader::Make.
Result<std::unique_ptr<RecordReader>> MakeCsvReader(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                    CsvOptions options,
                                                    std::vector<std::string> fields);

}  // namespace assay::sources
