#pragma once

#include "core/value_parse.h"

// Internal: conversions between rule value types (CAST, TRY_CAST, ::, implicit promotions).

#include <cstddef>
#include <optional>
#include <string>

#include "quality/rule_ast.h"
#include "quality/rule_vector.h"

namespace assay::quality {

/// Why `from` cannot be cast to `to`, or nullopt when it can. Casting NULL works for every type.
std::optional<std::string> CastUnsupported(ValueType from, ValueType to);

/// Converts `rows` values of `from` into `out` as `to`. A value that does not convert (text that
/// is not a number, a number out of integer range) is NULL: a rule over it is not applicable.
void CastInto(ValueType from, ValueType to, const VecView& in, size_t rows, Slot& out);

}  // namespace assay::quality
