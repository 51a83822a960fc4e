#include "quality/field_checks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "quality/eval_scratch.h"
#include "schema/json_schema.h"
#include "schema/typer.h"

namespace assay::quality {
namespace {

// Outcomes of the check named `name` on one CSV column of values (nullptr = null), as letters:
// p(ass), f(ail), n(ot applicable).
std::string Outcomes(const std::string& schema_json, const std::string& name,
                     const std::vector<const char*>& values) {
  Result<schema::Schema> schema = schema::ParseJsonSchema(schema_json, "s.json");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return "";
  Batch batch;
  batch.AddColumn(schema->fields[0].name);
  for (const char* v : values) {
    const size_t row = batch.AppendRow({}, "");
    if (v != nullptr) batch.SetCell(row, 0, CellKind::kText, v);
  }
  schema::TypeBatch(*schema, batch);
  for (const schema::FieldCheck& spec : schema->checks) {
    if (spec.name != name) continue;
    Result<std::unique_ptr<Check>> check = MakeFieldCheck(*schema, spec, 0);
    EXPECT_TRUE(check.ok()) << check.status().ToString();
    std::vector<uint8_t> out(values.size());
    EvalScratch scratch;
    (*check)->Evaluate(batch, out, scratch);
    std::string letters;
    for (uint8_t o : out) letters += o == kPass ? 'p' : o == kFail ? 'f' : 'n';
    return letters;
  }
  ADD_FAILURE() << "no check " << name;
  return "";
}

// Short enums are scanned, long ones hashed: both give the same answers, empty string included.
TEST(FieldChecks, EnumOfFewAndOfManyValues) {
  const std::string few =
      R"({"type": "object", "properties": {"c": {"type": "string", "enum": ["USD", "EUR", ""]}}})";
  EXPECT_EQ(Outcomes(few, "c.enum", {"USD", "EUR", "usd", "US", "USDX", nullptr, ""}), "ppfffnp");
  // Values of up to 8 bytes are compared as one word, longer ones byte by byte.
  const std::string mixed = R"({"type": "object", "properties": {"c": {"type": "string",
      "enum": ["online", "in-store", "marketplace", "phone order"]}}})";
  EXPECT_EQ(Outcomes(mixed, "c.enum",
                     {"online", "in-store", "marketplace", "phone order", "onlinE", "in-storE",
                      "marketplacE", "phone orde", "phone orders", "in-stor", "in-store!"}),
            "ppppfffffff");
  std::string many = R"({"type": "object", "properties": {"c": {"type": "string", "enum": [)";
  for (int i = 0; i < 20; ++i)
    many += (i ? ", " : "") + std::string("\"v") + std::to_string(i) + "\"";
  many += "]}}}";
  EXPECT_EQ(Outcomes(many, "c.enum", {"v0", "v19", "v20", "v", nullptr}), "ppffn");
}

TEST(FieldChecks, PatternsSimpleAndNot) {
  const auto schema = [](const std::string& pattern) {
    return R"({"type": "object", "properties": {"id": {"type": "string", "pattern": ")" + pattern +
           R"("}}})";
  };
  // Fixed shape (table lookup) and a shape only RE2 handles, on the same values.
  EXPECT_EQ(Outcomes(schema("^TX-[0-9]{3}$"), "id.pattern", {"TX-123", "TX-12", "tx-123", nullptr}),
            "pffn");
  EXPECT_EQ(Outcomes(schema("^TX-[0-9]+$"), "id.pattern", {"TX-123", "TX-12", "tx-123", nullptr}),
            "ppfn");
}

}  // namespace
}  // namespace assay::quality
