#pragma once

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <string_view>

#include "config/config.h"
#include "core/status.h"

namespace assay::config {

/// Configures spdlog from `config`: a stderr sink (colored on a terminal) and/or a rotating file
/// sink, text or JSON lines, the global level and per-component levels. Every logger obtained
/// from GetLogger (and spdlog's default logger, named "assay") is switched to the new sinks, so it
/// may be called again, e.g. once the config has been read. Call it before other threads log:
/// spdlog does not guard a logger's sink list. Errors: kInvalidArgument for an unknown level,
/// kFailedPrecondition when the log file cannot be opened (the old setup then stays in place).
Status SetUpLogging(const LoggingConfig& config);

/// The logger of `component` ("sources", "sources.file", "sinks.lake" ...), created on first use
/// with the current sinks and the level for that name (longest dotted prefix in
/// LoggingConfig::loggers, else the global level). Before SetUpLogging it logs to stderr at info.
/// Thread-safe; the returned logger stays valid for the life of the process.
std::shared_ptr<spdlog::logger> GetLogger(std::string_view component);

/// Formats a record as one JSON object per line:
/// `{"ts":"2024-05-01T12:00:00.123456Z","level":"info","logger":"sources","msg":"..."}`.
/// ts is UTC; strings are escaped per RFC 8259 and invalid UTF-8 becomes U+FFFD, so every line
/// parses as JSON whatever the message holds.
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace assay::config
