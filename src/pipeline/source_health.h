#pragma once

#include <string>

#include "config/config.h"
#include "core/result.h"

namespace assay::pipeline {

/// The health check of one source, for `--validate-config` and the web API
/// (`GET /api/sources/{name}/health`), without reading data:
///  - database: connects, pings and runs its query for no rows (CheckDatabase);
///  - redis: connects (a refused login is an error), pings, and checks that the stream, if it
///    exists, is a stream;
///  - file: its path matches at least one file.
/// On success, a line saying what was found ("database reachable, sales readable"). Errors
/// name the redacted URL and never hold a password.
Result<std::string> CheckSource(const config::Config& config, const config::SourceConfig& source);

}  // namespace assay::pipeline
