#pragma once

#include <optional>
#include <span>
#include <string>

#include "schema/registry.h"
#include "web/http.h"
#include "web/server.h"

namespace assay::web {

/// The Confluent Schema Registry REST API over a SchemaRegistry, under `/registry` (a client's
/// URL is `http://127.0.0.1:PORT/registry`). docs/schema-registry.md lists the endpoints; the
/// wire format is Confluent's so that its clients work unmodified:
///
/// - every answer, errors included, is JSON with content type
///   `application/vnd.schemaregistry.v1+json`; errors are `{"error_code": N, "message": "..."}`
///   (malformed JSON 400, unknown path 404, wrong method 405, invalid schema 42201, bad version
///   42202, bad compatibility level 42203, ...);
/// - path segments are percent-decoded one by one (a subject may hold `/`); unknown query
///   parameters are ignored; booleans are `true` in any case;
/// - with a token configured, requests that change state (register, deletes, config PUT and
///   DELETE) need `Authorization: Bearer <token>` or HTTP Basic with the token as password, else
///   401; reads, lookups and compatibility checks need none.
class RegistryApi {
 public:
  /// `registry` must outlive the API; an empty `token` turns auth off.
  RegistryApi(schema::SchemaRegistry& registry, std::string token);

  /// Answers a request whose first path segment is `registry`. Thread-safe.
  HttpResponse Handle(const HttpRequest& request) const;

  /// A Server mount of this API (it must outlive the server).
  Mount AsMount() const;

 private:
  using Segments = std::span<const std::string>;
  // nullopt when the request may change state, else the 401 to send.
  std::optional<HttpResponse> RequireToken(const HttpRequest& request) const;
  HttpResponse Subjects(const HttpRequest& request, Segments rest) const;
  HttpResponse Register(const HttpRequest& request, const std::string& subject) const;
  HttpResponse Version(const HttpRequest& request, const std::string& subject, Segments rest) const;
  HttpResponse Schemas(const HttpRequest& request, Segments rest) const;
  HttpResponse Compatibility(const HttpRequest& request, Segments rest) const;
  HttpResponse Config(const HttpRequest& request, Segments rest) const;

  schema::SchemaRegistry& registry_;
  std::string token_;
};

}  // namespace assay::web
