// libFuzzer target for the JSON Schema parser: any byte string given as a schema file must
// either parse or fail with kInvalidArgument (never crash, hang or throw), and a schema that
// parses must type a batch without reading out of bounds. The batch is built from the input
// itself: each field gets one cell of each kind, its text a slice of the input, so the typer's
// format and value parsers see the literals that the fuzzer put in the schema (enum, const,
// pattern, names).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/batch.h"
#include "schema/json_schema.h"
#include "schema/typer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assay;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<schema::Schema> parsed = schema::ParseJsonSchema(text, "fuzz.json");
  if (!parsed.ok()) {
    if (parsed.status().code() != StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  const schema::Schema& s = *parsed;
  // Derived checks must point at real fields; key fields must name declared properties.
  for (const schema::FieldCheck& check : s.checks) {
    if (check.field >= s.fields.size()) std::abort();
  }
  for (const std::string& key : s.key_fields) {
    if (s.FindField(key) < 0) std::abort();
  }

  Batch batch;
  for (const schema::Field& field : s.fields) batch.AddColumn(field.name);
  constexpr CellKind kKinds[] = {CellKind::kNull,   CellKind::kText, CellKind::kString,
                                 CellKind::kNumber, CellKind::kBool, CellKind::kNested};
  size_t offset = 0;
  for (CellKind kind : kKinds) {
    const size_t row = batch.AppendRow({}, text);
    for (size_t c = 0; c < s.fields.size(); ++c) {
      // A slice of the input whose length and start vary with the row and the column.
      const size_t length = text.empty() ? 0 : (offset * 7 + c * 13) % (text.size() + 1);
      const size_t start = text.empty() ? 0 : (offset + c) % text.size();
      batch.SetCell(row, c, kind, text.substr(start, length));
      ++offset;
    }
  }
  schema::TypeBatch(s, batch);
  for (size_t c = 0; c < batch.columns().size(); ++c) {
    const Column& col = batch.column(c);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      if (col.valid[r] && col.type_failed[r]) std::abort();  // both passed and failed
      if (col.kind[r] == CellKind::kNull && (col.valid[r] || col.type_failed[r])) std::abort();
    }
  }
  return 0;
}
