#include "sinks/hive_ddl.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <iterator>

#include "core/file_io.h"
#include "sinks/sink.h"

namespace assay::sinks {
namespace {

std::string HiveType(FieldType type) {
  switch (type) {
    case FieldType::kInteger: return "BIGINT";
    case FieldType::kNumber: return "DOUBLE";
    case FieldType::kBoolean: return "BOOLEAN";
    case FieldType::kTimestamp: return "TIMESTAMP";
    case FieldType::kDate: return "DATE";
    case FieldType::kString:
    case FieldType::kAny: return "STRING";
  }
  return "STRING";
}

}  // namespace

std::string HiveDdl(Tier tier, const std::string& dataset, const std::vector<OutputColumn>& layout,
                    const std::filesystem::path& location) {
  std::string out =
      fmt::format("-- Written by assay for the {} tier of {}.\n", TierName(tier), dataset);
  out += fmt::format("CREATE DATABASE IF NOT EXISTS {};\n", TierName(tier));
  out += fmt::format("CREATE EXTERNAL TABLE IF NOT EXISTS {}.`{}` (\n", TierName(tier), dataset);
  for (size_t i = 0; i < layout.size(); ++i) {
    out += fmt::format("  `{}` {}{}\n", layout[i].name, HiveType(layout[i].type),
                       i + 1 < layout.size() ? "," : "");
  }
  out += ")\nPARTITIONED BY (ingest_date STRING)\nSTORED AS PARQUET\n";
  out += fmt::format("LOCATION '{}';\n", location.string());
  out += fmt::format("MSCK REPAIR TABLE {}.`{}`;\n", TierName(tier), dataset);
  return out;
}

Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text,
                           const std::filesystem::path& temp_dir) {
  // Every tier file of every worker rewrites its table's DDL, almost always with the text that
  // is already there: skip the write and its two fsyncs then.
  if (std::ifstream in(path, std::ios::binary); in) {
    std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (current == text) return Status::Ok();
  }
  // Unique per call: several workers may rewrite the same DDL at once; the last rename wins and
  // every version is complete.
  static std::atomic<uint64_t> counter{0};
  std::filesystem::path temp = temp_dir / fmt::format(".{}.{}-{}.tmp", path.filename().string(),
                                                      ::getpid(), counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, temp.string());
  Status st = WriteAll(fd, text, temp.string());
  if (!st.ok()) {
    ::close(fd);
    return st;
  }
  RETURN_IF_ERROR(SyncAndClose(fd, temp.string()));
  if (::rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus(errno, path.string());
  return SyncDirectory(path.parent_path());
}

}  // namespace assay::sinks
