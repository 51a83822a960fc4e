#include "tests/servers/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

extern char** environ;

namespace assay::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct UserIds {
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<std::optional<UserIds>> LookUpUser(const std::string& user) {
  if (user.empty() || !IsRoot()) return std::optional<UserIds>();
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    return NotFound("no user '" + user + "' to run the server as (is its package installed?)");
  }
  return std::optional<UserIds>(UserIds{pw->pw_uid, pw->pw_gid});
}

/// Our environment with `overrides` put in, as "NAME=value" strings.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : overrides) {
      if (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
          entry[name.size()] == '=') {
        replaced = true;
      }
    }
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    std::string entry = name;
    entry += '=';
    entry += value;
    env.push_back(std::move(entry));
  }
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// Forks and execs `options.argv` with stdout and stderr on `out_fd`, in a new process group,
/// as `options.user` when root. Returns the child's pid once exec has succeeded.
Result<pid_t> Spawn(const ProcessOptions& options, int out_fd) {
  if (options.argv.empty()) return InvalidArgument("no command to run");
  ASSIGN_OR_RETURN(std::optional<UserIds> ids, LookUpUser(options.user));
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv = options.argv;
  std::vector<std::string> env = ChildEnvironment(options.env);
  std::vector<char*> argv_ptrs = Pointers(argv);
  std::vector<char*> env_ptrs = Pointers(env);
  const std::string cwd = options.cwd.string();
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return ErrnoStatus(errno, "/dev/null");
  int exec_error[2];  // the child writes errno here when exec fails; exec closes it otherwise
  if (pipe2(exec_error, O_CLOEXEC) != 0) {
    close(null_fd);
    return ErrnoStatus(errno, "pipe");
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(null_fd);
    close(exec_error[0]);
    close(exec_error[1]);
    return ErrnoStatus(err, "fork");
  }
  if (pid == 0) {
    int err = 0;
    setpgid(0, 0);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    if (ids) {
      if (setgroups(1, &ids->gid) != 0 || setgid(ids->gid) != 0 || setuid(ids->uid) != 0) {
        err = errno;
      }
    }
    // After setuid: a change of credentials clears the parent-death signal.
    if (err == 0 && prctl(PR_SET_PDEATHSIG, options.parent_death_signal) != 0) err = errno;
    if (err == 0 && getppid() != parent) _exit(127);  // the test died before prctl took effect
    if (err == 0 && chdir(cwd.c_str()) != 0) err = errno;
    if (err == 0) {
      // No descriptor of the test (sockets of open connections, other servers' logs) leaks in.
      if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 4096; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
      execvpe(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
      err = errno;
    }
    ssize_t written = write(exec_error[1], &err, sizeof(err));
    (void)written;
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that the group exists whichever runs first
  close(null_fd);
  close(exec_error[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(exec_error[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  close(exec_error[0]);
  if (n == static_cast<ssize_t>(sizeof(child_errno))) {
    waitpid(pid, nullptr, 0);
    return Unavailable("cannot run " + options.argv[0] +
                       (options.user.empty() || !ids ? "" : " as user " + options.user) + ": " +
                       std::strerror(child_errno));
  }
  return pid;
}

int ExitCode(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

}  // namespace

bool IsRoot() { return geteuid() == 0; }

Result<int> FreeTcpPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "binding a free port on 127.0.0.1");
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

bool TcpPortAccepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// ---- TempDirectory ----

Result<TempDirectory> TempDirectory::Make(std::string_view prefix, const std::string& owner) {
  std::string pattern = (std::filesystem::temp_directory_path() / prefix).string() + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return ErrnoStatus(errno, pattern);
  TempDirectory dir(pattern, IsRoot() ? owner : "");
  RETURN_IF_ERROR(dir.GiveToOwner(dir.path_));
  return dir;
}

TempDirectory::TempDirectory(TempDirectory&& other) noexcept
    : path_(std::exchange(other.path_, {})), owner_(std::move(other.owner_)) {}

TempDirectory& TempDirectory::operator=(TempDirectory&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    path_ = std::exchange(other.path_, {});
    owner_ = std::move(other.owner_);
  }
  return *this;
}

TempDirectory::~TempDirectory() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

Status TempDirectory::GiveToOwner(const std::filesystem::path& path) const {
  if (owner_.empty()) return Status::Ok();
  const passwd* pw = getpwnam(owner_.c_str());
  if (pw == nullptr) return NotFound("no user '" + owner_ + "' to own " + path.string());
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) return ErrnoStatus(errno, path.string());
  return Status::Ok();
}

Result<std::filesystem::path> TempDirectory::MakeSubdirectory(const std::string& relative) const {
  const std::filesystem::path path = path_ / relative;
  if (mkdir(path.c_str(), 0700) != 0) return ErrnoStatus(errno, path.string());
  RETURN_IF_ERROR(GiveToOwner(path));
  return path;
}

Result<std::filesystem::path> TempDirectory::WriteFile(const std::string& relative,
                                                       std::string_view content) const {
  const std::filesystem::path path = path_ / relative;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, path.string());
  const bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  close(fd);
  if (!ok) return ErrnoStatus(errno, path.string());
  RETURN_IF_ERROR(GiveToOwner(path));
  return path;
}

// ---- RunCommand ----

Result<CommandOutput> RunCommand(const ProcessOptions& options, std::chrono::milliseconds timeout) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  Result<pid_t> pid = Spawn(options, out[1]);
  close(out[1]);
  if (!pid.ok()) {
    close(out[0]);
    return pid.status();
  }
  CommandOutput result;
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  char buf[65536];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out[0], POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // every writer closed: the command (and its children) finished
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  if (timed_out) kill(-*pid, SIGKILL);
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Unavailable(options.argv[0] + " did not finish within " +
                       std::to_string(timeout.count()) + " ms; output:\n" + result.output);
  }
  result.exit_code = ExitCode(status);
  return result;
}

