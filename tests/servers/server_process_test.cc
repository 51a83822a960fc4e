#include "tests/servers/server_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace assay::testing {
namespace {

/// A process is gone once it no longer exists or is a zombie waiting for a parent's wait.
bool ProcessGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] == 'Z';
}

bool GoneWithin(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ProcessGone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ProcessGone(pid);
}

ProcessOptions Shell(const std::string& script) {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

TEST(ServerProcess, ReportsAnExecutableThatCannotRun) {
  Result<TempDirectory> dir = TempDirectory::Make("assay-sp-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  ProcessOptions options;
  options.argv = {"/nonexistent/server"};
  Result<std::unique_ptr<ServerProcess>> process =
      ServerProcess::Start(options, dir->path() / "log");
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), StatusCode::kUnavailable);
}

TEST(ServerProcess, WaitFailsAtOnceWhenTheServerExits) {
  Result<TempDirectory> dir = TempDirectory::Make("assay-sp-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  Result<std::unique_ptr<ServerProcess>> process =
      ServerProcess::Start(Shell("echo cannot bind; exit 3"), dir->path() / "log");
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  Result<int> port = FreeTcpPort();
  ASSERT_TRUE(port.ok());
  const auto start = std::chrono::steady_clock::now();
  Status waited = (*process)->WaitForTcpPort(*port, std::chrono::seconds(30));
  EXPECT_EQ(waited.code(), StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ((*process)->exit_code(), 3);
  EXPECT_NE((*process)->LogTail().find("cannot bind"), std::string::npos);
}

TEST(ServerProcess, WaitsForAListeningPortAndStopsTheWholeGroup) {
  Result<TempDirectory> dir = TempDirectory::Make("assay-sp-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  Result<int> port = FreeTcpPort();
  ASSERT_TRUE(port.ok());
  EXPECT_FALSE(TcpPortAccepts(*port));
  // A listener started a little later, and a grandchild in the same process group.
  const std::string pid_file = (dir->path() / "grandchild.pid").string();
  Result<std::unique_ptr<ServerProcess>> process = ServerProcess::Start(
      Shell("sleep 300 & echo $! > " + pid_file + "; sleep 0.3; exec python3 -c \"" +
            "import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', " +
            std::to_string(*port) + "))\ns.listen()\ntime.sleep(300)\""),
      dir->path() / "log");
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  Status waited = (*process)->WaitForTcpPort(*port, std::chrono::seconds(30));
  ASSERT_TRUE(waited.ok()) << waited.ToString();
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);
  EXPECT_FALSE(ProcessGone(grandchild));
  (*process)->Stop(SIGTERM, std::chrono::seconds(5));
  EXPECT_FALSE((*process)->Running());
  EXPECT_TRUE(GoneWithin(grandchild, std::chrono::seconds(5)));
  EXPECT_FALSE(TcpPortAccepts(*port));
}

// The guarantee for crashed tests: when the process that started a server dies without any
// destructor running, the server gets its parent-death signal.
TEST(ServerProcess, DiesWithTheProcessThatStartedIt) {
  Result<TempDirectory> dir = TempDirectory::Make("assay-sp-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t starter = fork();
  ASSERT_GE(starter, 0);
  if (starter == 0) {
    close(pipe_fds[0]);
    Result<std::unique_ptr<ServerProcess>> process =
        ServerProcess::Start(Shell("exec sleep 300"), dir->path() / "log");
    if (!process.ok()) _exit(2);
    const pid_t pid = (*process)->pid();
    if (write(pipe_fds[1], &pid, sizeof(pid)) != sizeof(pid)) _exit(3);
    _exit(0);  // like a crash: no destructor stops the server
  }
  close(pipe_fds[1]);
  pid_t server = 0;
  ASSERT_EQ(read(pipe_fds[0], &server, sizeof(server)), static_cast<ssize_t>(sizeof(server)));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(starter, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(GoneWithin(server, std::chrono::seconds(5)));
  if (!ProcessGone(server)) kill(server, SIGKILL);
}

TEST(ServerProcess, RunCommandDropsToTheServerUserWhenRoot) {
  ProcessOptions options;
  options.argv = {"id", "-un"};
  options.user = "postgres";
  Result<CommandOutput> out = RunCommand(options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->exit_code, 0);
  if (IsRoot()) {
    EXPECT_EQ(out->output, "postgres\n");
  } else {
    EXPECT_NE(out->output, "postgres\n");  // not root: runs as ourselves
  }
}

TEST(ServerProcess, RunCommandKillsACommandThatTakesTooLong) {
  const auto start = std::chrono::steady_clock::now();
  Result<CommandOutput> out = RunCommand(Shell("sleep 300"), std::chrono::milliseconds(300));
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(TempDirectory, IsRemovedWithItsContents) {
  std::filesystem::path path;
  {
    Result<TempDirectory> dir = TempDirectory::Make("assay-sp-", "postgres");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    path = dir->path();
    ASSERT_TRUE(dir->MakeSubdirectory("sub").ok());
    ASSERT_TRUE(dir->WriteFile("sub/file", "x").ok());
    EXPECT_TRUE(std::filesystem::exists(path / "sub/file"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace assay::testing
