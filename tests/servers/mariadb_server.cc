#include "tests/servers/mariadb_server.h"

#include <unistd.h>

#include <atomic>

namespace assay::testing {
namespace {

constexpr int kStartAttempts = 3;  // a free port can be taken before the server binds it
constexpr std::chrono::seconds kStartTimeout{60};

}  // namespace

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::Start(const std::optional<Tls>& tls) {
  ASSIGN_OR_RETURN(TempDirectory dir, TempDirectory::Make("assay-mariadb-"));
  std::unique_ptr<MariaDbServer> server(new MariaDbServer(std::move(dir)));
  RETURN_IF_ERROR(server->InstallDb());
  RETURN_IF_ERROR(server->Launch(tls));
  // Root logs in over the private socket only; the tests' user must give its password.
  const std::string user = "'" + std::string(kUser) + "'@'%'";
  Result<std::string> created =
      server->Sql("CREATE DATABASE IF NOT EXISTS " + std::string(kDatabase) + ";\nCREATE USER " +
                      user + " IDENTIFIED BY '" + std::string(kPassword) + "';\nGRANT ALL ON " +
                      std::string(kDatabase) + ".* TO " + user + ";\n",
                  "mysql");
  if (!created.ok()) return created.status();
  return server;
}

Status MariaDbServer::InstallDb() {
  ProcessOptions install;
  install.argv = {
      "mariadb-install-db", "--no-defaults", "--datadir=" + (dir_.path() / "data").string(),
      "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
      // The bootstrap's temporary tables are named by pid, not unique across
      // parallel installs: keep them in our own directory, not the shared /tmp.
      "--tmpdir=" + dir_.path().string()};
  // mariadbd will not run as root unless told to; the directory is ours alone anyway.
  if (IsRoot()) install.argv.push_back("--user=root");
  install.cwd = dir_.path();
  ASSIGN_OR_RETURN(CommandOutput out, RunCommand(install, std::chrono::seconds(120)));
  if (out.exit_code != 0) {
    return Unavailable("mariadb-install-db failed (exit code " + std::to_string(out.exit_code) +
                       "):\n" + out.output);
  }
  return Status::Ok();
}

Status MariaDbServer::Launch(const std::optional<Tls>& tls) {
  Status last;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    ASSIGN_OR_RETURN(port_, FreeTcpPort());
    ProcessOptions mariadbd;
    mariadbd.argv = {"mariadbd", "--no-defaults", "--datadir=" + (dir_.path() / "data").string(),
                     "--socket=" + socket().string(),
                     "--pid-file=" + (dir_.path() / "mariadb.pid").string(),
                     "--tmpdir=" + dir_.path().string(), "--port=" + std::to_string(port_),
                     "--bind-address=127.0.0.1", "--skip-name-resolve",
                     // A test server: durability is not the point, a small footprint is.
                     "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0",
                     "--innodb-doublewrite=0", "--performance-schema=OFF"};
    if (IsRoot()) mariadbd.argv.push_back("--user=root");
    if (tls) {
      mariadbd.argv.push_back("--ssl-cert=" + tls->cert_file.string());
      mariadbd.argv.push_back("--ssl-key=" + tls->key_file.string());
    }
    mariadbd.cwd = dir_.path();
    // mariadbd's binary lives in /usr/sbin, which a test's PATH may lack.
    if (access("/usr/sbin/mariadbd", X_OK) == 0) mariadbd.argv[0] = "/usr/sbin/mariadbd";
    ASSIGN_OR_RETURN(process_, ServerProcess::Start(mariadbd, dir_.path() / "server.log"));
    // Our own socket first: a TCP accept alone could come from someone else on a reused port.
    last = process_->WaitForUnixSocket(socket(), kStartTimeout);
    if (last.ok()) last = process_->WaitForTcpPort(port_, kStartTimeout);
    if (last.ok()) {
      last = process_->WaitUntil([this] { return Sql("SELECT 1", "mysql").ok(); }, kStartTimeout,
                                 "the server to accept queries");
    }
    if (last.ok()) return last;
    process_->Stop(SIGKILL, std::chrono::seconds(5));
  }
  return last;
}

MariaDbServer::~MariaDbServer() {
  if (process_ != nullptr) process_->Stop(SIGTERM, std::chrono::seconds(20));
}

std::string MariaDbServer::Url(std::string_view password) const {
  std::string url = "mariadb://" + std::string(kUser);
  if (!password.empty()) url += ":" + std::string(password);
  return url + "@127.0.0.1:" + std::to_string(port_) + "/" + std::string(kDatabase);
}

Result<std::string> MariaDbServer::Sql(std::string_view sql, std::string_view database) const {
  // From a file on stdin, not --execute: any size fits (an argument is limited to 128 KiB), and
  // batch mode still stops at the first error.
  static std::atomic<int> files{0};
  ASSIGN_OR_RETURN(std::filesystem::path file,
                   dir_.WriteFile("query-" + std::to_string(++files) + ".sql", sql));
  ProcessOptions client;
  const std::string script =
      "exec mariadb --no-defaults --user=root --socket=\"$1\" --batch --skip-column-names "
      "--database=\"$2\" < \"$3\"";
  client.argv = {"/bin/sh",    "-c", script, "sh", socket().string(), std::string(database),
                 file.string()};
  Result<CommandOutput> out = RunCommand(client, std::chrono::minutes(10));
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (!out.ok()) return out.status();
  if (out->exit_code != 0) {
    return InvalidArgument("mariadb failed (exit code " + std::to_string(out->exit_code) +
                           ") on:\n" + std::string(sql.substr(0, 2000)) + "\n" + out->output);
  }
  return std::move(out->output);
}

void MariaDbServer::Stop(int signal) {
  if (process_ != nullptr) process_->Stop(signal, std::chrono::seconds(20));
}

std::string MariaDbServer::LogTail() const {
  return process_ != nullptr ? process_->LogTail() : std::string("(not started)");
}

}  // namespace assay::testing
