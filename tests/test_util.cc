#include "tests/test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace assay::testing {

std::filesystem::path SourceDir() { return ASSAY_SOURCE_DIR; }

CommandResult Run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                  std::chrono::seconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
    }
  }
  if (timed_out) {
    ADD_FAILURE() << argv[0] << " still running after " << timeout.count() << " s: killed";
    kill(pid, SIGKILL);
    for (pollfd& fd : fds) {
      if (fd.fd >= 0) close(fd.fd);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) && !timed_out ? WEXITSTATUS(status) : -1;
  return result;
}

void CopySalesSchema(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "schemas");
  std::filesystem::copy_file(SourceDir() / "schemas/sales_transactions.json",
                             dir / "schemas/sales_transactions.json");
}

CommandResult RunAssay(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                       std::chrono::seconds timeout) {
  std::vector<std::string> argv = {ASSAY_EXECUTABLE};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, cwd, timeout);
}

nlohmann::json DuckDb(const std::string& sql, const std::filesystem::path& cwd) {
  CommandResult r =
      Run({"node", (SourceDir() / "tests/tools/duckdb_query.mjs").string(), sql}, cwd);
  EXPECT_EQ(r.exit_code, 0) << "DuckDB failed on: " << sql << "\n" << r.err;
  if (r.exit_code != 0) return nlohmann::json::array();
  return nlohmann::json::parse(r.out);
}

CommandResult RunSummary(const std::filesystem::path& cwd, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--config",      "config.yml",
                                   "--as-of",       "2026-11-24T00:00:00Z",
                                   "--no-progress", "--summary-json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunAssay(args, cwd);
}

nlohmann::json SummarySource(const CommandResult& r, const std::string& name) {
  nlohmann::json summary = nlohmann::json::parse(r.out, nullptr, false);
  if (summary.is_object() && summary["sources"].is_array()) {
    for (const auto& s : summary["sources"]) {
      if (s["name"] == name) return s;
    }
  }
  ADD_FAILURE() << "no source " << name << " in " << r.out;
  return {};
}

int64_t DuckDbCount(const std::string& sql, const std::filesystem::path& cwd) {
  nlohmann::json rows = DuckDb(sql, cwd);
  if (rows.empty() || rows[0].empty() || !rows[0][0].is_string()) return -1;
  return std::stoll(rows[0][0].get<std::string>());
}

std::vector<std::string> SplitCsv(const std::string& record) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (quoted) {
      if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

SampleSales ReadSampleSales() {
  SampleSales sales;
  for (const char* name :
       {"sales_transactions_2026-11-22.csv", "sales_transactions_2026-11-23.csv"}) {
    std::ifstream in(SourceDir() / "samples" / name);
    std::string line;
    std::getline(in, sales.header);
    if (sales.header.ends_with('\r')) sales.header.pop_back();
    while (std::getline(in, line)) {
      if (line.ends_with('\r')) line.pop_back();
      std::vector<std::string> fields = SplitCsv(line);
      if (fields.size() != 13) continue;
      sales.lines.push_back(line);
      sales.rows.push_back(std::move(fields));
    }
  }
  sales.columns = SplitCsv(sales.header);
  return sales;
}

std::string SampleSales::Csv() const {
  std::string csv = header + "\n";
  for (const std::string& line : lines) csv += line + "\n";
  return csv;
}

void TempDirTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::filesystem::temp_directory_path() /
         (std::string("assay_e2e_") + info->test_suite_name() + "_" + info->name() + "_" +
          std::to_string(getpid()));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void TempDirTest::TearDown() {
  std::error_code ec;
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
}

void TempDirTest::Write(const std::filesystem::path& relative, const std::string& content) {
  std::filesystem::path path = dir_ / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string TempDirTest::Read(const std::filesystem::path& relative) const {
  std::ifstream in(dir_ / relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& root,
                                              const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace assay::testing
