#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>

#include "config/config.h"
#include "events/event_bus.h"
#include "pipeline/pipeline.h"

namespace assay::pipeline {

/// What every part of one run shares: the config, the command's options, the event bus, and the
/// run's start time (`_ingested_at` and the `ingest_date` partition).
struct RunContext {
  const config::Config& config;
  const RunOptions& options;
  events::EventBus& bus;
  int64_t started_us = 0;
};

/// The `pipeline` logger, so `loggers: {pipeline: debug}` applies to the pipeline's messages.
spdlog::logger& PipelineLog();

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace assay::pipeline
