#include "pipeline/commit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "core/file_io.h"
#include "core/value_parse.h"

namespace assay::pipeline {
namespace {

using Json = nlohmann::json;

Json ToJson(const events::FileState& s) {
  return Json{{"source", s.source},
              {"path", s.identity.path},
              {"size", s.identity.size},
              {"mtime_ns", s.identity.mtime_ns},
              {"content_hash", s.identity.content_hash},
              {"committed_offset", s.committed_offset},
              {"committed_line", s.committed_line},
              {"rows_committed", s.rows_committed},
              {"complete", s.complete},
              {"run_id", s.run_id}};
}

events::FileState FileStateFromJson(const Json& j) {
  events::FileState s;
  s.source = j.at("source").get<std::string>();
  s.identity.path = j.at("path").get<std::string>();
  s.identity.size = j.at("size").get<uint64_t>();
  s.identity.mtime_ns = j.at("mtime_ns").get<int64_t>();
  s.identity.content_hash = j.at("content_hash").get<std::string>();
  s.committed_offset = j.at("committed_offset").get<uint64_t>();
  s.committed_line = j.at("committed_line").get<uint64_t>();
  s.rows_committed = j.at("rows_committed").get<uint64_t>();
  s.complete = j.at("complete").get<bool>();
  s.run_id = j.at("run_id").get<std::string>();
  return s;
}

// Appends whole lines to a file and fsyncs it.
Status AppendLines(const std::filesystem::path& path, const std::string& lines) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, path.string());
  Status st = WriteAll(fd, lines, path.string());
  if (!st.ok()) {
    ::close(fd);
    return st;
  }
  return SyncAndClose(fd, path.string());
}

