#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "web/http.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace assay::web {

/// Where and how the server listens (the `web:` section of the config).
struct ServerOptions {
  std::string host = "127.0.0.1";  ///< loopback unless configured otherwise (DESIGN.md §8)
  int port = 8080;                 ///< 0 = any free port (see Server::port())
  /// Requests with a larger body get 413 with a JSON error body, before a handler runs.
  size_t max_body_bytes = 16 << 20;
};

/// Answers one request; runs on one of the server's threads, concurrently with others.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// A handler for every path that starts with the segments of `prefix` (`registry` for
/// /registry/..., `api/sources` for /api/sources/...). The longest matching prefix wins.
struct Mount {
  std::string prefix;
  HttpHandler handler;
};

/// The `assay` HTTP server (cpp-httplib): dispatches each request to the mount named by its
/// first path segment, routing on the raw request target so that percent-encoded slashes in a
/// segment survive. Every answer it makes itself is JSON in the Confluent error shape
/// (`{"error_code": 404, "message": "HTTP 404 Not Found"}`): unknown paths, malformed
/// requests, bodies over the limit, and any exception a handler lets escape (500). Requests are
/// served on a pool of threads until Stop.
class Server {
 public:
  /// Binds `host:port` and starts serving in the background. kUnavailable when the address
  /// cannot be bound (in use, no such interface).
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                               std::vector<Mount> mounts);
  /// Stop().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The port bound (the chosen one when ServerOptions::port was 0).
  int port() const { return port_; }
  /// `http://host:port`.
  std::string url() const;

  /// Stops accepting connections, lets requests in progress finish and joins the listener.
  /// Idempotent.
  void Stop();

 private:
  Server(ServerOptions options, std::vector<Mount> mounts);
  HttpResponse Dispatch(const HttpRequest& request) const;

  ServerOptions options_;
  std::vector<Mount> mounts_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::thread listener_;
};

/// `{"error_code": code, "message": message}` with the registry's content type.
HttpResponse JsonError(int http_status, int error_code, std::string_view message);

/// The content type of every JSON answer (the Confluent Schema Registry's).
inline constexpr std::string_view kJsonContentType = "application/vnd.schemaregistry.v1+json";

}  // namespace assay::web
