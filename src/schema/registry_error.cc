#include "schema/registry_error.h"

#include <fmt/format.h>

namespace assay::schema {
namespace {

RegistryError Make(int error_code, std::string message) {
  // Confluent's five-digit codes carry their HTTP status in the first three digits.
  int http_status = error_code >= 10000 ? error_code / 100 : error_code;
  return RegistryError{error_code, http_status, std::move(message)};
}

}  // namespace

RegistryError RegistryError::SubjectNotFound(std::string_view subject) {
  return Make(40401, fmt::format("Subject '{}' not found.", subject));
}

RegistryError RegistryError::VersionNotFound(std::string_view version) {
  return Make(40402, fmt::format("Version {} not found.", version));
}

RegistryError RegistryError::SchemaNotFound() { return Make(40403, "Schema not found"); }

RegistryError RegistryError::SchemaNotFound(int64_t id) {
  return Make(40403, fmt::format("Schema {} not found", id));
}

RegistryError RegistryError::SubjectSoftDeleted(std::string_view subject) {
  return Make(40404, fmt::format("Subject '{}' was soft deleted.Set permanent=true to delete "
                                 "permanently",
                                 subject));
}

RegistryError RegistryError::SubjectNotSoftDeleted(std::string_view subject) {
  return Make(40405, fmt::format("Subject '{}' was not deleted first before being permanently "
                                 "deleted",
                                 subject));
}

RegistryError RegistryError::VersionSoftDeleted(std::string_view subject, int version) {
  return Make(40406, fmt::format("Subject '{}' Version {} was soft deleted.Set permanent=true to "
                                 "delete permanently",
                                 subject, version));
}

RegistryError RegistryError::VersionNotSoftDeleted(std::string_view subject, int version) {
  return Make(40407, fmt::format("Subject '{}' Version {} was not deleted first before being "
                                 "permanently deleted",
                                 subject, version));
}

RegistryError RegistryError::SubjectConfigNotFound(std::string_view subject) {
  return Make(40408, fmt::format("Subject '{}' does not have subject-level compatibility "
                                 "configured",
                                 subject));
}

RegistryError RegistryError::Incompatible(std::string_view subject,
                                          const std::vector<std::string>& details) {
  return Make(409, fmt::format("Schema being registered is incompatible with an earlier schema "
                               "for subject \"{}\", details: [{}]",
                               subject, fmt::join(details, ", ")));
}

RegistryError RegistryError::InvalidSchema(std::string_view why) {
  return Make(42201, fmt::format("Invalid schema: {}", why));
}

RegistryError RegistryError::InvalidVersion(std::string_view version) {
  return Make(42202, fmt::format("The specified version '{}' is not a valid version id. Allowed "
                                 "values are between [1, 2^31-1] and the string \"latest\"",
                                 version));
}

RegistryError RegistryError::InvalidCompatibilityLevel() {
  return Make(42203,
              "Invalid compatibility level. Valid values are none, backward, forward, full, "
              "backward_transitive, forward_transitive, and full_transitive");
}

RegistryError RegistryError::InvalidCompatibilityPolicy(std::string_view policy) {
  return Make(42203, fmt::format("Invalid compatibility policy '{}'. Valid values are confluent "
                                 "and lenient",
                                 policy));
}

RegistryError RegistryError::InvalidSubject(std::string_view subject, std::string_view why) {
  return Make(42208, fmt::format("The specified subject '{}' is not valid: {}", subject, why));
}

RegistryError RegistryError::SchemaTooLarge() {
  return Make(42209, "Register operation failed because schema is too large");
}

RegistryError RegistryError::Store(const Status& status) {
  return Make(50001, fmt::format("Error in the backend data store: {}", status.message()));
}

}  // namespace assay::schema
