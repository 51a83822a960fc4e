#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "sources/byte_stream.h"
#include "sources/csv_reader.h"
#include "sources/json_reader.h"
#include "sources/record_reader.h"

namespace assay::sources {

/// How records are laid out in a file.
enum class FileFormat : unsigned char { kCsv, kNdjson, kJson };

struct FileSourceOptions {
  std::string path;    ///< a glob (DESIGN.md §5)
  std::string format;  ///< csv | ndjson | json; "" = from each file's extension
  Compression compression = Compression::kAuto;
  CsvOptions csv;
  JsonOptions json;
  std::vector<std::string> fields;  ///< the schema's fields, in batch column order
};

/// The file connector (DESIGN.md §5): a glob of local files, each read by the reader its format
/// needs, decompressed as its extension or magic bytes say. A file is the unit the pipeline
/// commits, so the source hands out one reader per file rather than a single row stream.
class FileSource {
 public:
  /// Expands the glob. kNotFound when nothing matches; kInvalidArgument for an unknown format.
  static Result<std::unique_ptr<FileSource>> Make(FileSourceOptions options);

  const std::vector<std::string>& files() const { return files_; }

  /// Opens file `index` (of files()) with its reader; rows are stamped with `unit`.
  Result<std::unique_ptr<RecordReader>> Open(size_t index, uint32_t unit) const;

  /// The format a file is read as: the configured one, else by extension (.csv, .tsv, .ndjson,
  /// .jsonl, .json, each optionally .gz/.zst). kInvalidArgument when it cannot tell.
  Result<FileFormat> FormatOf(const std::string& path) const;

 private:
  explicit FileSource(FileSourceOptions options) : options_(std::move(options)) {}

  FileSourceOptions options_;
  std::vector<std::string> files_;
};

/// Parses a `format:` value ("csv", "ndjson", "jsonl", "json").
Result<FileFormat> ParseFileFormat(std::string_view name);

}  // namespace assay::sources
