#pragma once

// A throwaway MariaDB server for tests: mariadb-install-db into a temp directory, mariadbd on
// 127.0.0.1 on a free port with its own socket and pid files, a user that must give its password
// over TCP, everything stopped and deleted afterwards. Uses Debian's mariadb-server (installed by
// scripts/setup.sh); when the tests run as root, the server runs as root too (--user=root): it
// only ever touches its own temp directory.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"
#include "tests/servers/server_process.h"
#include "tests/servers/server_suite.h"

namespace assay::testing {

class MariaDbServer {
 public:
  static constexpr std::string_view kName = "MariaDB";
  /// The user tests connect as over TCP (mysql_native_password) and its database.
  static constexpr std::string_view kUser = "assay_test";
  static constexpr std::string_view kPassword = "m4ria-Pw_for-assay";
  static constexpr std::string_view kDatabase = "assay_test";

  /// The server's certificate and key (PEM), for TLS tests; none = no TLS, as Debian's default.
  struct Tls {
    std::filesystem::path cert_file, key_file;
  };

  /// Creates and starts a server; fails with the reason (and the installer's or the server's
  /// output) when it cannot. Takes a few seconds.
  static Result<std::unique_ptr<MariaDbServer>> Start(const std::optional<Tls>& tls = {});
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;
  /// Stops the server (killing it if it does not stop) and deletes its directory.
  ~MariaDbServer();

  int port() const { return port_; }
  /// `mariadb://assay_test:<password>@127.0.0.1:<port>/assay_test`; `password` replaces the real
  /// one ("" for a URL without a password).
  std::string Url(std::string_view password = kPassword) const;

  /// Runs `sql` (any number of statements, stopping at the first error) with the `mariadb`
  /// client as root over the server's private socket, in `database`. Returns the batch-mode
  /// output without column names: one line per row, columns separated by tabs.
  Result<std::string> Sql(std::string_view sql, std::string_view database = kDatabase) const;

  /// Stops the server now with `signal` (SIGTERM: clean shutdown; SIGKILL: a crash), for tests
  /// of a server that goes away. The directory stays until destruction.
  void Stop(int signal);
  bool running() const { return process_ != nullptr && process_->Running(); }

  std::string LogTail() const;
  const std::filesystem::path& directory() const { return dir_.path(); }

 private:
  explicit MariaDbServer(TempDirectory dir) : dir_(std::move(dir)) {}
  Status InstallDb();
  Status Launch(const std::optional<Tls>& tls);
  std::filesystem::path socket() const { return dir_.path() / "mariadb.sock"; }

  TempDirectory dir_;
  std::unique_ptr<ServerProcess> process_;
  int port_ = 0;
};

/// The fixture for tests that need a MariaDB server: one per test suite.
using MariaDbTest = ServerSuite<MariaDbServer>;

}  // namespace assay::testing
