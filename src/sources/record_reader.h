#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "core/status.h"
#include "sources/byte_stream.h"

namespace assay::sources {

/// Decodes the records of batches that a RecordReader framed but did not decode (see
/// RecordReader::MakeParallelDecoder). One per thread; any decoder of a reader takes any of its
/// batches, so decoding runs on the worker threads while the reader frames the next batch.
class RecordDecoder {
 public:
  virtual ~RecordDecoder() = default;
  /// Fills the cells of every row of `batch` that has no parse error yet, or marks the row as
  /// unparseable with its reason.
  virtual void Decode(Batch& batch) = 0;
};

/// Decodes records from a byte stream into rows of a Batch (CSV, NDJSON, JSON arrays).
///
/// The caller builds the Batch with one column per wanted field, in the order the reader was
/// given the fields (`Batch::AddColumn(name)`), and registers the file with `Batch::AddUnit`;
/// the reader stamps each row with that unit. A record that cannot be decoded becomes a row with
/// a parse error (`Batch::has_parse_error`), never a failed call: a failed call means the input
/// itself could not be read (I/O error, corrupt compression).
class RecordReader {
 public:
  virtual ~RecordReader() = default;

  /// Appends up to `max_rows` rows to `batch` (fewer when the reader's batch_max_bytes option
  /// is reached first) and holds the input buffers their views point into. Returns the rows
  /// appended; 0 = the input is exhausted. Adds the input bytes the rows cover to
  /// `batch.input_bytes`.
  virtual Result<size_t> ReadBatch(Batch& batch, size_t max_rows) = 0;

  /// For formats whose records can be framed much faster than decoded (NDJSON: a record is a
  /// line; CSV: line feeds outside quotes), a decoder for one worker thread; nullptr when
  /// ReadBatch decodes itself (JSON arrays). After the first call ReadBatch only frames records —
  /// rows with their origin and text, cells still null — and every batch must pass through one of
  /// the decoders before its cells are read. A decoder does not refer to its reader and may outlive
  /// it.
  virtual std::unique_ptr<RecordDecoder> MakeParallelDecoder() { return nullptr; }

  /// Resumes after a crash: discards decompressed input up to `byte_offset`, which must be a
  /// record boundary previously reported by bytes_consumed(), and numbers the next record `line`
  /// (next_line() at that time). Call before the first ReadBatch. A CSV header is still read
  /// from the start of the file. kOutOfRange if the input is shorter than `byte_offset`.
  virtual Status SkipTo(uint64_t byte_offset, uint64_t line) = 0;

  /// Decompressed input bytes consumed through the end of the last record returned (including
  /// skipped blank lines): the position to commit, and the numerator of progress/throughput.
  virtual uint64_t bytes_consumed() const = 0;
  /// Bytes read from storage so far (compressed size for .gz/.zst; includes read-ahead).
  virtual uint64_t compressed_bytes_consumed() const = 0;
  /// RowOrigin::line the next record will get.
  virtual uint64_t next_line() const = 0;

  /// Wanted fields the input does not have (CSV header): null in every row; worth a warning.
  virtual const std::vector<std::string>& missing_fields() const { return empty_; }
  /// Input columns that are not wanted fields (CSV header): ignored.
  virtual const std::vector<std::string>& extra_fields() const { return empty_; }

 private:
  inline static const std::vector<std::string> empty_{};
};

/// Grows the first `num_columns` columns of `batch` ahead of appending up to `max_rows` rows:
/// appending into vectors that double as they fill costs more than parsing the fields. Grows at
/// least geometrically, so many small calls stay linear.
inline void ReserveRows(Batch& batch, size_t num_columns, size_t max_rows) {
  constexpr size_t kMaxReserve = 65536;  // max_rows may mean "everything"
  for (size_t c = 0; c < num_columns; ++c) {
    Column& column = batch.column(c);
    const size_t want = column.raw.size() + (max_rows < kMaxReserve ? max_rows : kMaxReserve);
    if (column.raw.capacity() >= want) continue;
    const size_t grown = want > 2 * column.raw.capacity() ? want : 2 * column.raw.capacity();
    column.raw.reserve(grown);
    column.kind.reserve(grown);
  }
}

/// Cuts a rejected record's text to at most `limit` bytes without splitting a UTF-8 sequence.
inline std::string_view CapText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  for (int i = 0; i < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++i) {
    --cut;
  }
  return text.substr(0, cut);
}

/// Rows the next batch will probably hold, to size its vectors once: `max_rows`, or fewer when
/// `max_bytes` will end the batch first at the average record size read so far (plus 1/8).
/// Reserving max_rows when a 1 MiB batch holds 8k records kept ~40 MB of column vectors alive.
inline size_t ExpectedBatchRows(size_t max_rows, size_t max_bytes, uint64_t bytes_read,
                                uint64_t records_read) {
  constexpr size_t kFirstGuess = 4096;  // before any record: vectors grow if it is short
  if (records_read == 0) return std::min(max_rows, kFirstGuess);
  const uint64_t average = std::max<uint64_t>(1, bytes_read / records_read);
  const uint64_t by_bytes = max_bytes / average + max_bytes / average / 8 + 1;
  return static_cast<size_t>(std::min<uint64_t>(max_rows, by_bytes));
}

/// The skipping half of RecordReader::SkipTo, shared by the readers: advances `pos` and
/// `consumed` through the window of `input` until `consumed == byte_offset`, calling the
/// reader's `refill()` (which moves `pos` to the new window) when the window is used up.
/// kOutOfRange when the input ends first.
template <typename Refill>
Status SkipInput(const ChunkedInput& input, const char*& pos, uint64_t& consumed,
                 uint64_t byte_offset, Refill&& refill) {
  while (consumed < byte_offset) {
    if (pos == input.end()) {
      if (input.eof()) {
        return Status(StatusCode::kOutOfRange,
                      input.name() + ": input ends at byte " + std::to_string(consumed) +
                          ", before the resume offset " + std::to_string(byte_offset));
      }
      RETURN_IF_ERROR(refill());
      continue;
    }
    const uint64_t take =
        std::min<uint64_t>(static_cast<uint64_t>(input.end() - pos), byte_offset - consumed);
    pos += take;
    consumed += take;
  }
  return Status::Ok();
}

}  // namespace assay::sources
