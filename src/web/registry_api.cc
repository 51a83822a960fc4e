#include "web/registry_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "web/auth.h"

namespace assay::web {
namespace {

using Json = nlohmann::ordered_json;
using schema::RegistryError;
using schema::RegistryResult;
using schema::SchemaFormat;

bool IsGet(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

HttpResponse Reply(const Json& body, int status = 200) {
  return HttpResponse{status,
                      std::string(kJsonContentType),
                      body.dump(-1, ' ', false, Json::error_handler_t::replace),
                      {}};
}

HttpResponse Fail(const RegistryError& error) {
  return JsonError(error.http_status, error.error_code, error.message);
}

HttpResponse NotFound() { return JsonError(404, 404, "HTTP 404 Not Found"); }

HttpResponse MethodNotAllowed() { return JsonError(405, 405, "HTTP 405 Method Not Allowed"); }

RegistryError BadRequest(std::string message) {
  return RegistryError{400, 400, std::move(message)};
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The JSON family, octet-stream (Confluent's "generic request") or nothing (curl without -H).
// Refusing the form and text types keeps a web page from changing the registry through a
// plain cross-site form post when no token is configured.
bool AcceptableContentType(std::string_view content_type) {
  std::string type = Upper(content_type.substr(0, content_type.find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type.empty() || type == "APPLICATION/VND.SCHEMAREGISTRY.V1+JSON" ||
         type == "APPLICATION/VND.SCHEMAREGISTRY+JSON" || type == "APPLICATION/JSON" ||
         type == "APPLICATION/OCTET-STREAM";
}

// The body as a JSON object; 415, 400 (malformed, or not an object) otherwise.
RegistryResult<Json> ParseBody(const HttpRequest& request) {
  if (!AcceptableContentType(request.Header("content-type"))) {
    return RegistryError{415, 415, "HTTP 415 Unsupported Media Type"};
  }
  Json body;
  try {
    body = Json::parse(request.body);
  } catch (const Json::parse_error& e) {
    return BadRequest(fmt::format("Malformed JSON body: {}", e.what()));
  }
  if (!body.is_object()) return BadRequest("The request body must be a JSON object");
  return body;
}

// Confluent's RegisterSchemaRequest: {"schema", "schemaType", "references", ...}.
struct SchemaRequest {
  SchemaFormat format = SchemaFormat::kAvro;
  std::string schema;
};

RegistryResult<SchemaRequest> ParseSchemaRequest(const HttpRequest& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return RegistryError::InvalidSchema("Empty schema");
  }
  RegistryResult<Json> body = ParseBody(request);
  if (!body.ok()) return body.error();
  SchemaRequest out;
  auto type = body->find("schemaType");
  if (type != body->end() && !type->is_null()) {
    if (!type->is_string()) return BadRequest("schemaType must be a string");
    std::optional<SchemaFormat> format =
        schema::SchemaFormatFromName(Upper(type->get<std::string>()));
    if (!format) {
      return RegistryError::InvalidSchema(
          fmt::format("Invalid schema type {} (supported: AVRO, JSON)", type->get<std::string>()));
    }
    out.format = *format;
  }
  auto references = body->find("references");
  if (references != body->end() && !references->is_null()) {
    if (!references->is_array()) return BadRequest("references must be an array");
    if (!references->empty()) {
      return RegistryError::InvalidSchema("Schema references are not supported");
    }
  }
  auto text = body->find("schema");
  if (text == body->end() || text->is_null()) return RegistryError::InvalidSchema("Empty schema");
  if (!text->is_string()) {
    return BadRequest(fmt::format("Cannot deserialize value of type String from {} value (schema)",
                                  text->type_name()));
  }
  out.schema = text->get<std::string>();
  return out;
}

// Confluent's ConfigUpdateRequest: {"compatibility", "compatibilityPolicy"}.
RegistryResult<schema::ConfigUpdate> ParseConfigUpdate(const HttpRequest& request) {
  RegistryResult<Json> body = ParseBody(request);
  if (!body.ok()) return body.error();
  schema::ConfigUpdate update;
  for (const char* key : {"compatibility", "compatibilityLevel"}) {
    auto level = body->find(key);
    if (level == body->end() || level->is_null()) continue;
    if (!level->is_string()) return RegistryError::InvalidCompatibilityLevel();
    update.level = schema::CompatibilityLevelFromName(level->get<std::string>());
    if (!update.level) return RegistryError::InvalidCompatibilityLevel();
  }
  auto policy = body->find("compatibilityPolicy");
  if (policy != body->end() && !policy->is_null()) {
    if (!policy->is_string()) return RegistryError::InvalidCompatibilityPolicy(policy->dump());
    update.policy = schema::CompatibilityPolicyFromName(policy->get<std::string>());
    if (!update.policy) {
      return RegistryError::InvalidCompatibilityPolicy(policy->get<std::string>());
    }
  }
  if (!update.level && !update.policy) return RegistryError::InvalidCompatibilityLevel();
  return update;
}

// Confluent's Schema entity; schemaType is left out for AVRO, as Confluent does.
Json VersionJson(const schema::SubjectVersion& v) {
  Json out = {{"subject", v.subject}, {"version", v.version}, {"id", v.id}};
  if (v.format != SchemaFormat::kAvro) out["schemaType"] = schema::SchemaFormatName(v.format);
  out["schema"] = v.text;
  return out;
}

Json ConfigJson(const schema::RegistryConfig& config) {
  return {{"compatibilityLevel", schema::CompatibilityLevelName(config.level)},
          {"compatibilityPolicy", schema::CompatibilityPolicyName(config.policy)}};
}

// What a config PUT echoes: the request as understood (Confluent echoes its ConfigUpdateRequest).
Json UpdateJson(const schema::ConfigUpdate& update) {
  Json out = Json::object();
  if (update.level) out["compatibility"] = schema::CompatibilityLevelName(*update.level);
  if (update.policy) out["compatibilityPolicy"] = schema::CompatibilityPolicyName(*update.policy);
  return out;
}

schema::ListFilter Filter(const HttpRequest& request) {
  schema::ListFilter filter;
  filter.deleted = request.QueryFlag("deleted");
  filter.deleted_only = request.QueryFlag("deletedOnly");
  filter.subject_prefix = std::string(request.Query("subjectPrefix").value_or(""));
  return filter;
}

template <typename T>
HttpResponse ReplyOr(const RegistryResult<T>& result) {
  if (!result.ok()) return Fail(result.error());
  return Reply(Json(*result));
}

}  // namespace

RegistryApi::RegistryApi(schema::SchemaRegistry& registry, std::string token)
    : registry_(registry), token_(std::move(token)) {}

Mount RegistryApi::AsMount() const {
  return Mount{"registry", [this](const HttpRequest& request) { return Handle(request); }};
}

std::optional<HttpResponse> RegistryApi::RequireToken(const HttpRequest& request) const {
  if (token_.empty() || AuthorizationCarriesToken(request.Header("authorization"), token_)) {
    return std::nullopt;
  }
  HttpResponse response = JsonError(401, 401, "Unauthorized");
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"assay\"");
  return response;
}

HttpResponse RegistryApi::Handle(const HttpRequest& request) const {
  Segments rest = Segments(request.segments).subspan(request.segments.empty() ? 0 : 1);
  if (rest.empty()) return IsGet(request) ? Reply(Json::object()) : MethodNotAllowed();
  const std::string& area = rest[0];
  rest = rest.subspan(1);
  if (area == "subjects") return Subjects(request, rest);
  if (area == "schemas") return Schemas(request, rest);
  if (area == "compatibility") return Compatibility(request, rest);
  if (area == "config") return Config(request, rest);
  if (area == "mode" && rest.empty()) {
    // Assay has no read-only or import modes; clients that ask see Confluent's default.
    return IsGet(request) ? Reply(Json{{"mode", "READWRITE"}}) : MethodNotAllowed();
  }
  return NotFound();
}

HttpResponse RegistryApi::Subjects(const HttpRequest& request, Segments rest) const {
  if (rest.empty()) {
    if (!IsGet(request)) return MethodNotAllowed();
    return ReplyOr(registry_.ListSubjects(Filter(request)));
  }
  const std::string& subject = rest[0];
  if (rest.size() == 1) {
    if (request.method == "POST") {  // lookup: changes nothing, needs no token
      RegistryResult<SchemaRequest> body = ParseSchemaRequest(request);
      if (!body.ok()) return Fail(body.error());
      auto found =
          registry_.Lookup(subject, body->format, body->schema, request.QueryFlag("deleted"));
      return found.ok() ? Reply(VersionJson(*found)) : Fail(found.error());
    }
    if (request.method == "DELETE") {
      if (auto denied = RequireToken(request)) return *denied;
      return ReplyOr(registry_.DeleteSubject(subject, request.QueryFlag("permanent")));
    }
    return MethodNotAllowed();
  }
  if (rest[1] != "versions") return NotFound();
  if (rest.size() == 2) {
    if (IsGet(request)) return ReplyOr(registry_.ListVersions(subject, Filter(request)));
    if (request.method == "POST") return Register(request, subject);
    return MethodNotAllowed();
  }
  return Version(request, subject, rest.subspan(2));
}

HttpResponse RegistryApi::Register(const HttpRequest& request, const std::string& subject) const {
  if (auto denied = RequireToken(request)) return *denied;
  RegistryResult<SchemaRequest> body = ParseSchemaRequest(request);
  if (!body.ok()) return Fail(body.error());
  auto registered = registry_.Register(subject, body->format, body->schema);
  if (!registered.ok()) return Fail(registered.error());
  return Reply(Json{{"id", registered->id}});
}

HttpResponse RegistryApi::Version(const HttpRequest& request, const std::string& subject,
                                  Segments rest) const {
  // rest = {version} or {version, "schema" | "referencedby"}.
  if (rest.size() > 2 || (rest.size() == 2 && rest[1] != "schema" && rest[1] != "referencedby")) {
    return NotFound();
  }
  bool get = IsGet(request);
  bool remove = rest.size() == 1 && request.method == "DELETE";
  if (!get && !remove) return MethodNotAllowed();
  if (remove) {
    if (auto denied = RequireToken(request)) return *denied;
  }
  RegistryResult<schema::VersionRef> version = schema::VersionRef::Parse(rest[0]);
  if (!version.ok()) return Fail(version.error());
  if (remove) {
    return ReplyOr(registry_.DeleteVersion(subject, *version, request.QueryFlag("permanent")));
  }
  auto found = registry_.GetVersion(subject, *version, request.QueryFlag("deleted"));
  if (!found.ok()) return Fail(found.error());
  if (rest.size() == 1) return Reply(VersionJson(*found));
  if (rest[1] == "referencedby") return Reply(Json::array());  // Assay has no references
  // The schema text itself, not a JSON string holding it.
  return HttpResponse{200, std::string(kJsonContentType), found->text, {}};
}

HttpResponse RegistryApi::Schemas(const HttpRequest& request, Segments rest) const {
  if (rest.size() == 1 && rest[0] == "types") {
    return IsGet(request) ? Reply(Json::array({"AVRO", "JSON"})) : MethodNotAllowed();
  }
  if (rest.size() < 2 || rest.size() > 3 || rest[0] != "ids") return NotFound();
  if (rest.size() == 3 && rest[2] != "schema" && rest[2] != "versions" && rest[2] != "subjects") {
    return NotFound();
  }
  if (!IsGet(request)) return MethodNotAllowed();
  int64_t id = 0;
  const std::string& text = rest[1];
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return JsonError(404, 40403, fmt::format("Schema {} not found", text));
  }
  if (rest.size() == 2 || rest[2] == "schema") {
    auto found = registry_.GetSchemaById(id);
    if (!found.ok()) return Fail(found.error());
    if (rest.size() == 3) return HttpResponse{200, std::string(kJsonContentType), found->text, {}};
    Json out = Json::object();
    if (found->format != SchemaFormat::kAvro) {
      out["schemaType"] = schema::SchemaFormatName(found->format);
    }
    out["schema"] = found->text;
    return Reply(out);
  }
  auto versions = registry_.VersionsOfSchema(id, request.QueryFlag("deleted"));
  if (!versions.ok()) return Fail(versions.error());
  Json out = Json::array();
  for (const schema::SubjectVersion& v : *versions) {
    if (rest[2] == "versions") {
      out.push_back(Json{{"subject", v.subject}, {"version", v.version}});
    } else if (std::find(out.begin(), out.end(), Json(v.subject)) == out.end()) {
      out.push_back(v.subject);
    }
  }
  return Reply(out);
}

HttpResponse RegistryApi::Compatibility(const HttpRequest& request, Segments rest) const {
  // rest = {"subjects", subject, "versions"[, version]}.
  if (rest.size() < 3 || rest.size() > 4 || rest[0] != "subjects" || rest[2] != "versions") {
    return NotFound();
  }
  if (request.method != "POST") return MethodNotAllowed();
  std::optional<schema::VersionRef> version;
  if (rest.size() == 4) {
    RegistryResult<schema::VersionRef> parsed = schema::VersionRef::Parse(rest[3]);
    if (!parsed.ok()) return Fail(parsed.error());
    version = *parsed;
  }
  RegistryResult<SchemaRequest> body = ParseSchemaRequest(request);
  if (!body.ok()) return Fail(body.error());
  auto verdict = registry_.TestCompatibility(rest[1], version, body->format, body->schema);
  if (!verdict.ok()) return Fail(verdict.error());
  Json out = {{"is_compatible", verdict->compatible}};
  if (request.QueryFlag("verbose") && !verdict->messages.empty()) {
    out["messages"] = verdict->messages;
  }
  return Reply(out);
}

HttpResponse RegistryApi::Config(const HttpRequest& request, Segments rest) const {
  if (rest.size() > 1) return NotFound();
  std::optional<std::string> subject;
  if (!rest.empty()) subject = rest[0];
  if (IsGet(request)) {
    auto config = subject
                      ? registry_.GetSubjectConfig(*subject, request.QueryFlag("defaultToGlobal"))
                      : registry_.GetGlobalConfig();
    return config.ok() ? Reply(ConfigJson(*config)) : Fail(config.error());
  }
  if (request.method != "PUT" && request.method != "DELETE") return MethodNotAllowed();
  if (auto denied = RequireToken(request)) return *denied;
  if (request.method == "DELETE") {
    auto previous =
        subject ? registry_.DeleteSubjectConfig(*subject) : registry_.DeleteGlobalConfig();
    return previous.ok() ? Reply(ConfigJson(*previous)) : Fail(previous.error());
  }
  RegistryResult<schema::ConfigUpdate> update = ParseConfigUpdate(request);
  if (!update.ok()) return Fail(update.error());
  auto config =
      subject ? registry_.SetSubjectConfig(*subject, *update) : registry_.SetGlobalConfig(*update);
  return config.ok() ? Reply(UpdateJson(*update)) : Fail(config.error());
}

}  // namespace assay::web
