#pragma once

#include <memory>

#include "core/result.h"
#include "quality/check.h"
#include "schema/schema.h"

namespace assay::quality {

/// Builds the check for one schema keyword (DESIGN.md §3a). `column` is the batch column that
/// holds the check's field. Value checks are not applicable to a null or mistyped value.
Result<std::unique_ptr<Check>> MakeFieldCheck(const schema::Schema& schema,
                                              const schema::FieldCheck& check, size_t column);

}  // namespace assay::quality