// Cuts a line that a crash left half-written at the end of a table log, so the replay writes it
// whole and the next line does not continue it. Only an interrupted commit appends, and it is
// replayed, so the cut line is written again.
Status DropTornTail(const std::filesystem::path& log) {
  int fd = ::open(log.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : ErrnoStatus(errno, log.string());
  off_t end = ::lseek(fd, 0, SEEK_END);
  off_t keep = end;
  char block[4096];
  while (keep > 0) {
    const off_t start = keep > off_t{sizeof block} ? keep - off_t{sizeof block} : 0;
    const ssize_t n = ::pread(fd, block, static_cast<size_t>(keep - start), start);
    if (n != keep - start) {
      Status st = ErrnoStatus(n < 0 ? errno : EIO, log.string());
      ::close(fd);
      return st;
    }
    const void* nl = ::memrchr(block, '\n', static_cast<size_t>(n));
    if (nl != nullptr) {
      keep = start + (static_cast<const char*>(nl) - block) + 1;
      break;
    }
    keep = start;
  }
  if (keep == end) {
    ::close(fd);
    return Status::Ok();
  }
  if (::ftruncate(fd, keep) != 0) {
    Status st = ErrnoStatus(errno, log.string());
    ::close(fd);
    return st;
  }
  return SyncAndClose(fd, log.string());
}

// Whether the table log already has the line for this commit and file (a replayed commit).
bool LogHas(const std::filesystem::path& log, int64_t id, const std::string& file) {
  std::ifstream in(log);
  std::string line;
  const std::string id_key = fmt::format("\"commit_id\":{},", id);
  while (std::getline(in, line)) {
    if (line.find(id_key) != std::string::npos &&
        line.find(Json(file).dump()) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<int64_t> CommitLog::Commit(const CommitRequest& request) {
  Json files = Json::array();
  for (const sinks::StagedFile& f : request.files) {
    files.push_back(Json{{"temp", f.temp_path.string()},
                         {"final", f.final_path.string()},
                         {"table", f.table_dir.string()},
                         {"tier", std::string(TierName(f.tier))},
                         {"rows", f.rows},
                         {"bytes", f.bytes}});
  }
  Json payload{{"files", std::move(files)}};
  if (const auto* checkpoint = std::get_if<events::Checkpoint>(&request.input)) {
    const events::Checkpoint& c = *checkpoint;
    payload["checkpoint"] = Json{{"source", c.source},
                                 {"unit", c.unit},
                                 {"value", c.value},
                                 {"rows_committed", c.rows_committed},
                                 {"run_id", c.run_id}};
  } else {
    payload["input"] = ToJson(std::get<events::FileState>(request.input));
  }
  if (request.validation) {
    payload["validation"] = events::ValidationCountsToJson(*request.validation);
  }
  const std::string text = payload.dump();
  ASSIGN_OR_RETURN(int64_t id, store_.RecordPendingCommit(request.run_id, request.source, text));
  RETURN_IF_ERROR(Apply(id, text, /*replay=*/false));
  return id;
}

Status CommitLog::Apply(int64_t id, const std::string& payload, bool replay) {
  Json j;
  try {
    j = Json::parse(payload);
  } catch (const Json::exception& e) {
    return DataLoss(fmt::format("commit {}: unreadable intent: {}", id, e.what()));
  }
  std::set<std::filesystem::path> dirs;
  for (const Json& f : j.at("files")) {
    std::filesystem::path temp = f.at("temp").get<std::string>();
    std::filesystem::path final_path = f.at("final").get<std::string>();
    if (::rename(temp.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      // Renamed before a crash: the final file is there and the temporary one is not.
      std::error_code ec;
      if (!(err == ENOENT && std::filesystem::exists(final_path, ec))) {
        return ErrnoStatus(err, fmt::format("commit {}: rename {}", id, temp.string()));
      }
    }
    dirs.insert(final_path.parent_path());
  }
  for (const auto& dir : dirs) RETURN_IF_ERROR(sinks::SyncDirectory(dir));

  std::optional<events::Checkpoint> checkpoint;
  events::FileState input;
  if (j.contains("checkpoint")) {
    const Json& c = j.at("checkpoint");
    checkpoint =
        events::Checkpoint{c.at("source").get<std::string>(), c.at("unit").get<std::string>(),
                           c.at("value").get<std::string>(), c.at("rows_committed").get<uint64_t>(),
                           c.at("run_id").get<std::string>()};
  } else {
    input = FileStateFromJson(j.at("input"));
  }
  const std::string committed_at = FormatTimestamp(WallClockMicros());
  // One append and one fsync per table, however many of its files the commit holds (a unit
  // stages a file per tier per worker).
  std::vector<std::pair<std::filesystem::path, std::string>> logs;  // table log, its new lines
  std::vector<std::filesystem::path> checked;                       // for a torn last line
  for (const Json& f : j.at("files")) {
    std::filesystem::path table = f.at("table").get<std::string>();
    std::filesystem::path final_path = f.at("final").get<std::string>();
    // The sinks name files under their table: no need to ask the file system (relative() does).
    std::filesystem::path relative_path = final_path.lexically_relative(table);
    if (relative_path.empty() || *relative_path.begin() == "..") {
      relative_path = std::filesystem::relative(final_path, table);
    }
    const std::string relative = relative_path.string();
    std::filesystem::path log = table / "_assay_commits.jsonl";
    if (replay) {
      if (std::find(checked.begin(), checked.end(), log) == checked.end()) {
        RETURN_IF_ERROR(DropTornTail(log));
        checked.push_back(log);
      }
      if (LogHas(log, id, relative)) continue;
    }
    Json line{{"file", relative},
              {"tier", f.at("tier")},
              {"rows", f.at("rows")},
              {"bytes", f.at("bytes")}};
    if (checkpoint) {
      line["run_id"] = checkpoint->run_id;
      line["source"] = checkpoint->source;
      line["input"] = checkpoint->unit;
      line["input_through"] = Json::parse(checkpoint->value, nullptr, false);
    } else {
      line["run_id"] = input.run_id;
      line["source"] = input.source;
      line["input"] = input.identity.path;
      line["input_hash"] = input.identity.content_hash;
      line["input_through_offset"] = input.committed_offset;
      line["input_through_line"] = input.committed_line;
    }
    line["committed_at"] = committed_at;
    // The id comes first so LogHas can find it without parsing every line.
    std::string text = fmt::format("{{\"commit_id\":{},{}\n", id, line.dump().substr(1));
    auto it = std::find_if(logs.begin(), logs.end(), [&](const auto& l) { return l.first == log; });
    if (it == logs.end()) {
      logs.emplace_back(std::move(log), std::move(text));
    } else {
      it->second += text;
    }
  }
  for (const auto& [log, lines] : logs) RETURN_IF_ERROR(AppendLines(log, lines));
  std::optional<events::ValidationCounts> validation;
  if (auto it = j.find("validation"); it != j.end()) {
    ASSIGN_OR_RETURN(validation, events::ValidationCountsFromJson(*it));
  }
  const events::ValidationCounts* counts = validation ? &*validation : nullptr;
  return checkpoint ? store_.CompleteCommit(id, *checkpoint, counts)
                    : store_.CompleteCommit(id, input, counts);
}

Result<size_t> CommitLog::Recover(const std::vector<std::filesystem::path>& table_roots) {
  ASSIGN_OR_RETURN(std::vector<events::PendingCommit> pending, store_.PendingCommits());
  for (const events::PendingCommit& c : pending) {
    RETURN_IF_ERROR(
        Apply(c.id, c.payload, /*replay=*/true).WithContext("recovering an interrupted commit"));
  }
  // Anything still staged belongs to a run that died before recording its intent.
  for (const auto& root : table_roots) {
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) continue;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      // Hidden `.tmp` files are ours: staged parts and DDL being rewritten.
      if (it->is_regular_file(ec) && name.size() > 5 && name[0] == '.' && name.ends_with(".tmp")) {
        std::filesystem::remove(it->path(), ec);
      }
    }
  }
  return pending.size();
}

}  // namespace assay::pipeline
