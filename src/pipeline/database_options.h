#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "sources/database/database.h"
#include "sources/database/database_reader.h"

namespace assay::pipeline {

/// How to connect for a `type: database` source: its URL parsed, the password from
/// `password:` or `password_file:`, TLS and timeouts. kInvalidArgument (a config error, exit 2)
/// for a bad URL or an unreadable password file; messages never hold the password.
Result<sources::db::ConnectOptions> ConnectOptionsFor(const config::SourceConfig& source);

/// What a database source reads, without the position (set from the checkpoint).
sources::db::ReadRequest ReadRequestFor(const config::SourceConfig& source, size_t batch_max_bytes);

/// The unit a database source's rows and checkpoint are known by: its table, or "query".
std::string DatabaseUnitName(const config::SourceConfig& source);

/// A watermark as stored in the checkpoint (JSON: {"type": ..., "value": ...}) and back.
std::string WatermarkToJson(const std::optional<sources::db::DbParam>& watermark);
Result<std::optional<sources::db::DbParam>> WatermarkFromJson(const std::string& json);

}  // namespace assay::pipeline
