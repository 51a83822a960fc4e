#include "tests/servers/postgres_server.h"

#include <atomic>
#include <cstdlib>
#include <random>
#include <vector>

namespace assay::testing {
namespace {

constexpr std::string_view kServerUser = "postgres";  // Debian's postgresql-common creates it
constexpr int kStartAttempts = 3;                     // a free port can be taken before we bind
constexpr std::chrono::seconds kStartTimeout{30};

std::string RandomPassword() {
  std::random_device random;
  std::string out = "su-";
  for (int i = 0; i < 24; ++i) out += "abcdefghijklmnopqrstuvwxyz0123456789"[random() % 36];
  return out;
}

bool HasServerBinaries(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "initdb", ec) &&
         std::filesystem::exists(dir / "postgres", ec) && std::filesystem::exists(dir / "psql", ec);
}

}  // namespace

Result<std::filesystem::path> PostgresBinDir() {
  if (const char* env = std::getenv("ASSAY_POSTGRES_BIN_DIR"); env != nullptr && *env != '\0') {
    if (!HasServerBinaries(env)) {
      return NotFound(std::string("ASSAY_POSTGRES_BIN_DIR=") + env +
                      " holds no initdb, postgres and psql");
    }
    return std::filesystem::path(env);
  }
  std::filesystem::path best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && HasServerBinaries(entry.path() / "bin")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    return NotFound(
        "no PostgreSQL server under /usr/lib/postgresql/<version>/bin: run scripts/setup.sh "
        "(it installs postgresql-15)");
  }
  return best;
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start(const Options& options) {
  ASSIGN_OR_RETURN(std::filesystem::path bin_dir, PostgresBinDir());
  ASSIGN_OR_RETURN(TempDirectory dir, TempDirectory::Make("assay-pg-", std::string(kServerUser)));
  std::unique_ptr<PostgresServer> server(new PostgresServer(std::move(dir), std::move(bin_dir)));
  server->tls_ = options.tls;
  RETURN_IF_ERROR(server->InitDb());
  if (server->tls_) RETURN_IF_ERROR(server->MakeCertificate());
  RETURN_IF_ERROR(server->Launch());
  // The login role of the tests: created by the superuser over the trusted local socket; over
  // TCP it must give its password (pg_hba: scram-sha-256 for host connections).
  Result<std::string> created = server->Sql(
      "CREATE ROLE " + std::string(kUser) + " LOGIN PASSWORD '" + std::string(kPassword) +
          "';\nCREATE DATABASE " + std::string(kDatabase) + " OWNER " + std::string(kUser) + ";\n",
      "postgres");
  if (!created.ok()) return created.status();
  // Tables the tests create as the superuser are readable, not writable, by the login role: the
  // rights a source's user should have.
  Result<std::string> granted = server->Sql(
      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + std::string(kUser));
  if (!granted.ok()) return granted.status();
  return server;
}

Status PostgresServer::InitDb() {
  // initdb insists on a superuser password when any authentication method needs one.
  ASSIGN_OR_RETURN(std::filesystem::path pwfile, dir_.WriteFile("pwfile", RandomPassword()));
  RETURN_IF_ERROR(dir_.MakeSubdirectory("socket").status());
  ProcessOptions initdb;
  initdb.argv = {(bin_dir_ / "initdb").string(),
                 "--pgdata=" + (dir_.path() / "data").string(),
                 "--username=postgres",
                 "--pwfile=" + pwfile.string(),
                 "--auth-local=trust",
                 "--auth-host=scram-sha-256",
                 "--encoding=UTF8",
                 "--locale=C",
                 "--no-sync",
                 "--no-instructions"};
  initdb.user = kServerUser;
  initdb.cwd = dir_.path();
  ASSIGN_OR_RETURN(CommandOutput out, RunCommand(initdb, std::chrono::seconds(120)));
  if (out.exit_code != 0) {
    return Unavailable("initdb failed (exit code " + std::to_string(out.exit_code) + "):\n" +
                       out.output);
  }
  return Status::Ok();
}

Status PostgresServer::MakeCertificate() {
  // As the server's user, so that it owns the key; PostgreSQL refuses a key others can read.
  ProcessOptions openssl;
  openssl.argv = {"/bin/sh", "-c",
                  "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                  "-addext subjectAltName=IP:127.0.0.1 -keyout server.key -out server.crt && "
                  "chmod 600 server.key"};
  openssl.user = kServerUser;
  openssl.cwd = dir_.path();
  ASSIGN_OR_RETURN(CommandOutput out, RunCommand(openssl));
  if (out.exit_code != 0) {
    return Unavailable("openssl could not make a certificate (exit code " +
                       std::to_string(out.exit_code) + "):\n" + out.output);
  }
  return Status::Ok();
}

