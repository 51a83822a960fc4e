#include "pipeline/schema_subjects.h"

#include <fmt/format.h>

#include "config/logging.h"

namespace assay::pipeline {

schema::RegistryOptions RegistryOptionsFor(const config::Config& config) {
  schema::RegistryOptions options;
  // The config loader accepts only valid names, so these lookups succeed.
  options.defaults.level = schema::CompatibilityLevelFromName(config.registry.compatibility)
                               .value_or(schema::CompatibilityLevel::kBackward);
  options.defaults.policy =
      schema::CompatibilityPolicyFromName(config.registry.compatibility_policy)
          .value_or(schema::CompatibilityPolicy::kConfluent);
  return options;
}

std::string SubjectOfSchemaFile(const std::filesystem::path& path) { return path.stem().string(); }

std::string LevelInForce(schema::SchemaRegistry& registry, std::string_view subject) {
  auto in_force = registry.GetSubjectConfig(subject, /*default_to_global=*/true);
  if (!in_force.ok()) return "BACKWARD";
  return std::string(schema::CompatibilityLevelName(in_force->level));
}

Result<schema::Registration> RegisterSchemaFile(schema::SchemaRegistry& registry,
                                                const std::filesystem::path& path,
                                                std::string_view text) {
  const std::string subject = SubjectOfSchemaFile(path);
  schema::RegistryResult<schema::Registration> registered =
      registry.Register(subject, schema::SchemaFormat::kJson, text);
  if (registered.ok()) {
    if (registered->created) {
      config::GetLogger("registry")
          ->info("schema {} registered as version {} of subject '{}' (id {})", path.string(),
                 registered->version, subject, registered->id);
    }
    return *registered;
  }
  const schema::RegistryError& error = registered.error();
  if (error.error_code != 409) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("schema {} cannot be registered as subject '{}': {}", path.string(),
                              subject, error.message));
  }
  return Status(
      StatusCode::kFailedPrecondition,
      fmt::format("schema {} changed incompatibly with subject '{}' (compatibility {}): {}. "
                  "Make the change compatible, or set the subject's compatibility to NONE "
                  "(PUT /registry/config/{}) to accept it",
                  path.string(), subject, LevelInForce(registry, subject), error.message, subject));
}

}  // namespace assay::pipeline
