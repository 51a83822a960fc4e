// libFuzzer target for the CSV reader: any input must decode to rows or rejected rows, never
// crash, hang or read out of bounds. The first input byte picks the dialect and chunk size so
// that chunk-boundary paths are exercised too.
#include <cstddef>
#include <cstdint>
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
  auto reader = CsvReader::Make(MakeMemoryStream(input), 0, options, fields);
  if (!reader.ok()) return 0;
  assay::Batch batch;
  for (const std::string& field : fields) batch.AddColumn(field);
  size_t rows = 0;
  while (true) {
    auto got = (*reader)->ReadBatch(batch, 64);
    if (!got.ok() || *got == 0) break;
    rows += *got;
    if (rows > input.size() + 1) __builtin_trap();  // more records than bytes: a loop
  }
  // Every view must point at readable bytes.
  size_t sum = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    for (char c : batch.record_text(row)) sum += static_cast<unsigned char>(c);
    for (const assay::Column& column : batch.columns()) {
      for (char c : column.raw[row]) sum += static_cast<unsigned char>(c);
    }
  }
  if ((*reader)->bytes_consumed() != input.size() && sum == 0xFFFFFFFF) __builtin_trap();
  return 0;
}
