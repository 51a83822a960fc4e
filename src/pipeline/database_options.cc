#include "pipeline/database_options.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace assay::pipeline {
namespace db = sources::db;

Result<db::ConnectOptions> ConnectOptionsFor(const config::SourceConfig& source) {
  const config::DatabaseConfig& c = source.database;
  db::ConnectOptions options;
  Result<db::DatabaseUrl> url = db::ParseDatabaseUrl(c.url);
  if (!url.ok()) {
    return InvalidArgument(fmt::format("{}:{}: source '{}': url: {}", source.location.file,
                                       source.location.line, source.name, url.status().message()));
  }
  options.url = std::move(url).value();
  options.password = c.password;
  if (!c.password_file.empty()) {
    std::ifstream in(c.password_file);
    if (!in) {
      return InvalidArgument(fmt::format("{}:{}: source '{}': password_file '{}' cannot be read",
                                         source.location.file, source.location.line, source.name,
                                         c.password_file.string()));
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
    options.password = std::move(password);
  }
  options.tls_mode = c.sslmode;
  options.tls_ca_file = c.ssl_ca_file.string();
  options.connect_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(c.connect_timeout_seconds * 1000));
  options.statement_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(c.statement_timeout_seconds * 1000));
  options.fetch_rows = c.fetch_size;
  return options;
}

db::ReadRequest ReadRequestFor(const config::SourceConfig& source, size_t batch_max_bytes) {
  db::ReadRequest request;
  request.table = source.database.table;
  request.query = source.database.query;
  request.watermark_column = source.database.watermark_column;
  request.partition_column = source.database.partition_column;
  request.batch_max_bytes = batch_max_bytes;
  return request;
}

std::string DatabaseUnitName(const config::SourceConfig& source) {
  return source.database.table.empty() ? std::string("query") : source.database.table;
}

std::string WatermarkToJson(const std::optional<db::DbParam>& watermark) {
  if (!watermark) return "null";
  return nlohmann::json{{"type", std::string(db::DbTypeName(watermark->type))},
                        {"value", watermark->text}}
      .dump();
}

Result<std::optional<db::DbParam>> WatermarkFromJson(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_null()) return std::optional<db::DbParam>();
  if (!j.is_object() || !j.contains("type") || !j.contains("value") || !j["type"].is_string() ||
      !j["value"].is_string()) {
    return DataLoss(fmt::format("unreadable watermark checkpoint: {}", json));
  }
  const std::string type = j["type"].get<std::string>();
  for (int t = 0; t <= static_cast<int>(db::DbType::kOther); ++t) {
    if (db::DbTypeName(static_cast<db::DbType>(t)) == type) {
      return std::optional<db::DbParam>(
          db::DbParam{static_cast<db::DbType>(t), j["value"].get<std::string>()});
    }
  }
  return DataLoss(fmt::format("unreadable watermark checkpoint: unknown type '{}'", type));
}

}  // namespace assay::pipeline
