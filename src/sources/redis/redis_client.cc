#include "sources/redis/redis_client.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace assay::sources::redis {

void ReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

std::string_view ReplyText(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS ||
      reply.type == REDIS_REPLY_ERROR) {
    return std::string_view(reply.str, reply.len);
  }
  return {};
}

namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// argv/argvlen views of `args` for hiredis, which copies them into its output buffer.
struct Argv {
  explicit Argv(const std::vector<std::string>& args) {
    for (const std::string& a : args) {
      pointers.push_back(a.data());
      lengths.push_back(a.size());
    }
  }
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
};

}  // namespace

Result<std::unique_ptr<RedisClient>> RedisClient::Connect(
    const db::DatabaseUrl& url, const std::optional<std::string>& password,
    std::chrono::milliseconds timeout) {
  const std::string name = url.Redacted();
  const std::string host = url.host.empty() ? "127.0.0.1" : url.host;
  redisContext* context =
      redisConnectWithTimeout(host.c_str(), url.port.value_or(6379), ToTimeval(timeout));
  if (context == nullptr) return Unavailable(fmt::format("{}: out of memory", name));
  if (context->err) {
    std::string why = context->errstr;
    redisFree(context);
    return Unavailable(fmt::format("{}: cannot connect: {}", name, why));
  }
  redisSetTimeout(context, ToTimeval(timeout));
  std::unique_ptr<RedisClient> client(new RedisClient(context, name));
  const std::optional<std::string>& secret = password ? password : url.password;
  if (secret) {
    std::vector<std::string> auth = {"AUTH"};
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(*secret);
    Result<Reply> reply = client->Command(auth);
    if (!reply.ok()) {
      // The server's words (WRONGPASS ...) never hold the password; ours must not either.
      return Status(StatusCode::kPermissionDenied,
                    fmt::format("{}: login refused: {}", name,
                                reply.status().message().substr(name.size() + 2)));
    }
  }
  if (!url.database.empty() && url.database != "0") {
    RETURN_IF_ERROR(client->Command({"SELECT", url.database}).status());
  }
  return client;
}

RedisClient::~RedisClient() { redisFree(context_); }

Status RedisClient::IoError() const {
  return Unavailable(fmt::format("{}: connection lost: {}", name_,
                                 context_->errstr[0] ? context_->errstr : "no reply"));
}

Result<Reply> RedisClient::Command(const std::vector<std::string>& args) {
  Argv argv(args);
  Reply reply(static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(args.size()), argv.pointers.data(), argv.lengths.data())));
  if (!reply) return IoError();
  if (reply->type == REDIS_REPLY_ERROR) {
    return FailedPrecondition(fmt::format("{}: {}", name_, ReplyText(*reply)));
  }
  return reply;
}

Result<std::vector<Reply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) {
    Argv argv(args);
    if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.pointers.data(),
                               argv.lengths.data()) != REDIS_OK) {
      return IoError();
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return IoError();
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

}  // namespace assay::sources::redis
