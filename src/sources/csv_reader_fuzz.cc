// libFuzzer target for the CSV reader: any input must decode to rows or rejected rows, never
// crash, hang or read out of bounds. The first input byte picks the dialect and chunk size so
// that chunk-boundary paths are exercised too. It is also a differential target: the parallel
// decoder (CsvReader::MakeParallelDecoder) must give exactly ReadBatch's rows.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sources/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assay::sources;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  CsvOptions options;
  options.header = (control & 1) != 0;
  options.delimiter = (control & 2) != 0 ? ',' : '\t';
  options.strict_quotes = (control & 4) != 0;
  options.quoting = (control & 8) == 0 || (control & 1) != 0;
  options.chunk_size = 1 + (control >> 4) * 7;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::vector<std::string> fields = {"a", "b", "column1", "column2"};
  // Read twice: splitting on the reading thread, and framing there with the fields split by a
  // parallel decoder (as on the pipeline's workers). Both must give the same rows.
  assay::Batch batches[2];
  uint64_t consumed[2] = {0, 0};
  for (int parallel = 0; parallel < 2; ++parallel) {
    auto reader = CsvReader::Make(MakeMemoryStream(input), 0, options, fields);
    if (!reader.ok()) return 0;
    std::unique_ptr<RecordDecoder> decoder;
    if (parallel != 0) decoder = (*reader)->MakeParallelDecoder();
    assay::Batch& batch = batches[parallel];
    for (const std::string& field : fields) batch.AddColumn(field);
    size_t rows = 0;
    while (true) {
      auto got = (*reader)->ReadBatch(batch, 64);
      if (!got.ok() || *got == 0) break;
      rows += *got;
      if (rows > input.size() + 1) __builtin_trap();  // more records than bytes: a loop
    }
    if (decoder) decoder->Decode(batch);
    consumed[parallel] = (*reader)->bytes_consumed();
  }
  const assay::Batch& batch = batches[0];
  const assay::Batch& other = batches[1];
  if (consumed[0] != consumed[1] || batch.num_rows() != other.num_rows()) __builtin_trap();
  // Every view must point at readable bytes, and the two reads must agree.
  size_t sum = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    if (batch.record_text(row) != other.record_text(row) ||
        batch.has_parse_error(row) != other.has_parse_error(row) ||
        batch.parse_error(row).code != other.parse_error(row).code ||
        batch.origin(row).line != other.origin(row).line ||
        batch.origin(row).byte_offset != other.origin(row).byte_offset) {
      __builtin_trap();
    }
    for (char c : batch.record_text(row)) sum += static_cast<unsigned char>(c);
    for (size_t col = 0; col < fields.size(); ++col) {
      const assay::Column& column = batch.column(col);
      const assay::Column& column2 = other.column(col);
      if (column.kind[row] != column2.kind[row] || column.raw[row] != column2.raw[row]) {
        __builtin_trap();
      }
      for (char c : column.raw[row]) sum += static_cast<unsigned char>(c);
    }
  }
  if (consumed[0] != input.size() && sum == 0xFFFFFFFF) __builtin_trap();
  return 0;
}
