#include "web/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>

#include "config/logging.h"
#include "core/ascii.h"

namespace assay::web {
namespace {

// Matches every path: cpp-httplib routes on the decoded path, which may hold any byte.
constexpr const char* kAnyPath = R"([\s\S]*)";

std::string_view Reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

void Write(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_content(response.body, response.content_type);
}

HttpResponse TooLarge(size_t max_body_bytes) {
  return JsonError(
      413, 413,
      fmt::format("Request body is larger than {} bytes (web.max_body_bytes)", max_body_bytes));
}

// How many segments `prefix` ("api/sources") spans when `segments` start with all of them; 0
// when they do not.
size_t MatchedSegments(std::string_view prefix, const std::vector<std::string>& segments) {
  size_t matched = 0;
  while (!prefix.empty()) {
    const size_t slash = prefix.find('/');
    const std::string_view head = prefix.substr(0, slash);
    if (matched >= segments.size() || segments[matched] != head) return 0;
    ++matched;
    prefix = slash == std::string_view::npos ? std::string_view() : prefix.substr(slash + 1);
  }
  return matched;
}

}  // namespace

HttpResponse JsonError(int http_status, int error_code, std::string_view message) {
  nlohmann::json body = {{"error_code", error_code}, {"message", message}};
  return HttpResponse{http_status,
                      std::string(kJsonContentType),
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      {}};
}

Server::Server(ServerOptions options, std::vector<Mount> mounts)
    : options_(std::move(options)),
      mounts_(std::move(mounts)),
      http_(std::make_unique<httplib::Server>()) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                              std::vector<Mount> mounts) {
  std::unique_ptr<Server> server(new Server(options, std::move(mounts)));
  httplib::Server& http = *server->http_;
  const Server* self = server.get();
  auto handle = [self](const httplib::Request& req, httplib::Response& res) {
    HttpRequest request;
    request.method = req.method;
    if (!ParseTarget(req.target, &request)) {
      Write(JsonError(400, 400, "Malformed request target"), res);
      return;
    }
    for (const auto& [name, value] : req.headers) request.headers.emplace(AsciiLower(name), value);
    // cpp-httplib enforces the limit on Content-Length bodies only; chunked ones end up here.
    if (req.body.size() > self->options_.max_body_bytes) {
      Write(TooLarge(self->options_.max_body_bytes), res);
      return;
    }
    request.body = req.body;
    Write(self->Dispatch(request), res);
  };
  http.Get(kAnyPath, handle);
  http.Post(kAnyPath, handle);
  http.Put(kAnyPath, handle);
  http.Delete(kAnyPath, handle);
  http.Patch(kAnyPath, handle);
  http.Options(kAnyPath, handle);
  http.set_payload_max_length(options.max_body_bytes);
  // cpp-httplib's default also sets SO_REUSEPORT, which would let a second assay bind the same
  // port and silently share its connections; SO_REUSEADDR alone still allows a quick restart.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Whatever cpp-httplib answers by itself (a malformed request line, 413, a method it does not
  // know) gets a JSON body too; our own error bodies are left alone.
  // (Wrapped explicitly: a lambda would match both set_error_handler overloads.)
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [max = options.max_body_bytes](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Write(res.status == 413
                  ? TooLarge(max)
                  : JsonError(res.status, res.status,
                              fmt::format("HTTP {} {}", res.status, Reason(res.status))),
              res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        config::GetLogger("web")->error("{} {}: internal error: {}", req.method, req.target, what);
        Write(JsonError(500, 500, "Internal server error"), res);
      });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    config::GetLogger("web")->debug("{} {} {}", req.method, req.target, res.status);
  });

  errno = 0;
  if (options.port == 0) {
    server->port_ = http.bind_to_any_port(options.host);
  } else if (http.bind_to_port(options.host, options.port)) {
    server->port_ = options.port;
  } else {
    server->port_ = -1;
  }
  if (server->port_ <= 0) {
    int err = errno;
    return Unavailable(
        fmt::format("cannot listen on {}:{}: {}", options.host, options.port,
                    err != 0 ? std::strerror(err) : "address in use or not available"));
  }
  server->listener_ = std::thread([&http] { http.listen_after_bind(); });
  return server;
}

std::string Server::url() const {
  if (options_.host.find(':') != std::string::npos) {
    return fmt::format("http://[{}]:{}", options_.host, port_);  // an IPv6 literal
  }
  return fmt::format("http://{}:{}", options_.host, port_);
}

void Server::Stop() {
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
}

HttpResponse Server::Dispatch(const HttpRequest& request) const {
  try {
    const Mount* best = nullptr;
    size_t best_length = 0;
    for (const Mount& mount : mounts_) {
      const size_t length = MatchedSegments(mount.prefix, request.segments);
      if (length > best_length) {
        best = &mount;
        best_length = length;
      }
    }
    if (best != nullptr) return best->handler(request);
    return JsonError(404, 404, "HTTP 404 Not Found");
  } catch (const std::exception& e) {
    // A handler bug must not take the server down: log it and answer 500.
    config::GetLogger("web")->error("{} /{}: internal error: {}", request.method,
                                    fmt::join(request.segments, "/"), e.what());
    return JsonError(500, 500, "Internal server error");
  }
}

}  // namespace assay::web