Status PostgresServer::Launch(int port) {
  Status last;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (port != 0) {
      port_ = port;
    } else {
      ASSIGN_OR_RETURN(port_, FreeTcpPort());
    }
    ProcessOptions postgres;
    postgres.argv = {(bin_dir_ / "postgres").string(), "-D", (dir_.path() / "data").string(), "-p",
                     std::to_string(port_), "-c", "listen_addresses=127.0.0.1", "-c",
                     "unix_socket_directories=" + socket_dir().string(),
                     // A test server: durability is not the point, speed is.
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                     "full_page_writes=off"};
    if (tls_) {
      postgres.argv.insert(postgres.argv.end(),
                           {"-c", "ssl=on", "-c", "ssl_cert_file=" + tls_ca_file().string(), "-c",
                            "ssl_key_file=" + (dir_.path() / "server.key").string()});
    }
    postgres.user = kServerUser;
    postgres.cwd = dir_.path();
    // Immediate shutdown: the postmaster also ends its backends and frees shared memory.
    postgres.parent_death_signal = SIGQUIT;
    ASSIGN_OR_RETURN(process_, ServerProcess::Start(postgres, dir_.path() / "server.log"));
    const std::filesystem::path socket = socket_dir() / (".s.PGSQL." + std::to_string(port_));
    // Our own socket first: a TCP accept alone could come from someone else on a reused port.
    last = process_->WaitForUnixSocket(socket, kStartTimeout);
    if (last.ok()) last = process_->WaitForTcpPort(port_, kStartTimeout);
    if (last.ok()) {
      last = process_->WaitUntil([this] { return Sql("SELECT 1", "postgres").ok(); }, kStartTimeout,
                                 "the server to accept queries");
    }
    if (last.ok()) return last;
    process_->Stop(SIGQUIT, std::chrono::seconds(5));
  }
  return last;
}

PostgresServer::~PostgresServer() {
  if (process_ == nullptr) return;
  // Fast shutdown; if that takes too long (a busy machine), immediate shutdown, which still
  // ends the backends and removes the shared memory segments that SIGKILL would leave behind.
  if (!process_->SignalAndWait(SIGINT, std::chrono::seconds(20))) {
    process_->Stop(SIGQUIT, std::chrono::seconds(10));
  }
}

std::string PostgresServer::Url(std::string_view password) const {
  std::string url = "postgresql://" + std::string(kUser);
  if (!password.empty()) url += ":" + std::string(password);
  return url + "@127.0.0.1:" + std::to_string(port_) + "/" + std::string(kDatabase);
}

Result<std::string> PostgresServer::Sql(std::string_view sql, std::string_view database) const {
  // From a file, not -c: psql then runs the statements one by one, so CREATE DATABASE and
  // friends work, and any size fits.
  static std::atomic<int> files{0};
  ASSIGN_OR_RETURN(std::filesystem::path file,
                   dir_.WriteFile("query-" + std::to_string(++files) + ".sql", sql));
  ProcessOptions psql;
  psql.argv = {(bin_dir_ / "psql").string(),
               "-X",
               "-q",
               "-At",
               "-v",
               "ON_ERROR_STOP=1",
               "-h",
               socket_dir().string(),
               "-p",
               std::to_string(port_),
               "-U",
               "postgres",
               "-d",
               std::string(database),
               "-f",
               file.string()};
  Result<CommandOutput> out = RunCommand(psql, std::chrono::minutes(10));
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (!out.ok()) return out.status();
  if (out->exit_code != 0) {
    return InvalidArgument("psql failed (exit code " + std::to_string(out->exit_code) + ") on:\n" +
                           std::string(sql.substr(0, 2000)) + "\n" + out->output);
  }
  return std::move(out->output);
}

void PostgresServer::Stop(int signal) {
  if (process_ != nullptr) process_->Stop(signal, std::chrono::seconds(10));
}

Status PostgresServer::Restart() {
  if (running()) return FailedPrecondition("the server is still running: Stop it first");
  return Launch(port_);
}

std::string PostgresServer::LogTail() const {
  return process_ != nullptr ? process_->LogTail() : std::string("(not started)");
}

// ---- PostgresTest ----

std::unique_ptr<PostgresServer> PostgresTest::server_;
std::string PostgresTest::start_error_;

void PostgresTest::SetUpTestSuite() {
  Result<std::unique_ptr<PostgresServer>> started = PostgresServer::Start();
  if (started.ok()) {
    server_ = std::move(*started);
    start_error_.clear();
  } else {
    start_error_ = started.status().ToString();
  }
}

void PostgresTest::TearDownTestSuite() { server_.reset(); }

void PostgresTest::SetUp() {
  ASSERT_NE(server_, nullptr) << "cannot start PostgreSQL: " << start_error_;
  ASSERT_TRUE(server_->running()) << "the suite's PostgreSQL server is gone; its log ends:\n"
                                  << server_->LogTail();
}

}  // namespace assay::testing
