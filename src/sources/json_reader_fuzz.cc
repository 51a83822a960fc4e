// libFuzzer target for the NDJSON / JSON-array reader: any input must decode to rows or
// rejected rows, never crash, hang or read out of bounds. The first input byte picks the
// layout and chunk size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assay::sources;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  JsonOptions options;
  options.format = static_cast<JsonFormat>(control % 3);
  options.chunk_size = 1 + (control >> 2) * 5;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::vector<std::string> fields = {"a", "b", "c"};
  auto reader = JsonReader::Make(MakeMemoryStream(input), 0, options, fields);
  if (!reader.ok()) return 0;
  assay::Batch batch;
  for (const std::string& field : fields) batch.AddColumn(field);
  size_t rows = 0;
  while (true) {
    auto got = (*reader)->ReadBatch(batch, 64);
    if (!got.ok() || *got == 0) break;
    rows += *got;
    if (rows > input.size() + 2) __builtin_trap();  // more records than bytes: a loop
  }
  size_t sum = 0;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    for (char c : batch.record_text(row)) sum += static_cast<unsigned char>(c);
    for (const assay::Column& column : batch.columns()) {
      for (char c : column.raw[row]) sum += static_cast<unsigned char>(c);
    }
  }
  if (sum == 0xFFFFFFFFFFFF) __builtin_trap();
  return 0;
}
