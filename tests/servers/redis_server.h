#pragma once

// A throwaway Redis server for tests: redis-server (Debian's redis-server package, which
// scripts/setup.sh installs) on 127.0.0.1 on a free port, with a password, no persistence, in a
// temp directory; stopped and deleted afterwards.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "tests/servers/server_process.h"

namespace assay::testing {

class RedisServer {
 public:
  static constexpr std::string_view kPassword = "r3dis-Pw_for-assay";

  /// Starts a server; fails with the reason and the server's output when it cannot.
  static Result<std::unique_ptr<RedisServer>> Start();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  int port() const { return port_; }
  /// `redis://:<password>@127.0.0.1:<port>/0`; `password` replaces the real one.
  std::string Url(std::string_view password = kPassword) const;
  /// Runs one command with redis-cli (arguments as given, no shell) and returns its output.
  Result<std::string> Cli(const std::vector<std::string>& args) const;
  /// Runs the commands of `script` (one per line, redis-cli's syntax) in one redis-cli call.
  Result<std::string> CliScript(const std::string& script) const;
  /// Kills the server (a crash) for tests of a server that goes away.
  void Kill();

 private:
  explicit RedisServer(TempDirectory dir) : dir_(std::move(dir)) {}

  TempDirectory dir_;
  std::unique_ptr<ServerProcess> process_;
  int port_ = 0;
};

}  // namespace assay::testing
