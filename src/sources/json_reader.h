#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/byte_stream.h"
#include "sources/json_record_parser.h"
#include "sources/record_reader.h"

namespace assay::sources {

/// Parse-error codes of JSON rows (Batch::parse_error().code); docs/file-formats.md explains them.
inline constexpr std::string_view kJsonSyntax = "json.syntax";
inline constexpr std::string_view kJsonNotObject = "json.not_object";
inline constexpr std::string_view kJsonInvalidUtf8 = "json.invalid_utf8";
inline constexpr std::string_view kJsonTruncated = "json.truncated";

/// How records are laid out in the file.
enum class JsonFormat : unsigned char {
  kAuto,    ///< a JSON array when the first non-blank byte is `[`, else NDJSON
  kNdjson,  ///< one object per line
  kArray,   ///< one top-level array of objects
};

struct JsonOptions {
  JsonFormat format = JsonFormat::kAuto;
  /// Bytes read from the stream at a time (a larger record still works).
  size_t chunk_size = 1 << 20;
  /// ReadBatch stops once the batch covers this many input bytes (after at least one record).
  size_t batch_max_bytes = SIZE_MAX;
  /// record_text of a rejected row is cut to this many bytes.
  size_t max_error_text = 64 << 10;
  /// Deeper nesting is a json.syntax error (also bounds the validator's recursion); at most 1000.
  size_t max_depth = 1000;
};

/// Streaming NDJSON / JSON-array reader on simdjson On Demand (see RecordReader). Each record is
/// fully validated and its wanted top-level fields become cells (JsonRecordParser). NDJSON
/// records can be decoded on worker threads (MakeParallelDecoder): framing a line is a memchr.
///
/// RowOrigin::line is the physical line for NDJSON and the 1-based element number for arrays.
class JsonReader final : public RecordReader {
 public:
  /// Errors: stream errors; kInvalidArgument when format is kArray and the input is not an array.
  static Result<std::unique_ptr<JsonReader>> Make(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                  JsonOptions options,
                                                  std::vector<std::string> fields);
  ~JsonReader() override;

  Result<size_t> ReadBatch(Batch& batch, size_t max_rows) override;
  std::unique_ptr<RecordDecoder> MakeParallelDecoder() override;
  Status SkipTo(uint64_t byte_offset, uint64_t line) override;
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t compressed_bytes_consumed() const override { return input_.compressed_bytes_read(); }
  uint64_t next_line() const override { return line_; }

  /// The layout in use (kAuto resolved from the first byte; kNdjson for an empty input).
  JsonFormat format() const { return format_; }

 private:
  struct Span {
    const char* begin = nullptr;
    const char* end = nullptr;   ///< record text end (trimmed)
    const char* next = nullptr;  ///< where the following record search starts
    uint64_t lines = 0;          ///< added to line_ when consumed
    std::string_view error;      ///< set when the framing already failed (truncated, empty)
    std::string_view message;
  };
  enum class ArrayState { kBefore, kInside, kAfter, kDone };

  JsonReader(std::unique_ptr<ByteStream> in, uint32_t unit, JsonOptions options,
             std::vector<std::string> fields);
  Status Init();
  Status Refill();
  Result<bool> NextLine(Span* span);
  Result<bool> NextElement(Span* span);

  ChunkedInput input_;
  uint32_t unit_;
  JsonOptions options_;
  std::vector<std::string> fields_;
  JsonRecordParser parser_;  ///< records decoded in ReadBatch
  bool deferred_ = false;    ///< ReadBatch only frames: MakeParallelDecoder was called
  JsonFormat format_ = JsonFormat::kNdjson;
  ArrayState array_state_ = ArrayState::kBefore;
  uint64_t array_open_offset_ = 0;  ///< stream offset of the `[`

  const char* pos_ = nullptr;
  uint64_t line_ = 1;
  uint64_t consumed_ = 0;
  bool started_ = false;
  uint64_t bytes_read_ = 0;  ///< by ReadBatch, for ExpectedBatchRows
  uint64_t records_read_ = 0;
};

/// Convenience for RecordReader users: JsonReader::Make.
Result<std::unique_ptr<RecordReader>> MakeJsonReader(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                     JsonOptions options,
                                                     std::vector<std::string> fields);

}  // namespace assay::sources
