#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace assay::schema {

/// An answer of the schema registry that is not a success, as the Confluent Schema Registry
/// gives it: an `error_code` (40401, 42201, ...; 409 for an incompatible schema), the HTTP status
/// that goes with it and a message. The REST API sends it as
/// `{"error_code": <code>, "message": "<message>"}`.
struct RegistryError {
  int error_code = 0;
  int http_status = 0;
  std::string message;

  /// 40401 `Subject 'S' not found.`
  static RegistryError SubjectNotFound(std::string_view subject);
  /// 40402 `Version V not found.`
  static RegistryError VersionNotFound(std::string_view version);
  /// 40403 `Schema not found`, or `Schema <id> not found` for an id.
  static RegistryError SchemaNotFound();
  static RegistryError SchemaNotFound(int64_t id);
  /// 40404: a soft delete of a subject whose versions are all soft-deleted already.
  static RegistryError SubjectSoftDeleted(std::string_view subject);
  /// 40405: a permanent delete of a subject that was not soft-deleted first.
  static RegistryError SubjectNotSoftDeleted(std::string_view subject);
  /// 40406: a soft delete of a version that is soft-deleted already.
  static RegistryError VersionSoftDeleted(std::string_view subject, int version);
  /// 40407: a permanent delete of a version that was not soft-deleted first.
  static RegistryError VersionNotSoftDeleted(std::string_view subject, int version);
  /// 40408: GET /config/{subject} of a subject without its own compatibility config.
  static RegistryError SubjectConfigNotFound(std::string_view subject);
  /// 409: the schema breaks the subject's compatibility level; `details` are the checker's
  /// messages.
  static RegistryError Incompatible(std::string_view subject,
                                    const std::vector<std::string>& details);
  /// 42201 `Invalid schema: <why>` (also for an empty schema or an unknown schemaType).
  static RegistryError InvalidSchema(std::string_view why);
  /// 42202: a version that is neither an integer in [1, 2^31-1], -1 nor "latest".
  static RegistryError InvalidVersion(std::string_view version);
  /// 42203: an unknown compatibility level, or an unknown compatibility policy.
  static RegistryError InvalidCompatibilityLevel();
  static RegistryError InvalidCompatibilityPolicy(std::string_view policy);
  /// 42208: a subject name the registry cannot hold (empty, control characters, too long).
  static RegistryError InvalidSubject(std::string_view subject, std::string_view why);
  /// 42209: a schema (or request body) above the configured size limit.
  static RegistryError SchemaTooLarge();
  /// 50001 `Error in the backend data store: <status message>`.
  static RegistryError Store(const Status& status);
};

/// A value or the RegistryError that explains why there is none.
template <typename T>
class [[nodiscard]] RegistryResult {
 public:
  // Implicit on purpose, as Result's: `return value;` and `return error;` both work.
  // NOLINTNEXTLINE(google-explicit-constructor)
  RegistryResult(T value) : v_(std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  RegistryResult(RegistryError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  /// Only when !ok().
  const RegistryError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, RegistryError> v_;
};

}  // namespace assay::schema
