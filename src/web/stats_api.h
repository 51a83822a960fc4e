#pragma once

#include "events/state_store.h"
#include "schema/registry.h"
#include "web/http.h"
#include "web/server.h"

namespace assay::web {

/// Assay's own JSON API under `/api` (not Confluent's, which lives under `/registry`):
/// `GET /api/subjects/{subject}/versions/{version}/stats` answers the validation statistics of a
/// subject version (`{version}` a number, `latest` or `-1`): rows graded, rows per tier, and
/// failures per field and check, as committed by runs (docs/schema-registry.md). Errors are
/// `{"error_code", "message"}`: 40401 / 40402 for an unknown subject or version, 42202 for a
/// malformed version, 404 for another path, 405 for another method, 50001 when the state store
/// fails.
class StatsApi {
 public:
  /// `store` and `registry` must outlive the API.
  StatsApi(events::StateStore& store, schema::SchemaRegistry& registry)
      : store_(store), registry_(registry) {}

  /// Answers a request whose first path segment is `api`. Thread-safe.
  HttpResponse Handle(const HttpRequest& request) const;

  /// A Server mount of this API (it must outlive the server).
  Mount AsMount() const;

 private:
  events::StateStore& store_;
  schema::SchemaRegistry& registry_;
};

}  // namespace assay::web
