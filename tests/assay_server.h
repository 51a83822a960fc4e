#pragma once

// Starts the real `assay --web-only` as a child process for tests, and stops it afterwards
// (SIGTERM, then SIGKILL from the destructor if a test failed before stopping it).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace assay::testing {

class AssayServer {
 public:
  AssayServer() = default;
  AssayServer(const AssayServer&) = delete;
  AssayServer& operator=(const AssayServer&) = delete;
  ~AssayServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }

  /// Runs `assay args...` in `cwd` with `env` added to the environment, stderr to
  /// `<cwd>/assay-<n>.stderr`, and waits up to 20 s for the `listening on http://...` line on
  /// stdout. On failure returns false with the reason (and the child's stderr) in *error.
  bool Start(const std::vector<std::string>& args, const std::filesystem::path& cwd,
             const std::vector<std::pair<std::string, std::string>>& env, std::string* error) {
    static int starts = 0;
    stderr_path_ = cwd / ("assay-" + std::to_string(++starts) + ".stderr");
    int out_pipe[2];
    if (pipe(out_pipe) != 0) {
      *error = "pipe failed";
      return false;
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      close(out_pipe[0]);
      close(out_pipe[1]);
      int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, 2);
      if (chdir(cwd.c_str()) != 0) _exit(127);
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      std::vector<std::string> argv = {ASSAY_EXECUTABLE};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> raw;
      for (std::string& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
    close(out_pipe[1]);
    out_fd_ = out_pipe[0];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string out;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd fd{out_fd_, POLLIN, 0};
      if (poll(&fd, 1, 100) <= 0) continue;
      ssize_t n = read(out_fd_, buf, sizeof(buf));
      if (n <= 0) break;  // the child closed stdout: it exited
      out.append(buf, static_cast<size_t>(n));
      size_t at = out.find("listening on http://");
      size_t end = at == std::string::npos ? at : out.find('\n', at);
      if (end == std::string::npos) continue;
      std::string url = out.substr(at + 13, end - at - 13);
      port_ = std::atoi(url.substr(url.rfind(':') + 1).c_str());
      url_ = url;
      return port_ > 0;
    }
    exit_code_ = Stop();
    *error = "assay did not start listening (exit code " + std::to_string(exit_code_) +
             "); stdout:\n" + out + "\nstderr:\n" + Stderr();
    return false;
  }

  /// Sends `signal` and waits for the exit, at most `timeout`, then kills it (SIGKILL): the
  /// exit code, or -1 when a signal ended it. A server that does not stop fails the test
  /// instead of hanging it.
  int Stop(int signal = SIGTERM, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pid_t done = 0;
    while ((done = waitpid(pid_, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (done == 0) {
      ADD_FAILURE() << "assay did not exit within " << timeout.count() << " s of signal " << signal
                    << ": killed";
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  /// After a failed Start: the child's exit code (-1 when a signal ended it).
  int exit_code() const { return exit_code_; }

  /// The port the server listens on.
  int port() const { return port_; }
  /// `http://127.0.0.1:PORT`.
  const std::string& url() const { return url_; }

  /// What the child wrote to stderr so far.
  std::string Stderr() const {
    std::string text;
    if (FILE* f = fopen(stderr_path_.c_str(), "rb")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
      fclose(f);
    }
    return text;
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  std::string url_;
  std::filesystem::path stderr_path_;
};

}  // namespace assay::testing
