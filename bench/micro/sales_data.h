#pragma once

// Shared input for the per-stage micro-benchmarks: deterministic, sales-like rows generated in
// memory (no files, no randomness that differs between runs or machines), and the batches the
// later stages start from, produced by the real reader and typer so every stage sees what it
// sees in production.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "quality/classifier.h"
#include "schema/schema.h"
#include "sources/byte_stream.h"

namespace assay::bench {

/// Rows per batch: the default `pipeline.batch_max_rows`, so one iteration is one batch.
inline constexpr size_t kBatchRows = 65536;

/// The run's reference time for now(): 2026-11-24T00:00:00Z, in µs since the epoch (UTC).
inline constexpr int64_t kAsOfUs = 1'795'478'400LL * 1'000'000;

/// The sales_transactions schema (a copy of schemas/sales_transactions.json, so that editing the
/// sample schema does not silently change what the benchmarks measure): 13 fields, 36 checks.
const schema::Schema& SalesSchema();

/// The schema's field names, in order: the columns a reader is asked for.
const std::vector<std::string>& SalesFields();

/// The two rules of config/data_sources.yml for sales_transactions.
std::vector<quality::RuleSpec> SalesRules();

/// `rows` sales rows as CSV with a header line (built once per row count, then cached). About
/// 6% of rows carry one defect: a missing or malformed id, an out-of-range or non-integer quantity,
/// a total that does not match, an unknown currency, a bad timestamp or email; about 6% are older
/// than the 30 days of the `recent` rule. About 5% of the emails are quoted; 40% of discounts are
/// empty (null).
const std::string& SalesCsv(size_t rows);

/// The same rows as NDJSON (numbers unquoted, nulls as JSON null; cached like SalesCsv).
const std::string& SalesNdjson(size_t rows);

/// A ByteStream over bytes that outlive it, copied out in Read like a file's: lets a reader be
/// benchmarked without copying the whole input into a MakeMemoryStream first.
std::unique_ptr<sources::ByteStream> ViewStream(std::string_view data);

/// SalesCsv(rows) decoded by the CsvReader into a fresh batch whose columns are the schema's
/// fields (untyped: `raw` and `kind` only).
Batch DecodeSalesCsv(size_t rows);

/// DecodeSalesCsv(kBatchRows) typed by the schema typer: the input of the checks, the rules, the
/// classifier and the Parquet writer. Built once; shared by every benchmark.
const Batch& TypedSalesBatch();

/// Bytes of non-null field text in `batch` (the sum of `raw` sizes of non-null cells).
uint64_t FieldTextBytes(const Batch& batch);

}  // namespace assay::bench
