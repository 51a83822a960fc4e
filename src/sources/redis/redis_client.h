#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sources/database/database_url.h"

struct redisContext;
struct redisReply;

/// Redis, the first NoSQL source (DESIGN.md §5): streams read through a consumer group, and
/// hashes by key pattern. This is the connection both readers share (hiredis, synchronous).
namespace assay::sources::redis {

/// A reply, freed with it.
struct ReplyDeleter {
  void operator()(redisReply* reply) const;
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

/// One connection to a Redis server. Not thread-safe.
class RedisClient {
 public:
  /// Connects to `url` (redis://[user][:password]@host[:port][/db]), authenticates (`password`
  /// wins over the URL's) and selects the database. kUnavailable when the server cannot be
  /// reached, kPermissionDenied when it refuses the login; messages name the redacted URL,
  /// never the password.
  static Result<std::unique_ptr<RedisClient>> Connect(const db::DatabaseUrl& url,
                                                      const std::optional<std::string>& password,
                                                      std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Runs one command. A connection failure is kUnavailable (and the client is unusable after
  /// it); an error reply from the server is kFailedPrecondition with the server's words.
  Result<Reply> Command(const std::vector<std::string>& args);
  /// Sends every command before reading any reply (one round trip for many keys). Error
  /// replies are returned as replies, for the caller to judge one by one.
  Result<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

 private:
  RedisClient(redisContext* context, std::string name)
      : context_(context), name_(std::move(name)) {}
  Status IoError() const;

  redisContext* context_;
  std::string name_;  ///< the redacted URL
};

/// A reply's string (bulk string, status or error), or "" for others.
std::string_view ReplyText(const redisReply& reply);

}  // namespace assay::sources::redis
