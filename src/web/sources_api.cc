#include "web/sources_api.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace assay::web {
namespace {

using Json = nlohmann::ordered_json;

HttpResponse Reply(int status, const Json& body) {
  return HttpResponse{
      status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

// What a source reads, in the words of its config.
Json InputOf(const config::SourceConfig& source) {
  const config::DatabaseConfig& db = source.database;
  if (source.type == "database") {
    return db.table.empty() ? Json{{"query", db.query}} : Json{{"table", db.table}};
  }
  if (source.type == "redis") {
    return db.redis.stream.empty() ? Json{{"key_pattern", db.redis.key_pattern}}
                                   : Json{{"stream", db.redis.stream}, {"group", db.redis.group}};
  }
  return Json{{"path", source.path}};
}

}  // namespace

HttpResponse SourcesApi::Handle(const HttpRequest& request) const {
  const std::vector<std::string>& s = request.segments;
  // api / sources [ / {name} / health ]
  const bool list = s.size() == 2;
  const bool health = s.size() == 4 && s[3] == "health";
  if (!list && !health) return JsonError(404, 404, "HTTP 404 Not Found");
  if (request.method != "GET" && request.method != "HEAD") {
    return JsonError(405, 405, "HTTP 405 Method Not Allowed");
  }
  if (list) {
    Json sources = Json::array();
    for (const config::SourceConfig& source : config_.sources) {
      sources.push_back(Json{{"name", source.name},
                             {"type", source.type},
                             {"enabled", source.enabled},
                             {"input", InputOf(source)}});
    }
    return Reply(200, sources);
  }
  const config::SourceConfig* source = config_.FindSource(s[2]);
  if (source == nullptr) {
    return JsonError(404, 40403, fmt::format("Source '{}' not found", s[2]));
  }
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> checked = check_(config_, *source);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json body{{"source", source->name},
            {"type", source->type},
            {"healthy", checked.ok()},
            {"message", checked.ok() ? *checked : checked.status().message()}};
  if (!checked.ok()) body["code"] = std::string(StatusCodeName(checked.status().code()));
  body["seconds"] = seconds;
  return Reply(checked.ok() ? 200 : 503, body);
}

Mount SourcesApi::AsMount() const {
  return Mount{"api/sources", [this](const HttpRequest& request) { return Handle(request); }};
}

}  // namespace assay::web
