#include "sources/file_source.h"

#include <fmt/format.h>

#include "sources/file_glob.h"

namespace assay::sources {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The file name without a compression extension.
std::string_view StripCompression(std::string_view path) {
  for (std::string_view ext : {".gz", ".gzip", ".zst", ".zstd"}) {
    if (EndsWith(path, ext)) return path.substr(0, path.size() - ext.size());
  }
  return path;
}

}  // namespace

Result<FileFormat> ParseFileFormat(std::string_view name) {
  if (name == "csv" || name == "tsv") return FileFormat::kCsv;
  if (name == "ndjson" || name == "jsonl") return FileFormat::kNdjson;
  if (name == "json") return FileFormat::kJson;
  return InvalidArgument(fmt::format("unknown file format '{}' (csv, ndjson, json)", name));
}

Result<std::unique_ptr<FileSource>> FileSource::Make(FileSourceOptions options) {
  if (!options.format.empty()) RETURN_IF_ERROR(ParseFileFormat(options.format).status());
  std::unique_ptr<FileSource> source(new FileSource(std::move(options)));
  ASSIGN_OR_RETURN(source->files_, ExpandGlob(source->options_.path));
  return source;
}

Result<FileFormat> FileSource::FormatOf(const std::string& path) const {
  if (!options_.format.empty()) return ParseFileFormat(options_.format);
  std::string_view base = StripCompression(path);
  if (EndsWith(base, ".csv") || EndsWith(base, ".tsv")) return FileFormat::kCsv;
  if (EndsWith(base, ".ndjson") || EndsWith(base, ".jsonl")) return FileFormat::kNdjson;
  if (EndsWith(base, ".json")) return FileFormat::kJson;
  return InvalidArgument(fmt::format(
      "{}: cannot tell the format from the extension; set format: csv|ndjson|json", path));
}

Result<std::unique_ptr<RecordReader>> FileSource::Open(size_t index, uint32_t unit) const {
  const std::string& path = files_.at(index);
  ASSIGN_OR_RETURN(FileFormat format, FormatOf(path));
  ASSIGN_OR_RETURN(std::unique_ptr<ByteStream> stream, OpenFileStream(path, options_.compression));
  switch (format) {
    case FileFormat::kCsv: {
      CsvOptions csv = options_.csv;
      if (options_.format.empty() && EndsWith(StripCompression(path), ".tsv")) csv.delimiter = '\t';
      return MakeCsvReader(std::move(stream), unit, std::move(csv), options_.fields);
    }
    case FileFormat::kNdjson:
    case FileFormat::kJson: {
      JsonOptions json = options_.json;
      // `json` accepts both layouts (array or one object per line); `ndjson` insists on lines.
      json.format = format == FileFormat::kNdjson ? JsonFormat::kNdjson : JsonFormat::kAuto;
      ASSIGN_OR_RETURN(auto reader,
                       JsonReader::Make(std::move(stream), unit, json, options_.fields));
      return std::unique_ptr<RecordReader>(std::move(reader));
    }
  }
  return Internal("unknown file format");
}

}  // namespace assay::sources
