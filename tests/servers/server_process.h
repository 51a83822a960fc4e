#pragma once

// Starts real servers (PostgreSQL, MariaDB, ...) for tests and makes sure none outlives the test:
// the child runs in its own process group, gets a signal when the test process dies (even by
// SIGKILL or a crash), and is killed and reaped by the destructor. Nothing here knows a
// particular server; postgres_server.h is one user.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace assay::testing {

/// Whether this process runs as root (CI does): servers such as PostgreSQL then have to be run
/// as their own unprivileged user.
bool IsRoot();

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick). Another process may
/// take it before the server binds it, so a caller retries a start that fails to listen.
Result<int> FreeTcpPort();

/// A fresh directory under the system temp dir, removed with its contents on destruction.
/// Move-only.
class TempDirectory {
 public:
  /// Creates `<tmp>/<prefix>XXXXXX`. When `owner` is not empty and this process is root, the
  /// directory is handed to that user so that a server running as it can write there.
  static Result<TempDirectory> Make(std::string_view prefix, const std::string& owner = "");
  TempDirectory(TempDirectory&& other) noexcept;
  TempDirectory& operator=(TempDirectory&& other) noexcept;
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory();

  const std::filesystem::path& path() const { return path_; }
  /// Creates `path()/relative` (owned by the directory's owner) and returns its path.
  Result<std::filesystem::path> MakeSubdirectory(const std::string& relative) const;
  /// Writes `content` to `path()/relative` with mode 0600, owned by the directory's owner.
  Result<std::filesystem::path> WriteFile(const std::string& relative,
                                          std::string_view content) const;

 private:
  TempDirectory(std::filesystem::path path, std::string owner)
      : path_(std::move(path)), owner_(std::move(owner)) {}
  Status GiveToOwner(const std::filesystem::path& path) const;

  std::filesystem::path path_;
  std::string owner_;  ///< "" = this process's user
};

/// How to run a child process.
struct ProcessOptions {
  std::vector<std::string> argv;  ///< argv[0] is the executable: an absolute path, or a PATH name
  /// When this process is root and this is not empty: the child drops to this user (its uid, gid
  /// and no supplementary groups) before exec. Ignored when not root.
  std::string user;
  std::filesystem::path cwd = "/";                       ///< the child's working directory
  std::vector<std::pair<std::string, std::string>> env;  ///< added to (or replacing in) ours
  /// Sent to the child when this process dies (prctl PR_SET_PDEATHSIG), so that a crashed or
  /// killed test leaves no server behind. A server that shuts down cleanly on another signal
  /// (PostgreSQL: SIGQUIT, immediate shutdown that also ends its backends) may ask for it.
  int parent_death_signal = SIGKILL;
};

/// What a finished command printed (stdout and stderr together) and how it ended.
struct CommandOutput {
  int exit_code = -1;  ///< -1 when a signal ended it (or it was killed at the timeout)
  std::string output;
};

/// Runs a command to completion with stdin from /dev/null, killing it (and its process group)
/// after `timeout`. An error only when it could not be started or timed out.
Result<CommandOutput> RunCommand(const ProcessOptions& options,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// A running server process, its output going to a log file. The destructor kills its whole
/// process group with SIGKILL and reaps it, so an early return or failed assertion in a test
/// cannot leave it running.
class ServerProcess {
 public:
  /// Starts `options.argv` with stdout and stderr appended to `log_file`. Fails (with errno's
  /// words) when the executable cannot be run.
  static Result<std::unique_ptr<ServerProcess>> Start(const ProcessOptions& options,
                                                      const std::filesystem::path& log_file);
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  pid_t pid() const { return pid_; }
  /// False once the process has exited (it is then reaped).
  bool Running();
  /// How it ended: its exit code, or -1 when a signal ended it; only meaningful once !Running().
  int exit_code() const { return exit_code_; }

  /// Waits until `ready()` returns true, checking every 50 ms. Fails with kUnavailable, the log's
  /// last lines and `what` when the process exits first or `timeout` passes.
  Status WaitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                   std::string_view what);
  /// Waits until 127.0.0.1:`port` accepts a TCP connection.
  Status WaitForTcpPort(int port, std::chrono::milliseconds timeout);
  /// Waits until the Unix domain socket at `path` accepts a connection.
  Status WaitForUnixSocket(const std::filesystem::path& path, std::chrono::milliseconds timeout);

  /// Sends `signal` to the process group and waits up to `grace` for the exit, then SIGKILLs
  /// the group. Returns the exit code (-1 when a signal ended it).
  int Stop(int signal = SIGTERM, std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// SIGKILL to the process group, then reap.
  void Kill();

  /// The last `max_bytes` of the log file, for error messages.
  std::string LogTail(size_t max_bytes = 4000) const;

 private:
  ServerProcess(pid_t pid, std::filesystem::path log_file)
      : pid_(pid), log_file_(std::move(log_file)) {}
  bool Reap(bool block);

  pid_t pid_ = -1;  ///< also the process group id; -1 once reaped
  int exit_code_ = -1;
  std::filesystem::path log_file_;
};

/// True when a TCP connection to 127.0.0.1:`port` succeeds right now.
bool TcpPortAccepts(int port);

}  // namespace assay::testing
