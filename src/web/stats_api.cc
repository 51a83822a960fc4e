#include "web/stats_api.h"

#include <nlohmann/json.hpp>

namespace assay::web {
namespace {

using Json = nlohmann::ordered_json;

HttpResponse Reply(const Json& body) {
  return HttpResponse{
      200, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

}  // namespace

HttpResponse StatsApi::Handle(const HttpRequest& request) const {
  const std::vector<std::string>& s = request.segments;
  // api / subjects / {subject} / versions / {version} / stats
  if (s.size() != 6 || s[1] != "subjects" || s[3] != "versions" || s[5] != "stats") {
    return JsonError(404, 404, "HTTP 404 Not Found");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return JsonError(405, 405, "HTTP 405 Method Not Allowed");
  }
  schema::RegistryResult<schema::VersionRef> ref = schema::VersionRef::Parse(s[4]);
  if (!ref.ok())
    return JsonError(ref.error().http_status, ref.error().error_code, ref.error().message);
  schema::RegistryResult<schema::SubjectVersion> version =
      registry_.GetVersion(s[2], *ref, /*include_deleted=*/true);
  if (!version.ok()) {
    return JsonError(version.error().http_status, version.error().error_code,
                     version.error().message);
  }
  Result<events::ValidationCounts> counts = store_.ValidationStats(s[2], version->version);
  if (!counts.ok()) {
    return JsonError(500, 50001, "Error in the backend data store: " + counts.status().message());
  }
  Json tiers = Json::object();
  for (Tier t : kAllTiers) tiers[std::string(TierName(t))] = counts->tiers[static_cast<size_t>(t)];
  Json failures = Json::array();
  for (const auto& [key, n] : counts->failures) {
    failures.push_back(Json{{"field", key.first.empty() ? Json(nullptr) : Json(key.first)},
                            {"check", key.second},
                            {"failures", n}});
  }
  return Reply(Json{{"subject", version->subject},
                    {"version", version->version},
                    {"id", version->id},
                    {"rows", counts->rows},
                    {"tiers", std::move(tiers)},
                    {"failures", std::move(failures)}});
}

Mount StatsApi::AsMount() const {
  return Mount{"api", [this](const HttpRequest& request) { return Handle(request); }};
}

}  // namespace assay::web
