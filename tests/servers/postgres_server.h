#pragma once

// A throwaway PostgreSQL server for tests: initdb into a temp directory, postgres on 127.0.0.1 on
// a free port, a login role that authenticates with a password (SCRAM, so a wrong password is
// really refused), everything stopped and deleted afterwards. Uses the Debian packages that
// scripts/setup.sh installs (/usr/lib/postgresql/<version>/bin, and openssl for a TLS server);
// when the tests run as root, the server runs as the `postgres` user, since PostgreSQL refuses
// to run as root.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"
#include "tests/servers/server_process.h"

namespace assay::testing {

class PostgresServer {
 public:
  /// The login role tests connect as (password-authenticated over TCP) and its database. The
  /// role may read, not write, the tables that Sql() creates in the database's public schema.
  static constexpr std::string_view kUser = "assay_test";
  static constexpr std::string_view kPassword = "s3cret-Pw_for-assay";
  static constexpr std::string_view kDatabase = "assay_test";

  struct Options {
    /// Serve TLS (ssl=on) with a self-signed certificate for 127.0.0.1 made by the openssl
    /// command; tls_ca_file() is that certificate, to verify the server with.
    bool tls = false;
  };

  /// Creates and starts a server; fails with the reason (and initdb's or the server's output)
  /// when it cannot. Takes a second or two.
  static Result<std::unique_ptr<PostgresServer>> Start(const Options& options);
  static Result<std::unique_ptr<PostgresServer>> Start() { return Start(Options()); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  /// Stops the server (killing it if it does not stop) and deletes its directory.
  ~PostgresServer();

  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  /// `postgresql://assay_test:<password>@127.0.0.1:<port>/assay_test`; `password` replaces the
  /// real one (pass "" for a URL without a password).
  std::string Url(std::string_view password = kPassword) const;

  /// Runs `sql` (any number of statements, stopping at the first error) with psql as the
  /// superuser over the server's private Unix socket, in `database`. Returns psql's unaligned,
  /// tuples-only output (`-At`: one line per row, columns separated by '|').
  Result<std::string> Sql(std::string_view sql, std::string_view database = kDatabase) const;

  /// Stops the server now with `signal` (SIGINT: fast shutdown; SIGQUIT: immediate, like a
  /// crash; SIGKILL) for tests of a server that goes away. The directory stays until destruction.
  void Stop(int signal);
  /// Starts the stopped server again on the same port and data (a server coming back after a
  /// crash or a restart), and waits until it accepts queries.
  Status Restart();
  bool running() const { return process_ != nullptr && process_->Running(); }

  /// With Options::tls: the server's self-signed certificate (PEM), its own CA.
  std::filesystem::path tls_ca_file() const { return dir_.path() / "server.crt"; }

  /// The server's log (stdout and stderr), for failure messages.
  std::string LogTail() const;
  const std::filesystem::path& directory() const { return dir_.path(); }

 private:
  PostgresServer(TempDirectory dir, std::filesystem::path bin_dir)
      : dir_(std::move(dir)), bin_dir_(std::move(bin_dir)) {}
  Status InitDb();
  Status MakeCertificate();
  /// Starts postgres on `port`, or on a free port (retrying another one if it was taken) when 0.
  Status Launch(int port = 0);
  std::filesystem::path socket_dir() const { return dir_.path() / "socket"; }

  TempDirectory dir_;
  std::filesystem::path bin_dir_;
  std::unique_ptr<ServerProcess> process_;
  int port_ = 0;
  bool tls_ = false;
};

/// The directory holding initdb, postgres and psql: $ASSAY_POSTGRES_BIN_DIR if set, else the
/// newest /usr/lib/postgresql/<version>/bin that has them.
Result<std::filesystem::path> PostgresBinDir();

/// A fixture for tests that need a PostgreSQL server: one server per test suite, started in
/// SetUpTestSuite and stopped in TearDownTestSuite (and by its destructor on any exit). A test
/// fails, not skips, when the server cannot start: CI must have it.
class PostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  /// The suite's server; only valid once SetUp has passed.
  static PostgresServer& server() { return *server_; }

 private:
  static std::unique_ptr<PostgresServer> server_;
  static std::string start_error_;
};

}  // namespace assay::testing
