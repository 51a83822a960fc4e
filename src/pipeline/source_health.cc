#include "pipeline/source_health.h"

#include <fmt/format.h>

#include "pipeline/database_input.h"
#include "pipeline/file_options.h"
#include "sources/file_source.h"
#include "sources/redis/redis_client.h"

namespace assay::pipeline {
namespace {

Result<std::string> CheckRedis(const config::SourceConfig& source) {
  namespace redis = sources::redis;
  ASSIGN_OR_RETURN(sources::db::ConnectOptions connect, ConnectOptionsFor(source));
  ASSIGN_OR_RETURN(auto client, redis::RedisClient::Connect(connect.url, connect.password,
                                                            connect.connect_timeout));
  RETURN_IF_ERROR(client->Command({"PING"}).status());
  const config::RedisConfig& rc = source.database.redis;
  if (rc.stream.empty()) return fmt::format("redis reachable, keys {}", rc.key_pattern);
  ASSIGN_OR_RETURN(redis::Reply type, client->Command({"TYPE", rc.stream}));
  const std::string_view kind = redis::ReplyText(*type);
  if (kind == "none") return fmt::format("redis reachable, stream {} not created yet", rc.stream);
  if (kind != "stream") {
    return FailedPrecondition(
        fmt::format("{}: key '{}' is a {}, not a stream", connect.url.Redacted(), rc.stream, kind));
  }
  return fmt::format("redis reachable, stream {} readable", rc.stream);
}

}  // namespace

Result<std::string> CheckSource(const config::Config& config, const config::SourceConfig& source) {
  if (source.type == "database") {
    RETURN_IF_ERROR(CheckDatabase(source));
    return fmt::format("database reachable, {} readable", DatabaseUnitName(source));
  }
  if (source.type == "redis") return CheckRedis(source);
  ASSIGN_OR_RETURN(auto files,
                   sources::FileSource::Make(FileOptionsFor(source, config.pipeline, {})));
  return fmt::format("{} file(s) match {}", files->files().size(), source.path);
}

}  // namespace assay::pipeline