// ---- ServerProcess ----

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ProcessOptions& options,
                                                            const std::filesystem::path& log_file) {
  const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return ErrnoStatus(errno, log_file.string());
  Result<pid_t> pid = Spawn(options, log);
  close(log);
  if (!pid.ok()) return pid.status();
  return std::unique_ptr<ServerProcess>(new ServerProcess(*pid, log_file));
}

ServerProcess::~ServerProcess() { Kill(); }

bool ServerProcess::Reap(bool block) {
  if (pid_ <= 0) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  exit_code_ = r == pid_ ? ExitCode(status) : -1;
  pid_ = -1;
  return true;
}

bool ServerProcess::Running() { return !Reap(false); }

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);  // in case it left its group
  Reap(true);
}

int ServerProcess::Stop(int signal, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_;
  kill(-pid_, signal);
  const auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (Reap(false)) return exit_code_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return exit_code_;
}

Status ServerProcess::WaitUntil(const std::function<bool()>& ready,
                                std::chrono::milliseconds timeout, std::string_view what) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (!Running()) {
      return Unavailable("the server exited (code " + std::to_string(exit_code_) + ") before " +
                         std::string(what) + "; its log ends:\n" + LogTail());
    }
    if (ready()) return Status::Ok();
    if (Clock::now() >= deadline) {
      return Unavailable("timed out after " + std::to_string(timeout.count()) + " ms waiting for " +
                         std::string(what) + "; the server's log ends:\n" + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status ServerProcess::WaitForTcpPort(int port, std::chrono::milliseconds timeout) {
  return WaitUntil([port] { return TcpPortAccepts(port); }, timeout,
                   "127.0.0.1:" + std::to_string(port) + " to accept connections");
}

Status ServerProcess::WaitForUnixSocket(const std::filesystem::path& path,
                                        std::chrono::milliseconds timeout) {
  const std::string name = path.string();
  sockaddr_un addr{};
  if (name.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("socket path too long for sockaddr_un: " + name);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.c_str(), name.size() + 1);
  auto accepts = [&addr] {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
  };
  return WaitUntil(accepts, timeout, name + " to accept connections");
}

std::string ServerProcess::LogTail(size_t max_bytes) const {
  std::ifstream in(log_file_, std::ios::binary | std::ios::ate);
  if (!in) return "(no log at " + log_file_.string() + ")";
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(max_bytes)
                                  ? size - static_cast<std::streamoff>(max_bytes)
                                  : 0;
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

}  // namespace assay::testing
