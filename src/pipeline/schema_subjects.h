#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/result.h"
#include "schema/registry.h"

namespace assay::pipeline {

/// The registry options a config asks for (its `registry:` section).
schema::RegistryOptions RegistryOptionsFor(const config::Config& config);

/// The subject a schema file is registered under: its file name without the extension
/// (`schemas/sales_transactions.json` -> `sales_transactions`), so sources that share a schema
/// file share a subject.
std::string SubjectOfSchemaFile(const std::filesystem::path& path);

/// Registers the schema file of a source at the start of a run (DESIGN.md §6, issue 5): an
/// unchanged file is the subject's current version; a changed one becomes a new version if it
/// is compatible at the subject's level (`schema.evolved`). An incompatible change is a
/// kFailedPrecondition error naming the file, the subject, the level and the differences (with
/// the JSON pointers of the offending fields), and the source must not run; a subject whose
/// level is NONE accepts any change. Returns the version that holds the file's schema.
Result<schema::Registration> RegisterSchemaFile(schema::SchemaRegistry& registry,
                                                const std::filesystem::path& path,
                                                std::string_view text);

/// The name of the compatibility level in force for `subject` (for messages).
std::string LevelInForce(schema::SchemaRegistry& registry, std::string_view subject);

}  // namespace assay::pipeline
