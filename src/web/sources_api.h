#pragma once

#include <functional>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "web/http.h"
#include "web/server.h"

namespace assay::web {

/// Checks one source's connection without reading data; on success, what was found. The web
/// layer does not know how: the command binds it (pipeline::CheckSource).
using SourceCheck =
    std::function<Result<std::string>(const config::Config&, const config::SourceConfig&)>;

/// The configured sources under `/api/sources`, for the dashboard and for monitoring:
///  - `GET /api/sources`: each source's name, type, whether it is enabled, and what it reads
///    (its file path, table, query, stream or key pattern; never the URL, which may hold a
///    password);
///  - `GET /api/sources/{name}/health`: runs the source's health check now and answers 200
///    `{"source", "type", "healthy": true, "message", "seconds"}`, or 503 with
///    `"healthy": false` and the error (so `curl -f` and load balancers can use it).
/// An unknown source is 404 with error code 40403; another method 405. Thread-safe: each check
/// opens its own connection, bounded by the source's `connect_timeout`.
class SourcesApi {
 public:
  /// `config` must outlive the API.
  SourcesApi(const config::Config& config, SourceCheck check)
      : config_(config), check_(std::move(check)) {}

  /// Answers a request under /api/sources.
  HttpResponse Handle(const HttpRequest& request) const;

  /// A Server mount of this API (it must outlive the server).
  Mount AsMount() const;

 private:
  const config::Config& config_;
  SourceCheck check_;
};

}  // namespace assay::web
