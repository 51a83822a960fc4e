// libFuzzer target: any byte string given as a rule expression must either compile or fail
// with a positioned kInvalidArgument, and whatever compiles must evaluate without crashing.
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Isrc src/quality/rule_*.cc
//     src/core/*.cc (minus tests) -lre2 -lfmt

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "quality/rule_expr.h"

namespace {

using assay::Batch;
using assay::FieldType;
using assay::quality::CompiledRule;
using assay::quality::RuleField;
using assay::quality::RuleOptions;
using assay::quality::RuleScratch;

// One column of each type, three rows: ordinary values, edge values, and nulls.
struct Fixture {
  Batch batch;
  std::vector<RuleField> fields;

  Fixture() {
    const std::pair<const char*, FieldType> columns[] = {
        {"i", FieldType::kInteger}, {"n", FieldType::kNumber},     {"b", FieldType::kBoolean},
        {"s", FieldType::kString},  {"ts", FieldType::kTimestamp}, {"d", FieldType::kDate},
        {"any", FieldType::kAny},
    };
    for (const auto& [name, type] : columns) {
      fields.push_back(RuleField{name, type, batch.AddColumn(name, type)});
    }
    for (int r = 0; r < 3; ++r) batch.AppendRow({}, "");
    const int64_t ints[] = {42, INT64_MIN, 0};
    const double nums[] = {19.99, -1e308, 0};
    const std::string_view strs[] = {"TX-0123456789", "%_\\é", ""};
    for (size_t c = 0; c < fields.size(); ++c) {
      auto& col = batch.column(c);
      col.valid = {1, 1, 0};
      col.i64.assign(ints, ints + 3);
      col.f64.assign(nums, nums + 3);
      col.str.assign(strs, strs + 3);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  static RuleScratch scratch;
  const std::string_view expr(reinterpret_cast<const char*>(data), size);
  auto rule =
      CompiledRule::Compile(expr, fixture.fields, RuleOptions{"fuzz", 1'772'323'200'000'000});
  if (!rule.ok()) {
    if (rule.status().code() != assay::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  uint8_t out[3];
  (*rule)->Evaluate(fixture.batch, out, scratch);
  for (uint8_t v : out) {
    if (v > 2) std::abort();
  }
  return 0;
}
