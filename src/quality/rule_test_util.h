#pragma once

// Test helper: builds a typed Batch by hand, as the schema typer would fill it.

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/batch.h"
#include "core/value_parse.h"
#include "quality/rule_expr.h"

namespace assay::quality::testing {

/// A cell: Null{} for a null, TypeFail{} for a value that failed its type check, else a value
/// (timestamps and dates as RFC 3339 text).
struct Null {};
struct TypeFail {};
using Cell = std::variant<Null, TypeFail, int64_t, int, double, bool, std::string, const char*>;

class TestBatch {
 public:
  TestBatch(std::vector<std::pair<std::string, FieldType>> columns) {  // NOLINT
    for (auto& [name, type] : columns) {
      size_t index = batch_.AddColumn(name, type);
      fields_.push_back(RuleField{name, type, index});
    }
  }

  void Row(const std::vector<Cell>& cells) {
    batch_.AppendRow(RowOrigin{}, "");
    for (size_t c = 0; c < fields_.size(); ++c) {
      Column& col = batch_.column(c);
      const Cell cell = c < cells.size() ? cells[c] : Cell{Null{}};
      uint8_t valid = 1;
      int64_t i64 = 0;
      double f64 = 0;
      std::string_view str;
      if (std::holds_alternative<Null>(cell)) {
        valid = 0;
      } else if (std::holds_alternative<TypeFail>(cell)) {
        // A failed type check: the typed slot holds garbage that must never be read.
        valid = 0;
        col.type_failed.resize(batch_.num_rows());
        col.type_failed.back() = 1;
        i64 = 777777;
        f64 = 777777.0;
        str = Keep("garbage");
      } else if (auto* i = std::get_if<int64_t>(&cell)) {
        i64 = *i;
        f64 = static_cast<double>(*i);
      } else if (auto* i = std::get_if<int>(&cell)) {
        i64 = *i;
        f64 = *i;
      } else if (auto* d = std::get_if<double>(&cell)) {
        f64 = *d;
      } else if (auto* b = std::get_if<bool>(&cell)) {
        i64 = *b ? 1 : 0;
      } else {
        std::string text = std::holds_alternative<std::string>(cell)
                               ? std::get<std::string>(cell)
                               : std::string(std::get<const char*>(cell));
        str = Keep(text);
        if (col.type == FieldType::kTimestamp) {
          auto ts = ParseTimestampText(text);
          EXPECT_TRUE(ts.has_value()) << text;
          i64 = ts.value_or(0);
        } else if (col.type == FieldType::kDate) {
          auto d = ParseDateText(text);
          EXPECT_TRUE(d.has_value()) << text;
          i64 = d.value_or(0);
        }
      }
      col.valid.push_back(valid);
      col.i64.push_back(i64);
      col.f64.push_back(f64);
      col.str.push_back(str);
    }
  }

  const Batch& batch() const { return batch_; }
  Batch& mutable_batch() { return batch_; }
  const std::vector<RuleField>& fields() const { return fields_; }

 private:
  std::string_view Keep(std::string text) {
    strings_.push_back(std::move(text));
    return strings_.back();
  }

  Batch batch_;
  std::vector<RuleField> fields_;
  std::deque<std::string> strings_;
};

/// Compiles `expr` against the batch's fields (failing the test on an error) and evaluates it.
inline std::vector<uint8_t> Evaluate(const TestBatch& t, std::string_view expr,
                                     int64_t now_us = 0) {
  auto rule = CompiledRule::Compile(expr, t.fields(), RuleOptions{"test", now_us});
  EXPECT_TRUE(rule.ok()) << rule.status().message();
  if (!rule.ok()) return {};
  std::vector<uint8_t> out(t.batch().num_rows(), 99);
  RuleScratch scratch;
  (*rule)->Evaluate(t.batch(), out, scratch);
  return out;
}

// One-letter names keep the truth tables of the tests readable.
constexpr uint8_t F = kRuleFalse;  // NOLINT(readability-identifier-naming)
constexpr uint8_t T = kRuleTrue;   // NOLINT(readability-identifier-naming)
constexpr uint8_t N = kRuleNull;   // NOLINT(readability-identifier-naming)

}  // namespace assay::quality::testing
