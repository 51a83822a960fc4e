#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "schema/schema.h"

namespace assay::schema {

/// Parses the JSON Schema subset of docs/schemas.md into a Schema with its derived checks.
/// Every problem (syntax, unsupported keyword, a keyword on the wrong type, a bad pattern) is
/// reported together in one kInvalidArgument Status, each line naming `path` and the JSON
/// pointer (or line:column for syntax errors).
Result<Schema> ParseJsonSchema(std::string_view text, const std::filesystem::path& path);

/// Reads a schema file whole: kNotFound / kPermissionDenied naming it when it cannot.
Result<std::string> ReadSchemaFile(const std::filesystem::path& path);

/// Reads and parses a schema file.
Result<Schema> LoadJsonSchema(const std::filesystem::path& path);

}  // namespace assay::schema
