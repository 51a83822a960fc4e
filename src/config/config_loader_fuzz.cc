// libFuzzer target for the config loaders: any byte string given as data_sources.yml or as
// logging_config.yml must either load or fail with kInvalidArgument and at least one
// positioned error; never crash, hang, or let a yaml-cpp exception out (which the loaders
// would turn into kInternal: a bug).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assay::config;
  static const Environment env = MapEnvironment({{"HOME", "/root"}});
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::vector<ConfigError> errors;
  auto config = ParseConfig(text, "/tmp/fuzz/config.yml", env, &errors);
  if (config.ok()) {
    if (config->sources.empty() || config->sinks.empty()) std::abort();
    if (config->pipeline.dimension_weights.size() != 5) std::abort();
  } else {
    if (config.status().code() != assay::StatusCode::kInvalidArgument) std::abort();
    if (errors.empty()) std::abort();
    for (const ConfigError& error : errors) (void)error.ToString();
  }

  errors.clear();
  auto logging = ParseLoggingConfig(text, "/tmp/fuzz/logging_config.yml", env, &errors);
  if (!logging.ok()) {
    if (logging.status().code() != assay::StatusCode::kInvalidArgument) std::abort();
    if (errors.empty()) std::abort();
  }
  return 0;
}
