#include "tests/servers/redis_server.h"

#include <fmt/format.h>

namespace assay::testing {

Result<std::unique_ptr<RedisServer>> RedisServer::Start() {
  ASSIGN_OR_RETURN(TempDirectory dir, TempDirectory::Make("assay_redis_"));
  std::unique_ptr<RedisServer> server(new RedisServer(std::move(dir)));
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {  // the free port may be taken meanwhile
    ASSIGN_OR_RETURN(server->port_, FreeTcpPort());
    ProcessOptions options;
    options.argv = {"redis-server",
                    "--port",
                    std::to_string(server->port_),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    server->dir_.path().string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--requirepass",
                    std::string(kPassword)};
    options.cwd = server->dir_.path();
    ASSIGN_OR_RETURN(server->process_,
                     ServerProcess::Start(options, server->dir_.path() / "redis.log"));
    last = server->process_->WaitForTcpPort(server->port_, std::chrono::seconds(20));
    if (last.ok()) return server;
    server->process_->Kill();
  }
  return last;
}

RedisServer::~RedisServer() {
  if (process_) process_->Kill();
}

std::string RedisServer::Url(std::string_view password) const {
  if (password.empty()) return fmt::format("redis://127.0.0.1:{}/0", port_);
  return fmt::format("redis://:{}@127.0.0.1:{}/0", password, port_);
}

Result<std::string> RedisServer::Cli(const std::vector<std::string>& args) const {
  ProcessOptions options;
  options.argv = {"redis-cli",         "-h", "127.0.0.1",           "-p", std::to_string(port_),
                  "--no-auth-warning", "-a", std::string(kPassword)};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  ASSIGN_OR_RETURN(CommandOutput out, RunCommand(options));
  if (out.exit_code != 0) return Internal("redis-cli failed: " + out.output);
  return out.output;
}

Result<std::string> RedisServer::CliScript(const std::string& script) const {
  ASSIGN_OR_RETURN(std::filesystem::path file, dir_.WriteFile("script.txt", script));
  ProcessOptions options;
  options.argv = {"sh", "-c",
                  fmt::format("redis-cli -h 127.0.0.1 -p {} --no-auth-warning -a '{}' < '{}'",
                              port_, kPassword, file.string())};
  ASSIGN_OR_RETURN(CommandOutput out, RunCommand(options));
  if (out.exit_code != 0) return Internal("redis-cli failed: " + out.output);
  return out.output;
}

void RedisServer::Kill() {
  if (process_) process_->Kill();
}

}  // namespace assay::testing
