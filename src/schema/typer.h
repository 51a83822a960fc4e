#pragma once

#include "core/batch.h"
#include "schema/schema.h"

namespace assay::schema {

/// Fills the typed vectors of a batch whose columns are the schema's fields, in order: the
/// Decoder step of DESIGN.md §1. For each cell it runs the type check (type + format, on the
/// text for CSV and on the JSON kind for JSON, docs/schemas.md) and sets `valid`,
/// `type_failed` and the typed value. Rows with a parse error stay null.
void TypeBatch(const Schema& schema, Batch& batch);

/// The format part of a string type check (email, uuid, ipv4); true for kNone.
bool MatchesFormat(StringFormat format, std::string_view text);

}  // namespace assay::schema
