#include "pipeline/run_context.h"

#include "config/logging.h"

namespace assay::pipeline {

spdlog::logger& PipelineLog() {
  static const std::shared_ptr<spdlog::logger> logger = config::GetLogger("pipeline");
  return *logger;
}

}  // namespace assay::pipeline
